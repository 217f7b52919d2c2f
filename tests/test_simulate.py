"""throttling="simulate": an unthrottled load, Lantern's estimates on the page's trace."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import psdata
from conftest import FAST
from psdata.demo.server import ServedSite

SIMULATE = {**FAST, "throttling": "simulate", "categories": ["performance"], "timeout": 60.0}


def test_simulated_metrics_come_from_the_pages_own_trace(site: ServedSite, tmp_path: Path) -> None:
    urls = [site.url("/simple.html"), site.url("/longtask.html")]
    default = {k: v for k, v in SIMULATE.items() if k != "throttling"}
    frame = psdata.analyze(urls, cache_dir=tmp_path, **default)  # simulate is the default
    simple, busy = frame.to_dict("records")
    assert (frame["throttling"] == "simulate").all()
    assert frame["error"].isna().all(), frame["error"].tolist()
    for row in (simple, busy):
        assert row["performance"] is not None, row["warnings"]
        assert row["fcp_ms"] > 0 and row["lcp_ms"] >= row["fcp_ms"]
    # Lantern slows the CPU 4x: the busy page's long tasks block far longer than observed.
    assert busy["tbt_ms"] > max(300, busy["long_tasks_ms"]) > simple["tbt_ms"]
    details = psdata.run_analysis(urls[1], cache_dir=tmp_path, **SIMULATE)["details"]
    simulation = details["simulation"]
    assert simulation["observed"]["tbt_ms"] < busy["tbt_ms"]
    assert simulation["interactive_ms"] >= busy["fcp_ms"]


def test_modes_never_share_a_cache_entry(site: ServedSite, tmp_path: Path) -> None:
    url = [site.url("/simple.html")]
    psdata.analyze(url, cache_dir=tmp_path, **SIMULATE)
    devtools = psdata.analyze(url, cache_dir=tmp_path, **{**SIMULATE, "throttling": "devtools"})
    again = psdata.analyze(url, cache_dir=tmp_path, **SIMULATE)
    assert not devtools["from_cache"].iloc[0] and again["from_cache"].iloc[0]
    assert devtools["throttling"].iloc[0] == "devtools"


def test_without_a_trace_nothing_is_guessed(site: ServedSite, tmp_path: Path) -> None:
    """A per-URL timeout too short to share a trace epoch: no estimate, and why."""
    row = psdata.analyze(
        [site.url("/simple.html")], cache_dir=tmp_path, **{**SIMULATE, "timeout": 20.0}
    ).iloc[0]
    assert pd.isna(row["fcp_ms"]) and pd.isna(row["tbt_ms"]) and pd.isna(row["performance"])
    assert "Simulated throttling needs the page's main-thread trace" in row["warnings"]
    assert row["cls"] == 0  # observed metrics are still there
