"""ixray.Dataset: a versioned columnar dataset on storage (pylance-shaped API).

All work happens in the C++ core; this module converts arguments and wraps
results as pyarrow objects.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterator, Sequence

import numpy as np
import pyarrow as pa

from ixray import _core
from ixray._convert import to_reader

def write_dataset(
    data: Any,
    uri: str | Any,
    *,
    mode: str = "create",
    max_rows_per_file: int = 1 << 20,
    schema: Any = None,
    storage_options: dict | None = None,
) -> "Dataset":
    """Writes ``data`` as a dataset at ``uri`` and returns it at the new version.

    ``mode``: "create" (error if a dataset exists), "append", or "overwrite".
    ``data``: anything ``ixray.table`` accepts (pyarrow, pandas, dicts, ...).
    """
    _check_storage_options(storage_options)
    reader = to_reader(data, schema)
    return Dataset(_core.write_dataset(reader.__arrow_c_stream__(), _path(uri), mode,
                                       max_rows_per_file))


def dataset(uri: str | Any, *, version: int | None = None,
            storage_options: dict | None = None) -> "Dataset":
    """Opens the dataset at ``uri``, at ``version`` (default: the latest)."""
    _check_storage_options(storage_options)
    return Dataset(_core.open_dataset(_path(uri), version))


class Fragment:
    """One fragment (data file + deletion vector) of a dataset version."""

    def __init__(self, dataset: "Dataset", info: dict):
        self._dataset = dataset
        self._info = info

    @property
    def fragment_id(self) -> int:
        return self._info["fragment_id"]

    @property
    def physical_rows(self) -> int:
        return self._info["physical_rows"]

    @property
    def data_files(self) -> list[str]:
        return list(self._info["data_files"])

    def count_rows(self, filter: str | None = None) -> int:
        if filter is None:
            return self._info["num_rows"]
        return self._dataset.scanner(filter=filter, fragments=[self]).count_rows()

    def __repr__(self) -> str:
        return f"Fragment(id={self.fragment_id}, rows={self._info['num_rows']})"


class Scanner:
    """A planned scan; run it with to_table(), to_batches() or count_rows()."""

    def __init__(self, scanner):
        self._scanner = scanner

    @property
    def projected_schema(self) -> pa.Schema:
        return pa.schema(self._scanner.schema)

    def to_reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_stream(_Stream(self._scanner.to_stream()))

    def to_batches(self) -> Iterator[pa.RecordBatch]:
        yield from self.to_reader()

    def to_table(self) -> pa.Table:
        return self.to_reader().read_all()

    def count_rows(self) -> int:
        return self._scanner.count_rows()

    def explain_plan(self, verbose: bool = False) -> str:
        return self._scanner.explain_plan()

    def analyze_plan(self) -> str:
        """Runs the scan and returns the plan with the rows it produced."""
        rows = self.count_rows()
        return f"{self.explain_plan()}\noutput rows: {rows}"


class Dataset:
    """A dataset at one version. Methods that change it move it to the new version."""

    def __init__(self, handle):
        self._ds = handle

    # ---- identity -------------------------------------------------------
    @property
    def uri(self) -> str:
        return self._ds.uri

    @property
    def version(self) -> int:
        return self._ds.version

    @property
    def latest_version(self) -> int:
        return self._ds.latest_version()

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(self._ds.schema)

    def versions(self) -> list[dict]:
        """One dict per version: {"version", "timestamp", "operation"}."""
        out = []
        for v in self._ds.versions():
            ts = np.datetime64(v["timestamp_us"], "us").astype("datetime64[us]").item()
            out.append({"version": v["version"], "timestamp": ts, "operation": v["operation"]})
        return out

    def checkout_version(self, version: int) -> "Dataset":
        return Dataset(self._ds.checkout_version(int(version)))

    def checkout_latest(self) -> "Dataset":
        return Dataset(self._ds.checkout_latest())

    # ---- reading --------------------------------------------------------
    def get_fragments(self) -> list[Fragment]:
        return [Fragment(self, info) for info in self._ds.fragments()]

    def count_rows(self, filter: str | None = None) -> int:
        return self._ds.count_rows(filter or "")

    def scanner(
        self,
        columns: Sequence[str] | None = None,
        filter: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        nearest: dict | None = None,
        full_text_query: Any = None,
        with_row_id: bool = False,
        fragments: Sequence[Any] | None = None,
        index_segments: Sequence[str] | None = None,
        fast_search: bool = False,
        prefilter: bool = False,
        batch_size: int | None = None,
    ) -> Scanner:
        if filter is not None and not isinstance(filter, str):
            raise TypeError(f"filter must be a string, got {type(filter).__name__}")
        fragment_ids = None
        if fragments is not None:
            fragment_ids = [f.fragment_id if isinstance(f, Fragment) else int(f)
                            for f in fragments]
        if columns is not None:
            columns = list(columns)
        return Scanner(self._ds.scanner(columns, filter, limit, offset, fragment_ids,
                                        batch_size, with_row_id, _nearest(nearest), prefilter,
                                        fast_search,
                                        list(index_segments) if index_segments else None,
                                        _full_text(full_text_query)))

    def to_table(self, **kwargs) -> pa.Table:
        return self.scanner(**kwargs).to_table()

    def to_batches(self, **kwargs) -> Iterator[pa.RecordBatch]:
        return self.scanner(**kwargs).to_batches()

    def take(self, indices: Sequence[int] | np.ndarray, columns: Sequence[str] | None = None
             ) -> pa.Table:
        """Rows at the given positions (0 = the first live row of a full scan)."""
        positions = _as_u64(indices, "indices")
        return pa.table(self._ds.take(positions, list(columns or [])))

    def take_rows(self, row_ids: Sequence[int] | np.ndarray,
                  columns: Sequence[str] | None = None) -> pa.Table:
        """Rows at the given row addresses (``_rowid`` values), in that order."""
        addresses = _as_u64(row_ids, "row_ids")
        return pa.table(self._ds.take_rows(addresses, list(columns or [])))

    # ---- indices --------------------------------------------------------
    def create_index(self, column: str, index_type: str, name: str | None = None, *,
                     replace: bool = True, metric: str = "l2",
                     num_partitions: int | None = None, num_sub_vectors: int | None = None,
                     num_bits: int = 8, sample_rate: int = 256, max_iters: int = 50,
                     m: int = 20, ef_construction: float = 150, ivf_centroids: Any = None,
                     pq_codebook: Any = None, fragment_ids: Sequence[int] | None = None,
                     train: bool = True, **params) -> "Dataset":
        """Builds a vector index on ``column`` (train, one segment, commit).

        A scalar ``index_type`` (BTREE, BITMAP, ..., INVERTED) goes to
        ``create_scalar_index`` with ``params``."""
        if index_type.upper() in _core.scalar_index_types():
            return self.create_scalar_index(column, index_type, name, replace=replace,
                                            train=train, fragment_ids=fragment_ids, **params)
        kwargs = dict(metric=metric, num_partitions=num_partitions,
                      num_sub_vectors=num_sub_vectors, num_bits=num_bits,
                      sample_rate=sample_rate, max_iters=max_iters, m=m,
                      ef_construction=int(ef_construction),
                      ivf_centroids=_flat_f32(ivf_centroids, "ivf_centroids"),
                      pq_codebook=_flat_f32(pq_codebook, "pq_codebook"), train=train, **params)
        self._ds = _core.create_vector_index(self._ds, column, index_type, name or "", replace,
                                             [int(f) for f in fragment_ids or []], kwargs)
        return self

    def create_scalar_index(self, column: str, index_type: str, name: str | None = None, *,
                            replace: bool = True, train: bool = True,
                            fragment_ids: Sequence[int] | None = None, **params) -> "Dataset":
        """Builds a scalar or full-text index on ``column``: BTREE, BITMAP, LABEL_LIST,
        ZONEMAP, NGRAM or INVERTED (alias FTS). ``params`` are the type's options, e.g.
        ``base_tokenizer="simple", stem=True, with_position=False`` for INVERTED."""
        if not isinstance(index_type, str):
            raise TypeError(f"index_type must be a string, got {type(index_type).__name__}")
        self._ds = _core.create_scalar_index(self._ds, column, index_type, name or "", replace,
                                             train, [int(f) for f in fragment_ids or []], params)
        return self

    def describe_indices(self) -> list[dict]:
        """One dict per index: name, index_type, columns, segments."""
        return _core.describe_indices(self._ds)

    def drop_index(self, name: str) -> None:
        self._ds = _core.drop_index(self._ds, name)

    def optimize_indices(self, indices: Sequence[str] | None = None,
                         num_indices_to_merge: int = 1, retrain: bool = False) -> None:
        """Indexes the rows appended since each index was built, with its existing
        model, and merges segments (a new version; none when nothing needs doing).

        ``indices``: the index names (all when None). ``num_indices_to_merge``:
        how many of the newest segments to rebuild together with the new rows
        into one segment (0: the new rows become a segment of their own;
        ``"auto"``: merge by size, keeping the segment count logarithmic in the rows).
        ``retrain``: train the model again on the current data and rebuild each
        index as one segment. ValueError for an unknown index name."""
        if isinstance(indices, str):
            indices = [indices]
        self._ds = _core.optimize_indices(self._ds, list(indices or []),
                                          merge_count(num_indices_to_merge), bool(retrain))

    # ---- maintenance ----------------------------------------------------
    def compact_files(self, target_rows_per_fragment: int = 1 << 20, *,
                      materialize_deletions: bool = True, remap_indices: bool = True) -> dict:
        """Rewrites small fragments (and fragments with deleted rows) into fragments of up to
        ``target_rows_per_fragment`` rows, dropping deleted rows, and rebuilds the index
        segments over them in the same commit (``remap_indices=False``: the rewritten rows
        are scanned until re-indexed). Moves to the new version; returns
        {"fragments_removed", "fragments_added", "files_removed", "files_added",
        "segments_rewritten"}."""
        if isinstance(target_rows_per_fragment, bool) or not isinstance(
                target_rows_per_fragment, (int, np.integer)):
            raise TypeError("target_rows_per_fragment must be an int")
        self._ds, stats = _core.compact_files(self._ds, int(target_rows_per_fragment),
                                              bool(materialize_deletions), bool(remap_indices))
        return stats

    def cleanup_old_versions(self, older_than=None, keep_last=None) -> dict:
        """Removes versions committed longer ago than ``older_than`` (a datetime.timedelta;
        default 14 days unless ``keep_last`` is given) except the latest and the
        ``keep_last`` newest, then the files no remaining version uses (files no version
        ever used only when older than ``older_than``). Returns {"removed_manifests",
        "removed_data_files", "removed_deletion_files", "removed_index_segments",
        "removed_transaction_files", "bytes_removed"}."""
        older_than_us = None
        if older_than is not None:
            if not isinstance(older_than, datetime.timedelta):
                raise TypeError("older_than must be a datetime.timedelta")
            older_than_us = older_than // datetime.timedelta(microseconds=1)
        if keep_last is not None:
            if isinstance(keep_last, bool) or not isinstance(keep_last, (int, np.integer)):
                raise TypeError("keep_last must be an int")
            keep_last = int(keep_last)
        return _core.cleanup_old_versions(self._ds, older_than_us, keep_last)

    # ---- writing --------------------------------------------------------
    def delete(self, filter: str) -> None:
        """Deletes the rows matching ``filter`` (a new version)."""
        if not isinstance(filter, str):
            raise TypeError(f"filter must be a string, got {type(filter).__name__}")
        self._ds = self._ds.delete(filter)

    def __len__(self) -> int:
        return self.count_rows()

    def __repr__(self) -> str:
        return f"ixray.Dataset(uri={self.uri!r}, version={self.version})"


class _Stream:
    """Hands an 'arrow_array_stream' capsule to pyarrow through the PyCapsule protocol."""

    def __init__(self, capsule):
        self._capsule = capsule

    def __arrow_c_stream__(self, requested_schema=None):
        return self._capsule


def _flat_f32(values: Any, name: str) -> np.ndarray | None:
    """User-supplied centroids / codebooks as one contiguous float32 array."""
    if values is None:
        return None
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = values.to_numpy(zero_copy_only=False)
        if values.dtype == object:
            values = np.stack(values)
    array = np.asarray(values, dtype=np.float32)
    return np.ascontiguousarray(array.reshape(-1))


def _nearest(nearest: dict | None) -> dict | None:
    if nearest is None:
        return None
    if not isinstance(nearest, dict):
        raise TypeError("nearest must be a dict with 'column', 'q' and 'k'")
    out = dict(nearest)
    if "q" not in out:
        raise ValueError("nearest needs a query vector 'q'")
    q = out["q"]
    if isinstance(q, (pa.Array, pa.ChunkedArray)):
        q = q.to_numpy(zero_copy_only=False)
    q = np.asarray(q)
    if q.ndim != 1:
        raise ValueError(f"nearest['q'] must be one vector, got shape {q.shape}")
    out["q"] = np.ascontiguousarray(q, dtype=np.float32)
    if "distance_range" in out and out["distance_range"] is not None:
        out["distance_range"] = tuple(out["distance_range"])
    return out


def merge_count(num_indices_to_merge: Any) -> int:
    """optimize_indices' num_indices_to_merge for the core: an int >= 0, or "auto" (-1)."""
    if num_indices_to_merge == "auto":
        return -1  # kMergeBySize
    if isinstance(num_indices_to_merge, bool) or not isinstance(num_indices_to_merge, int):
        raise TypeError("num_indices_to_merge must be an int or 'auto', got "
                        f"{type(num_indices_to_merge).__name__}")
    if num_indices_to_merge < 0:
        raise ValueError(f"num_indices_to_merge must be >= 0 or 'auto', got {num_indices_to_merge}")
    return num_indices_to_merge


