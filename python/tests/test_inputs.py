"""The input forms ixray accepts, and its errors."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import ixray


def test_dict_of_numpy_arrays_makes_vector_columns():
    vectors = np.random.default_rng(0).standard_normal((10, 16), dtype=np.float32)
    table = pa.table(ixray.table({"id": np.arange(10), "vector": vectors, "name": list("abcdefghij")}))
    assert table.schema.field("vector").type == pa.list_(pa.float32(), 16)
    assert table.schema.field("id").type == pa.int64()
    np.testing.assert_array_equal(
        table.column("vector").combine_chunks().values.to_numpy().reshape(10, 16), vectors
    )
    assert table.column("name").to_pylist() == list("abcdefghij")


def test_uint8_and_float16_matrices():
    table = pa.table(ixray.table({"b": np.zeros((3, 32), np.uint8), "h": np.ones((3, 2), np.float16)}))
    assert table.schema.field("b").type == pa.list_(pa.uint8(), 32)
    assert table.schema.field("h").type == pa.list_(pa.float16(), 2)


def test_pandas_dataframe():
    df = pd.DataFrame(
        {
            "i": [1, 2, 3],
            "f": [0.5, None, 2.5],
            "s": ["a", None, "c"],
            "t": pd.to_datetime(["2024-01-01", "2024-06-30", None]),
            "c": pd.Categorical(["x", "y", "x"]),
        }
    )
    table = pa.table(ixray.table(df))
    assert table.column("i").to_pylist() == [1, 2, 3]
    assert table.column("f").to_pylist() == [0.5, None, 2.5]
    assert table.column("s").to_pylist() == ["a", None, "c"]
    # Nanosecond timestamps are stored as microseconds; categoricals as their values.
    assert table.schema.field("t").type == pa.timestamp("us")
    assert table.column("t").null_count == 1
    assert table.column("c").to_pylist() == ["x", "y", "x"]


def test_list_of_rows_and_explicit_schema():
    table = ixray.table([{"a": 1, "b": "x"}, {"a": 2, "b": None}], schema=[("a", pa.int32()), ("b", pa.string())])
    out = pa.table(table)
    assert out.schema.field("a").type == pa.int32()
    assert out.to_pylist() == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]


def test_unsupported_input_type():
    with pytest.raises(TypeError, match="expected a pyarrow Table"):
        ixray.table(42)


def test_unsupported_column_type_is_a_clear_error():
    source = pa.table({"d": pa.array([1, 2], pa.decimal128(10, 2))})
    with pytest.raises(NotImplementedError, match="format 'd:10,2'"):
        ixray.table(source)
    with pytest.raises(ixray.IxrayError):
        ixray.table(source)


def test_three_dimensional_numpy_is_refused():
    with pytest.raises(ValueError, match="1-D or 2-D"):
        ixray.table({"x": np.zeros((2, 2, 2))})


def test_exceptions_are_ixray_errors():
    assert issubclass(ixray.CorruptFileError, ixray.IxrayError)
    assert issubclass(ixray.CorruptFileError, OSError)
    assert issubclass(ixray.InvalidArgumentError, ValueError)
    assert issubclass(ixray.NotFoundError, FileNotFoundError)
    assert issubclass(ixray.CommitConflictError, ixray.IxrayError)


def test_version_and_simd():
    assert ixray.__version__ == "0.1.0"
    assert ixray.simd_target() in {"avx512", "avx2", "scalar"}
