"""The SEO category of Lighthouse.

=================== ======= ===============================================================
audit               weight  how psdata decides it
=================== ======= ===============================================================
is-crawlable        93/23   no ``noindex``/``none`` in ``<meta name=robots|googlebot>`` or
                            ``X-Robots-Tag`` (unprefixed or ``googlebot:``), and robots.txt
                            does not disallow the page for ``*``
document-title      1       the axe rule ``document-title`` (shared with accessibility)
meta-description    1       a ``<meta name=description>`` with non-empty content
http-status-code    1       the main document's status is below 400
link-text           1       no link text from a list of generic phrases ("click here", …)
crawlable-anchors   1       no href-less anchor (without id/name/role), ``file:``,
                            ``javascript:void(0)`` or unparseable href
robots-txt          1       /robots.txt fetched (3 s): 5xx fails, 4xx/empty is n/a,
                            otherwise every line must parse
image-alt           1       the axe rule ``image-alt`` (shared with accessibility)
hreflang            1       valid language codes and absolute hrefs in ``<head>``
canonical           1       one absolute canonical URL (any scheme) that is neither the
                            site root (for another page) nor another hreflang alternate
structured-data     0       manual: never scored
=================== ======= ===============================================================
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from playwright.async_api import Page

from ...._lighthouse import MANUAL
from ..audit_results import describe, not_applicable, passed_if, undecided
from ..budget import BUDGET
from ..evidence import AuditResult
from ._common import PageEvidence
from .accessibility import axe_audit
from .link_header import LinkHeaderError, parse_link_header

#: Lighthouse ``categories.seo.auditRefs`` weights.
WEIGHTS: dict[str, float] = {
    "is-crawlable": 93 / 23, "document-title": 1, "meta-description": 1,
    "http-status-code": 1, "link-text": 1, "crawlable-anchors": 1, "robots-txt": 1,
    "image-alt": 1, "hreflang": 1, "canonical": 1, "structured-data": 0,
}  # fmt: skip

TITLES: dict[str, str] = {
    "is-crawlable": "Page isn't blocked from indexing",
    "document-title": "Document has a `<title>` element",
    "meta-description": "Document has a meta description",
    "http-status-code": "Page has successful HTTP status code",
    "link-text": "Links have descriptive text",
    "crawlable-anchors": "Links are crawlable",
    "robots-txt": "robots.txt is valid",
    "image-alt": "Image elements have `[alt]` attributes",
    "hreflang": "Document has a valid `hreflang`",
    "canonical": "Document has a valid `rel=canonical`",
    "structured-data": "Structured data is valid",
}

GENERIC_LINK_TEXT = frozenset({
    "click here", "click this", "go", "here", "information", "learn more", "more",
    "more info", "more information", "right here", "read more", "see more", "start", "this",
    "haga clic aquí", "más información", "aquí", "hier klicken", "hier", "mehr",
    "cliquez ici", "ici", "en savoir plus", "clique aqui", "saiba mais", "aqui",
})  # fmt: skip
ROBOTS_DIRECTIVES = frozenset({
    "user-agent", "allow", "disallow", "sitemap", "crawl-delay", "clean-param", "host",
    "request-rate", "visit-time", "noindex",
})  # fmt: skip
BLOCKING = re.compile(r"(?:^|[\s,])(noindex|none)(?:$|[\s,])", re.IGNORECASE)
LANGUAGE_CODE = re.compile(r"^(x-default|[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|\d{3}))?)$", re.I)

#: Audits that read the DOM facts (undecided when those could not be read).
FACT_AUDITS = (
    "is-crawlable", "meta-description", "link-text", "crawlable-anchors", "hreflang", "canonical",
)  # fmt: skip


@dataclass
class RobotsTxt:
    """The page origin's /robots.txt: HTTP status and text, or why it could not be read."""

    status: int | None
    content: str | None = None
    error: str | None = None


