"""``psdata.check`` gives Lighthouse CI's own answers, assertion by assertion.

Lighthouse CI's assertion code (``@lhci/utils``, pinned in ``tests/lhci``; ``npm ci``
there is part of ``scripts/setup.sh``) judges recorded Lighthouse reports; psdata judges
the same reports read through the PSI engine's report mapping. Every result must agree:
the bound checked, the level, the value found (after aggregation over the runs), the
per-run values and the verdict. Where psdata knows a value was not measured (an audit
or category the report lacks), it says so (``passed`` NA) where Lighthouse CI reports a
failed ``auditRan``: that pairing is checked too.

Deliberate differences, kept out of the compared sets and tested on their own in
``test_check.py``: ``median-run`` on a category (Lighthouse CI takes the best run's
score there), resource summaries of reports without a ``resource-summary`` audit
(psdata counts the request list), and psdata's own ``thirdParty`` and ``patterns``.
"""

from __future__ import annotations

import copy
import gzip
import json
import math
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import psdata
from conftest import FIXTURES
from psdata.analysis.assertions import Run, evaluate
from psdata.analysis.check import run_from_record
from psdata.analysis.lhci_config import AGGREGATIONS, kebab, load_assertions
from psdata.analysis.lhci_presets import LHCI_VERSION, PRESETS
from psdata.demo.server import serve_directory
from psdata.engines.psi import record_from_psi

LHCI = Path(__file__).parent / "lhci"
RUNS = FIXTURES / "lighthouse-runs"

#: Report groups: the runs of one page (Lighthouse CI groups reports by final URL).
GROUPS: dict[str, list[Path]] = {
    "render-blocking": [
        RUNS / f"render-blocking-mobile-simulate-run{i}.json.gz" for i in (1, 2, 3)
    ],
    "long-tasks": [RUNS / f"long-tasks-mobile-devtools-run{i}.json.gz" for i in (1, 2)],
    "a11y-seo": [RUNS / "a11y-seo-desktop-simulate-run1.json.gz"],
    "git-devtools": [FIXTURES / "lighthouse-12.2.3-mobile-devtools.json.gz"],
    "asyncio-simulate": [FIXTURES / "lighthouse-12.2.3-mobile-simulate.json.gz"],
    "lighthouse-8": [FIXTURES / "psi-lighthouse-result-8.0.0.json.gz"],
}
#: Made in a temporary folder from recorded reports (see the ``reports`` fixture).
DERIVED = ("lighthouse-4", "user-timings")
#: Groups whose reports have a resource-summary audit (Lighthouse CI reads it).
SUMMARIZED = [name for name in GROUPS if name != "lighthouse-4"]

#: One assertion of each kind and option, with bounds between the recorded runs' values
#: so that the aggregation method decides the outcome (render-blocking FCP 1703/1756/1778
#: ms, long-tasks TTI 1892/1889 ms and TBT 911/908 ms, performance 0.99/0.97/0.97).
PER_METHOD: dict[str, Any] = {
    "first-contentful-paint": ["error", {"maxNumericValue": 1750}],
    "interactive": ["error", {"maxNumericValue": 1890}],
    "total-blocking-time": ["warn", {"maxNumericValue": 909}],
    "speed-index": ["error", {"maxNumericValue": 3900, "minScore": 0.5}],
    "largest-contentful-paint": "error",
    "cumulative-layout-shift": ["error", {"maxNumericValue": 0.1}],
    "server-response-time": ["error", {"maxNumericValue": 5}],
    "dom-size": ["error", {"maxNumericValue": 15}],
    "uses-long-cache-ttl": ["error", {"maxLength": 1}],
    "long-tasks": ["warn", {"maxLength": 1}],
    "errors-in-console": ["error", {"maxLength": 0}],
    "bootup-time": ["error", {"minScore": 1}],
    "render-blocking-resources": ["error", {"minScore": 0.5}],
    "resource-summary:script:count": ["error", {"maxNumericValue": 0}],
    "resource-summary:total:size": ["error", {"maxNumericValue": 2300}],
    "resource-summary.document.size": ["warn", {"maxNumericValue": 5000}],
    "resource-summary:image:size": ["error", {"maxNumericValue": 1000}],
    "resource-summary:other:count": ["error", {"maxNumericValue": 0}],
    "resource-summary:third-party:count": ["error", {"maxNumericValue": 0}],
    "resource-summary:font:count": ["error", {"maxNumericValue": 0}],
}
CATEGORY_ASSERTIONS: dict[str, Any] = {
    "categories:performance": ["error", {"minScore": 0.98}],
    "categories.seo": ["warn", {"minScore": 0.9}],
    "categories:accessibility": "error",
}

