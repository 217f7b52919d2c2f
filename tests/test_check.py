"""``psdata.check`` and ``psdata check``: assertions on real measurements, psdata's own
additions (not measured, third parties, pattern blocks, the representative run), bad
input, and the reports. Lighthouse CI's meaning itself is checked in test_check_lhci.py."""

from __future__ import annotations

import dataclasses
import gzip
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import psdata
from conftest import FAST, FIXTURES
from psdata.analysis.assertions import Run, evaluate, representative
from psdata.analysis.check import run_from_record
from psdata.analysis.lhci_config import load_assertions
from psdata.demo.server import ServedSite
from psdata.engines.psi import record_from_psi
from test_cli import psdata_cli, write_urls

RUNS = FIXTURES / "lighthouse-runs"


def recorded_runs(*names: str) -> list[Run]:
    """Recorded Lighthouse reports read through the PSI engine's mapping, one run each."""
    runs = []
    for name in names:
        path = RUNS / f"{name}.json.gz" if (RUNS / f"{name}.json.gz").exists() else FIXTURES / name
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            lhr = json.load(handle)
        strategy = lhr["configSettings"]["formFactor"]
        runs.append(run_from_record(*record_from_psi({"lighthouseResult": lhr}, strategy)))
    return runs


RENDER_BLOCKING = [f"render-blocking-mobile-simulate-run{i}" for i in (1, 2, 3)]
LONG_TASKS = [f"long-tasks-mobile-devtools-run{i}" for i in (1, 2)]


def judge(runs: list[Run], assertions: Any, **options: Any) -> pd.DataFrame:
    return evaluate(runs, load_assertions(assertions), **options)


def one(checks: pd.DataFrame, **where: Any) -> pd.Series:
    rows = checks
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (where, rows)
    return rows.iloc[0]


# ----------------------------------------------------------------- real measurements


ASSERTIONS = {
    "assertions": {
        "categories:seo": ["error", {"minScore": 0.5}],
        "categories:accessibility": "error",  # not measured in this batch
        "first-contentful-paint": ["warn", {"maxNumericValue": 60000}],
        "render-blocking-resources": ["error", {"maxLength": 0}],
        "resource-summary:document:count": ["error", {"maxNumericValue": 1}],
        "resource-summary:stylesheet:count": ["error", {"maxNumericValue": 0}],
        "work-during-interaction": "warn",  # a timespan audit: no navigation has it
        "speed-indx": "warn",  # no Lighthouse audit: a typo fails, as in Lighthouse CI
    }
}


