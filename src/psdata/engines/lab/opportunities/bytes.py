"""Byte-efficiency audits: what a page downloads that it does not need to.

Each audit lists its items (``url``, ``totalBytes``, ``wastedBytes``...) with Lighthouse's
thresholds; ``savings_bytes`` is the sum of ``wastedBytes``. Time savings
(``savings_ms``, and the FCP/LCP metric savings) come from simulating the load with and
without the waste: :func:`psdata.engines.lab.opportunities.savings.apply_simulation` fills them.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from ...._lighthouse import INFORMATIVE, NUMERIC, PASS_SCORE
from ..audit_results import undecided
from ..evidence import AuditResult, NetworkRequest
from ..scoring import log_normal_score
from ._common import (
    NO_SIMULATOR,
    compressed_size,
    missing,
    origin,
    resource_size,
    result,
    size_on_network,
    total,
)
from .evidence import BodyFacts, OpportunityEvidence
from .minify import token_length
from .source_maps import duplicated_modules

TITLES = {
    "unused-css-rules": "Reduce unused CSS",
    "unused-javascript": "Reduce unused JavaScript",
    "unminified-css": "Minify CSS",
    "unminified-javascript": "Minify JavaScript",
    "uses-text-compression": "Enable text compression",
    "modern-image-formats": "Serve images in modern formats",
    "uses-optimized-images": "Efficiently encode images",
    "uses-responsive-images": "Properly size images",
    "offscreen-images": "Defer offscreen images",
    "efficient-animated-content": "Use video formats for animated content",
    "total-byte-weight": "Avoid enormous network payloads",
    "uses-long-cache-ttl": "Serve static assets with an efficient cache policy",
    "legacy-javascript": "Avoid serving legacy JavaScript to modern browsers",
    "duplicated-javascript": "Remove duplicate modules in JavaScript bundles",
}

#: Lighthouse's thresholds, in bytes unless named otherwise.
UNUSED_CSS_MIN = 10 * 1024
UNUSED_JS_MIN = 20 * 1024
UNMINIFIED_MIN = 2048
UNMINIFIED_CSS_MIN_PERCENT = 5
UNMINIFIED_JS_MIN_PERCENT = 10
COMPRESSION_MIN = 1400
COMPRESSION_MIN_RATIO = 0.1
MODERN_FORMATS_MIN = 8192
OPTIMIZED_MIN = 4096
RESPONSIVE_MIN = 4096
RESPONSIVE_MIN_WITH_SRCSET = 12288
OFFSCREEN_MIN = 2048
OFFSCREEN_MIN_PERCENT = 75
OFFSCREEN_MARGIN_PX = 100
OFFSCREEN_BOTTOM_VIEWPORTS = 3
GIF_MIN = 100 * 1024
TOTAL_BYTES_P10 = 2667 * 1024
TOTAL_BYTES_MEDIAN = 4000 * 1024
CACHE_HIT_MAX = 0.925
#: Hours at each decile of resource age (Lighthouse's cache-hit model).
_AGE_DECILES_H = (0, 0.2, 1, 3, 8, 12, 24, 48, 72, 168, 8760, math.inf)
_STATIC_TYPES = frozenset({"Font", "Image", "Media", "Script", "Stylesheet"})
_CACHEABLE_STATUS = frozenset({200, 203, 206})
_TEXT_TYPES = frozenset({"Document", "Script", "Stylesheet", "XHR", "Fetch", "EventSource"})


def byte_audits(evidence: OpportunityEvidence) -> list[AuditResult]:
    """Every byte-efficiency audit of one page, in Lighthouse's order."""
    return [
        unused_css_rules(evidence),
        unused_javascript(evidence),
        unminified_css(evidence),
        unminified_javascript(evidence),
        uses_text_compression(evidence),
        modern_image_formats(evidence),
        uses_optimized_images(evidence),
        uses_responsive_images(evidence),
        offscreen_images(evidence),
        efficient_animated_content(evidence),
        total_byte_weight(evidence),
        uses_long_cache_ttl(evidence),
        legacy_javascript(evidence),
        duplicated_javascript(evidence),
    ]