async def fetch_robots_txt(page: Page, url: str) -> RobotsTxt:
    """GET ``/robots.txt`` of ``url``'s origin with the page's browser context (bounded).

    >>> robots = await fetch_robots_txt(page, "http://127.0.0.1:8000/a.html")  # doctest: +SKIP
    >>> robots.status  # doctest: +SKIP
    200
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return RobotsTxt(None, error=f"no robots.txt for a {parts.scheme}: page")
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        async with asyncio.timeout(BUDGET.robots_txt_s):
            response = await page.context.request.get(
                robots_url,
                timeout=BUDGET.robots_txt_s * 1000,
                max_redirects=5,
                fail_on_status_code=False,
            )
            try:
                return RobotsTxt(
                    response.status, (await response.body())[:500_000].decode("utf-8", "replace")
                )
            finally:
                await response.dispose()
    except Exception as exc:  # any network or protocol failure leaves the audit undecided
        return RobotsTxt(None, error=describe(exc))


def robots_errors(content: str) -> list[dict[str, Any]]:
    """Lines of a robots.txt that crawlers would not understand.

    >>> robots_errors("User-agent: *\\nDisallow: /")
    []
    >>> robots_errors("Disallow: /private\\nfoo")[0]["message"]
    'No user-agent specified'
    """
    errors = []
    seen_agent = False
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, value = (part.strip() for part in line.partition(":"))
        name = name.lower()
        message = None
        if not sep:
            message = "Syntax not understood"
        elif name not in ROBOTS_DIRECTIVES:
            message = "Unknown directive"
        elif name == "user-agent":
            seen_agent = True
            message = None if value else "No user-agent specified"
        elif name in ("allow", "disallow"):
            if not seen_agent:
                message = "No user-agent specified"
            elif value and not value.startswith(("/", "*")):
                message = 'Pattern should either be empty, start with "/" or "*"'
            elif "$" in value[:-1]:
                message = '"$" should only be used at the end of the pattern'
        elif name == "sitemap" and urlsplit(value).scheme not in ("http", "https"):
            message = "Invalid sitemap URL"
        if message:
            errors.append({"index": number, "line": raw[:200], "message": message})
    return errors


def _rule_matches(pattern: str, path: str) -> bool:
    anchored = pattern.endswith("$")
    regex = ".*".join(re.escape(part) for part in pattern.rstrip("$").split("*"))
    return re.match(regex + ("$" if anchored else ""), path) is not None


def robots_disallows(content: str, url: str) -> bool:
    """Whether the ``User-agent: *`` rules of a robots.txt disallow ``url`` (longest match).

    >>> robots_disallows("User-agent: *\\nDisallow: /", "https://a.test/page")
    True
    >>> robots_disallows("User-agent: *\\nDisallow: /\\nAllow: /page", "https://a.test/page")
    False
    """
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    rules: list[tuple[int, bool]] = []  # (pattern length, allowed)
    agents: list[str] = []
    in_rules = False
    for raw in content.splitlines():
        name, _, value = (part.strip() for part in raw.split("#", 1)[0].partition(":"))
        name = name.lower()
        if name == "user-agent":
            agents = [value.lower()] if in_rules else [*agents, value.lower()]
            in_rules = False
        elif name in ("allow", "disallow"):
            in_rules = True
            if "*" in agents and value and _rule_matches(value, path):
                rules.append((len(value), name == "allow"))
    return bool(rules) and not max(rules)[1]


def _x_robots_blocks(header: str) -> bool:
    for line in header.split("\n"):
        agent, sep, rest = line.partition(":")
        if sep and agent.strip().lower() not in ("unavailable_after", "max-snippet"):
            if agent.strip().lower() != "googlebot":
                continue
            line = rest
        if BLOCKING.search(line):
            return True
    return False


def is_crawlable(evidence: PageEvidence, robots: RobotsTxt) -> AuditResult:
    """Fails when a robots meta tag, ``X-Robots-Tag`` or robots.txt blocks indexing.

    >>> facts = {"robots": [{"bot": "robots", "content": "noindex, follow"}]}
    >>> is_crawlable(PageEvidence("https://a.test/", facts=facts), RobotsTxt(404)).score
    0.0
    """
    blockers = [
        {"source": f'<meta name="{meta["bot"]}" content="{meta["content"]}">'}
        for meta in (evidence.facts or {}).get("robots", [])
        if BLOCKING.search(meta["content"])
    ]
    headers = evidence.main_document.response_headers if evidence.main_document else {}
    if _x_robots_blocks(headers.get("x-robots-tag", "")):
        blockers.append({"source": f"X-Robots-Tag: {headers['x-robots-tag']}"})
    if robots.status == 200 and robots.content and robots_disallows(robots.content, evidence.url):
        blockers.append({"source": "robots.txt disallows this page"})
    return passed_if(
        "is-crawlable", TITLES["is-crawlable"], blockers, weight=WEIGHTS["is-crawlable"]
    )


def meta_description(evidence: PageEvidence) -> AuditResult:
    """Passes with a non-empty ``<meta name=description>``.

    >>> meta_description(PageEvidence("https://a.test/", facts={"description": [" "]})).score
    0.0
    """
    contents = (evidence.facts or {}).get("description", [])
    reason = None
    if not contents:
        reason = "Document does not have a meta description"
    elif not any(c.strip() for c in contents):
        reason = "Description text is empty."
    return passed_if(
        "meta-description",
        TITLES["meta-description"],
        [],
        reason=reason,
        weight=WEIGHTS["meta-description"],
    )


def http_status_code(evidence: PageEvidence) -> AuditResult:
    """Fails when the main document answered with an HTTP status of 400 or more.

    >>> http_status_code(PageEvidence("https://a.test/", facts={})).score
    """
    status = evidence.main_document.status if evidence.main_document else None
    if status is None:
        return undecided(
            "http-status-code",
            TITLES["http-status-code"],
            "no status",
            weight=WEIGHTS["http-status-code"],
        )
    reason = f"Page has unsuccessful HTTP status code: {status}" if status >= 400 else None
    return passed_if(
        "http-status-code",
        TITLES["http-status-code"],
        [],
        reason=reason,
        weight=WEIGHTS["http-status-code"],
    )


def _anchor_node(anchor: dict[str, Any]) -> dict[str, str]:
    """An anchor's selector and snippet; past the facts' node limit, where it stands.

    >>> _anchor_node({"selector": "", "snippet": "", "index": 2500, "rawHref": "x"})
    {'selector': 'a (link 2501 of the document)', 'snippet': '<a href="x">'}
    """
    if anchor.get("selector"):
        return {"selector": anchor["selector"], "snippet": anchor["snippet"]}
    raw = str(anchor.get("rawHref") or "").replace('"', "&quot;")
    return {
        "selector": f"a (link {int(anchor.get('index', 0)) + 1} of the document)",
        "snippet": f'<a href="{raw}">' if raw else "<a>",
    }


def link_text(evidence: PageEvidence) -> AuditResult:
    """Fails for followed links whose whole text is a generic phrase ("click here").

    >>> a = {"href": "https://a.test/x", "rawHref": "/x", "text": "Click here", "rel": "",
    ...      "selector": "a", "snippet": "<a>"}
    >>> link_text(PageEvidence("https://a.test/", facts={"anchors": [a]})).score
    0.0
    """
    page = evidence.url.split("#")[0]
    failures = [
        {**_anchor_node(a), "href": a["href"], "text": a["text"]}
        for a in (evidence.facts or {}).get("anchors", [])
        if a["href"]
        and not a["href"].lower().startswith("javascript:")
        and "nofollow" not in a["rel"]
        and a["href"].split("#")[0] != page
        and a["text"].strip(" .!»›→").lower() in GENERIC_LINK_TEXT
    ]
    return passed_if("link-text", TITLES["link-text"], failures, weight=WEIGHTS["link-text"])


#: Lighthouse's ``javascript:void(0)`` pattern (other ``javascript:`` links pass).
JAVASCRIPT_VOID = re.compile(r"javascript:void(\(|)0(\)|)")
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*$")
#: Schemes whose URLs need a host (WHATWG "special" schemes, ``file`` aside).
HOST_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})


def parses_as_url(raw: str, *, relative_to: str | None = None) -> bool:
    """Whether ``new URL(raw[, relative_to])`` would succeed, approximately (WHATWG URL).

    Without ``relative_to`` the URL must be absolute (a scheme of its own).

    >>> parses_as_url("file:///usr/share/doc/index.html"), parses_as_url("/page")
    (True, False)
    >>> parses_as_url("/page", relative_to="https://a.test/"), parses_as_url("http://[::1")
    (True, False)
    """
    try:
        parts = urlsplit(raw)
        if relative_to is not None:
            urlsplit(relative_to)
    except ValueError:  # an unclosed IPv6 bracket and the like
        return False
    if not parts.scheme or not URL_SCHEME.match(parts.scheme):
        return relative_to is not None
    scheme = parts.scheme.lower()
    if scheme in HOST_SCHEMES and raw[len(scheme) + 1 :].startswith("//"):
        return bool(parts.hostname)
    return True


def _uncrawlable(anchor: dict[str, Any], page_url: str) -> bool:
    """Lighthouse's test of one ``<a>``, in its order."""
    raw = re.sub(r"\s", "", anchor["rawHref"] or "")
    if anchor.get("role", "").strip() or raw.startswith("mailto:"):
        return False
    if raw == "" and anchor.get("id"):
        return False
    if raw.startswith("file:"):
        return True
    if (anchor.get("name") or "").strip():
        return False
    if anchor["href"] == "":  # no href at all (an empty href resolves to the page)
        return True
    if JAVASCRIPT_VOID.search(raw):
        return True
    return not parses_as_url(raw, relative_to=page_url)