CASES: dict[str, dict[str, Any]] = {
    "preset-all": {"groups": [*GROUPS, *DERIVED], "options": {"preset": "lighthouse:all"}},
    "preset-no-pwa-pessimistic": {
        "groups": [*GROUPS, "lighthouse-4"],
        "options": {"preset": "lighthouse:no-pwa", "aggregationMethod": "pessimistic"},
    },
    "preset-recommended-merged": {
        "groups": [*GROUPS, "lighthouse-4"],
        "options": {
            "preset": "lighthouse:recommended",
            "assertions": {
                "unused-javascript": ["warn", {"maxNumericValue": 100}],  # + preset maxLength
                "render-blocking-resources": "error",  # a level replaces the preset's entry
                "uses-long-cache-ttl": ["error"],  # a level in a list keeps its maxLength
                "long-tasks": ["warn", {"maxLength": 2}],  # the preset has it off
                "dom-size": "off",
                "not-an-audit": "error",  # no Lighthouse audit has this id
                **CATEGORY_ASSERTIONS,
            },
        },
    },
    **{
        f"aggregation-{method}": {
            "groups": SUMMARIZED,
            "options": {
                "aggregationMethod": method,
                "assertions": {
                    **PER_METHOD,
                    **(CATEGORY_ASSERTIONS if method != "median-run" else {}),
                },
            },
        }
        for method in AGGREGATIONS
    },
    "per-assertion-methods": {
        "groups": SUMMARIZED,
        "options": {
            "assertions": {
                key: [value, {"aggregationMethod": method}]
                if isinstance(value, str)
                else [value[0], {**value[1], "aggregationMethod": method}]
                for key, value in PER_METHOD.items()
                for method in [AGGREGATIONS[len(key) % len(AGGREGATIONS)]]
            }
        },
    },
    "not-measured": {
        "groups": ["render-blocking", "git-devtools", "lighthouse-4"],
        "options": {
            "assertions": {
                "categories:pwa": "error",  # gone from Lighthouse 12
                "categories:seo": "warn",  # not requested in the Lighthouse 4 report
                "first-meaningful-paint": ["error", {"maxNumericValue": 2000}],  # gone too
                "work-during-interaction": "warn",  # a timespan audit
                "made-up-audit": ["warn", {"maxLength": 0}],
            }
        },
    },
    "assert-matrix": {
        "groups": SUMMARIZED,
        "options": {
            "assertMatrix": [
                {
                    "matchingUrlPattern": "render-blocking|long-tasks",
                    "preset": "lighthouse:recommended",
                    "aggregationMethod": "median",
                    "assertions": {"first-contentful-paint": ["error", {"maxNumericValue": 1000}]},
                },
                {
                    "matchingUrlPattern": r"127\.0\.0\.1:18791/",
                    "assertions": {
                        "categories:accessibility": ["error", {"minScore": 0.5}],
                        "speed-index": [
                            "warn",
                            {"maxNumericValue": 3000, "aggregationMethod": "pessimistic"},
                        ],
                    },
                },
                {
                    "matchingUrlPattern": "^https://",
                    "assertions": {"categories:performance": "warn"},
                },
                {"matchingUrlPattern": "no-such-page", "preset": "lighthouse:all"},
            ]
        },
    },
    "budgets": {
        "groups": SUMMARIZED,
        "budgets": [
            {
                "path": "/*.html",
                "timings": [
                    {"metric": "first-contentful-paint", "budget": 1750},
                    {"metric": "interactive", "budget": 1890},
                    {"metric": "max-potential-fid", "budget": 100},
                    {"metric": "cumulative-layout-shift", "budget": 0.05},
                    {"metric": "first-meaningful-paint", "budget": 1000},
                ],
                "resourceSizes": [
                    {"resourceType": "total", "budget": 2},
                    {"resourceType": "script", "budget": 100},
                ],
                "resourceCounts": [
                    {"resourceType": "total", "budget": 4},
                    {"resourceType": "third-party", "budget": 0},
                ],
            },
            {
                "path": "/render-blocking.html$",
                "resourceCounts": [{"resourceType": "stylesheet", "budget": 0}],
            },
            {"path": "/", "resourceSizes": [{"resourceType": "document", "budget": 20}]},
            {
                "options": {"firstPartyHostnames": ["*.dkdevelopment.net"]},
                "timings": [{"metric": "speed-index", "budget": 3000}],
            },
        ],
    },
    "user-timings": {
        "groups": ["user-timings"],
        "options": {
            "assertions": {
                "user-timings:hero:loaded": ["error", {"maxNumericValue": 40}],
                "user-timings.app-ready": ["error", {"maxNumericValue": 400}],
                "user-timings:never-marked": ["warn", {"maxNumericValue": 1}],
            }
        },
    },
}
#: Inputs both must refuse.
REFUSED: dict[str, dict[str, Any]] = {
    "matrix-with-preset": {
        "groups": ["a11y-seo"],
        "options": {"preset": "lighthouse:all", "assertMatrix": [{"assertions": {}}]},
    },
    "bad-resource-summary": {
        "groups": ["a11y-seo"],
        "options": {"assertions": {"resource-summary:script:weight": "error"}},
    },
    "budget-unknown-resource-type": {
        "groups": ["a11y-seo"],
        "budgets": [{"resourceSizes": [{"resourceType": "scripts", "budget": 1}]}],
    },
    "budget-unknown-metric": {
        "groups": ["a11y-seo"],
        "budgets": [{"timings": [{"metric": "first-paint", "budget": 1}]}],
    },
    "budget-path-without-slash": {
        "groups": ["a11y-seo"],
        "budgets": [{"path": "blog/*", "timings": [{"metric": "interactive", "budget": 1}]}],
    },
}