@pytest.fixture(scope="module")
def measured(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Real lab measurements: a plain page, a page with a slow style sheet, a 404."""
    cache = tmp_path_factory.mktemp("check-store")
    urls = [site.url("/simple.html"), site.url("/opp/blocking.html"), site.url("/__status/404")]
    return psdata.analyze(
        urls, categories=["performance", "seo"], cache_dir=cache, **FAST
    )  # the store of this frame is in its attrs


def test_check_of_real_measurements(measured: pd.DataFrame) -> None:
    checks = psdata.check(measured, ASSERTIONS)
    assert checks.dtypes["passed"] == "boolean" and checks.dtypes["level"] == "category"
    simple, blocking, missing = measured["url"]
    for url in (simple, blocking):
        assert one(checks, url=url, key="categories:seo")["passed"]
        fcp = one(checks, url=url, key="first-contentful-paint")
        assert fcp["actual"] == measured.set_index("url").loc[url, "fcp_ms"]  # the same value
        assert fcp["aggregation"] == "optimistic" and fcp["runs"] == 1
        documents = one(checks, url=url, key="resource-summary:document:count")
        assert (documents["actual"], documents["passed"]) == (1.0, True)
        for key, why in [("categories:accessibility", "category was not measured"),
                         ("work-during-interaction", "no such audit")]:  # fmt: skip
            row = one(checks, url=url, key=key)
            assert pd.isna(row["passed"]) and why in row["message"]
    sheets = one(checks, url=blocking, key="resource-summary:stylesheet:count")
    assert (sheets["actual"], sheets["passed"]) == (1.0, False)
    assert one(checks, url=simple, key="resource-summary:stylesheet:count")["passed"]
    blocked = one(checks, url=blocking, key="render-blocking-resources")
    assert blocked["actual"] >= 1 and not blocked["passed"] and blocked["level"] == "error"
    typo = one(checks, url=simple, key="speed-indx")
    assert (typo["assertion"], typo["passed"]) == ("auditRan", False)
    assert typo["message"] == '"speed-indx" is not a known Lighthouse audit.'
    gone = checks[checks["url"] == missing]
    assert len(gone) == 8 and gone["passed"].isna().all()
    assert gone["message"].str.contains("the page was not scored").all()


def test_audits_show_the_numeric_value_assertions_read(measured: pd.DataFrame) -> None:
    table = psdata.audits(measured)
    lcp = table[table["audit_id"] == "largest-contentful-paint"]
    scored = measured[measured["error"].isna()]
    assert lcp["numeric_value"].tolist() == scored["lcp_ms"].tolist() and len(lcp) == 2


def test_the_cli_checks_a_results_file_and_writes_junit_and_markdown(
    measured: pd.DataFrame, tmp_path: Path
) -> None:
    results = psdata.to_parquet(measured, tmp_path / "scores.parquet")
    (tmp_path / "rc.json").write_text(json.dumps({"ci": {"assert": ASSERTIONS}}))
    done = psdata_cli(
        "check", results, "--assertions", "rc.json", "--junit", "checks.xml", "--summary",
        "summary.md", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # error assertions failed
    checks = psdata.check(measured, ASSERTIONS)
    failed_errors = int((checks["passed"].eq(False) & checks["level"].eq("error")).sum())
    assert f"{failed_errors} failed (error)" in done.stdout
    assert "resource-summary:stylesheet:count maxNumericValue <= 0: found 1" in done.stdout
    suites = ET.parse(tmp_path / "checks.xml").getroot()
    assert int(suites.get("failures", -1)) == failed_errors
    assert int(suites.get("skipped", -1)) == int(checks["passed"].isna().sum())
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## ❌") and "`resource-summary:stylesheet:count`" in summary

    (tmp_path / "loose.json").write_text(json.dumps({"assertions": {"categories:seo": "warn"}}))
    done = psdata_cli("check", results, "--assertions", "loose.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_analyze_with_assertions_judges_what_it_measured(site: ServedSite, tmp_path: Path) -> None:
    write_urls(tmp_path / "urls.txt", [site.url("/simple.html?assert")])
    budget = [{"resourceCounts": [{"resourceType": "total", "budget": 0}]}]
    (tmp_path / "budget.json").write_text(json.dumps(budget))
    done = psdata_cli(
        "analyze", "urls.txt", "--categories", "performance", "--assertions", "budget.json",
        "--junit", "checks.xml", "-o", "scores.parquet", "--quiet-window-ms", "200",
        "--no-progress", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # every row scored, but the budget failed
    assert "1 of 1 rows scored" in done.stdout
    assert "resource-summary:total:count maxNumericValue <= 0: found 1" in done.stdout
    case = ET.parse(tmp_path / "checks.xml").getroot().find(".//failure")
    assert case is not None and "budget[0] (path /)" in (case.text or "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing.parquet", "--assertions", "rc.json"], "cannot read missing.parquet"),
        (["check", "scores.parquet", "--assertions", "bad.json"], "not valid JSON"),
        (["check", "scores.parquet"], "--assertions"),
        (["check", "scores.csv", "--assertions", "rc.json"], "cannot read scores.csv"),
        (["analyze", "urls.txt", "--assertions", "bad.json"], "not valid JSON"),
        (["analyze", "urls.txt", "--junit", "x.xml"], "give it"),
    ],
)
def test_check_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    write_urls(tmp_path / "urls.txt", ["http://127.0.0.1:9/"])
    (tmp_path / "rc.json").write_text('{"assertions": {"categories:seo": "error"}}')
    (tmp_path / "bad.json").write_text('{"assertions": {"categories:seo": "error",}}')
    (tmp_path / "scores.csv").write_text("url\nhttp://127.0.0.1:9/\n")
    psdata.to_parquet(psdata.build_frame([]), tmp_path / "scores.parquet")
    done = psdata_cli(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr and "Traceback" not in done.stderr


def test_a_frame_without_psdata_metadata_is_refused() -> None:
    with pytest.raises(psdata.ConfigurationError, match="no psdata settings"):
        psdata.check(pd.DataFrame({"url": ["https://a.org/"]}), {"assertions": {}})


# ----------------------------------------------------------------- psdata's additions


def test_third_parties_can_be_left_out() -> None:
    """The Lighthouse 8 report of dkdevelopment.net loads fonts and scripts of other sites."""
    (run,) = recorded_runs("psi-lighthouse-result-8.0.0.json.gz")
    with gzip.open(FIXTURES / "psi-lighthouse-result-8.0.0.json.gz", "rt") as handle:
        rows = {r["resourceType"]: r for r in json.load(handle)["audits"]["resource-summary"]
                ["details"]["items"]}  # fmt: skip
    counts = {
        "resource-summary:total:count": ["error", {"maxNumericValue": 0}],
        "resource-summary:third-party:count": ["error", {"maxNumericValue": 0}],
        "resource-summary:font:size": ["error", {"maxNumericValue": 0, "thirdParty": True}],
    }
    everything = judge([run], {"assertions": counts})
    first_party = judge([run], {"assertions": counts}, third_party=False)
    actual = {key: one(everything, key=key)["actual"] for key in counts}
    # psdata's registrable-domain split finds Lighthouse's own third-party requests here
    assert actual["resource-summary:third-party:count"] == rows["third-party"]["requestCount"] == 8
    assert actual["resource-summary:total:count"] == rows["total"]["requestCount"]
    assert one(first_party, key="resource-summary:total:count")["actual"] == 19 - 8
    assert one(first_party, key="resource-summary:third-party:count")["actual"] == 0
    fonts = one(first_party, key="resource-summary:font:size")["actual"]  # thirdParty: true wins
    assert fonts == rows["font"]["transferSize"] > 0

    items = run.audits["uses-long-cache-ttl"].items
    own = [item for item in items if "dkdevelopment.net" in str(item.get("url"))]
    assert 0 < len(own) < len(items)
    cache = {"uses-long-cache-ttl": ["warn", {"maxLength": 0, "thirdParty": False}]}
    assert one(judge([run], {"assertions": cache}), key="uses-long-cache-ttl")["actual"] == len(own)


def test_pattern_blocks_add_to_and_override_the_base_assertions() -> None:
    runs = recorded_runs(*RENDER_BLOCKING, *LONG_TASKS)
    config = {
        "aggregationMethod": "median",
        "assertions": {"categories:performance": ["error", {"minScore": 0.9}], "dom-size": "warn"},
        "patterns": [
            {
                "matchingUrlPattern": "long-tasks",
                "aggregationMethod": "pessimistic",
                "assertions": {
                    "categories:performance": ["warn", {"minScore": 0.5}],
                    "dom-size": "off",
                    "long-tasks": ["error", {"maxLength": 10}],
                },
            }
        ],
    }
    checks = judge(runs, config)
    base = checks[checks["url"].str.contains("render-blocking")]
    assert sorted(base["key"]) == ["categories:performance", "dom-size"]
    assert set(base["aggregation"]) == {"median"} and set(base["source"]) == {"assertions"}
    tasks = checks[checks["url"].str.contains("long-tasks")]
    assert sorted(tasks["key"]) == ["categories:performance", "long-tasks"]
    performance = one(tasks, key="categories:performance")
    assert (performance["level"], performance["expected"]) == ("warn", 0.5)
    assert performance["aggregation"] == "pessimistic"
    assert performance["source"] == "assertions.patterns[0]"
    assert one(tasks, key="long-tasks")["actual"] == 4


def test_median_run_reads_the_representative_run_even_for_categories() -> None:
    """Lighthouse CI takes the best run's category score under median-run; psdata the
    representative run's (the one nearest the median FCP and TTI), as it does for audits."""
    runs = recorded_runs(*RENDER_BLOCKING)
    chosen = representative(runs)
    assert chosen is runs[1]  # FCP 1703, 1756, 1778: the median run is the second
    config = {"aggregationMethod": "median-run", "assertions": {"categories:performance": "error"}}
    row = one(judge(runs, config), key="categories:performance")
    assert row["actual"] == runs[1].categories["performance"] == 0.97
    assert max(run.categories["performance"] for run in runs) == 0.99
    # A run flagged representative (psdata's repeated runs choose one) is the one read.
    flagged = [dataclasses.replace(run, representative=i == 0) for i, run in enumerate(runs)]
    assert one(judge(flagged, config), key="categories:performance")["actual"] == 0.99


def test_a_result_missing_in_some_runs_fails_and_says_how_many() -> None:
    runs = recorded_runs(*LONG_TASKS)
    audits = {k: v for k, v in runs[1].audits.items() if k != "dom-size"}
    runs[1] = dataclasses.replace(runs[1], audits=audits)
    row = one(judge(runs, {"assertions": {"dom-size": "error"}}), key="dom-size")
    assert (row["assertion"], row["passed"], row["values"]) == ("auditRan", False, [1.0, 0.0])
    assert "missing in 1 of 2 runs" in row["message"]


def test_a_failed_run_among_good_ones_is_left_out() -> None:
    runs = recorded_runs(*LONG_TASKS)
    runs[0] = dataclasses.replace(runs[0], error="PageTimeoutError: too slow")
    row = one(judge(runs, {"assertions": {"interactive": "warn"}}), key="interactive")
    assert row["runs"] == 1 and row["values"] == [runs[1].audits["interactive"].score]


# ----------------------------------------------------------------- bad input


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"assertions": {"dom-size": ["error", {"minscore": 0.9}]}}, "unknown key 'minscore'"),
        ({"assertions": {"firstContentfulPaint": "error"}}, "write 'first-contentful-paint'"),
        ({"assertions": {"categories:performance": ["error", {"minScore": 90}]}}, "0 to 1"),
        ({"assertions": {"dom-size": "fatal"}}, "level must be one of"),
        ({"assertions": {"dom-size": ["error", {"aggregationMethod": "mean"}]}}, "median-run"),
        ({"assertions": {"dom-size": ["error", {"maxLength": "0"}]}}, "finite number"),
        (
            {"assertions": {"dom-size": ["error", {"minScore": 0.5, "thirdParty": False}]}},
            "thirdParty applies",
        ),
        ({"assertions": {"categories:speed": "error"}}, "categories:<id>"),
        ({"assertions": {"categories:seo": ["error", {"maxNumericValue": 1}]}}, "minScore only"),
        ({"assertions": {"resource-summary:scripts:size": "error"}}, "resource-summary:<type>"),
        ({"assertions": {"resource-summary:script:size": "error"}}, "takes maxNumericValue"),
        ({"assertions": {"dom-size:nodes": "error"}}, "takes no ':' part"),
        ({"assertions": {"performance-budget": "error"}}, "budget.json itself"),
        ({"matchingUrlPattern": "(", "assertions": {}}, "not a valid regular expression"),
        ({"preset": "lighthouse:strict"}, "unknown preset"),
        ({"preset": "lighthouse:all", "assertMatrix": []}, "cannot be combined"),
        ({"assertMatrix": []}, "non-empty list"),
        ({"budgetsFile": "b.json", "assertions": {}}, "cannot be combined"),
        ({"assertions": {}, "patterns": [{"assertions": {}}]}, "needs a matchingUrlPattern"),
        ({"assertions": {}, "collect": {}}, "unknown key 'collect'"),
        ({"aggregationMethod": "median"}, "No assertions to use"),
        ({"ci": {"collect": {}}}, "no ci.assert section"),
        ([], "budget list is empty"),
        ([{"resourceSizes": [{"resourceType": "scripts", "budget": 1}]}], "unknown resourceType"),
        ([{"timings": [{"metric": "first-paint", "budget": 1}]}], "unknown metric"),
        (
            [
                {
                    "resourceCounts": [
                        {"resourceType": "font", "budget": 1},
                        {"resourceType": "font", "budget": 2},
                    ]
                }
            ],
            "twice",
        ),
        ([{"path": "/a*b*", "timings": []}], "one '*'"),
        ([{"timings": [{"metric": "interactive"}]}], "numeric budget"),
        ([{"sizes": []}], "unknown key 'sizes'"),
    ],
)
def test_bad_assertions_are_clear_configuration_errors(config: Any, message: str) -> None:
    with pytest.raises(psdata.ConfigurationError, match=message.replace("(", r"\(")):
        load_assertions(config)


