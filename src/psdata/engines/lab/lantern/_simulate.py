"""Lighthouse's simulated metrics for one page, computed by Lantern in the Node worker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

__all__ = ["METRIC_NAMES", "MetricEstimate", "SimulatedMetrics", "simulate"]

#: psdata's name of each simulated metric → the glue's.
METRIC_NAMES: Mapping[str, str] = {
    "fcp_ms": "fcp",
    "lcp_ms": "lcp",
    "speed_index_ms": "speedIndex",
    "tbt_ms": "tbt",
    "interactive_ms": "interactive",
    "max_potential_fid_ms": "maxPotentialFid",
}

Strategy = Literal["mobile", "desktop"]


@dataclass(frozen=True)
class MetricEstimate:
    """One metric's simulation: Lighthouse's value and the two estimates it mixes.

    Attributes
    ----------
    value_ms : float
        What Lighthouse reports (``numericValue``).
    optimistic_ms, pessimistic_ms : float
        The estimates from Lantern's optimistic and pessimistic graphs.
    """

    value_ms: float
    optimistic_ms: float
    pessimistic_ms: float


@dataclass(frozen=True)
class SimulatedMetrics:
    """Lighthouse's simulated ("simulate" throttling) metrics for one page.

    A metric Lantern could not compute is ``None`` and its reason (Lighthouse's error
    code, such as ``NO_LCP``) is in :attr:`errors`.

    Attributes
    ----------
    fcp_ms, lcp_ms, speed_index_ms, tbt_ms, interactive_ms, max_potential_fid_ms : float or None
        The metric values, as Lighthouse's audits report them (``numericValue``).
    estimates : dict of str to MetricEstimate
        The optimistic and pessimistic estimates behind each computed metric.
    errors : dict of str to str
        Metric name → why it is missing.
    navigation : dict of str to float or None
        Trace timestamps (µs) of the time origin, FCP and LCP the simulation used.
    diagnostics : dict
        Graph size, network analysis (RTT, server response time by origin), throttling.
    cpu_ms, wall_ms : float
        CPU and wall time the worker spent on this page.
    """

    fcp_ms: float | None
    lcp_ms: float | None
    speed_index_ms: float | None
    tbt_ms: float | None
    interactive_ms: float | None
    max_potential_fid_ms: float | None
    estimates: dict[str, MetricEstimate] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    navigation: dict[str, float | None] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    cpu_ms: float = 0.0
    wall_ms: float = 0.0

    def values(self) -> dict[str, float | None]:
        """The six metric values by name (the keys :mod:`psdata.engines.lab.scoring` reads).

        >>> SimulatedMetrics(1.0, 2.0, 3.0, 4.0, 5.0, 6.0).values()["lcp_ms"]
        2.0
        """
        return {name: getattr(self, name) for name in METRIC_NAMES}

    @classmethod
    def from_result(cls, result: Mapping[str, Any]) -> SimulatedMetrics:
        """Build from the worker's answer (the glue's ``simulate`` result)."""
        metrics = result.get("metrics") or {}
        errors = result.get("errors") or {}
        values: dict[str, float | None] = {}
        estimates: dict[str, MetricEstimate] = {}
        problems: dict[str, str] = {}
        for name, js_name in METRIC_NAMES.items():
            metric = metrics.get(js_name)
            if metric is None:
                values[name] = None
                problems[name] = str(errors.get(js_name, "not computed"))
                continue
            values[name] = float(metric["timing"])
            estimates[name] = MetricEstimate(
                float(metric["timing"]), float(metric["optimistic"]), float(metric["pessimistic"])
            )
        cpu_ms, wall_ms = request_cost(result)
        return cls(
            **values,
            estimates=estimates,
            errors=problems,
            navigation=dict(result.get("navigation") or {}),
            diagnostics=dict(result.get("diagnostics") or {}),
            cpu_ms=cpu_ms,
            wall_ms=wall_ms,
        )


async def simulate(
    main_thread_events: Sequence[TraceEvent],
    devtools_log: Sequence[Mapping[str, Any]],
    *,
    url: str,
    frame_id: str,
    strategy: Strategy = "mobile",
    observed_speed_index_ms: float | None = None,
    main_document_url: str | None = None,
    timeout: float = BUDGET.lantern_simulate_s,
    worker: LanternWorker | None = None,
    prune: bool = True,
) -> SimulatedMetrics:
    """Lighthouse's simulated metrics for one page, from its main thread and network.

    Parameters
    ----------
    main_thread_events : sequence of dict
        Trace events of the page's renderer main thread(s), in trace order (the
        ``events`` of its :class:`~psdata.engines.lab.trace.PageTrace`): tasks and their
        children, and the main frame's ``navigationStart``, ``firstContentfulPaint`` and
        ``largestContentfulPaint::*`` events.
    devtools_log : sequence of dict
        The page's CDP ``Network.*`` events as ``{"method", "params"}`` (other events
        are ignored; ``"targetType": "worker"`` marks a worker's requests), in the
        order they arrived.
    url : str
        The URL that was requested (before redirects).
    frame_id : str
        The page's main frame id.
    strategy : {"mobile", "desktop"}
        Lighthouse's simulation preset: mobile is 150 ms RTT, 1,638.4 kbit/s, 4× CPU;
        desktop is 40 ms, 10,240 kbit/s, 1× CPU.
    observed_speed_index_ms : float, optional
        The Speed Index of the unthrottled load (from its screenshots); without it
        ``speed_index_ms`` is ``None``.
    main_document_url : str, optional
        The final document URL; by default, where ``url``'s redirects end.
    timeout : float, optional
        Seconds to wait for the worker (default: the lab budget's ``lantern_simulate_s``).
    worker : LanternWorker, optional
        The Node worker to use; by default the process-wide one (:func:`get_worker`).
    prune : bool, default True
        Send Lantern only the events it reads (:func:`~psdata.engines.lab.lantern.lantern_events`);
        the result is the same, the cost lower.

    Returns
    -------
    SimulatedMetrics

    Raises
    ------
    ConfigurationError
        An unknown ``strategy``.
    PageTimeoutError
        The worker did not answer in time.
    InternalError
        The worker failed (for example an input Lantern cannot build a graph from).

    Examples
    --------
    >>> import asyncio
    >>> metrics = asyncio.run(simulate(events, devtools_log, url=url,
    ...                                frame_id=frame_id))  # doctest: +SKIP
    >>> metrics.lcp_ms, metrics.errors  # doctest: +SKIP
    (2312.5, {'speed_index_ms': 'NO_OBSERVED_SPEED_INDEX'})
    """
    if strategy not in ("mobile", "desktop"):
        raise ConfigurationError(f"strategy must be 'mobile' or 'desktop', not {strategy!r}")
    payload = {
        "mainThreadEvents": lantern_events(main_thread_events) if prune else main_thread_events,
        "devtoolsLog": [e for e in devtools_log if str(e.get("method", "")).startswith("Network.")],
        "frameId": frame_id,
        "requestedUrl": url,
        "mainDocumentUrl": main_document_url,
        "formFactor": strategy,
        "observedSpeedIndex": observed_speed_index_ms,
    }
    result = await (worker or get_worker()).request("simulate", payload, timeout=timeout)
    return read_reply(SimulatedMetrics.from_result, result)
