"""The performance category's hidden audits (weight 0, not shown as opportunities).

Lighthouse lists them for its report and for tools (Lighthouse CI's
``resource-summary:<type>:size|count`` assertions read ``resource-summary``); each is
informative (a score of 1 that never counts). psdata gives them from what it measured:

- ``network-requests``: every request of the load, times in ms since navigation;
- ``resource-summary``: requests and transfer sizes by resource type, third parties
  apart (the page's site is first party; ``/favicon.ico`` left out, as Lighthouse does);
- ``network-rtt``, ``network-server-latency``: Lantern's network analysis, per origin
  (with the load simulator: simulated throttling);
- ``main-thread-tasks``: the top-level tasks over 5 ms of the page's main thread;
- ``metrics``: the metric values, and the observed ones behind a simulation;
- ``diagnostics``: request, task and byte counts of the page.

Three are listed as not produced (not applicable): ``screenshot-thumbnails`` and
``final-screenshot`` (psdata keeps no images in its results: the load's frames serve
Speed Index and are dropped) and ``script-treemap-data`` (its per-module byte tree needs
every script's source map, which psdata does not fetch).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ...._lighthouse import INFORMATIVE, RESOURCE_SUMMARY_TYPES
from ...._urls import registrable_domain
from ..audit_results import not_produced
from ..evidence import AuditResult
from ._common import resource_size
from .evidence import OpportunityEvidence
from .mainthread import frame_urls, main_thread_tasks

TITLES = {
    "network-requests": "Network Requests",
    "network-rtt": "Network Round Trip Times",
    "network-server-latency": "Server Backend Latencies",
    "main-thread-tasks": "Tasks",
    "diagnostics": "Diagnostics",
    "metrics": "Metrics",
    "screenshot-thumbnails": "Screenshot Thumbnails",
    "final-screenshot": "Final Screenshot",
    "script-treemap-data": "Script Treemap Data",
    "resource-summary": "Resources Summary",
}
#: The audits psdata lists but does not produce, and why (they are not applicable).
NOT_PRODUCED = {
    "screenshot-thumbnails": "psdata keeps no images in its results (the load's frames"
    " serve Speed Index and are dropped)",
    "final-screenshot": "psdata keeps no images in its results",
    "script-treemap-data": "its per-module byte tree needs every script's source map,"
    " which psdata does not fetch",
}
SUMMARY_LABELS = {
    "total": "Total",
    "document": "Document",
    "script": "Script",
    "stylesheet": "Stylesheet",
    "image": "Image",
    "media": "Media",
    "font": "Font",
    "other": "Other",
    "third-party": "Third-party",
}
#: main-thread-tasks lists top-level tasks longer than this (ms).
MIN_LISTED_TASK_MS = 5.0
#: Lighthouse's task-count thresholds in diagnostics (ms).
TASK_THRESHOLDS_MS = (10, 25, 50, 100, 500)
NETWORK_ANALYSIS = (
    "Lantern's network analysis comes with the load simulator (simulated throttling)."
)


def hidden_audits(evidence: OpportunityEvidence) -> list[AuditResult]:
    """Every hidden audit of one page, in Lighthouse's order."""
    return [
        network_requests(evidence),
        network_rtt(evidence),
        network_server_latency(evidence),
        main_thread_tasks_audit(evidence),
        diagnostics(evidence),
        metrics(evidence),
        *(not_produced(a, TITLES[a], why) for a, why in NOT_PRODUCED.items()),
        resource_summary(evidence),
    ]


def _informative(
    audit_id: str,
    items: list[dict[str, Any]],
    *,
    explanation: str | None = None,
    value: float | None = None,
) -> AuditResult:
    return AuditResult(
        audit_id,
        TITLES[audit_id],
        1.0,
        0.0,
        INFORMATIVE,
        details=items,
        explanation=explanation,
        numeric_value=value,
        numeric_unit=None if value is None else "millisecond",
    )


def network_requests(evidence: OpportunityEvidence) -> AuditResult:
    """Every request of the load (ms since the navigation started).

    >>> from psdata.engines.lab.evidence import NetworkRequest
    >>> page = OpportunityEvidence("https://a.test/", requests=[NetworkRequest(
    ...     "1", "https://a.test/", "Document", status=200, transfer_size=900,
    ...     start_ms=0.0, end_ms=40.0)])
    >>> network_requests(page).details[0]["networkEndTime"]
    40.0
    """
    items = [
        {
            "url": r.url,
            "protocol": r.protocol,
            "networkRequestTime": r.start_ms,
            "networkEndTime": r.end_ms,
            "finished": r.end_ms is not None and r.failed is None,
            "transferSize": r.transfer_size,
            "resourceSize": resource_size(evidence, r),
            "statusCode": r.status,
            "mimeType": r.mime_type,
            "resourceType": r.resource_type,
        }
        for r in evidence.requests
    ]
    return _informative("network-requests", items)


def resource_summary(evidence: OpportunityEvidence) -> AuditResult:
    """Requests and bytes by Lighthouse's resource type; total first, third parties last.

    >>> from psdata.engines.lab.evidence import NetworkRequest
    >>> page = OpportunityEvidence("https://a.test/", requests=[
    ...     NetworkRequest("1", "https://a.test/", "Document", transfer_size=900),
    ...     NetworkRequest("2", "https://cdn.b.test/x.js", "Script", transfer_size=100)])
    >>> [(i["resourceType"], i["requestCount"]) for i in resource_summary(page).details][:3]
    [('total', 2), ('document', 1), ('script', 1)]
    """
    site = registrable_domain(urlsplit(evidence.url).hostname or "")
    counts = {kind: [0, 0] for kind in SUMMARY_LABELS}
    for request in evidence.requests:
        kind = RESOURCE_SUMMARY_TYPES.get(request.resource_type, "other")
        if kind == "other" and request.url.endswith("/favicon.ico"):
            continue
        if not request.url.startswith(("http:", "https:")):
            continue
        kinds = [kind, "total"]
        if registrable_domain(urlsplit(request.url).hostname or "") != site:
            kinds.append("third-party")
        for name in kinds:
            counts[name][0] += 1
            counts[name][1] += request.transfer_size
    rows: list[dict[str, Any]] = [
        {
            "resourceType": kind,
            "label": SUMMARY_LABELS[kind],
            "requestCount": count,
            "transferSize": size,
        }
        for kind, (count, size) in counts.items()
    ]
    third = rows.pop()
    rows.sort(key=lambda row: -int(row["transferSize"]))
    return _informative("resource-summary", [*rows, third])


