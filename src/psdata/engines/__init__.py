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

from .._lighthouse import DEFAULT_THROTTLING, MAX_CONTEXTS, THROTTLING_METHODS

if TYPE_CHECKING:
    from .._request import Request

Measure = Callable[[str, str], Awaitable[dict[str, Any]]]


class EngineImplementation(Protocol):
    """What an engine module provides (see the module docstring)."""

    def settings(self, request: Request) -> dict[str, Any]:
        """The engine's settings that change results, as plain data."""

    def session(self, request: Request) -> AbstractAsyncContextManager[Measure]:
        """Open the engine for one batch; the context yields its ``measure`` function."""


def _lab_concurrency(throttling: str) -> int:
    """The pool's context limit; fewer under devtools throttling, which spins a core a page."""
    from .._runtime import get_max_concurrent_contexts
    from .lab.pool import devtools_contexts

    limit = get_max_concurrent_contexts()
    return min(limit, devtools_contexts()) if throttling == "devtools" else limit


def _remote_concurrency(throttling: str) -> int:
    return REMOTE_CONCURRENCY


@dataclass(frozen=True)
class Engine:
    """One row of the engine table.

    >>> ENGINES["lab"].default_throttling
    'simulate'
    """

    name: str
    #: Throttling methods it accepts; the first is its default.
    throttling: tuple[str, ...]
    #: ``"module:attribute"`` of its :class:`EngineImplementation`, imported on first use.
    entry: str
    #: Pages measured at once when the caller names no ``concurrency``, per throttling.
    default_concurrency: Callable[[str], int]
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
            THROTTLING_METHODS,
            "psdata.engines.lab.engine:LAB",
            _lab_concurrency,
            MAX_CONTEXTS,
        ),
        Engine("psi", (DEFAULT_THROTTLING,), "psdata.engines.psi:PSI", _remote_concurrency),
        Engine("crux", (DEFAULT_THROTTLING,), "psdata.engines.psi:CRUX", _remote_concurrency),
    )
}
