"""Faults, bad input and safety: every URL gets a row, nothing is lost, the pool recovers.

Every case runs on a real local HTTP server (the ``serve`` fixture on 127.0.0.1, with
routes for hanging, download, redirect and error responses, and a 20 MB document) and
the real Chromium, and checks that the process can still measure afterwards. Time
limits are checked against the timeout each test sets, never against the machine's
speed.
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
from conftest import Serve
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
from psdata.demo.server import Response, Route, ServedSite
from psdata.engines.lab.browser import browser_processes
from psdata.engines.lab.collect import WaitSettings
from psdata.engines.lab.engine import LabSettings, measure_page
from psdata.engines.lab.pool import ContextPool
from psdata.engines.lab.runtime import get_pool

#: Fast waits and short timeouts: the quiet windows matter for accuracy, not for faults.
#: Applied throttling: a timeout under 25 s measures untraced, so simulate scores nothing.
FAST: dict[str, Any] = {
    "throttling": "devtools",
    "quiet_window_ms": 200,
    "progress": False,
    "skip_cache": True,
    "timeout": 15.0,
}
FAST_WAITS = dataclasses.replace(
    WaitSettings.lighthouse("devtools"),
    pause_after_load_ms=200,
    network_quiet_ms=200,
    cpu_quiet_ms=200,
    max_wait_for_load_ms=8000,
)
SCORES = ["performance", "accessibility", "best_practices", "seo"]
BIG_HTML_MB = 20

GOOD_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><meta name="description" content="A page for fault tests."></head>
<body><h1>{title}</h1><p>Some text for the first contentful paint.</p>{body}</body></html>
"""

BEHAVIOURS: dict[str, str] = {
    "dialogs": """<script>
      alert("an alert"); confirm("a confirm?"); prompt("a prompt", "x");
      addEventListener("load", () => { alert("after load"); });
    </script>""",
    "popup": """<script>
      addEventListener("load", () => { window.open("/popup-target.html", "_blank"); });
      window.open("/popup-target.html?early=1");
    </script>""",
    "beforeunload": """<script>
      addEventListener("beforeunload", (e) => { e.preventDefault(); e.returnValue = "stay"; });
    </script>""",
    "spin-after": """<script>
      addEventListener("load", () => setTimeout(() => { while (true) {} }, 50));
    </script>""",
    "spin-before": """<script>while (true) {}</script>""",
    "oom": """<script>
      // Eat memory before the load event until the renderer dies (V8's heap limit).
      const hoard = [];
      while (true) { hoard.push(new Array(4 * 1024 * 1024).fill(hoard.length)); }
    </script>""",
    "never-idle": """<script>
      // Three long polls always open: the network never gets to "2 in flight".
      async function poll(n) {
        while (true) { try { await fetch("/slow?delay=400&n=" + n + "&t=" + Math.random()); }
                       catch (e) { await new Promise(r => setTimeout(r, 100)); } }
      }
      for (let n = 0; n < 4; n++) poll(n);
    </script>""",
    "leak": """<iframe id="f" src="file:///etc/passwd"></iframe>
    <script>
      const report = {};
      function send() {
        fetch("/report", {method: "POST", body: JSON.stringify(report)});
      }
      async function probe() {
        try { const r = await fetch("file:///etc/passwd"); report.fetch = await r.text(); }
        catch (e) { report.fetch = "blocked: " + e.name; }
        try {
          const x = new XMLHttpRequest(); x.open("GET", "file:///etc/passwd", false); x.send();
          report.xhr = x.responseText;
        } catch (e) { report.xhr = "blocked: " + e.name; }
        try {
          const d = document.getElementById("f").contentDocument;
          report.iframe = d ? d.documentElement.outerHTML : "no access";
        } catch (e) { report.iframe = "blocked: " + e.name; }
        try {
          const w = window.open("file:///etc/passwd");
          report.open = w ? String(w.document && w.document.body && w.document.body.innerText)
                          : "no window";
        } catch (e) { report.open = "blocked: " + e.name; }
        send();
      }
      addEventListener("load", () => setTimeout(probe, 100));
    </script>""",
}


