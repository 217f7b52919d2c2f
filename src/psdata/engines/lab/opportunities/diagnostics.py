"""The performance category's other diagnostics: the back/forward cache, the viewport,
user timings, and the audits Lighthouse 12 lists but no longer computes or psdata cannot.

- ``bf-cache``: whether the page came back from the back/forward cache when the browser
  navigated away and back (:mod:`~psdata.engines.lab.bfcache`), with the reasons it did
  not, the page's own first (Lighthouse's order);
- ``viewport``: the best-practices audit, also listed by the performance category
  (weight 0 there);
- ``user-timings``: the page's ``performance.mark`` and ``performance.measure`` entries,
  measures first (not applicable without any);
- ``non-composited-animations``: the animated elements whose animations the compositor
  could not run, with the reasons a page can act on, from the ``Animation`` events of
  the page's trace (not applicable without any); an element is named by its DOM node id;
- ``first-meaningful-paint``: not applicable, as Lighthouse 12 reports it on every page;
- ``third-party-facades``: not applicable; Lighthouse finds facades from the
  third-party-web entity list's products, which psdata does not ship.
"""

from __future__ import annotations

from typing import Any

from ...._lighthouse import BINARY, INFORMATIVE, METRIC_SAVINGS
from ..audit_results import not_applicable, not_produced, undecided
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
    "non-composited-animations": "Avoid non-composited animations",
}
#: How Lighthouse labels each type of reason the back/forward cache gives.
FAILURE_TYPES = {
    "PageSupportNeeded": "Actionable",
    "SupportPending": "Pending browser support",
    "Circumstantial": "Not actionable",
}
#: The audits psdata lists but does not produce, and why (they are not applicable).
NOT_PRODUCED = {
    "third-party-facades": "Lighthouse finds facades from the products of the"
    " third-party-web entity list, which psdata does not ship",
}
#: Marks Lighthouse leaves out of user-timings (Google's own libraries' marks).
EXCLUDED_TIMING_PREFIXES = ("goog_",)
#: The bits of an animation's ``compositeFailed`` mask a page can act on, and how
#: Lighthouse words them (in its order).
ACTIONABLE_COMPOSITE_FAILURES = (
    (1 << 13, "Unsupported CSS Property"),
    (1 << 11, "Transform-related property depends on box size"),
    (1 << 12, "Filter-related property may move pixels"),
    (1 << 4, 'Effect has composite mode other than "replace"'),
    (1 << 6, "Target has another animation which is incompatible"),
    (1 << 3, "Effect has unsupported timing parameters"),
)


def diagnostic_audits(evidence: OpportunityEvidence) -> list[AuditResult]:
    """Every audit of this module for one page."""
    return [
        bf_cache(evidence),
        viewport(evidence),
        user_timings(evidence),
        non_composited_animations(evidence),
        not_applicable(
            "first-meaningful-paint",
            TITLES["first-meaningful-paint"],
            "Lighthouse 12 no longer computes First Meaningful Paint.",
        ),
        *(not_produced(a, TITLES[a], why) for a, why in NOT_PRODUCED.items()),
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


def composite_failures(mask: int, unsupported: list[str]) -> list[str]:
    """The actionable reasons in an animation's ``compositeFailed`` *mask*.

    >>> composite_failures((1 << 13) | 1, ["top"])
    ['Unsupported CSS Property: top']
    """
    reasons = []
    for flag, text in ACTIONABLE_COMPOSITE_FAILURES:
        if mask & flag:
            if flag == 1 << 13:
                plural = "Properties" if len(unsupported) > 1 else "Property"
                text = f"Unsupported CSS {plural}: {', '.join(unsupported)}"
            reasons.append(text)
    return reasons


def non_composited_animations(evidence: OpportunityEvidence) -> AuditResult:
    """Elements with an animation the compositor could not run, from the trace's
    ``Animation`` events (its begin names the node, a status event the failure mask).

    >>> begin = {"name": "Animation", "ph": "b", "id2": {"local": "0x1"},
    ...          "args": {"data": {"nodeId": 42, "id": "7"}}}
    >>> status = {"name": "Animation", "ph": "n", "id2": {"local": "0x1"},
    ...           "args": {"data": {"compositeFailed": 8192, "unsupportedProperties": ["top"]}}}
    >>> audit = non_composited_animations(
    ...     OpportunityEvidence("https://a.test/", trace_events=[begin, status]))
    >>> audit.score, audit.details
    (0.0, [{'node': {'nodeId': 42}, 'failureReasons': ['Unsupported CSS Property: top']}])
    """
    audit_id, title = "non-composited-animations", TITLES["non-composited-animations"]
    events = evidence.trace_events
    if events is None:
        why = evidence.errors.get("trace", "The page's main-thread trace is missing.")
        return undecided(audit_id, title, why)
    pairs: dict[str, dict[str, dict[str, Any]]] = {}
    for event in events:
        local = (event.get("id2") or {}).get("local")
        if event.get("name") != "Animation" or not local:
            continue
        data = (event.get("args") or {}).get("data") or {}
        if event.get("ph") == "b":
            pairs.setdefault(local, {})["begin"] = data
        elif event.get("ph") == "n" and "compositeFailed" in data:
            pairs.setdefault(local, {})["status"] = data
    reasons_by_node: dict[int, list[str]] = {}
    for pair in pairs.values():
        begin, status = pair.get("begin") or {}, pair.get("status") or {}
        if not begin.get("nodeId") or not begin.get("id"):
            continue
        found = composite_failures(
            int(status.get("compositeFailed") or 0), list(status.get("unsupportedProperties") or [])
        )
        known = reasons_by_node.setdefault(int(begin["nodeId"]), [])
        known.extend(r for r in found if r not in known)
    items = [
        {"node": {"nodeId": node}, "failureReasons": reasons}
        for node, reasons in reasons_by_node.items()
        if reasons
    ]
    if not items:
        return not_applicable(audit_id, title, "No animation failed to run on the compositor.")
    audit = AuditResult(audit_id, title, 0.0, 0.0, METRIC_SAVINGS, details=items)
    audit.metric_savings = {"CLS": 0.0}
    audit.explanation = f"{len(items)} animated element(s) found."
    return audit