#: Audits that read response bodies: they name the bodies that could not be read.
_BODY_AUDITS = frozenset(
    {
        "unminified-javascript",
        "uses-text-compression",
        "legacy-javascript",
    }
)


#: What a byte audit's judge finds: its items, or its items and an explanation.
Found = list[dict[str, Any]] | tuple[list[dict[str, Any]], str | None]
Judge = Callable[[OpportunityEvidence], Found]
Audit = Callable[[OpportunityEvidence], AuditResult]


def _byte_audit(audit_id: str, needs: str | None = None) -> Callable[[Judge], Audit]:
    """Make a function that lists an opportunity's items into the audit itself.

    The audit is undecided when the collection step it *needs* failed; otherwise its
    items, largest waste first, fail it, with their wasted bytes as its byte savings
    (time savings come from the load simulator later).

    >>> @_byte_audit("unused-css-rules", needs="css")
    ... def judge(evidence):
    ...     return [{"url": "a.css", "wastedBytes": 20_000}]
    >>> judge(OpportunityEvidence("https://a.test/")).savings_bytes
    20000.0
    >>> judge(OpportunityEvidence("https://a.test/", errors={"css": "gone"})).display_mode
    'error'
    """

    def wrap(judge: Judge) -> Audit:
        @functools.wraps(judge)
        def audit(evidence: OpportunityEvidence) -> AuditResult:
            why = missing(evidence, needs) if needs else None
            if why:
                return undecided(audit_id, TITLES[audit_id], why)
            found = judge(evidence)
            items, explanation = found if isinstance(found, tuple) else (found, None)
            return _opportunity(audit_id, items, explanation, evidence)

        return audit

    return wrap


def _read_bodies(
    evidence: OpportunityEvidence, resource_type: str | None = None
) -> Iterator[tuple[NetworkRequest, BodyFacts]]:
    """The requests (of *resource_type*, if given) whose response body was read."""
    for request in evidence.requests:
        body = evidence.bodies.get(request.request_id)
        if body is not None and resource_type in (None, request.resource_type):
            yield request, body


def _opportunity(
    audit_id: str,
    items: list[dict[str, Any]],
    explanation: str | None = None,
    evidence: OpportunityEvidence | None = None,
) -> AuditResult:
    items.sort(key=lambda item: -(item.get("wastedBytes") or 0))
    wasted = total(items, "wastedBytes")
    why = explanation or (NO_SIMULATOR if items else None)
    if evidence is not None and evidence.unread_bodies and audit_id in _BODY_AUDITS:
        unread = evidence.unread_bodies
        note = f"{len(unread)} response bodies could not be read and were not judged: "
        note += ", ".join(unread[:3]) + (" …" if len(unread) > 3 else "")
        why = f"{why} {note}" if why else note
    return result(
        audit_id,
        TITLES[audit_id],
        items,
        savings_bytes=wasted,
        explanation=why,
        savings_unknown=True,
    )


def _unused_css_items(evidence: OpportunityEvidence) -> list[dict[str, Any]]:
    """Every style sheet's unused bytes on the wire (Lighthouse's ``UnusedCSS``)."""
    items = []
    for sheet in evidence.stylesheets:
        if sheet.length <= 0:
            continue
        request = None if sheet.inline else evidence.request_for(sheet.url)
        if sheet.inline:  # weighed as part of the document that holds it
            request = evidence.main_document
        size = compressed_size(evidence, request, sheet.length, "Stylesheet")
        unused = (sheet.length - min(sheet.used, sheet.length)) / sheet.length
        url = sheet.url if not sheet.inline else _preview(sheet.content)
        items.append(
            {
                "url": url,
                "totalBytes": size,
                "wastedBytes": round(unused * size),
                "wastedPercent": unused * 100,
            }
        )
    return items