def network_rtt(evidence: OpportunityEvidence) -> AuditResult:
    """Each origin's round trip time (Lantern's least RTT plus the origin's own extra)."""
    analysis = evidence.network_analysis
    if analysis is None:
        return _informative("network-rtt", [], explanation=NETWORK_ANALYSIS)
    base = float(analysis.get("rttMs") or 0.0)
    items = [
        {"origin": origin, "rtt": base + float(extra)}
        for origin, extra in (analysis.get("additionalRttByOrigin") or {}).items()
    ]
    items.sort(key=lambda item: -item["rtt"])
    return _informative(
        "network-rtt", items, value=max((item["rtt"] for item in items), default=0.0)
    )


def network_server_latency(evidence: OpportunityEvidence) -> AuditResult:
    """Each origin's server response time, as Lantern's network analysis estimates it."""
    analysis = evidence.network_analysis
    if analysis is None:
        return _informative("network-server-latency", [], explanation=NETWORK_ANALYSIS)
    items = [
        {"origin": origin, "serverResponseTime": float(latency)}
        for origin, latency in (analysis.get("serverResponseTimeByOrigin") or {}).items()
    ]
    items.sort(key=lambda item: -item["serverResponseTime"])
    longest = max((item["serverResponseTime"] for item in items), default=0.0)
    return _informative("network-server-latency", items, value=longest)


def _top_level_tasks(evidence: OpportunityEvidence) -> list[tuple[float, float]]:
    """(start, duration) in ms of the page's observed top-level tasks (no CPU slowdown)."""
    events = evidence.trace_events or []
    tasks = main_thread_tasks(events, 1.0, frame_urls(events))
    return [(t.start_ms, t.duration_ms) for t in tasks if t.depth == 0]


def main_thread_tasks_audit(evidence: OpportunityEvidence) -> AuditResult:
    """The page's observed top-level tasks longer than 5 ms."""
    if evidence.trace_events is None:
        why = evidence.errors.get("trace", "The page's main-thread trace is missing.")
        return _informative("main-thread-tasks", [], explanation=why)
    items = [
        {"startTime": start, "duration": duration}
        for start, duration in _top_level_tasks(evidence)
        if duration > MIN_LISTED_TASK_MS
    ]
    return _informative("main-thread-tasks", items)


def metrics(evidence: OpportunityEvidence) -> AuditResult:
    """The page's metrics under Lighthouse's names, and the observed ones (the load as it
    ran) when a simulation predicted the others; Time to Interactive is its value."""
    names = {
        "fcp_ms": "firstContentfulPaint",
        "lcp_ms": "largestContentfulPaint",
        "interactive_ms": "interactive",
        "speed_index_ms": "speedIndex",
        "tbt_ms": "totalBlockingTime",
        "max_potential_fid_ms": "maxPotentialFID",
        "cls": "cumulativeLayoutShift",
        "ttfb_ms": "timeToFirstByte",
    }
    item = {name: evidence.metrics.get(key) for key, name in names.items()}
    observed = {
        "fcp_ms": "observedFirstContentfulPaint",
        "lcp_ms": "observedLargestContentfulPaint",
        "speed_index_ms": "observedSpeedIndex",
    }
    for key, name in observed.items():
        item[name] = evidence.observed.get(key, evidence.metrics.get(key))
    interactive = evidence.metrics.get("interactive_ms")
    return _informative("metrics", [item], value=interactive)


def diagnostics(evidence: OpportunityEvidence) -> AuditResult:
    """Counts of the page's requests (by type), main-thread tasks and bytes."""
    requests = evidence.requests

    def count(kind: str) -> int:
        return sum(1 for r in requests if r.resource_type == kind)

    tasks = _top_level_tasks(evidence) if evidence.trace_events is not None else []
    item: dict[str, Any] = {
        "numRequests": len(requests),
        "numScripts": count("Script"),
        "numStylesheets": count("Stylesheet"),
        "numFonts": count("Font"),
        "numTasks": len(tasks),
        **{f"numTasksOver{ms}ms": sum(1 for _, d in tasks if d > ms) for ms in TASK_THRESHOLDS_MS},
        "totalByteWeight": sum(r.transfer_size for r in requests),
        "totalTaskTime": sum(d for _, d in tasks),
        "mainDocumentTransferSize": (
            evidence.main_document.transfer_size if evidence.main_document else None
        ),
    }
    analysis = evidence.network_analysis
    if analysis is not None:
        rtts = [float(analysis.get("rttMs") or 0.0) + float(extra) for extra in
                (analysis.get("additionalRttByOrigin") or {}).values()]  # fmt: skip
        latencies = [float(v) for v in (analysis.get("serverResponseTimeByOrigin") or {}).values()]
        item.update(
            rtt=analysis.get("rttMs"),
            throughput=analysis.get("throughputBps"),
            maxRtt=max(rtts, default=None),
            maxServerLatency=max(latencies, default=None),
        )
    return _informative("diagnostics", [item])
