"""Audit results built one way for every lab audit, category audits and opportunities alike.

One constructor per kind of result Lighthouse reports (passed or failed, not applicable,
informative, undecided: could not be decided), the category score over a category's
audits, and the one-line wording of an exception that left an audit undecided. A
category audit passes its weight in the category; an opportunity keeps weight 0.
"""

from __future__ import annotations

from typing import Any

from ..._lighthouse import BINARY, ERROR, INFORMATIVE, NOT_APPLICABLE
from .evidence import AuditResult, CategoryResult
from .scoring import category_score


def passed_if(
    audit_id: str,
    title: str,
    failures: list[dict[str, Any]],
    *,
    weight: float = 0.0,
    reason: str | None = None,
    display_mode: str = BINARY,
) -> AuditResult:
    """A binary audit: score 1 without failing items, 0 with any or with a failing ``reason``.

    >>> passed_if("doctype", "Page has the HTML doctype", [], weight=1.0).score
    1.0
    """
    return AuditResult(
        id=audit_id,
        title=title,
        score=0.0 if failures or reason else 1.0,
        weight=weight,
        display_mode=display_mode,
        details=failures,
        explanation=reason,
    )


def not_applicable(
    audit_id: str, title: str, why: str | None = None, *, weight: float = 0.0
) -> AuditResult:
    """An audit with nothing to judge on this page; it leaves the category mean.

    >>> not_applicable("lcp-lazy-loaded", "LCP image was not lazily loaded").display_mode
    'notApplicable'
    """
    return AuditResult(audit_id, title, None, weight, NOT_APPLICABLE, explanation=why)


def not_produced(audit_id: str, title: str, why: str) -> AuditResult:
    """An audit Lighthouse lists that psdata does not produce: not applicable on every
    page, with the reason (docs/audits.md lists them).

    >>> not_produced("final-screenshot", "Final Screenshot", "no images").explanation
    'Not produced by psdata: no images.'
    """
    return not_applicable(audit_id, title, f"Not produced by psdata: {why}.")


def informative(
    audit_id: str, title: str, items: list[dict[str, Any]], *, weight: float = 0.0
) -> AuditResult:
    """An audit that only lists what it found: it scores 1 and never counts, as in Lighthouse.

    >>> informative("js-libraries", "Detected JavaScript libraries", []).score
    1.0
    """
    return AuditResult(audit_id, title, 1.0, weight, INFORMATIVE, details=items)


def undecided(audit_id: str, title: str, why: str, *, weight: float = 0.0) -> AuditResult:
    """An audit that could not be decided: no score, display mode ``error``, and why.

    It leaves the category mean; a weighted one is named in the row's warnings.

    >>> undecided("doctype", "Page has the HTML doctype", "timeout", weight=1.0).display_mode
    'error'
    """
    return AuditResult(audit_id, title, None, weight, ERROR, explanation=why)


def category(category_id: str, audits: list[AuditResult]) -> CategoryResult:
    """A :class:`CategoryResult` scored from its audits as Lighthouse scores a category.

    The weighted mean of the audits with a scored display mode (see
    :func:`~psdata.engines.lab.scoring.category_score`): informative, manual, not
    applicable and undecided audits leave it; ``None`` when none counts.

    >>> category("seo", [AuditResult("a", "A", 1.0, 7), AuditResult("b", "B", 0.0, 3)]).score
    0.7
    >>> category("seo", [not_applicable("canonical", "Canonical", weight=1.0)]).score is None
    True
    >>> category("a11y", [AuditResult("a", "A", 1.0, 7), informative("b", "B", [], weight=3)]).score
    1.0
    """
    score = category_score((a.score, a.weight) for a in audits if a.counts and a.score is not None)
    return CategoryResult(id=category_id, score=score, audits=audits)


def describe(exc: BaseException) -> str:
    """One line naming an exception, for an undecided audit's explanation.

    >>> describe(TimeoutError())
    'TimeoutError'
    """
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
