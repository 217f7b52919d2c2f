"""Repeated runs: the representative run, the spread, runs after run 1, psdata.runs, resume.

The choice of the representative run is checked against Lighthouse's ``computeMedianRun``
(core/lib/median-run.js, Lighthouse 12) on the cases its own tests pin; the batch
behaviour on a real Chromium and a real local server.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import psdata
from conftest import FAST, Serve
from psdata._errors import HTTPStatusError, PageTimeoutError
from psdata._runs import combine_runs, interquartile_range, representative_run
from psdata._store import ResultStore
from psdata.demo.server import Received, Response, ServedSite

PAGE = "<html lang=en><head><title>{0}</title></head><body><h1>{0}</h1><p>Text.</p></body></html>"
ALL = ("performance", "accessibility", "best_practices", "seo")


def runs_of(*pairs: tuple[float | None, float | None]) -> list[dict[str, Any]]:
    return [{"fcp_ms": fcp, "tti_ms": tti} for fcp, tti in pairs]


# --------------------------------------------------------------- the representative run


@pytest.mark.parametrize(
    ("pairs", "chosen"),
    [
        # odd count: the middle run
        ([(100, 100), (200, 200), (300, 300), (400, 400), (500, 500)], 2),
        # even count: medians are the mean of the middle two (FCP 300, TTI 3000)
        ([(400, 1000), (500, 2000), (200, 4000), (100, 5000)], 2),
        # equally near both medians: the lower TTI
        ([(100, 100), (200, 200), (400, 400), (500, 500)], 1),
        # an FCP outlier is avoided
        ([(100, 100), (400, 250), (10_000, 300), (400, 400), (500, 500)], 1),
        # a TTI outlier is avoided
        ([(100, 100), (200, 200), (300, 10_000), (400, 300), (500, 500)], 3),
        # runs without FCP or TTI are left out; 0 counts as missing, as in Lighthouse
        ([(100, 100), (None, 200), (300, None), (0, 250), (500, 500), (200, 200)], 5),
    ],
)
def test_representative_is_lighthouses_median_run(
    pairs: list[tuple[float | None, float | None]], chosen: int
) -> None:
    assert representative_run(runs_of(*pairs)) == chosen


def test_no_representative_without_fcp_and_tti() -> None:
    assert representative_run(runs_of((None, 100), (100, float("nan")))) is None
    assert representative_run([]) is None


def test_interquartile_range() -> None:
    assert interquartile_range([1, 2, 3, 4, 5]) == 2.0
    assert interquartile_range([80, None, 90]) == 5.0
    assert interquartile_range([7]) is None and interquartile_range([]) is None


# --------------------------------------------------------------------- a URL's row


def record(performance: int, fcp: float | None, tti: float | None, **values: Any) -> dict[str, Any]:
    lcp = None if fcp is None else fcp + 500
    return {"performance": performance, "fcp_ms": fcp, "tti_ms": tti, "lcp_ms": lcp, **values}


def test_the_row_is_the_representative_run_with_run_1s_other_categories() -> None:
    first = record(90, 1000, 3000, seo=92, accessibility=88, warnings="SEO: one audit failed.")
    first["details"] = {"categories": {"seo": {"audits": ["seo"]}, "performance": {"a": 1}}}
    second = record(80, 1200, 3500, details={"categories": {"performance": {"a": 2}}})
    third = record(70, 1400, 4000)
    row = combine_runs([first, second, third], ALL)
    assert isinstance(row, dict)
    assert (row["performance"], row["run"], row["runs"]) == (80, 2, 3)
    assert (row["seo"], row["accessibility"], row["best_practices"]) == (92, 88, None)
    assert row["details"]["categories"] == {"seo": {"audits": ["seo"]}, "performance": {"a": 2}}
    assert row["warnings"] == "Run 1: SEO: one audit failed."
    assert (row["performance_iqr"], row["fcp_ms_iqr"], row["lcp_ms_iqr"]) == (10.0, 200.0, 200.0)
    assert row["cls_iqr"] is None  # no run has it
    assert row["from_cache"] is False


def test_one_run_is_its_own_row() -> None:
    row = combine_runs([record(90, 1000, 3000, seo=92, from_cache=True)], ALL)
    assert isinstance(row, dict)
    assert (row["run"], row["runs"], row["seo"], row["from_cache"]) == (1, 1, 92, True)
    assert row["performance_iqr"] is None and row["warnings"] is None


def test_failed_runs_are_named_and_the_others_kept() -> None:
    failed = PageTimeoutError("Measuring took longer than the 30 s timeout.")
    stored = {"error": "The document returned HTTP 500", "error_type": "http"}
    row = combine_runs([record(90, 1000, 3000, seo=92), failed, stored], ALL)
    assert isinstance(row, dict)
    assert (row["runs"], row["run"], row["performance_iqr"]) == (1, 1, None)
    assert row["warnings"].splitlines() == [
        "Run 2 of 3 failed (timeout): Measuring took longer than the 30 s timeout.",
        "Run 3 of 3 failed (http): The document returned HTTP 500",
    ]


def test_run_1_failed_leaves_the_categories_it_judges_unjudged() -> None:
    failed = HTTPStatusError("The document returned HTTP 503.")
    row = combine_runs([failed, record(80, 1200, 3500), record(70, 1400, 4000)], ALL)
    assert isinstance(row, dict)
    assert (row["runs"], row["performance"], row["seo"]) == (2, 80, None)  # equally near: lower TTI
    assert "Accessibility, Best Practices, SEO not judged: run 1 failed" in row["warnings"]
    assert row["warnings"].startswith("Run 1 of 3 failed (http)")


def test_every_run_failed_is_run_1s_failure() -> None:
    first, second = HTTPStatusError("HTTP 404."), HTTPStatusError("HTTP 404 again.")
    outcome = combine_runs([first, second], ALL)
    assert outcome is first
    assert first.partial["runs"] == 0 and first.partial["run"] is None
    assert first.partial["warnings"] == "Run 2 of 2 failed (http): HTTP 404 again."


def test_runs_without_fcp_or_tti_are_left_out_of_the_choice_with_a_warning() -> None:
    row = combine_runs([record(90, 1000, None), record(80, 1200, 3500)], ALL)
    assert isinstance(row, dict) and row["run"] == 2
    assert "Run 1 has no FCP or no TTI: left out" in row["warnings"]
    none = combine_runs([record(90, 1000, None), record(80, None, 3000)], ALL)
    assert isinstance(none, dict) and none["run"] == 1 and none["runs"] == 2
    assert "No run has both an FCP and a TTI: the row is run 1" in none["warnings"]


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("runs", [0, 21, 2.5, True, "3", None])
def test_runs_outside_1_to_20_is_refused(runs: object) -> None:
    with pytest.raises(psdata.ConfigurationError, match="runs must be an integer from 1 to 20"):
        psdata.analyze(["https://example.com/"], runs=runs, progress=False)  # type: ignore[arg-type]


def test_runs_need_something_to_repeat() -> None:
    with pytest.raises(psdata.ConfigurationError, match="add 'performance' to categories"):
        psdata.analyze(["https://example.com/"], runs=3, categories=["seo"])
    with pytest.raises(psdata.ConfigurationError, match="crux engine's field data"):
        psdata.analyze(["https://example.com/"], runs=3, engine="crux")


# ------------------------------------------------------------ a batch of real runs


def flaky_route() -> Any:
    """A page whose second request fails with HTTP 500."""
    seen = []

    def answer(request: Received) -> Response:
        seen.append(request)
        return Response(500 if len(seen) == 2 else 200, PAGE.format("Flaky"))

    return answer


@pytest.fixture(scope="module")
def site(serve: Serve) -> Iterator[ServedSite]:
    files = {"a.html": PAGE.format("A"), "b.html": PAGE.format("B")}
    served = serve(files, routes={"/flaky.html": flaky_route()})
    yield served
    served.close()


@pytest.fixture(scope="module")
def batch(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Three runs of two pages, one page at a time, so their order is the schedule's."""
    urls = pd.Series([site.url("/flaky.html"), site.url("/a.html"), "not a url"], index=list("fai"))
    cache = tmp_path_factory.mktemp("runs-cache")
    return psdata.analyze(urls, runs=3, concurrency=1, cache_dir=cache, **FAST)