def fault_routes() -> dict[str, Route]:
    """The fault server's answers: behaviour pages, a hanging path, a download, redirect
    chains and a loop, error statuses, a slow JSON endpoint and a report sink."""

    def page(title: str, body: str = "") -> Response:
        return Response(200, GOOD_HTML.format(title=title, body=body))

    routes: dict[str, Route] = {
        "/popup-target.html": page("popup"),
        "/page/after-redirects": page("after-redirects"),
        "/slow": Response(200, "{}", {"Content-Type": "application/json"}),  # use ?delay=
        "/hang": lambda request: None,  # accept, read the request, never answer
        "/download": Response(
            200,
            b"\x00\x01binary payload" * 1000,
            {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": 'attachment; filename="psdata-fault-download.bin"',
            },
        ),
        "/loop": Response(302, headers={"Location": "/loop"}),
        "/report": Response(204),
    }
    routes |= {f"/b/{name}": page(name, body) for name, body in BEHAVIOURS.items()}
    for hops in range(5):
        target = f"/redirect/{hops - 1}" if hops > 0 else "/page/after-redirects"
        routes[f"/redirect/{hops}"] = Response(302, headers={"Location": target})
    for code in (404, 500):
        routes[f"/status/{code}"] = Response(code, GOOD_HTML.format(title=f"error {code}", body=""))
    return routes


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


def analyze(urls: Any, **options: Any) -> pd.DataFrame:
    return psdata.analyze(urls, **{**FAST, **options})


def assert_scored(rows: pd.DataFrame, categories: list[str] = SCORES) -> None:
    assert rows["error"].isna().all(), rows[["url", "error"]].to_dict("records")
    assert rows["status"].eq(200).all()
    assert rows[categories].notna().all().all(), rows[categories]


def assert_healthy(server: ServedSite) -> None:
    """The next batch in the same process still measures, and leaves no context open."""
    url = good(server, f"health-{time.monotonic_ns()}")
    result = analyze([url], categories=["performance", "seo"])
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
    server: ServedSite, tmp_path: Path
) -> None:
    dup = good(server, "dup")
    huge = server.url("/page/huge?" + "q" * (MAX_URL_LENGTH + 10))
    values = [
        "", None, np.nan, "not a url", "   \t", dup, huge, pd.NA, dup, "HTTP://127.0.0.1:1"
    ]  # fmt: skip
    index = pd.Index([f"r{i}" for i in range(len(values))], name="row")
    result = analyze(pd.Series(values, index=index, dtype=object), cache_dir=tmp_path)
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
    assert seen(server, "/page/dup") == ["/page/dup.html"]
    assert not seen(server, "/page/huge")
    assert_healthy(server)


# -- refused schemes and local files -------------------------------------------------------


def test_refused_schemes_are_invalid_and_nothing_is_fetched(server: ServedSite) -> None:
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
    result = analyze(urls)
    assert len(result) == len(urls)
    assert (result["error_type"] == "invalid_url").all(), result["error"].tolist()
    assert result["status"].isna().all()
    assert len(server.requests) == before, server.requests[before:]


def test_a_page_cannot_read_local_files(server: ServedSite) -> None:
    earlier = len(posted_reports(server))
    result = analyze([server.url("/b/leak")], categories=["performance"])
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


def test_connection_refused_is_a_network_error(server: ServedSite) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/"
    result = analyze([url, good(server, "beside-refused")], categories=["performance"])
    assert result["error_type"].iloc[0] == "network"
    assert "ERR_CONNECTION_REFUSED" in result["error"].iloc[0]
    assert result["attempts"].iloc[0] == 1
    assert_scored(result.iloc[[1]], ["performance"])


def test_unknown_host_is_a_network_error() -> None:
    """Resolved by Chromium's own rules, so no DNS query leaves the machine."""

    async def main() -> dict[str, Any]:
        rules = "--host-resolver-rules=MAP *.invalid ~NOTFOUND"
        async with ContextPool(max_contexts=1, extra_args=[rules]) as pool:
            settings = LabSettings(
                throttling="devtools", categories=("performance",), waits=FAST_WAITS
            )
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


def test_a_server_that_never_answers_times_out_within_the_timeout(server: ServedSite) -> None:
    result = analyze(
        [server.url("/hang"), good(server, "beside-hang")], categories=["performance"], timeout=6
    )
    assert result["error"].iloc[0]
    assert_cut_at_timeout(result.iloc[[0]], 6)
    assert_scored(result.iloc[[1]], ["performance"])
    assert_healthy(server)


def test_redirects_record_the_final_url_and_a_loop_is_a_network_error(server: ServedSite) -> None:
    # No network throttling: each of Chromium's 20 hops would cost a throttled round trip.
    result = analyze([server.url("/redirect/4"), server.url("/loop")], throttling="provided")
    chain, loop = result.iloc[0], result.iloc[1]
    assert pd.isna(chain["error"]), chain["error"]
    assert chain["final_url"] == server.url("/page/after-redirects")
    assert chain["url"] == server.url("/redirect/4")
    assert chain["status"] == 200 and pd.notna(chain["performance"])
    assert loop["error_type"] == "network"
    assert "ERR_TOO_MANY_REDIRECTS" in loop["error"]