def _full_text(query: Any) -> dict | None:
    """full_text_query as the core takes it: {"text", "columns", "phrase"}.

    Accepts a string (match in every column with an INVERTED index),
    {"match": text, "column": name} or {"phrase": text, "column": name}."""
    if query is None:
        return None
    if isinstance(query, str):
        return {"text": query, "columns": [], "phrase": False}
    if not isinstance(query, dict):
        raise TypeError("full_text_query must be a string or a dict like {'match': 'text', "
                        f"'column': 'body'}}, got {type(query).__name__}")
    unknown = set(query) - {"match", "phrase", "column", "columns"}
    if unknown or ("match" in query) == ("phrase" in query):
        raise ValueError("full_text_query takes one of 'match' or 'phrase', and optionally "
                         f"'column' (or 'columns'); got keys {sorted(query)}")
    phrase = "phrase" in query
    text = query["phrase" if phrase else "match"]
    if not isinstance(text, str):
        raise TypeError(f"full_text_query text must be a string, got {type(text).__name__}")
    columns = query.get("columns", [])
    if "column" in query:
        columns = [query["column"]]
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise TypeError("full_text_query 'column' must be a string ('columns' a list of them)")
    return {"text": text, "columns": list(columns), "phrase": phrase}


def _as_u64(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must be integers, got {array.dtype}")
    if array.size and np.issubdtype(array.dtype, np.signedinteger) and array.min() < 0:
        raise ValueError(f"{name} must not be negative")
    return np.ascontiguousarray(array, dtype=np.uint64)


def _path(uri: Any) -> str:
    import os

    return os.fspath(uri)


def _check_storage_options(storage_options: dict | None) -> None:
    if storage_options:
        raise _core.NotSupportedError(
            "storage_options: only local paths are supported by this build")