def documents(site: ServedSite) -> list[str]:
    return [r.path for r in site.requests if r.path in ("/flaky.html", "/a.html")]


def test_runs_are_spread_over_the_batch(batch: pd.DataFrame, site: ServedSite) -> None:
    assert documents(site)[:6] == ["/flaky.html", "/a.html"] * 3


def test_each_row_is_its_representative_run(batch: pd.DataFrame) -> None:
    every = psdata.runs(batch)
    assert every.dtypes.to_dict() == psdata.RUN_SCHEMA
    assert list(every.index) == list("fffaaa") and list(every["run"]) == [1, 2, 3] * 2
    page = every.loc["a"]
    assert page["error"].isna().all() and page["representative"].sum() == 1
    fcp, tti = statistics.median(page["fcp_ms"]), statistics.median(page["tti_ms"])
    distance = (page["fcp_ms"] - fcp) ** 2 + (page["tti_ms"] - tti) ** 2
    assert batch.loc["a", "run"] == page.loc[distance == distance.min(), "run"].min()
    chosen = page[page["representative"]].iloc[0]
    for column in ("performance", "fcp_ms", "lcp_ms", "tbt_ms", "tti_ms", "started_at"):
        assert batch.loc["a", column] == chosen[column]
    assert batch.loc["a", "runs"] == 3
    assert batch.loc["a", "performance_iqr"] == (
        page["performance"].quantile(0.75) - page["performance"].quantile(0.25)
    )
    assert (page[list(ALL[1:])] == batch.loc["a", list(ALL[1:])]).all().all()


