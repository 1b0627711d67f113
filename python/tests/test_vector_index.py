"""Vector indices: recall against brute force, two-phase builds, filters, deletes, errors."""

import numpy as np
import pyarrow as pa
import pytest

import ixray

DIM = 32


def clustered(n, dim=DIM, clusters=64, seed=0):
    """Low intrinsic dimension: points near a few random centers."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((clusters, dim)).astype(np.float32) * 4
    labels = rng.integers(0, clusters, n)
    return (centers[labels] + rng.standard_normal((n, dim)).astype(np.float32)).astype(np.float32)


def brute_force(data, q, k, metric):
    if metric == "l2":
        d = ((data - q) ** 2).sum(1)
    elif metric == "cosine":
        dn = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-30)
        d = 1 - dn @ (q / np.linalg.norm(q))
    elif metric == "dot":
        d = 1 - data @ q
    order = np.argsort(d, kind="stable")[:k]
    return order, d[order]


@pytest.fixture(scope="module")
def vectors():
    return clustered(6000)


@pytest.fixture()
def dataset(tmp_path, vectors):
    table = pa.table({"id": np.arange(len(vectors)), "category": np.arange(len(vectors)) % 10,
                      "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), DIM)})
    return ixray.write_dataset(table, tmp_path / "ds", max_rows_per_file=1500)


def recall(ds, vectors, metric, queries=30, k=10, **nearest):
    rng = np.random.default_rng(1)
    hits = 0
    for qi in rng.integers(0, len(vectors), queries):
        q = vectors[qi] + rng.standard_normal(DIM).astype(np.float32) * 0.1
        truth, _ = brute_force(vectors, q, k, metric)
        got = ds.to_table(nearest={"column": "vector", "q": q, "k": k, **nearest}, columns=["id"])
        hits += len(set(got.column("id").to_pylist()) & set(truth.tolist()))
    return hits / (queries * k)


@pytest.mark.parametrize("metric", ["l2", "cosine", "dot"])
def test_flat_search_without_index_is_exact(dataset, vectors, metric):
    q = vectors[5] + 0.05
    truth, dist = brute_force(vectors, q, 10, metric)
    got = dataset.to_table(nearest={"column": "vector", "q": q, "k": 10, "metric": metric})
    assert got.column("id").to_pylist() == truth.tolist()
    np.testing.assert_allclose(got.column("_distance").to_numpy(), dist, rtol=1e-4, atol=1e-4)
    assert got.schema.field("_distance").type == pa.float32()


@pytest.mark.parametrize("index_type,metric", [("IVF_FLAT", "l2"), ("IVF_FLAT", "cosine"),
                                               ("IVF_FLAT", "dot"), ("IVF_SQ", "l2"),
                                               ("IVF_SQ", "cosine")])
def test_ivf_recall(dataset, vectors, index_type, metric):
    dataset.create_index("vector", index_type, metric=metric, num_partitions=16)
    assert recall(dataset, vectors, metric, nprobes=6, refine_factor=5) >= 0.95


@pytest.mark.parametrize("metric", ["l2", "cosine", "dot"])
def test_ivf_pq_recall_with_refine(dataset, vectors, metric):
    dataset.create_index("vector", "IVF_PQ", metric=metric, num_partitions=16, num_sub_vectors=8)
    assert recall(dataset, vectors, metric, nprobes=8, refine_factor=10) >= 0.95


def test_one_segment_equals_four_segments_with_the_same_model(tmp_path, vectors):
    table = pa.table({"id": np.arange(len(vectors)),
                      "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), DIM)})
    one = ixray.write_dataset(table, tmp_path / "one", max_rows_per_file=1500)
    four = ixray.write_dataset(table, tmp_path / "four", max_rows_per_file=1500)
    model = ixray._core.train_vector_index(one._ds, "vector", "IVF_PQ",
                                          {"num_partitions": 8, "num_sub_vectors": 8})
    seg = ixray._core.execute_uncommitted(one._ds, "vector", model, [])
    one._ds = ixray._core.commit_index(one._ds, "vector_idx", "vector", [seg], True)
    segs = [ixray._core.execute_uncommitted(four._ds, "vector", model, [f]) for f in range(4)]
    four._ds = ixray._core.commit_index(four._ds, "vector_idx", "vector", segs, True)
    assert len(four.describe_indices()[0]["segments"]) == 4
    for qi in (0, 100, 2000):
        nearest = {"column": "vector", "q": vectors[qi], "k": 10, "nprobes": 3}
        a, b = one.to_table(nearest=nearest), four.to_table(nearest=nearest)
        assert a.column("id").to_pylist() == b.column("id").to_pylist()
        np.testing.assert_array_equal(a.column("_distance").to_numpy(), b.column("_distance").to_numpy())


def test_prefilter_returns_exactly_the_filtered_top_k(dataset, vectors):
    dataset.create_index("vector", "IVF_PQ", num_partitions=16, num_sub_vectors=8)
    q = vectors[42]
    mask = np.arange(len(vectors)) % 10 == 3
    truth, _ = brute_force(vectors[mask], q, 10, "l2")
    expected = np.arange(len(vectors))[mask][truth]
    got = dataset.to_table(nearest={"column": "vector", "q": q, "k": 10, "nprobes": 16,
                                    "refine_factor": 50},
                           filter="category = 3", prefilter=True)
    assert got.column("id").to_pylist() == expected.tolist()
    # Postfilter filters the top-k afterwards: only matching rows, at most k.
    post = dataset.to_table(nearest={"column": "vector", "q": q, "k": 10}, filter="category = 3")
    assert set(post.column("category").to_pylist()) <= {3}


def test_deleted_rows_never_appear_and_unindexed_rows_are_found(dataset, vectors):
    dataset.create_index("vector", "IVF_FLAT", num_partitions=8)
    dataset.delete("id < 3000")
    got = dataset.to_table(nearest={"column": "vector", "q": vectors[10], "k": 50, "nprobes": 8})
    assert min(got.column("id").to_pylist()) >= 3000
    extra = clustered(10, seed=9) + 100  # far from everything else
    ds = ixray.write_dataset(pa.table({"id": np.arange(10_000, 10_010), "category": np.zeros(10, np.int64),
                                       "vector": pa.FixedSizeListArray.from_arrays(pa.array(extra.reshape(-1)), DIM)}),
                             dataset.uri, mode="append")
    got = ds.to_table(nearest={"column": "vector", "q": extra[3], "k": 1})
    assert got.column("id").to_pylist() == [10_003]
    fast = ds.to_table(nearest={"column": "vector", "q": extra[3], "k": 1}, fast_search=True)
    assert fast.column("id").to_pylist() != [10_003]


@pytest.mark.parametrize("index_type", ["IVF_FLAT", "IVF_HNSW_FLAT"])
def test_whole_fragments_deleted_after_indexing_never_appear(dataset, vectors, index_type):
    # Fragments of 1,500 rows: deleting ids < 3,000 drops two whole fragments
    # the index segment still covers; ids 3,000..3,009 are partly deleted.
    dataset.create_index("vector", index_type, num_partitions=4)
    q = vectors[10]
    before = dataset.to_table(nearest={"column": "vector", "q": q, "k": 20, "nprobes": 4})
    assert min(before.column("id").to_pylist()) < 3000
    dataset.delete("id < 3000 or (id >= 3000 and id < 3010)")
    assert dataset.count_rows() == 6000 - 3010
    got = dataset.to_table(nearest={"column": "vector", "q": q, "k": 20, "nprobes": 4})
    assert len(got) == 20
    assert min(got.column("id").to_pylist()) >= 3010
    live = np.arange(3010, 6000)
    if index_type == "IVF_FLAT":  # exact within the probed partitions, all probed here
        expected, _ = brute_force(vectors[live], q, 20, "l2")
        assert got.column("id").to_pylist() == (live[expected]).tolist()


def test_bad_input(dataset, vectors):
    with pytest.raises(ValueError, match="dimension|values"):
        dataset.to_table(nearest={"column": "vector", "q": vectors[0][:5], "k": 3})
    with pytest.raises(ValueError):
        dataset.create_index("vector", "IVF_NOPE")
    with pytest.raises(ValueError):
        dataset.create_index("vector", "IVF_FLAT", metric="manhattan")
    with pytest.raises(TypeError):
        dataset.create_index("id", "IVF_FLAT")
    with pytest.raises(ValueError):
        dataset.create_index("vector", "IVF_PQ", num_sub_vectors=5)
    with pytest.raises(ValueError):
        dataset.create_index("vector", "IVF_FLAT", ivf_centroids=np.zeros((4, DIM + 1), np.float32))
    bad = vectors[:10].copy()
    bad[3, 0] = np.nan
    ds = ixray.write_dataset({"vector": bad}, dataset.uri + "-nan")
    with pytest.raises(ValueError, match="non-finite"):
        ds.create_index("vector", "IVF_FLAT", num_partitions=2)
    dataset.create_index("vector", "IVF_FLAT", num_partitions=4, name="v")
    with pytest.raises(ValueError, match="exists"):
        dataset.create_index("vector", "IVF_FLAT", num_partitions=4, name="v", replace=False)


def test_user_supplied_centroids_are_used(dataset, vectors):
    centroids = vectors[:8].copy()
    dataset.create_index("vector", "IVF_FLAT", ivf_centroids=centroids)
    info = dataset.describe_indices()
    assert info[0]["index_type"] == "IVF_FLAT"
    assert sum(s["num_rows"] for s in info[0]["segments"]) == len(vectors)


@pytest.mark.parametrize("index_type", ["IVF_HNSW_FLAT", "IVF_HNSW_SQ", "IVF_HNSW_PQ"])
@pytest.mark.parametrize("metric", ["l2", "dot"])
def test_ivf_hnsw_recall(dataset, vectors, index_type, metric):
    dataset.create_index("vector", index_type, metric=metric, num_partitions=8, num_sub_vectors=8,
                         m=16, ef_construction=100)
    assert recall(dataset, vectors, metric, nprobes=4, ef=64, refine_factor=10) >= 0.95


def test_hnsw_prefilter_keeps_k(dataset, vectors):
    dataset.create_index("vector", "IVF_HNSW_FLAT", num_partitions=4)
    got = dataset.to_table(nearest={"column": "vector", "q": vectors[7], "k": 5, "nprobes": 4},
                           filter="category = 7", prefilter=True)
    assert got.num_rows == 5
    assert set(got.column("category").to_pylist()) == {7}


def test_empty_index_then_flat_search(tmp_path, vectors):
    ds = ixray.write_dataset({"vector": vectors[:100]}, tmp_path / "e")
    ds.create_index("vector", "IVF_PQ", train=False)
    [info] = ds.describe_indices()
    assert info["segments"] == [] and info["index_type"] == "IVF_PQ"
    got = ds.to_table(nearest={"column": "vector", "q": vectors[17], "k": 1})
    assert got.column("_distance").to_pylist() == [0.0]
    empty = ixray.write_dataset({"vector": np.zeros((0, DIM), np.float32)}, tmp_path / "z")
    empty.create_index("vector", "IVF_FLAT")
    assert empty.describe_indices()[0]["segments"] == []


def test_float16_vectors_and_hamming(tmp_path):
    rng = np.random.default_rng(3)
    half = clustered(3000, seed=4).astype(np.float16)
    ds = ixray.write_dataset({"id": np.arange(3000), "vector": half}, tmp_path / "h")
    ds.create_index("vector", "IVF_FLAT", num_partitions=8)
    q = half[11].astype(np.float32)
    truth, _ = brute_force(half.astype(np.float32), q, 10, "l2")
    got = ds.to_table(nearest={"column": "vector", "q": q, "k": 10, "nprobes": 8})
    assert got.column("id").to_pylist() == truth.tolist()

    bits = rng.integers(0, 256, (2000, 16), dtype=np.uint8)
    ds = ixray.write_dataset({"id": np.arange(2000), "vector": bits}, tmp_path / "b")
    q = bits[5]
    hamming = np.unpackbits(bits ^ q, axis=1).sum(1)
    flat = ds.to_table(nearest={"column": "vector", "q": q, "k": 10, "metric": "hamming"})
    np.testing.assert_array_equal(flat.column("_distance").to_numpy(), np.sort(hamming)[:10])
    assert flat.column("id").to_pylist()[0] == 5
    ds.create_index("vector", "IVF_FLAT", metric="hamming", num_partitions=4)
    indexed = ds.to_table(nearest={"column": "vector", "q": q, "k": 10, "nprobes": 4})
    np.testing.assert_array_equal(indexed.column("_distance").to_numpy(), np.sort(hamming)[:10])
    with pytest.raises(ValueError):
        ds.create_index("vector", "IVF_PQ", metric="hamming")