def crawlable_anchors(evidence: PageEvidence) -> AuditResult:
    """Fails for anchors a crawler cannot follow, as Lighthouse judges them.

    An anchor fails when it has no href (unless it has an ``id`` or a ``name``), a
    ``file:`` href, a ``javascript:void(0)`` href or one that is not a URL; anchors with
    a ``role`` and ``mailto:`` links always pass, and so does ``href=""`` (the page
    itself).

    >>> a = {"rawHref": "javascript:void(0)", "href": "javascript:void(0)",
    ...      "selector": "a", "snippet": "<a>"}
    >>> crawlable_anchors(PageEvidence("https://a.test/", facts={"anchors": [a]})).score
    0.0
    >>> empty = {"rawHref": "", "href": "https://a.test/", "selector": "a", "snippet": "<a>"}
    >>> crawlable_anchors(PageEvidence("https://a.test/", facts={"anchors": [empty]})).score
    1.0
    """
    failures = [
        {**_anchor_node(a), "href": a["rawHref"]}
        for a in (evidence.facts or {}).get("anchors", [])
        if _uncrawlable(a, evidence.url)
    ]
    return passed_if(
        "crawlable-anchors",
        TITLES["crawlable-anchors"],
        failures,
        weight=WEIGHTS["crawlable-anchors"],
    )


