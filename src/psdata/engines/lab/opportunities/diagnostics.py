"""The performance category's other diagnostics: the back/forward cache, the viewport,
user timings, and the audits Lighthouse 12 lists but no longer computes or psdata cannot.

- ``bf-cache``: whether the page came back from the back/forward cache when the browser
  navigated away and back (:mod:`~psdata.engines.lab.bfcache`), with the reasons it did
  not, the page's own first (Lighthouse's order);
- ``viewport``: the best-practices audit, also listed by the performance category
  (weight 0 there);
- ``user-timings``: the page's ``performance.mark`` and ``performance.measure`` entries,
  measures first (not applicable without any);
- ``first-meaningful-paint``: not applicable, as Lighthouse 12 reports it on every page;
- ``third-party-facades``: not applicable; Lighthouse finds facades from the
  third-party-web entity list's products, which psdata does not ship.
"""

from __future__ import annotations

from typing import Any

from ...._lighthouse import BINARY, INFORMATIVE
from ..audit_results import not_applicable, undecided
from ..bfcache import REASON_TYPES
from ..evidence import AuditResult
from ..viewport import VIEWPORT_TITLE, viewport_audit
from ._common import missing
from .evidence import OpportunityEvidence

TITLES = {
    "bf-cache": "Page didn't prevent back/forward cache restoration",
    "viewport": VIEWPORT_TITLE,
    "user-timings": "User Timing marks and measures",
    "first-meaningful-paint": "First Meaningful Paint",
    "third-party-facades": "Lazy load third-party resources with facades",
}
#: How Lighthouse labels each type of reason the back/forward cache gives.
FAILURE_TYPES = {
    "PageSupportNeeded": "Actionable",
    "SupportPending": "Pending browser support",
    "Circumstantial": "Not actionable",
}
#: Marks Lighthouse leaves out of user-timings (Google's own libraries' marks).
EXCLUDED_TIMING_PREFIXES = ("goog_",)


def diagnostic_audits(evidence: OpportunityEvidence) -> list[AuditResult]:
    """Every audit of this module for one page."""
    return [
        bf_cache(evidence),
        viewport(evidence),
        user_timings(evidence),
        not_applicable(
            "first-meaningful-paint",
            TITLES["first-meaningful-paint"],
            "Lighthouse 12 no longer computes First Meaningful Paint.",
        ),
        not_applicable(
            "third-party-facades",
            TITLES["third-party-facades"],
            "Not produced by psdata: Lighthouse finds facades from the products of the"
            " third-party-web entity list, which psdata does not ship.",
        ),
    ]


def bf_cache(evidence: OpportunityEvidence) -> AuditResult:
    """Fails when the page was not restored from the back/forward cache, for any reason.

    >>> from psdata.engines.lab.bfcache import BackForwardCacheOutcome
    >>> page = OpportunityEvidence("https://a.test/", bf_cache=BackForwardCacheOutcome(
    ...     False, [{"reason": "UnloadHandlerExistsInMainFrame", "type": "PageSupportNeeded",
    ...              "frames": ["https://a.test/"]}]))
    >>> audit = bf_cache(page)
    >>> audit.score, audit.details[0]["failureType"]
    (0.0, 'Actionable')
    """
    audit_id, title = "bf-cache", TITLES["bf-cache"]
    why = missing(evidence, "bf_cache")
    if why or evidence.bf_cache is None:
        return undecided(audit_id, title, why or "The page was not taken away and back.")
    order = {kind: index for index, kind in enumerate(REASON_TYPES)}
    reasons = sorted(evidence.bf_cache.reasons, key=lambda r: order.get(r["type"], len(order)))
    items: list[dict[str, Any]] = [
        {
            "reason": r["reason"],
            "failureType": FAILURE_TYPES.get(r["type"], r["type"]),
            "protocolReason": r["reason"],
            "frames": r["frames"],
        }
        for r in reasons
    ]
    failures = sum(max(1, len(r["frames"])) for r in reasons)
    return AuditResult(
        audit_id,
        title,
        0.0 if items else 1.0,
        0.0,
        BINARY,
        details=items,
        explanation=f"{failures} failure reason(s)." if items else None,
    )


def viewport(evidence: OpportunityEvidence) -> AuditResult:
    """The best-practices ``viewport`` audit, listed again by performance (weight 0)."""
    why = missing(evidence, "page")
    if why:
        return undecided("viewport", TITLES["viewport"], why)
    return viewport_audit((evidence.page or {}).get("metaViewport", []), weight=0.0)


def user_timings(evidence: OpportunityEvidence) -> AuditResult:
    """The page's User Timing marks and measures (informative; not applicable without).

    >>> page = OpportunityEvidence("https://a.test/", page={"userTimings": [
    ...     {"name": "app-ready", "type": "mark", "startTime": 812.5, "duration": 0}]})
    >>> user_timings(page).details
    [{'name': 'app-ready', 'timingType': 'Mark', 'startTime': 812.5, 'duration': None}]
    """
    audit_id, title = "user-timings", TITLES["user-timings"]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    entries = [
        e
        for e in (evidence.page or {}).get("userTimings", [])
        if not str(e["name"]).startswith(EXCLUDED_TIMING_PREFIXES)
    ]
    if not entries:
        return not_applicable(audit_id, title, "The page has no User Timing marks or measures.")
    items = [
        {
            "name": e["name"],
            "timingType": "Mark" if e["type"] == "mark" else "Measure",
            "startTime": e["startTime"],
            "duration": None if e["type"] == "mark" else e["duration"],
        }
        for e in entries
    ]
    items.sort(key=lambda i: (i["timingType"] != "Measure", i["startTime"]))
    return AuditResult(
        audit_id,
        title,
        1.0,
        0.0,
        INFORMATIVE,
        details=items,
        explanation=f"{len(items)} user timing(s).",
    )
