"""The Ray side of ixray.distributed: a runner that ships work units to Ray
tasks (or to a global Ray Pool) and collects their answers, and the task
function workers run. No planning, merging or distance math happens here:
the C++ coordinator does that and calls the runner once per step.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, Callable

from ixray import _core

logger = logging.getLogger("ixray.distributed")

# Ray tasks of one step: retried on worker death and on exceptions (a
# retried build unit rewrites its own segment directory).
DEFAULT_TASK_OPTIONS: dict[str, Any] = {"max_retries": 3, "retry_exceptions": True}

# Test hook: IXRAY_DISTRIBUTED_FAULT="<step>:<unit index>:once:<marker file>"
# makes the first attempt of that unit fail after it ran (its files are on
# disk); "<step>:<unit index>:always" makes every attempt fail.
FAULT_ENV = "IXRAY_DISTRIBUTED_FAULT"


def import_ray():
    """Imports ray with its usage statistics off (every path that may start Ray)."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    import ray

    return ray


def ensure_ray():
    ray = import_ray()
    if not ray.is_initialized():
        ray.init(include_dashboard=False, ignore_reinit_error=True, logging_level=logging.WARNING)
    return ray


def ray_importable() -> bool:
    try:
        import_ray()
    except ImportError:
        return False
    return True


def execute_unit(unit: bytes, shared: bytes, threads: int) -> bytes:
    """Runs one work unit in this (worker) process; datasets stay cached here."""
    answer = _core.execute_work_unit(unit, shared, threads)
    _maybe_inject_fault(unit)
    return answer


def _maybe_inject_fault(unit: bytes) -> None:
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    parts = spec.split(":", 3)
    info = _core.work_unit_info(unit)
    if len(parts) < 3 or parts[0] != info["kind"] or int(parts[1]) != info["index"]:
        return
    if parts[2] == "always":
        raise RuntimeError(f"injected fault in {info['kind']} unit {info['index']}")
    if parts[2] == "once" and len(parts) == 4:
        try:
            fd = os.open(parts[3], os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.close(fd)
        raise RuntimeError(f"injected fault in {info['kind']} unit {info['index']} (first attempt)")


_remote_lock = threading.Lock()
_remote_fn = None


def _remote(ray):
    global _remote_fn
    with _remote_lock:
        if _remote_fn is None:
            _remote_fn = ray.remote(execute_unit)
        return _remote_fn


def make_runner(ray_remote_args: dict | None, pool: Any = None) -> Callable:
    """runner(step, units, shared) -> answers, for the C++ coordinator."""
    ray = ensure_ray()
    options = dict(DEFAULT_TASK_OPTIONS)
    options.update(ray_remote_args or {})
    threads = max(1, int(options.get("num_cpus", 1) or 1))

    def run(step: str, units: list[bytes], shared: bytes) -> list[bytes]:
        if pool is not None and step == "search":
            return list(pool.starmap(execute_unit, [(u, shared, threads) for u in units]))
        shared_ref = ray.put(shared)  # once per step, whatever the number of units
        task = _remote(ray).options(**options)
        refs = [task.remote(u, shared_ref, threads) for u in units]
        return ray.get(refs)

    return run


# ---- the global Pool ---------------------------------------------------------

_pool_lock = threading.Lock()
_global_pool: Any = None


def init_global_pool(processes: int | None = None, ray_remote_args: dict | None = None):
    global _global_pool
    with _pool_lock:
        if _global_pool is None:
            ensure_ray()
            from ray.util.multiprocessing import Pool

            _global_pool = Pool(processes=processes, ray_remote_args=ray_remote_args)
        return _global_pool


def set_global_pool(pool: Any) -> None:
    global _global_pool
    with _pool_lock:
        _global_pool = pool


def get_global_pool() -> Any:
    with _pool_lock:
        return _global_pool


def clear_global_pool(close: bool = True) -> None:
    global _global_pool
    with _pool_lock:
        pool, _global_pool = _global_pool, None
    if pool is not None and close:
        pool.close()
        pool.join()


def pool_size(pool: Any) -> int | None:
    """The number of processes of a Pool, when it can be told."""
    for attr in ("_processes", "processes"):
        size = getattr(pool, attr, None)
        if isinstance(size, int):
            return size
    actors = getattr(pool, "_actor_pool", None)
    return len(actors) if isinstance(actors, list) else None
