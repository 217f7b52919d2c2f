"""Lantern (simulated throttling) on Lighthouse 12.2.3's own artifacts, and its worker.

The fixtures (tests/fixtures/lantern/, made by scripts/make_lantern_fixtures.py) are
Lighthouse's trace and devtools log of bench pages with the numbers Lighthouse's audits
computed from exactly those files; psdata's split (the lab engine's one splitter) + glue
+ vendored Lantern must give the same numbers.
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil
import pytest

from psdata._errors import PageTimeoutError
from psdata.engines.lab import scoring
from psdata.engines.lab.lantern import (
    LanternSavings,
    LanternWorker,
    SimulatedMetrics,
    estimate_savings,
    node_executable,
    simulate,
)
from psdata.engines.lab.trace import (
    CATEGORIES,
    MIN_KEPT_TASK_US,
    TOP_LEVEL_TASKS,
    PageTrace,
    PageWindow,
    split_events,
)
from support.lantern_fixtures import CASES, FIXTURES, lighthouse_main_thread, load, split_page

METRICS = (
    "fcp_ms",
    "lcp_ms",
    "speed_index_ms",
    "tbt_ms",
    "interactive_ms",
    "max_potential_fid_ms",
)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def worker() -> Any:
    worker = LanternWorker()
    yield worker
    worker.close()


async def simulate_case(
    name: str,
    worker: LanternWorker | None = None,
    *,
    prune: bool = True,
    lighthouses_thread: bool = False,
) -> SimulatedMetrics:
    """psdata's path on a fixture: split the trace, then simulate the page.

    With ``lighthouses_thread``, Lantern gets what Lighthouse hands it instead: every
    event of the main thread Lighthouse's trace processor found.
    """
    events, devtools_log, expected = load(name)
    frame_id = expected["main_frame_id"]
    if lighthouses_thread:
        main_thread = lighthouse_main_thread(events, expected)
    else:
        main_thread = split_page(events, frame_id).events
    return await simulate(
        main_thread,
        devtools_log,
        url=expected["requested_url"],
        frame_id=frame_id,
        strategy=expected["form_factor"],
        observed_speed_index_ms=expected["observed_speed_index_ms"],
        main_document_url=expected["main_document_url"],
        worker=worker,
        prune=prune,
    )


def test_fixtures_cover_mobile_desktop_and_a_redirect() -> None:
    assert len(CASES) >= 4
    expected = [load(name)[2] for name in CASES]
    assert {e["form_factor"] for e in expected} == {"mobile", "desktop"}
    assert all(e["throttling_method"] == "simulate" for e in expected)
    assert any(e["requested_url"] != e["main_document_url"] for e in expected)


def _as_key(event: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in event.items() if k != "tts"}, sort_keys=True)


@pytest.mark.parametrize("name", CASES)
def test_split_finds_lighthouses_main_thread(name: str) -> None:
    """The splitter finds the main thread(s) Lighthouse's trace processor found, and keeps
    its events from the time origin on, less the short top-level tasks with nothing inside."""
    events, _, expected = load(name)
    page = split_page(events, expected["main_frame_id"])
    lighthouse = {int(pid): tid for pid, tid in expected["renderer_main_threads"].items()}
    assert {(e["pid"], e["tid"]) for e in page.events} == set(lighthouse.items())
    assert lighthouse[page.pid] == page.tid
    # The fixture keeps other renderers' main threads too: the split must leave them out.
    renderers = {
        e["pid"]
        for e in events
        if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    assert renderers - set(lighthouse), "fixture should hold a distracting renderer"

    whole = Counter(_as_key(e) for e in lighthouse_main_thread(events, expected) if e["ph"] != "M")
    kept = Counter(_as_key(e) for e in page.events if e["ph"] != "M")
    assert not kept - whole  # nothing but Lighthouse's main-thread events
    dropped = [json.loads(key) for key in (whole - kept).elements()]
    before_origin = [e for e in dropped if e["ts"] + e.get("dur", 0) < page.time_origin_us]
    short_empty = [e for e in dropped if e not in before_origin]
    assert before_origin, "Lighthouse's trace starts before the navigation"
    assert all(e["name"] in TOP_LEVEL_TASKS and e["dur"] < MIN_KEPT_TASK_US for e in short_empty), (
        short_empty
    )


@pytest.mark.parametrize(
    "lighthouses_thread", [False, True], ids=["psdata-split", "lighthouses-main-thread"]
)
@pytest.mark.parametrize("name", CASES)
def test_lantern_reproduces_lighthouse(
    name: str, lighthouses_thread: bool, worker: LanternWorker
) -> None:
    """From psdata's split, pruned to what Lantern reads (production's input), and from
    every event of Lighthouse's main thread (Lighthouse's input): Lighthouse's numbers."""
    _, _, expected = load(name)
    report = expected["report"]
    prune = not lighthouses_thread
    metrics = run(simulate_case(name, worker, prune=prune, lighthouses_thread=lighthouses_thread))
    assert metrics.errors == {}
    for metric in METRICS:
        assert getattr(metrics, metric) == pytest.approx(report[metric], abs=1e-6), metric
    values = {**metrics.values(), "cls": report["cls"]}
    assert scoring.performance_score(values, expected["form_factor"]) == report["performance_score"]
    estimate = metrics.estimates["lcp_ms"]
    assert estimate.optimistic_ms <= estimate.pessimistic_ms + 1e-9
    assert metrics.diagnostics["mainDocumentUrl"] == expected["main_document_url"]


