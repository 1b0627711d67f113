"""ixray.distributed: distributed index builds and vector search (the
lance_ray API, ``import ixray.distributed as lr``).

Every call plans at one pinned dataset version, runs work units and
commits once, all in the C++ core. ``executor`` picks where units run:
``"ray"`` (Ray tasks; a local Ray is started if none is running),
``"local"`` (the built-in thread executor, no Ray) or ``"auto"`` (Ray when
it is importable). Both run the same units and give the same results.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Optional, Sequence, Union

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # before anything here may import ray

import pyarrow as pa

from ixray import _core
from ixray.dataset import Dataset, _check_storage_options, _flat_f32, _nearest
from ixray.dataset import dataset as _open_dataset
from ixray.dataset import merge_count
from ixray.distributed import _ray

__all__ = [
    "clear_global_pool",
    "create_index",
    "create_scalar_index",
    "get_global_pool",
    "init_global_pool",
    "optimize_indices",
    "set_global_pool",
    "vector_search",
]

logger = logging.getLogger("ixray.distributed")

# Options vector_search sets itself: a caller may not pass them in scanner_options.
_MANAGED_SCANNER_OPTIONS = frozenset({
    "nearest", "filter", "columns", "fragments", "index_segments", "fast_search", "limit",
    "offset", "full_text_query",
})
# Options it honours (the rest of Lance's scanner options are refused).
_SCANNER_OPTIONS = frozenset({"prefilter", "with_row_id", "batch_size", "late_materialization"})


# ---- the global Pool (vector_search reuses it) -------------------------------

def init_global_pool(processes: Optional[int] = None,
                     ray_remote_args: Optional[dict[str, Any]] = None):
    """Creates the process-wide Ray Pool (idempotent: returns the existing one)."""
    return _ray.init_global_pool(processes, ray_remote_args)


def set_global_pool(pool: Any) -> None:
    """Registers a Pool managed by the caller."""
    _ray.set_global_pool(pool)


def get_global_pool() -> Any:
    """The global Pool, or None."""
    return _ray.get_global_pool()


def clear_global_pool(close: bool = True) -> None:
    """Forgets the global Pool; closes it too unless close=False."""
    _ray.clear_global_pool(close)


# ---- index builds ------------------------------------------------------------

def create_index(
    uri: Optional[Union[str, Dataset]] = None,
    column: str = "",
    index_type: str = "",
    name: Optional[str] = None,
    *,
    replace: bool = True,
    num_workers: int = 4,
    storage_options: Optional[dict[str, str]] = None,
    block_size: Optional[int] = None,
    namespace_impl: Optional[str] = None,
    namespace_properties: Optional[dict[str, str]] = None,
    table_id: Optional[list[str]] = None,
    ray_remote_args: Optional[dict[str, Any]] = None,
    metric: str = "l2",
    num_partitions: Optional[int] = None,
    num_sub_vectors: Optional[int] = None,
    sample_rate: int = 256,
    ivf_centroids: Any = None,
    pq_codebook: Any = None,
    executor: str = "auto",
    **kwargs: Any,
) -> Dataset:
    """Builds a vector index (IVF_FLAT / IVF_SQ / IVF_PQ / IVF_HNSW_*) on ``column``.

    IVF k-means runs as rounds of partial sums on the workers, and the PQ
    sub-quantizers are trained there too (runs of sub-spaces); then one
    segment per worker (fragments split by rows, ``num_workers`` clamped to
    the fragment count) and one commit. User-supplied ``ivf_centroids`` /
    ``pq_codebook`` are used as given. ``kwargs``: ``num_bits``,
    ``max_iters``, ``m``, ``ef_construction``, ``max_level``,
    ``target_partition_size``, ``seed``, ``train``, ``fragment_ids``.
    """
    ds = _resolve(uri, storage_options, namespace_impl, namespace_properties, table_id)
    if not column:
        raise ValueError("create_index needs a column")
    if not index_type:
        raise ValueError("create_index needs an index_type")
    fragment_ids = [int(f) for f in kwargs.pop("fragment_ids", None) or []]
    params = dict(metric=metric, num_partitions=num_partitions,
                  num_sub_vectors=num_sub_vectors, sample_rate=sample_rate,
                  ivf_centroids=_flat_f32(ivf_centroids, "ivf_centroids"),
                  pq_codebook=_flat_f32(pq_codebook, "pq_codebook"), **kwargs)
    runner = _runner(executor, ray_remote_args, use_pool=False)
    handle = _core.distributed_create_vector_index(
        ds._ds, column, str(index_type).upper(), name or "", replace, fragment_ids,
        _workers(num_workers), params, runner)
    return Dataset(handle)


def create_scalar_index(
    uri: Optional[Union[str, Dataset]] = None,
    *,
    column: str,
    index_type: str,
    table_id: Optional[list[str]] = None,
    name: Optional[str] = None,
    replace: bool = True,
    train: bool = True,
    fragment_ids: Optional[list[int]] = None,
    index_uuid: Optional[str] = None,
    num_workers: int = 4,
    storage_options: Optional[dict[str, str]] = None,
    block_size: Optional[int] = None,
    namespace_impl: Optional[str] = None,
    namespace_properties: Optional[dict[str, str]] = None,
    ray_remote_args: Optional[dict[str, Any]] = None,
    executor: str = "auto",
    **kwargs: Any,
) -> Dataset:
    """Builds a scalar index (BTREE, BITMAP, LABEL_LIST, ZONEMAP, NGRAM, INVERTED/FTS).

    Train the config once, one segment per worker, one commit. ``kwargs``
    are the index parameters (see ``Dataset.create_scalar_index``).
    ``index_uuid`` names the segment when there is one worker.
    """
    ds = _resolve(uri, storage_options, namespace_impl, namespace_properties, table_id)
    train_scalar_index = getattr(_core, "train_scalar_index", None)
    if train_scalar_index is None:
        raise NotImplementedError(
            "create_scalar_index needs ixray._core.train_scalar_index, which this build of "
            "ixray does not have yet")
    if not isinstance(index_type, str):
        raise TypeError("index_type must be a string such as 'BTREE' or 'INVERTED'")
    if not train:
        raise NotImplementedError("create_scalar_index(train=False) is not supported yet")
    index_name = name or f"{column}_idx"
    params = {str(k): _param_str(v) for k, v in kwargs.items() if v is not None}
    model = train_scalar_index(ds._ds, column, index_type.upper(), params)
    runner = _runner(executor, ray_remote_args, use_pool=False)
    handle = _core.distributed_build_index(
        ds._ds, index_name, column, model, replace, [int(f) for f in fragment_ids or []],
        _workers(num_workers), index_uuid or "", runner)
    return Dataset(handle)


def optimize_indices(
    uri: Optional[str] = None,
    *,
    table_id: Optional[list[str]] = None,
    indices: Optional[list[str]] = None,
    num_indices_to_merge: int = 1,
    retrain: bool = False,
    storage_options: Optional[dict[str, str]] = None,
    namespace_impl: Optional[str] = None,
    namespace_properties: Optional[dict[str, str]] = None,
    executor: str = "auto",
    **kwargs: Any,
) -> Dataset:
    """Brings indices up to date with appended data and merges their segments.

    For each index (``indices``: names; all when None) the fragments no
    segment covers are indexed as one new segment with the index's existing
    model (no retraining; the work is proportional to the new rows).
    ``num_indices_to_merge=N`` rebuilds the N newest segments together with
    the new rows into one segment (0: the new rows become a segment of
    their own; N >= the segment count merges everything); rows deleted
    since are dropped. ``retrain=True`` trains the model again on the
    current data and rebuilds each index as one segment. An index created
    empty (``train=False``) is filled. One commit for all indices; when
    nothing needs doing the dataset is returned at its current version.

    Planning (and retraining) runs on the driver; each optimized index's new
    segment is one work unit, run as a Ray task with ``executor="ray"``
    (or ``"auto"`` when Ray is importable) and on local threads with
    ``executor="local"``; both give the same index. ``kwargs`` may hold
    ``ray_remote_args`` (Ray task options). Raises ValueError for an
    unknown index name or a negative ``num_indices_to_merge``.
    """
    ray_remote_args = kwargs.pop("ray_remote_args", None)
    if kwargs:
        raise TypeError(f"optimize_indices got unexpected arguments: {sorted(kwargs)}")
    ds = _resolve(uri, storage_options, namespace_impl, namespace_properties, table_id)
    names = _index_names(indices)
    merge = _merge_count(num_indices_to_merge)
    runner = _runner(executor, ray_remote_args, use_pool=False)
    handle = _core.distributed_optimize_indices(ds._ds, names, merge, bool(retrain), runner)
    return Dataset(handle)


def _index_names(indices: Any) -> list[str]:
    if indices is None:
        return []
    if isinstance(indices, str):
        return [indices]
    names = list(indices)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"index names must be strings, got {type(name).__name__}")
    return names


def _merge_count(num_indices_to_merge: Any) -> int:
    return merge_count(num_indices_to_merge)


# ---- search ------------------------------------------------------------------

def vector_search(
    uri: Optional[Union[str, Dataset]] = None,
    *,
    nearest: dict[str, Any],
    index_name: Optional[str] = None,
    columns: Optional[Union[list[str], dict[str, str]]] = None,
    filter: Optional[Any] = None,
    storage_options: Optional[dict[str, Any]] = None,
    block_size: Optional[int] = None,
    namespace_impl: Optional[str] = None,
    namespace_properties: Optional[dict[str, str]] = None,
    table_id: Optional[list[str]] = None,
    num_workers: int = 4,
    ray_remote_args: Optional[dict[str, Any]] = None,
    oversample_factor: float = 1.0,
    include_unindexed: bool = True,
    fast_search: bool = False,
    analyze_plan: bool = False,
    scanner_options: Optional[dict[str, Any]] = None,
    executor: str = "auto",
) -> Union[pa.Table, str]:
    """The global top k of a vector search run shard by shard.

    Shards follow index-segment ownership (a segment is never split); the
    fragments no segment covers are searched exactly in their own shards
    (unless ``fast_search`` or not ``include_unindexed``), under the index's
    distance convention. Each shard returns ``k * oversample_factor``
    candidates; the driver merges the global top k by ``_distance``, applies
    a postfilter and fetches ``columns`` of the winners. With
    ``analyze_plan=True`` returns each shard's plan instead.
    """
    ds = _resolve(uri, storage_options, namespace_impl, namespace_properties, table_id)
    if not isinstance(nearest, dict) or "column" not in nearest or "q" not in nearest:
        raise ValueError("nearest must be a dict with 'column', 'q' and 'k'")
    if oversample_factor is None or not float(oversample_factor) >= 1.0:
        raise ValueError(f"oversample_factor must be >= 1, got {oversample_factor}")
    if filter is not None and not isinstance(filter, str):
        raise TypeError(f"filter must be a string, got {type(filter).__name__}")
    options = dict(scanner_options or {})
    managed = sorted(set(options) & _MANAGED_SCANNER_OPTIONS)
    if managed:
        raise ValueError(f"scanner_options may not set {managed}: vector_search manages them")
    unknown = sorted(set(options) - _SCANNER_OPTIONS)
    if unknown:
        raise ValueError(f"unsupported scanner_options {unknown}; supported: "
                         f"{sorted(_SCANNER_OPTIONS)}")
    with_row_id = bool(options.get("with_row_id", False))
    if isinstance(columns, dict):
        raise ValueError("columns as a dict (SQL projections) is not supported; pass a list")
    if columns is not None:
        columns = [c for c in columns if c != "_distance"]
        if "_rowid" in columns:
            columns.remove("_rowid")
            with_row_id = True
    runner = _runner(executor, ray_remote_args, use_pool=True, num_workers=num_workers)
    result = _core.distributed_vector_search(
        ds._ds, _nearest(nearest), index_name or "", columns, filter,
        bool(options.get("prefilter", False)), with_row_id, bool(fast_search),
        _workers(num_workers), float(oversample_factor), bool(include_unindexed),
        bool(analyze_plan), runner)
    return result if analyze_plan else pa.table(result)


# ---- helpers -----------------------------------------------------------------

def _runner(executor: str, ray_remote_args: Optional[dict], *, use_pool: bool,
            num_workers: Optional[int] = None):
    """None for the built-in executor, else a Ray runner for the C++ coordinator."""
    if executor not in ("auto", "ray", "local"):
        raise ValueError(f"executor must be 'auto', 'ray' or 'local', got {executor!r}")
    if executor == "local" or (executor == "auto" and not _ray.ray_importable()):
        return None
    pool = _ray.get_global_pool() if use_pool else None
    if pool is not None and num_workers is not None:
        size = _ray.pool_size(pool)
        if size is not None and size != num_workers:
            logger.warning("num_workers=%d differs from the global Pool's %d processes; "
                           "the Pool is used as configured", num_workers, size)
    return _ray.make_runner(ray_remote_args, pool)


def _workers(num_workers: int) -> int:
    if num_workers is None or int(num_workers) < 1:
        raise ValueError(f"num_workers must be >= 1, got {num_workers}")
    return int(num_workers)


def _param_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _resolve(uri: Any, storage_options: Optional[dict], namespace_impl: Optional[str],
             namespace_properties: Optional[dict], table_id: Optional[Sequence[str]]) -> Dataset:
    """The dataset to work on: a Dataset as given (its version is pinned), a
    uri opened at its latest version, or a table of a "dir" namespace."""
    if isinstance(uri, Dataset):
        return uri
    _check_storage_options(storage_options)
    if uri is not None:
        return _open_dataset(os.fspath(uri))
    if namespace_impl is None or table_id is None:
        raise ValueError("pass uri, or namespace_impl together with table_id")
    if namespace_impl != "dir":
        raise ValueError(f"namespace_impl {namespace_impl!r} is not supported; use 'dir'")
    root = (namespace_properties or {}).get("root")
    if not root:
        raise ValueError("namespace_impl='dir' needs namespace_properties={'root': path}")
    return _open_dataset(_table_path(os.fspath(root), table_id))


def _table_path(root: str, table_id: Sequence[str]) -> str:
    """root/<id0>/<id1>/...; ids that would leave root are refused."""
    if isinstance(table_id, str) or not table_id:
        raise ValueError("table_id must be a non-empty list of strings")
    for part in table_id:
        if (not isinstance(part, str) or part in ("", ".", "..") or "/" in part
                or "\\" in part or "\0" in part):
            raise ValueError(f"table_id part {part!r} is not a plain name")
    base = os.path.realpath(root)
    path = os.path.realpath(os.path.join(base, *table_id))
    if os.path.commonpath([base, path]) != base or path == base:
        raise ValueError(f"table_id {list(table_id)} escapes the namespace root")
    return path