def test_files_json_yaml_budgets_file_and_refusals(tmp_path: Path) -> None:
    budget = [{"path": "/blog/*", "resourceCounts": [{"resourceType": "script", "budget": 3}]}]
    write(tmp_path, "budget.json", json.dumps(budget))
    rc = write(
        tmp_path,
        "lighthouserc.json",
        json.dumps({"ci": {"assert": {"budgetsFile": "budget.json"}}}),
    )
    (block,) = load_assertions(rc)  # budgetsFile is read beside the lighthouserc file
    assert block.source == "budget[0] (path /blog/*)"
    assert block.matches("https://a.org/blog/post") and not block.matches("https://a.org/")
    assert block.entries["resource-summary:script:count"].max_numeric_value == 3  # type: ignore[union-attr]

    yaml = write(
        tmp_path,
        "rc.yml",
        "ci:\n  assert:\n    assertions:\n      dom-size: [warn, {maxNumericValue: 800}]\n",
    )
    (block,) = load_assertions(yaml)
    assert block.entries["dom-size"].max_numeric_value == 800  # type: ignore[union-attr]

    for name, text, message in [
        ("broken.json", '{"assertions": {', "not valid JSON: .* line 1"),
        ("broken.yml", "assertions: [", "not valid YAML"),
        ("lighthouserc.js", "module.exports = {}", "is JavaScript"),
    ]:
        with pytest.raises(psdata.ConfigurationError, match=message):
            load_assertions(write(tmp_path, name, text))
    with pytest.raises(psdata.ConfigurationError, match="Cannot read"):
        load_assertions(tmp_path / "absent.json")


