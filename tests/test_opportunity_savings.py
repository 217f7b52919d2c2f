"""Time savings of the opportunities (#18) from Lantern on the page's own trace, and the
main-thread audits fed that trace: real Chromium, pages served from 127.0.0.1."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import psdata
from conftest import FAST, audit_of, opportunity_table
from psdata.demo.server import ServedSite

SIMULATE = {**FAST, "throttling": "simulate", "categories": ["performance"], "timeout": 60.0}
PAGES = {"blocking": "/opp/blocking.html", "clean": "/opp/clean.html", "busy": "/longtask.html"}


@pytest.fixture(scope="module")
def measured(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[pd.DataFrame]:
    urls = pd.Series([site.url(path) for path in PAGES.values()], index=list(PAGES))
    frame = psdata.analyze(urls, cache_dir=tmp_path_factory.mktemp("savings-cache"), **SIMULATE)
    assert frame["error"].isna().all(), frame["error"].tolist()
    yield frame


@pytest.fixture(scope="module")
def table(measured: pd.DataFrame) -> pd.DataFrame:
    return opportunity_table(measured)


def test_a_large_blocking_style_sheet_on_a_slow_server_costs_time(table: pd.DataFrame) -> None:
    blocking = audit_of(table, "blocking", "render-blocking-resources")
    assert blocking.score == 0 and blocking.savings_ms > 0
    [item] = blocking.details
    assert Path(item["url"].split("?")[0]).name == "unused.css" and item["wastedMs"] >= 50
    # Its unused rules cost time on the first paint's graph too.
    unused = audit_of(table, "blocking", "unused-css-rules")
    assert unused.score < 0.9 and unused.savings_ms > 0


def test_a_page_without_waste_saves_nothing(table: pd.DataFrame) -> None:
    rows = table.loc[["clean"]]
    timed = rows[rows.audit_id.isin(["render-blocking-resources", "unused-css-rules"])]
    assert (timed.score == 1).all() and (timed.savings_ms == 0).all()


def test_main_thread_audits_read_the_pages_trace(table: pd.DataFrame) -> None:
    """Two 250 ms busy loops of an inline script, 4× slower on the simulated phone."""
    bootup = audit_of(table, "busy", "bootup-time")
    assert bootup.display_mode != "error" and bootup.details
    # The loops run in callbacks that after-first-paint.js schedules: Lighthouse charges a
    # task to the first script of its chain of attributable URLs.
    top = bootup.details[0]
    assert top["url"].endswith("/after-first-paint.js") and top["scripting"] >= 2 * 250 * 4 * 0.9
    breakdown = audit_of(table, "busy", "mainthread-work-breakdown")
    groups = {i["group"]: i["duration"] for i in breakdown.details}
    assert groups["scriptEvaluation"] >= 2 * 250 * 4 * 0.9
    assert groups["scriptEvaluation"] == max(groups.values())
    long_tasks = audit_of(table, "busy", "long-tasks")
    durations = sorted(i["duration"] for i in long_tasks.details)
    assert len(durations) >= 2 and durations[-2] >= 250 * 4 * 0.9


def test_the_savings_cost_little(site: ServedSite, tmp_path: Path) -> None:
    """One worker request per page: its wall time is recorded with the other phases."""
    record: dict[str, Any] = psdata.run_analysis(
        site.url(PAGES["blocking"]), cache_dir=tmp_path, **SIMULATE
    )
    spent = record["details"]["timings_ms"]["savings"]
    assert 0 < spent < 5000 and not math.isnan(spent)
