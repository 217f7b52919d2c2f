"""Reports people open: psdata's LHR of measured rows, the batch page in the real Chromium,
psdata's LHR fed to Lighthouse's own ReportGenerator in Node, and bad input."""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import sync_playwright

import psdata
from conftest import FAST, load_fixture
from psdata._lighthouse import (
    CATEGORY_IDS,
    INFORMATIVE,
    LIGHTHOUSE_VERSION,
    MANUAL,
    METRIC_AUDITS,
    NOT_APPLICABLE,
)
from psdata.demo.server import ServedSite
from psdata.reporting.assets import VENDOR, lighthouse_facts, standalone_html
from test_cli import psdata_cli
from test_psi import KEY, PAGE, Answer, FakeGoogle, google, lhr8  # noqa: F401

ROOT = Path(__file__).parent.parent
#: Lighthouse from npm, installed by scripts/setup.sh (bench/package.json, pinned).
LIGHTHOUSE = ROOT / "bench" / "node_modules" / "lighthouse"
METRICS = {column: audit.id for column, audit in METRIC_AUDITS.items()}


@pytest.fixture(scope="module")
def measured(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Real rows: a page with known waste, a clean one, and a 404 (a failed row)."""
    store = tmp_path_factory.mktemp("report-store")
    urls = pd.Series(
        [site.url("/opp/waste.html"), site.url("/simple.html"), site.url("/__status/404")],
        index=["waste", "simple", "missing"],
    )
    return psdata.analyze(urls, cache_dir=store, **FAST)


def expected_display(audit_id: str, value: float) -> str:
    """How Lighthouse 12 writes a metric (seconds to 0.1, TBT to 10 ms, CLS to 0.001)."""
    if audit_id == "cumulative-layout-shift":
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if audit_id == "total-blocking-time":
        return f"{math.floor(value / 10 + 0.5) * 10:,}\u00a0ms"
    return f"{math.floor(value / 100 + 0.5) / 10:.1f}\u00a0s"


# ------------------------------------------------------------------------------ to_lhr


def test_lhr_of_a_measured_row_holds_its_scores_metrics_and_audits(measured: pd.DataFrame) -> None:
    row = measured.loc["waste"]
    assert pd.isna(row["error"]), row["error"]
    lhr = psdata.to_lhr(measured, "waste")
    json.loads(json.dumps(lhr))  # plain JSON
    assert "psdata" in lhr["lighthouseVersion"] and lhr["lighthouseVersion"].startswith(
        LIGHTHOUSE_VERSION
    )
    assert lhr["requestedUrl"] == row["url"] and lhr["finalDisplayedUrl"] == row["final_url"]
    settings = lhr["configSettings"]
    assert (settings["formFactor"], settings["throttlingMethod"]) == ("mobile", "simulate")
    assert settings["screenEmulation"]["width"] == 412
    assert settings["throttling"]["cpuSlowdownMultiplier"] == 4
    for name, category_id in CATEGORY_IDS.items():
        assert lhr["categories"][category_id]["score"] == row[name] / 100
        for ref in lhr["categories"][category_id]["auditRefs"]:
            assert ref["id"] in lhr["audits"]
    for column, audit_id in METRICS.items():
        audit = lhr["audits"][audit_id]
        assert audit["numericValue"] == pytest.approx(row[column])
        assert audit["displayValue"] == expected_display(audit_id, row[column])
    refs = {r["id"]: r for r in lhr["categories"]["performance"]["auditRefs"]}
    lcp = refs["largest-contentful-paint"]
    assert (lcp["weight"], lcp["acronym"], lcp["group"]) == (25, "LCP", "metrics")

    stored = psdata.audits(measured).loc[["waste"]]
    failing = stored[(stored.category == "seo") & (stored.score == 0)]
    assert "meta-description" in set(failing.audit_id)
    meta = lhr["audits"]["meta-description"]
    assert meta["title"] == "Document does not have a meta description"  # Lighthouse's failureTitle
    assert meta["score"] == 0 and "[Learn more about the meta description]" in meta["description"]

    images = lhr["audits"]["uses-responsive-images"]
    stored_images = stored[stored.audit_id == "uses-responsive-images"].iloc[0]
    assert images["numericValue"] == stored_images["savings_ms"]
    assert images["displayValue"].startswith("Potential savings of")
    assert images["details"]["items"][0]["url"].endswith("/opp/big.jpg")
    headings = {h["key"]: (h["valueType"], h["label"]) for h in images["details"]["headings"]}
    assert headings["wastedBytes"] == ("bytes", "Potential Savings")
    assert headings["node"] == ("node", "Element")
    assert images["metricSavings"]["LCP"] > 0


def test_lhr_of_a_failed_row_says_why_it_was_not_scored(measured: pd.DataFrame) -> None:
    row = measured.loc["missing"]
    assert row["error_type"] == "http"
    lhr = psdata.to_lhr(measured, "missing")
    assert lhr["runtimeError"]["code"] == "PSDATA_HTTP"
    assert "HTTP 404" in lhr["runtimeError"]["message"] and "HTTP 404" in lhr["runWarnings"][0]
    assert {c["score"] for c in lhr["categories"].values()} == {None}
    fcp = lhr["audits"]["first-contentful-paint"]
    assert fcp["scoreDisplayMode"] == "error" and "HTTP 404" in fcp["errorMessage"]


# ------------------------------------------------------------------------------ in Chromium


def test_the_report_opens_in_chromium_and_shows_psdata_values(
    measured: pd.DataFrame, tmp_path: Path
) -> None:
    path = psdata.report(measured, tmp_path / "report.html")
    row = measured.loc["waste"]
    problems: list[str] = []
    remote: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=psdata.find_chromium())
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("request", lambda r: None if r.url.startswith(("file:", "about:", "data:"))
                    else remote.append(r.url))  # fmt: skip
            page.goto(path.resolve().as_uri())

            rows = page.locator("#rows tbody tr")
            assert rows.count() == 3
            assert "http: The document returned HTTP 404" in rows.nth(2).inner_text()
            page.locator("#rows th", has_text="Performance").click()  # sort: lowest first
            sorted_scores = page.locator("#rows tbody td.score.pass, #rows tbody td.score.average")
            assert sorted_scores.count() >= 2
            assert page.locator("#summary h2", has_text="Opportunities").count() == 1

            page.locator("#rows a", has_text="/opp/waste.html").click()
            assert (
                page.locator("#viewer").is_visible() and not page.locator("#summary").is_visible()
            )
            report = page.frame_locator("#report-frame")
            gauges = report.locator(".lh-scores-header .lh-gauge__wrapper")
            gauges.first.wait_for(timeout=15_000)
            shown = {
                gauge.locator(".lh-gauge__label").inner_text(): gauge.locator(
                    ".lh-gauge__percentage"
                ).inner_text()
                for gauge in gauges.all()
            }
            assert shown == {
                "Performance": str(row["performance"]),
                "Accessibility": str(row["accessibility"]),
                "Best Practices": str(row["best_practices"]),
                "SEO": str(row["seo"]),
            }
            for column, audit_id in METRICS.items():
                value = report.locator(f"#{audit_id} .lh-metric__value").inner_text()
                assert value == expected_display(audit_id, row[column]), audit_id
            failing = report.locator("#seo .lh-audit--fail#meta-description")
            assert failing.count() == 1
            assert "Document does not have a meta description" in failing.inner_text()
            opportunity = report.locator("#performance #uses-responsive-images")
            opportunity.locator("summary").click()
            assert "big.jpg" in opportunity.locator("table").inner_text()

            page.locator("#back").click()
            assert page.locator("#summary").is_visible()
            page.locator("#rows a", has_text="/__status/404").click()
            warning = report.locator(".lh-warnings--toplevel")
            warning.wait_for(timeout=15_000)
            assert "HTTP 404" in warning.inner_text()
            assert report.locator(".lh-scores-header .lh-gauge--error").count() == 4
        finally:
            browser.close()
    assert problems == []
    assert remote == []


# ------------------------------------------------------------------------------ Node


def node() -> str:
    found = shutil.which("node")
    assert found, "Node.js is needed (scripts/setup.sh installs Lighthouse with npm)"
    return found


GENERATE = """
import fs from 'node:fs';
import {pathToFileURL} from 'node:url';
const [, , lighthouse, input, output] = process.argv;
const {ReportGenerator} = await import(
  pathToFileURL(lighthouse + '/report/generator/report-generator.js').href);
const lhrs = JSON.parse(fs.readFileSync(input, 'utf8'));
fs.writeFileSync(output, JSON.stringify(lhrs.map((lhr) => ({
  html: ReportGenerator.generateReportHtml(lhr),
  csv: ReportGenerator.generateReport(lhr, 'csv'),
}))));
"""


def test_lighthouse_report_generator_takes_psdata_lhr(
    measured: pd.DataFrame, tmp_path: Path
) -> None:
    assert (LIGHTHOUSE / "package.json").is_file(), "run scripts/setup.sh (npm ci in bench/)"
    assert json.loads((LIGHTHOUSE / "package.json").read_text())["version"] == LIGHTHOUSE_VERSION
    lhrs = [psdata.to_lhr(measured, label) for label in measured.index]
    (tmp_path / "lhrs.json").write_text(json.dumps(lhrs))
    (tmp_path / "generate.mjs").write_text(GENERATE)
    done = subprocess.run(
        [node(), "generate.mjs", str(LIGHTHOUSE), "lhrs.json", "out.json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    generated = json.loads((tmp_path / "out.json").read_text())
    split = re.compile(r"window\.__LIGHTHOUSE_JSON__ = (.*?);</script>", re.DOTALL)
    for lhr, output in zip(lhrs, generated, strict=True):
        ours = standalone_html(lhr)
        assert split.sub("", output["html"]) == split.sub("", ours)  # same page and renderer
        theirs_json = json.loads(split.search(output["html"]).group(1))  # type: ignore[union-attr]
        assert theirs_json == json.loads(split.search(ours).group(1))  # type: ignore[union-attr]
        audit_lines = output["csv"].split("\r\n\r\n")[2].splitlines()[1:]
        refs = sum(len(c["auditRefs"]) for c in lhr["categories"].values())
        assert len(audit_lines) == refs  # every auditRef resolves to an audit with its strings


def test_the_vendored_renderer_is_lighthouse_12_2_3s() -> None:
    for vendored, packaged in [
        ("standalone.js", "dist/report/standalone.js"),
        ("standalone-template.html", "report/assets/standalone-template.html"),
        ("LICENSE", "LICENSE"),
    ]:
        assert (VENDOR / vendored).read_bytes() == (LIGHTHOUSE / packaged).read_bytes(), vendored
    readme = (VENDOR / "README.md").read_text()
    for name in ("standalone.js", "standalone-template.html", "lighthouse-facts.json"):
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() in readme, name


def test_the_facts_agree_with_a_recorded_lighthouse_report() -> None:
    recorded = load_fixture(f"lighthouse-{LIGHTHOUSE_VERSION}-mobile-simulate.json")
    facts = lighthouse_facts()
    assert facts["lighthouseVersion"] == recorded["lighthouseVersion"]
    for audit_id, audit in recorded["audits"].items():
        fact = facts["audits"][audit_id]
        assert audit["title"] in (fact["title"], fact.get("failureTitle")), audit_id
        assert audit["description"] == fact["description"], audit_id
    unweighted = {NOT_APPLICABLE, INFORMATIVE, MANUAL}  # weight 0 in a report
    for category_id, category in recorded["categories"].items():
        refs = [
            (r["id"], r["weight"], r.get("group"))
            for r in facts["categories"][category_id]["auditRefs"]
            if "navigation" in facts["audits"][r["id"]]["supportedModes"]  # a page load's
        ]
        assert [(r["id"], r.get("group")) for r in category["auditRefs"]] == [
            (audit_id, group) for audit_id, _, group in refs
        ]
        for ref, (_, weight, _) in zip(category["auditRefs"], refs, strict=True):
            mode = recorded["audits"][ref["id"]]["scoreDisplayMode"]
            assert ref["weight"] == (0 if mode in unweighted else weight), ref["id"]
    assert recorded["categoryGroups"] == {
        k: {key: v for key, v in group.items() if v is not None}
        for k, group in facts["categoryGroups"].items()
    }
    assert (
        recorded["configSettings"]["screenEmulation"]
        == facts["presets"]["mobile"]["screenEmulation"]
    )


# ------------------------------------------------------------------------------ PSI


def test_a_psi_row_returns_googles_lhr_as_it_came(
    google: FakeGoogle,  # noqa: F811
    lhr8: dict[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    google.script("/psi", Answer(200, {"id": PAGE, "lighthouseResult": lhr8}))
    scores = psdata.analyze(
        [PAGE], engine="psi", psi_key=KEY, psi_endpoint=f"{google.url}/psi",
        crux_endpoint=f"{google.url}/crux", progress=False, cache_dir=tmp_path,
    )  # fmt: skip
    assert scores.loc[0, "engine"] == "psi"
    assert psdata.to_lhr(scores, 0) == lhr8
    page = psdata.report(scores, tmp_path / "psi.html").read_text()
    assert json.dumps(lhr8["finalUrl"]) in page


# ------------------------------------------------------------------------------ notebooks


def test_a_row_shows_inline_as_lighthouses_report(measured: pd.DataFrame) -> None:
    lhr = psdata.to_lhr(measured, "simple")
    assert repr(lhr).startswith("<LighthouseResult http") and "performance" in repr(lhr)
    for shown in (lhr._repr_html_(), psdata.show(measured, "simple", height=500)._repr_html_()):
        srcdoc = re.search(r'srcdoc="(.*)"', shown, re.DOTALL)
        assert srcdoc is not None and html.unescape(srcdoc.group(1)) == lhr.to_html()
    assert "height: 500px" in psdata.show(measured, "simple", height=500)._repr_html_()


# ------------------------------------------------------------------------------ bad input


def test_a_row_that_is_not_in_the_frame_is_a_clear_error(measured: pd.DataFrame) -> None:
    with pytest.raises(psdata.ConfigurationError, match="row 'nope' is not in the frame's index"):
        psdata.to_lhr(measured, "nope")
    doubled = pd.concat([measured, measured])
    doubled.attrs = measured.attrs
    with pytest.raises(psdata.ConfigurationError, match="names 2 rows"):
        psdata.to_lhr(doubled, "waste")


def test_a_path_that_cannot_be_written_is_a_clear_error(
    measured: pd.DataFrame, tmp_path: Path
) -> None:
    with pytest.raises(psdata.PsdataError, match=r"cannot write the report to .*missing"):
        psdata.report(measured, tmp_path / "missing" / "report.html")


def test_a_frame_without_its_details_gives_a_report_that_explains_itself(
    measured: pd.DataFrame, tmp_path: Path
) -> None:
    measured.to_csv(tmp_path / "scores.csv")  # CSV keeps no psdata metadata
    old = pd.read_csv(tmp_path / "scores.csv", index_col=0)
    lhr = psdata.to_lhr(old, "waste")
    assert "carries no psdata settings" in lhr["runWarnings"][0]
    assert lhr["categories"]["performance"]["score"] == measured.loc["waste", "performance"] / 100
    assert f"fcp_ms {measured.loc['waste', 'fcp_ms']:g}" in lhr["runWarnings"][0]

    elsewhere = psdata.to_lhr(measured, "waste", cache_dir=tmp_path / "empty")
    assert "holds no details for this row" in elsewhere["runWarnings"][0]
    assert not (tmp_path / "empty").exists()  # looking did not create a store

    page = psdata.report(old, tmp_path / "old.html").read_text()
    assert "Not available: This frame has no psdata settings" in page


def test_an_empty_frame_writes_a_page_that_says_so(tmp_path: Path) -> None:
    empty = psdata.build_frame([])
    assert "No rows." in psdata.report(empty, tmp_path / "empty.html").read_text()


# ------------------------------------------------------------------------------ CLI


def test_the_report_command_writes_the_page_of_a_parquet_file(
    measured: pd.DataFrame, tmp_path: Path
) -> None:
    psdata.to_parquet(measured, tmp_path / "scores.parquet")
    done = psdata_cli("report", "scores.parquet", "-o", "report.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "report.html").read_text()
    assert page.count('<script type="application/json" id="lhr-') == 3
    assert "Potential savings of" in page  # the waste page's audits came from the store
    missing = psdata_cli("report", "nothing.parquet", cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr
