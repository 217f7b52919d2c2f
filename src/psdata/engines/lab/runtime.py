"""The lab engine's process-wide pieces: the shared context pool and its context limit.

The pool is created lazily on psdata's loop thread and closed by the loop thread's
shutdown hook (at interpreter exit, or by :func:`psdata.shutdown`). ``PSDATA_MAX_CONTEXTS``
in the environment sets the context limit when psdata is imported (dask workers use it).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from ..._errors import ConfigurationError
from ..._lighthouse import MAX_CONTEXTS, MIN_CONTEXTS
from ..._loop import LoopThread, get_loop_thread, run_sync
from .browser import browser_memory_bytes
from .pool import DEFAULT_CONTEXTS, ContextPool, check_max_contexts

MAX_CONTEXTS_ENV = "PSDATA_MAX_CONTEXTS"


def _env_max_contexts() -> int:
    """The context limit from ``PSDATA_MAX_CONTEXTS``, or the default when unset."""
    raw = os.environ.get(MAX_CONTEXTS_ENV, "").strip()
    if not raw:
        return DEFAULT_CONTEXTS
    try:
        return check_max_contexts(int(raw))
    except (ValueError, ConfigurationError):
        raise ConfigurationError(
            f"${MAX_CONTEXTS_ENV} must be an integer from {MIN_CONTEXTS} to {MAX_CONTEXTS},"
            f" got {raw!r}."
        ) from None


_lock = threading.Lock()
_pool: ContextPool | None = None
_pool_thread: LoopThread | None = None  # the loop thread the pool lives on
_max_contexts = _env_max_contexts()


def _open_pool() -> ContextPool | None:
    """The shared pool if one is open (none before first use and after shutdown)."""
    with _lock:
        pool = _pool
    return pool if pool is not None and pool.state != "closed" else None


def get_pool() -> ContextPool:
    """The shared pool (created on first use; call from the loop thread).

    A pool lives on the loop thread it was created on: after :func:`psdata.shutdown` the
    next loop thread gets a new one.
    """
    global _pool, _pool_thread
    thread = get_loop_thread()
    with _lock:
        if _pool is None or _pool.state == "closed" or _pool_thread is not thread:
            _pool, _pool_thread = ContextPool(max_contexts=_max_contexts), thread
            thread.add_shutdown_hook(_pool.shutdown)
        return _pool


def set_max_concurrent_contexts(n: int) -> None:
    """Allow at most *n* (1–5) browser contexts to measure at once.

    >>> import psdata
    >>> psdata.set_max_concurrent_contexts(2)
    >>> psdata.get_max_concurrent_contexts()
    2
    """
    global _max_contexts
    _max_contexts = check_max_contexts(n)
    pool = _open_pool()
    if pool is not None:
        run_sync(pool.set_max_contexts(n))


def get_max_concurrent_contexts() -> int:
    """The current limit of concurrent browser contexts (default 3).

    >>> import psdata
    >>> psdata.get_max_concurrent_contexts() in range(1, 6)
    True
    """
    return _max_contexts


def pool_stats() -> dict[str, Any]:
    """Statistics of this process's shared pool: slots, their state and pages served.

    >>> pool_stats()["mode"]
    'multi-context'
    """
    pool = _open_pool()
    if pool is None:
        return ContextPool(max_contexts=_max_contexts).stats()
    stats = run_sync(_stats(pool))
    stats["browser_memory_mb"] = round(browser_memory_bytes() / 2**20, 1)
    return stats


async def _stats(pool: ContextPool) -> dict[str, Any]:
    return pool.stats()
