"""The per-URL timeout's clock, which restarts when the measurement proper begins.

The batch bounds every attempt by the ``timeout`` the user gave. An engine that first
waits for capacity (the lab engine for a free browser-context slot) calls
:func:`restart_clock` once it has it, so the time spent waiting does not count against
the measurement.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar

_restart: ContextVar[Callable[[], None] | None] = ContextVar("psdata_restart", default=None)


@contextlib.asynccontextmanager
async def deadline(seconds: float) -> AsyncIterator[None]:
    """Bound the block by *seconds*, counted from entry or from the last restart.

    Raises :class:`TimeoutError` when the time runs out.

    >>> async def slow() -> None:
    ...     async with deadline(1.0):
    ...         await asyncio.sleep(0.6)
    ...         restart_clock()
    ...         await asyncio.sleep(0.6)
    >>> asyncio.run(slow())  # 1.2 s in all, but never 1 s since the last restart
    """
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(seconds) as clock:
        token = _restart.set(lambda: clock.reschedule(loop.time() + seconds))
        try:
            yield
        finally:
            _restart.reset(token)


def restart_clock() -> None:
    """Start the current :func:`deadline` again from now (no-op outside one)."""
    restart = _restart.get()
    if restart is not None:
        restart()
