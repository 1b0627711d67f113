"""ixray.distributed on a real local Ray (and the built-in executor): the
seed's examples, Ray == local == single-process search, errors, faults."""

import os

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"

import numpy as np
import pyarrow as pa
import pytest

import ixray
import ixray.distributed as lr

ray = pytest.importorskip("ray")

DIM = 16
ROWS = 3000


def vectors(n, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((24, DIM)).astype(np.float32) * 3
    labels = rng.integers(0, len(centers), n)
    return (centers[labels] + rng.standard_normal((n, DIM))).astype(np.float32)


def table(first, n, seed):
    v = vectors(n, seed)
    return pa.table({"id": np.arange(first, first + n), "text": [f"row {i}" for i in
                                                                range(first, first + n)],
                     "vector": pa.FixedSizeListArray.from_arrays(pa.array(v.reshape(-1)), DIM)})


@pytest.fixture(scope="module", autouse=True)
def ray_cluster():
    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    yield
    lr.clear_global_pool(close=True)
    ray.shutdown()


@pytest.fixture()
def uri(tmp_path):
    path = str(tmp_path / "ds")
    ixray.write_dataset(table(0, ROWS, 1), path, max_rows_per_file=500)  # 6 fragments
    return path


def index_dirs(path):
    d = os.path.join(path, "_indices")
    return set(os.listdir(d)) if os.path.isdir(d) else set()


def query(seed):
    return vectors(1, 100 + seed)[0]


def assert_same(a, b):
    assert a.column("id").to_pylist() == b.column("id").to_pylist()
    assert a.column("_distance").to_pylist() == b.column("_distance").to_pylist()


def test_seed_vector_examples_run(uri):
    ds = lr.create_index(uri=uri, column="vector", index_type="IVF_PQ", name="idx_ivf_pq",
                         num_workers=4, num_partitions=8, num_sub_vectors=4, sample_rate=64,
                         metric="l2")
    info = {i["name"]: i for i in ds.describe_indices()}
    assert len(info["idx_ivf_pq"]["segments"]) == 4
    lr.create_index(uri=uri, column="vector", index_type="IVF_SQ", name="idx_ivf_sq",
                    num_workers=4, num_partitions=8)
    ds = lr.create_index(uri=uri, column="vector", index_type="IVF_FLAT", name="idx_ivf_flat",
                         num_workers=4, num_partitions=8)
    assert {"idx_ivf_pq", "idx_ivf_sq", "idx_ivf_flat"} <= {i["name"]
                                                             for i in ds.describe_indices()}
    results = lr.vector_search(uri=uri, nearest={"column": "vector", "q": query(0), "k": 10,
                                                 "minimum_nprobes": 20},
                               index_name="idx_ivf_flat", columns=["id", "vector"],
                               num_workers=8, oversample_factor=2, fast_search=False)
    assert results.num_rows == 10
    assert results.column_names == ["id", "vector", "_distance"]
    d = results.column("_distance").to_pylist()
    assert d == sorted(d)
    plan = lr.vector_search(uri=uri, nearest={"column": "vector", "q": query(0), "k": 10},
                            index_name="idx_ivf_flat", analyze_plan=True)
    assert isinstance(plan, str) and "shard 0: indexed" in plan and "shard 3" in plan


@pytest.mark.parametrize("metric", ["l2", "cosine", "dot"])
def test_search_matches_single_process_and_local_executor(uri, metric):
    ds = lr.create_index(uri, "vector", "IVF_FLAT", num_workers=3, num_partitions=6,
                         metric=metric, executor="ray")
    assert len(ds.describe_indices()[0]["segments"]) == 3
    ixray.write_dataset(table(ROWS, 400, 2), uri, mode="append", max_rows_per_file=200)
    ds = ixray.dataset(uri)  # 2 unindexed fragments
    appended = vectors(400, 2)[5]  # the vector of row ROWS + 5, not indexed
    for seed, q in enumerate([appended, query(1), query(2)]):
        nearest = {"column": "vector", "q": q, "k": 12}
        for fast in (False, True):
            want = ds.to_table(nearest=nearest, columns=["id"], fast_search=fast)
            got_ray = lr.vector_search(ds, nearest=nearest, columns=["id"], fast_search=fast,
                                       executor="ray", num_workers=2)
            got_local = lr.vector_search(ds, nearest=nearest, columns=["id"], fast_search=fast,
                                         executor="local", num_workers=2)
            assert_same(got_ray, want)
            assert_same(got_local, want)
            ids = want.column("id").to_pylist()
            if fast:
                assert all(i < ROWS for i in ids)
            elif seed == 0 and metric != "dot":
                assert ids[0] == ROWS + 5  # found in an unindexed fragment
        unindexed_excluded = lr.vector_search(ds, nearest=nearest, include_unindexed=False,
                                              columns=["id"])
        assert all(i < ROWS for i in unindexed_excluded.column("id").to_pylist())


def test_ray_and_local_builds_give_the_same_index(tmp_path):
    paths = []
    for name in ("a", "b"):
        path = str(tmp_path / name)
        ixray.write_dataset(table(0, 1500, 3), path, max_rows_per_file=300)
        paths.append(path)
    a = lr.create_index(paths[0], "vector", "IVF_PQ", num_partitions=4, num_sub_vectors=4,
                        num_workers=3, executor="ray", sample_rate=32)
    b = lr.create_index(paths[1], "vector", "IVF_PQ", num_partitions=4, num_sub_vectors=4,
                        num_workers=3, executor="local", sample_rate=32)
    frag = lambda ds: [s["fragment_ids"] for s in ds.describe_indices()[0]["segments"]]
    assert frag(a) == frag(b)
    nearest = {"column": "vector", "q": query(5), "k": 20, "nprobes": 2}
    assert_same(a.to_table(nearest=nearest, columns=["id"]),
                b.to_table(nearest=nearest, columns=["id"]))


def test_filters_and_row_ids(uri):
    lr.create_index(uri, "vector", "IVF_FLAT", num_partitions=4, num_workers=2)
    ds = ixray.dataset(uri)
    nearest = {"column": "vector", "q": query(7), "k": 10}
    for prefilter in (False, True):
        want = ds.to_table(nearest=nearest, filter="id >= 500 AND id < 2200", prefilter=prefilter,
                           with_row_id=True, columns=["id"])
        got = lr.vector_search(uri, nearest=nearest, filter="id >= 500 AND id < 2200", columns=["id"],
                               scanner_options={"prefilter": prefilter, "with_row_id": True})
        assert got.column("_rowid").to_pylist() == want.column("_rowid").to_pylist()
        assert got.column("_distance").to_pylist() == want.column("_distance").to_pylist()


def test_errors(uri):
    lr.create_index(uri, "vector", "IVF_FLAT", name="v", num_partitions=4, num_workers=2,
                    executor="local")
    with pytest.raises(ValueError, match="already exists"):
        lr.create_index(uri, "vector", "IVF_FLAT", name="v", replace=False, num_partitions=4,
                        executor="local")
    nearest = {"column": "vector", "q": query(0), "k": 5}
    with pytest.raises(ValueError, match="no index named"):
        lr.vector_search(uri, nearest=nearest, index_name="missing", executor="local")
    with pytest.raises(ValueError, match="oversample_factor"):
        lr.vector_search(uri, nearest=nearest, oversample_factor=0.5, executor="local")
    for key in ("nearest", "filter", "columns", "fragments", "limit"):
        with pytest.raises(ValueError, match="manages"):
            lr.vector_search(uri, nearest=nearest, scanner_options={key: None},
                             executor="local")
    with pytest.raises(ValueError):
        lr.vector_search(uri, nearest=nearest, executor="spark")
    with pytest.raises(ValueError, match="no index named"):
        lr.optimize_indices(uri, indices=["missing"], executor="local")
    with pytest.raises(ValueError):
        lr.vector_search(nearest=nearest)  # neither uri nor namespace


def test_namespace_dir(tmp_path):
    root = tmp_path / "root"
    ixray.write_dataset(table(0, 600, 4), str(root / "db" / "items"), max_rows_per_file=200)
    props = {"root": str(root)}
    ds = lr.create_index(column="vector", index_type="IVF_FLAT", namespace_impl="dir",
                         namespace_properties=props, table_id=["db", "items"],
                         num_partitions=2, executor="local")
    assert ds.describe_indices()[0]["name"] == "vector_idx"
    got = lr.vector_search(nearest={"column": "vector", "q": query(1), "k": 3},
                           namespace_impl="dir", namespace_properties=props,
                           table_id=["db", "items"], executor="local")
    assert got.num_rows == 3
    for bad in (["..", "x"], ["db", "..", ".."], ["/etc"], []):
        with pytest.raises(ValueError):
            lr.vector_search(nearest={"column": "vector", "q": query(1), "k": 3},
                             namespace_impl="dir", namespace_properties=props, table_id=bad)


def test_user_centroids_are_honoured(uri):
    centroids = vectors(5, 9)
    ds = lr.create_index(uri, "vector", "IVF_FLAT", ivf_centroids=centroids, num_workers=2,
                         executor="ray")
    assert len(ds.describe_indices()[0]["segments"]) == 2
    # The same centroids locally give the same search results.
    other = ixray.dataset(uri).checkout_version(1)
    nearest = {"column": "vector", "q": query(3), "k": 10, "nprobes": 1}
    path2 = uri + "2"
    ixray.write_dataset(other.to_table(), path2, max_rows_per_file=500)
    local = ixray.dataset(path2).create_index("vector", "IVF_FLAT", ivf_centroids=centroids)
    assert_same(ds.to_table(nearest=nearest, columns=["id"]),
                local.to_table(nearest=nearest, columns=["id"]))


def test_failed_task_is_retried(uri, tmp_path):
    marker = str(tmp_path / "fault-marker")
    env = {"IXRAY_DISTRIBUTED_FAULT": f"build:1:once:{marker}", "RAY_USAGE_STATS_ENABLED": "0"}
    ds = lr.create_index(uri, "vector", "IVF_FLAT", num_partitions=4, num_workers=3,
                         executor="ray", ray_remote_args={"runtime_env": {"env_vars": env}})
    assert os.path.exists(marker)  # the first attempt did fail
    segments = ds.describe_indices()[0]["segments"]
    assert len(segments) == 3
    assert index_dirs(uri) == {s["uuid"] for s in segments}
    nearest = {"column": "vector", "q": query(2), "k": 10}
    assert_same(lr.vector_search(ds, nearest=nearest, columns=["id"]),
                ds.to_table(nearest=nearest, columns=["id"]))


def test_permanent_failure_changes_nothing(uri):
    ds = lr.create_index(uri, "vector", "IVF_FLAT", num_partitions=4, num_workers=2,
                         executor="local")
    before_dirs, before_version = index_dirs(uri), ds.version
    env = {"IXRAY_DISTRIBUTED_FAULT": "build:0:always", "RAY_USAGE_STATS_ENABLED": "0"}
    with pytest.raises(Exception, match="injected fault"):
        lr.create_index(uri, "vector", "IVF_FLAT", num_partitions=4, num_workers=3,
                        executor="ray", ray_remote_args={"runtime_env": {"env_vars": env},
                                                         "max_retries": 1})
    after = ixray.dataset(uri)
    assert after.version == before_version
    assert index_dirs(uri) == before_dirs
    assert len(after.describe_indices()[0]["segments"]) == 2


def test_global_pool_is_reused(uri):
    lr.create_index(uri, "vector", "IVF_FLAT", num_partitions=4, num_workers=2)
    pool = lr.init_global_pool(processes=2)
    try:
        assert lr.init_global_pool(processes=5) is pool  # idempotent
        assert lr.get_global_pool() is pool
        nearest = {"column": "vector", "q": query(4), "k": 8}
        got = lr.vector_search(uri, nearest=nearest, num_workers=2, columns=["id"])
        assert_same(got, ixray.dataset(uri).to_table(nearest=nearest, columns=["id"]))
    finally:
        lr.clear_global_pool(close=True)
    assert lr.get_global_pool() is None


def test_scalar_index_needs_its_binding(uri):
    if hasattr(ixray._core, "train_scalar_index"):
        ds = lr.create_scalar_index(uri, column="id", index_type="BTREE", name="ids",
                                    num_workers=3, executor="local")
        assert len([i for i in ds.describe_indices() if i["name"] == "ids"][0]["segments"]) == 3
        with pytest.raises(ValueError):
            lr.create_scalar_index(uri, column="id", index_type="BTREE", name="ids",
                                   replace=False, executor="local")
    else:
        with pytest.raises(NotImplementedError, match="train_scalar_index"):
            lr.create_scalar_index(uri, column="id", index_type="BTREE")


# ---- distributed scalar indices equal local ones ------------------------------------------

def text_table(n, seed):
    from ixray._demo_data import Generator

    batch, _ = Generator(seed).batch(0, n)
    return pa.Table.from_batches([batch]).drop_columns(["vector"])


SCALAR_FILTERS = ["price < 5", "price >= 40 AND price < 60", "price = 20.09",
                  "price > 100 OR price < 2", "price BETWEEN 10 AND 10.5 AND category = 3",
                  "price IS NULL", "NOT (price < 300)"]
INDEXED_FILTERS = SCALAR_FILTERS[:3] + SCALAR_FILTERS[4:5]  # AND terms on price
FTS_QUERIES = ["river", "river morning", "lance vector search", "children", "nowordlikethis",
               {"match": "father mother", "column": "text"}]


@pytest.mark.skipif(not hasattr(ixray._core, "train_scalar_index"),
                    reason="this build has no scalar index training binding")
@pytest.mark.parametrize("executor", ["ray", "local"])
def test_scalar_indices_equal_local_builds(tmp_path, executor):
    data = text_table(4000, 11)
    dist, local = str(tmp_path / "dist"), str(tmp_path / "local")
    for path in (dist, local):
        ixray.write_dataset(data, path, max_rows_per_file=700)  # 6 fragments
    ds = lr.create_scalar_index(dist, column="price", index_type="BTREE", num_workers=3,
                                executor=executor)
    ds = lr.create_scalar_index(ds, column="text", index_type="INVERTED", num_workers=3,
                                executor=executor)
    ref = ixray.dataset(local)
    unindexed = {f: sorted(ref.to_table(columns=["id"], filter=f).column("id").to_pylist())
                 for f in SCALAR_FILTERS}
    ref.create_scalar_index("price", "BTREE")
    ref.create_scalar_index("text", "INVERTED")
    ref = ixray.dataset(local)
    segs = {i["name"]: len(i["segments"]) for i in ds.describe_indices()}
    assert segs == {"price_idx": 3, "text_idx": 3}
    assert {i["name"]: len(i["segments"]) for i in ref.describe_indices()} == {
        "price_idx": 1, "text_idx": 1}
    for f in SCALAR_FILTERS:
        if f in INDEXED_FILTERS:
            assert "price_idx" in ds.scanner(filter=f, columns=["id"]).explain_plan(), f
        got = sorted(ds.to_table(columns=["id"], filter=f).column("id").to_pylist())
        want = sorted(ref.to_table(columns=["id"], filter=f).column("id").to_pylist())
        assert got == want == unindexed[f], f
        assert ds.count_rows(f) == len(want)
    for q in FTS_QUERIES:
        got = ds.to_table(full_text_query=q, columns=["id"])
        want = ref.to_table(full_text_query=q, columns=["id"])
        got_scores = dict(zip(got.column("id").to_pylist(), got.column("_score").to_pylist()))
        want_scores = dict(zip(want.column("id").to_pylist(), want.column("_score").to_pylist()))
        assert got_scores.keys() == want_scores.keys(), q
        for i, s in want_scores.items():  # global BM25 statistics: segmenting changes nothing
            assert got_scores[i] == s, (q, i)
        assert got.column("_score").to_pylist() == sorted(got_scores.values(), reverse=True)
    assert ds.to_table(full_text_query="river", columns=["id"]).num_rows > 0


# ---- a simulated 2-node cluster -------------------------------------------------------------

def test_two_node_cluster(tmp_path):
    from ray.cluster_utils import Cluster

    lr.clear_global_pool(close=True)
    ray.shutdown()
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1,
                                                            "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=1, resources={"second_node": 1})
        ray.init(address=cluster.address)
        cluster.wait_for_nodes()
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2
        path = str(tmp_path / "ds")
        ixray.write_dataset(table(0, 1200, 6), path, max_rows_per_file=300)  # 4 fragments
        ref_path = str(tmp_path / "ref")
        ixray.write_dataset(table(0, 1200, 6), ref_path, max_rows_per_file=300)
        # Every build unit must run on the second node: it reads the dataset by path there.
        on_second = {"resources": {"second_node": 1}}
        ds = lr.create_index(path, "vector", "IVF_FLAT", num_partitions=4, num_workers=2,
                             executor="ray", ray_remote_args=on_second)
        ref = lr.create_index(ref_path, "vector", "IVF_FLAT", num_partitions=4, num_workers=2,
                              executor="local")
        assert len(ds.describe_indices()[0]["segments"]) == 2
        nearest = {"column": "vector", "q": query(8), "k": 10, "nprobes": 4}
        want = ref.to_table(nearest=nearest, columns=["id"])
        assert_same(ds.to_table(nearest=nearest, columns=["id"]), want)
        assert_same(lr.vector_search(ds, nearest=nearest, columns=["id"], num_workers=2,
                                     executor="ray"), want)
        if hasattr(ixray._core, "train_scalar_index"):
            ds = lr.create_scalar_index(ds, column="id", index_type="BTREE", num_workers=2,
                                        executor="ray")
            assert ds.to_table(columns=["id"], filter="id >= 100 AND id < 110") \
                .column("id").to_pylist() == list(range(100, 110))
    finally:
        ray.shutdown()
        cluster.shutdown()
        ray.init(num_cpus=2, include_dashboard=False)  # the module's cluster, for later tests
