"""The process-wide pieces: the loop thread and the shared context pool on it.

The pool is created lazily on the loop thread and closed by the loop thread's shutdown
hook (at interpreter exit, or by :func:`shutdown`). ``PSDATA_MAX_CONTEXTS`` in the
environment sets the context limit when psdata is imported (dask workers use it).
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import psutil

from ._errors import ConfigurationError
from ._lighthouse import MAX_CONTEXTS, MIN_CONTEXTS
from ._loop import get_loop_thread, shutdown_loop_thread
from .engines.lab.pool import DEFAULT_CONTEXTS, ContextPool, check_max_contexts

T = TypeVar("T")

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
_max_contexts = _env_max_contexts()


def worker_id() -> str:
    """This process as ``host:pid``: the ``worker`` column of the rows it returns.

    >>> import os
    >>> worker_id().endswith(f":{os.getpid()}")
    True
    """
    return f"{socket.gethostname()}:{os.getpid()}"


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run *coro* on the loop thread and wait for it (the sync API's one entry point)."""
    return get_loop_thread().run(coro)


async def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Await *coro* run on the loop thread, from any other event loop (e.g. Jupyter's)."""
    thread = get_loop_thread()
    if thread.in_loop_thread():
        return await coro
    return await asyncio.wrap_future(thread.submit(coro))


def get_pool() -> ContextPool:
    """The shared pool (created on first use; call from the loop thread)."""
    global _pool
    with _lock:
        if _pool is None or _pool.state == "closed":
            _pool = ContextPool(max_contexts=_max_contexts)
            get_loop_thread().add_shutdown_hook(_pool.shutdown)
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
    with _lock:
        pool = _pool
    if pool is not None and pool.state != "closed":
        run_sync(pool.set_max_contexts(n))


def get_max_concurrent_contexts() -> int:
    """The current limit of concurrent browser contexts (default 3).

    >>> import psdata
    >>> psdata.get_max_concurrent_contexts() in range(1, 6)
    True
    """
    return _max_contexts


def pool_stats(client: Any = None) -> dict[str, Any]:
    """Statistics of the shared pool: slots, their state and pages served, the browser.

    Parameters
    ----------
    client : distributed.Client, optional
        Gather every dask worker's stats instead: a dict of each worker's dict (with a
        ``worker`` key, ``host:pid``) by worker address.

    Examples
    --------
    >>> import psdata
    >>> psdata.pool_stats()["mode"]
    'multi-context'
    >>> psdata.pool_stats(client)  # doctest: +SKIP
    {'tcp://127.0.0.1:40301': {'mode': 'multi-context', 'worker': 'host:4242', ...}, ...}
    """
    if client is not None:
        from .dask import cluster_pool_stats

        return cluster_pool_stats(client)
    with _lock:
        pool = _pool
    if pool is None:
        return ContextPool(max_contexts=_max_contexts).stats()
    stats = run_sync(_stats(pool))
    stats["browser_memory_mb"] = round(browser_memory_bytes() / 2**20, 1)
    return stats


async def _stats(pool: ContextPool) -> dict[str, Any]:
    return pool.stats()


def is_browser_process(process: psutil.Process) -> bool:
    """Whether *process* is a Chromium process (raises :class:`psutil.Error` if gone).

    >>> is_browser_process(psutil.Process())
    False
    """
    name = process.name()
    return "chrom" in name.lower() or "headless_shell" in name


def browser_processes() -> list[psutil.Process]:
    """Chromium processes started by this Python process (through Playwright's driver)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if is_browser_process(child):
                found.append(child)
        except psutil.Error:
            continue
    return found


def browser_memory_bytes() -> int:
    """Resident memory of every browser process of this Python process, in bytes."""
    total = 0
    for process in browser_processes():
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def shutdown() -> None:
    """Close the shared browser and stop psdata's loop thread (it restarts on next use).

    >>> import psdata
    >>> psdata.shutdown()
    """
    global _pool
    shutdown_loop_thread()
    with _lock:
        _pool = None
