"""Turning user data into Arrow streams the C++ core accepts.

Everything the user may pass (pyarrow tables, batches and readers, any object
speaking the Arrow PyCapsule protocol, pandas DataFrames, dicts of lists or
numpy arrays) becomes an object with ``__arrow_c_stream__`` whose types the
core supports. Conversions are zero-copy where pyarrow allows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa


def _normalize_type(t: pa.DataType) -> pa.DataType:
    """The closest type ixray stores, for types it does not store as they are."""
    if pa.types.is_dictionary(t):
        return _normalize_type(t.value_type)
    if pa.types.is_timestamp(t) and t.unit != "us":
        return pa.timestamp("us", tz=t.tz)
    if pa.types.is_date64(t):
        return pa.date32()
    if pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_binary_view(t) or pa.types.is_large_binary(t):
        return pa.binary()
    if pa.types.is_large_list(t) or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
        return pa.list_(_normalize_field(t.value_field))
    if pa.types.is_list(t):
        return pa.list_(_normalize_field(t.value_field))
    if pa.types.is_fixed_size_list(t):
        return pa.list_(_normalize_field(t.value_field), t.list_size)
    return t


def _normalize_field(f: pa.Field) -> pa.Field:
    return f.with_type(_normalize_type(f.type))


def _normalize_schema(schema: pa.Schema) -> pa.Schema | None:
    """The schema to cast to, or None when the data can go through as it is."""
    target = pa.schema([_normalize_field(f) for f in schema], metadata=schema.metadata)
    return None if target.equals(schema) else target


def _cast_batch(batch: pa.RecordBatch, target: pa.Schema) -> pa.RecordBatch:
    # safe=False: nanosecond timestamps are truncated to microseconds.
    columns = [col.cast(f.type, safe=False) for col, f in zip(batch.columns, target)]
    return pa.RecordBatch.from_arrays(columns, schema=target)


def _column_from_numpy(name: str, value: np.ndarray) -> pa.Array:
    if value.ndim == 1:
        return pa.array(value)
    if value.ndim == 2:
        # A 2-D array is a vector column: one fixed_size_list row per row.
        flat = pa.array(np.ascontiguousarray(value).reshape(-1))
        return pa.FixedSizeListArray.from_arrays(flat, value.shape[1])
    raise ValueError(f"column '{name}': numpy arrays must be 1-D or 2-D, got {value.ndim}-D")


def _table_from_dict(data: dict) -> pa.Table:
    columns = {}
    for name, value in data.items():
        if isinstance(value, np.ndarray):
            columns[name] = _column_from_numpy(name, value)
        elif isinstance(value, (pa.Array, pa.ChunkedArray)):
            columns[name] = value
        else:
            columns[name] = pa.array(value)
    return pa.table(columns)


def to_reader(data: Any, schema: Any = None) -> pa.RecordBatchReader:
    """Returns a RecordBatchReader over ``data`` with ixray-compatible types."""
    if isinstance(data, dict):
        data = _table_from_dict(data)
    elif _is_pandas(data):
        data = pa.Table.from_pandas(data, preserve_index=False)
    elif isinstance(data, pa.RecordBatch):
        data = pa.Table.from_batches([data])
    elif isinstance(data, list) and all(isinstance(r, dict) for r in data):
        data = pa.Table.from_pylist(data)

    if isinstance(data, pa.Table):
        reader = data.to_reader()
    elif isinstance(data, pa.RecordBatchReader):
        reader = data
    elif hasattr(data, "__arrow_c_stream__"):
        reader = pa.RecordBatchReader.from_stream(data)
    elif hasattr(data, "__arrow_c_array__"):
        reader = pa.Table.from_batches([pa.record_batch(data)]).to_reader()
    else:
        raise TypeError(
            "expected a pyarrow Table/RecordBatch/RecordBatchReader, an object with "
            "__arrow_c_stream__, a pandas DataFrame, a dict of columns or a list of rows; "
            f"got {type(data).__name__}"
        )

    if schema is not None:
        schema = pa.schema(schema)
        if not schema.equals(reader.schema):
            source = reader
            reader = pa.RecordBatchReader.from_batches(
                schema, (b.cast(schema) for b in source)
            )
    target = _normalize_schema(reader.schema)
    if target is not None:
        source = reader
        reader = pa.RecordBatchReader.from_batches(
            target, (_cast_batch(b, target) for b in source)
        )
    return reader


def _is_pandas(data: Any) -> bool:
    module = type(data).__module__
    return module.startswith("pandas") and type(data).__name__ == "DataFrame"