def unused_css_by_url(evidence: OpportunityEvidence) -> dict[str, float]:
    """Unused CSS bytes on the wire by style sheet URL, every sheet (no threshold).

    >>> from psdata.engines.lab.opportunities.evidence import StyleSheetUsage
    >>> sheet = StyleSheetUsage("https://a.test/a.css", length=1000, used=250)
    >>> unused_css_by_url(OpportunityEvidence("https://a.test/", stylesheets=[sheet]))
    {'https://a.test/a.css': 150.0}
    """
    return {item["url"]: float(item["wastedBytes"]) for item in _unused_css_items(evidence)}


@_byte_audit("unused-css-rules", needs="css")
def unused_css_rules(evidence: OpportunityEvidence) -> Found:
    """Style sheets whose unused rules weigh more than 10 KiB on the wire."""
    items = [i for i in _unused_css_items(evidence) if i["wastedBytes"] > UNUSED_CSS_MIN]
    return items


def _preview(content: str) -> str:
    text = re.sub(r"\s+", " ", content).strip()
    return text[:100]


@_byte_audit("unused-javascript", needs="js_coverage")
def unused_javascript(evidence: OpportunityEvidence) -> Found:
    """Scripts whose never-run functions weigh more than 20 KiB on the wire."""
    items = []
    ratios: dict[str, float] = {}
    for script in evidence.scripts:
        if script.unused == 0 or script.length == 0:
            continue
        ratio = ratios.get(script.url)
        if ratio is None:
            request = evidence.request_for(script.url)
            content = (resource_size(evidence, request) if request else 0) or script.length
            kind = "Script"
            ratio = compressed_size(evidence, request, content, kind) / content
            ratios[script.url] = ratio
        item: dict[str, Any] = {
            "url": script.url,
            "totalBytes": round(ratio * script.length),
            "wastedBytes": round(ratio * script.unused),
            "wastedPercent": 100 * script.unused / script.length,
        }
        if item["wastedBytes"] > UNUSED_JS_MIN:
            items.append(item)
    return items


def _minified_item(
    evidence: OpportunityEvidence, url: str, content_length: int, tokens: int, kind: str
) -> dict[str, Any] | None:
    if content_length <= 0:
        return None
    request = evidence.request_for(url)
    if request is None:
        transfer = round(content_length * {"Stylesheet": 0.2}.get(kind, 0.33))
    elif request.resource_type == kind:
        transfer = request.transfer_size
    else:
        size = resource_size(evidence, request)
        transfer = round(content_length * (request.transfer_size / size if size > 0 else 1))
    ratio = 1 - tokens / content_length
    return {
        "url": url,
        "totalBytes": transfer,
        "wastedBytes": round(transfer * ratio),
        "wastedPercent": 100 * ratio,
    }


@_byte_audit("unminified-css", needs="css")
def unminified_css(evidence: OpportunityEvidence) -> Found:
    """Style sheets that minifying would shrink by 2 KiB and 5 % or more."""
    items = []
    for sheet in evidence.stylesheets:
        if not sheet.content:
            continue
        url = sheet.url if not sheet.inline else evidence.url
        item = _minified_item(
            evidence, url, len(sheet.content), token_length(sheet.content, css=True), "Stylesheet"
        )
        if (
            item
            and item["wastedPercent"] >= UNMINIFIED_CSS_MIN_PERCENT
            and item["wastedBytes"] >= UNMINIFIED_MIN
        ):
            items.append(item)
    return items