def robots_txt(robots: RobotsTxt) -> AuditResult:
    """Judges the robots.txt: 5xx fails, missing or empty is not applicable, else every line.

    >>> robots_txt(RobotsTxt(200, "User-agent: *\\nDisallow: /")).score
    1.0
    """
    title = TITLES["robots-txt"]
    if robots.status is None:
        return undecided(
            "robots-txt", title, robots.error or "not fetched", weight=WEIGHTS["robots-txt"]
        )
    if robots.status >= 500:
        reason = f"Request for robots.txt returned HTTP status: {robots.status}"
        return passed_if("robots-txt", title, [], reason=reason, weight=WEIGHTS["robots-txt"])
    if robots.status >= 400 or not robots.content:
        return not_applicable("robots-txt", title, weight=WEIGHTS["robots-txt"])
    return passed_if(
        "robots-txt", title, robots_errors(robots.content), weight=WEIGHTS["robots-txt"]
    )


def hreflang(evidence: PageEvidence) -> AuditResult:
    """Fails for hreflang links with an unknown language code or a relative href.

    >>> link = {"hreflang": "english", "rawHref": "https://a.test/en", "selector": "link",
    ...         "snippet": "<link>"}
    >>> hreflang(PageEvidence("https://a.test/", facts={"hreflang": [link]})).score
    0.0
    """
    failures = []
    for link in (evidence.facts or {}).get("hreflang", []):
        problems = []
        if not LANGUAGE_CODE.match(link["hreflang"].strip()):
            problems.append("Unexpected language code")
        if not urlsplit(link["rawHref"]).scheme:
            problems.append("Relative href value")
        if problems:
            failures.append(
                {
                    "selector": link["selector"],
                    "snippet": link["snippet"],
                    "reason": ", ".join(problems),
                }
            )
    return passed_if("hreflang", TITLES["hreflang"], failures, weight=WEIGHTS["hreflang"])


