"""What one ``analyze`` call asked for, validated: the batch layer's only input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._retry import RetryPolicy
from ._version import __version__
from .engines import ENGINES, Engine


@dataclass(frozen=True)
class Request:
    """Every option of one call, checked; see :func:`psdata.analyze` for their meaning."""

    strategies: tuple[str, ...]
    engine: str
    categories: tuple[str, ...]
    throttling: str
    concurrency: int
    timeout: float
    max_age: float | None
    skip_cache: bool
    force_retry: bool
    quiet_window_ms: float | None = None
    psi_key: str | None = field(default=None, repr=False)
    psi_endpoint: str | None = None
    crux_endpoint: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def engine_spec(self) -> Engine:
        """The engine's row in the engine table."""
        return ENGINES[self.engine]

    def settings(self) -> dict[str, Any]:
        """The settings that change results (part of every cache key and file metadata)."""
        base: dict[str, Any] = {"version": __version__, "categories": list(self.categories)}
        return {**base, **self.engine_spec.implementation().settings(self)}
