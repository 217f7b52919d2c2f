"""Faults, bad input and safety: every URL gets a row, nothing is lost, the pool recovers.

Every case runs on a real local HTTP server (the ``serve`` fixture on 127.0.0.1, with
the fault corpus of :mod:`psdata.demo.faults` and a 20 MB document) and the real
Chromium, and checks that the process can still measure afterwards. Each case that
measures pages runs in the default throttling method, simulate, on its default path (a
timeout long enough for the trace, Lantern), and in devtools (or provided, where the
case needs an unthrottled load). Time limits are checked against the timeout each test
sets, never against the machine's speed.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
import pytest
from playwright.async_api import Error as PlaywrightError

import psdata
from conftest import Serve, lantern_workers
from psdata._errors import (
    AnalysisError,
    BrowserCrashError,
    HTTPStatusError,
    InvalidURLError,
    NavigationError,
    PageTimeoutError,
)
from psdata._frame import MEASURED
from psdata._loop import run_sync
from psdata._urls import MAX_URL_LENGTH, normalize_url
from psdata.demo.faults import GOOD_HTML, fault_routes
from psdata.demo.server import ServedSite
from psdata.engines.lab.browser import browser_processes
from psdata.engines.lab.budget import BUDGET
from psdata.engines.lab.collect import WaitSettings
from psdata.engines.lab.engine import LabSettings, measure_page
from psdata.engines.lab.pool import ContextPool
from psdata.engines.lab.runtime import get_pool

#: The throttling methods every fault case runs in; UNTHROTTLED where the case needs an
#: unthrottled load (simulate loads unthrottled; provided uses devtools' waits).
METHODS = ("simulate", "devtools")
UNTHROTTLED = ("simulate", "provided")
#: Fast waits: the quiet windows matter for accuracy, not for faults.
FAST: dict[str, Any] = {"quiet_window_ms": 200, "progress": False, "skip_cache": True}
#: The shortest timeout that keeps simulate on its default path: traced, so Lantern
#: simulates the page (under ``min_traced_s`` a page is measured untraced and simulate
#: scores nothing).
TRACED_TIMEOUT = BUDGET.min_traced_s + 5
SCORES = ["performance", "accessibility", "best_practices", "seo"]
BIG_HTML_MB = 20


@pytest.fixture(params=METHODS)
def method(request: pytest.FixtureRequest) -> str:
    """The throttling method a case runs in (each case runs in every one of METHODS)."""
    return str(request.param)


def timeout_for(method: str, seconds: float = 15.0) -> float:
    """A case's per-URL timeout: *seconds*, but in simulate at least TRACED_TIMEOUT."""
    return max(seconds, TRACED_TIMEOUT) if method == "simulate" else seconds


def fast_waits(method: str) -> WaitSettings:
    """Lighthouse's waits of *method*, shortened (for measure_page)."""
    return dataclasses.replace(
        WaitSettings.lighthouse(method),
        pause_after_fcp_ms=200,
        pause_after_load_ms=200,
        network_quiet_ms=200,
        cpu_quiet_ms=200,
        max_wait_for_load_ms=8000,
    )


def lab_settings(method: str) -> LabSettings:
    """measure_page's settings: the performance category in *method*, fast waits."""
    return LabSettings(throttling=method, categories=("performance",), waits=fast_waits(method))


