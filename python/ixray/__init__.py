"""ixray: versioned columnar datasets of vectors, text and scalars, with
vector, full-text and scalar indices built in parallel on Ray.

The engine is C++ (``ixray._core``); this package converts arguments and
returns pyarrow objects. Every ixray object that holds data speaks the Arrow
PyCapsule protocol, so ``pyarrow.table(x)`` reads it without copying.
"""

from __future__ import annotations

from typing import Any

from ixray import _core
from ixray._convert import to_reader
from ixray.dataset import Dataset, Fragment, Scanner, dataset, write_dataset
from ixray._core import (
    AlreadyExistsError,
    ColumnTypeError,
    CommitConflictError,
    CorruptFileError,
    InvalidArgumentError,
    IxrayError,
    IxrayIOError,
    NotFoundError,
    NotSupportedError,
    RecordBatch,
    Schema,
    Table,
)

__version__ = _core.version()

__all__ = [
    "Dataset",
    "Fragment",
    "Scanner",
    "dataset",
    "write_dataset",
    "AlreadyExistsError",
    "ColumnTypeError",
    "CommitConflictError",
    "CorruptFileError",
    "InvalidArgumentError",
    "IxrayError",
    "IxrayIOError",
    "NotFoundError",
    "NotSupportedError",
    "RecordBatch",
    "Schema",
    "Table",
    "simd_target",
    "table",
]


def table(data: Any, schema: Any = None) -> Table:
    """Loads ``data`` into an in-memory ixray Table.

    ``data`` may be a pyarrow Table, RecordBatch or RecordBatchReader, any
    object with ``__arrow_c_stream__`` or ``__arrow_c_array__``, a pandas
    DataFrame, a dict of column name to list / numpy array (a 2-D array
    becomes a fixed-size-list vector column), or a list of row dicts.
    ``schema`` (anything ``pyarrow.schema`` accepts) casts the data first.
    """
    reader = to_reader(data, schema)
    return Table._from_stream(reader.__arrow_c_stream__())


def simd_target() -> str:
    """The SIMD instruction set ixray's kernels use on this CPU."""
    return _core.simd_target()