@_byte_audit("unminified-javascript", needs="bodies")
def unminified_javascript(evidence: OpportunityEvidence) -> Found:
    """Scripts (external and inline) that minifying would shrink by 2 KiB and 10 %."""
    items = []
    for request, body in _read_bodies(evidence, "Script"):
        if body.token_length is None:
            continue
        item = _minified_item(evidence, request.url, body.size, body.token_length, "Script")
        if item:
            items.append(item)
    for text in (evidence.page or {}).get("inlineScripts", []):
        item = _minified_item(evidence, evidence.url, len(text), token_length(text), "Script")
        if item:
            item["url"] = f"inline: {text.strip()[:40]}"
            items.append(item)
    kept = [
        i
        for i in items
        if i["wastedPercent"] >= UNMINIFIED_JS_MIN_PERCENT and i["wastedBytes"] >= UNMINIFIED_MIN
    ]
    return kept


@_byte_audit("uses-text-compression", needs="bodies")
def uses_text_compression(evidence: OpportunityEvidence) -> Found:
    """Text responses sent uncompressed that gzip would shrink by 1,400 bytes or more."""
    items: list[dict[str, Any]] = []
    for request, body in _read_bodies(evidence):
        encoded = request.response_headers.get("content-encoding", "").strip().lower()
        if (
            body.gzip_size is None
            or request.resource_type not in _TEXT_TYPES
            or encoded not in ("", "identity")
            or not request.transfer_size
            or request.status == 304
            or not body.size
        ):
            continue
        savings = body.size - body.gzip_size
        if request.transfer_size < body.gzip_size or savings < COMPRESSION_MIN:
            continue
        if savings < 20_000 and 1 - body.gzip_size / body.size < COMPRESSION_MIN_RATIO:
            continue
        if any(i["url"] == request.url and i["totalBytes"] == body.size for i in items):
            continue
        items.append({"url": request.url, "totalBytes": body.size, "wastedBytes": savings})
    return items


def _natural_pixels(evidence: OpportunityEvidence) -> dict[str, int]:
    """Natural pixel count of each image element's source, by URL (Lighthouse's
    estimate of an image Chromium could not re-encode starts from it)."""
    return {
        img["src"]: img["naturalWidth"] * img["naturalHeight"]
        for img in (evidence.page or {}).get("images", [])
    }


@_byte_audit("modern-image-formats", needs="images")
def modern_image_formats(evidence: OpportunityEvidence) -> Found:
    """JPEG/PNG/BMP images that AVIF would shrink by 8 KiB or more."""
    pixels_by_url = _natural_pixels(evidence)
    items = []
    for image in evidence.images:
        if image.failed or image.mime_type in ("image/webp", "image/avif"):
            continue
        webp, avif = image.webp_size, None
        if image.jpeg_size and image.webp_size:
            avif = image.jpeg_size * 5 / 10 / 2 + image.webp_size * 8 / 10 / 2
        if webp is None:
            pixels = pixels_by_url.get(image.url, 0)
            if not pixels:
                continue
            webp, avif = round(pixels * 2 / 10), round(pixels * 2 / 12)
        if avif is None:
            continue
        wasted = image.original_size - avif
        if wasted < MODERN_FORMATS_MIN:
            continue
        items.append(
            {
                "url": image.url,
                "totalBytes": image.original_size,
                "wastedBytes": wasted,
                "wastedWebpBytes": image.original_size - webp,
                "fromProtocol": image.webp_size is not None,
                "isCrossOrigin": origin(image.url) != origin(evidence.url),
            }
        )
    return items


@_byte_audit("uses-optimized-images", needs="images")
def uses_optimized_images(evidence: OpportunityEvidence) -> Found:
    """JPEG/BMP images that re-encoding at quality 0.92 shrinks by 4 KiB or more."""
    pixels_by_url = _natural_pixels(evidence)
    items = []
    for image in evidence.images:
        if image.failed or not re.search("jpeg|bmp", image.mime_type):
            continue
        jpeg = image.jpeg_size
        if jpeg is None:
            pixels = pixels_by_url.get(image.url, 0)
            if not pixels:
                continue
            jpeg = round(pixels * 2 / 8)
        if image.original_size < jpeg + OPTIMIZED_MIN:
            continue
        items.append(
            {
                "url": image.url,
                "totalBytes": image.original_size,
                "wastedBytes": image.original_size - jpeg,
                "fromProtocol": image.jpeg_size is not None,
            }
        )
    return items


