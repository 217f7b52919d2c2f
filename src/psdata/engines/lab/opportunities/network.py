"""Network audits: the server, redirects, HTTP/2, connections, request chains,
render-blocking resources, the LCP image's discovery, third parties and web fonts."""

from __future__ import annotations

import re
from typing import Any

from ...._lighthouse import INFORMATIVE, METRIC_SAVINGS
from ...._urls import registrable_domain
from ..audit_results import not_applicable, undecided
from ..evidence import AuditResult, NetworkRequest
from ._common import NO_SIMULATOR, missing, origin, resource_size, result
from .evidence import OpportunityEvidence

TITLES = {
    "server-response-time": "Reduce initial server response time",
    "redirects": "Avoid multiple page redirects",
    "uses-http2": "Use HTTP/2",
    "uses-rel-preconnect": "Preconnect to required origins",
    "critical-request-chains": "Avoid chaining critical requests",
    "render-blocking-resources": "Eliminate render-blocking resources",
    "prioritize-lcp-image": "Preload Largest Contentful Paint image",
    "third-party-summary": "Reduce the impact of third-party code",
    "font-display": "Ensure text remains visible during webfont load",
}
#: Lighthouse's thresholds.
SERVER_TOO_SLOW_MS = 600
SERVER_TARGET_MS = 100
PRECONNECT_MIN_MS = 50
PRECONNECT_MAX_IDLE_MS = 15_000
THIRD_PARTY_PASS_MS = 250
#: uses-http2: the static resource types that gain from multiplexing, the fewest of them
#: an origin must serve to be listed, the size under which a third party's request is
#: taken for a tracking pixel, and the hosts Lighthouse never lists (local development).
HTTP2_STATIC_TYPES = frozenset({"Document", "Font", "Image", "Stylesheet", "Script", "Media"})
HTTP2_MIN_STATIC_REQUESTS = 6
HTTP2_PIXEL_BYTES = 100
HTTP2_LOCAL_HOSTS = ("localhost", "127.0.0.1")
_OLD_HTTP = re.compile(r"HTTP/[01][.\d]?", re.IGNORECASE)
FONT_MAX_WASTED_MS = 3000
_GOOD_FONT_DISPLAY = re.compile(r"^(block|fallback|optional|swap)$")
_FONT_FACE = re.compile(r"@font-face\s*{(.*?)}", re.DOTALL | re.IGNORECASE)
_FONT_DISPLAY = re.compile(r"font-display\s*:\s*(\w+)\s*(;|$)", re.IGNORECASE)
_CSS_URL = re.compile(r"url\((.*?)\)")


def network_audits(evidence: OpportunityEvidence) -> list[AuditResult]:
    """Every network audit of one page."""
    return [
        server_response_time(evidence),
        redirects(evidence),
        uses_http2(evidence),
        uses_rel_preconnect(evidence),
        critical_request_chains(evidence),
        render_blocking_resources(evidence),
        prioritize_lcp_image(evidence),
        third_party_summary(evidence),
        font_display(evidence),
    ]


def server_response_time(evidence: OpportunityEvidence) -> AuditResult:
    """The main document's server time (first header byte − request sent) under 600 ms."""
    audit_id, title = "server-response-time", TITLES["server-response-time"]
    timing = evidence.main_timing
    headers = timing.get("receiveHeadersStart", -1)
    if headers is None or headers < 0:
        headers = timing.get("receiveHeadersEnd", -1)
    send_end = timing.get("sendEnd")
    if evidence.main_document is None or send_end is None or headers < 0:
        return undecided(audit_id, title, "No timing was found for the main document.")
    response_ms = float(headers) - float(send_end)
    passed = response_ms < SERVER_TOO_SLOW_MS
    saved = max(response_ms - SERVER_TARGET_MS, 0.0)
    return result(
        audit_id,
        title,
        [{"url": evidence.main_document.url, "responseTime": response_ms}],
        passed=passed,
        savings_ms=saved,
        metric_savings={"FCP": saved, "LCP": saved},
        display_mode=METRIC_SAVINGS if not passed else INFORMATIVE,
        explanation=f"Root document took {response_ms:,.0f} ms.",
        numeric_value=response_ms,
        numeric_unit="millisecond",
    )