def _resolve(base: str, raw: str) -> str:
    """*raw* resolved against *base*, normalised as a browser's ``URL.href`` is (roughly).

    >>> _resolve("https://a.test/page", "HTTPS://B.test"), _resolve("https://a.test/x", "y")
    ('https://b.test/', 'https://a.test/y')
    """
    parts = urlsplit(urljoin(base, raw.strip()))
    scheme = parts.scheme.lower()
    if scheme in HOST_SCHEMES:
        netloc = parts.netloc.lower() if "@" not in parts.netloc else parts.netloc
        parts = parts._replace(scheme=scheme, netloc=netloc, path=parts.path or "/")
    return urlunsplit(parts)


def header_links(evidence: PageEvidence) -> list[dict[str, Any]]:
    """The links of the main document's ``Link`` response headers, as link facts.

    Each has ``rel`` (lower case), ``rawHref``, ``href`` (resolved against the page's
    URL, ``None`` when it does not resolve) and ``hreflang``; a header value that does
    not parse gives none (Lighthouse skips it with a warning).

    >>> from psdata.engines.lab.evidence import NetworkRequest
    >>> doc = NetworkRequest("1", "https://a.test/page", "Document",
    ...                      response_headers={"link": "</doc>; rel=Canonical"})
    >>> header_links(PageEvidence("https://a.test/page", {}, main_document=doc))
    [{'rel': 'canonical', 'rawHref': '/doc', 'href': 'https://a.test/doc', 'hreflang': ''}]
    """
    document = evidence.main_document
    value = document.response_headers.get("link") if document is not None else None
    links: list[dict[str, Any]] = []
    for line in (value or "").split("\n"):  # CDP joins repeated headers with newlines
        try:
            entries = parse_link_header(line)
        except LinkHeaderError:
            continue
        for entry in entries:
            raw = entry["uri"]
            resolves = parses_as_url(raw, relative_to=evidence.url)
            links.append(
                {
                    "rel": entry.get("rel", "").lower(),
                    "rawHref": raw,
                    "href": _resolve(evidence.url, raw) if resolves else None,
                    "hreflang": entry.get("hreflang", ""),
                }
            )
    return links