def _savings_case(
    name: str, questions: dict[str, Any], worker: LanternWorker, method: str = "simulate"
) -> LanternSavings:
    events, devtools_log, expected = load(name)
    page = split_page(events, expected["main_frame_id"])
    return run(
        estimate_savings(
            page.events,
            devtools_log,
            questions,
            url=expected["requested_url"],
            frame_id=page.frame_id,
            strategy=expected["form_factor"],
            throttling_method=method,  # type: ignore[arg-type]
            worker=worker,
        )
    )


def _transfer_sizes(devtools_log: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
    """URL → (resource type, bytes on the wire) of the finished requests."""
    seen: dict[str, list[Any]] = {}
    for event in devtools_log:
        params = event["params"]
        if event["method"] == "Network.responseReceived":
            seen[params["requestId"]] = [params["response"]["url"], params["type"], 0]
        elif event["method"] == "Network.loadingFinished" and params["requestId"] in seen:
            seen[params["requestId"]][2] = params["encodedDataLength"]
    return {url: (kind, size) for url, kind, size in seen.values()}


@pytest.mark.parametrize("method", ["simulate", "devtools"])
def test_byte_savings_grow_with_the_wasted_bytes(method: str, worker: LanternWorker) -> None:
    """Lighthouse's computeWasteWithGraph on the page's FCP/LCP graphs, 10 ms steps."""
    name = "requests-api-mobile"
    sizes = _transfer_sizes(load(name)[1])
    script, (_, size) = max(
        ((u, v) for u, v in sizes.items() if v[0] == "Script"), key=lambda kv: kv[1][1]
    )
    shares = (0.0, 0.1, 0.3, 0.6, 0.9)
    questions = {"bytes": {f"a{i}": {script: size * f} for i, f in enumerate(shares)}}
    savings = _savings_case(name, questions, worker, method)
    assert savings.errors == {} and savings.diagnostics["throttlingMethod"] == method
    lcp = [savings.savings_for_bytes({script: size * f})["LCP"] for f in shares]
    fcp = [savings.savings_for_bytes({script: size * f})["FCP"] for f in shares]
    # Lighthouse 12.2.3's own computeWasteWithGraph on these files gives exactly these
    # (bench/lantern_savings_check.mjs): jQuery holds back the first paint.
    expected = {"simulate": [0, 150, 450, 750, 1650], "devtools": [0, 150, 450, 750, 1600]}
    assert lcp == fcp == expected[method]
    # Waste on a request the page never made saves nothing.
    other = {"bytes": {"x": {"http://127.0.0.1:1/none.js": 10**6}}}
    assert _savings_case(name, other, worker).savings_for_bytes(other["bytes"]["x"]) == {
        "FCP": 0.0,
        "LCP": 0.0,
    }


def test_render_blocking_savings_on_the_first_paint_graph(worker: LanternWorker) -> None:
    name = "requests-api-mobile"
    sizes = _transfer_sizes(load(name)[1])
    blocking = [u for u, (kind, _) in sizes.items() if kind in ("Script", "Stylesheet")]
    savings = _savings_case(name, {"renderBlocking": blocking}, worker)
    assert set(savings.blocking) <= set(blocking) and max(savings.blocking.values()) >= 50
    # As Lighthouse 12.2.3's estimateSavingsWithGraphs on these files.
    assert savings.blocking[next(u for u in blocking if u.endswith("/jquery.js"))] == 2557
    assert savings.deferring == {"FCP": 3243, "LCP": 3243}
    # With an LCP image, Lighthouse counts no LCP saving for render-blocking requests.
    image = _savings_case(name, {"renderBlocking": blocking, "lcpImageUrl": blocking[0]}, worker)
    assert image.deferring["LCP"] == 0 and image.deferring["FCP"] == savings.deferring["FCP"]
    # Inlining the used CSS costs bytes on the document: less is saved than without CSS.
    css = {u: 0.0 for u, (kind, _) in sizes.items() if kind == "Stylesheet"}
    inlined = _savings_case(name, {"renderBlocking": blocking, "wastedCssBytes": css}, worker)
    assert inlined.deferring["FCP"] == savings.deferring["FCP"]  # 0 wasted: all inlined
    nothing = _savings_case(name, {"renderBlocking": ["http://127.0.0.1:1/none.css"]}, worker)
    assert nothing.blocking == {} and nothing.deferring["FCP"] == 0


def test_savings_without_a_graph_say_why(worker: LanternWorker) -> None:
    events, devtools_log, expected = load("css-slow-mobile")
    page = split_page(events, expected["main_frame_id"])
    no_paint = [e for e in page.events if e.get("name") != "firstContentfulPaint"]
    savings = run(
        estimate_savings(
            no_paint,
            devtools_log,
            {"bytes": {"a": {"x": 1.0}}},
            url=expected["requested_url"],
            frame_id=page.frame_id,
            worker=worker,
        )
    )
    assert savings.savings_for_bytes({"x": 1.0}) == {}
    assert "NO_FCP" in str(savings.unavailable("FCP"))


def test_main_document_url_defaults_to_where_redirects_end(worker: LanternWorker) -> None:
    name = next(n for n in CASES if "redirect" in n)
    events, devtools_log, expected = load(name)

    async def both() -> tuple[SimulatedMetrics, SimulatedMetrics]:
        page = split_page(events, expected["main_frame_id"])
        without = await simulate(
            page.events,
            devtools_log,
            url=expected["requested_url"],
            frame_id=page.frame_id,
            observed_speed_index_ms=expected["observed_speed_index_ms"],
            worker=worker,
        )
        return await simulate_case(name, worker), without

    with_url, without = run(both())
    assert without.diagnostics["mainDocumentUrl"] == expected["main_document_url"]
    assert without.values() == with_url.values()


def test_requested_url_is_taken_canonical_as_lighthouse_does(worker: LanternWorker) -> None:
    name = CASES[0]
    events, devtools_log, expected = load(name)
    page = split_page(events, expected["main_frame_id"])
    url = expected["requested_url"].replace("http://", "HTTP://")
    metrics = run(
        simulate(
            page.events,
            devtools_log,
            url=url,
            frame_id=page.frame_id,
            strategy=expected["form_factor"],
            observed_speed_index_ms=expected["observed_speed_index_ms"],
            worker=worker,
        )
    )
    assert metrics.errors == {}
    assert metrics.fcp_ms == pytest.approx(expected["report"]["fcp_ms"], abs=1e-6)


def _offset_pids(events: list[dict[str, Any]], offset: int) -> list[dict[str, Any]]:
    """A copy of a trace with every process id moved by ``offset``."""
    moved = copy.deepcopy(events)
    for event in moved:
        event["pid"] += offset
        data = (event.get("args") or {}).get("data") or {}
        if "processId" in data:
            data["processId"] += offset
        for frame in data.get("frames") or []:
            if "processId" in frame:
                frame["processId"] += offset
    return moved


def test_browser_wide_trace_splits_per_page() -> None:
    """Two pages in one trace: each page's own frame id gives exactly its own events, so
    Lantern gets the same input (and Lighthouse's numbers) as from the page's own trace."""
    (a, b) = CASES[:2]
    events_a, _, expected_a = load(a)
    events_b, _, expected_b = load(b)
    events_b = _offset_pids(events_b, 1_000_000)
    merged = sorted(events_a + events_b, key=lambda e: e["ts"])
    frame_a, frame_b = expected_a["main_frame_id"], expected_b["main_frame_id"]
    page_a = split_page(merged, frame_a)
    page_b = split_page(merged, frame_b)
    assert {e["pid"] for e in page_a.events}.isdisjoint(e["pid"] for e in page_b.events)
    assert page_a.events == split_page(events_a, frame_a).events
    assert page_b.events == split_page(events_b, frame_b).events


def test_missing_paint_and_unmatched_frame_are_errors_not_numbers(worker: LanternWorker) -> None:
    name = CASES[0]
    events, devtools_log, expected = load(name)
    page = split_page(events, expected["main_frame_id"])
    no_lcp = [e for e in page.events if not e["name"].startswith("largestContentfulPaint")]

    async def go(
        events: list[dict[str, Any]], frame_id: str, log: list[dict[str, Any]]
    ) -> SimulatedMetrics:
        return await simulate(
            events,
            log,
            url=expected["requested_url"],
            frame_id=frame_id,
            strategy=expected["form_factor"],
            worker=worker,
        )

    metrics = run(go(no_lcp, page.frame_id, devtools_log))
    assert metrics.fcp_ms is not None and metrics.max_potential_fid_ms is not None
    assert metrics.lcp_ms is None and metrics.tbt_ms is None and metrics.interactive_ms is None
    assert metrics.errors == {
        "lcp_ms": "NO_LCP",
        "interactive_ms": "NO_LCP",
        "tbt_ms": "NO_LCP",
        "speed_index_ms": "NO_OBSERVED_SPEED_INDEX",
    }

    wrong_frame = run(go(page.events, "NOT-THE-MAIN-FRAME", devtools_log))
    assert wrong_frame.values() == dict.fromkeys(METRICS)
    assert set(wrong_frame.errors.values()) == {"NO_NAVSTART"}

    no_requests = run(go(page.events, page.frame_id, []))
    assert no_requests.values() == dict.fromkeys(METRICS)
    assert set(no_requests.errors.values()) == {"No timing information available"}


def test_worker_restarts_after_it_dies_and_after_a_timeout() -> None:
    worker = LanternWorker()
    try:
        worker.start()
        worker.start()
        assert worker.stats["starts"] == 1
        assert run(worker.request("ping"))["lantern"] == "@paulirish/trace_engine 0.0.32"
        pid = worker.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while worker.pid is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert run(worker.request("ping"))["node"].startswith("v")
        assert worker.stats["starts"] == 2 and worker.pid not in (None, pid)

        big = max(CASES, key=lambda n: (FIXTURES / f"{n}.trace.json.gz").stat().st_size)
        with pytest.raises(PageTimeoutError):
            run(_timed_out(worker, big))
        assert run(simulate_case(CASES[0], worker)).fcp_ms is not None
        assert worker.stats["starts"] == 3
    finally:
        worker.close()
    assert worker.pid is None


async def _timed_out(worker: LanternWorker, name: str) -> None:
    events, devtools_log, expected = load(name)
    page = split_page(events, expected["main_frame_id"])
    payload = {
        "mainThreadEvents": page.events,
        "devtoolsLog": devtools_log,
        "frameId": page.frame_id,
        "requestedUrl": expected["requested_url"],
        "formFactor": expected["form_factor"],
    }
    await worker.request("simulate", payload, timeout=0.001)


def test_psdata_shutdown_closes_the_shared_worker() -> None:
    """Started from psdata's loop thread (as the engine will), closed by psdata.shutdown."""
    import psdata
    from psdata._loop import run_sync
    from psdata.engines.lab.lantern import get_worker

    metrics = run_sync(simulate_case(CASES[0]))
    assert metrics.lcp_ms is not None
    worker = get_worker()
    pid = worker.pid
    assert pid is not None
    psdata.shutdown()
    assert worker.pid is None
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert run_sync(simulate_case(CASES[0])).values() == metrics.values()  # starts again
    psdata.shutdown()
    assert worker.pid is None


def test_concurrent_requests_share_one_worker(worker: LanternWorker) -> None:
    async def all_cases() -> list[SimulatedMetrics]:
        return list(await asyncio.gather(*(simulate_case(n, worker) for n in CASES)))

    run(worker.request("ping"))
    starts = worker.stats["starts"]
    results = run(all_cases())
    for name, metrics in zip(CASES, results, strict=True):
        assert metrics.lcp_ms == pytest.approx(load(name)[2]["report"]["lcp_ms"], abs=1e-6)
    assert worker.stats["starts"] == starts


def test_large_requests_queue_without_blocking_each_other(worker: LanternWorker) -> None:
    """Megabytes of events per request, several at once: answered in order, all right."""
    big = max(CASES, key=lambda n: (FIXTURES / f"{n}.trace.json.gz").stat().st_size)
    expected = load(big)[2]["report"]

    async def many() -> list[SimulatedMetrics]:
        jobs = [simulate_case(big, worker, prune=False) for _ in range(3)]
        jobs += [simulate_case(name, worker) for name in CASES]
        return list(await asyncio.gather(*jobs))

    results = run(many())
    for metrics in results[:3]:
        assert metrics.tbt_ms == pytest.approx(expected["tbt_ms"], abs=1e-6)
        assert metrics.lcp_ms == pytest.approx(expected["lcp_ms"], abs=1e-6)
    assert all(m.errors == {} for m in results)


def test_node_is_playwrights_and_the_files_ship_with_the_package() -> None:
    assert "playwright" in node_executable()
    package = Path(__file__).parents[1] / "src" / "psdata" / "engines" / "lab" / "lantern"
    assert (package / "vendor" / "lantern.mjs").is_file()
    assert "Redistribution and use" in (package / "vendor" / "LICENSE").read_text()
    # That they reach the wheel is tests/test_packaging.py's check (every file is data).


NETWORK_EVENTS = [
    "Network.requestWillBeSent",
    "Network.responseReceived",
    "Network.dataReceived",
    "Network.loadingFinished",
    "Network.loadingFailed",
    "Network.resourceChangedPriority",
    "Network.requestServedFromCache",
]


async def _two_pages_one_trace(
    urls: list[str],
) -> tuple[list[dict[str, Any]], list[tuple[str, str, list[dict[str, Any]]]]]:
    """Load pages side by side in one Chromium under one browser-wide trace.

    Returns the trace events and, per page, (url, main frame id, its CDP Network events).
    """
    from playwright.async_api import async_playwright

    from psdata.engines.lab.browser import IGNORED_DEFAULT_ARGS, LAUNCH_ARGS, find_chromium

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=find_chromium(),
            headless=True,
            args=list(LAUNCH_ARGS),
            ignore_default_args=list(IGNORED_DEFAULT_ARGS),
        )
        try:
            tracing = await browser.new_browser_cdp_session()
            events: list[dict[str, Any]] = []
            complete = asyncio.Event()
            tracing.on("Tracing.dataCollected", lambda p: events.extend(p["value"]))
            tracing.on("Tracing.tracingComplete", lambda _: complete.set())
            await tracing.send(
                "Tracing.start",
                {
                    "traceConfig": {"includedCategories": list(CATEGORIES)},
                    "transferMode": "ReportEvents",
                },
            )
            pages = []
            for url in urls:
                context = await browser.new_context()
                page = await context.new_page()
                session = await context.new_cdp_session(page)
                log: list[dict[str, Any]] = []
                for method in NETWORK_EVENTS:
                    session.on(
                        method, lambda p, m=method, log=log: log.append({"method": m, "params": p})
                    )
                await session.send("Network.enable")
                tree = await session.send("Page.getFrameTree")
                pages.append((page, url, tree["frameTree"]["frame"]["id"], log))
            await asyncio.wait_for(
                asyncio.gather(*(p.goto(url, wait_until="load") for p, url, _, _ in pages)), 30
            )
            await asyncio.sleep(2.0)  # the long tasks run 200 and 600 ms after the paint
            await tracing.send("Tracing.end")
            await asyncio.wait_for(complete.wait(), 30)
        finally:
            await browser.close()
    return events, [(url, frame_id, log) for _, url, frame_id, log in pages]


