"""Scalar indices: every filter gives the rows of an unindexed scan; errors; planning."""

import numpy as np
import pyarrow as pa
import pytest

import ixray

N = 3000


def make_table(start, n, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 60, n)
    x_null = rng.random(n) < 0.1
    colors = np.array(["red", "green", "blue", "black", ""])[rng.integers(0, 5, n)]
    color_null = rng.random(n) < 0.1
    tags = [None if rng.random() < 0.05 else
            [str(t) for t in rng.choice(["a", "b", "c", "d", "e"], rng.integers(0, 4),
                                        replace=False)] for _ in range(n)]
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta"]
    text = [" ".join(rng.choice(words, rng.integers(1, 6))) for _ in range(n)]
    return pa.table({
        "id": pa.array(np.arange(start, start + n), pa.int64()),
        "x": pa.array(x, pa.int32(), mask=x_null),
        "f": pa.array(rng.random(n) * 100),
        "color": pa.array(colors.tolist(), mask=color_null),
        "tags": pa.array(tags, pa.list_(pa.string())),
        "text": pa.array(text),
        "day": pa.array(rng.integers(19000, 19400, n).astype("datetime64[D]")),
    })


@pytest.fixture()
def dataset(tmp_path):
    ds = ixray.write_dataset(make_table(0, N, 1), tmp_path / "ds", max_rows_per_file=800)
    ds.delete("id IN (3, 20, 37, 54, 71, 800, 801, 1700) OR (id > 2000 AND id < 2040)")
    return ds


FILTERS = [
    "x < 10", "x = 7", "x IN (1, 2, 3)", "x IS NULL", "x IS NOT NULL", "x != 5",
    "x NOT IN (1, 2)", "x BETWEEN 3 AND 8 AND color = 'red'", "x < 20 AND id > 700",
    "color >= 'c'", "color = ''", "color IS NULL", "x > 40 OR color = 'blue'",
    "f < 12.5", "f >= 99", "day < date '2022-01-01'", "id BETWEEN 950 AND 2100",
    "array_has_any(tags, ['a', 'b'])", "array_has_all(tags, ['c', 'd'])", "tags IS NULL",
    "array_has_any(tags, ['zz'])", "text LIKE '%lph%'", "contains(text, 'gamma del')",
    "text LIKE 'beta%' AND x < 30", "color LIKE '%ee%'",
]


def ids(ds, **kwargs):
    return ds.to_table(columns=["id"], **kwargs).column("id").to_pylist()


@pytest.mark.parametrize("column,index_type", [
    ("x", "BTREE"), ("f", "BTREE"), ("color", "BTREE"), ("day", "BTREE"), ("id", "ZONEMAP"),
    ("x", "ZONEMAP"), ("color", "ZONEMAP"), ("color", "BITMAP"), ("x", "BITMAP"),
    ("tags", "LABEL_LIST"), ("text", "NGRAM"), ("color", "NGRAM"),
])
def test_filters_equal_unindexed_scan(dataset, column, index_type):
    expected = {f: ids(dataset, filter=f) for f in FILTERS}
    counts = {f: dataset.count_rows(f) for f in FILTERS}
    dataset.create_scalar_index(column, index_type)
    info = [i for i in dataset.describe_indices() if i["name"] == f"{column}_idx"]
    assert info and info[0]["index_type"] == index_type and info[0]["columns"] == [column]
    # Rows appended after the index are scanned.
    ixray.write_dataset(make_table(N, 500, 2), dataset.uri, mode="append")
    ds = ixray.dataset(dataset.uri)
    for f in FILTERS:
        assert ids(ds, filter=f)[:len(expected[f])] == expected[f], f
        assert ids(ds, filter=f) == ids(ds.checkout_version(ds.version), filter=f)
        assert dataset.count_rows(f) == counts[f], f
        assert ids(dataset, filter=f, limit=7, offset=3) == expected[f][3:10], f
    # The appended fragment indexed as a second segment (same config): still the same rows.
    ds.optimize_indices(indices=[f"{column}_idx"], num_indices_to_merge=0)
    info = [i for i in ds.describe_indices() if i["name"] == f"{column}_idx"][0]
    assert len(info["segments"]) == 2
    plain = ds.checkout_version(ds.version)
    plain.drop_index(f"{column}_idx")
    for f in FILTERS:
        assert ids(ds, filter=f) == ids(plain, filter=f), f
        assert ds.count_rows(f) == plain.count_rows(f), f


