"""The per-URL timeout's clock: it restarts when the measurement proper begins.

The batch bounds every attempt by the ``timeout`` the user gave (:func:`deadline`). An
engine that first waits for capacity (the lab engine for a free browser-context slot)
calls :func:`restart_clock` once it has it, so the time spent waiting does not count
against the measurement. An engine that waits for something shared with other
measurements (the lab engine's trace epochs) reads :func:`seconds_left` and gives up in
time to still return a row.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar

#: The current attempt's timeout and its length in seconds, if any.
_CLOCK: ContextVar[tuple[asyncio.Timeout, float] | None] = ContextVar("psdata_clock", default=None)


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
    async with asyncio.timeout(seconds) as clock:
        token = _CLOCK.set((clock, seconds))
        try:
            yield
        finally:
            _CLOCK.reset(token)


def restart_clock() -> None:
    """Start the current :func:`deadline` again from now (no-op outside one)."""
    current = _CLOCK.get()
    if current is not None:
        clock, seconds = current
        clock.reschedule(asyncio.get_running_loop().time() + seconds)


def seconds_left(default: float) -> float:
    """Seconds until the current :func:`deadline` runs out, or *default* outside one.

    >>> seconds_left(5.0)
    5.0
    """
    current = _CLOCK.get()
    when = None if current is None else current[0].when()
    return default if when is None else when - asyncio.get_running_loop().time()