def test_error_documents_keep_status_and_final_url_but_are_not_scored(server: ServedSite) -> None:
    result = analyze(
        [server.url("/status/404"), server.url("/redirect/1"), server.url("/status/500")]
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


def test_a_download_is_an_error_and_nothing_is_written(server: ServedSite) -> None:
    before = set(_find_download())
    result = analyze([server.url("/download"), good(server, "beside-download")])
    row = result.iloc[0]
    assert row["error_type"] == "network", row["error"]
    assert "download" in row["error"].lower()
    assert_scored(result.iloc[[1]])
    assert set(_find_download()) == before


def test_a_20_mb_document_completes_or_times_out_cleanly(server: ServedSite) -> None:
    rss_before = psutil.Process().memory_info().rss
    # Unthrottled (throttled, 20 MB would take minutes at Lighthouse's 1.6 Mbit/s).
    result = analyze(
        [server.url("/big.html")],
        categories=["performance", "seo"],
        timeout=30,
        throttling="provided",
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
    assert_healthy(server)


# -- page behaviour ------------------------------------------------------------------------


def test_dialogs_popups_and_beforeunload_do_not_stop_the_measurement(server: ServedSite) -> None:
    urls = [server.url(f"/b/{name}") for name in ("dialogs", "popup", "beforeunload")]
    before = len(seen(server, "/popup-target"))
    result = analyze(urls, concurrency=3)
    assert_scored(result)
    assert result["request_count"].max() <= 2  # the popups' loads are not measured
    assert open_contexts() == 0
    assert len(seen(server, "/popup-target")) - before <= 2
    assert_healthy(server)


def test_a_spinning_main_thread_times_out_and_the_slot_recovers(server: ServedSite) -> None:
    urls = [server.url("/b/spin-after"), server.url("/b/spin-before"), good(server, "beside-spin")]
    result = analyze(urls, concurrency=3, timeout=8)
    assert_cut_at_timeout(result.iloc[:2], 8)
    assert_scored(result.iloc[[2]])
    assert open_contexts() == 0
    assert_no_spinning_renderer()
    assert_healthy(server)


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


def test_a_renderer_out_of_memory_is_a_crash_for_that_url_only(server: ServedSite) -> None:
    urls = [good(server, "before-oom"), server.url("/b/oom"), good(server, "after-oom")]
    # No CPU throttling, so the renderer reaches its heap limit sooner.
    result = analyze(urls, concurrency=3, timeout=60, throttling="provided")
    assert result["error_type"].iloc[1] == "crash", result["error"].iloc[1]
    assert result["attempts"].iloc[1] == 1
    assert_scored(result.iloc[[0, 2]])
    assert open_contexts() == 0
    assert_healthy(server)


def test_a_page_that_never_goes_network_idle_is_scored_with_a_warning(server: ServedSite) -> None:
    async def main(url: str) -> tuple[dict[str, Any], float]:
        settings = LabSettings(throttling="devtools", categories=("performance",), waits=FAST_WAITS)
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
    cap_s = FAST_WAITS.max_wait_for_load_ms / 1000
    assert took < quiet_took + 1.5 * cap_s, (took, quiet_took)
    assert open_contexts() == 0


# -- browser faults ------------------------------------------------------------------------


def test_a_killed_browser_mid_batch_is_relaunched_and_in_flight_urls_retried(
    server: ServedSite,
) -> None:
    psdata.shutdown()  # the shared browser killed below is one this test starts
    earlier = {p.pid for p in browser_processes()}
    stats = psdata.pool_stats()
    crashes_before = stats["browser_crashes"]
    urls = [good(server, f"kill-{i}") for i in range(8)]
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(seen(server, "/page/kill-")) < 4:
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
        result = analyze(urls, concurrency=3, categories=["performance", "seo"])
    finally:
        thread.join()
    assert killed
    assert_scored(result, ["performance", "seo"])
    assert (result["attempts"] > 1).any(), result["attempts"].tolist()
    stats = psdata.pool_stats()
    assert stats["browser_crashes"] >= crashes_before + 1
    assert not [p for p in killed if psutil.pid_exists(p) and _zombie_free(p)]
    assert_healthy(server)


def _zombie_free(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_a_context_that_hangs_on_close_is_abandoned_and_the_slot_reused(
    server: ServedSite,
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
            settings = LabSettings(
                throttling="devtools", categories=("performance",), waits=FAST_WAITS
            )
            record = await measure_page(pool, good(server, "after-hung-close"), "mobile", settings)
            return took, slot.id, {**pool.stats(), "record": record}

    took, slot_id, stats = asyncio.run(main())
    assert took >= 0.9 * close_timeout  # it did wait for the close, up to its timeout
    assert stats["total_contexts"] == 1 and stats["contexts"][0]["id"] == slot_id
    assert stats["contexts"][0]["state"] == "idle"
    assert stats["record"]["performance"] is not None


# -- resources -----------------------------------------------------------------------------


def test_contexts_never_outlive_their_measurement(server: ServedSite) -> None:
    urls = [good(server, "ctx-1"), server.url("/status/404"), server.url("/download")]
    analyze(urls, categories=["performance"])
    assert open_contexts() == 0
    stats = psdata.pool_stats()
    assert stats["busy_contexts"] == 0
    assert all(c["state"] == "idle" for c in stats["contexts"])


def test_the_browser_is_recycled_after_m_pages(server: ServedSite) -> None:
    async def main() -> tuple[dict[str, Any], list[set[int]]]:
        settings = LabSettings(throttling="devtools", categories=("performance",), waits=FAST_WAITS)
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


def test_no_chromium_is_left_after_shutdown_or_interpreter_exit(
    server: ServedSite, tmp_path: Path
) -> None:
    script = textwrap.dedent(
        f"""
        import json, psdata
        from psdata.engines.lab.browser import browser_processes
        psdata.analyze([{good(server, "child-1")!r}, {server.url("/hang")!r}],
                       categories=["seo"], quiet_window_ms=100, progress=False, timeout=5,
                       skip_cache=True, cache_dir={str(tmp_path)!r})
        print(json.dumps([p.pid for p in browser_processes()]), flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=90, check=True
    )
    pids = json.loads(done.stdout.strip().splitlines()[-1])
    assert pids
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(psutil.pid_exists(p) for p in pids):
        time.sleep(0.1)
    assert not [p for p in pids if psutil.pid_exists(p)]

    analyze([good(server, "before-shutdown")], categories=["performance"])
    running = browser_processes()
    assert running
    psdata.shutdown()
    _, alive = psutil.wait_procs(running, timeout=10)
    assert not alive
    assert_healthy(server)  # psdata starts again on next use


# -- errors ---------------------------------------------------------------------------------


def test_errors_raise_raises_the_first_failure_as_an_analysis_error(server: ServedSite) -> None:
    with pytest.raises(AnalysisError) as caught:
        analyze([good(server, "raise-ok"), "javascript:alert(1)"], errors="raise")
    assert not isinstance(caught.value, PlaywrightError)
    assert "javascript" in str(caught.value)
    with pytest.raises(AnalysisError) as caught:
        analyze([server.url("/status/500")], errors="raise", categories=["performance"])
    assert "500" in str(caught.value)
    assert not isinstance(caught.value.__cause__, PlaywrightError)


def test_errors_raise_raises_the_specific_error_class(server: ServedSite) -> None:
    with pytest.raises(HTTPStatusError):
        analyze([server.url("/status/404")], errors="raise", categories=["performance"])
    with pytest.raises(HTTPStatusError):  # the same failure, now reused from the store
        analyze(
            [server.url("/status/404")],
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
    failed = analyze(list(causes.values()), throttling=throttling, timeout=60, concurrency=4)
    hung = analyze([server.url("/hang")], throttling=throttling, timeout=6)
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


def test_playwright_errors_never_reach_the_user(server: ServedSite) -> None:
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
            urls, concurrency=3, timeout=8, skip_cache=True, quiet_window_ms=200,
            categories=["performance"], throttling="provided"
        )  # fmt: skip

    outcomes = asyncio.run(main())
    for outcome, kind in zip(outcomes, expected, strict=True):
        assert type(outcome) is kind, (outcome, kind)
        assert not isinstance(outcome, PlaywrightError)
        assert not isinstance(outcome, BrowserCrashError)


# -- everything at once --------------------------------------------------------------------


def test_a_mixed_batch_of_40_gives_40_rows_and_the_next_batch_works(server: ServedSite) -> None:
    goods = [good(server, f"mixed-{i}") for i in range(16)]
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
    result = analyze(series, concurrency=3, timeout=10, categories=["performance", "seo"])
    assert len(result) == 40 and result.index.equals(series.index)
    scored_ok = {*goods, *(server.url(f"/b/{n}") for n in ("dialogs", "popup", "beforeunload"))}
    scored_ok.add(server.url("/redirect/2"))
    for label, value in series.items():
        row = result.loc[label]
        if isinstance(value, str) and value in scored_ok:
            assert pd.isna(row["error"]), (value, row["error"])
            assert pd.notna(row["performance"]) and pd.notna(row["seo"])
        else:
            assert pd.notna(row["error_type"]), value
    # No attempt outlives its timeout: each took less than two timeouts.
    per_attempt = (result["duration_s"] / result["attempts"].clip(lower=1)).dropna()
    assert (per_attempt < 2 * 10).all(), result[["url", "duration_s", "attempts"]]
    assert open_contexts() == 0
    assert_healthy(server)
