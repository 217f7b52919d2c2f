"""analyze() end to end on a real local server and a real Chromium."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
import pytest

import psdata
from conftest import FAST
from psdata._loop import run_sync
from psdata.demo.server import ServedSite
from psdata.engines.lab.collect import WaitSettings
from psdata.engines.lab.engine import LabSettings, measure_page
from psdata.engines.lab.runtime import get_pool
from psdata.plotting import plot_opportunities

FAST_WAITS = WaitSettings(200, 200, 200, 200, max_wait_for_load_ms=15_000)

PAGES = ("simple", "shift", "longtask", "late-lcp", "render-heavy")


@pytest.fixture(scope="module")
def measured(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """One batch of the core pages, shared by the tests that only read it."""
    urls = pd.Series(
        [site.url(f"/{name}.html") for name in PAGES],
        index=list(PAGES),
    )
    cache = tmp_path_factory.mktemp("measured-cache")
    # A quiet window long enough for the late heading (1.2 s) and the second long task;
    # applied throttling, so the metrics are what the page did (simulate: test_simulate).
    options = {**FAST, "quiet_window_ms": 1500, "throttling": "devtools"}
    return psdata.analyze(urls, cache_dir=cache, **options)


def test_metrics_reflect_what_the_pages_do(measured: pd.DataFrame) -> None:
    assert measured["error"].isna().all(), measured["error"].tolist()
    assert (measured["status"] == 200).all()
    assert (measured[["performance", "accessibility", "best_practices", "seo"]].notna()).all().all()
    assert measured.loc["shift", "cls"] > 0.05
    assert measured.loc["simple", "cls"] == 0
    assert measured.loc["longtask", "tbt_ms"] > 200
    assert measured.loc["longtask", "long_tasks_ms"] >= 500
    # Layout and paint of thousands of elements: no long *script* task, yet blocking.
    assert measured.loc["render-heavy", "tbt_ms"] > 150
    assert measured.loc["late-lcp", "lcp_ms"] >= 1200
    assert measured.loc["late-lcp", "lcp_ms"] > measured.loc["late-lcp", "fcp_ms"]
    assert measured.loc["simple", "performance"] > measured.loc["longtask", "performance"]
    assert (measured["fcp_ms"] > 0).all() and (measured["speed_index_ms"] > 0).all()
    assert (measured["throttling"] == "devtools").all()
    assert (measured["engine"] == "lab").all() and (measured["strategy"] == "mobile").all()
    assert (measured["request_count"] >= 1).all() and (measured["total_bytes"] > 0).all()
    assert measured["context_id"].between(0, 2).all()


def test_waits_are_lighthouses_two_stages(site: ServedSite, tmp_path: Path) -> None:
    """Loaded (load, FCP, network) for one window, *then* CPU quiet for another.

    The late page blocks its main thread 1.5 s after load: after the first window
    (1 s) but within the second, so it counts. The polling page keeps one request
    open at a time: quiet by the two-requests rule, never quiet by the critical-request
    rule (a fetch is high priority), so it is measured at the cap with a warning.
    """
    urls = [site.url("/late-work.html"), site.url("/polling.html")]
    # Unthrottled: no start-up long task near load, and the polls never overlap.
    kwargs = {**FAST, "quiet_window_ms": 1000, "timeout": 12, "throttling": "provided"}
    late, polling = psdata.analyze(urls, cache_dir=tmp_path, **kwargs).to_dict("records")
    assert late["error"] is None and polling["error"] is None
    assert late["long_tasks_ms"] >= 300 and late["tbt_ms"] >= 250
    # Its trace may not be ready within the 12 s: the polling page holds the trace
    # epoch open until its cap (then the row says so and uses the in-page observers).
    assert late["warnings"] is None or "never went quiet" not in late["warnings"]
    assert polling["performance"] is not None
    assert "never went quiet" in polling["warnings"]
    assert polling["request_count"] >= 10


def test_ttfb_counts_a_slow_server_and_redirects(site: ServedSite) -> None:
    urls = [
        site.url("/simple.html?ttfb=slow&delay=1000"),
        site.url("/__redirect/2?to=/simple.html&delay=1000"),  # the first hop waits
        site.url("/simple.html?ttfb=fast"),
    ]
    options = {**FAST, "strategy": "desktop", "categories": ["performance"]}
    slow, redirected, fast = psdata.analyze(urls, **options)["ttfb_ms"]
    # The server's wait is in the first byte, and so are the redirects before it; the
    # page served at once, measured in the same call, is the baseline.
    assert slow >= 1000 and redirected >= 1000
    assert fast < slow and fast < redirected


def test_output_keeps_index_including_duplicates_and_missing(site: ServedSite) -> None:
    simple = site.url("/simple.html")
    urls = pd.Series([simple, None, simple, np.nan, "not a url"], index=[10, 20, 20, 30, 40])
    before = psdata.pool_stats()
    pages_before = sum(c["pages_served"] for c in before["contexts"])
    result = psdata.analyze(urls, **FAST)
    assert result.index.equals(urls.index)
    assert list(result.columns) == list(psdata.COLUMNS)
    assert result["url"].iloc[0] == simple and pd.isna(result["url"].iloc[1])
    assert result["error_type"].tolist()[1:5:2] == ["invalid_url", "invalid_url"]
    assert result["error_type"].iloc[4] == "invalid_url"
    assert result["performance"].iloc[0] == result["performance"].iloc[2]
    after = psdata.pool_stats()
    assert sum(c["pages_served"] for c in after["contexts"]) - pages_before == 1  # deduplicated
    joined = urls.to_frame("u").join(result[["performance"]], how="left")
    assert len(joined) > 0


def test_a_batch_opens_each_next_context_during_the_quiet_wait(site: ServedSite) -> None:
    # Under the browser-wide trace pages open between trace epochs instead (see
    # psdata.engines.lab.trace): spares serve measurements without it (categories without
    # performance still trace, so use the engine directly).
    async def untraced() -> list[dict[str, Any]]:
        settings = LabSettings(
            throttling="devtools", categories=("seo",), waits=FAST_WAITS, trace=False
        )
        pool = get_pool()
        records = [
            await measure_page(pool, site.url(f"/simple.html?spare={i}"), "mobile", settings)
            for i in range(4)
        ]
        await pool.discard_spares()  # as analyze() does at the end of a batch
        return records

    before = psdata.pool_stats()
    assert all(r["seo"] is not None for r in run_sync(untraced()))
    after = psdata.pool_stats()
    assert after["spares_used"] - before["spares_used"] == 3  # every URL after the first
    assert after["spare_contexts"] == 0  # the last one is closed with the batch

    async def open_contexts() -> int:
        pool = get_pool()
        return sum(len(h.browser.contexts) for h in pool._handles if h.browser.is_connected())

    assert run_sync(open_contexts()) == 0


def test_all_failed_result_has_the_full_schema() -> None:
    result = psdata.analyze(["", None, "ftp://x.test/", "javascript:alert(1)"], **FAST)
    assert len(result) == 4
    assert result.dtypes.to_dict() == psdata.SCHEMA
    assert (result["error_type"] == "invalid_url").all()
    assert result["performance"].isna().all()
    empty = psdata.analyze([], **FAST)
    assert empty.dtypes.to_dict() == psdata.SCHEMA and len(empty) == 0


def test_both_strategies_give_a_multiindex(site: ServedSite) -> None:
    urls = pd.Series([site.url("/simple.html")], index=pd.Index(["a"], name="page"))
    result = psdata.analyze(urls, strategy=["mobile", "desktop"], categories=["seo"], **FAST)
    assert result.index.names == ["page", "strategy"]
    assert result.index.tolist() == [("a", "mobile"), ("a", "desktop")]
    assert result["strategy"].tolist() == ["mobile", "desktop"]
    assert result["seo"].notna().all()
    assert result["performance"].isna().all()  # not asked for


@pytest.mark.parametrize(
    "make",
    [
        lambda u: [u],
        lambda u: pd.Index([u]),
        lambda u: pd.DataFrame({"url": [u]}),
        lambda u: u,
        lambda u: np.array([u], dtype=object),
    ],
)
def test_accepts_lists_indexes_columns_and_single_urls(site: ServedSite, make) -> None:
    result = psdata.analyze(make(site.url("/simple.html")), categories=["seo"], **FAST)
    assert len(result) == 1 and result["seo"].iloc[0] == 100
    assert isinstance(result.index, pd.RangeIndex)


def test_bad_arguments_raise_configuration_errors() -> None:
    with pytest.raises(psdata.ConfigurationError, match="one column"):
        psdata.analyze(pd.DataFrame({"a": ["x"], "b": ["y"]}))
    with pytest.raises(psdata.ConfigurationError, match="strategy"):
        psdata.analyze(["http://x.test/"], strategy="tablet")
    with pytest.raises(psdata.ConfigurationError, match="categories"):
        psdata.analyze(["http://x.test/"], categories=["speed"])
    with pytest.raises(psdata.ConfigurationError, match="errors"):
        psdata.analyze(["http://x.test/"], errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1 to 5"):
        psdata.set_max_concurrent_contexts(6)


def test_errors_raise_raises_the_first_failure(site: ServedSite) -> None:
    with pytest.raises(psdata.AnalysisError, match="Only http and https"):
        psdata.analyze([site.url("/simple.html"), "file:///etc/passwd"], errors="raise", **FAST)


def test_parquet_round_trip_keeps_dtypes_index_and_metadata(
    measured: pd.DataFrame, tmp_path: Path
) -> None:
    path = psdata.to_parquet(measured, tmp_path / "scores.parquet")
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, measured, check_like=False)
    meta = psdata.read_parquet_metadata(path)
    assert meta["engine"] == "lab" and meta["version"] == psdata.__version__
    assert meta["settings"]["throttling"] == "devtools"


def test_second_identical_call_does_no_browser_work(site: ServedSite) -> None:
    urls = [site.url("/simple.html"), site.url("/shift.html")]
    first = psdata.analyze(urls, categories=["performance"], **FAST)
    pages = sum(c["pages_served"] for c in psdata.pool_stats()["contexts"])
    second = psdata.analyze(urls, categories=["performance"], **FAST)
    assert sum(c["pages_served"] for c in psdata.pool_stats()["contexts"]) == pages
    assert not first["from_cache"].any() and second["from_cache"].all()
    cols = ["performance", "lcp_ms", "cls", "status", "final_url"]
    pd.testing.assert_frame_equal(first[cols], second[cols])
    again = psdata.analyze(urls, categories=["performance"], skip_cache=True, **FAST)
    assert not again["from_cache"].any()


def test_audits_are_reachable_from_the_result(measured: pd.DataFrame) -> None:
    audits = psdata.audits(measured)
    assert set(audits["category"].unique()) == {
        "performance",
        "accessibility",
        "best_practices",
        "seo",
    }
    assert set(audits.index.unique()) == set(measured.index)
    perf = audits[(audits.category == "performance") & (audits.index == "shift")]
    cls = perf[perf.audit_id == "cumulative-layout-shift"]
    assert cls["details"].iloc[0][0]["numericValue"] == pytest.approx(measured.loc["shift", "cls"])
    assert audits.loc["simple"].query("audit_id == 'document-title'")["score"].eq(1).all()


def test_audits_and_opportunities_count_the_rows_left_out_as_errors(site: ServedSite) -> None:
    urls = pd.Series(
        [site.url("/simple.html"), site.url("/gone.html"), "not a url"],
        index=["simple", "gone", "bad"],
    )
    scores = psdata.analyze(urls, categories=["performance"], **FAST)
    assert scores["error_type"].tolist()[1:] == ["http", "invalid_url"], scores["error"]
    audits = psdata.audits(scores)
    assert set(audits.index) == {"simple"}
    assert audits.attrs["psdata"] == {"rows": 1, "errors": 2, "missing": 0}
    ranking = psdata.opportunities(scores)
    assert ranking.attrs["psdata"] == audits.attrs["psdata"]
    title = plot_opportunities(ranking[ranking.pages_failing >= 0]).get_title()
    assert "across the pages · 1 page, 2 errors" in title
    psdata.clear_cache(url=site.url("/simple.html"))  # the audits are in the store no more
    assert psdata.audits(scores).attrs["psdata"] == {"rows": 0, "errors": 2, "missing": 1}


def test_called_from_inside_a_running_event_loop(site: ServedSite) -> None:
    """Jupyter runs cells inside an event loop; both sync and async forms must work."""

    async def cell() -> tuple[pd.DataFrame, pd.DataFrame]:
        sync = psdata.analyze([site.url("/simple.html")], categories=["seo"], **FAST)
        awaited = await psdata.analyze_async(
            [site.url("/simple.html")], categories=["seo"], skip_cache=True, **FAST
        )
        return sync, awaited

    sync, awaited = asyncio.run(cell())
    assert sync["seo"].iloc[0] == awaited["seo"].iloc[0] == 100


def test_run_analysis_batch_and_run_analysis(site: ServedSite) -> None:
    urls = [site.url("/simple.html"), "data:text/html,hi", site.url("/shift.html")]
    results = asyncio.run(psdata.run_analysis_batch(urls, categories=["performance"], **FAST))
    assert [type(r).__name__ for r in results] == ["dict", "InvalidURLError", "dict"]
    assert results[2]["cls"] > 0.05 and "details" in results[2]
    record = psdata.run_analysis(site.url("/simple.html"), categories=["performance"], **FAST)
    assert record["performance"] >= 90
    failed = psdata.run_analysis("chrome://settings", **FAST)
    assert failed["error_type"] == "invalid_url" and failed["performance"] is None
    with pytest.raises(psdata.InvalidURLError):
        psdata.run_analysis("chrome://settings", errors="raise", **FAST)


def test_concurrency_above_the_context_limit_grows_the_pool_for_the_call(
    site: ServedSite,
) -> None:
    psdata.set_max_concurrent_contexts(2)
    try:
        urls = [site.url(f"/simple.html?{i}") for i in range(6)]
        result = psdata.analyze(urls, categories=["performance"], concurrency=3, **FAST)
        assert result["error"].isna().all()
        assert set(result["context_id"]) <= {0, 1, 2}
        stats = psdata.pool_stats()  # the limit is back once the call is over
        assert stats["total_contexts"] <= 2 and stats["max_concurrent_contexts"] == 2
        with pytest.raises(psdata.ConfigurationError, match="from 1 to 5"):
            psdata.analyze(urls, concurrency=6, **FAST)
    finally:
        psdata.set_max_concurrent_contexts(3)


def test_no_chromium_left_after_interpreter_exit(site: ServedSite, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import json, psdata
        from psdata.engines.lab.browser import browser_processes
        df = psdata.analyze([{site.url("/simple.html")!r}], categories=["seo"],
                            quiet_window_ms=100, progress=False, cache_dir={str(tmp_path)!r})
        print(json.dumps([p.pid for p in browser_processes()]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    pids = json.loads(done.stdout.strip().splitlines()[-1])
    assert pids, "the child should have had a browser running"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(psutil.pid_exists(p) for p in pids):
        time.sleep(0.1)
    assert not [p for p in pids if psutil.pid_exists(p)]