def load_report(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    return dict(data.get("lighthouseResult", data))


def write_report(path: Path, lhr: dict[str, Any]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(lhr, handle)
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Every group's report files, the derived ones written to a temporary folder.

    ``lighthouse-4``: the Lighthouse 4.1.0 report inside the recorded PSI v5 response.
    ``user-timings``: the a11y-seo report with two user timings added to its (empty)
    ``user-timings`` audit, as Lighthouse lists them, since no recorded page has any.
    """
    folder = tmp_path_factory.mktemp("reports")
    old = load_report(FIXTURES / "psi-v5-response.json.gz")
    timed = load_report(GROUPS["a11y-seo"][0])
    timed["audits"]["user-timings"]["details"] = {
        "type": "table",
        "items": [
            {"name": "hero:Loaded", "timingType": "Measure", "startTime": 120.5, "duration": 30.25},
            {"name": "appReady", "timingType": "Mark", "startTime": 480.0},
        ],
    }
    return {
        **GROUPS,
        "lighthouse-4": [write_report(folder / "lighthouse-4.json.gz", old)],
        "user-timings": [write_report(folder / "user-timings.json.gz", timed)],
    }


def run_lhci(request: dict[str, Any]) -> dict[str, Any]:
    """Run ``tests/lhci/assert.js`` (Lighthouse CI's assertion code) on *request*."""
    node = shutil.which("node")
    assert node, "Node.js is needed to run Lighthouse CI's code (see scripts/setup.sh)"
    installed = LHCI / "node_modules" / "@lhci" / "utils" / "package.json"
    assert installed.exists(), "run scripts/setup.sh: it installs tests/lhci (npm ci)"
    assert json.loads(installed.read_text())["version"] == LHCI_VERSION
    done = subprocess.run(
        [node, str(LHCI / "assert.js")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def lhci(reports: dict[str, list[Path]]) -> dict[str, Any]:
    """Lighthouse CI's results for every case, and its preset tables, in one Node run."""
    cases = [
        {
            "name": name,
            "lhrs": [str(path) for group in case["groups"] for path in reports[group]],
            **({"budgets": case["budgets"]} if "budgets" in case else {"options": case["options"]}),
        }
        for name, case in {**CASES, **REFUSED}.items()
    ]
    return run_lhci({"presets": True, "cases": cases})


def runs_of(paths: list[Path]) -> list[Run]:
    """The reports as psdata reads them: the PSI engine's mapping, then one run per row."""
    runs = []
    for path in paths:
        lhr = load_report(path)
        settings = lhr.get("configSettings") or {}
        strategy = settings.get("formFactor") or settings.get("emulatedFormFactor") or "mobile"
        record, details = record_from_psi({"lighthouseResult": lhr}, strategy)
        runs.append(run_from_record(record, details))
    return runs


def psdata_results(case: dict[str, Any], reports: dict[str, list[Path]]) -> pd.DataFrame:
    runs = [run for group in case["groups"] for run in runs_of(reports[group])]
    return evaluate(runs, load_assertions(case.get("budgets") or case["options"]))


def identity(key: str) -> tuple[str, str | None]:
    """Lighthouse CI's (auditId, auditProperty) of an assertion key."""
    head, *rest = [part for part in re.split(r"[.:]", key) if part]
    if head == "categories":
        return head, rest[0]
    if head == "resource-summary" and rest:
        return head, ".".join(rest)
    if head == "user-timings" and rest:
        return head, kebab("-".join(rest), words_only=True)
    return head, None


def number(value: Any) -> float:
    return math.nan if value is None else float(value)


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


def pwa_only(path: Path) -> set[tuple[str, str]]:
    """(final URL, audit id) of the audits a report lists under its pwa category only.

    psdata has no pwa category (Lighthouse 12 neither), so its PSI mapping does not keep
    them: psdata says "not measured" where Lighthouse CI judges them (Lighthouse 8).
    """
    lhr = load_report(path)
    refs = {name: {r["id"] for r in c["auditRefs"]} for name, c in lhr["categories"].items()}
    others = set().union(*(ids for name, ids in refs.items() if name != "pwa"))
    return {(lhr["finalUrl"], audit) for audit in refs.get("pwa", set()) - others}


PWA_ONLY = pwa_only(GROUPS["lighthouse-8"][0])


def compare(ours: pd.DataFrame, theirs: list[dict[str, Any]]) -> int:
    """Assert that both give the same results; return how many were compared."""
    mine: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in ours.to_dict("records"):
        mine[(row["final_url"], *identity(row["key"]))].append(row)
    lhci: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for result in theirs:
        lhci[(result["url"], result["auditId"], result.get("auditProperty"))].append(result)
    assert sorted(mine, key=str) == sorted(lhci, key=str)
    for where, rows in mine.items():
        reference = lhci[where]
        if all(pd.isna(row["passed"]) for row in rows):  # psdata: not measured
            if where[1:] == (where[1], None) and (where[0], where[1]) in PWA_ONLY:
                continue
            assert [(r["name"], r["passed"]) for r in reference] == [("auditRan", False)], where
            continue
        got = sorted(
            (r["assertion"], r["level"], r["expected"], number(r["actual"]), bool(r["passed"]),
             [number(v) for v in r["values"]])
            for r in rows
        )  # fmt: skip
        want = sorted(
            (r["name"], r["level"], r["expected"], number(r["actual"]), r["passed"],
             [number(v) for v in r["values"]])
            for r in reference
        )  # fmt: skip
        assert len(got) == len(want), (where, got, want)
        for g, w in zip(got, want, strict=True):
            assert g[:3] == w[:3] and g[4] == w[4], (where, g, w)
            assert same(g[3], w[3]), (where, g, w)
            assert len(g[5]) == len(w[5]) and all(map(same, g[5], w[5])), (where, g, w)
    return len(ours)


@pytest.mark.parametrize("name", list(CASES))
def test_same_results_as_lighthouse_ci(
    name: str, lhci: dict[str, Any], reports: dict[str, list[Path]]
) -> None:
    theirs = lhci[name]
    assert isinstance(theirs, list) and theirs, theirs
    ours = psdata_results(CASES[name], reports)
    assert compare(ours, theirs) == len(ours)


def test_the_cases_exercise_every_method_outcome_and_kind(
    lhci: dict[str, Any], reports: dict[str, list[Path]]
) -> None:
    """The comparison could fail: passes and failures of every check under every method."""
    frames = [psdata_results(case, reports) for case in CASES.values()]
    results = pd.concat(frames, ignore_index=True)
    judged = results[results["passed"].notna()]
    outcomes = set(zip(judged["aggregation"], judged["assertion"], judged["passed"], strict=True))
    for method in AGGREGATIONS:
        for check in ("minScore", "maxNumericValue", "maxLength"):
            assert {(method, check, True), (method, check, False)} <= outcomes, (method, check)
    assert ("optimistic", "auditRan", False) in outcomes
    assert results["passed"].isna().sum() > 0 and judged["actual"].isna().sum() > 0
    assert {"warn", "error"} <= set(results["level"])
    kinds = {identity(key)[0] for key in results["key"]}
    assert {"categories", "resource-summary", "user-timings"} <= kinds
    multi_run = results[results["runs"] > 1]
    assert set(multi_run["aggregation"]) == set(AGGREGATIONS) - {"median-run"}


@pytest.mark.parametrize("name", list(REFUSED))
def test_both_refuse_the_same_bad_input(
    name: str, lhci: dict[str, Any], reports: dict[str, list[Path]]
) -> None:
    assert "error" in lhci[name], lhci[name]
    with pytest.raises(psdata.ConfigurationError):
        psdata_results(REFUSED[name], reports)


def test_presets_are_lighthouse_cis(lhci: dict[str, Any]) -> None:
    for name, assertions in PRESETS.items():
        assert list(assertions.items()) == list(lhci[name].items()), name


def test_check_through_the_psi_engine_and_the_store(
    lhci: dict[str, Any], reports: dict[str, list[Path]], tmp_path: Path
) -> None:
    """psdata.check on frames analyze() made from the recorded reports (one run per page),
    their details read back from the store: the same answers as Lighthouse CI's."""
    served = tmp_path / "psi"
    served.mkdir()
    names = ["a11y-seo", "git-devtools", "asyncio-simulate", "lighthouse-8"]
    frames = []
    with serve_directory(served) as site:
        for name in names:
            lhr = load_report(reports[name][0])
            (served / f"{name}.json").write_text(json.dumps({"lighthouseResult": lhr}))
            strategy = (lhr.get("configSettings") or {}).get("formFactor", "mobile")
            frames.append(
                psdata.analyze(
                    [lhr["requestedUrl"]],
                    engine="psi",
                    strategy=strategy,
                    psi_endpoint=site.url(f"/{name}.json"),
                    cache_dir=tmp_path / "store",
                    progress=False,
                )
            )
    scores = pd.concat(frames, ignore_index=True)
    scores.attrs = frames[0].attrs
    assert scores["error"].isna().all(), scores["error"].tolist()
    case = CASES["aggregation-optimistic"]
    checks = psdata.check(scores, case["options"], cache_dir=tmp_path / "store")
    urls = {load_report(reports[name][0])["finalUrl"] for name in names}
    theirs = [r for r in lhci["aggregation-optimistic"] if r["url"] in urls]
    assert compare(checks, theirs) == len(checks) > 50
    # The same frame, round-tripped through Parquet, reads the same details back.
    path = psdata.to_parquet(scores, tmp_path / "scores.parquet")
    again = psdata.check(pd.read_parquet(path), case["options"], cache_dir=tmp_path / "store")
    pd.testing.assert_frame_equal(again, checks)


def test_a_report_copy_with_another_url_is_another_page(reports: dict[str, list[Path]]) -> None:
    """Runs are grouped by URL and strategy: a moved copy is judged on its own."""
    lhr = load_report(reports["a11y-seo"][0])
    moved = copy.deepcopy(lhr)
    moved["requestedUrl"] = moved["finalUrl"] = moved["finalDisplayedUrl"] = "http://127.0.0.1:1/x"
    runs = [
        run_from_record(*record_from_psi({"lighthouseResult": r}, "desktop")) for r in (lhr, moved)
    ]
    checks = evaluate(runs, load_assertions({"assertions": {"categories:seo": "error"}}))
    assert checks["url"].tolist() == [lhr["requestedUrl"], "http://127.0.0.1:1/x"]
    assert checks["runs"].tolist() == [1, 1]
