"""DOM and rendering audits: DOM size, images without dimensions, the LCP element,
layout shifts, and the APIs Chromium reports as violations (``document.write``,
non-passive scroll-blocking listeners)."""

from __future__ import annotations

import re
from typing import Any

from ...._lighthouse import CONTROL_POINTS, INFORMATIVE, METRIC_SAVINGS, PASS_SCORE
from ..audit_results import not_applicable, undecided
from ..evidence import AuditResult
from ..scoring import log_normal_score
from ._common import missing, result
from .evidence import OpportunityEvidence

TITLES = {
    "dom-size": "Avoid an excessive DOM size",
    "unsized-images": "Image elements have explicit `width` and `height`",
    "lcp-lazy-loaded": "Largest Contentful Paint image was not lazily loaded",
    "largest-contentful-paint-element": "Largest Contentful Paint element",
    "layout-shifts": "Avoid large layout shifts",
    "no-document-write": "Avoids `document.write()`",
    "uses-passive-event-listeners": "Uses passive listeners to improve scrolling performance",
}
DOM_SIZE_P10 = 818
DOM_SIZE_MEDIAN = 1400
LCP_LAZY_SAVINGS_SHARE = 0.15
MAX_LAYOUT_SHIFTS = 15
CLS_PASS = 0.1
_EXPLICIT_CSS_NOT = frozenset({"", "auto", "initial", "unset", "inherit"})


def dom_audits(evidence: OpportunityEvidence) -> list[AuditResult]:
    """Every DOM audit of one page."""
    return [
        dom_size(evidence),
        unsized_images(evidence),
        lcp_lazy_loaded(evidence),
        largest_contentful_paint_element(evidence),
        layout_shifts(evidence),
        no_document_write(evidence),
        uses_passive_event_listeners(evidence),
    ]


def dom_size(evidence: OpportunityEvidence) -> AuditResult:
    """Elements under ``<body>``, scored log-normally (p10 818, median 1,400)."""
    audit_id, title = "dom-size", TITLES["dom-size"]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    stats = (evidence.page or {}).get("dom", {})
    count = int(stats.get("totalBodyElements", 0))
    items: list[dict[str, Any]] = [
        {"statistic": "Total DOM Elements", "value": count},
        {
            "statistic": "Maximum DOM Depth",
            "node": stats.get("deepest"),
            "value": stats.get("maxDepth"),
        },
        {
            "statistic": "Maximum Child Elements",
            "node": stats.get("widest"),
            "value": stats.get("maxChildren"),
        },
    ]
    score = log_normal_score(count, DOM_SIZE_P10, DOM_SIZE_MEDIAN)
    return result(
        audit_id,
        title,
        items,
        score=score,
        display_mode=INFORMATIVE if score >= PASS_SCORE else METRIC_SAVINGS,
        explanation=f"{count:,} elements.",
        numeric_value=count,
        numeric_unit="element",
    )


def _explicit_attribute(value: str) -> bool:
    return bool(re.fullmatch(r"\s*\d+(\.\d+)?\s*", value or ""))


def _explicit_css(value: str) -> bool:
    return (value or "").strip().lower() not in _EXPLICIT_CSS_NOT


def is_sized(image: dict[str, Any]) -> bool:
    """Whether an image has an explicit width and height (or one of them and an
    aspect-ratio), from its attributes or the CSS declared for it.

    >>> is_sized({"attributeWidth": "10", "attributeHeight": "20", "css": {}})
    True
    >>> is_sized({"attributeWidth": "", "attributeHeight": "", "css": {"width": "50%",
    ...           "height": "", "aspectRatio": "16 / 9"}})
    True
    >>> is_sized({"attributeWidth": "10", "attributeHeight": "", "css": {"height": "auto"}})
    False
    """
    css = image.get("css") or {}
    width = _explicit_attribute(image.get("attributeWidth", "")) or _explicit_css(
        css.get("width", "")
    )
    height = _explicit_attribute(image.get("attributeHeight", "")) or _explicit_css(
        css.get("height", "")
    )
    ratio = _explicit_css(css.get("aspectRatio", ""))
    return (width and height) or (width and ratio) or (height and ratio)


def unsized_images(evidence: OpportunityEvidence) -> AuditResult:
    """Displayed, in-flow images without explicit dimensions (they shift the layout)."""
    audit_id, title = "unsized-images", TITLES["unsized-images"]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    items = []
    for image in (evidence.page or {}).get("images", []):
        src = image.get("src", "")
        if image.get("position") in ("fixed", "absolute"):
            continue
        if src.startswith("data:image/svg") or (
            src.split("?")[0].endswith(".svg") and not src.startswith("http")
        ):
            continue
        if is_sized(image):
            continue
        rect = image.get("rect", {})
        if not rect.get("width") and not rect.get("height"):
            continue
        items.append({"url": src, "node": image.get("node")})
    return result(audit_id, title, items, metric_savings={"CLS": 0.0})


def _lcp(evidence: OpportunityEvidence) -> dict[str, Any]:
    return (evidence.page or {}).get("lcp") or {}


