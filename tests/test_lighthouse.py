"""psdata's facts module against Lighthouse's own recorded reports, and what follows it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import psdata
import psdata._lighthouse as lighthouse
from conftest import fixture_names, load_fixture
from psdata.engines import ENGINES
from psdata.engines.lab.collect import WaitSettings
from psdata.engines.lab.emulation import SIMULATED_CPU_SLOWDOWN, profile_for
from psdata.engines.lab.engine import LabSettings
from psdata.engines.lab.scoring import log_normal_score, metric_score
from psdata.reporting.assets import lighthouse_facts

ROOT = Path(__file__).resolve().parents[1]
REPORTS = fixture_names(f"lighthouse-{lighthouse.LIGHTHOUSE_VERSION}-*.json.gz")
DISPLAY_MODES = {
    lighthouse.BINARY,
    lighthouse.NUMERIC,
    lighthouse.METRIC_SAVINGS,
    lighthouse.INFORMATIVE,
    lighthouse.MANUAL,
    lighthouse.NOT_APPLICABLE,
    lighthouse.ERROR,
}


@pytest.fixture(params=REPORTS)
def report(request: pytest.FixtureRequest) -> dict[str, Any]:
    data: dict[str, Any] = load_fixture(request.param)
    return data


def test_the_reports_are_of_the_version_psdata_follows(report: dict[str, Any]) -> None:
    assert report["lighthouseVersion"] == lighthouse.LIGHTHOUSE_VERSION


def test_the_benchmarks_install_the_version_psdata_follows() -> None:
    package = json.loads((ROOT / "bench" / "package.json").read_text())
    lock = json.loads((ROOT / "bench" / "package-lock.json").read_text())
    assert package["dependencies"]["lighthouse"] == lighthouse.LIGHTHOUSE_VERSION
    assert lock["packages"]["node_modules/lighthouse"]["version"] == lighthouse.LIGHTHOUSE_VERSION


def test_categories_ids_and_titles_in_the_reports_order(report: dict[str, Any]) -> None:
    assert list(report["categories"]) == [lighthouse.CATEGORY_IDS[c] for c in lighthouse.CATEGORIES]
    assert {c: report["categories"][i]["title"] for c, i in lighthouse.CATEGORY_IDS.items()} == (
        lighthouse.CATEGORY_TITLES
    )
    assert list(lighthouse.CATEGORY_IDS) == list(lighthouse.CATEGORY_TITLES)


def test_metric_audits_weights_and_control_points(report: dict[str, Any]) -> None:
    form_factor = report["configSettings"]["formFactor"]
    refs = report["categories"]["performance"]["auditRefs"]
    weighted = [(r["id"], r["weight"]) for r in refs if r["weight"] > 0]
    assert weighted == [
        (lighthouse.METRIC_AUDITS[m].id, weight) for m, weight in lighthouse.METRIC_WEIGHTS.items()
    ]
    assert list(lighthouse.METRIC_AUDITS) == list(lighthouse.METRIC_WEIGHTS)
    for metric, (audit_id, title) in lighthouse.METRIC_AUDITS.items():
        audit = report["audits"][audit_id]
        assert audit["title"] == title
        assert audit["scoreDisplayMode"] == lighthouse.NUMERIC
        points = lighthouse.CONTROL_POINTS[form_factor][metric]
        assert audit["scoringOptions"] == points._asdict()
        assert metric_score(metric, audit["numericValue"], form_factor) == audit["score"]


def test_every_display_mode_of_the_reports_is_named(report: dict[str, Any]) -> None:
    assert {a["scoreDisplayMode"] for a in report["audits"].values()} <= DISPLAY_MODES


def test_waits_and_throttling_method_as_the_report_ran(report: dict[str, Any]) -> None:
    settings = report["configSettings"]
    method = settings["throttlingMethod"]
    assert method in lighthouse.THROTTLING_METHODS
    assert lighthouse.WAITS[method] == (
        settings["pauseAfterFcpMs"],
        settings["pauseAfterLoadMs"],
        settings["networkQuietThresholdMs"],
        settings["cpuQuietThresholdMs"],
    )
    assert settings["maxWaitForLoad"] == lighthouse.MAX_WAIT_FOR_LOAD_MS


def test_the_reports_vendored_facts_are_the_facts_module_and_the_engines() -> None:
    # The report's facts are extracted from the npm package (reporting/vendor); psdata's
    # own are written in _lighthouse.py and the lab's emulation: they must say the same.
    facts = lighthouse_facts()
    assert facts["lighthouseVersion"] == lighthouse.LIGHTHOUSE_VERSION
    for name, category_id in lighthouse.CATEGORY_IDS.items():
        assert facts["categories"][category_id]["title"] == lighthouse.CATEGORY_TITLES[name]
    weighted = [
        (ref["id"], ref["weight"])
        for ref in facts["categories"]["performance"]["auditRefs"]
        if ref.get("group") == "metrics" and ref["weight"] > 0
    ]
    assert weighted == [
        (lighthouse.METRIC_AUDITS[m].id, weight) for m, weight in lighthouse.METRIC_WEIGHTS.items()
    ]
    for strategy in ("mobile", "desktop"):
        preset = facts["presets"][strategy]
        screen, throttling = preset["screenEmulation"], preset["throttling"]
        applied = profile_for(strategy, "devtools")
        assert (screen["width"], screen["height"], screen["deviceScaleFactor"]) == (
            applied.width,
            applied.height,
            applied.device_scale_factor,
        )
        assert screen["mobile"] is applied.mobile
        assert preset["emulatedUserAgent"] == applied.user_agent
        assert (
            throttling["requestLatencyMs"],
            throttling["downloadThroughputKbps"],
            throttling["uploadThroughputKbps"],
            throttling["cpuSlowdownMultiplier"],
        ) == pytest.approx(
            (
                applied.throttling.request_latency_ms,
                applied.throttling.download_kbps,
                applied.throttling.upload_kbps,
                applied.throttling.cpu_slowdown,
            )
        )
        assert throttling["cpuSlowdownMultiplier"] == SIMULATED_CPU_SLOWDOWN[strategy]


def test_the_lab_engine_defaults_to_lighthouses_method() -> None:
    assert ENGINES["lab"].throttling == lighthouse.THROTTLING_METHODS
    assert ENGINES["lab"].default_throttling == lighthouse.DEFAULT_THROTTLING
    assert ENGINES["lab"].max_concurrency == lighthouse.MAX_CONTEXTS
    settings = LabSettings()
    assert settings.throttling == lighthouse.DEFAULT_THROTTLING
    assert settings.waits == WaitSettings.lighthouse(lighthouse.DEFAULT_THROTTLING)
    assert settings.categories == lighthouse.CATEGORIES


@pytest.mark.parametrize(
    ("throttling", "quiet_ms"), [(None, 1000), ("devtools", 5250), ("provided", 5250)]
)
def test_a_default_calls_settings_are_unchanged(throttling: str | None, quiet_ms: int) -> None:
    # The settings are part of every cache key: results stored before the facts module
    # existed are found again. Pinned as JSON, so an int turned float would show.
    options = {} if throttling is None else {"throttling": throttling}
    frame = psdata.analyze([], progress=False, **options)
    settings = frame.attrs["psdata"]["settings"]
    assert settings.pop("version") == psdata.__version__
    waits = dict.fromkeys(
        ("cpu_quiet_ms", "network_quiet_ms", "pause_after_fcp_ms", "pause_after_load_ms"),
        quiet_ms,
    )
    expected = {
        "categories": ["performance", "accessibility", "best_practices", "seo"],
        "opportunities": True,
        "throttling": throttling or "simulate",
        "trace": True,
        "waits": {**waits, "max_wait_for_load_ms": 45000.0, "quiet_in_flight": 2},
    }
    assert json.dumps(settings, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_one_log_normal_curve_serves_metrics_and_audits() -> None:
    p10, median = lighthouse.CONTROL_POINTS["mobile"]["lcp_ms"]
    for value in (0.0, 1200.0, p10, 3100.0, median, 9000.0):
        assert metric_score("lcp_ms", value, "mobile") == log_normal_score(value, p10, median)