def write_big_document(path: Path) -> None:
    """A document of ``BIG_HTML_MB`` MB of paragraphs."""
    line = b"<p>" + b"x" * 1000 + b"</p>\n"
    count = BIG_HTML_MB * 1024 * 1024 // len(line)
    head = GOOD_HTML.format(title="big", body="").encode().replace(b"</body></html>", b"")
    with path.open("wb") as out:
        out.write(head)
        for _ in range(count // 1000):
            out.write(line * 1000)
        out.write(line * (count % 1000))
        out.write(b"</body></html>")


@pytest.fixture(scope="module")
def server(serve: Serve) -> Iterator[ServedSite]:
    """The fault server for this module; psdata is shut down (no Chromium left) after it."""
    site = serve(routes=fault_routes())
    write_big_document(site.root / "big.html")
    (site.root / "page").mkdir()
    try:
        yield site
    finally:
        before = browser_processes()
        psdata.shutdown()
        _, alive = psutil.wait_procs(before, timeout=15)
        site.close()
        assert not alive, f"Chromium left after shutdown: {[p.pid for p in alive]}"


def good(server: ServedSite, name: str) -> str:
    """The URL of a good page (its file is written on first use)."""
    page = server.root / "page" / f"{name}.html"
    if not page.exists():
        page.write_text(GOOD_HTML.format(title=name, body=""), encoding="utf-8")
    return server.url(f"/page/{name}.html")


def seen(server: ServedSite, prefix: str = "/") -> list[str]:
    """The paths requested from *server* that start with *prefix*, in order."""
    return [r.path for r in server.requests if r.path.startswith(prefix)]


def posted_reports(server: ServedSite) -> list[dict[str, Any]]:
    """What pages posted to ``/report``, in order."""
    return [json.loads(r.body) for r in server.requests if r.path == "/report" and r.body]


def analyze(urls: Any, method: str, **options: Any) -> pd.DataFrame:
    """psdata.analyze in throttling *method*, fast waits, the method's timeout."""
    given = {**FAST, "throttling": method, "timeout": timeout_for(method), **options}
    return psdata.analyze(urls, **given)


def assert_scored(rows: pd.DataFrame, categories: list[str] = SCORES) -> None:
    assert rows["error"].isna().all(), rows[["url", "error"]].to_dict("records")
    assert rows["status"].eq(200).all()
    assert rows[categories].notna().all().all(), rows[categories]


def assert_healthy(server: ServedSite, method: str) -> None:
    """The next batch in the same process still measures, and leaves no context open."""
    url = good(server, f"health-{time.monotonic_ns()}")
    result = analyze([url], method, categories=["performance", "seo"])
    assert_scored(result, ["performance", "seo"])
    assert open_contexts() == 0


def open_contexts() -> int:
    async def count() -> int:
        pool = get_pool()
        return sum(len(h.browser.contexts) for h in pool._handles if h.browser.is_connected())

    return run_sync(count())


# -- invalid input -------------------------------------------------------------------------


def test_normalize_url_rules() -> None:
    assert normalize_url("example.com/path") == "https://example.com/path"
    assert normalize_url("HTTP://Example.COM/A") == "http://example.com/A"
    assert normalize_url("  https://example.com  ") == "https://example.com/"
    assert normalize_url("https://bücher.de/straße") == "https://xn--bcher-kva.de/straße"
    assert normalize_url("bücher.de") == "https://xn--bcher-kva.de/"
    assert normalize_url("localhost:8080/x") == "https://localhost:8080/x"
    for bad in ("", "   ", "\t\n", None, math.nan, np.nan, pd.NA, "not a url", 42, b"http://x.y"):
        with pytest.raises(InvalidURLError):
            normalize_url(bad)
    long = "http://127.0.0.1/" + "a" * MAX_URL_LENGTH
    with pytest.raises(InvalidURLError, match="2 MB"):
        normalize_url(long)
    assert normalize_url("http://127.0.0.1/" + "a" * 100_000).endswith("a" * 100_000)


def test_invalid_inputs_each_get_a_row_and_duplicates_are_measured_once(
    server: ServedSite, tmp_path: Path, method: str
) -> None:
    dup = good(server, f"dup-{method}")
    huge = server.url("/page/huge?" + "q" * (MAX_URL_LENGTH + 10))
    values = [
        "", None, np.nan, "not a url", "   \t", dup, huge, pd.NA, dup, "HTTP://127.0.0.1:1"
    ]  # fmt: skip
    index = pd.Index([f"r{i}" for i in range(len(values))], name="row")
    result = analyze(pd.Series(values, index=index, dtype=object), method, cache_dir=tmp_path)
    assert result.index.equals(index)
    assert list(result.columns) == list(psdata.COLUMNS)
    types = result["error_type"].astype(object).tolist()
    assert types[:5] == ["invalid_url"] * 5
    assert types[6:8] == ["invalid_url"] * 2
    assert types[9] == "network"  # upper-case scheme accepted; port 1 refuses
    assert result.loc["r6", "error"].startswith("URL is")
    rows = result.loc[["r5", "r8"]]
    assert_scored(rows)
    assert rows.iloc[0][SCORES].tolist() == rows.iloc[1][SCORES].tolist()
    assert rows["duration_s"].nunique() == 1  # one measurement, two rows
    assert seen(server, f"/page/dup-{method}") == [f"/page/dup-{method}.html"]
    assert not seen(server, "/page/huge")
    assert_healthy(server, method)


# -- refused schemes and local files -------------------------------------------------------


def test_refused_schemes_are_invalid_and_nothing_is_fetched(
    server: ServedSite, method: str
) -> None:
    port = server.port
    urls = [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        f"data:text/html,<img src='http://127.0.0.1:{port}/data-leak'>",
        f"javascript:fetch('http://127.0.0.1:{port}/js-leak')",
        "chrome://version",
        "about:blank",
        f"ftp://127.0.0.1:{port}/ftp-leak",
        f"blob:http://127.0.0.1:{port}/0b3e5e1a-1111-2222-3333-444455556666",
        f"view-source:http://127.0.0.1:{port}/vs-leak",
    ]
    before = len(server.requests)
    result = analyze(urls, method)
    assert len(result) == len(urls)
    assert (result["error_type"] == "invalid_url").all(), result["error"].tolist()
    assert result["status"].isna().all()
    assert len(server.requests) == before, server.requests[before:]


def test_a_page_cannot_read_local_files(server: ServedSite, method: str) -> None:
    earlier = len(posted_reports(server))
    result = analyze([server.url("/b/leak")], method, categories=["performance"])
    assert_scored(result, ["performance"])
    deadline = time.monotonic() + 5
    while len(posted_reports(server)) == earlier and time.monotonic() < deadline:
        time.sleep(0.05)
    reports = posted_reports(server)[earlier:]
    assert reports, "the page should have reported what it could read"
    report = reports[-1]
    passwd = Path("/etc/passwd").read_text()[:40]
    for probe in ("fetch", "xhr", "iframe", "open"):
        assert probe in report, report
        assert "root:" not in report[probe] and passwd not in report[probe], (probe, report)

    async def read_in_pool() -> dict[str, Any]:
        pool = get_pool()
        slot = await pool.get_instance({"accept_downloads": False})
        try:
            page = await slot.new_page()
            await page.goto(good(server, "probe"))
            return await page.evaluate(  # type: ignore[no-any-return]
                """async () => {
                  const out = {};
                  try { out.fetch = await (await fetch("file:///etc/passwd")).text(); }
                  catch (e) { out.fetch = "blocked"; }
                  const f = document.createElement("iframe");
                  f.src = "file:///etc/passwd"; document.body.append(f);
                  await new Promise(r => setTimeout(r, 300));
                  try { out.iframe = f.contentDocument ? f.contentDocument.body.innerText
                                                       : "no access"; }
                  catch (e) { out.iframe = "blocked"; }
                  return out;
                }"""
            )
        finally:
            await pool.return_instance(slot)

    direct = run_sync(read_in_pool())
    assert "root:" not in direct["fetch"] and "root:" not in direct["iframe"], direct


# -- network faults ------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_a_network_error(server: ServedSite, method: str) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/"
    result = analyze([url, good(server, "beside-refused")], method, categories=["performance"])
    assert result["error_type"].iloc[0] == "network"
    assert "ERR_CONNECTION_REFUSED" in result["error"].iloc[0]
    assert result["attempts"].iloc[0] == 1
    assert_scored(result.iloc[[1]], ["performance"])


def test_unknown_host_is_a_network_error(method: str) -> None:
    """Resolved by Chromium's own rules, so no DNS query leaves the machine."""

    async def main() -> dict[str, Any]:
        rules = "--host-resolver-rules=MAP *.invalid ~NOTFOUND"
        async with ContextPool(max_contexts=1, extra_args=[rules]) as pool:
            settings = lab_settings(method)
            try:
                await measure_page(pool, "http://nonexistent.invalid/", "mobile", settings)
            except NavigationError as exc:
                return {"error": str(exc), "type": exc.error_type}
            return {}

    outcome = asyncio.run(main())
    assert outcome["type"] == "network"
    assert "ERR_NAME_NOT_RESOLVED" in outcome["error"]


def assert_cut_at_timeout(rows: pd.DataFrame, timeout: float) -> None:
    """Each row timed out in one attempt, cut within its timeout: it took less than two
    timeouts (a step of the measurement may give up earlier, on its share)."""
    assert rows["error_type"].eq("timeout").all(), rows["error"].tolist()
    assert rows["attempts"].eq(1).all()
    assert (rows["duration_s"] < 2 * timeout).all(), rows["duration_s"].tolist()


def test_a_server_that_never_answers_times_out_within_the_timeout(
    server: ServedSite, method: str
) -> None:
    timeout = timeout_for(method, 6)
    urls = [server.url("/hang"), good(server, f"beside-hang-{method}")]
    result = analyze(urls, method, categories=["performance"], timeout=timeout)
    assert result["error"].iloc[0]
    assert_cut_at_timeout(result.iloc[[0]], timeout)
    assert_scored(result.iloc[[1]], ["performance"])
    assert_healthy(server, method)


@pytest.mark.parametrize("method", UNTHROTTLED)
def test_redirects_record_the_final_url_and_a_loop_is_a_network_error(
    server: ServedSite, method: str
) -> None:
    # No network throttling: each of Chromium's 20 hops would cost a throttled round trip.
    result = analyze([server.url("/redirect/4"), server.url("/loop")], method)
    chain, loop = result.iloc[0], result.iloc[1]
    assert pd.isna(chain["error"]), chain["error"]
    assert chain["final_url"] == server.url("/page/after-redirects")
    assert chain["url"] == server.url("/redirect/4")
    assert chain["status"] == 200 and pd.notna(chain["performance"])
    assert loop["error_type"] == "network"
    assert "ERR_TOO_MANY_REDIRECTS" in loop["error"]


def test_error_documents_keep_status_and_final_url_but_are_not_scored(
    server: ServedSite, method: str
) -> None:
    result = analyze(
        [server.url("/status/404"), server.url("/redirect/1"), server.url("/status/500")], method
    )
    for i, code in ((0, 404), (2, 500)):
        row = result.iloc[i]
        assert row["error_type"] == "http"
        assert row["status"] == code
        assert row["final_url"] == server.url(f"/status/{code}")
        assert row[SCORES].isna().all()
    assert_scored(result.iloc[[1]])


def _download_dirs() -> list[Path]:
    home = Path.home()
    return [
        Path.cwd(),
        home / "Downloads",
        Path(tempfile.gettempdir()),
        *Path(tempfile.gettempdir()).glob("playwright-artifacts-*"),
    ]


def _find_download() -> list[Path]:
    found = []
    for root in _download_dirs():
        if root.is_dir():
            found += list(root.glob("*psdata-fault-download*"))
            found += [p for p in root.glob("*.crdownload")]
            if root.name.startswith("playwright-artifacts-"):
                found += [p for p in root.iterdir() if p.is_file()]
    return found


def test_a_download_is_an_error_and_nothing_is_written(server: ServedSite, method: str) -> None:
    before = set(_find_download())
    result = analyze([server.url("/download"), good(server, "beside-download")], method)
    row = result.iloc[0]
    assert row["error_type"] == "network", row["error"]
    assert "download" in row["error"].lower()
    assert_scored(result.iloc[[1]])
    assert set(_find_download()) == before


@pytest.mark.parametrize("method", UNTHROTTLED)
def test_a_20_mb_document_completes_or_times_out_cleanly(server: ServedSite, method: str) -> None:
    rss_before = psutil.Process().memory_info().rss
    # Unthrottled (throttled, 20 MB would take minutes at Lighthouse's 1.6 Mbit/s).
    result = analyze(
        [server.url("/big.html")], method, categories=["performance", "seo"], timeout=30
    )
    row = result.iloc[0]
    if pd.isna(row["error"]):
        assert row["status"] == 200 and pd.notna(row["performance"])
        assert row["total_bytes"] >= BIG_HTML_MB * 1024 * 1024
    else:
        assert row["error_type"] == "timeout", row["error"]
    assert psutil.Process().memory_info().rss - rss_before < 1 * 2**30
    assert open_contexts() == 0
    assert psdata.pool_stats()["browser_memory_mb"] < 3 * 1024
    assert_healthy(server, method)


# -- page behaviour ------------------------------------------------------------------------


def test_dialogs_popups_beforeunload_and_closing_do_not_stop_the_measurement(
    server: ServedSite, method: str
) -> None:
    names = ("dialogs", "popup", "beforeunload", "closes-itself")
    urls = [server.url(f"/b/{name}") for name in names]
    before = len(seen(server, "/popup-target"))
    result = analyze(urls, method, concurrency=3)
    assert_scored(result)
    assert result["request_count"].max() <= 2  # the popups' loads are not measured
    assert open_contexts() == 0
    assert len(seen(server, "/popup-target")) - before <= 2
    assert_healthy(server, method)


def test_a_spinning_main_thread_times_out_and_the_slot_recovers(
    server: ServedSite, method: str
) -> None:
    urls = [server.url("/b/spin-after"), server.url("/b/spin-before"), good(server, "beside-spin")]
    timeout = timeout_for(method, 8)
    result = analyze(urls, method, concurrency=3, timeout=timeout)
    assert_cut_at_timeout(result.iloc[:2], timeout)
    assert_scored(result.iloc[[2]])
    assert open_contexts() == 0
    assert_no_spinning_renderer()
    assert_healthy(server, method)


def assert_no_spinning_renderer() -> None:
    """No renderer keeps a CPU busy after its context was discarded."""
    deadline = time.monotonic() + 10
    while True:
        renderers = [p for p in browser_processes() if "--type=renderer" in _cmdline(p)]
        busy = [p for p in renderers if _cpu(p) > 50]
        if not busy or time.monotonic() > deadline:
            break
    assert not busy, [p.pid for p in busy]


def _cmdline(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _cpu(process: psutil.Process) -> float:
    try:
        return process.cpu_percent(interval=0.5)
    except psutil.Error:
        return 0.0


@pytest.mark.parametrize("method", UNTHROTTLED)
def test_a_renderer_out_of_memory_is_a_crash_for_that_url_only(
    server: ServedSite, method: str
) -> None:
    urls = [good(server, "before-oom"), server.url("/b/oom"), good(server, "after-oom")]
    # No CPU throttling, so the renderer reaches its heap limit sooner.
    result = analyze(urls, method, concurrency=3, timeout=60)
    assert result["error_type"].iloc[1] == "crash", result["error"].iloc[1]
    assert result["attempts"].iloc[1] == 1
    assert_scored(result.iloc[[0, 2]])
    assert open_contexts() == 0
    assert_healthy(server, method)


def test_a_page_that_never_goes_network_idle_is_scored_with_a_warning(
    server: ServedSite, method: str
) -> None:
    async def main(url: str) -> tuple[dict[str, Any], float]:
        settings = lab_settings(method)
        pool = get_pool()
        started = time.monotonic()
        record = await measure_page(pool, url, "mobile", settings)
        took = time.monotonic() - started
        await pool.discard_spares()  # as analyze() does at the end of a batch
        return record, took

    quiet, quiet_took = run_sync(main(good(server, "goes-quiet")))
    record, took = run_sync(main(server.url("/b/never-idle")))
    assert quiet["warnings"] is None or "never went quiet" not in quiet["warnings"]
    assert record["performance"] is not None
    assert record["warnings"] and "never went quiet" in record["warnings"]
    # The wait gave up at its cap: the page took about a cap more than a quiet one.
    cap_s = fast_waits(method).max_wait_for_load_ms / 1000
    assert took < quiet_took + 1.5 * cap_s, (took, quiet_took)
    assert open_contexts() == 0


# -- browser faults ------------------------------------------------------------------------


def test_a_killed_browser_mid_batch_is_relaunched_and_in_flight_urls_retried(
    server: ServedSite, method: str
) -> None:
    psdata.shutdown()  # the shared browser killed below is one this test starts
    earlier = {p.pid for p in browser_processes()}
    stats = psdata.pool_stats()
    crashes_before = stats["browser_crashes"]
    urls = [good(server, f"kill-{method}-{i}") for i in range(8)]
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(seen(server, f"/page/kill-{method}-")) < 4:
            time.sleep(0.05)
        time.sleep(0.3)
        for process in browser_processes():
            if process.pid in earlier:
                continue
            with contextlib.suppress(psutil.Error):
                process.kill()
                killed.append(process.pid)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        result = analyze(urls, method, concurrency=3, categories=["performance", "seo"])
    finally:
        thread.join()
    assert killed
    assert_scored(result, ["performance", "seo"])
    assert (result["attempts"] > 1).any(), result["attempts"].tolist()
    stats = psdata.pool_stats()
    assert stats["browser_crashes"] >= crashes_before + 1
    assert not [p for p in killed if psutil.pid_exists(p) and _zombie_free(p)]
    assert_healthy(server, method)


def _zombie_free(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_a_context_that_hangs_on_close_is_abandoned_and_the_slot_reused(
    server: ServedSite, method: str
) -> None:
    close_timeout = 1.0

    async def main() -> tuple[float, int, dict[str, Any]]:
        async with ContextPool(max_contexts=1, close_timeout=close_timeout) as pool:
            slot = await pool.get_instance({})
            context = slot.context
            assert context is not None
            never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            context.close = lambda **_: never  # type: ignore[method-assign, assignment, return-value]
            started = time.monotonic()
            # Abandoned after its close timeout, long before the close would end (never).
            await asyncio.wait_for(pool.return_instance(slot, discard=True), 5 * close_timeout)
            took = time.monotonic() - started
            settings = lab_settings(method)
            record = await measure_page(pool, good(server, "after-hung-close"), "mobile", settings)
            return took, slot.id, {**pool.stats(), "record": record}

    took, slot_id, stats = asyncio.run(main())
    assert took >= 0.9 * close_timeout  # it did wait for the close, up to its timeout
    assert stats["total_contexts"] == 1 and stats["contexts"][0]["id"] == slot_id
    assert stats["contexts"][0]["state"] == "idle"
    assert stats["record"]["performance"] is not None


# -- resources -----------------------------------------------------------------------------


def test_contexts_never_outlive_their_measurement(server: ServedSite, method: str) -> None:
    urls = [good(server, "ctx-1"), server.url("/status/404"), server.url("/download")]
    analyze(urls, method, categories=["performance"])
    assert open_contexts() == 0
    stats = psdata.pool_stats()
    assert stats["busy_contexts"] == 0
    assert all(c["state"] == "idle" for c in stats["contexts"])


def test_the_browser_is_recycled_after_m_pages(server: ServedSite, method: str) -> None:
    async def main() -> tuple[dict[str, Any], list[set[int]]]:
        settings = lab_settings(method)
        generations: list[set[int]] = []
        async with ContextPool(max_contexts=2, browser_recycle_after=3) as pool:
            for i in range(7):
                record = await measure_page(pool, good(server, f"recycle-{i}"), "mobile", settings)
                assert record["performance"] is not None
                generations.append({p.pid for p in browser_processes()})
            return pool.stats(), generations

    stats, generations = asyncio.run(main())
    assert stats["browser_launches"] == 3
    first = generations[0] - generations[-1]
    assert first, "the first browser's processes should be gone by the end"
    assert not [p for p in first if psutil.pid_exists(p) and _zombie_free(p)]


def test_no_process_is_left_after_shutdown_or_interpreter_exit(
    server: ServedSite, tmp_path: Path, method: str
) -> None:
    """Neither Chromium nor (simulate) the Lantern worker outlives psdata.shutdown() or
    the interpreter, even when the batch ended on a page that never answered."""
    script = textwrap.dedent(
        f"""
        import json, psdata
        from psdata.engines.lab.browser import browser_processes
        from psdata.engines.lab.lantern import get_worker
        psdata.analyze([{good(server, "child-1")!r}, {server.url("/hang")!r}],
                       categories=["performance", "seo"], quiet_window_ms=100,
                       progress=False, timeout={timeout_for(method, 5)}, skip_cache=True,
                       throttling={method!r}, cache_dir={str(tmp_path)!r})
        pids = [p.pid for p in browser_processes()]
        print(json.dumps({{"chromium": pids, "node": get_worker().pid}}), flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    started = json.loads(done.stdout.strip().splitlines()[-1])
    assert started["chromium"]
    assert (started["node"] is not None) == (method == "simulate")
    pids = [*started["chromium"], *([started["node"]] if started["node"] else [])]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(psutil.pid_exists(p) for p in pids):
        time.sleep(0.1)
    assert not [p for p in pids if psutil.pid_exists(p)]

    analyze([good(server, "before-shutdown")], method, categories=["performance"])
    workers = lantern_workers()
    if method == "simulate":
        assert workers, "the page's simulation should have started the Lantern worker"
    running = browser_processes() + workers
    psdata.shutdown()
    _, alive = psutil.wait_procs(running, timeout=10)
    assert not alive
    assert_healthy(server, method)  # psdata starts again on next use


# -- errors ---------------------------------------------------------------------------------


def test_errors_raise_raises_the_first_failure_as_an_analysis_error(
    server: ServedSite, method: str
) -> None:
    with pytest.raises(AnalysisError) as caught:
        analyze([good(server, "raise-ok"), "javascript:alert(1)"], method, errors="raise")
    assert not isinstance(caught.value, PlaywrightError)
    assert "javascript" in str(caught.value)
    with pytest.raises(AnalysisError) as caught:
        analyze([server.url("/status/500")], method, errors="raise", categories=["performance"])
    assert "500" in str(caught.value)
    assert not isinstance(caught.value.__cause__, PlaywrightError)


def test_errors_raise_raises_the_specific_error_class(server: ServedSite, method: str) -> None:
    with pytest.raises(HTTPStatusError):
        analyze([server.url("/status/404")], method, errors="raise", categories=["performance"])
    with pytest.raises(HTTPStatusError):  # the same failure, now reused from the store
        analyze(
            [server.url("/status/404")],
            method,
            errors="raise",
            categories=["performance"],
            skip_cache=False,
        )


@pytest.mark.parametrize("throttling", ["simulate", "devtools"])
def test_a_row_with_an_error_carries_no_measurement(server: ServedSite, throttling: str) -> None:
    """Every error type these tests produce, under both of Lighthouse's throttling methods:
    no score, no lab metric; what the run saw of an error page is in the record's details."""
    causes = {
        "invalid_url": "not a url",
        "network": f"http://127.0.0.1:{_closed_port()}/",
        "http": server.url("/status/404"),
        "crash": server.url("/b/oom"),
    }
    # 60 s: the 404 page is traced (simulate's path) and the renderer has time to run out
    # of memory; the hang gets a short timeout of its own.
    failed = analyze(list(causes.values()), throttling, timeout=60, concurrency=4)
    hung = analyze([server.url("/hang")], throttling, timeout=6)
    rows = pd.concat([failed, hung], ignore_index=True)
    assert rows["error_type"].astype(object).tolist() == [*causes, "timeout"], rows["error"]
    measured = rows[list(MEASURED)]
    assert measured.isna().all().all(), measured.dropna(how="all", axis=1)
    gone = rows.iloc[2]
    assert (gone["status"], gone["final_url"]) == (404, server.url("/status/404"))
    assert gone["throttling"] == throttling

    reuse = {**FAST, "throttling": throttling, "timeout": 60, "skip_cache": False}
    record = psdata.run_analysis(server.url("/status/404"), **reuse)
    assert record["from_cache"] and record["error_type"] == "http"
    assert all(record[name] is None for name in MEASURED)
    observed = record["details"]["observed"]  # the error page's own load, as it was seen
    assert observed["fcp_ms"] > 0 and observed["lcp_ms"] >= observed["fcp_ms"]
    assert observed["request_count"] >= 1 and observed["total_bytes"] > 0


@pytest.mark.parametrize("method", UNTHROTTLED)
def test_playwright_errors_never_reach_the_user(server: ServedSite, method: str) -> None:
    urls = [
        "nope",
        f"http://127.0.0.1:{_closed_port()}/",
        server.url("/status/404"),
        server.url("/loop"),
        server.url("/download"),
        server.url("/hang"),
        server.url("/b/spin-before"),
    ]
    expected = [
        InvalidURLError,
        NavigationError,
        HTTPStatusError,
        NavigationError,
        NavigationError,
        PageTimeoutError,
        PageTimeoutError,
    ]

    async def main() -> list[Any]:
        return await psdata.run_analysis_batch(
            urls, concurrency=3, timeout=timeout_for(method, 8), skip_cache=True,
            quiet_window_ms=200, categories=["performance"], throttling=method
        )  # fmt: skip

    outcomes = asyncio.run(main())
    for outcome, kind in zip(outcomes, expected, strict=True):
        assert type(outcome) is kind, (outcome, kind)
        assert not isinstance(outcome, PlaywrightError)
        assert not isinstance(outcome, BrowserCrashError)


# -- everything at once --------------------------------------------------------------------


def test_a_mixed_batch_of_40_gives_40_rows_and_the_next_batch_works(
    server: ServedSite, method: str
) -> None:
    goods = [good(server, f"mixed-{method}-{i}") for i in range(16)]
    bad: list[object] = [
        "",
        None,
        np.nan,
        "not a url",
        "file:///etc/passwd",
        "data:text/html,hi",
        "javascript:alert(1)",
        "about:blank",
        "ftp://127.0.0.1/x",
        "chrome://settings",
        f"http://127.0.0.1:{_closed_port()}/",
        server.url("/hang"),
        server.url("/loop"),
        server.url("/status/404"),
        server.url("/status/500"),
        server.url("/download"),
        server.url("/b/spin-after"),
        server.url("/b/dialogs"),
        server.url("/b/popup"),
        server.url("/b/beforeunload"),
        server.url("/redirect/2"),
        goods[0],  # a duplicate
        "   ",
        "http://127.0.0.1/" + "z" * (MAX_URL_LENGTH + 1),
    ]
    values = [*goods, *bad]
    assert len(values) == 40
    order = np.random.default_rng(7).permutation(len(values))
    series = pd.Series([values[i] for i in order], index=[f"u{i}" for i in order], dtype=object)
    timeout = timeout_for(method, 10)
    result = analyze(
        series, method, concurrency=3, timeout=timeout, categories=["performance", "seo"]
    )
    assert len(result) == 40 and result.index.equals(series.index)
    scored_ok = {*goods, *(server.url(f"/b/{n}") for n in ("dialogs", "popup", "beforeunload"))}
    scored_ok.add(server.url("/redirect/2"))
    for label, value in series.items():
        row = result.loc[label]
        if isinstance(value, str) and value in scored_ok:
            assert pd.isna(row["error"]), (value, row["error"])
            assert pd.notna(row["performance"]) and pd.notna(row["seo"]), (value, row["warnings"])
        else:
            assert pd.notna(row["error_type"]), value
    # No attempt outlives its timeout: each took less than two timeouts.
    per_attempt = (result["duration_s"] / result["attempts"].clip(lower=1)).dropna()
    assert (per_attempt < 2 * timeout).all(), result[["url", "duration_s", "attempts"]]
    assert open_contexts() == 0
    assert_healthy(server, method)