def _image_item(image: dict[str, Any], size: int, wasted_ratio: float) -> dict[str, Any]:
    """An image element's item: its bytes on the network and the share of them wasted."""
    return {
        "url": image["src"],
        "node": image.get("node"),
        "totalBytes": size,
        "wastedBytes": round(size * wasted_ratio),
        "wastedPercent": 100 * wasted_ratio,
    }


def _keep_least(found: dict[str, dict[str, Any]], item: dict[str, Any]) -> None:
    """Keep *item* for its URL unless an item of that URL wastes less (Lighthouse keeps
    the smallest waste of an image shown several times)."""
    kept = found.get(item["url"])
    if kept is None or kept["wastedBytes"] > item["wastedBytes"]:
        found[item["url"]] = item


@_byte_audit("uses-responsive-images", needs="page")
def uses_responsive_images(evidence: OpportunityEvidence) -> Found:
    """Images larger than displayed (× DPR) by more than 4 KiB (12 KiB with srcset)."""
    page = evidence.page or {}
    viewport = page.get("viewport", {})
    dpr = float(viewport.get("devicePixelRatio") or 1)
    found: dict[str, dict[str, Any]] = {}
    passed: set[str] = set()
    for image in page.get("images", []):
        request = evidence.request_for(image["src"])
        natural = image["naturalWidth"] * image["naturalHeight"]
        if request is None or not natural or (request.mime_type or "") == "image/svg+xml":
            continue
        width, height = image["displayedWidth"], image["displayedHeight"]
        if width and height:
            used = width * dpr * height * dpr
        else:  # not displayed: as if shown at the viewport's width, twice its height
            vw, vh = viewport.get("innerWidth", 0), viewport.get("innerHeight", 0) * 2
            aspect = image["naturalWidth"] / image["naturalHeight"]
            uw, uh = (vw, vw / aspect) if aspect > vw / max(vh, 1) else (vh * aspect, vh)
            used = uw * dpr * uh * dpr
        ratio = 1 - used / natural
        item = _image_item(image, size_on_network(evidence, request), ratio)
        allowed = (
            RESPONSIVE_MIN_WITH_SRCSET
            if image.get("srcset") or image.get("isPicture")
            else RESPONSIVE_MIN
        )
        url = image["src"]
        if item["wastedBytes"] > allowed and url not in passed:
            _keep_least(found, item)
        else:
            found.pop(url, None)
            passed.add(url)
    return list(found.values())


@_byte_audit("offscreen-images", needs="page")
def offscreen_images(evidence: OpportunityEvidence) -> Found:
    """Images below the fold or hidden, not lazy, loaded before the page went quiet.

    Lighthouse keeps those requested 50 ms before Time to Interactive (without the
    simulator: before its trace ends); psdata keeps every offscreen image requested
    before the load ended.
    """
    page = evidence.page or {}
    viewport = page.get("viewport", {})
    width, height = viewport.get("innerWidth", 0), viewport.get("innerHeight", 0)
    found: dict[str, dict[str, Any]] = {}
    for image in page.get("images", []):
        request = evidence.request_for(image["src"])
        if request is None or image.get("loading") in ("lazy", "eager"):
            continue
        rect = image["rect"]
        pixels = image["displayedWidth"] * image["displayedHeight"]
        top = max(rect["top"], -OFFSCREEN_MARGIN_PX)
        right = min(rect["right"], width + OFFSCREEN_MARGIN_PX)
        bottom = min(rect["bottom"], height + OFFSCREEN_BOTTOM_VIEWPORTS * height)
        left = max(rect["left"], -OFFSCREEN_MARGIN_PX)
        visible = max(right - left, 0) * max(bottom - top, 0)
        ratio = 1.0 if pixels == 0 else 1 - visible / pixels
        _keep_least(found, _image_item(image, size_on_network(evidence, request), ratio))
    return [
        i
        for i in found.values()
        if i["wastedBytes"] >= OFFSCREEN_MIN and i["wastedPercent"] >= OFFSCREEN_MIN_PERCENT
    ]


