"""The loop thread: one daemon thread running the asyncio loop that owns all async work.

The caller's thread (a Jupyter cell, a script) never runs a loop of psdata's; it submits
coroutines here (:func:`run_sync`, :func:`run_async`) and waits on a
:class:`concurrent.futures.Future`. That is why psdata works inside an already running
loop (Jupyter) without ``nest_asyncio``. What lives on the loop (the lab engine's
browser) registers a shutdown hook, what any thread may start (the Lantern worker) a
closer (:func:`close_at_shutdown`); :func:`shutdown` runs them.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from ._errors import LoopThreadError

T = TypeVar("T")
log = logging.getLogger("psdata")

ShutdownHook = Callable[[], Awaitable[None]]
WAKE_S = 0.1


class LoopThread:
    """A daemon thread running one asyncio event loop until :meth:`shutdown`.

    >>> loop = LoopThread()
    >>> async def answer() -> int:
    ...     return 42
    >>> loop.run(answer())
    42
    >>> loop.shutdown()
    """

    def __init__(self, name: str = "psdata-loop") -> None:
        self._loop = asyncio.new_event_loop()
        self._hooks: list[ShutdownHook] = []
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop running in the thread."""
        return self._loop

    def in_loop_thread(self) -> bool:
        """Whether the current thread is this loop's thread."""
        return threading.current_thread() is self._thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule *coro* on the loop; return a future the caller may wait on."""
        if self._closed:
            coro.close()
            raise LoopThreadError("psdata's loop thread has been shut down.")
        if self.in_loop_thread():
            coro.close()
            raise LoopThreadError(
                "A blocking psdata call was made from psdata's own loop thread; "
                "await the async variant (e.g. analyze_async) instead."
            )
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run *coro* on the loop and block until it finishes.

        A ``KeyboardInterrupt`` while waiting cancels the coroutine (its own cleanup
        runs on the loop) and is re-raised.
        """
        future = self.submit(coro)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                # Wake up regularly: a signal handler (Ctrl-C) only runs between waits.
                step = WAKE_S if deadline is None else min(WAKE_S, deadline - time.monotonic())
                try:
                    return future.result(max(0.0, step))
                except concurrent.futures.TimeoutError:
                    if deadline is not None and time.monotonic() >= deadline:
                        raise
        except BaseException:  # KeyboardInterrupt or our own timeout: stop the work
            future.cancel()
            raise

    def add_shutdown_hook(self, hook: ShutdownHook) -> None:
        """Await *hook()* on the loop when the thread shuts down (e.g. close a browser)."""
        self._hooks.append(hook)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Run the shutdown hooks, stop the loop and join the thread. Idempotent."""
        if self._closed:
            return
        if self.in_loop_thread():
            raise LoopThreadError("shutdown() cannot be called from the loop thread.")
        self._closed = True
        if self._thread.is_alive():
            future = asyncio.run_coroutine_threadsafe(self._run_hooks(), self._loop)
            try:
                future.result(timeout)
            except Exception:  # a hook that fails must not keep the process alive
                log.warning("psdata shutdown hook failed", exc_info=True)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
        if not self._loop.is_running():
            self._loop.close()

    async def _run_hooks(self) -> None:
        for hook in reversed(self._hooks):
            try:
                await hook()
            except Exception:
                log.warning("psdata shutdown hook %r failed", hook, exc_info=True)
        self._hooks.clear()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


_lock = threading.Lock()
_instance: LoopThread | None = None
_closers: list[Callable[[], None]] = []


def get_loop_thread() -> LoopThread:
    """The process-wide loop thread, started on first use and shut down at exit."""
    global _instance
    with _lock:
        if _instance is None or _instance._closed:
            _instance = LoopThread()
        return _instance


def close_at_shutdown(close: Callable[[], None]) -> None:
    """Have every :func:`shutdown` call *close* (sync, brief, idempotent) after the loop
    thread's hooks: for what any thread may have started (a worker process).

    >>> close_at_shutdown(lambda: None)
    """
    with _lock:
        _closers.append(close)


def shutdown() -> None:
    """Close the shared browser and stop psdata's loop thread (it restarts on next use).

    Runs the loop thread's shutdown hooks (the browser), then the closers of what other
    threads may have started (the Lantern worker). Safe to call twice.

    >>> import psdata
    >>> psdata.shutdown()
    """
    global _instance
    with _lock:
        instance, _instance = _instance, None
        closers = list(_closers)
    if instance is not None:
        instance.shutdown()
    for close in closers:
        try:
            close()
        except Exception:  # one that fails must not keep the others open
            log.warning("psdata shutdown closer %r failed", close, exc_info=True)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run *coro* on the loop thread and wait for it (the sync API's one entry point)."""
    return get_loop_thread().run(coro)


async def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Await *coro* run on the loop thread, from any other event loop (e.g. Jupyter's)."""
    thread = get_loop_thread()
    if thread.in_loop_thread():
        return await coro
    return await asyncio.wrap_future(thread.submit(coro))


atexit.register(shutdown)
