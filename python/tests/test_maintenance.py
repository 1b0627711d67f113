"""compact_files and cleanup_old_versions: same answers from every index after compaction,
deleted rows stay deleted, old versions readable until cleaned up, then gone from disk."""

import datetime
import json
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

import ixray

DIM = 8
WORDS = ["fox", "river", "stone", "green", "hills", "music", "dog", "quick", "brown", "lazy"]


def make_table(start, n, seed):
    rng = np.random.default_rng(seed)
    ids = np.arange(start, start + n)
    centers = rng.normal(0, 3, (5, DIM)).astype(np.float32)
    vecs = centers[ids % 5] + rng.normal(0, 0.3, (n, DIM)).astype(np.float32)
    text = [" ".join(rng.choice(WORDS, rng.integers(1, 6))) for _ in range(n)]
    return pa.table({
        "id": pa.array(ids, pa.int64()),
        "group": pa.array(ids % 7, pa.int32()),
        "text": pa.array(text),
        "vec": pa.FixedSizeListArray.from_arrays(pa.array(vecs.ravel(), pa.float32()), DIM),
    })


QUERY = np.linspace(-2, 2, DIM).astype(np.float32)
FILTERS = ["id >= 100 AND id < 300", "group = 3", "group IN (1, 2) AND id < 250"]


def answers(ds):
    out = {"all": sorted(ds.to_table(columns=["id"])["id"].to_pylist())}
    for f in FILTERS:
        out[f] = sorted(ds.to_table(columns=["id"], filter=f)["id"].to_pylist())
    fts = ds.to_table(columns=["id"], full_text_query="fox river")
    # (equal scores rank by row address, which compaction changes)
    out["fts"] = sorted(zip(fts["id"].to_pylist(), fts["_score"].to_pylist()))
    nn = ds.to_table(columns=["id"], nearest={"column": "vec", "q": QUERY, "k": 12})
    out["nearest"] = list(zip(nn["id"].to_pylist(), nn["_distance"].to_pylist()))
    return out


@pytest.fixture()
def indexed(tmp_path):
    ds = ixray.write_dataset(make_table(0, 480, 1), tmp_path / "ds", max_rows_per_file=60)
    ds.create_scalar_index("id", "BTREE")
    ds.create_scalar_index("group", "BITMAP")
    ds.create_scalar_index("text", "INVERTED")
    ds.create_index("vec", "IVF_FLAT", num_partitions=4)
    return ds


def test_compaction_keeps_every_answer(indexed):
    ds = indexed
    before = answers(ds)
    assert before["fts"] and len(before["nearest"]) == 12
    old_version = ds.version
    stats = ds.compact_files(target_rows_per_fragment=200)
    assert stats["fragments_removed"] == 8
    assert stats["fragments_added"] == 3
    assert stats["files_added"] == 3 and stats["files_removed"] == 8
    assert len(ds.get_fragments()) == 3
    assert answers(ds) == before
    # Every index covers every fragment after the compaction.
    fragments = sorted(f.fragment_id for f in ds.get_fragments())
    for index in ds.describe_indices():
        covered = sorted(f for s in index["segments"] for f in s["fragment_ids"])
        assert covered == fragments, index["name"]
    # Time travel still works, with the indices of the time.
    assert answers(ds.checkout_version(old_version)) == before
    # A fresh open sees the same.
    assert answers(ixray.dataset(ds.uri)) == before


def test_deleted_rows_do_not_come_back(indexed):
    ds = indexed
    ds.delete("id IN (17, " + ", ".join(str(i) for i in range(3, 480, 10)) + ")")
    before = answers(ds)
    stats = ds.compact_files(target_rows_per_fragment=1000)
    assert stats["fragments_added"] == 1
    after = answers(ds)
    for key in ["all", "nearest", *FILTERS]:
        assert after[key] == before[key], key
    # BM25 statistics lose the dropped rows; the matching rows stay.
    assert sorted(i for i, _ in after["fts"]) == sorted(i for i, _ in before["fts"])
    assert ds.count_rows() == 480 - 49
    assert ds.count_rows("id = 17 OR id = 23") == 0
    assert all(f.count_rows() == 60 * 8 - 49 for f in ds.get_fragments())