def test_a_failed_run_is_named_and_the_others_kept(batch: pd.DataFrame) -> None:
    row = batch.loc["f"]
    assert pd.isna(row["error"]) and row["runs"] == 2 and row["run"] != 2
    assert "Run 2 of 3 failed (http): The document returned HTTP 500" in row["warnings"]
    failed = psdata.runs(batch).loc["f"].set_index("run").loc[2]
    assert failed["error_type"] == "http" and pd.isna(failed["seo"])
    assert not failed["representative"]


def test_invalid_urls_have_no_runs(batch: pd.DataFrame) -> None:
    assert batch.loc["i", "error_type"] == "invalid_url" and batch.loc["i", "runs"] == 0
    assert "i" not in psdata.runs(batch).index


def test_runs_after_the_first_measure_performance_only(batch: pd.DataFrame) -> None:
    meta = batch.attrs["psdata"]
    with ResultStore(meta["store"]) as store:
        keys = [
            store.key(batch.loc["a", "url"], "mobile", "lab", meta["settings"], run=n)
            for n in (1, 2, 3)
        ]
        found = store.get_many(keys)
    measured = [set((found[key].details() or {})["categories"]) for key in keys]
    assert measured == [set(ALL), {"performance"}, {"performance"}]


def test_audits_of_every_run_include_run_1s_categories(batch: pd.DataFrame) -> None:
    every = psdata.runs(batch).loc[["a"]]
    judged = []
    for n in (1, 2, 3):
        audits = psdata.audits(every[every["run"] == n])
        assert set(audits["category"]) == set(ALL)
        judged.append(audits[audits["category"] != "performance"]["audit_id"].tolist())
    assert judged[0] and judged[0] == judged[1] == judged[2]


def test_every_run_is_stored_and_reused_one_by_one(site: ServedSite, tmp_path: Path) -> None:
    url, options = (
        site.url("/b.html"),
        {**FAST, "cache_dir": tmp_path, "categories": ["performance"]},
    )

    def measured() -> int:
        return documents_of(site, "/b.html")

    before = measured()
    first = psdata.analyze([url], runs=2, **options)
    assert measured() - before == 2
    more = psdata.analyze([url], runs=4, **options)  # an interrupted runs=4 batch resumes
    assert measured() - before == 4
    assert not more.loc[0, "from_cache"] and more.loc[0, "runs"] == 4
    stored_first = psdata.runs(first)["started_at"].tolist()
    assert psdata.runs(more)["started_at"].tolist()[:2] == stored_first
    again = psdata.analyze([url], runs=4, **options)
    assert measured() - before == 4 and again.loc[0, "from_cache"]
    psdata.analyze([url], runs=3, skip_cache=True, **options)
    assert measured() - before == 7
    psdata.analyze([url], runs=4, max_age=0, **options)
    assert measured() - before == 11


def documents_of(site: ServedSite, path: str) -> int:
    return sum(r.path == path for r in site.requests)


