"""Lighthouse's time savings of the performance opportunities, by Lantern in the worker.

One request per page: the worker builds the page's dependency graph and simulator once
(as for the simulated metrics, with the run's throttling method), then answers every
question of :class:`~psdata.engines.lab.opportunities.savings.SavingsQuestions` on them:

- a byte opportunity's FCP and LCP savings: the optimistic FCP and LCP graphs simulated
  as loaded and with each URL's transfer shrunk by its wasted bytes (Lighthouse's
  ``ByteEfficiencyAudit.computeWasteWithGraph``, rounded to 10 ms; the LCP saving is at
  least what the LCP image's own waste costs at the simulated throughput);
- render-blocking requests: each one's time on the optimistic FCP graph, and the first
  paint's saving with all of them (and what depends on them) deferred, the used part of
  blocking style sheets inlined into the document (``RenderBlockingResources``);
- requests served over HTTP/1.x: the pessimistic FCP and LCP graphs simulated as loaded
  and with those requests over HTTP/2 (``UsesHTTP2Audit.computeWasteWithGraph``, rounded
  to 10 ms).

The answer is a :class:`LanternSavings`, the
:class:`~psdata.engines.lab.opportunities.savings.LoadSimulation` the audits read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from psdata._errors import ConfigurationError
from psdata.engines.lab.budget import BUDGET
from psdata.engines.lab.lantern._events import TraceEvent, lantern_events
from psdata.engines.lab.lantern._worker import (
    LanternWorker,
    get_worker,
    read_reply,
    request_cost,
)

__all__ = ["LanternSavings", "estimate_savings"]

Method = Literal["simulate", "devtools"]


def _key(wasted: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((url, float(bytes_)) for url, bytes_ in wasted.items()))


@dataclass(frozen=True)
class LanternSavings:
    """Lantern's answers for one page, looked up by the audits' questions.

    Attributes
    ----------
    by_waste : dict
        FCP/LCP savings (ms) keyed by the sorted (url, wasted bytes) pairs asked.
    blocking : dict of str to float
        Simulated ms of each render-blocking request found on the FCP graph.
    deferring : dict of str to float
        FCP/LCP savings of deferring the render-blocking requests.
    redirects : list of float or None
        Simulated ms of each hop of the redirect chain asked (``None``: not asked).
    http2 : dict of str to float
        FCP/LCP savings of serving the listed requests over HTTP/2 (empty: not asked).
    errors : dict of str to str
        What could not be simulated (``graph``: nothing; ``lcp``: no LCP savings).
    diagnostics : dict
        Throttling method, RTT, graph and compute time in the worker (ms).
    cpu_ms, wall_ms : float
        CPU and wall time the worker spent on the request.

    Examples
    --------
    >>> savings = LanternSavings(by_waste={_key({"a.js": 100.0}): {"FCP": 0.0, "LCP": 20.0}})
    >>> savings.savings_for_bytes({"a.js": 100})
    {'FCP': 0.0, 'LCP': 20.0}
    >>> savings.unavailable("LCP") is None
    True
    """

    by_waste: dict[tuple[tuple[str, float], ...], dict[str, float]] = field(default_factory=dict)
    blocking: dict[str, float] = field(default_factory=dict)
    deferring: dict[str, float] = field(default_factory=dict)
    redirects: list[float] | None = None
    http2: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    cpu_ms: float = 0.0
    wall_ms: float = 0.0

    def savings_for_bytes(self, wasted_bytes_by_url: Mapping[str, float]) -> dict[str, float]:
        """FCP and LCP ms saved without the waste (empty when it was not asked)."""
        return dict(self.by_waste.get(_key(wasted_bytes_by_url), {}))

    def blocking_ms(self, url: str) -> float | None:
        """Simulated ms of a render-blocking request (``None``: not on the FCP graph)."""
        return self.blocking.get(url)

    def savings_for_deferring(self, urls: Collection[str]) -> dict[str, float]:
        """FCP and LCP ms saved by deferring the render-blocking requests."""
        return dict(self.deferring)

    def redirect_ms(self, urls: Sequence[str]) -> list[float] | None:
        """Simulated ms of each hop of the redirect chain (``None``: not simulated)."""
        return None if self.redirects is None else list(self.redirects)

    def savings_for_http2(self, urls: Collection[str]) -> dict[str, float]:
        """FCP and LCP ms saved by serving the listed requests over HTTP/2."""
        return dict(self.http2)

    def unavailable(self, metric: str) -> str | None:
        """Why *metric* has no estimate: the graph failed, or (LCP) the LCP simulation."""
        if "graph" in self.errors:
            return f"Lantern could not simulate the page ({self.errors['graph']})"
        if metric == "LCP" and "lcp" in self.errors:
            return f"Lantern could not simulate the LCP ({self.errors['lcp']})"
        return None

    @classmethod
    def from_result(cls, result: Mapping[str, Any], asked: Mapping[str, Any]) -> LanternSavings:
        """Build from the worker's answer to the questions *asked* (its request)."""
        by_waste = {}
        for audit_id, metric in (result.get("bytes") or {}).items():
            wasted = (asked.get("bytes") or {}).get(audit_id)
            if wasted is not None:
                by_waste[_key(wasted)] = {k: float(v) for k, v in metric.items()}
        blocking: dict[str, float] = {}
        deferring: dict[str, float] = {}
        found = result.get("renderBlocking")
        if found:
            blocking = {url: float(ms) for url, ms in (found.get("timings") or {}).items()}
            deferring = {"FCP": float(found["FCP"]), "LCP": float(found["LCP"])}
        cpu_ms, wall_ms = request_cost(result)
        hops = result.get("redirects")
        return cls(
            by_waste=by_waste,
            blocking=blocking,
            deferring=deferring,
            redirects=None if hops is None else [float(h["wastedMs"]) for h in hops],
            http2={k: float(v) for k, v in (result.get("http2") or {}).items()},
            errors={k: str(v) for k, v in (result.get("errors") or {}).items()},
            diagnostics=dict(result.get("diagnostics") or {}),
            cpu_ms=cpu_ms,
            wall_ms=wall_ms,
        )


