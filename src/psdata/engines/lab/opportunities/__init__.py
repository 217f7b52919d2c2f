"""Lighthouse's performance opportunities and diagnostics, with savings.

:class:`~.collect.OpportunityCollector` gathers one page's evidence on its own CDP
session (before navigation and after load); :func:`opportunity_audits` judges it with
pure functions, one module per family (``bytes``, ``network``, ``dom``,
``mainthread``); :func:`~.savings.apply_simulation` adds time savings once the load
simulator is there. Every audit has weight 0: none changes the performance score.
"""

from __future__ import annotations

from collections.abc import Callable

from ..audit_results import describe, undecided
from ..evidence import AuditResult
from .bytes import TITLES as BYTE_TITLES
from .bytes import byte_audits
from .diagnostics import NOT_PRODUCED as DIAGNOSTICS_NOT_PRODUCED
from .diagnostics import TITLES as DIAGNOSTIC_TITLES
from .diagnostics import diagnostic_audits
from .dom import TITLES as DOM_TITLES
from .dom import dom_audits
from .evidence import OpportunityEvidence
from .hidden import NOT_PRODUCED as HIDDEN_NOT_PRODUCED
from .hidden import TITLES as HIDDEN_TITLES
from .hidden import hidden_audits
from .mainthread import TITLES as MAIN_THREAD_TITLES
from .mainthread import mainthread_audits
from .network import TITLES as NETWORK_TITLES
from .network import network_audits
from .savings import LoadSimulation, apply_simulation

__all__ = [
    "AUDIT_ORDER",
    "NOT_PRODUCED",
    "LoadSimulation",
    "OpportunityEvidence",
    "apply_simulation",
    "opportunity_audits",
]

#: The audits in the order of Lighthouse's performance category (after its metrics).
AUDIT_ORDER: tuple[str, ...] = (
    "first-meaningful-paint",
    "render-blocking-resources",
    "uses-responsive-images",
    "offscreen-images",
    "unminified-css",
    "unminified-javascript",
    "unused-css-rules",
    "unused-javascript",
    "uses-optimized-images",
    "modern-image-formats",
    "uses-text-compression",
    "uses-rel-preconnect",
    "server-response-time",
    "redirects",
    "uses-http2",
    "efficient-animated-content",
    "duplicated-javascript",
    "legacy-javascript",
    "prioritize-lcp-image",
    "total-byte-weight",
    "uses-long-cache-ttl",
    "dom-size",
    "critical-request-chains",
    "user-timings",
    "bootup-time",
    "mainthread-work-breakdown",
    "font-display",
    "third-party-summary",
    "third-party-facades",
    "largest-contentful-paint-element",
    "lcp-lazy-loaded",
    "layout-shifts",
    "uses-passive-event-listeners",
    "no-document-write",
    "long-tasks",
    "non-composited-animations",
    "unsized-images",
    "viewport",
    "bf-cache",
    "network-requests",
    "network-rtt",
    "network-server-latency",
    "main-thread-tasks",
    "diagnostics",
    "metrics",
    "screenshot-thumbnails",
    "final-screenshot",
    "script-treemap-data",
    "resource-summary",
)
#: The audits listed without being produced (not applicable in every row), and why.
NOT_PRODUCED = {**DIAGNOSTICS_NOT_PRODUCED, **HIDDEN_NOT_PRODUCED}
TITLES = {
    **BYTE_TITLES,
    **NETWORK_TITLES,
    **DOM_TITLES,
    **MAIN_THREAD_TITLES,
    **DIAGNOSTIC_TITLES,
    **HIDDEN_TITLES,
}
_FAMILIES: tuple[tuple[Callable[[OpportunityEvidence], list[AuditResult]], dict[str, str]], ...] = (
    (byte_audits, BYTE_TITLES),
    (network_audits, NETWORK_TITLES),
    (dom_audits, DOM_TITLES),
    (mainthread_audits, MAIN_THREAD_TITLES),
    (diagnostic_audits, DIAGNOSTIC_TITLES),
    (hidden_audits, HIDDEN_TITLES),
)


def opportunity_audits(
    evidence: OpportunityEvidence, simulation: LoadSimulation | None = None
) -> list[AuditResult]:
    """Every opportunity and diagnostic of one page, in Lighthouse's order.

    A family whose judging fails makes its audits undecided, never the others.

    >>> audits = opportunity_audits(OpportunityEvidence("https://a.test/"))
    >>> len(audits) == len(AUDIT_ORDER), audits[1].id
    (True, 'render-blocking-resources')
    >>> {a.display_mode for a in audits if a.id == "bootup-time"}
    {'error'}
    """
    found: dict[str, AuditResult] = {}
    for family, titles in _FAMILIES:
        try:
            for audit in family(evidence):
                found[audit.id] = audit
        except Exception as exc:  # a judging bug must not lose the other audits
            why = f"Judging failed: {describe(exc)}"
            for audit_id, title in titles.items():
                found[audit_id] = undecided(audit_id, title, why)
    audits = [found[audit_id] for audit_id in AUDIT_ORDER if audit_id in found]
    return apply_simulation(audits, simulation)