def test_without_remap_rows_are_scanned(indexed):
    ds = indexed
    before = answers(ds)
    ds.compact_files(target_rows_per_fragment=1000, remap_indices=False)
    after = answers(ds)
    for key in ["all", *FILTERS]:
        assert after[key] == before[key], key
    # IVF_FLAT and the flat search agree up to rounding.
    assert [i for i, _ in after["nearest"]] == [i for i, _ in before["nearest"]]
    assert np.allclose([d for _, d in after["nearest"]], [d for _, d in before["nearest"]],
                       rtol=1e-5)
    # (BM25 statistics still count the old segment's rows until re-indexed.)
    assert sorted(i for i, _ in after["fts"]) == sorted(i for i, _ in before["fts"])
    for index in ds.describe_indices():
        assert all(not s["fragment_ids"] for s in index["segments"])


def files_under(path):
    return {os.path.relpath(os.path.join(d, f), path) for d, _, fs in os.walk(path) for f in fs}


def test_cleanup_keeps_retained_versions_whole(indexed):
    ds = indexed
    ds.delete("id < 30")
    ds.compact_files(target_rows_per_fragment=1000)
    ds.delete("id = 100")
    contents = {v["version"]: ds.checkout_version(v["version"]).to_table()
                for v in ds.versions()}
    newest = sorted(contents)[-2:]
    stats = ds.cleanup_old_versions(keep_last=2)
    assert stats["removed_manifests"] == len(contents) - 2
    assert stats["removed_data_files"] == 8
    assert stats["removed_deletion_files"] == 1
    assert stats["removed_index_segments"] >= 4 and stats["bytes_removed"] > 0
    assert [v["version"] for v in ds.versions()] == newest
    for v in newest:
        assert ds.checkout_version(v).to_table().equals(contents[v])
    for v in set(contents) - set(newest):
        with pytest.raises(FileNotFoundError):
            ds.checkout_version(v)
    # Only what the latest version uses is left (the two retained ones share it).
    files = files_under(ds.uri)
    data = {f for f in files if f.startswith("data/")}
    assert len(data) == len(ds.get_fragments())
    segments = {f.split("/")[1] for f in files if f.startswith("_indices/")}
    assert segments == {s["uuid"] for i in ds.describe_indices() for s in i["segments"]}
    assert len([f for f in files if f.startswith("_deletions/")]) == 1
    assert answers(ds)["all"] == sorted(contents[newest[-1]]["id"].to_pylist())


def test_cleanup_by_age(tmp_path):
    ds = ixray.write_dataset(make_table(0, 100, 2), tmp_path / "ds", max_rows_per_file=50)
    ds.delete("id < 10")
    ds.compact_files(target_rows_per_fragment=1000)
    stats = ds.cleanup_old_versions(older_than=datetime.timedelta(hours=1))
    assert stats["removed_manifests"] == 0
    assert len(ds.versions()) == 3
    stats = ds.cleanup_old_versions(older_than=datetime.timedelta(0))
    assert stats["removed_manifests"] == 2
    assert stats["removed_data_files"] == 2 and stats["removed_deletion_files"] == 1
    assert ds.to_table()["id"].to_pylist() == list(range(10, 100))
    with pytest.raises(TypeError):
        ds.cleanup_old_versions(older_than=5)
    with pytest.raises(ValueError):
        ds.cleanup_old_versions(keep_last=0)
    with pytest.raises(ValueError):
        ds.compact_files(target_rows_per_fragment=0)


def run(*args):
    return subprocess.run([sys.executable, "-m", "ixray", *args], capture_output=True, text=True)


def test_cli_compact_and_cleanup(tmp_path):
    uri = str(tmp_path / "ds")
    ds = ixray.write_dataset(make_table(0, 100, 3), uri, max_rows_per_file=10)
    ds.create_scalar_index("id", "BTREE")
    out = run("compact", uri, "--target-rows", "50", "--json")
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    assert stats["fragments_removed"] == 10 and stats["fragments_added"] == 2
    assert stats["segments_rewritten"] == 1
    out = run("cleanup", uri, "--keep-last", "1", "--json")
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    assert stats["removed_manifests"] == 3 and stats["removed_data_files"] == 10
    out = run("compact", uri, "--target-rows", "50")
    assert out.returncode == 0 and "nothing to compact" in out.stdout
    out = run("cleanup", uri, "--keep-last", "0")
    assert out.returncode != 0
    ds = ixray.dataset(uri)
    assert ds.count_rows("id >= 40 AND id < 60") == 20
    assert len(ds.versions()) == 1
