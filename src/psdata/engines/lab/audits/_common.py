"""Building blocks shared by the category audits: audit constructors, scoring, timeouts."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Page

from ..evidence import AuditResult, CategoryResult, NetworkRequest

#: Audits that Lighthouse never scores (weight 0, shown for manual review).
MANUAL = "manual"
NOT_APPLICABLE = "notApplicable"
INFORMATIVE = "informative"
BINARY = "binary"


def passed_if(
    audit_id: str,
    title: str,
    weights: Mapping[str, float],
    failures: list[dict[str, Any]],
    *,
    reason: str | None = None,
    display_mode: str = BINARY,
) -> AuditResult:
    """A binary audit: score 1 without failing items, 0 with any or with a failing ``reason``.

    >>> passed_if("doctype", "Page has the HTML doctype", {"doctype": 1.0}, []).score
    1.0
    """
    return AuditResult(
        id=audit_id,
        title=title,
        score=0.0 if failures or reason else 1.0,
        weight=weights[audit_id],
        display_mode=display_mode,
        details=failures,
        explanation=reason,
    )


def not_applicable(
    audit_id: str, title: str, weights: Mapping[str, float], explanation: str | None = None
) -> AuditResult:
    """An audit with nothing to check on this page; it leaves the category mean.

    >>> not_applicable("canonical", "Document has a valid rel=canonical", {"canonical": 1}).score
    """
    return AuditResult(
        id=audit_id,
        title=title,
        score=None,
        weight=weights[audit_id],
        display_mode=NOT_APPLICABLE,
        explanation=explanation,
    )


def informative(
    audit_id: str, title: str, weights: Mapping[str, float], items: list[dict[str, Any]]
) -> AuditResult:
    """An unscored audit that only lists what it found.

    >>> informative("js-libraries", "Detected JavaScript libraries", {"js-libraries": 0}, []).score
    """
    return AuditResult(
        id=audit_id,
        title=title,
        score=None,
        weight=weights[audit_id],
        display_mode=INFORMATIVE,
        details=items,
    )


def category_score(audits: Iterable[AuditResult]) -> float | None:
    """Weighted mean of the scored audits, rounded half-up to two decimals like Lighthouse.

    Audits without a score (not applicable, informative, manual, failed to run) and audits
    of weight 0 are left out; ``None`` when nothing remains.

    >>> from psdata.engines.lab.evidence import AuditResult
    >>> category_score([AuditResult("a", "A", 1.0, 7), AuditResult("b", "B", 0.0, 3)])
    0.7
    """
    scored = [(a.score, a.weight) for a in audits if a.score is not None and a.weight > 0]
    total = sum(weight for _, weight in scored)
    if total == 0:
        return None
    mean = sum(score * weight for score, weight in scored) / total
    return math.floor(mean * 100 + 0.5) / 100


def category(category_id: str, audits: list[AuditResult]) -> CategoryResult:
    """A :class:`CategoryResult` scored from its audits.

    >>> category("seo", []).score is None
    True
    """
    return CategoryResult(id=category_id, score=category_score(audits), audits=audits)


async def evaluate(page: Page, expression: str, arg: Any = None, *, within: float) -> Any:
    """``page.evaluate`` bounded by ``within`` seconds (raises :class:`TimeoutError`).

    >>> await evaluate(page, "document.title", within=2.0)  # doctest: +SKIP
    'Example'
    """
    return await asyncio.wait_for(page.evaluate(expression, arg), within)


def describe(exc: BaseException) -> str:
    """One line naming an exception, for an audit's explanation.

    >>> describe(TimeoutError())
    'TimeoutError'
    """
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@dataclass
class PageEvidence:
    """What the best-practices and SEO audits judge, gathered once per page."""

    url: str  # the page's final URL
    facts: dict[str, Any] | None  # from page_facts.collect_page_facts; None if it failed
    facts_error: str | None = None
    requests: Sequence[NetworkRequest] = ()
    main_document: NetworkRequest | None = None
    console_errors: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)  # CDP Audits.InspectorIssue
    html_start: str | None = None  # the main document's first 1024 characters, if readable
    #: Large first-party scripts: url, bytes, source map URL or None (None: not checked).
    large_scripts: list[dict[str, Any]] | None = None


def unavailable(audit_id: str, title: str, weights: Mapping[str, float], why: str) -> AuditResult:
    """An audit that could not be decided: no score, an explanation, out of the mean.

    >>> unavailable("doctype", "Page has the HTML doctype", {"doctype": 1}, "timeout").score
    """
    return AuditResult(audit_id, title, None, weights[audit_id], "error", explanation=why)
