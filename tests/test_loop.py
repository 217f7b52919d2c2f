"""The loop thread: submit, blocking from the loop thread, cancellation, shutdown hooks."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import pytest

from psdata._errors import LoopThreadError
from psdata._loop import LoopThread


@pytest.fixture
def loop_thread():
    thread = LoopThread(name="psdata-test-loop")
    yield thread
    thread.shutdown()


def test_submit_runs_on_the_loop_thread_and_returns_a_future(loop_thread: LoopThread) -> None:
    async def where() -> str:
        return threading.current_thread().name

    future = loop_thread.submit(where())
    assert isinstance(future, concurrent.futures.Future)
    assert future.result(5) == "psdata-test-loop"


def test_blocking_call_from_the_loop_thread_raises_instead_of_deadlocking(
    loop_thread: LoopThread,
) -> None:
    async def nested() -> int:
        async def inner() -> int:
            return 1

        return loop_thread.run(inner())

    with pytest.raises(LoopThreadError, match="analyze_async"):
        loop_thread.run(nested(), timeout=5)


def test_works_while_the_callers_thread_runs_its_own_loop(loop_thread: LoopThread) -> None:
    """As in Jupyter: the sync API is called from inside a running event loop."""

    async def answer() -> int:
        await asyncio.sleep(0.01)
        return 42

    async def notebook_cell() -> int:
        return loop_thread.run(answer(), timeout=5)

    assert asyncio.run(notebook_cell()) == 42


def test_timeout_cancels_the_coroutine(loop_thread: LoopThread) -> None:
    cancelled = threading.Event()

    async def forever() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with pytest.raises(concurrent.futures.TimeoutError):
        loop_thread.run(forever(), timeout=0.1)
    assert cancelled.wait(5)


def test_shutdown_runs_hooks_once_stops_the_thread_and_refuses_work() -> None:
    thread = LoopThread()
    calls: list[str] = []

    async def hook() -> None:
        calls.append(threading.current_thread().name)

    thread.add_shutdown_hook(hook)
    thread.shutdown()
    thread.shutdown()
    assert calls == ["psdata-loop"]
    assert not thread._thread.is_alive()

    async def anything() -> None:
        return None

    with pytest.raises(LoopThreadError, match="shut down"):
        thread.submit(anything())


def test_a_failing_hook_does_not_stop_shutdown() -> None:
    thread = LoopThread()
    ran: list[int] = []

    async def bad() -> None:
        raise RuntimeError("hook failed")

    async def good() -> None:
        ran.append(1)

    thread.add_shutdown_hook(good)
    thread.add_shutdown_hook(bad)
    thread.shutdown()
    assert ran == [1]
    assert not thread._thread.is_alive()