def test_preset_entries_merge_as_in_lighthouse_ci() -> None:
    (block,) = load_assertions(
        {
            "preset": "lighthouse:recommended",
            "assertions": {
                "unused-javascript": ["warn", {"maxNumericValue": 100}],
                "render-blocking-resources": "error",
                "long-tasks": "off",
            },
        }
    )
    merged = block.entries["unused-javascript"]
    assert merged is not None and (merged.level, merged.max_length) == ("warn", 0)
    assert merged.max_numeric_value == 100 and merged.min_score is None
    assert merged.source == "assertions"
    replaced = block.entries["render-blocking-resources"]
    assert replaced is not None and (replaced.max_length, replaced.min_score) == (None, 0.9)
    assert block.entries["long-tasks"] is None
    assert block.entries["dom-size"].source == "lighthouse:recommended"  # type: ignore[union-attr]


# ----------------------------------------------------------------- reports


def test_reports_list_failures_errors_first_and_what_was_not_measured() -> None:
    runs = recorded_runs(*LONG_TASKS)
    checks = judge(
        runs,
        {
            "assertions": {
                "total-blocking-time": ["warn", {"maxNumericValue": 100}],
                "interactive": ["error", {"maxNumericValue": 1000}],
                "categories:pwa": "error",
                "dom-size": ["error", {"maxNumericValue": 100}],
            }
        },
    )
    text = psdata.check_report(checks)
    assert text.splitlines()[0] == (
        "psdata check: 1 page, 4 assertions: 1 passed, 1 failed (error), 1 warning, 1 not measured"
    )
    body = text.splitlines()[3:]
    assert body[0].startswith("  error  interactive maxNumericValue <= 1000: found 1888.66")
    assert body[1].startswith("  warn   total-blocking-time")
    assert body[2].startswith("  n/a    not measured: the category was not measured")
    assert body[2].endswith(": categories:pwa")

    markdown = psdata.check_report(checks, "markdown")
    assert markdown.startswith("## ❌ psdata check") and "| 1 | 4 | 1 | 1 | 1 | 1 |" in markdown
    assert "<details><summary>1 not measured</summary>" in markdown

    suites = ET.fromstring(psdata.check_report(checks, "junit"))
    cases = {case.get("name"): case for case in suites.iter("testcase")}
    assert cases["interactive maxNumericValue [error]"].find("failure") is not None
    warned = cases["total-blocking-time maxNumericValue [warn]"]
    assert warned.find("failure") is None and "warning:" in (warned.findtext("system-out") or "")
    assert cases["categories:pwa minScore [error]"].find("skipped") is not None
    assert list(cases["dom-size maxNumericValue [error]"]) == []
    with pytest.raises(psdata.ConfigurationError, match="format must be one of"):
        psdata.check_report(checks, "html")