def test_index_is_used_and_explained(dataset):
    dataset.create_scalar_index("x", "BTREE")
    plan = dataset.scanner(filter="x < 10 AND f > 50").explain_plan()
    assert "x_idx" in plan and "BTREE" in plan
    plain = dataset.scanner(filter="f > 50").explain_plan()
    assert "no index used" in plain


def test_create_index_routes_scalar_types(dataset):
    dataset.create_index("x", "btree", name="by_x")
    assert [i["index_type"] for i in dataset.describe_indices()] == ["BTREE"]


def test_fragment_subset_and_train_false(dataset):
    frags = [f.fragment_id for f in dataset.get_fragments()]
    expected = ids(dataset, filter="x < 5")
    dataset.create_scalar_index("x", "BTREE", fragment_ids=frags[:2])
    seg = dataset.describe_indices()[0]["segments"]
    assert len(seg) == 1 and seg[0]["fragment_ids"] == frags[:2]
    assert ids(dataset, filter="x < 5") == expected
    dataset.create_scalar_index("x", "BTREE", name="empty", train=False)
    empty = [i for i in dataset.describe_indices() if i["name"] == "empty"][0]
    assert empty["segments"] == []
    assert ids(dataset, filter="x < 5") == expected


def test_errors(dataset):
    with pytest.raises(ValueError, match="BTREE"):
        dataset.create_scalar_index("x", "NOPE")
    with pytest.raises(ValueError, match="column"):
        dataset.create_scalar_index("missing", "BTREE")
    with pytest.raises(TypeError):
        dataset.create_scalar_index("tags", "BTREE")
    with pytest.raises(ValueError, match="batch_size|unknown"):
        dataset.create_scalar_index("x", "BTREE", no_such_param=3)
    dataset.create_scalar_index("x", "BTREE")
    with pytest.raises(ValueError, match="already exists"):
        dataset.create_scalar_index("x", "BTREE", replace=False)
    version = dataset.version
    with pytest.raises(TypeError):
        dataset.create_scalar_index("x", "BTREE", batch_size=[1])
    assert dataset.version == version


def test_delete_with_index_and_damaged_index(dataset, tmp_path):
    dataset.create_scalar_index("x", "BTREE")
    dataset.delete("x < 3")
    assert dataset.count_rows("x < 3") == 0
    seg = dataset.describe_indices()[0]["segments"][0]["uuid"]
    path = f"{dataset.uri}/_indices/{seg}/index.ixi"
    with open(path, "r+b") as fh:
        fh.seek(20)
        fh.write(b"\xff" * 16)
    with pytest.raises(ixray.CorruptFileError):
        ixray.dataset(dataset.uri).to_table(filter="x = 4")


def test_full_text_search_can_return_only_scores_and_row_ids(dataset):
    dataset.create_scalar_index("text", "INVERTED")
    full = dataset.to_table(full_text_query="alpha beta", limit=10, columns=["id"],
                            with_row_id=True)
    only = dataset.to_table(full_text_query="alpha beta", limit=10, columns=["_rowid"])
    assert only.column_names == ["_score", "_rowid"]
    assert full.num_rows == 10
    assert only.column("_rowid").to_pylist() == full.column("_rowid").to_pylist()
    assert only.column("_score").to_pylist() == full.column("_score").to_pylist()
    # The ids behind the row ids are the ones read with them.
    taken = dataset.take_rows(only.column("_rowid").to_numpy(), ["id"])
    assert taken.column("id").to_pylist() == full.column("id").to_pylist()