async def estimate_savings(
    main_thread_events: Sequence[TraceEvent],
    devtools_log: Sequence[Mapping[str, Any]],
    questions: Mapping[str, Any],
    *,
    url: str,
    frame_id: str,
    strategy: Literal["mobile", "desktop"] = "mobile",
    throttling_method: Method = "simulate",
    timeout: float = BUDGET.savings_s,
    worker: LanternWorker | None = None,
) -> LanternSavings:
    """Lantern's savings for one page's opportunities (one worker request).

    Parameters
    ----------
    main_thread_events, devtools_log, url, frame_id, strategy
        The page, as for :func:`~psdata.engines.lab.lantern.simulate`.
    questions : dict
        ``bytes`` (audit id → URL → wasted bytes), ``renderBlocking`` (URLs),
        ``wastedCssBytes`` (style sheet URL → unused bytes), ``lcpImageUrl``,
        ``redirects`` (URLs), ``http2`` (URLs): see
        :func:`psdata.engines.lab.opportunities.savings.describe_questions`.
    throttling_method : {"simulate", "devtools"}
        The run's method: the simulator's settings follow it, as in Lighthouse.
    timeout : float, optional
        Seconds to wait for the worker (default: the lab budget's ``savings_s``).
    worker : LanternWorker, optional
        By default the process-wide worker.

    Returns
    -------
    LanternSavings

    Raises
    ------
    ConfigurationError
        An unknown ``strategy`` or ``throttling_method``.
    PageTimeoutError, InternalError
        The worker did not answer in time, or failed.

    Examples
    --------
    >>> import asyncio
    >>> savings = asyncio.run(estimate_savings(events, devtools_log,
    ...     {"bytes": {"unused-javascript": {js_url: 40_000}}}, url=url,
    ...     frame_id=frame_id))  # doctest: +SKIP
    >>> savings.savings_for_bytes({js_url: 40_000})  # doctest: +SKIP
    {'FCP': 0.0, 'LCP': 310.0}
    """
    if strategy not in ("mobile", "desktop"):
        raise ConfigurationError(f"strategy must be 'mobile' or 'desktop', not {strategy!r}")
    if throttling_method not in ("simulate", "devtools"):
        raise ConfigurationError(f"throttling_method must be simulate or devtools: {strategy!r}")
    payload = {
        "mainThreadEvents": lantern_events(main_thread_events),
        "devtoolsLog": [e for e in devtools_log if str(e.get("method", "")).startswith("Network.")],
        "frameId": frame_id,
        "requestedUrl": url,
        "formFactor": strategy,
        "throttlingMethod": throttling_method,
        **questions,
    }
    result = await (worker or get_worker()).request("savings", payload, timeout=timeout)
    return read_reply(LanternSavings.from_result, result, questions)
