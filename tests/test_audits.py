"""CategoryAuditor against crafted pages served from 127.0.0.1 and a real Chromium."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Browser, async_playwright

from conftest import Serve, fixture_names, load_fixture
from psdata.demo.server import Response
from psdata.engines.lab.audit_results import category
from psdata.engines.lab.audits import CategoryAuditor, accessibility, best_practices, seo
from psdata.engines.lab.browser import LAUNCH_ARGS, find_chromium
from psdata.engines.lab.evidence import AuditResult, CategoryResult, NetworkRequest

FIXTURES = fixture_names("lighthouse-12.2.3-*.json.gz")
HTML = "text/html; charset=utf-8"


def png(width: int, height: int) -> bytes:
    """A solid grey PNG of the given size."""
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def page(body: str, head: str = "", *, title: str | None = "A page about testing") -> str:
    title_tag = f"<title>{title}</title>" if title is not None else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{title_tag}{head}</head><body><main>{body}</main></body></html>"
    )


GOOD_HEAD = (
    '<meta name="description" content="A well-formed page for psdata tests.">'
    '<link rel="canonical" href="{origin}/good">'
    '<link rel="alternate" hreflang="de" href="{origin}/de/good">'
    '<link rel="alternate" hreflang="x-default" href="{origin}/good">'
)
GOOD_BODY = (
    "<h1>Testing pages</h1><p>Read the <a href='/guide'>guide to testing pages</a>.</p>"
    "<img src='/img/100x100.png' alt='A grey square' width='100' height='100'>"
    "<label>Name <input name='n'></label>"
)
#: Path -> (status, headers, body); ``{origin}`` stands for the serving site's origin.
Routes = dict[str, tuple[int, dict[str, str], str | bytes]]
ROUTES: Routes = {
    "/robots.txt": (200, {"Content-Type": "text/plain"}, "User-agent: *\nAllow: /\n"),
    "/favicon.ico": (200, {"Content-Type": "image/png"}, png(16, 16)),
    "/img/100x100.png": (200, {"Content-Type": "image/png"}, png(100, 100)),
    "/img/20x20.png": (200, {"Content-Type": "image/png"}, png(20, 20)),
    "/good": (200, {"Content-Type": HTML}, page(GOOD_BODY, GOOD_HEAD)),
    "/bad-seo": (
        200,
        {"Content-Type": HTML},
        page(
            "<p><a href='/x'>click here</a> "
            "<a href='javascript:void(0)' onclick='go()'>Go on</a></p>"
            "<img src='/img/100x100.png' width='100' height='100'>",
            '<meta name="robots" content="noindex">'
            '<link rel="canonical" href="/relative">'
            '<link rel="alternate" hreflang="english" href="/en">',
            title=None,
        ),
    ),
    "/x-robots": (
        200,
        {"Content-Type": HTML, "X-Robots-Tag": "noindex"},
        page(GOOD_BODY, '<meta name="description" content="Blocked by a header.">'),
    ),
    "/missing": (404, {"Content-Type": HTML}, page("<h1>Not found</h1>", GOOD_HEAD)),
    "/bad-bp": (
        200,
        {"Content-Type": "text/html"},
        "<html><head><title>Old page</title></head><body>"
        "<input id='pw' onpaste='return false'>"
        "<img src='/img/100x100.png' alt='Stretched square' style='width:200px;height:50px'>"
        "<img src='/img/20x20.png' alt='Blurry square' style='width:200px;height:200px'>"
        "<script>document.write('<p>written</p>'); console.error('boom');"
        "navigator.geolocation.getCurrentPosition(() => {}, () => {});"
        "setTimeout(() => { throw new Error('uncaught'); });</script></body></html>",
    ),
    "/low-contrast": (
        200,
        {"Content-Type": HTML},
        page("<p style='color:#bbb;background:#fff'>Barely readable text</p>", GOOD_HEAD),
    ),
}
BIG_SCRIPT = "".join(f"var filler{i} = {i};\n" for i in range(40_000))  # ~650 KB
ROUTES |= {
    "/big-script": (
        200,
        {"Content-Type": HTML},
        page("<p>Big</p>", "<script src='/js/big.js'></script>"),
    ),
    "/big-script-mapped": (
        200,
        {"Content-Type": HTML},
        page("<p>Big, mapped</p>", "<script src='/js/big-mapped.js'></script>"),
    ),
    "/js/big.js": (200, {"Content-Type": "text/javascript"}, BIG_SCRIPT),
    "/js/big-mapped.js": (
        200,
        {"Content-Type": "text/javascript"},
        BIG_SCRIPT + "//# sourceMappingURL=big-mapped.js.map\n",
    ),
}
ROUTES |= {
    "/xhtml": (
        200,
        {"Content-Type": HTML},
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
        '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'
        + page("<p>Standards mode</p>").removeprefix("<!DOCTYPE html>"),
    ),
    "/limited-quirks": (
        200,
        {"Content-Type": HTML},
        '<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
        '"http://www.w3.org/TR/html4/loose.dtd">'
        + page("<p>Limited quirks</p>").removeprefix("<!DOCTYPE html>"),
    ),
}
ROUTES |= {
    # The head of Debian's python3.11-doc pages: a canonical URL on file:, which
    # Lighthouse 12.2.3 accepts (it is an absolute URL); empty and in-page hrefs pass.
    "/edge-seo": (
        200,
        {"Content-Type": HTML},
        page(
            "<p><a href=''>This page</a>, <a href='#top'>back to the top</a>,"
            " <a name='old-anchor'></a><a id='new-anchor'></a>"
            " <a href='mailto:docs@example.org'>write to us</a>,"
            " <a role='button' onclick='go()'>a scripted button</a>.</p>",
            '<meta name="description" content="Real documentation markup.">'
            '<link rel="canonical"'
            ' href="file:///usr/share/doc/python3.11/html/genindex-all.html" />',
        ),
    ),
    "/uncrawlable-anchors": (
        200,
        {"Content-Type": HTML},
        page(
            "<p><a class='placeholder'>Placeholder link</a>"
            " <a href='file:///etc/hosts'>a local file</a>"
            " <a href='javascript:openMenu()'>a scripted link that Lighthouse accepts</a></p>",
            '<meta name="description" content="Links a crawler cannot follow.">',
        ),
    ),
    "/missing-image": (
        200,
        {"Content-Type": HTML},
        page(
            "<p>An image that is gone:</p>"
            "<img src='/img/gone.png' alt='Gone' width='10' height='10'>"
        ),
    ),
}
#: Canonical URLs given in ``Link`` response headers (Lighthouse reads them as links).
ROUTES |= {
    "/header-canonical-relative": (
        200,
        {"Content-Type": HTML, "Link": '</good>; rel="canonical"'},
        page(GOOD_BODY, '<meta name="description" content="Canonical in a header.">'),
    ),
    "/header-canonical-conflict": (
        200,
        {"Content-Type": HTML, "Link": "<{origin}/other>; rel=canonical"},
        page(GOOD_BODY, GOOD_HEAD),
    ),
    "/header-canonical-same": (
        200,
        {
            "Content-Type": HTML,
            "Link": '</img/20x20.png>; rel=preload; as=image, <{origin}/good>; rel="canonical"',
        },
        page(GOOD_BODY, GOOD_HEAD),
    ),
}
#: More links than the facts describe node by node, the last one uncrawlable.
MANY_LINKS = 2500
ROUTES["/many-links"] = (
    200,
    {"Content-Type": HTML},
    page(
        "<h1>Index</h1><ul>"
        + "".join(f"<li><a href='/entry/{n}'>Entry number {n}</a></li>" for n in range(MANY_LINKS))
        + "</ul><p><a href='javascript:void(0)'>Load more entries</a></p>",
        GOOD_HEAD,
    ),
)
BLOCKED_ROUTES: Routes = {
    "/robots.txt": (200, {"Content-Type": "text/plain"}, "User-agent: *\nDisallow: /\n"),
    "/favicon.ico": ROUTES["/favicon.ico"],
    "/good": ROUTES["/good"],
}
BROKEN_ROBOTS_ROUTES: Routes = {
    **BLOCKED_ROUTES,
    "/robots.txt": (200, {"Content-Type": "text/plain"}, "Disallow /private\nfoo: bar\n"),
}


def with_origin(routes: Routes, origin: str) -> dict[str, Response]:
    """``routes`` as the server's responses, ``{origin}`` replaced by the site's origin."""
    return {
        path: Response(
            status,
            body.replace("{origin}", origin) if isinstance(body, str) else body,
            {name: value.replace("{origin}", origin) for name, value in headers.items()},
        )
        for path, (status, headers, body) in routes.items()
    }


@pytest.fixture(scope="module")
def servers(serve: Serve) -> Iterator[dict[str, str]]:
    tables = {"main": ROUTES, "blocked": BLOCKED_ROUTES, "broken": BROKEN_ROBOTS_ROUTES}
    started = {name: serve() for name in tables}
    for name, site in started.items():
        site.routes.update(with_origin(tables[name], site.base_url))
    yield {name: site.base_url for name, site in started.items()}
    for site in started.values():
        site.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[tuple[asyncio.Runner, Browser]]:
    runner = asyncio.Runner()
    playwright = runner.run(async_playwright().start())
    chromium = runner.run(
        playwright.chromium.launch(executable_path=find_chromium(), args=list(LAUNCH_ARGS))
    )
    try:
        yield runner, chromium
    finally:
        runner.run(chromium.close())
        runner.run(playwright.stop())
        runner.close()


async def audit_page(
    chromium: Browser,
    url: str,
    categories: tuple[str, ...] = ("accessibility", "best_practices", "seo"),
) -> dict[str, CategoryResult]:
    """Load ``url`` like the collector does and audit it."""
    context = await chromium.new_context()
    try:
        tab = await context.new_page()
        cdp = await context.new_cdp_session(tab)
        requests: dict[str, NetworkRequest] = {}

        def on_response(event: dict[str, Any]) -> None:
            response = event["response"]
            requests[event["requestId"]] = NetworkRequest(
                request_id=event["requestId"],
                url=response["url"],
                resource_type=event.get("type", "Other"),
                status=response["status"],
                mime_type=response.get("mimeType"),
                response_headers={k.lower(): v for k, v in response["headers"].items()},
            )

        def on_finished(event: dict[str, Any]) -> None:
            if event["requestId"] in requests:
                requests[event["requestId"]].transfer_size = int(event["encodedDataLength"])

        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", on_finished)
        await cdp.send("Network.enable")
        auditor = CategoryAuditor(categories)
        await auditor.before_navigation(tab, cdp)
        await tab.goto(url, wait_until="load")
        await tab.wait_for_timeout(150)
        main = next((r for r in requests.values() if r.resource_type == "Document"), None)
        return await auditor.after_load(tab, cdp, list(requests.values()), main)
    finally:
        await context.close()


def scores(result: CategoryResult) -> dict[str, float | None]:
    return {audit.id: audit.score for audit in result.audits}


@pytest.fixture(scope="module")
def audited(browser: tuple[asyncio.Runner, Browser], servers: dict[str, str]) -> dict[str, Any]:
    runner, chromium = browser
    urls = {
        "good": f"{servers['main']}/good",
        "bad-seo": f"{servers['main']}/bad-seo",
        "x-robots": f"{servers['main']}/x-robots",
        "missing": f"{servers['main']}/missing",
        "bad-bp": f"{servers['main']}/bad-bp",
        "low-contrast": f"{servers['main']}/low-contrast",
        "blocked": f"{servers['blocked']}/good",
        "broken-robots": f"{servers['broken']}/good",
        "xhtml": f"{servers['main']}/xhtml",
        "limited-quirks": f"{servers['main']}/limited-quirks",
        "big-script": f"{servers['main']}/big-script",
        "big-script-mapped": f"{servers['main']}/big-script-mapped",
        "edge-seo": f"{servers['main']}/edge-seo",
        "uncrawlable-anchors": f"{servers['main']}/uncrawlable-anchors",
        "missing-image": f"{servers['main']}/missing-image",
        **{
            name: f"{servers['main']}/{name}"
            for name in (
                "header-canonical-relative",
                "header-canonical-conflict",
                "header-canonical-same",
                "many-links",
            )
        },
    }
    return {name: runner.run(audit_page(chromium, url)) for name, url in urls.items()}


def test_good_page_scores_full_marks(audited: dict[str, Any]) -> None:
    results = audited["good"]
    assert results["seo"].score == 1.0, scores(results["seo"])
    assert results["accessibility"].score == 1.0, scores(results["accessibility"])
    assert results["best_practices"].score == 1.0, scores(results["best_practices"])
    bp = scores(results["best_practices"])
    assert bp["is-on-https"] == 1.0  # 127.0.0.1 counts as secure
    assert bp["redirects-http"] is None  # not applicable on a loopback host
    assert scores(results["seo"])["structured-data"] is None


def test_bad_seo_page(audited: dict[str, Any]) -> None:
    results = audited["bad-seo"]
    seo_scores = scores(results["seo"])
    for failing in ("is-crawlable", "document-title", "meta-description", "link-text",
                    "crawlable-anchors", "image-alt", "hreflang", "canonical"):  # fmt: skip
        assert seo_scores[failing] == 0.0, failing
    assert seo_scores["http-status-code"] == seo_scores["robots-txt"] == 1.0
    assert results["seo"].score is not None and results["seo"].score < 0.2
    image_alt = next(a for a in results["accessibility"].audits if a.id == "image-alt")
    assert image_alt.score == 0.0 and "<img" in image_alt.details[0]["snippet"]
    assert image_alt.details[0]["selector"]


def test_x_robots_tag_blocks_indexing(audited: dict[str, Any]) -> None:
    results = audited["x-robots"]
    seo_scores = scores(results["seo"])
    assert seo_scores["is-crawlable"] == 0.0
    assert seo_scores["canonical"] is None  # no canonical link: not applicable
    assert results["seo"].score == round(8 / (8 + 93 / 23), 2)  # 8 passing audits of weight 1


def test_404_page(audited: dict[str, Any]) -> None:
    results = audited["missing"]
    assert scores(results["seo"])["http-status-code"] == 0.0
    assert scores(results["best_practices"])["errors-in-console"] == 0.0
    assert results["seo"].score is not None and results["seo"].score < 1.0


def test_robots_txt_disallow_all(audited: dict[str, Any]) -> None:
    results = audited["blocked"]
    seo_scores = scores(results["seo"])
    assert seo_scores["is-crawlable"] == 0.0
    assert seo_scores["robots-txt"] == 1.0  # valid syntax, only blocking


def test_invalid_robots_txt(audited: dict[str, Any]) -> None:
    results = audited["broken-robots"]
    robots = next(a for a in results["seo"].audits if a.id == "robots-txt")
    assert robots.score == 0.0
    assert [d["index"] for d in robots.details] == [1, 2]


def test_bad_best_practices_page(audited: dict[str, Any]) -> None:
    results = audited["bad-bp"]
    bp = scores(results["best_practices"])
    for failing in ("doctype", "charset", "paste-preventing-inputs", "errors-in-console",
                    "geolocation-on-start", "image-aspect-ratio", "image-size-responsive",
                    "viewport"):  # fmt: skip
        assert bp[failing] == 0.0, failing
    assert bp["notification-on-start"] == bp["is-on-https"] == 1.0
    assert results["best_practices"].score is not None and results["best_practices"].score < 0.7
    errors = next(a for a in results["best_practices"].audits if a.id == "errors-in-console")
    descriptions = " ".join(item["description"] for item in errors.details)
    assert "boom" in descriptions and "uncaught" in descriptions
    paste = next(a for a in results["best_practices"].audits if a.id == "paste-preventing-inputs")
    assert paste.details[0]["selector"] == "#pw"


def test_large_first_party_script_needs_a_source_map(audited: dict[str, Any]) -> None:
    def source_maps(name: str) -> Any:
        results = audited[name]
        return next(a for a in results["best_practices"].audits if a.id == "valid-source-maps")

    missing = source_maps("big-script")
    assert missing.score == 0.0
    assert [(d["url"].rsplit("/", 1)[1], d["bytes"] > 500 * 1024) for d in missing.details] == [
        ("big.js", True)
    ]
    assert source_maps("big-script-mapped").score == 1.0
    assert source_maps("good").score == 1.0  # no large script at all


def test_doctype_follows_the_documents_mode(audited: dict[str, Any]) -> None:
    def doctype(name: str) -> Any:
        results = audited[name]
        return next(a for a in results["best_practices"].audits if a.id == "doctype")

    assert doctype("xhtml").score == 1.0  # a public id in standards mode passes
    limited = doctype("limited-quirks")
    assert limited.score == 0.0 and "limited-quirks" in (limited.explanation or "")
    assert doctype("bad-bp").explanation == "Document does not contain a doctype"


def test_seo_edge_values_pass_as_in_lighthouse(audited: dict[str, Any]) -> None:
    results = audited["edge-seo"]
    seo_scores = scores(results["seo"])
    assert seo_scores["canonical"] == 1.0  # file: is an absolute URL
    assert seo_scores["crawlable-anchors"] == 1.0, results["seo"].audits
    assert results["seo"].score == 1.0, seo_scores


def test_canonical_urls_in_link_headers_count(audited: dict[str, Any]) -> None:
    # Lighthouse 12.2.3 adds the document's Link headers to its link elements.
    def canonical(name: str) -> AuditResult:
        results = audited[name]
        return next(a for a in results["seo"].audits if a.id == "canonical")

    relative = canonical("header-canonical-relative")
    assert (relative.score, relative.explanation) == (0.0, "Is not an absolute URL (/good)")
    conflict = canonical("header-canonical-conflict")
    assert conflict.score == 0.0
    assert conflict.explanation is not None and "Multiple conflicting URLs" in conflict.explanation
    assert canonical("header-canonical-same").score == 1.0


def test_every_anchor_is_judged_not_only_the_first_thousands(audited: dict[str, Any]) -> None:
    results = audited["many-links"]
    anchors = next(a for a in results["seo"].audits if a.id == "crawlable-anchors")
    assert anchors.score == 0.0  # the last of 2,501 links is javascript:void(0)
    assert [(d["selector"], d["href"]) for d in anchors.details] == [
        (f"a (link {MANY_LINKS + 1} of the document)", "javascript:void(0)")
    ]


def test_uncrawlable_anchors(audited: dict[str, Any]) -> None:
    results = audited["uncrawlable-anchors"]
    anchors = next(a for a in results["seo"].audits if a.id == "crawlable-anchors")
    assert anchors.score == 0.0
    assert sorted(d["href"] for d in anchors.details) == ["", "file:///etc/hosts"]


def test_failed_resource_load_is_a_console_error(audited: dict[str, Any]) -> None:
    results = audited["missing-image"]
    errors = next(a for a in results["best_practices"].audits if a.id == "errors-in-console")
    assert errors.score == 0.0
    assert [(d["source"], d["url"].rsplit("/", 1)[1]) for d in errors.details] == [
        ("network", "gone.png")
    ]
    assert "404" in errors.details[0]["description"]
    results = audited["good"]
    assert scores(results["best_practices"])["errors-in-console"] == 1.0


def test_low_contrast_page(audited: dict[str, Any]) -> None:
    results = audited["low-contrast"]
    a11y = scores(results["accessibility"])
    assert a11y["color-contrast"] == 0.0
    assert results["accessibility"].score is not None and results["accessibility"].score < 1.0


def test_only_requested_categories(
    browser: tuple[asyncio.Runner, Browser], servers: dict[str, str]
) -> None:
    runner, chromium = browser
    results = runner.run(audit_page(chromium, f"{servers['main']}/good", ("seo",)))
    assert list(results) == ["seo"]
    assert results["seo"].score == 1.0


def test_closed_page_gives_no_scores_but_no_exception(
    browser: tuple[asyncio.Runner, Browser],
) -> None:
    runner, chromium = browser

    async def run() -> dict[str, CategoryResult]:
        context = await chromium.new_context()
        tab = await context.new_page()
        cdp = await context.new_cdp_session(tab)
        auditor = CategoryAuditor(["accessibility", "best_practices", "seo"])
        await auditor.before_navigation(tab, cdp)
        await context.close()
        return await auditor.after_load(tab, cdp, [], None)

    results = runner.run(run())
    assert results["accessibility"].score is None
    assert all(a.score is None for a in results["accessibility"].audits)
    assert results["best_practices"].audits  # judged from what is known, nothing raised


@pytest.mark.parametrize("fixture", FIXTURES)
def test_weights_match_lighthouse_fixture(fixture: str) -> None:
    report = load_fixture(fixture)
    tables = {
        "accessibility": accessibility.WEIGHTS,
        "best-practices": best_practices.WEIGHTS,
        "seo": seo.WEIGHTS,
    }
    for name, table in tables.items():
        refs = report["categories"][name]["auditRefs"]
        assert [ref["id"] for ref in refs] == list(table), name
        for ref in refs:
            mode = report["audits"][ref["id"]]["scoreDisplayMode"]
            # Lighthouse zeroes the weight of audits that are not scored on this page.
            expected = 0 if mode in ("notApplicable", "informative", "manual") else table[ref["id"]]
            assert ref["weight"] == pytest.approx(expected), (name, ref["id"])


@pytest.mark.parametrize("fixture", FIXTURES)
def test_informative_axe_rules_match_lighthouse_fixture(fixture: str) -> None:
    report = load_fixture(fixture)
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        mode = report["audits"][ref["id"]]["scoreDisplayMode"]
        if ref["id"] in accessibility.INFORMATIVE_RULES:
            assert mode in ("informative", "notApplicable"), ref["id"]
        elif mode == "informative":
            pytest.fail(f"{ref['id']} is informative in Lighthouse but scored by psdata")


def test_informative_axe_rules_never_change_the_score() -> None:
    def raw(**lists: list[Any]) -> dict[str, Any]:
        empty: dict[str, Any] = {"violations": [], "passes": [], "incomplete": []}
        return empty | {"inapplicable": [], "unknown": [], "titles": {}} | lists

    def audit(rule: str, **lists: list[Any]) -> tuple[float | None, str]:
        result = accessibility.axe_audit(rule, raw(**lists), accessibility.WEIGHTS)
        return result.score, result.display_mode

    failing = {"id": "bypass", "title": "Bypass", "nodes": [{"selector": "html"}]}
    assert audit("bypass", passes=["bypass"]) == (None, "notApplicable")
    # Informative: Lighthouse reports a score of 1 that its category leaves out.
    assert audit("bypass", violations=[failing]) == (1.0, "informative")
    assert audit("bypass", incomplete=["bypass"]) == (1.0, "informative")
    assert audit("list", violations=[failing | {"id": "list"}]) == (0.0, "binary")
    assert audit("list", incomplete=["list"]) == (1.0, "binary")
    # A failing informative rule of weight 7 beside a failing scored one: the category
    # counts the scored one only.
    both = accessibility.accessibility_audits(
        raw(violations=[failing, failing | {"id": "list"}], passes=["html-has-lang"]), None
    )
    assert category("accessibility", both).score == 0.5