def redirects(evidence: OpportunityEvidence) -> AuditResult:
    """Each redirect of the main document, with the time it cost (observed)."""
    audit_id, title = "redirects", TITLES["redirects"]
    chain = evidence.redirects
    items: list[dict[str, Any]] = []
    if len(chain) >= 2:
        for index, (url, start) in enumerate(chain):
            following = chain[index + 1][1] if index + 1 < len(chain) else start
            items.append({"url": url, "wastedMs": max(following - start, 0.0)})
    wasted = sum(i["wastedMs"] for i in items)
    return result(
        audit_id,
        title,
        items,
        savings_ms=wasted,
        metric_savings={"FCP": wasted, "LCP": wasted},
    )


def uses_http2(evidence: OpportunityEvidence) -> AuditResult:
    """Requests served over HTTP/1.x from an origin that serves six static resources or
    more, as Lighthouse lists them; its FCP and LCP savings need the simulator.

    Lighthouse never lists ``localhost``, ``127.0.0.1`` or ``*.localhost`` origins, nor
    requests a service worker answered. It leaves out a third party's static request
    under 100 bytes when the third-party-web list names the third party (a tracking
    pixel); psdata, without that list, leaves out every third party's such request.
    """
    audit_id, title = "uses-http2", TITLES["uses-http2"]
    page_site = registrable_domain(_host(evidence.url))
    static: dict[str, int] = {}
    for request in evidence.requests:
        host = _host(request.url)
        if request.resource_type not in HTTP2_STATIC_TYPES or _like_localhost(host):
            continue
        if (
            resource_size(evidence, request) < HTTP2_PIXEL_BYTES
            and registrable_domain(host) != page_site
        ):
            continue
        key = origin(request.url)
        static[key] = static.get(key, 0) + 1
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for request in evidence.requests:
        if request.url in seen or request.from_service_worker:
            continue
        if not _OLD_HTTP.search(request.protocol or ""):
            continue
        if static.get(origin(request.url), 0) < HTTP2_MIN_STATIC_REQUESTS:
            continue
        seen.add(request.url)
        items.append({"url": request.url, "protocol": request.protocol})
    return result(
        audit_id,
        title,
        items,
        explanation=(
            f"{len(items)} request(s) not served via HTTP/2. {NO_SIMULATOR}" if items else None
        ),
        savings_unknown=True,
    )


def _like_localhost(host: str) -> bool:
    """Lighthouse's local hosts: ``localhost``, ``127.0.0.1`` and ``*.localhost``.

    >>> _like_localhost("127.0.0.1"), _like_localhost("app.localhost"), _like_localhost("a.test")
    (True, True, False)
    """
    return host in HTTP2_LOCAL_HOSTS or host.endswith(".localhost")


def uses_rel_preconnect(evidence: OpportunityEvidence) -> AuditResult:
    """Other origins whose new connection cost 50 ms or more, without a preconnect.

    Observed connection times (DNS, TCP, TLS) of the first request to each origin;
    Lighthouse also restricts to requests of its LCP graph, which needs the simulator.
    """
    audit_id, title = "uses-rel-preconnect", TITLES["uses-rel-preconnect"]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    links = (evidence.page or {}).get("links", [])
    preconnected = {origin(k["href"]) for k in links if "preconnect" in k["rel"].split()}
    main = evidence.main_document
    main_origin = origin(main.url) if main else origin(evidence.url)
    first: dict[str, NetworkRequest] = {}
    for request in evidence.requests:
        if not request.url.startswith("http") or request.start_ms is None:
            continue
        key = origin(request.url)
        if key != main_origin and key not in first:
            first[key] = request
    items: list[dict[str, Any]] = []
    for key, request in first.items():
        timing = request_timing(evidence, request)
        connect = _connection_ms(timing)
        if key in preconnected or connect < PRECONNECT_MIN_MS:
            continue
        items.append({"url": key, "wastedMs": connect})
    warnings = [o for o in preconnected if o not in first]
    explanation = f"Unused preconnect: {', '.join(sorted(warnings))}." if warnings else None
    wasted = max((i["wastedMs"] for i in items), default=0.0)
    return result(
        audit_id,
        title,
        items,
        savings_ms=wasted,
        metric_savings={"FCP": 0.0, "LCP": wasted},
        explanation=explanation,
    )


