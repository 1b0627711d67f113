"""Datasets on disk: write, versions, scans, takes, deletes, errors."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import ixray

from test_arrow_roundtrip import SUPPORTED, make_column


def every_type_table(n=100, null_every=7):
    return pa.table({name: make_column(name, n, null_every) for name in SUPPORTED})


def test_round_trip_every_type_across_fragments(tmp_path):
    source = every_type_table(100)
    ds = ixray.write_dataset(source, tmp_path / "ds", max_rows_per_file=30)
    assert ds.version == 1
    assert [f.physical_rows for f in ds.get_fragments()] == [30, 30, 30, 10]
    assert ds.schema == source.schema
    assert ds.to_table().equals(source)
    assert ds.count_rows() == 100
    reopened = ixray.dataset(tmp_path / "ds")
    assert reopened.to_table().equals(source)
    # A take of scattered rows equals the same rows of the source.
    idx = [99, 0, 31, 30, 29, 64]
    assert ds.take(idx).equals(source.take(idx))
    assert ds.take(idx, columns=["int32", "vector_f32"]).equals(
        source.select(["int32", "vector_f32"]).take(idx))


def test_versions_append_overwrite_and_time_travel(tmp_path):
    uri = tmp_path / "ds"
    a = pa.table({"x": pa.array([1, 2, 3], pa.int64())})
    b = pa.table({"x": pa.array([4, 5], pa.int64())})
    ixray.write_dataset(a, uri)
    ds = ixray.write_dataset(b, uri, mode="append")
    assert ds.version == 2
    assert ds.to_table().column("x").to_pylist() == [1, 2, 3, 4, 5]
    ds3 = ixray.write_dataset(pa.table({"y": ["only"]}), uri, mode="overwrite")
    assert ds3.version == 3
    assert ds3.schema.names == ["y"]
    assert [v["version"] for v in ds3.versions()] == [1, 2, 3]
    assert [v["operation"] for v in ds3.versions()][1] == "Append"
    v1 = ixray.dataset(uri, version=1)
    assert v1.to_table().equals(a)
    assert ds3.checkout_version(2).count_rows() == 5
    assert ixray.dataset(uri).version == 3


def test_scanner_projection_limit_offset_rowid(tmp_path):
    source = pa.table({"id": pa.array(range(50), pa.int64()), "s": [str(i) for i in range(50)]})
    ds = ixray.write_dataset(source, tmp_path / "ds", max_rows_per_file=16)
    t = ds.to_table(columns=["s"], offset=10, limit=12)
    assert t.column("s").to_pylist() == [str(i) for i in range(10, 22)]
    assert ds.scanner(limit=0).to_table().num_rows == 0
    t = ds.to_table(columns=["id"], with_row_id=True, filter="id >= 15 AND id < 18")
    assert t.column("id").to_pylist() == [15, 16, 17]
    assert t.column("_rowid").to_pylist() == [15, 1 << 32, (1 << 32) + 1]
    assert ds.take_rows(t.column("_rowid").to_pylist()[::-1], columns=["id"]).column(
        "id").to_pylist() == [17, 16, 15]
    frags = ds.get_fragments()
    assert ds.to_table(fragments=[frags[2]]).column("id").to_pylist() == list(range(32, 48))
    batches = list(ds.to_batches(batch_size=7))
    assert max(b.num_rows for b in batches) <= 7
    assert sum(b.num_rows for b in batches) == 50
    assert "filter" in ds.scanner(filter="id > 3").explain_plan()


def test_delete_marks_rows_and_keeps_data_files(tmp_path):
    source = pa.table({"id": pa.array(range(100), pa.int32()), "v": np.arange(100.0)})
    ds = ixray.write_dataset(source, tmp_path / "ds", max_rows_per_file=25)
    files_before = {f: (tmp_path / "ds" / f).read_bytes()
                    for fr in ds.get_fragments() for f in fr.data_files}
    ds.delete("id < 30 OR id = 77")
    assert ds.version == 2
    assert ds.count_rows() == 69
    assert ds.count_rows("id > 50") == 48
    ids = ds.to_table().column("id").to_pylist()
    assert ids == [i for i in range(100) if not (i < 30 or i == 77)]
    # The first fragment lost every row and is gone; the others keep their files.
    assert [f.fragment_id for f in ds.get_fragments()] == [1, 2, 3]
    for f, data in files_before.items():
        if (tmp_path / "ds" / f).exists():
            assert (tmp_path / "ds" / f).read_bytes() == data
    assert ds.take([0, 1]).column("id").to_pylist() == [30, 31]
    assert ds.checkout_version(1).count_rows() == 100
    with pytest.raises(ValueError):
        ds.take_rows([0])  # row 0 of fragment 0 is deleted


def test_errors(tmp_path):
    uri = tmp_path / "ds"
    with pytest.raises(FileNotFoundError):
        ixray.dataset(uri)
    ds = ixray.write_dataset({"a": [1, 2, 3]}, uri)
    with pytest.raises(FileExistsError):
        ixray.write_dataset({"a": [1]}, uri)
    with pytest.raises((ValueError, TypeError)):
        ixray.write_dataset({"b": ["x"]}, uri, mode="append")
    with pytest.raises(ValueError, match="nope"):
        ds.to_table(columns=["nope"])
    with pytest.raises(ValueError):
        ds.to_table(filter="a >")
    with pytest.raises(ValueError, match="zzz"):
        ds.count_rows("zzz = 1")
    with pytest.raises(TypeError):
        ds.to_table(filter="a = 'text'")
    with pytest.raises(ValueError):
        ds.take([3])
    with pytest.raises(ValueError):
        ixray.write_dataset({"a": [1]}, uri, mode="bogus")
    with pytest.raises(FileNotFoundError):
        ixray.dataset(uri, version=7)
    assert ds.count_rows() == 3  # nothing changed


def test_empty_write_and_empty_dataset(tmp_path):
    empty = pa.table({"a": pa.array([], pa.int64())})
    ds = ixray.write_dataset(empty, tmp_path / "ds")
    assert ds.count_rows() == 0
    assert ds.to_table().equals(empty)
    ds = ixray.write_dataset({"a": [5]}, tmp_path / "ds", mode="append")
    assert ds.to_table().column("a").to_pylist() == [5]


def test_pandas_and_numpy_inputs(tmp_path):
    import pandas as pd

    df = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    ds = ixray.write_dataset(df, tmp_path / "p")
    assert ds.to_table().to_pylist() == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]
    vectors = np.random.default_rng(0).random((20, 8), dtype=np.float32)
    ds = ixray.write_dataset({"id": np.arange(20), "vector": vectors}, tmp_path / "v")
    got = ds.to_table().column("vector").combine_chunks().values.to_numpy().reshape(20, 8)
    np.testing.assert_array_equal(got, vectors)
    assert pc.sum(ds.to_table().column("id")).as_py() == 190