def test_a_frame_keeps_its_runs_after_they_are_measured_again(
    site: ServedSite, tmp_path: Path
) -> None:
    url, options = (
        site.url("/b.html"),
        {**FAST, "cache_dir": tmp_path, "categories": ["performance"]},
    )
    before = psdata.analyze([url], runs=2, **options)
    kept = psdata.runs(before)
    after = psdata.analyze([url], runs=2, skip_cache=True, **options)
    assert psdata.runs(before)["started_at"].tolist() == kept["started_at"].tolist()
    assert psdata.runs(after)["started_at"].min() > kept["started_at"].max()


def test_every_run_failed_is_the_rows_error(site: ServedSite, tmp_path: Path) -> None:
    df = psdata.analyze([site.url("/missing.html")], runs=2, cache_dir=tmp_path, **FAST)
    row = df.loc[0]
    assert row["error_type"] == "http" and row["runs"] == 0 and pd.isna(row["run"])
    assert "Run 2 of 2 failed (http)" in row["warnings"]
    every = psdata.runs(df)
    assert every["error_type"].tolist() == ["http", "http"] and not every["representative"].any()


def test_runs_table_and_frame_round_trip_through_parquet(
    batch: pd.DataFrame, tmp_path: Path
) -> None:
    every = psdata.runs(batch)
    path = psdata.to_parquet(every, tmp_path / "runs.parquet")
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, every)
    assert psdata.read_parquet_metadata(path)["runs"] == 3
    assert psdata.runs(back).equals(every)  # a frame of runs is its own runs


def test_audits_of_a_later_representative_run(tmp_path: Path) -> None:
    """A row that is run 2 shows run 2's performance audits and run 1's other categories."""
    url, settings = "https://example.com/", {"categories": list(ALL)}
    audit = {"id": "x", "title": "X", "score": 1.0, "weight": 1.0, "display_mode": "binary"}

    def details(*categories: str, run: int) -> dict[str, Any]:
        return {"categories": {c: {"audits": [{**audit, "id": f"{c}-{run}"}]} for c in categories}}

    store_file = tmp_path / "results.sqlite3"
    with ResultStore(store_file) as store:
        for run, categories in ((1, ALL), (2, ("performance",))):
            key = store.key(url, "mobile", "lab", settings, run=run)
            store.put(key, {"url": url, "run": run}, details(*categories, run=run), ok=True)
    row = {"url": url, "strategy": "mobile", "engine": "lab", "run": 2, "performance": 80}
    frame = psdata.build_frame([row])
    frame.attrs["psdata"] = {"engine": "lab", "settings": settings, "store": str(store_file)}
    audits = psdata.audits(frame)
    assert sorted(audits["audit_id"]) == sorted(
        ["performance-2", "accessibility-1", "best_practices-1", "seo-1"]
    )


def test_check_aggregates_over_every_run(batch: pd.DataFrame) -> None:
    """psdata.check on psdata.runs(scores): an assertion reads every run of a page (a
    failed run left out), median-run the representative one, and the categories judged
    in run 1 are each run's."""
    every = psdata.runs(batch)
    pessimistic = {"maxNumericValue": 60_000, "aggregationMethod": "pessimistic"}
    config = {
        "assertions": {
            "first-contentful-paint": ["warn", pessimistic],
            "categories:performance": ["error", {"minScore": 0, "aggregationMethod": "median-run"}],
            "categories:seo": ["error", {"minScore": 0.5}],
        }
    }
    checks = psdata.check(every, config).set_index(["url", "key"])
    page, url = every.loc["a"], batch.loc["a", "url"]
    fcp = checks.loc[(url, "first-contentful-paint")]
    assert fcp["runs"] == 3 and sorted(fcp["values"]) == sorted(page["fcp_ms"])
    assert fcp["actual"] == page["fcp_ms"].max() and fcp["passed"]
    chosen = checks.loc[(url, "categories:performance")]
    assert chosen["actual"] == batch.loc["a", "performance"] / 100
    seo = checks.loc[(url, "categories:seo")]
    assert seo["runs"] == 3 and seo["values"] == [batch.loc["a", "seo"] / 100] * 3
    flaky = checks.loc[(batch.loc["f", "url"], "first-contentful-paint")]
    assert flaky["runs"] == 2 and len(flaky["values"]) == 2