@pytest.mark.timeout(120)
def test_live_browser_wide_trace_feeds_lantern_per_page(site: Any, worker: LanternWorker) -> None:
    """psdata's own Chromium inputs (not Lighthouse's): two pages, one trace, split by frame."""
    urls = [site.url("/simple.html"), site.url("/longtask.html")]
    events, pages = run(_two_pages_one_trace(urls))
    windows = [
        PageWindow(i, frame_id, -math.inf, math.inf) for i, (_, frame_id, _) in enumerate(pages)
    ]
    split = split_events(events, windows)
    results = {}
    threads = []
    for i, (url, frame_id, log) in enumerate(pages):
        page = split[i]
        assert isinstance(page, PageTrace), page
        threads.append({e["pid"] for e in page.events})
        metrics = run(
            simulate(page.events, log, url=url, frame_id=frame_id, worker=worker, timeout=30)
        )
        assert metrics.errors == {"speed_index_ms": "NO_OBSERVED_SPEED_INDEX"}, url
        assert metrics.diagnostics["mainDocumentUrl"] == url
        results[url.rsplit("/", 1)[-1]] = metrics
    assert threads[0].isdisjoint(threads[1])  # each page has its own renderer
    simple, busy = results["simple.html"], results["longtask.html"]
    # Two 250 ms busy loops, ×4 CPU slowdown: about 2 s more blocking (a loaded machine
    # can make the simple page's own short tasks count too).
    assert busy.tbt_ms is not None and simple.tbt_ms is not None
    assert busy.tbt_ms > simple.tbt_ms + 1000
    assert simple.fcp_ms is not None and 0 < simple.fcp_ms <= simple.lcp_ms  # type: ignore[operator]