def canonical(evidence: PageEvidence) -> AuditResult:
    """Judges ``<link rel=canonical>`` in the head as Lighthouse does.

    The main document's ``Link: <url>; rel=canonical`` response headers count too,
    after the head's links. A link without href is ignored; one whose href is not an
    absolute URL fails (any scheme counts: ``file:`` is a URL); several different URLs
    fail; one URL fails when it and the page are both ``hreflang`` alternates, or when
    it is the site's root for another page. Not applicable without a canonical URL.

    >>> facts = {"canonical": [{"rawHref": "/other", "href": "https://a.test/other"}]}
    >>> canonical(PageEvidence("https://a.test/page", facts=facts)).explanation
    'Is not an absolute URL (/other)'
    >>> facts = {"canonical": [{"rawHref": "file:///doc.html", "href": "file:///doc.html"}]}
    >>> canonical(PageEvidence("https://a.test/page", facts=facts)).score
    1.0
    """
    title = TITLES["canonical"]
    facts = evidence.facts or {}
    unique: list[str] = []
    invalid = relative = None
    from_headers = header_links(evidence)
    links = [*facts.get("canonical", []), *(h for h in from_headers if h["rel"] == "canonical")]
    for link in links:
        if not link["rawHref"]:
            continue
        if not link["href"]:
            invalid = link
        elif not parses_as_url(link["rawHref"]):
            relative = link
        elif link["href"] not in unique:
            unique.append(link["href"])
    reason = None
    if invalid is not None:
        reason = f"Invalid URL ({invalid['rawHref']})"
    elif relative is not None:
        reason = f"Is not an absolute URL ({relative['rawHref']})"
    elif not unique:
        return not_applicable("canonical", title, weight=WEIGHTS["canonical"])
    elif len(unique) > 1:
        reason = f"Multiple conflicting URLs ({', '.join(unique)})"
    else:
        target = urlsplit(unique[0])
        base_url = evidence.main_document.url if evidence.main_document else evidence.url
        base = urlsplit(base_url)
        alternates = {link["href"] for link in facts.get("hreflang", []) if link["href"]}
        alternates |= {
            h["href"]
            for h in from_headers
            if h["rel"] == "alternate" and h["href"] and h["hreflang"]
        }
        if base_url in alternates and unique[0] in alternates and base_url != unique[0]:
            reason = f"Points to another `hreflang` location ({base_url})"
        elif (
            (target.scheme, target.netloc) == (base.scheme, base.netloc)
            and target.path == "/"
            and base.path not in ("", "/")
        ):
            reason = "Points to the domain's root URL (the homepage), instead of an equivalent page"
    return passed_if("canonical", title, [], reason=reason, weight=WEIGHTS["canonical"])


def seo_audits(
    evidence: PageEvidence, robots: RobotsTxt, axe: dict[str, Any] | None, axe_error: str | None
) -> list[AuditResult]:
    """All Lighthouse SEO audits; ``axe`` holds the accessibility run (or ``None``).

    >>> audits = seo_audits(PageEvidence("https://a.test/", facts={}), RobotsTxt(404), None, "x")
    >>> [a.id for a in audits][-1]
    'structured-data'
    """
    audits = {
        "is-crawlable": is_crawlable(evidence, robots),
        "meta-description": meta_description(evidence),
        "http-status-code": http_status_code(evidence),
        "link-text": link_text(evidence),
        "crawlable-anchors": crawlable_anchors(evidence),
        "robots-txt": robots_txt(robots),
        "hreflang": hreflang(evidence),
        "canonical": canonical(evidence),
        "structured-data": AuditResult(
            "structured-data", TITLES["structured-data"], None, 0.0, MANUAL
        ),
    }
    for rule in ("document-title", "image-alt"):
        audits[rule] = (
            axe_audit(rule, axe, WEIGHTS)
            if axe is not None
            else undecided(rule, TITLES[rule], axe_error or "axe did not run", weight=WEIGHTS[rule])
        )
    if evidence.facts is None:
        why = evidence.facts_error or "page facts unavailable"
        for audit_id in (
            "meta-description",
            "link-text",
            "crawlable-anchors",
            "hreflang",
            "canonical",
        ):
            audits[audit_id] = undecided(audit_id, TITLES[audit_id], why, weight=WEIGHTS[audit_id])
    return [audits[audit_id] for audit_id in WEIGHTS]
