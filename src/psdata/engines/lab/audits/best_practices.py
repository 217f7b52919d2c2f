"""The best-practices category of Lighthouse, judged from the page, DOM, console,
inspector issues and network records.

======================== ====== ============================================================
audit                    weight how psdata decides it
======================== ====== ============================================================
is-on-https              5      every request https/wss/data/blob, or on a loopback host
redirects-http           1      n/a unless the requested URL is http on a public host;
                                then passes when the final URL is https
geolocation-on-start     1      an init script records ``getCurrentPosition``/``watchPosition``
notification-on-start    1      an init script records ``Notification.requestPermission``
csp-xss                  0      informative: CSP header/meta parsed for common weaknesses
paste-preventing-inputs  3      a cancelable ``paste`` event is dispatched to each input
image-aspect-ratio       1      displayed vs natural ratio of visible ``<img>`` (2 px slack)
image-size-responsive    1      natural size ≥ displayed size × DPR (1, 1.5 or 2) × 0.75
                                (× 1 for images of 64 CSS px or less), in the viewport
viewport                 1      ``<meta name=viewport>`` with ``width`` or ``initial-scale``
font-size                1      mobile only: ≥ 60 % of visible text at ≥ 12 px and a viewport
doctype                  1      ``<!DOCTYPE html>`` without public/system id, no quirks mode
charset                  1      charset in Content-Type, or ``<meta charset>`` in the first
                                1024 bytes (DOM check if the body is not readable)
js-libraries             0      informative: well-known globals (jQuery, React, Vue, …)
deprecations             5      CDP ``Audits.issueAdded`` of code ``DeprecationIssue``
third-party-cookies      5      cookie issues with a third-party-phaseout reason
errors-in-console        1      console errors, uncaught exceptions (``pageerror``) and
                                Chrome's error log entries (CDP ``Log.entryAdded``)
valid-source-maps        0      first-party scripts ≥ 500 KiB have a source map (header or
                                ``sourceMappingURL`` comment); maps are not fetched
inspector-issues         1      mixed content, cookie, blocked-by-response, heavy ad, CSP,
                                SharedArrayBuffer, CORS, attribution and FedCM issues
======================== ====== ============================================================

Images count only when visible, loaded, not SVG and drawn with ``object-fit: fill``.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from ..audit_results import informative, not_applicable, passed_if, undecided
from ..evidence import AuditResult
from ..viewport import VIEWPORT_TITLE, has_mobile_viewport, viewport_audit
from ._common import PageEvidence

#: Lighthouse ``categories["best-practices"].auditRefs`` weights.
WEIGHTS: dict[str, float] = {
    "is-on-https": 5, "redirects-http": 1, "geolocation-on-start": 1,
    "notification-on-start": 1, "csp-xss": 0, "paste-preventing-inputs": 3,
    "image-aspect-ratio": 1, "image-size-responsive": 1, "viewport": 1, "font-size": 1,
    "doctype": 1, "charset": 1, "js-libraries": 0, "deprecations": 5,
    "third-party-cookies": 5, "errors-in-console": 1, "valid-source-maps": 0,
    "inspector-issues": 1,
}  # fmt: skip

TITLES: dict[str, str] = {
    "is-on-https": "Uses HTTPS",
    "redirects-http": "Redirects HTTP traffic to HTTPS",
    "geolocation-on-start": "Avoids requesting the geolocation permission on page load",
    "notification-on-start": "Avoids requesting the notification permission on page load",
    "csp-xss": "Ensure CSP is effective against XSS attacks",
    "paste-preventing-inputs": "Allows users to paste into input fields",
    "image-aspect-ratio": "Displays images with correct aspect ratio",
    "image-size-responsive": "Serves images with appropriate resolution",
    "viewport": VIEWPORT_TITLE,
    "font-size": "Document uses legible font sizes",
    "doctype": "Page has the HTML doctype",
    "charset": "Properly defines charset",
    "js-libraries": "Detected JavaScript libraries",
    "deprecations": "Avoids deprecated APIs",
    "third-party-cookies": "Avoids third-party cookies",
    "errors-in-console": "No browser errors logged to the console",
    "valid-source-maps": "Page has valid source maps",
    "inspector-issues": "No issues in the `Issues` panel in Chrome Devtools",
}

SECURE_SCHEMES = frozenset({"https", "wss", "data", "blob", "about", "chrome", "filesystem"})
INSPECTOR_ISSUE_CODES = frozenset({
    "MixedContentIssue", "CookieIssue", "BlockedByResponseIssue", "HeavyAdIssue",
    "ContentSecurityPolicyIssue", "SharedArrayBufferIssue", "CorsIssue",
    "AttributionReportingIssue", "FederatedAuthRequestIssue",
})  # fmt: skip
#: Console errors Lighthouse's errors-in-console ignores (requests DevTools blocked).
IGNORED_CONSOLE_PATTERNS: tuple[str, ...] = ("ERR_BLOCKED_BY_CLIENT.Inspector",)
THIRD_PARTY_PHASEOUT = frozenset({"WarnThirdPartyPhaseout", "ExcludeThirdPartyPhaseout"})


def is_local_host(host: str) -> bool:
    """True for hosts Lighthouse treats as secure over plain http (loopback, ``*.localhost``).

    >>> is_local_host("127.0.0.1"), is_local_host("example.com")
    (True, False)
    """
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_secure_url(url: str) -> bool:
    """Whether a request to ``url`` counts as secure for ``is-on-https``.

    >>> is_secure_url("http://localhost:8000/"), is_secure_url("http://example.com/")
    (True, False)
    """
    parts = urlsplit(url)
    return parts.scheme in SECURE_SCHEMES or is_local_host(parts.hostname or "")


def _facts(evidence: PageEvidence) -> dict[str, Any]:
    return evidence.facts or {}


def _binary(
    audit_id: str, failures: list[dict[str, Any]], reason: str | None = None
) -> AuditResult:
    return passed_if(audit_id, TITLES[audit_id], failures, reason=reason, weight=WEIGHTS[audit_id])


def is_on_https(evidence: PageEvidence) -> AuditResult:
    """Fails when the page or any of its requests use an insecure scheme on a public host.

    >>> is_on_https(PageEvidence("http://example.com/", facts={})).score
    0.0
    """
    urls = dict.fromkeys([evidence.url, *(r.url for r in evidence.requests)])
    return _binary("is-on-https", [{"url": url} for url in urls if not is_secure_url(url)])


def redirects_http(evidence: PageEvidence) -> AuditResult:
    """Passes when a public http URL ended on https; not applicable otherwise.

    >>> redirects_http(PageEvidence("https://example.com/", facts={})).display_mode
    'notApplicable'
    """
    documents = [r for r in evidence.requests if r.resource_type == "Document"]
    requested = urlsplit(documents[0].url if documents else evidence.url)
    if requested.scheme != "http" or is_local_host(requested.hostname or ""):
        return not_applicable(
            "redirects-http", TITLES["redirects-http"], weight=WEIGHTS["redirects-http"]
        )
    final_scheme = urlsplit(evidence.url).scheme
    return _binary("redirects-http", [] if final_scheme == "https" else [{"url": evidence.url}])


def permission_on_start(audit_id: str, kind: str, evidence: PageEvidence) -> AuditResult:
    """Fails when the page asked for the ``kind`` permission while loading.

    >>> facts = {"permissionCalls": [{"kind": "geolocation", "api": "x", "source": "y"}]}
    >>> ev = PageEvidence("https://a.test/", facts=facts)
    >>> permission_on_start("geolocation-on-start", "geolocation", ev).score
    0.0
    """
    calls = [c for c in _facts(evidence).get("permissionCalls", []) if c["kind"] == kind]
    return _binary(audit_id, calls)


def csp_findings(policies: list[str]) -> list[dict[str, str]]:
    """Weaknesses of the enforced Content-Security-Policies against XSS (informative).

    >>> csp_findings(["script-src 'self'; object-src 'none'; base-uri 'none'"])
    []
    >>> csp_findings([])[0]["description"]
    'No CSP found in enforcement mode'
    """
    if not policies:
        return [{"description": "No CSP found in enforcement mode", "severity": "High"}]
    findings = []
    for policy in policies:
        directives: dict[str, list[str]] = {}
        for part in policy.split(";"):
            name, *values = part.split()
            if part.strip():
                directives.setdefault(name.lower(), [v.lower() for v in values])
        scripts = directives.get("script-src", directives.get("default-src"))
        objects = directives.get("object-src", directives.get("default-src"))
        strict = scripts is not None and any(
            v.startswith(("'nonce-", "'sha")) or v == "'strict-dynamic'" for v in scripts
        )
        if scripts is None:
            findings.append(("script-src directive is missing", "script-src", "High"))
        elif "'unsafe-inline'" in scripts and not strict:
            findings.append(("'unsafe-inline' allows inline scripts", "script-src", "High"))
        elif not strict and any(v in ("*", "http:", "https:") or "." in v for v in scripts):
            findings.append(("Host allowlists can frequently be bypassed", "script-src", "Medium"))
        if objects is None or objects != ["'none'"]:
            findings.append(
                ("Missing object-src allows injection of plugins", "object-src", "High")
            )
        if strict and "base-uri" not in directives:
            findings.append(("Missing base-uri allows injected <base> tags", "base-uri", "High"))
    return [{"description": d, "directive": k, "severity": s} for d, k, s in findings]


def csp_xss(evidence: PageEvidence) -> AuditResult:
    """Informative review of the page's CSP (header and ``<meta http-equiv>``).

    >>> csp_xss(PageEvidence("https://a.test/", facts={"csp": []})).display_mode
    'informative'
    """
    header = (evidence.main_document.response_headers if evidence.main_document else {}).get(
        "content-security-policy", ""
    )
    policies = [p for p in header.split("\n") if p.strip()]
    policies += _facts(evidence).get("csp", [])
    return informative(
        "csp-xss", TITLES["csp-xss"], csp_findings(policies), weight=WEIGHTS["csp-xss"]
    )


def _images(evidence: PageEvidence) -> list[dict[str, Any]]:
    return [
        image
        for image in _facts(evidence).get("images", [])
        if image["visible"]
        and image["naturalWidth"] > 0
        and image["objectFit"] == "fill"
        and not image["src"].split("?")[0].lower().endswith(".svg")
        and not image["src"].startswith("data:image/svg")
    ]


def image_aspect_ratio(evidence: PageEvidence) -> AuditResult:
    """Fails for visible images drawn more than 2 px off their natural aspect ratio.

    >>> img = {"visible": True, "naturalWidth": 100, "naturalHeight": 100, "objectFit": "fill",
    ...        "src": "a.png", "width": 100, "height": 50, "selector": "img", "snippet": "<img>"}
    >>> image_aspect_ratio(PageEvidence("https://a.test/", facts={"images": [img]})).score
    0.0
    """
    failures = [
        {
            "selector": img["selector"],
            "snippet": img["snippet"],
            "url": img["src"],
            "displayedAspectRatio": f"{img['width']:.0f} x {img['height']:.0f}",
            "actualAspectRatio": f"{img['naturalWidth']} x {img['naturalHeight']}",
        }
        for img in _images(evidence)
        if abs(img["width"] * img["naturalHeight"] / img["naturalWidth"] - img["height"]) > 2
    ]
    return _binary("image-aspect-ratio", failures)


def image_size_responsive(evidence: PageEvidence) -> AuditResult:
    """Fails for images in the viewport with too few pixels for their size at the page's DPR.

    Like Lighthouse: the DPR is quantized to 1, 1.5 or 2; images above 64 CSS px need
    75 % of the pixels it asks for, smaller ones all of them; pixel-art rendering,
    density ``srcset`` and images larger than the viewport are left out.

    >>> img = {"visible": True, "naturalWidth": 24, "naturalHeight": 20, "objectFit": "fill",
    ...        "src": "a.png", "width": 27, "height": 20, "selector": "img", "snippet": "<img>",
    ...        "imageRendering": "auto", "densitySrcset": False, "inViewport": True,
    ...        "smallerThanViewport": True}
    >>> facts = {"images": [img], "devicePixelRatio": 1}
    >>> image_size_responsive(PageEvidence("https://a.test/", facts=facts)).score
    0.0
    """
    dpr = _facts(evidence).get("devicePixelRatio", 1.0)
    quantized = 2.0 if dpr >= 2 else 1.5 if dpr >= 1.5 else 1.0
    failures = []
    for img in _images(evidence):
        if (
            img["imageRendering"] in ("pixelated", "crisp-edges")
            or img["densitySrcset"]
            or not (img["inViewport"] and img["smallerThanViewport"])
        ):
            continue
        factor = 1.0 if max(img["width"], img["height"]) <= 64 else 0.75
        allowed_w = math.ceil(factor * quantized * img["width"])
        allowed_h = math.ceil(factor * quantized * img["height"])
        if img["naturalWidth"] >= allowed_w and img["naturalHeight"] >= allowed_h:
            continue
        expected_w = math.ceil(quantized * img["width"])
        expected_h = math.ceil(quantized * img["height"])
        failures.append(
            {
                "selector": img["selector"],
                "snippet": img["snippet"],
                "url": img["src"],
                "displayedSize": f"{img['width']:.0f} x {img['height']:.0f}",
                "actualSize": f"{img['naturalWidth']} x {img['naturalHeight']}",
                "expectedSize": f"{expected_w} x {expected_h}",
            }
        )
    return _binary("image-size-responsive", failures)


def viewport(evidence: PageEvidence) -> AuditResult:
    """Fails without a mobile-friendly viewport meta tag (Lighthouse mode ``metricSavings``).

    >>> viewport(PageEvidence("https://a.test/", facts={"viewport": []})).score
    0.0
    """
    return viewport_audit(_facts(evidence).get("viewport", []), weight=WEIGHTS["viewport"])


def font_size(evidence: PageEvidence) -> AuditResult:
    """Mobile pages: fails below 60 % legible text (≥ 12 px) or without a viewport meta tag.

    >>> facts = {"mobile": False}
    >>> font_size(PageEvidence("https://a.test/", facts=facts)).display_mode
    'notApplicable'
    """
    facts = _facts(evidence)
    if not facts["mobile"]:
        return not_applicable(
            "font-size", TITLES["font-size"], "desktop page", weight=WEIGHTS["font-size"]
        )
    if not has_mobile_viewport(facts.get("viewport", [])):
        why = "Text is illegible because there's no viewport meta tag optimized for mobile screens."
        return _binary("font-size", [], why)
    text = facts["text"]
    legible = 100.0 * text["legibleChars"] / text["totalChars"] if text["totalChars"] else 100.0
    reason = None if legible >= 60 else f"{100 - legible:.1f}% of text is too small"
    return _binary("font-size", text["smallText"] if reason else [], reason)


def doctype(evidence: PageEvidence) -> AuditResult:
    """Passes in no-quirks mode; fails without a doctype or in (limited-)quirks mode.

    As in Lighthouse, a document in standards mode passes whatever its doctype's public
    id (XHTML 1.1 does); limited-quirks mode is known from a DevTools ``QuirksModeIssue``.

    >>> doctype(PageEvidence("https://a.test/", facts={"doctype": None})).explanation
    'Document does not contain a doctype'
    >>> xhtml = {"name": "html", "publicId": "-//W3C//DTD XHTML 1.1//EN", "systemId": ""}
    >>> facts = {"doctype": xhtml, "compatMode": "CSS1Compat"}
    >>> doctype(PageEvidence("https://a.test/", facts)).score
    1.0
    """
    facts = _facts(evidence)
    found, reason = facts["doctype"], None
    quirks = [
        issue.get("details", {}).get("quirksModeIssueDetails", {})
        for issue in _issues(evidence, "QuirksModeIssue")
    ]
    limited = any(q.get("isLimitedQuirksMode") and q.get("url") == evidence.url for q in quirks)
    if not found:
        reason = "Document does not contain a doctype"
    elif limited:
        reason = "Document contains a doctype that triggers limited-quirks mode"
    elif facts["compatMode"] == "CSS1Compat":
        reason = None
    elif found["publicId"] or found["systemId"]:
        reason = "Expected publicId and systemId to be empty strings"
    elif found["name"].lower() != "html":
        reason = f"Doctype name must be the string `html`, found {found['name']!r}"
    else:
        reason = "Document contains a doctype that triggers quirks mode"
    return _binary("doctype", [], reason)


def charset(evidence: PageEvidence) -> AuditResult:
    """Passes with a charset in Content-Type or a ``<meta charset>`` early in the HTML.

    >>> charset(PageEvidence("https://a.test/", facts={"metaCharset": False})).score
    0.0
    """
    headers = evidence.main_document.response_headers if evidence.main_document else {}
    if "charset=" in headers.get("content-type", "").lower():
        return _binary("charset", [])
    if evidence.html_start is not None:
        start = evidence.html_start.lower()
        ok = start.startswith("\ufeff") or any(
            "charset" in tag for tag in start.split("<meta")[1:] if tag.find(">") >= 0
        )
    elif evidence.facts is None:
        return undecided(
            "charset", TITLES["charset"], evidence.facts_error or "", weight=WEIGHTS["charset"]
        )
    else:
        ok = bool(evidence.facts["metaCharset"])
    return _binary(
        "charset", [], None if ok else "Charset declaration is missing or occurs too late"
    )


def js_libraries(evidence: PageEvidence) -> AuditResult:
    """Informative list of detected front-end libraries (not applicable when none).

    >>> js_libraries(PageEvidence("https://a.test/", facts={"libraries": []})).display_mode
    'notApplicable'
    """
    libraries = _facts(evidence).get("libraries", [])
    if not libraries:
        return not_applicable(
            "js-libraries", TITLES["js-libraries"], weight=WEIGHTS["js-libraries"]
        )
    return informative(
        "js-libraries", TITLES["js-libraries"], libraries, weight=WEIGHTS["js-libraries"]
    )


def _issues(evidence: PageEvidence, code: str) -> list[dict[str, Any]]:
    return [i for i in evidence.issues if i.get("code") == code]


def _cookie_reasons(issue: dict[str, Any]) -> set[str]:
    cookie = issue.get("details", {}).get("cookieIssueDetails", {})
    return set(cookie.get("cookieWarningReasons", [])) | set(
        cookie.get("cookieExclusionReasons", [])
    )


def deprecations(evidence: PageEvidence) -> AuditResult:
    """Fails when Chrome reported a deprecated API in use (``DeprecationIssue``).

    >>> deprecations(PageEvidence("https://a.test/", facts={})).score
    1.0
    """
    items = []
    for issue in _issues(evidence, "DeprecationIssue"):
        details = issue.get("details", {}).get("deprecationIssueDetails", {})
        location = details.get("sourceCodeLocation", {})
        items.append(
            {"value": details.get("type", ""), "url": location.get("url", ""),
             "line": location.get("lineNumber")}
        )  # fmt: skip
    return _binary("deprecations", items)


def third_party_cookies(evidence: PageEvidence) -> AuditResult:
    """Fails for cookies Chrome flags for the third-party cookie phase-out.

    >>> third_party_cookies(PageEvidence("https://a.test/", facts={})).score
    1.0
    """
    items = []
    for issue in _issues(evidence, "CookieIssue"):
        if _cookie_reasons(issue) & THIRD_PARTY_PHASEOUT:
            cookie = issue["details"]["cookieIssueDetails"]
            name = cookie.get("cookie", {}).get("name", "")
            items.append({"name": name, "url": cookie.get("cookieUrl", "")})
    return _binary("third-party-cookies", items)


def errors_in_console(evidence: PageEvidence) -> AuditResult:
    """Fails for any error in the console: ``console.error``, uncaught exceptions, and
    Chrome's own entries (a resource that failed to load, a blocked request...).

    As in Lighthouse, requests blocked by DevTools itself (``ERR_BLOCKED_BY_CLIENT.Inspector``)
    are ignored.

    >>> ev = PageEvidence("https://a.test/", facts={}, console_errors=[{"description": "x"}])
    >>> errors_in_console(ev).score
    0.0
    >>> blocked = {"source": "network", "description": "net::ERR_BLOCKED_BY_CLIENT.Inspector"}
    >>> errors_in_console(PageEvidence("https://a.test/", {}, console_errors=[blocked])).score
    1.0
    """
    errors = [
        error
        for error in evidence.console_errors
        if not any(p in (error.get("description") or "") for p in IGNORED_CONSOLE_PATTERNS)
    ]
    return _binary("errors-in-console", sorted(errors, key=lambda e: e.get("description") or ""))


def inspector_issues(evidence: PageEvidence) -> AuditResult:
    """Fails for DevTools issues of the kinds Lighthouse lists (not deprecations or 3P cookies).

    >>> inspector_issues(PageEvidence("https://a.test/", facts={})).score
    1.0
    """
    items = [
        {"issueType": issue["code"]}
        for issue in evidence.issues
        if issue.get("code") in INSPECTOR_ISSUE_CODES
        and not (issue["code"] == "CookieIssue" and _cookie_reasons(issue) & THIRD_PARTY_PHASEOUT)
    ]
    return _binary("inspector-issues", items)


def paste_preventing_inputs(evidence: PageEvidence) -> AuditResult:
    """Fails for inputs whose page cancels a dispatched ``paste`` event.

    >>> ev = PageEvidence("https://a.test/", facts={"pastePrevented": []})
    >>> paste_preventing_inputs(ev).score
    1.0
    """
    return _binary("paste-preventing-inputs", _facts(evidence).get("pastePrevented", []))


def valid_source_maps(evidence: PageEvidence) -> AuditResult:
    """Fails when a first-party script of 500 KiB or more has no source map.

    (Lighthouse also lists maps that fail to parse, without failing; psdata does not
    fetch the maps.)

    >>> big = {"url": "https://a.test/app.js", "bytes": 600_000, "source_map": None}
    >>> valid_source_maps(PageEvidence("https://a.test/", {}, large_scripts=[big])).score
    0.0
    >>> valid_source_maps(PageEvidence("https://a.test/", {}, large_scripts=[])).score
    1.0
    """
    title = TITLES["valid-source-maps"]
    if evidence.large_scripts is None:
        return undecided(
            "valid-source-maps",
            title,
            "scripts could not be read",
            weight=WEIGHTS["valid-source-maps"],
        )
    missing = [s for s in evidence.large_scripts if not s["source_map"]]
    return passed_if("valid-source-maps", title, missing, weight=WEIGHTS["valid-source-maps"])


Judge = Callable[[PageEvidence], AuditResult]

#: Each audit's judge, in the category's order; ``True`` when it needs the DOM facts.
JUDGES: dict[str, tuple[Judge, bool]] = {
    "is-on-https": (is_on_https, False),
    "redirects-http": (redirects_http, False),
    "geolocation-on-start": (
        partial(permission_on_start, "geolocation-on-start", "geolocation"),
        True,
    ),
    "notification-on-start": (
        partial(permission_on_start, "notification-on-start", "notification"),
        True,
    ),
    "csp-xss": (csp_xss, False),
    "paste-preventing-inputs": (paste_preventing_inputs, True),
    "image-aspect-ratio": (image_aspect_ratio, True),
    "image-size-responsive": (image_size_responsive, True),
    "viewport": (viewport, True),
    "font-size": (font_size, True),
    "doctype": (doctype, True),
    "charset": (charset, False),
    "js-libraries": (js_libraries, True),
    "deprecations": (deprecations, False),
    "third-party-cookies": (third_party_cookies, False),
    "errors-in-console": (errors_in_console, False),
    "valid-source-maps": (valid_source_maps, False),
    "inspector-issues": (inspector_issues, False),
}


def best_practices_audits(evidence: PageEvidence) -> list[AuditResult]:
    """All Lighthouse best-practices audits, in the order of the category.

    Audits that need the DOM facts have no score when the facts could not be read.

    >>> audits = best_practices_audits(PageEvidence("https://a.test/", None, "timed out"))
    >>> [(a.id, a.score) for a in audits][:3]
    [('is-on-https', 1.0), ('redirects-http', None), ('geolocation-on-start', None)]
    """
    why = evidence.facts_error or "page facts unavailable"
    return [
        undecided(audit_id, TITLES[audit_id], why, weight=WEIGHTS[audit_id])
        if needs_facts and evidence.facts is None
        else judge(evidence)
        for audit_id, (judge, needs_facts) in JUDGES.items()
    ]
