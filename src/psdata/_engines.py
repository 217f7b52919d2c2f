"""The engine table: every way psdata can measure one URL for one strategy.

An engine is found here by name, never by an if/else. Its implementation lives in its
own module and is imported on first use (the ``psi`` engine needs no browser, the
``lab`` engine no HTTP client). It implements :class:`EngineImplementation`: the
settings that change its results (part of every cache key), and a session opened for
one batch whose ``measure(url, strategy)`` returns a record (a dict of columns, plus
the engine's ``details``) or raises an :class:`~psdata.AnalysisError`.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._request import Request

#: Every throttling method a row can name, in the order of the column's categories.
THROTTLING_METHODS: tuple[str, ...] = ("devtools", "provided", "simulate")

Measure = Callable[[str, str], Awaitable[dict[str, Any]]]


class EngineImplementation(Protocol):
    """What an engine module provides (see the module docstring)."""

    def settings(self, request: Request) -> dict[str, Any]:
        """The engine's settings that change results, as plain data."""

    def session(self, request: Request) -> AbstractAsyncContextManager[Measure]:
        """Open the engine for one batch; the context yields its ``measure`` function."""


def _context_limit() -> int:
    from ._runtime import get_max_concurrent_contexts

    return get_max_concurrent_contexts()


@dataclass(frozen=True)
class Engine:
    """One row of the engine table.

    >>> ENGINES["lab"].default_throttling
    'devtools'
    """

    name: str
    #: Throttling methods it accepts; the first is its default.
    throttling: tuple[str, ...]
    #: ``"module:attribute"`` of its :class:`EngineImplementation`, imported on first use.
    entry: str
    default_concurrency: Callable[[], int]
    #: The most pages it measures at once (``None``: no bound of its own).
    max_concurrency: int | None = None

    @property
    def default_throttling(self) -> str:
        """The throttling method used when the caller names none."""
        return self.throttling[0]

    def implementation(self) -> EngineImplementation:
        """Import and return the engine's implementation."""
        module, _, attribute = self.entry.partition(":")
        implementation: EngineImplementation = getattr(importlib.import_module(module), attribute)
        return implementation


#: Requests in flight at once for the remote APIs (PSI allows about 4 per second per key).
REMOTE_CONCURRENCY = 4

ENGINES: dict[str, Engine] = {
    engine.name: engine
    for engine in (
        Engine(
            "lab",
            ("devtools", "provided", "simulate"),
            "psdata.lab.engine:LAB",
            _context_limit,
            5,
        ),
        Engine("psi", ("simulate",), "psdata.psi:PSI", lambda: REMOTE_CONCURRENCY),
        Engine("crux", ("simulate",), "psdata.psi:CRUX", lambda: REMOTE_CONCURRENCY),
    )
}