def request_timing(evidence: OpportunityEvidence, request: NetworkRequest) -> dict[str, float]:
    """The CDP ``Response.timing`` of *request* (empty if it had none)."""
    if evidence.main_document is request and evidence.main_timing:
        return evidence.main_timing
    return evidence.timings.get(request.request_id, {})


def _connection_ms(timing: dict[str, float]) -> float:
    start = timing.get("dnsStart", -1)
    end = timing.get("connectEnd", -1)
    if start is None or end is None or start < 0 or end < 0:
        return 0.0
    return float(end - start)


def critical_request_chains(evidence: OpportunityEvidence) -> AuditResult:
    """The requests at high priority that the first render waits for (informative).

    Lighthouse draws them as initiator chains; psdata lists them in start order with the
    longest chain's duration (main document start → last critical response end).
    """
    audit_id, title = "critical-request-chains", TITLES["critical-request-chains"]
    blocking = _render_blocking_urls(evidence)
    critical = [
        r
        for r in evidence.requests
        if r.failed is None
        and r.start_ms is not None
        and (
            r is evidence.main_document
            or r.url in blocking
            or (r.resource_type in ("Stylesheet", "Font", "Script") and r.frame_id is not None)
        )
        and r.resource_type not in ("Image", "XHR", "Fetch", "Ping")
    ]
    items = [
        {
            "url": r.url,
            "startMs": r.start_ms,
            "endMs": r.end_ms,
            "transferSize": r.transfer_size,
        }
        for r in critical
    ]
    longest = max((r.end_ms or 0.0 for r in critical), default=0.0)
    return result(
        audit_id,
        title,
        items,
        passed=True,
        display_mode=INFORMATIVE,
        explanation=f"Maximum critical path latency: {longest:,.0f} ms.",
    )


def _render_blocking_urls(evidence: OpportunityEvidence) -> set[str]:
    resources = (evidence.page or {}).get("resources", [])
    return {r["url"] for r in resources if r.get("blocking") == "blocking"}


def render_blocking_resources(evidence: OpportunityEvidence) -> AuditResult:
    """Scripts and style sheets that block the first paint (Chromium's own verdict,
    ``renderBlockingStatus`` of the Resource Timing entries).

    Lighthouse keeps those whose deferral would save 50 ms or more in its simulation;
    without the simulator every render-blocking resource is listed and the time saved
    is not estimated.
    """
    audit_id, title = "render-blocking-resources", TITLES["render-blocking-resources"]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    blocking = _render_blocking_urls(evidence)
    items: list[dict[str, Any]] = []
    for request in evidence.requests:
        if request.url in blocking and request.failed is None:
            items.append(
                {
                    "url": request.url,
                    "totalBytes": request.transfer_size,
                    "observedMs": (request.end_ms or 0) - (request.start_ms or 0),
                    "wastedMs": None,
                }
            )
    return result(
        audit_id, title, items, explanation=NO_SIMULATOR if items else None, savings_unknown=True
    )


