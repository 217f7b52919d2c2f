"""Performance opportunities and diagnostics (#18): the rules as pure functions, and the
whole path (collection on a real Chromium, audits, store, ``psdata.opportunities``) on
pages with known waste served from 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import pytest

import psdata
from conftest import FAST, Serve, audit_of, opportunity_table
from psdata.demo.server import ServedSite
from psdata.engines.lab.emulation import profile_for
from psdata.engines.lab.engine import LabSettings, _opportunity_collector
from psdata.engines.lab.evidence import NetworkRequest
from psdata.engines.lab.opportunities import AUDIT_ORDER, opportunity_audits
from psdata.engines.lab.opportunities.bytes import (
    cache_hit_probability,
    offscreen_images,
    unused_css_rules,
    uses_long_cache_ttl,
    uses_responsive_images,
    uses_text_compression,
)
from psdata.engines.lab.opportunities.collect import gzip_size, script_usage
from psdata.engines.lab.opportunities.dom import dom_size, is_sized, no_document_write
from psdata.engines.lab.opportunities.evidence import (
    BodyFacts,
    OpportunityEvidence,
    StyleSheetUsage,
)
from psdata.engines.lab.opportunities.mainthread import (
    attributed_url,
    bootup_time,
    frame_urls,
    long_tasks,
    main_thread_tasks,
    mainthread_work_breakdown,
    work_by_group,
)
from psdata.engines.lab.opportunities.minify import token_length
from psdata.engines.lab.opportunities.network import font_display, redirects, server_response_time
from psdata.engines.lab.opportunities.savings import apply_simulation
from psdata.plotting import plot_opportunities

matplotlib.use("Agg")
PAGES = Path(__file__).parent / "pages" / "core" / "opp"
URL = "https://a.test/"


def request(request_id: str, url: str, kind: str, size: int, **extra: Any) -> NetworkRequest:
    return NetworkRequest(request_id, url, kind, status=200, transfer_size=size, **extra)


def by_id(audits: list[Any]) -> dict[str, Any]:
    return {a.id: a for a in audits}


# --- rules as pure functions ---------------------------------------------------------


def test_text_compression_follows_lighthouse_thresholds() -> None:
    text = (b"body { color: red; }\n" * 400, b"x" * 1200)  # compressible, then too small
    requests = [
        request("1", URL + "a.css", "Stylesheet", 8400),
        request("2", URL + "b.js", "Script", 1300),
    ]
    bodies = {
        "1": BodyFacts(len(text[0]), gzip_size(text[0])),
        "2": BodyFacts(len(text[1]), gzip_size(text[1])),
    }
    audit = uses_text_compression(OpportunityEvidence(URL, requests=requests, bodies=bodies))
    assert audit.score == 0 and [i["url"] for i in audit.details] == [URL + "a.css"]
    assert audit.savings_bytes == len(text[0]) - bodies["1"].gzip_size
    assert audit.savings_ms is None and "simulator" in (audit.explanation or "")
    # Already compressed: passes.
    requests[0].response_headers["content-encoding"] = "gzip"
    assert (
        uses_text_compression(OpportunityEvidence(URL, requests=requests, bodies=bodies)).score == 1
    )


def test_gzip_size_matches_a_real_gzip() -> None:
    body = b"function a() { return 1; }\n" * 300
    assert abs(gzip_size(body) - len(gzip.compress(body, 6))) <= 16


def test_unused_css_ignores_less_than_10_kib() -> None:
    sheet = StyleSheetUsage(URL + "s.css", 40_000, used=35_000)
    requests = [request("1", URL + "s.css", "Stylesheet", 40_300)]
    bodies = {"1": BodyFacts(40_000)}
    evidence = OpportunityEvidence(URL, requests=requests, stylesheets=[sheet], bodies=bodies)
    assert unused_css_rules(evidence).score == 1  # 5,000 bytes unused
    sheet.used = 10_000
    audit = unused_css_rules(evidence)
    assert audit.score == 0
    assert audit.details[0]["wastedBytes"] == 30_000  # not encoded: the body size counts


def test_responsive_images_uses_the_device_pixel_ratio() -> None:
    image = {
        "src": URL + "p.jpg",
        "naturalWidth": 1000,
        "naturalHeight": 1000,
        "displayedWidth": 200,
        "displayedHeight": 200,
        "srcset": "",
        "isPicture": False,
    }
    page = {
        "viewport": {"innerWidth": 400, "innerHeight": 800, "devicePixelRatio": 2},
        "images": [image],
    }
    evidence = OpportunityEvidence(
        URL, requests=[request("1", URL + "p.jpg", "Image", 100_000)], page=page
    )
    audit = uses_responsive_images(evidence)
    assert audit.details[0]["wastedBytes"] == round(100_000 * (1 - 400 * 400 / 1e6))
    image["srcset"] = "p.jpg 1x"
    image["displayedWidth"] = image["displayedHeight"] = 950  # waste under 12 KiB
    assert uses_responsive_images(evidence).score == 1


def test_offscreen_images_skip_lazy_and_visible_ones() -> None:
    below = {
        "src": URL + "b.jpg",
        "displayedWidth": 300,
        "displayedHeight": 300,
        "rect": {"top": 5000, "bottom": 5300, "left": 0, "right": 300},
        "loading": "",
    }
    page = {"viewport": {"innerWidth": 400, "innerHeight": 800}, "images": [below]}
    evidence = OpportunityEvidence(
        URL, requests=[request("1", URL + "b.jpg", "Image", 50_000)], page=page
    )
    assert offscreen_images(evidence).score == 0
    below["loading"] = "lazy"
    assert offscreen_images(evidence).score == 1


def test_cache_ttl_model() -> None:
    assert cache_hit_probability(86400) == pytest.approx(0.6)
    short = request(
        "1", URL + "a.js", "Script", 10_000, response_headers={"cache-control": "max-age=3600"}
    )
    long = request(
        "2", URL + "b.js", "Script", 10_000, response_headers={"cache-control": "max-age=31536000"}
    )
    private = request(
        "3",
        URL + "c.js",
        "Script",
        10_000,
        response_headers={"cache-control": "private, max-age=60"},
    )
    audit = uses_long_cache_ttl(OpportunityEvidence(URL, requests=[short, long, private]))
    assert [i["url"] for i in audit.details] == [URL + "a.js"]
    assert audit.savings_bytes == pytest.approx(10_000 * 0.8)


def test_minified_length_keeps_strings_and_licences() -> None:
    assert token_length("/*! keep */ a = 'x  y';") == len("/*! keep */") + len("a='x  y';")
    assert token_length("a  /  b") == 3  # a division, not a regular expression


def test_script_usage_counts_innermost_ranges() -> None:
    functions = [
        {"ranges": [{"startOffset": 0, "endOffset": 1000, "count": 1}]},
        {
            "ranges": [
                {"startOffset": 100, "endOffset": 600, "count": 0},
                {"startOffset": 200, "endOffset": 300, "count": 2},
            ]
        },
    ]
    assert script_usage(functions) == (1000, 400)


def test_server_response_time_and_redirects() -> None:
    main = request("1", URL, "Document", 1000)
    slow = OpportunityEvidence(
        URL, main_document=main, main_timing={"sendEnd": 10.0, "receiveHeadersStart": 710.0}
    )
    audit = server_response_time(slow)
    assert audit.score == 0 and audit.metric_savings == {"FCP": 600.0, "LCP": 600.0}
    chain = OpportunityEvidence(URL, redirects=[("http://a.test/", 0.0), (URL, 250.0)])
    audit = redirects(chain)
    assert audit.score == 0 and audit.savings_ms == 250.0


def test_font_display_reads_font_face_rules() -> None:
    css = (
        "@font-face { font-family: A; src: url(a.woff2); }"
        "@font-face { font-family: B; src: url('b.woff2'); font-display: swap; }"
    )
    fonts = [
        request("1", URL + "a.woff2", "Font", 9000, start_ms=10.0, end_ms=4010.0),
        request("2", URL + "b.woff2", "Font", 9000, start_ms=10.0, end_ms=90.0),
    ]
    evidence = OpportunityEvidence(
        URL, requests=fonts, stylesheets=[StyleSheetUsage(URL + "f.css", len(css), 0, content=css)]
    )
    audit = font_display(evidence)
    assert audit.details == [{"url": URL + "a.woff2", "wastedMs": 3000}]


def test_dom_size_and_sizing_rules() -> None:
    big = OpportunityEvidence(URL, page={"dom": {"totalBodyElements": 1400}})
    small = OpportunityEvidence(URL, page={"dom": {"totalBodyElements": 500}})
    assert dom_size(big).score == 0.5 and dom_size(small).display_mode == "informative"
    assert is_sized({"attributeWidth": "", "attributeHeight": "40", "css": {"aspectRatio": "1"}})
    assert not is_sized({"attributeWidth": "auto", "attributeHeight": "", "css": {}})


def trace(*spans: tuple[str, float, float, str | None]) -> list[dict[str, Any]]:
    """Complete events (name, start ms, duration ms, url)."""
    return [
        {
            "ph": "X",
            "name": name,
            "ts": start * 1000,
            "dur": dur * 1000,
            "args": {"data": {"url": url}} if url else {},
        }
        for name, start, dur, url in spans
    ]


def test_main_thread_tasks_nest_and_group() -> None:
    events = trace(
        ("RunTask", 0, 300, None),
        ("EvaluateScript", 10, 200, "https://a.test/app.js"),
        ("v8.compile", 20, 50, "https://a.test/app.js"),
        ("Layout", 250, 40, None),
        ("RunTask", 400, 30, None),
    )
    # B/E pairs are matched into spans too.
    events += [
        {"ph": "B", "name": "ParseHTML", "ts": 500_000, "args": {}},
        {"ph": "E", "name": "ParseHTML", "ts": 520_000, "args": {}},
    ]
    tasks = main_thread_tasks(events)
    assert [t.depth for t in tasks] == [0, 1, 2, 1, 0, 0]
    assert work_by_group(events) == pytest.approx(
        {
            "scriptEvaluation": 150,
            "other": 90,
            "scriptParseCompile": 50,
            "styleLayout": 40,
            "parseHTML": 20,
        }
    )
    assert work_by_group(events, multiplier=4)["scriptEvaluation"] == pytest.approx(600)


def test_main_thread_attribution_follows_lighthouse() -> None:
    """Groups are inherited, timers charge their installer, scripts win over documents."""
    page, app, lib = URL, URL + "app.js", URL + "lib.js"
    events = trace(
        ("RunTask", 0, 400, None),
        ("ParseHTML", 0, 390, None),
        ("EvaluateScript", 10, 300, app),
        ("FunctionCall", 20, 200, lib),
        ("SomethingUnknown", 30, 100, None),  # no group of its own: Script Evaluation
        ("RunTask", 1000, 120, None),
        ("TimerFire", 1000, 110, None),
        ("RunTask", 2000, 60, None),
        ("Layout", 2000, 50, None),  # no URL in its tree: the last task's
    )
    events[1]["args"] = {"beginData": {"frame": "F", "url": page}}
    events[6]["args"] = {"data": {"timerId": 7}}
    events.append(
        {"ph": "I", "name": "TimerInstall", "ts": 40_000, "args": {"data": {"timerId": 7}}}
    )
    tasks = main_thread_tasks(events, frame_urls=frame_urls(events))
    by_name = {t.name: t for t in tasks}
    assert by_name["SomethingUnknown"].group == "scriptEvaluation"
    assert by_name["SomethingUnknown"].urls == [page, app, lib]
    assert by_name["TimerFire"].urls == [page, app, lib]  # installed inside lib.js's call
    assert by_name["Layout"].urls == [page, app, lib]
    assert attributed_url(by_name["SomethingUnknown"], {app, lib}) == app
    assert attributed_url(by_name["SomethingUnknown"]) == page
    audit = bootup_time(events, 1.0, {app, lib})
    # The first script of a chain takes its time; the parser's own time is the page's.
    assert [i["url"] for i in audit.details] == [app, page]
    assert audit.details[0]["scripting"] == pytest.approx(300 + 110)
    breakdown = {i["group"]: i["duration"] for i in mainthread_work_breakdown(events).details}
    assert breakdown["parseHTML"] == pytest.approx(90)
    assert breakdown["styleLayout"] == pytest.approx(50)


def test_bootup_time_and_long_tasks() -> None:
    heavy = trace(("RunTask", 0, 2000, None), ("EvaluateScript", 0, 1900, "https://a.test/x.js"))
    audit = bootup_time(heavy)
    assert audit.details[0]["url"] == "https://a.test/x.js"
    assert audit.score == 0.78  # 1,900 ms of scripting: between p10 and the median
    assert audit.metric_savings["TBT"] == pytest.approx(1900 * 1950 / 2000)  # its share
    light = trace(("RunTask", 0, 20, None), ("EvaluateScript", 0, 10, "https://a.test/x.js"))
    assert bootup_time(light).display_mode == "notApplicable"
    breakdown = mainthread_work_breakdown(heavy)  # 2,000 ms: just under p10 (scores 0.9)
    # Passing, so informative: Lighthouse then reports a score of 1.
    assert breakdown.score == 1.0 and breakdown.display_mode == "informative"
    assert (breakdown.numeric_value, breakdown.numeric_unit) == (2000.0, "millisecond")
    tasks = long_tasks(heavy + trace(("RunTask", 3000, 60, None)))
    assert [round(i["duration"]) for i in tasks.details] == [2000, 60]


def test_failed_step_makes_only_its_audits_undecided() -> None:
    evidence = OpportunityEvidence(
        URL, requests=[request("1", URL, "Document", 1000)], errors={"css": "TimeoutError"}
    )
    audits = by_id(opportunity_audits(evidence))
    assert list(audits) == list(AUDIT_ORDER)
    for audit_id in ("unused-css-rules", "unminified-css", "font-display"):
        assert audits[audit_id].display_mode == "error"
        assert audits[audit_id].score is None and "css" in (audits[audit_id].explanation or "")
    assert audits["total-byte-weight"].score == 1
    assert "trace" in (audits["bootup-time"].explanation or "")


def test_simulation_fills_time_savings() -> None:
    class Simulation:
        def savings_for_bytes(self, wasted: dict[str, float]) -> dict[str, float]:
            return {"FCP": 100.0, "LCP": sum(wasted.values()) / 100}

        def blocking_ms(self, url: str) -> float | None:
            return 300.0 if url.endswith(".css") else 20.0

        def savings_for_deferring(self, urls: Any) -> dict[str, float]:
            assert sorted(urls) == [URL + "a.css", URL + "b.js"]  # all are deferred
            return {"FCP": 280.0, "LCP": 280.0}

        def unavailable(self, metric: str) -> str | None:
            return None

        def redirect_ms(self, urls: Any) -> list[float] | None:
            return None

    page = {
        "resources": [
            {"url": URL + "a.css", "blocking": "blocking"},
            {"url": URL + "b.js", "blocking": "blocking"},
        ]
    }
    text = b"p { margin: 0 }\n" * 1000
    requests = [
        request("1", URL + "a.css", "Stylesheet", len(text)),
        request("2", URL + "b.js", "Script", 500),
    ]
    evidence = OpportunityEvidence(
        URL, requests=requests, page=page, bodies={"1": BodyFacts(len(text), gzip_size(text))}
    )
    audits = by_id(opportunity_audits(evidence, Simulation()))
    blocking = audits["render-blocking-resources"]
    assert [i["url"] for i in blocking.details] == [URL + "a.css"]  # b.js costs < 50 ms
    assert blocking.savings_ms == 280.0 and blocking.score == 0
    compression = audits["uses-text-compression"]
    assert compression.savings_ms == pytest.approx(compression.savings_bytes / 100)
    assert compression.metric_savings["LCP"] % 50 == 0  # reported as Lighthouse rounds it
    assert apply_simulation([compression], None) == [compression]
    unexplained = apply_simulation([compression], None, "no trace")[0]
    assert unexplained.explanation == "Time savings not estimated: no trace"


def test_the_switch_leaves_collection_out() -> None:
    profile = profile_for("mobile")
    assert _opportunity_collector(LabSettings(), profile) is not None
    assert _opportunity_collector(LabSettings(opportunities=False), profile) is None
    assert _opportunity_collector(LabSettings(categories=("seo",)), profile) is None


def test_no_document_write_needs_a_script_url() -> None:
    page = {
        "violations": [
            {"text": "Avoid using document.write().", "url": URL, "line": 3},
            {"text": "Avoid using document.write().", "url": URL, "line": 3},
        ]
    }
    assert len(no_document_write(OpportunityEvidence(URL, page=page)).details) == 1


# --- the whole path on a real Chromium -----------------------------------------------


@pytest.fixture(scope="module")
def measured(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[pd.DataFrame]:
    urls = pd.Series(
        [site.url(f"/opp/{name}.html") for name in ("waste", "lazy-lcp", "clean", "broken-image")],
        index=["waste", "lazy", "clean", "broken"],
    )
    frame = psdata.analyze(
        urls,
        categories=["performance"],
        # Long enough for the lazy hero image (requested only after layout) to be painted
        # before the page counts as loaded: Lighthouse's network-2-idle ignores it in flight.
        quiet_window_ms=1000,
        progress=False,
        timeout=60.0,
        cache_dir=tmp_path_factory.mktemp("opp-cache"),
    )
    assert frame["error"].isna().all(), frame["error"].tolist()
    yield frame


@pytest.fixture(scope="module")
def table(measured: pd.DataFrame) -> pd.DataFrame:
    return opportunity_table(measured)


def failing(row: pd.Series) -> bool:
    return not math.isnan(row["score"]) and row["score"] < 0.9


def test_every_opportunity_is_listed_with_savings_columns(table: pd.DataFrame) -> None:
    assert list(table.loc[["clean"]].audit_id) == list(AUDIT_ORDER)
    assert table["savings_ms"].dtype == "float64" and table["savings_bytes"].dtype == "float64"
    assert list(table.columns[-3:]) == ["details", "savings_ms", "savings_bytes"]
    assert table["numeric_value"].dtype == "float64"
    assert list(table.columns[-5:-3]) == ["numeric_value", "numeric_unit"]


def test_waste_page_fails_what_lighthouse_fails(table: pd.DataFrame) -> None:
    expected = (
        "render-blocking-resources",
        "unused-css-rules",
        "unused-javascript",
        "unminified-javascript",
        "uses-text-compression",
        "uses-responsive-images",
        "offscreen-images",
        "uses-optimized-images",
        "modern-image-formats",
        "font-display",
        "no-document-write",
        "uses-passive-event-listeners",
        "unsized-images",
        "uses-long-cache-ttl",
    )
    failed = {a for a in expected if failing(audit_of(table, "waste", a))}
    assert failed == set(expected)
    for passing in ("unminified-css", "redirects", "dom-size", "efficient-animated-content"):
        assert not failing(audit_of(table, "waste", passing)), passing
    blocking = audit_of(table, "waste", "render-blocking-resources")
    assert {Path(i["url"]).name for i in blocking.details} == {"unused.css", "unminified.js"}


def test_byte_savings_are_in_range(table: pd.DataFrame) -> None:
    css = (PAGES / "unused.css").read_bytes()
    js = (PAGES / "unminified.js").read_bytes()
    unused_css = audit_of(table, "waste", "unused-css-rules").savings_bytes
    assert 0.95 * len(css) <= unused_css <= len(css)
    compression = audit_of(table, "waste", "uses-text-compression")
    expected = (len(js) - gzip_size(js)) + (len(css) - gzip_size(css))
    assert compression.savings_bytes == pytest.approx(expected, rel=0.01)
    unminified = audit_of(table, "waste", "unminified-javascript").details[0]
    assert 0.5 < unminified["wastedPercent"] / 100 < 0.85
    unused_js = audit_of(table, "waste", "unused-javascript").details[0]
    assert 20 * 1024 < unused_js["wastedBytes"] < len(js)
    # 800×600 shown at 200×150 CSS px on a 1.75 DPR phone: 81 % of the pixels wasted.
    responsive = audit_of(table, "waste", "uses-responsive-images").details[0]
    assert responsive["wastedPercent"] == pytest.approx(100 * (1 - 350 * 262.5 / 480_000), abs=1)
    optimized = audit_of(table, "waste", "uses-optimized-images").details
    assert all(i["fromProtocol"] for i in optimized)  # Chromium re-encoded them
    # Lantern on the page's trace (devtools settings, as Lighthouse) estimates the time.
    compression = audit_of(table, "waste", "uses-text-compression")
    assert compression.savings_ms >= 0  # not NaN


def test_lazy_lcp_image(table: pd.DataFrame) -> None:
    lazy = audit_of(table, "lazy", "lcp-lazy-loaded")
    assert failing(lazy) and "hero.jpg" in lazy.details[0]["url"]
    assert not failing(audit_of(table, "lazy", "prioritize-lcp-image"))  # it is in the HTML
    assert not failing(audit_of(table, "waste", "lcp-lazy-loaded"))


def test_clean_page_passes(table: pd.DataFrame) -> None:
    rows = table.loc[["clean"]]
    decided = rows[rows.score.notna() & (rows.audit_id != "largest-contentful-paint-element")]
    assert decided.score.ge(0.9).all(), decided[decided.score < 0.9].audit_id.tolist()
    trace_audits = rows[rows.audit_id.isin(["bootup-time", "mainthread-work-breakdown"])]
    assert not trace_audits.display_mode.eq("error").any()  # fed the page's trace
    blocking = audit_of(table, "clean", "render-blocking-resources")
    assert blocking.score == 1 and not blocking.details


def test_an_image_chromium_cannot_decode_leaves_the_other_audits(table: pd.DataFrame) -> None:
    for audit_id in ("modern-image-formats", "uses-optimized-images"):
        row = audit_of(table, "broken", audit_id)
        assert row.display_mode == "error" and math.isnan(row.score)
    assert audit_of(table, "broken", "dom-size").score == 1
    assert audit_of(table, "broken", "unsized-images").score == 1


def test_opportunities_rank_the_fixes(measured: pd.DataFrame, table: pd.DataFrame) -> None:
    ranking = psdata.opportunities(measured)
    assert list(ranking.columns) == [
        "audit_id",
        "title",
        "pages",
        "pages_failing",
        "total_savings_ms",
        "median_savings_ms",
        "total_savings_bytes",
        "median_savings_bytes",
    ]
    assert set(ranking.audit_id) == set(AUDIT_ORDER)
    compression = ranking.set_index("audit_id").loc["uses-text-compression"]
    assert compression.pages_failing == 1
    assert (
        compression.total_savings_bytes
        == audit_of(table, "waste", "uses-text-compression").savings_bytes
    )
    timed = ranking.dropna(subset=["total_savings_ms"])
    assert timed.total_savings_ms.is_monotonic_decreasing
    ax = plot_opportunities(ranking)  # in seconds: the simulator estimated the time
    with_time = ranking[(ranking.pages_failing > 0) & (ranking.total_savings_ms > 0)]
    assert len(ax.patches) == min(len(with_time), 15)
    ax = plot_opportunities(ranking, by="bytes")
    with_bytes = ranking[(ranking.pages_failing > 0) & (ranking.total_savings_bytes > 0)]
    assert len(ax.patches) == min(len(with_bytes), 15)
    assert ax.get_xlabel().endswith("(KiB)")  # no time savings yet: bytes
    with pytest.raises(ValueError, match=r"psdata\.opportunities"):
        plot_opportunities(measured)
    assert plot_opportunities(ranking, by="ms").get_xlabel().endswith("(s)")


def test_a_failed_simulation_says_why_and_passes_nothing() -> None:
    class Failed:
        def savings_for_bytes(self, wasted: Any) -> dict[str, float]:
            return {}

        def blocking_ms(self, url: str) -> float | None:
            return None

        def savings_for_deferring(self, urls: Any) -> dict[str, float]:
            return {}

        def unavailable(self, metric: str) -> str | None:
            return "Lantern could not simulate the page (NO_FCP)"

        def redirect_ms(self, urls: Any) -> list[float] | None:
            return None

    page = {"resources": [{"url": URL + "a.css", "blocking": "blocking"}]}
    text = b"p { margin: 0 }\n" * 1000
    requests = [request("1", URL + "a.css", "Stylesheet", len(text))]
    evidence = OpportunityEvidence(
        URL, requests=requests, page=page, bodies={"1": BodyFacts(len(text), gzip_size(text))}
    )
    audits = by_id(opportunity_audits(evidence, Failed()))
    for audit_id in ("render-blocking-resources", "uses-text-compression"):
        audit = audits[audit_id]
        assert audit.score == 0 and audit.details and audit.savings_ms is None
        assert "NO_FCP" in (audit.explanation or ""), audit_id


def bundle(name: str, sources: list[str], *, comment: bool = True) -> dict[str, str]:
    """A script and its source map listing *sources* (named by a comment, or not)."""
    code = f"window.{name.replace('-', '_')} = 1;\n"
    source_map = {"version": 3, "file": f"{name}.js", "sources": sources, "mappings": "AAAA"}
    files = {f"{name}.js.map": json.dumps(source_map)}
    files[f"{name}.js"] = code + (f"//# sourceMappingURL={name}.js.map\n" if comment else "")
    return files


def test_duplicated_javascript_reads_the_scripts_source_maps(serve: Serve) -> None:
    """Lighthouse finds duplicates in the maps' sources; a page whose maps list every
    module once passes, one listing a module twice is undecided (psdata does not size
    modules), an unreadable map is left out, as in Lighthouse."""
    lodash = "webpack:///./node_modules/lodash/lodash.js"
    files = {
        **bundle("app", ["webpack:///./src/app.js", lodash]),
        **bundle("vendor", ["webpack:///./lib/node_modules/lodash/lodash.js"]),
        **bundle("other", ["webpack:///./src/other.js", "webpack/bootstrap"]),
        "lost.js": "window.lost = 1;\n//# sourceMappingURL=missing.js.map\n",
    }
    page = '<!doctype html><html lang="en"><title>x</title>{}<p>Bundles</p></html>'
    for name, scripts in {"twice": ("app", "vendor"), "once": ("app", "other", "lost")}.items():
        tags = "".join(f'<script src="{s}.js"></script>' for s in scripts)
        files[f"{name}.html"] = page.format(tags)
    site = serve(files)
    frame = psdata.analyze(
        [site.url("twice.html"), site.url("once.html")], categories=["performance"], **FAST
    )
    table = psdata.audits(frame)
    found = table[table.audit_id == "duplicated-javascript"].set_index("url")
    twice, once = found.loc[site.url("twice.html")], found.loc[site.url("once.html")]
    assert twice.display_mode == "error" and pd.isna(twice.score), twice
    assert once.score == 1.0 and once.display_mode == "metricSavings", once
    assert {"/app.js.map", "/vendor.js.map", "/missing.js.map"} <= {r.path for r in site.requests}