def test_main_thread_audits_read_the_trace_as_lighthouse_does() -> None:
    """Task groups and attributable URLs equal Lighthouse 12.2.3's MainThreadTasks and
    getExecutionTimingsByURL on the same trace (bench/mainthread_check.mjs)."""
    from psdata.engines.lab.opportunities.mainthread import (
        frame_urls,
        main_thread_tasks,
        work_by_group,
        work_by_url,
    )

    events, devtools_log, expected = load("requests-api-mobile")
    main_thread = lighthouse_main_thread(events, expected)
    scripts = {
        e["params"]["response"]["url"]
        for e in devtools_log
        if e["method"] == "Network.responseReceived" and e["params"]["type"] == "Script"
    }
    tasks = main_thread_tasks(main_thread, 1.0, frame_urls(main_thread))
    assert len(tasks) == 878
    lighthouse = {
        "other": 135.564,
        "scriptEvaluation": 21.604,
        "parseHTML": 10.27,
        "scriptParseCompile": 3.123,
        "styleLayout": 377.972,
        "paintCompositeRender": 29.784,
        "garbageCollection": 2.557,
    }
    assert work_by_group(main_thread, tasks=tasks) == pytest.approx(lighthouse, abs=0.01)
    jquery = work_by_url(main_thread, 1.0, scripts, tasks)[
        "http://127.0.0.1:18790/thirdparty/requests/_static/jquery.js"
    ]
    assert jquery["styleLayout"] == pytest.approx(370.9, abs=0.5)  # layout jQuery forced
    long_tasks = [t.duration_ms for t in tasks if t.depth == 0 and t.duration_ms >= 50]
    assert long_tasks == [pytest.approx(385.0, abs=1)]


def test_redirect_hops_are_timed_on_the_interactive_graph(worker: LanternWorker) -> None:
    """As Lighthouse 12.2.3's redirects audit in simulate mode on the same files."""
    name = "article-redirect-mobile"
    chain = [
        e["params"]["request"]["url"]
        for e in load(name)[1]
        if e["method"] == "Network.requestWillBeSent" and e["params"].get("type") == "Document"
    ]
    assert len(chain) == 4
    savings = _savings_case(name, {"redirects": chain}, worker)
    assert savings.redirect_ms(chain) == pytest.approx([620.3098, 170.3098, 170.3098, 0.0])
    assert _savings_case(name, {}, worker).redirect_ms(chain) is None
