"""optimize_indices: delta segments with the index's own model, merges equal
to a one-segment build (vector ids/distances, FTS scores, scalar filters),
deletions dropped, retrain, the distributed call and the CLI, errors."""

import json
import os
import subprocess
import sys

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"

import numpy as np
import pyarrow as pa
import pytest

import ixray
import ixray.distributed as lr

DIM = 16
WORDS = ["apple", "river", "stone", "green", "hill", "music", "quick", "fox", "lazy", "dog"]


def table(first, n):
    rng = np.random.default_rng(first + 1)
    centers = np.random.default_rng(0).standard_normal((8, DIM)).astype(np.float32) * 3
    v = centers[rng.integers(0, 8, n)] + rng.standard_normal((n, DIM)).astype(np.float32)
    text = [" ".join(WORDS[j] for j in rng.integers(0, len(WORDS), rng.integers(1, 6)))
            for _ in range(n)]
    return pa.table({"id": np.arange(first, first + n), "group": np.arange(first, first + n) % 7,
                     "text": text,
                     "vector": pa.FixedSizeListArray.from_arrays(pa.array(v.reshape(-1)), DIM)})


def model():
    """User-supplied centroids and codebook: the same model wherever it is used."""
    rng = np.random.default_rng(5)
    centroids = table(0, 400).column("vector").combine_chunks().flatten().to_numpy()
    centroids = centroids.reshape(-1, DIM)[rng.choice(400, 6, replace=False)]
    codebook = rng.standard_normal((4, 256, DIM // 4)).astype(np.float32)
    return dict(index_type="IVF_PQ", num_partitions=6, num_sub_vectors=4,
                ivf_centroids=centroids.reshape(-1), pq_codebook=codebook.reshape(-1))


def write(path, appends):
    ds = ixray.write_dataset(table(0, 400), path, max_rows_per_file=200)
    for first, n in appends:
        ixray.write_dataset(table(first, n), path, mode="append")
    return ixray.dataset(path)


APPENDS = [(400, 50), (450, 30), (480, 1)]


def nearest(ds, seed, fast_search=False):
    q = np.random.default_rng(100 + seed).standard_normal(DIM).astype(np.float32) * 3
    return ds.to_table(nearest={"column": "vector", "q": q, "k": 15, "nprobes": 3},
                       columns=["id"], fast_search=fast_search)


def hits(t, score):
    return list(zip(t.column("id").to_pylist(), t.column(score).to_pylist()))


def segments(ds, name):
    return {i["name"]: i for i in ds.describe_indices()}[name]["segments"]


def fragment_ids(ds):
    return [f.fragment_id for f in ds.get_fragments()]


def test_delta_segments_then_merge_equal_one_build(tmp_path):
    ds = write(tmp_path / "a", [])
    ds.create_index("vector", name="v", **model())
    ds.create_scalar_index("text", "INVERTED", name="fts")
    ds.create_scalar_index("group", "BITMAP", name="g")
    for first, n in APPENDS:
        ixray.write_dataset(table(first, n), tmp_path / "a", mode="append")
        ds = ds.checkout_latest()
        new_fragment = fragment_ids(ds)[-1]
        ds.optimize_indices(num_indices_to_merge=0)
        for name in ("v", "fts", "g"):
            assert segments(ds, name)[-1]["fragment_ids"] == [new_fragment]
    assert [len(segments(ds, n)) for n in ("v", "fts", "g")] == [4, 4, 4]

    ref = write(tmp_path / "b", APPENDS)
    ref.create_index("vector", name="v", **model())
    ref.create_scalar_index("text", "INVERTED", name="fts")
    ref.create_scalar_index("group", "BITMAP", name="g")

    def same(exact):
        for seed in range(3):
            for fast in (False, True):
                a = nearest(ds, seed, fast)
                b = nearest(ref, seed, fast)
                assert a.column("id").to_pylist() == b.column("id").to_pylist()
                if exact:
                    assert a.column("_distance").to_pylist() == b.column("_distance").to_pylist()
                else:  # partitions split over segments: kernels may round differently
                    np.testing.assert_allclose(a.column("_distance").to_numpy(),
                                               b.column("_distance").to_numpy(), rtol=1e-5)
        for query in ("apple", "river stone", "lazy dog fox"):
            for fast in (False, True):
                a = ds.to_table(full_text_query=query, columns=["id"], fast_search=fast)
                b = ref.to_table(full_text_query=query, columns=["id"], fast_search=fast)
                assert hits(a, "_score") == hits(b, "_score")
        assert ds.count_rows("group = 3") == ref.count_rows("group = 3")

    same(exact=False)
    # The last appended row is found through the index alone.
    q = table(480, 1).column("vector")[0].values.to_numpy()
    got = ds.to_table(nearest={"column": "vector", "q": q, "k": 1, "nprobes": 6}, columns=["id"],
                      filter="id >= 480", prefilter=True, fast_search=True)
    assert got.column("id").to_pylist() == [480]

    ds.optimize_indices(num_indices_to_merge=4)
    for name in ("v", "fts", "g"):
        (seg,) = segments(ds, name)
        assert seg["fragment_ids"] == fragment_ids(ds)
        assert seg["num_rows"] == 481
    same(exact=True)


def test_merge_drops_deleted_rows(tmp_path):
    ds = write(tmp_path / "a", [(400, 50)])
    ds.create_scalar_index("id", "BTREE", name="ids", fragment_ids=[0, 1])
    ds.optimize_indices(num_indices_to_merge=0)
    assert len(segments(ds, "ids")) == 2
    ds.delete("id < 10 OR id >= 440")
    ds.optimize_indices(num_indices_to_merge=2)
    (seg,) = segments(ds, "ids")
    assert seg["num_rows"] == 430
    assert ds.count_rows("id < 20") == 10
    assert ds.count_rows("id >= 430") == 10


def test_nothing_to_do_and_retrain(tmp_path):
    ds = write(tmp_path / "a", [])
    ds.create_index("vector", "IVF_FLAT", name="v", num_partitions=4)
    version = ds.version
    ds.optimize_indices()
    assert ds.version == version
    ixray.write_dataset(table(400, 40), tmp_path / "a", mode="append")
    ds = ds.checkout_latest()
    old = {s["uuid"] for s in segments(ds, "v")}
    ds.optimize_indices(retrain=True)
    (seg,) = segments(ds, "v")
    assert seg["uuid"] not in old and seg["fragment_ids"] == fragment_ids(ds)
    assert nearest(ds, 0, fast_search=True).num_rows == 15


def test_empty_index_is_filled(tmp_path):
    ds = write(tmp_path / "a", [])
    ds.create_index("vector", "IVF_SQ", name="v", num_partitions=4, train=False)
    ds.create_scalar_index("text", "INVERTED", name="fts", train=False)
    assert segments(ds, "v") == [] and segments(ds, "fts") == []
    ds.optimize_indices(num_indices_to_merge=0)
    for name in ("v", "fts"):
        (seg,) = segments(ds, name)
        assert seg["fragment_ids"] == fragment_ids(ds)


def test_merge_by_size_bounds_the_segment_count(tmp_path):
    ds = write(tmp_path / "a", [])
    ds.create_scalar_index("id", "BTREE", name="ids")
    rows, most = 400, 0
    for _ in range(12):
        ixray.write_dataset(table(rows, 10), ds.uri, mode="append")
        rows += 10
        ds = ixray.dataset(ds.uri)
        ds.optimize_indices(num_indices_to_merge="auto")
        segs = segments(ds, "ids")
        most = max(most, len(segs))
        assert ds.count_rows(f"id >= {rows - 15}") == 15
    assert 2 <= most <= 6


def test_errors(tmp_path):
    ds = write(tmp_path / "a", [])
    ds.create_scalar_index("id", "BTREE", name="ids")
    with pytest.raises(ValueError, match="nope"):
        ds.optimize_indices(indices=["nope"])
    with pytest.raises(ValueError):
        ds.optimize_indices(num_indices_to_merge=-1)
    with pytest.raises(TypeError):
        ds.optimize_indices(num_indices_to_merge="most")
    with pytest.raises(ValueError, match="nope"):
        lr.optimize_indices(str(tmp_path / "a"), indices=["nope"], executor="local")
    with pytest.raises(TypeError):
        lr.optimize_indices(str(tmp_path / "a"), executor="local", bogus=1)


def test_distributed_local_and_ray_match_single_process(tmp_path):
    ray = pytest.importorskip("ray")
    paths = [str(tmp_path / n) for n in ("local", "ray", "single")]
    for p in paths:
        ds = write(p, [])
        ds.create_index("vector", name="v", **model())
        ds.create_scalar_index("text", "INVERTED", name="fts")
        ixray.write_dataset(table(400, 60), p, mode="append")
    before = ixray.dataset(paths[0]).version
    got_local = lr.optimize_indices(paths[0], num_indices_to_merge=0, executor="local")
    assert got_local.version == before + 1
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    try:
        got_ray = lr.optimize_indices(uri=paths[1], indices=["v", "fts"],
                                      num_indices_to_merge=0, executor="ray")
    finally:
        ray.shutdown()
    single = ixray.dataset(paths[2])
    single.optimize_indices(num_indices_to_merge=0)
    for ds in (got_local, got_ray):
        assert [len(segments(ds, n)) for n in ("v", "fts")] == [2, 2]
        for seed in range(2):
            assert hits(nearest(ds, seed, True), "_distance") == \
                hits(nearest(single, seed, True), "_distance")
        a = ds.to_table(full_text_query="apple", columns=["id"], fast_search=True)
        b = single.to_table(full_text_query="apple", columns=["id"], fast_search=True)
        assert hits(a, "_score") == hits(b, "_score")
    # Nothing left to do: the same version comes back.
    again = lr.optimize_indices(paths[0], executor="local")
    assert again.version == got_local.version


def test_cli_optimize(tmp_path):
    path = str(tmp_path / "a")
    ds = write(path, [])
    ds.create_scalar_index("id", "BTREE", name="ids")
    ixray.write_dataset(table(400, 5), path, mode="append")
    out = subprocess.run([sys.executable, "-m", "ixray", "optimize", path, "--index", "ids",
                          "--num-indices-to-merge", "0", "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "building 'ids' (1 fragment)" in out.stderr
    result = json.loads(out.stdout)
    assert result["optimized"] == ["ids"]
    (index,) = result["indices"]
    assert [s["fragment_ids"] for s in index["segments"]] == [[0, 1], [2]]
    bad = subprocess.run([sys.executable, "-m", "ixray", "optimize", path, "--index", "nope"],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "nope" in bad.stderr