@_byte_audit("efficient-animated-content")
def efficient_animated_content(evidence: OpportunityEvidence) -> Found:
    """GIFs over 100 KiB, with the share a video would save (Lighthouse's fit)."""
    items = []
    for request in evidence.requests:
        if request.mime_type != "image/gif" or request.resource_type != "Image":
            continue
        size = resource_size(evidence, request)
        if size > GIF_MIN:
            share = round(29.1 * math.log10(size) - 100.7) / 100
            items.append(
                {"url": request.url, "totalBytes": size, "wastedBytes": round(size * share)}
            )
    return items


def total_byte_weight(evidence: OpportunityEvidence) -> AuditResult:
    """All bytes transferred, scored log-normally (p10 2,667 KiB, median 4,000 KiB)."""
    audit_id = "total-byte-weight"
    sized = [r for r in evidence.requests if r.transfer_size and r.url.startswith("http")]
    weight = sum(r.transfer_size for r in sized)
    top = sorted(sized, key=lambda r: (-r.transfer_size, r.url))[:10]
    items = [{"url": r.url, "totalBytes": r.transfer_size} for r in top]
    score = log_normal_score(weight, TOTAL_BYTES_P10, TOTAL_BYTES_MEDIAN)
    audit = result(
        audit_id,
        TITLES[audit_id],
        items,
        score=score,
        display_mode=INFORMATIVE if score >= PASS_SCORE else NUMERIC,
        numeric_value=weight,
        numeric_unit="byte",
    )
    audit.explanation = f"Total size was {weight / 1024:,.0f} KiB."
    return audit


def cache_hit_probability(max_age_s: float) -> float:
    """The chance a returning visitor still has a resource cached for *max_age_s* seconds.

    >>> cache_hit_probability(0), cache_hit_probability(365 * 86400)
    (0.0, 1.0)
    >>> round(cache_hit_probability(3600), 2)
    0.2
    """
    hours = max_age_s / 3600
    upper = next(i for i, decile in enumerate(_AGE_DECILES_H) if decile >= hours)
    if upper == len(_AGE_DECILES_H) - 1:
        return 1.0
    if upper == 0:
        return 0.0
    low_h, high_h = _AGE_DECILES_H[upper - 1], _AGE_DECILES_H[upper]
    low_p, high_p = (upper - 1) / 10, upper / 10
    return low_p + (high_p - low_p) * (hours - low_h) / (high_h - low_h)


def _cache_control(value: str | None) -> dict[str, str | bool] | None:
    if not value:
        return None
    directives: dict[str, str | bool] = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            directives[name.lower()] = argument.strip().strip('"') or True
    return directives


def uses_long_cache_ttl(evidence: OpportunityEvidence) -> AuditResult:
    """Static resources cached for less than the time that gives a 92.5 % hit chance."""
    audit_id = "uses-long-cache-ttl"
    items: list[dict[str, Any]] = []
    for request in evidence.requests:
        if (
            request.status not in _CACHEABLE_STATUS
            or request.resource_type not in _STATIC_TYPES
            or not request.url.startswith("http")
        ):
            continue
        headers = request.response_headers
        control = _cache_control(headers.get("cache-control"))
        if control is None and "no-cache" in headers.get("pragma", ""):
            continue
        skip = ("must-revalidate", "no-cache", "no-store", "stale-while-revalidate", "private")
        if control and any(control.get(name) for name in skip):
            continue
        lifetime: float | None = None
        if control and "max-age" in control:
            try:
                lifetime = float(str(control["max-age"]))
            except ValueError:
                lifetime = 0.0
        elif headers.get("expires"):
            lifetime = _expires_in(headers["expires"])
        if lifetime is not None and (not math.isfinite(lifetime) or lifetime <= 0):
            continue
        probability = cache_hit_probability(lifetime or 0)
        if probability > CACHE_HIT_MAX:
            continue
        items.append(
            {
                "url": request.url,
                "cacheLifetimeMs": (lifetime or 0) * 1000,
                "cacheHitProbability": probability,
                "totalBytes": request.transfer_size,
                "wastedBytes": (1 - probability) * request.transfer_size,
            }
        )
    items.sort(key=lambda i: (i["cacheLifetimeMs"], -i["totalBytes"], i["url"]))
    audit = result(audit_id, TITLES[audit_id], items, savings_bytes=total(items, "wastedBytes"))
    return audit


