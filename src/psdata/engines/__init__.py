"""The engine table: every way psdata can measure one URL for one strategy.

An engine is found here by name, never by an if/else. Its row says which throttling
methods it accepts and where its implementation lives; the implementation (see
:mod:`psdata.engines.interface`) is imported on first use, so the ``psi`` engine needs
no browser and the ``lab`` engine no HTTP client. The table is data only: every layer
may read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._lighthouse import DEFAULT_THROTTLING, MAX_CONTEXTS, THROTTLING_METHODS


@dataclass(frozen=True)
class Engine:
    """One row of the engine table.

    >>> ENGINES["lab"].default_throttling
    'simulate'
    """

    name: str
    #: Throttling methods it accepts; the first is its default.
    throttling: tuple[str, ...]
    #: ``"module:attribute"`` of its implementation, imported on first use.
    entry: str
    #: The most pages it measures at once (``None``: no bound of its own).
    max_concurrency: int | None = None
    #: Loads pages in psdata's own browser, so it takes the options that change how
    #: (logins, cookies, headers, blocked requests; ``Option.browser_only``).
    browser: bool = False

    @property
    def default_throttling(self) -> str:
        """The throttling method used when the caller names none."""
        return self.throttling[0]


ENGINES: dict[str, Engine] = {
    engine.name: engine
    for engine in (
        Engine("lab", THROTTLING_METHODS, "psdata.engines.lab.engine:LAB", MAX_CONTEXTS, True),
        Engine("psi", (DEFAULT_THROTTLING,), "psdata.engines.psi:PSI"),
        Engine("crux", (DEFAULT_THROTTLING,), "psdata.engines.psi:CRUX"),
    )
}
