"""What one ``analyze`` call asked for, checked: the batch layer's and the engines' input."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._options import Options
from ._retry import RetryPolicy


@dataclass(frozen=True)
class Request:
    """One call's options, checked; see :func:`psdata.analyze` for their meaning.

    ``options`` holds every option's checked value (see :mod:`psdata._options`); the
    fields below are those resolved with the engine's defaults, typed as such.
    """

    options: Options = field(repr=False)  # repr=False: it holds the API key
    strategies: tuple[str, ...]
    categories: tuple[str, ...]
    throttling: str
    concurrency: int
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def engine(self) -> str:
        """The engine's name in the engine table."""
        return self.options["engine"]

    @property
    def runs(self) -> int:
        """Runs of each URL and strategy (the row is the representative one)."""
        return self.options["runs"]

    @property
    def timeout(self) -> float:
        """Seconds allowed for one URL's measurement (one attempt)."""
        return self.options["timeout"]