def _expires_in(value: str) -> float:
    from email.utils import parsedate_to_datetime
    from time import time

    try:
        return math.ceil(parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return 0.0


#: Signs of transpiled or polyfilled code modern browsers do not need (a reduced form of
#: Lighthouse's legacy-javascript patterns: Babel helpers and core-js polyfills).
LEGACY_SIGNALS = {
    "@babel/plugin-transform-classes": re.compile(r"\b_classCallCheck\b|\bclassCallCheck\("),
    "@babel/plugin-transform-regenerator": re.compile(r"\bregeneratorRuntime\b"),
    "@babel/plugin-transform-spread": re.compile(r"\b_toConsumableArray\b"),
    "core-js polyfills": re.compile(r"core-js/modules/|__core-js_shared__"),
}


@_byte_audit("legacy-javascript", needs="bodies")
def legacy_javascript(evidence: OpportunityEvidence) -> Found:
    """Scripts with Babel helpers or core-js polyfills (see :data:`LEGACY_SIGNALS`)."""
    items = []
    for request, body in _read_bodies(evidence, "Script"):
        if body.legacy:
            items.append({"url": request.url, "signals": list(body.legacy), "wastedBytes": 0})
    explanation = (
        "Wasted bytes are not estimated (Lighthouse weighs each polyfill from its module graph)."
        if items
        else None
    )
    return items, explanation


def duplicated_javascript(evidence: OpportunityEvidence) -> AuditResult:
    """Duplicate modules across bundles, as the scripts' source maps tell.

    As in Lighthouse, a page whose scripts have no source map, or whose maps list no
    module twice (see :mod:`~psdata.engines.lab.opportunities.source_maps`), has nothing
    to report. Duplicated modules are sized from the maps' mappings in Lighthouse, which
    psdata does not decode: such a page is undecided, naming the modules.

    >>> page = OpportunityEvidence("https://a.test/", source_maps={
    ...     "https://a.test/a.js.map": ["src/a.js"], "https://a.test/b.js.map": ["src/b.js"]})
    >>> duplicated_javascript(page).score
    1.0
    >>> page.source_maps["https://a.test/b.js.map"].append("src/a.js")
    >>> duplicated_javascript(page).display_mode
    'error'
    """
    audit_id = "duplicated-javascript"
    why = missing(evidence, "bodies", "source_maps")
    if why:
        return undecided(audit_id, TITLES[audit_id], why)
    twice = duplicated_modules(evidence.source_maps)
    if twice:
        shown = ", ".join(twice[:3]) + (f" and {len(twice) - 3} more" if len(twice) > 3 else "")
        return undecided(
            audit_id,
            TITLES[audit_id],
            f"{len(twice)} module(s) appear more than once in the source maps ({shown});"
            " psdata does not size them (that needs the maps' mappings).",
        )
    unread = len(evidence.unread_source_maps)
    explanation = "No script has a source map."
    if evidence.source_maps or unread:
        explanation = f"No module appears twice in the {len(evidence.source_maps)} source map(s)"
        if unread:
            explanation += f" read ({unread} could not be read: left out, as Lighthouse does)"
        explanation += "."
    return result(audit_id, TITLES[audit_id], [], explanation=explanation)
