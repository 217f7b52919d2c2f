"""Where the time of one measurement goes: named phases, in milliseconds."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


class Stopwatch:
    """Accumulates wall-clock time per named phase.

    >>> watch = Stopwatch()
    >>> with watch.phase("load"):
    ...     pass
    >>> list(watch.phases)
    ['load']
    """

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the block and add it to *name*'s total."""
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            self.phases[name] = self.phases.get(name, 0.0) + elapsed
