"""The current measurement's deadline: set by the batch, read by engines that wait.

An engine that waits for something shared with other measurements (the lab engine's
trace epochs) gives up in time to still return a row, instead of letting the batch's
per-URL timeout turn the whole measurement into an error.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar

#: Loop time (``loop.time()``) by which the current measurement must be done, if any.
DEADLINE: ContextVar[float | None] = ContextVar("psdata_deadline", default=None)


def seconds_left(default: float) -> float:
    """Seconds until the current measurement's deadline, or *default* if it has none.

    >>> seconds_left(5.0)
    5.0
    """
    deadline = DEADLINE.get()
    if deadline is None:
        return default
    return deadline - asyncio.get_running_loop().time()
