"""What an engine implements, and how the batch finds it in the engine table.

An engine's implementation (the ``entry`` of its row in :data:`psdata.engines.ENGINES`)
provides the settings that change its results (part of every cache key), the number of
pages it measures at once when the caller names none, and a session opened for one
batch whose ``measure(url, strategy, categories)`` returns a record (a row, see
:func:`psdata._frame.make_row`, plus the engine's ``details``) or raises an
:class:`~psdata.AnalysisError`. *categories* are the batch's, or fewer (the runs after
the first of ``runs=N`` measure performance only).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from .._request import Request
from . import ENGINES

Measure = Callable[[str, str, tuple[str, ...]], Awaitable[dict[str, Any]]]


class EngineImplementation(Protocol):
    """What an engine module provides (see the module docstring)."""

    def settings(self, request: Request) -> dict[str, Any]:
        """The engine's settings that change results, as plain data."""

    def default_concurrency(self, throttling: str) -> int:
        """Pages measured at once when the caller names no ``concurrency``."""

    def session(self, request: Request) -> AbstractAsyncContextManager[Measure]:
        """Open the engine for one batch; the context yields its ``measure`` function."""


def implementation(name: str) -> EngineImplementation:
    """Import and return the implementation of the engine called *name*.

    >>> implementation("psi").default_concurrency("simulate")
    4
    """
    module, _, attribute = ENGINES[name].entry.partition(":")
    found: EngineImplementation = getattr(importlib.import_module(module), attribute)
    return found
