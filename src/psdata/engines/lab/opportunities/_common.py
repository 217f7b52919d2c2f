"""Building blocks of the opportunity audits: results with savings, sizes, URLs.

Lighthouse 12 scores most opportunities and diagnostics in its ``metricSavings`` mode:
a passing audit scores 1; a failing one 0 when it saves something on a metric, else 0.5.
Every audit here has weight 0: none changes the performance score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from ...._lighthouse import METRIC_SAVINGS
from ..evidence import AuditResult, NetworkRequest
from .evidence import OpportunityEvidence

#: Said of every byte opportunity until the load simulator estimates its time.
NO_SIMULATOR = "Time savings need the load simulator (simulated throttling); not estimated."


def result(
    audit_id: str,
    title: str,
    items: list[dict[str, Any]],
    *,
    passed: bool | None = None,
    savings_bytes: float | None = None,
    savings_ms: float | None = None,
    metric_savings: dict[str, float] | None = None,
    explanation: str | None = None,
    display_mode: str = METRIC_SAVINGS,
    score: float | None = None,
    savings_unknown: bool = False,
    numeric_value: float | None = None,
    numeric_unit: str | None = None,
) -> AuditResult:
    """One audit's result: failing when it has items (or *passed* is False).

    In the ``metricSavings`` mode a failure scores 0 when it saves something on a metric,
    else 0.5, as in Lighthouse 12. Pass ``savings_unknown=True`` where the savings need
    the simulator: such a failure scores 0, as it almost always does in Lighthouse.
    *numeric_value* and *numeric_unit* are Lighthouse's ``numericValue`` and
    ``numericUnit`` of the audit, for those that have one.

    >>> result("redirects", "Avoid multiple page redirects", []).score
    1.0
    >>> result("font-display", "Ensure text remains visible", [{"url": "f.woff"}]).score
    0.5
    >>> result("unused-javascript", "Reduce unused JavaScript", [{"wastedBytes": 30000}],
    ...        savings_unknown=True).score
    0.0
    """
    failed = bool(items) if passed is None else not passed
    savings = dict(metric_savings or {})
    if score is None:
        if not failed:
            score = 1.0
        elif savings_unknown or any(savings.values()):
            score = 0.0
        else:
            score = 0.5
    return AuditResult(
        id=audit_id,
        title=title,
        score=score,
        weight=0.0,
        display_mode=display_mode,
        details=items,
        explanation=explanation,
        savings_ms=savings_ms,
        savings_bytes=savings_bytes,
        metric_savings=savings,
        numeric_value=numeric_value,
        numeric_unit=numeric_unit if numeric_value is not None else None,
    )


def missing(evidence: OpportunityEvidence, *steps: str) -> str | None:
    """Why the audit needing *steps* cannot be decided (``None`` if it can).

    >>> missing(OpportunityEvidence("https://a.test/", errors={"css": "Timeout"}), "css")
    'Collecting css failed: Timeout'
    """
    for step in steps:
        if step in evidence.errors:
            return f"Collecting {step} failed: {evidence.errors[step]}"
    return None


def is_content_encoded(request: NetworkRequest) -> bool:
    """Whether the response came compressed (a ``Content-Encoding`` other than identity).

    >>> from psdata.engines.lab.evidence import NetworkRequest
    >>> is_content_encoded(NetworkRequest("1", "u", "Script",
    ...     response_headers={"content-encoding": "br"}))
    True
    """
    encoding = request.response_headers.get("content-encoding", "").strip().lower()
    return encoding not in ("", "identity")


def headers_size(request: NetworkRequest) -> int:
    """An estimate of the response headers' bytes on the wire (status line included)."""
    return 17 + sum(len(k) + len(v) + 4 for k, v in request.response_headers.items())


def resource_size(evidence: OpportunityEvidence, request: NetworkRequest) -> int:
    """Decoded body bytes (Lighthouse's resourceSize): as received, else the body read,
    else the transfer size."""
    received = evidence.resource_sizes.get(request.request_id)
    if received:
        return received
    body = evidence.bodies.get(request.request_id)
    return body.size if body is not None and body.size else request.transfer_size


def size_on_network(evidence: OpportunityEvidence, request: NetworkRequest) -> int:
    """Lighthouse's ``getResourceSizeOnNetwork``: the smaller of body and transfer size."""
    size = resource_size(evidence, request)
    return min(size, request.transfer_size) if request.transfer_size else size


def compressed_size(
    evidence: OpportunityEvidence,
    request: NetworkRequest | None,
    total_bytes: int,
    resource_type: str,
) -> int:
    """Bytes *total_bytes* of a resource's content weigh on the wire (Lighthouse's
    ``estimateCompressedContentSize``): its transfer size less headers when encoded,
    its body size when not, scaled by the compression ratio for content of another type
    (an inline script in a document), fixed ratios without a request.

    >>> compressed_size(OpportunityEvidence("u"), None, 1000, "Stylesheet")
    200
    """
    if request is None:
        ratio = {"Stylesheet": 0.2, "Script": 0.33, "Document": 0.33}.get(resource_type, 0.5)
        return round(total_bytes * ratio)
    size = resource_size(evidence, request)
    if not is_content_encoded(request):
        content = size
    else:
        content = max(0, request.transfer_size - headers_size(request))
    if request.resource_type == resource_type:
        return content
    ratio = content / size if size > 0 else 1
    return round(total_bytes * ratio)


def origin(url: str) -> str:
    """Scheme and host of *url*.

    >>> origin("https://a.test:8443/x?y")
    'https://a.test:8443'
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def total(items: Sequence[dict[str, Any]], key: str) -> float:
    """The sum of *key* over *items*.

    >>> total([{"wastedBytes": 2}, {"wastedBytes": 3}], "wastedBytes")
    5.0
    """
    return float(sum(item.get(key) or 0 for item in items))