def prioritize_lcp_image(evidence: OpportunityEvidence) -> AuditResult:
    """An LCP image the HTML does not reveal (requested by a script or style sheet)
    and not preloaded. Lighthouse reports it when its simulation saves time."""
    audit_id, title = "prioritize-lcp-image", TITLES["prioritize-lcp-image"]
    why = missing(evidence, "page")
    if why:
        return undecided(audit_id, title, why)
    page = evidence.page or {}
    lcp = page.get("lcp") or {}
    url = lcp.get("url") or ""
    request = evidence.request_for(url) if url else None
    if request is None or request.resource_type != "Image":
        return not_applicable(audit_id, title, "The LCP element is not an image.")
    preloaded = any(
        "preload" in link["rel"].split() and link["href"] == url for link in page.get("links", [])
    )
    initiators = {r["url"]: r.get("initiator") for r in page.get("resources", [])}
    from_parser = initiators.get(url) in ("img", "image", "input")
    items = []
    if not preloaded and not from_parser:
        items.append(
            {
                "url": url,
                "node": lcp.get("node"),
                "initiator": initiators.get(url),
                "wastedMs": None,
            }
        )
    return result(
        audit_id, title, items, explanation=NO_SIMULATOR if items else None, savings_unknown=True
    )


def third_party_summary(evidence: OpportunityEvidence) -> AuditResult:
    """Bytes and main-thread time per third-party site; fails over 250 ms blocking.

    Sites are registrable domains (Lighthouse names them with its entity list).
    """
    audit_id, title = "third-party-summary", TITLES["third-party-summary"]
    first_party = registrable_domain(_host(evidence.url))
    by_site: dict[str, dict[str, Any]] = {}
    for request in evidence.requests:
        if not request.url.startswith("http"):
            continue
        site = registrable_domain(_host(request.url))
        if site == first_party:
            continue
        entry = by_site.setdefault(site, {"entity": site, "transferSize": 0, "urls": set()})
        entry["transferSize"] += request.transfer_size
        entry["urls"].add(request.url)
    if not by_site:
        return not_applicable(audit_id, title, "No third-party requests.")
    if evidence.trace_events is None:
        return undecided(
            audit_id,
            title,
            "Third-party main-thread time needs the page's trace, which was not collected.",
        )
    from .mainthread import blocking_time_by_url

    blocking = blocking_time_by_url(evidence.trace_events, evidence.cpu_multiplier)
    items = []
    for entry in by_site.values():
        urls = entry.pop("urls")
        entry["blockingTime"] = sum(blocking.get(u, 0.0) for u in urls)
        items.append(entry)
    items.sort(key=lambda i: -i["blockingTime"])
    worst = sum(i["blockingTime"] for i in items)
    return result(
        audit_id,
        title,
        items,
        passed=worst <= THIRD_PARTY_PASS_MS,
        metric_savings={"TBT": worst},
        explanation=f"Third-party code blocked the main thread for {worst:,.0f} ms.",
    )


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""


def font_display(evidence: OpportunityEvidence) -> AuditResult:
    """Web fonts whose @font-face has no font-display of swap, fallback, optional, block."""
    audit_id, title = "font-display", TITLES["font-display"]
    why = missing(evidence, "css")
    if why:
        return undecided(audit_id, title, why)
    passing: set[str] = set()
    failing: set[str] = set()
    for sheet in evidence.stylesheets:
        base = sheet.url or evidence.url
        for block in _FONT_FACE.findall(sheet.content):
            found = _FONT_DISPLAY.search(block.strip())
            good = bool(found and _GOOD_FONT_DISPLAY.match(found.group(1).lower()))
            for raw in _CSS_URL.findall(block):
                url = _resolve(base, raw.strip().strip("'\""))
                (passing if good else failing).add(url)
    items = []
    for request in evidence.requests:
        if request.resource_type != "Font" or request.url.startswith(("data:", "blob:")):
            continue
        if request.url in failing:
            spent = (request.end_ms or 0) - (request.start_ms or 0)
            items.append({"url": request.url, "wastedMs": min(spent, FONT_MAX_WASTED_MS)})
    return result(audit_id, title, items)


def _resolve(base: str, url: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, url)
