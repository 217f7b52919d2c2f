"""The accessibility category: axe-core rules scored the way Lighthouse scores them.

Every scored Lighthouse accessibility audit is an axe-core rule of the same id. axe runs
once per page, restricted to those rules. A rule with violations scores 0, a rule that
applied without violations scores 1 ("incomplete" results need a human and do not fail),
an inapplicable rule is not applicable and leaves the weighted mean. The hidden audits of
weight 0 are informative; the ten manual audits are listed unscored.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from pathlib import Path
from typing import Any

import axe_playwright_python
from playwright.async_api import Page

from ...._lighthouse import BINARY, MANUAL
from ..audit_results import informative, not_applicable, undecided
from ..evidence import AuditResult
from ._common import evaluate

#: Lighthouse ``categories.accessibility.auditRefs`` weights (audit id = axe rule id).
WEIGHTS: dict[str, float] = {
    "accesskeys": 7, "aria-allowed-attr": 10, "aria-allowed-role": 1, "aria-command-name": 7,
    "aria-conditional-attr": 7, "aria-deprecated-role": 1, "aria-dialog-name": 7,
    "aria-hidden-body": 10, "aria-hidden-focus": 7, "aria-input-field-name": 7,
    "aria-meter-name": 7, "aria-progressbar-name": 7, "aria-prohibited-attr": 7,
    "aria-required-attr": 10, "aria-required-children": 10, "aria-required-parent": 10,
    "aria-roles": 7, "aria-text": 7, "aria-toggle-field-name": 7, "aria-tooltip-name": 7,
    "aria-treeitem-name": 7, "aria-valid-attr-value": 10, "aria-valid-attr": 10,
    "button-name": 10, "bypass": 7, "color-contrast": 7, "definition-list": 7, "dlitem": 7,
    "document-title": 7, "duplicate-id-aria": 10, "form-field-multiple-labels": 3,
    "frame-title": 7, "heading-order": 3, "html-has-lang": 7, "html-lang-valid": 7,
    "html-xml-lang-mismatch": 3, "image-alt": 10, "image-redundant-alt": 1,
    "input-button-name": 10, "input-image-alt": 10, "label": 7, "link-in-text-block": 7,
    "link-name": 7, "list": 7, "listitem": 7, "meta-refresh": 10, "meta-viewport": 10,
    "object-alt": 7, "select-name": 7, "skip-link": 3, "tabindex": 7,
    "table-duplicate-name": 1, "target-size": 7, "td-headers-attr": 7,
    "th-has-data-cells": 7, "valid-lang": 7, "video-caption": 10,
}  # fmt: skip
#: Audits for a human reviewer, weight 0, never scored.
MANUAL_AUDITS: tuple[str, ...] = (
    "focusable-controls", "interactive-element-affordance", "logical-tab-order",
    "visual-order-follows-dom", "focus-traps", "managed-focus", "use-landmarks",
    "offscreen-content-hidden", "custom-controls-labels", "custom-controls-roles",
)  # fmt: skip
#: Hidden axe rules of weight 0 (judged, never counted).
HIDDEN_AUDITS: tuple[str, ...] = (
    "empty-heading", "identical-links-same-purpose", "landmark-one-main",
    "label-content-name-mismatch", "table-fake-caption", "td-has-header",
)  # fmt: skip
WEIGHTS.update(dict.fromkeys(MANUAL_AUDITS + HIDDEN_AUDITS, 0.0))
#: Rules Lighthouse reports as informative whatever their weight: not counted,
#: shown when axe finds a violation or an incomplete result, else not applicable.
INFORMATIVE_RULES: frozenset[str] = frozenset({
    "bypass", "duplicate-id-aria", "empty-heading", "form-field-multiple-labels",
    "identical-links-same-purpose", "landmark-one-main", "th-has-data-cells", "video-caption",
})  # fmt: skip
AXE_RULES: tuple[str, ...] = tuple(rule for rule in WEIGHTS if rule not in MANUAL_AUDITS)
#: The rules that can change the score (weighted, not informative): all a large page gets.
SCORED_RULES: tuple[str, ...] = tuple(
    rule for rule in AXE_RULES if WEIGHTS[rule] > 0 and rule not in INFORMATIVE_RULES
)

#: Failing elements listed per audit (the score does not depend on it).
MAX_NODES = 20

_RUN_AXE = """async ([rules, maxNodes]) => {
  const known = new Set(axe.getRules().map((rule) => rule.ruleId));
  const result = await axe.run(document, {
    runOnly: {type: 'rule', values: rules.filter((rule) => known.has(rule))},
    resultTypes: ['violations', 'inapplicable'],
    iframes: false, selectors: true, ancestry: false, xpath: false, elementRef: false,
  });
  const ids = (list) => list.map((rule) => rule.id);
  return {
    violations: result.violations.map((rule) => ({
      id: rule.id, title: rule.help,
      nodes: rule.nodes.slice(0, maxNodes).map((n) => ({
        selector: n.target.flat().join(' '), snippet: n.html, explanation: n.failureSummary,
      })),
    })),
    passes: ids(result.passes), incomplete: ids(result.incomplete),
    inapplicable: ids(result.inapplicable), unknown: rules.filter((rule) => !known.has(rule)),
    titles: Object.fromEntries(result.passes.concat(result.incomplete, result.inapplicable)
      .map((rule) => [rule.id, rule.help])),
  };
}"""


@cache
def axe_source() -> str:
    """The axe-core script shipped in ``axe_playwright_python``, wrapped to ignore AMD/CommonJS.

    >>> axe_source().count("axe v4") >= 1
    True
    """
    source = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")
    return f"(function (define, module, exports) {{\n{source}\n}}).call(window);"


async def run_axe(page: Page, rules: Collection[str], *, within: float) -> dict[str, Any]:
    """Inject axe (once per document) and run ``rules``; returns ids per result type.

    >>> raw = await run_axe(page, ["image-alt"], within=10.0)  # doctest: +SKIP
    >>> raw["inapplicable"]  # doctest: +SKIP
    ['image-alt']
    """
    if not await evaluate(page, "typeof window.axe?.run === 'function'", within=within):
        await evaluate(page, axe_source(), within=within)
    raw: dict[str, Any] = await evaluate(page, _RUN_AXE, [sorted(rules), MAX_NODES], within=within)
    return raw


def axe_audit(rule: str, raw: dict[str, Any], weights: dict[str, float]) -> AuditResult:
    """One axe rule's outcome as a Lighthouse audit scored with ``weights``.

    >>> raw = {"violations": [], "passes": ["list"], "incomplete": [], "inapplicable": [],
    ...        "unknown": [], "titles": {"list": "Lists are well formed"}}
    >>> axe_audit("list", raw, WEIGHTS).score
    1.0
    """
    violation = next((v for v in raw["violations"] if v["id"] == rule), None)
    title = violation["title"] if violation else raw["titles"].get(rule, rule)
    weight = weights[rule]
    if rule in raw.get("skipped", ()):
        why = "not run on a page this large (the rule never changes the score)"
        return not_applicable(rule, rule, why, weight=weight)
    if rule in raw["unknown"]:
        return not_applicable(rule, rule, "this axe-core version has no such rule", weight=weight)
    if rule in INFORMATIVE_RULES:
        if violation is None and rule not in raw["incomplete"]:
            return not_applicable(rule, title, weight=weight)
        return informative(rule, title, violation["nodes"] if violation else [], weight=weight)
    if violation:
        return AuditResult(rule, title, 0.0, weight, BINARY, violation["nodes"])
    if rule in raw["passes"] or rule in raw["incomplete"]:
        return AuditResult(rule, title, 1.0, weight, BINARY)
    return not_applicable(rule, title, weight=weight)


def accessibility_audits(raw: dict[str, Any] | None, error: str | None) -> list[AuditResult]:
    """All Lighthouse accessibility audits from one axe run (``raw``), or ``error`` if it failed.

    >>> [a.score for a in accessibility_audits(None, "TimeoutError")][:2]
    [None, None]
    """
    audits = []
    for rule, weight in WEIGHTS.items():
        if rule in MANUAL_AUDITS:
            audits.append(AuditResult(rule, rule, None, weight, MANUAL))
        elif raw is None:
            audits.append(undecided(rule, rule, error or "axe did not run", weight=weight))
        else:
            audits.append(axe_audit(rule, raw, WEIGHTS))
    return audits
