"""Lighthouse's ``viewport`` audit: one audit in two categories (best practices, weight 1;
performance, weight 0), judged from the contents of the page's viewport meta tags."""

from __future__ import annotations

from ..._lighthouse import METRIC_SAVINGS
from .audit_results import passed_if
from .evidence import AuditResult

VIEWPORT_TITLE = 'Has a `<meta name="viewport">` tag with `width` or `initial-scale`'
#: What a page without a mobile viewport would save on INP, as Lighthouse estimates it
#: (the tap delay), in ms.
VIEWPORT_INP_SAVINGS_MS = 300.0


def has_mobile_viewport(contents: list[str]) -> bool:
    """Whether a ``<meta name=viewport>`` content sets ``width`` or ``initial-scale``.

    >>> has_mobile_viewport(["width=device-width, initial-scale=1"]), has_mobile_viewport([])
    (True, False)
    """
    return any(
        key.split("=")[0].strip().lower() in ("width", "initial-scale")
        for content in contents
        for key in content.replace(";", ",").split(",")
    )


def viewport_audit(contents: list[str], *, weight: float) -> AuditResult:
    """The ``viewport`` audit from the contents of the page's viewport meta tags.

    A failure saves 300 ms of INP (Lighthouse's ``metricSavings``).

    >>> audit = viewport_audit(["width=device-width"], weight=0.0)
    >>> audit.score, audit.metric_savings
    (1.0, {'INP': 0.0})
    >>> viewport_audit([], weight=1.0).explanation
    'No `<meta name="viewport">` tag with `width` or `initial-scale` found'
    """
    ok = has_mobile_viewport(contents)
    reason = None if ok else 'No `<meta name="viewport">` tag with `width` or `initial-scale` found'
    audit = passed_if(
        "viewport", VIEWPORT_TITLE, [], reason=reason, display_mode=METRIC_SAVINGS, weight=weight
    )
    audit.metric_savings = {"INP": 0.0 if ok else VIEWPORT_INP_SAVINGS_MS}
    return audit