def lcp_lazy_loaded(evidence: OpportunityEvidence) -> AuditResult:
    """An LCP image in the viewport with ``loading="lazy"``."""
    audit_id, title = "lcp-lazy-loaded", TITLES["lcp-lazy-loaded"]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    lcp = _lcp(evidence)
    viewport = (evidence.page or {}).get("viewport", {})
    rect = lcp.get("rect") or {}
    in_view = (
        rect
        and rect.get("bottom", 0) >= 0
        and rect.get("right", 0) >= 0
        and rect.get("top", 0) <= viewport.get("innerHeight", 0)
        and rect.get("left", 0) <= viewport.get("innerWidth", 0)
    )
    if lcp.get("tag") != "img" or not in_view:
        return not_applicable(audit_id, title, "The LCP element is not an image in the viewport.")
    lazy = lcp.get("loading") == "lazy"
    saved = 0.0
    lcp_ms = evidence.metrics.get("lcp_ms")
    request = evidence.request_for(lcp.get("url", ""))
    ttfb = evidence.metrics.get("ttfb_ms")
    if lazy and lcp_ms is not None and request is not None and request.start_ms is not None:
        delay = request.start_ms - (ttfb or 0.0)
        saved = max(0.0, min(lcp_ms * LCP_LAZY_SAVINGS_SHARE, delay))
    items = [{"node": lcp.get("node"), "url": lcp.get("url")}]
    return result(
        audit_id, title, items, passed=not lazy, savings_ms=saved, metric_savings={"LCP": saved}
    )


def largest_contentful_paint_element(evidence: OpportunityEvidence) -> AuditResult:
    """The LCP element; fails while LCP is above the form factor's p10 (the savings)."""
    audit_id = "largest-contentful-paint-element"
    title = TITLES[audit_id]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    lcp = _lcp(evidence)
    if not lcp.get("node"):
        return not_applicable(audit_id, title, "No LCP element was found.")
    lcp_ms = evidence.metrics.get("lcp_ms")
    ideal = CONTROL_POINTS[evidence.form_factor]["lcp_ms"].p10
    saved = max(0.0, lcp_ms - ideal) if lcp_ms is not None else 0.0
    items: list[dict[str, Any]] = [{"node": lcp.get("node"), "url": lcp.get("url") or None}]
    request = evidence.request_for(lcp.get("url") or "") if lcp.get("url") else None
    ttfb = evidence.metrics.get("ttfb_ms")
    if lcp_ms is not None and ttfb is not None:
        phases: dict[str, float] = {"TTFB": ttfb}
        if request is not None and request.start_ms is not None and request.end_ms is not None:
            phases["Load Delay"] = max(0.0, request.start_ms - ttfb)
            phases["Load Time"] = max(0.0, request.end_ms - request.start_ms)
            phases["Render Delay"] = max(0.0, lcp_ms - request.end_ms)
        else:
            phases["Render Delay"] = max(0.0, lcp_ms - ttfb)
        items.append({"phases": phases})
    return result(
        audit_id,
        title,
        items,
        passed=not saved,
        savings_ms=saved,
        metric_savings={"LCP": saved},
        display_mode=METRIC_SAVINGS if saved else INFORMATIVE,
    )


def layout_shifts(evidence: OpportunityEvidence) -> AuditResult:
    """The largest layout shifts (up to 15) and the elements that moved; fails over 0.1."""
    audit_id, title = "layout-shifts", TITLES["layout-shifts"]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    page = evidence.page or {}
    shifts = sorted(page.get("shifts", []), key=lambda s: -s["value"])[:MAX_LAYOUT_SHIFTS]
    if not shifts:
        return not_applicable(audit_id, title, "No layout shift.")
    elements = sorted(page.get("shiftElements", []), key=lambda e: -e["value"])
    items: list[dict[str, Any]] = [{"score": s["value"], "timeMs": s["time"]} for s in shifts]
    items += [{"node": e["node"], "score": e["value"]} for e in elements[:MAX_LAYOUT_SHIFTS]]
    cls = evidence.metrics.get("cls")
    if cls is None:
        cls = sum(s["value"] for s in page.get("shifts", []))
    passed = cls <= CLS_PASS
    return result(
        audit_id,
        title,
        items,
        passed=passed,
        metric_savings={"CLS": cls},
        display_mode=METRIC_SAVINGS if not passed else INFORMATIVE,
    )


def _violations(evidence: OpportunityEvidence, pattern: str) -> list[dict[str, Any]]:
    seen = set()
    items = []
    for entry in (evidence.page or {}).get("violations", []):
        if not entry.get("url") or not re.search(pattern, entry.get("text", "")):
            continue
        key = (entry["url"], entry.get("line"))
        if key not in seen:
            seen.add(key)
            items.append({"url": entry["url"], "line": entry.get("line"), "text": entry["text"]})
    return items


def no_document_write(evidence: OpportunityEvidence) -> AuditResult:
    """Calls of ``document.write()`` Chromium reported as violations."""
    audit_id, title = "no-document-write", TITLES["no-document-write"]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    return result(audit_id, title, _violations(evidence, r"document\.write"))


def uses_passive_event_listeners(evidence: OpportunityEvidence) -> AuditResult:
    """Scroll-blocking listeners (touch, wheel) added without ``passive``."""
    audit_id = "uses-passive-event-listeners"
    title = TITLES[audit_id]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    return result(audit_id, title, _violations(evidence, r"passive event listener"))
