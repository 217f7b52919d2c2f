"""Long batches never lose finished work: kill -9 and Ctrl-C, then resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

import psdata
from psdata._store import ResultStore
from psdata.demo.server import ServedSite

SETTINGS = {"categories": ["performance"], "quiet_window_ms": 100, "progress": False}


def slow_urls(site: ServedSite, n: int) -> list[str]:
    """Pages that take about a second each (the server delays the document)."""
    return [site.url(f"/simple.html?delay=900&n={i}") for i in range(n)]


def stored_rows(cache_dir: Path) -> int:
    path = cache_dir / "results.sqlite3"
    if not path.exists():
        return 0
    with ResultStore(path) as store:
        return int(store.info()["rows"])


def child(code: str, cache_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PSDATA_CACHE_DIR": str(cache_dir)},
    )


def pages_served() -> int:
    return sum(c["pages_served"] for c in psdata.pool_stats()["contexts"])


def test_kill_9_mid_batch_then_rerun_measures_only_what_was_missing(
    site: ServedSite, tmp_path: Path
) -> None:
    urls = slow_urls(site, 6)
    process = child(
        f"""
        import psdata
        psdata.analyze({urls!r}, concurrency=1, **{SETTINGS!r})
        """,
        tmp_path,
    )
    deadline = time.monotonic() + 90
    while stored_rows(tmp_path) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    browsers = [p for p in psutil.Process(process.pid).children(recursive=True)]
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    psutil.wait_procs(browsers, timeout=15)
    done_before = stored_rows(tmp_path)
    assert 2 <= done_before < 6

    before = pages_served()
    result = psdata.analyze(urls, cache_dir=tmp_path, **SETTINGS)
    assert pages_served() - before == 6 - done_before
    assert int(result["from_cache"].sum()) == done_before
    assert result["error"].isna().all() and result["performance"].notna().all()
    assert stored_rows(tmp_path) == 6


def test_ctrl_c_cancels_cleanly_keeps_finished_work_and_the_pool_recovers(
    site: ServedSite, tmp_path: Path
) -> None:
    urls = slow_urls(site, 8)
    process = child(
        f"""
        import json, signal, time, psdata
        # Ctrl-C raises KeyboardInterrupt, as in a terminal, also when the tests run as a
        # background job: its shell starts them with SIGINT ignored, which Python and
        # this child inherit (the batch then ignored the Ctrl-C and finished).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from psdata.engines.lab.runtime import get_pool
        from psdata._loop import run_sync
        urls = {urls!r}
        try:
            psdata.analyze(urls, concurrency=2, **{SETTINGS!r})
            outcome = "finished"
        except KeyboardInterrupt:
            outcome = "interrupted"
        async def open_contexts():
            pool = get_pool()
            return len(pool._current.browser.contexts) if pool._current else 0

        # Cancelled measurements give their slots back and close their contexts (spares
        # included): wait for that, with a generous cap, instead of a fixed time.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
            psdata.pool_stats()["busy_contexts"] or run_sync(open_contexts())
        ):
            time.sleep(0.05)
        stats = psdata.pool_stats()
        leftover = run_sync(open_contexts())
        again = psdata.analyze(urls[:1], skip_cache=True, **{SETTINGS!r})
        print(json.dumps({{"outcome": outcome, "busy": stats["busy_contexts"],
                           "contexts": leftover, "after": int(again["performance"].notna().sum()),
                           "stored": psdata.cache_info()["rows"]}}))
        """,
        tmp_path,
    )
    # Ctrl-C once the first URL is stored (not after a fixed time, which a loaded machine
    # may not have reached): the batch is then certainly under way, with work to keep.
    deadline = time.monotonic() + 120
    while stored_rows(tmp_path) < 1 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stored_rows(tmp_path) >= 1, "no URL was stored within 120 s"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["outcome"] == "interrupted", (report, err)
    assert report["busy"] == 0 and report["contexts"] == 0  # no orphan pages or contexts
    assert report["after"] == 1  # the pool still works
    assert 1 <= report["stored"] < 8  # finished work was kept


def test_cached_failures_are_reused_unless_force_retry(site: ServedSite) -> None:
    missing = site.url("/__status/404")
    first = psdata.analyze([missing], **SETTINGS)
    assert first["error_type"].iloc[0] == "http"
    before = pages_served()
    second = psdata.analyze([missing], **SETTINGS)
    assert bool(second["from_cache"].iloc[0]) and pages_served() == before
    assert second["error_type"].iloc[0] == "http" and second["status"].iloc[0] == 404
    retried = psdata.analyze([missing], force_retry=True, **SETTINGS)
    assert not retried["from_cache"].iloc[0] and pages_served() == before + 1


@pytest.mark.parametrize("error_type", ["browser", "internal", "quota"])
def test_stored_failures_that_say_nothing_about_the_page_are_measured_again(
    site: ServedSite, isolated_store: Path, error_type: str
) -> None:
    """A stored failure of the browser, of psdata or of a quota is never reused (a real
    stored 404 is made one by rewriting its ``error_type`` in the store)."""
    missing = site.url(f"/__status/404?{error_type}")
    assert psdata.analyze([missing], **SETTINGS)["error_type"].iloc[0] == "http"
    with sqlite3.connect(isolated_store / "results.sqlite3") as store:
        changed = store.execute(
            "UPDATE results SET record = json_set(record, '$.error_type', ?) WHERE url = ?",
            (error_type, missing),
        ).rowcount
    assert changed == 1
    before = pages_served()
    again = psdata.analyze([missing], **SETTINGS)
    assert not again["from_cache"].iloc[0] and pages_served() == before + 1
    assert again["error_type"].iloc[0] == "http"  # measured again: the page's own answer


def test_a_browser_that_would_not_start_stores_nothing_and_once_fixed_the_url_is_measured(
    site: ServedSite, tmp_path: Path
) -> None:
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")  # starts, then exits at once
    broken.chmod(0o755)
    url = site.url("/simple.html?broken-browser")
    psdata.shutdown()  # the next measurement launches a browser: the broken one
    psdata.set_chromium_path(broken)
    with pytest.raises(psdata.BrowserNotFoundError, match="did not start"):
        psdata.analyze([url], **SETTINGS)
    assert psdata.cache_info()["rows"] == 0
    psdata.set_chromium_path(None)
    fixed = psdata.analyze([url], **SETTINGS)
    assert not fixed["from_cache"].iloc[0]
    assert pd.isna(fixed["error"].iloc[0]) and fixed["performance"].notna().all()


def test_old_successes_are_measured_again(site: ServedSite) -> None:
    url = site.url("/simple.html?age")
    psdata.analyze([url], **SETTINGS)
    time.sleep(0.3)
    fresh = psdata.analyze([url], max_age=60, **SETTINGS)
    stale = psdata.analyze([url], max_age=0.1, **SETTINGS)
    assert bool(fresh["from_cache"].iloc[0]) and not stale["from_cache"].iloc[0]


def test_cache_info_and_clear(site: ServedSite) -> None:
    psdata.analyze([site.url("/simple.html?info"), "not a url"], **SETTINGS)
    info = psdata.cache_info()
    assert info["rows"] == 1 and info["ok_rows"] == 1  # invalid input is not stored
    assert psdata.clear_cache(url=site.url("/simple.html?info")) == 1
    assert psdata.cache_info()["rows"] == 0


@pytest.mark.parametrize("writers", [2])
def test_two_processes_share_one_store(site: ServedSite, tmp_path: Path, writers: int) -> None:
    batches = [[site.url(f"/simple.html?w={w}&n={i}") for i in range(3)] for w in range(writers)]
    processes = [
        child(
            f"""
            import psdata
            df = psdata.analyze({batch!r}, concurrency=2, **{SETTINGS!r})
            assert df["error"].isna().all(), df["error"].tolist()
            """,
            tmp_path,
        )
        for batch in batches
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert stored_rows(tmp_path) == 3 * writers
