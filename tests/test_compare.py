"""psdata.compare: rank tests, the Hodges–Lehmann shift and its interval, verdicts, bad input.

The statistics are checked against the exact null distributions, enumerated here (every
split of the runs between before and after, every sign of the paired differences), not
against scipy, which compare itself uses; one A/B test runs a real page made slower.
"""

from __future__ import annotations

import itertools
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import psdata
from conftest import FAST, Serve
from psdata import plotting

URL = "https://example.com/"


def runs(
    values: dict[str, list[float | None]],
    *,
    url: str = URL,
    label: Any = 0,
    strategy: str = "mobile",
    throttling: str = "simulate",
    engine: str = "lab",
    errors: dict[int, str] | None = None,
    settings: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """A frame of runs of one page (as psdata.runs gives it), one run per value."""
    count = len(next(iter(values.values())))
    records = []
    for n in range(1, count + 1):
        record: dict[str, Any] = {
            "url": url,
            "strategy": strategy,
            "engine": engine,
            "throttling": throttling,
            "run": n,
            "representative": n == 1,
        }
        record.update({metric: column[n - 1] for metric, column in values.items()})
        if errors and n in errors:
            record.update(error=errors[n], error_type="network")
        records.append(record)
    frame = psdata.build_frame(records, pd.Index([label] * count), schema=psdata.RUN_SCHEMA)
    frame.attrs["psdata"] = {
        "engine": engine,
        "settings": settings or {"throttling": throttling},
        "runs": count,
    }
    return frame


def one(result: pd.DataFrame, metric: str) -> pd.Series:
    rows = result[result["metric"] == metric]
    assert len(rows) == 1
    return rows.iloc[0]


BEFORE = [1010.0, 987.0, 1043.0, 1002.0, 968.0]
AFTER = [1318.0, 1296.0, 1331.0, 1279.0, 1352.0]


def exact_rank_sum_interval(x: list[float], y: list[float], alpha: float) -> tuple[float, float]:
    """Hodges–Lehmann interval from the exact distribution of U, by enumeration."""
    n, m, pooled = len(x), len(y), list(range(len(x) + len(y)))
    counts: dict[int, int] = {}
    for chosen in itertools.combinations(pooled, m):  # ranks of "after"
        u = sum(1 for a in chosen for b in set(pooled) - set(chosen) if a > b)
        counts[u] = counts.get(u, 0) + 1
    total = math.comb(n + m, m)
    k, below = 0, 0.0
    while (below + counts.get(k, 0)) / total <= alpha / 2:
        below += counts.get(k, 0)
        k += 1
    differences = sorted(b - a for a in x for b in y)
    return differences[k - 1], differences[n * m - k]  # the k-th smallest and largest


def exact_signed_rank_interval(d: list[float], alpha: float) -> tuple[float, float]:
    """Hodges–Lehmann interval of paired differences from the exact distribution of T+."""
    n = len(d)
    counts: dict[int, int] = {}
    for signs in itertools.product((0, 1), repeat=n):
        t = sum(rank for rank, sign in zip(range(1, n + 1), signs, strict=True) if sign)
        counts[t] = counts.get(t, 0) + 1
    k, below = 0, 0.0
    while (below + counts.get(k, 0)) / 2**n <= alpha / 2:
        below += counts.get(k, 0)
        k += 1
    walsh = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
    return walsh[k - 1], walsh[len(walsh) - k]


# ----------------------------------------------------------------------- statistics


def test_a_known_slowdown_is_found_with_the_exact_interval() -> None:
    result = psdata.compare(runs({"fcp_ms": BEFORE}), runs({"fcp_ms": AFTER}), metrics=["fcp_ms"])
    row = one(result, "fcp_ms")
    differences = [b - a for a in BEFORE for b in AFTER]
    assert row["shift"] == pytest.approx(np.median(differences))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        exact_rank_sum_interval(BEFORE, AFTER, 0.05)
    )
    assert row["p_value"] == pytest.approx(2 / math.comb(10, 5))  # every after run is slower
    assert (row["runs_before"], row["runs_after"]) == (5, 5)
    assert (row["before"], row["after"]) == (np.median(BEFORE), np.median(AFTER))
    assert row["test"] == "mann-whitney" and row["verdict"] == "worse"
    assert row["ci_low"] <= 300 <= row["ci_high"]


def test_paired_runs_use_the_signed_rank_test() -> None:
    before = [1000.0, 1100.0, 950.0, 1200.0, 1050.0, 990.0, 1010.0, 1150.0]
    shifts = [120.0, 95.0, 140.0, 80.0, 110.0, 130.0, 101.0, 90.0]
    after = [b + s for b, s in zip(before, shifts, strict=True)]
    result = psdata.compare(
        runs({"lcp_ms": before}), runs({"lcp_ms": after}), metrics=["lcp_ms"], paired=True
    )
    row = one(result, "lcp_ms")
    walsh = [(shifts[i] + shifts[j]) / 2 for i in range(8) for j in range(i, 8)]
    assert row["shift"] == pytest.approx(np.median(walsh))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        exact_signed_rank_interval(shifts, 0.05)
    )
    assert row["p_value"] == pytest.approx(2 / 2**8)
    assert row["test"] == "wilcoxon" and row["verdict"] == "worse"


def test_paired_runs_are_matched_by_number() -> None:
    before = runs({"lcp_ms": [1000.0, 1100.0, 900.0, 1200.0, 1050.0, 980.0]})
    after = runs({"lcp_ms": [1100.0, 1200.0, 1000.0, 1300.0, 1150.0, 1080.0]})
    row = one(psdata.compare(before, after, metrics=["lcp_ms"], paired=True), "lcp_ms")
    assert (row["shift"], row["ci_low"], row["ci_high"]) == (100.0, 100.0, 100.0)
    shuffled = after.iloc[[3, 1, 5, 0, 2, 4]]
    again = one(psdata.compare(before, shuffled, metrics=["lcp_ms"], paired=True), "lcp_ms")
    assert again["shift"] == 100.0


def test_the_same_runs_are_no_change() -> None:
    values = {"performance": [90, 91, 89, 90, 92], "fcp_ms": BEFORE, "cls": [0.0] * 5}
    result = psdata.compare(runs(values), runs({k: v[::-1] for k, v in values.items()}))
    compared = result[result["metric"].isin(list(values))]
    assert (compared["verdict"] == "no change").all()
    assert (compared["shift"] == 0).all() and (compared["p_value"] == 1).all()
    assert (compared["ci_low"] <= 0).all() and (compared["ci_high"] >= 0).all()


@pytest.mark.parametrize(
    ("before", "after", "paired"),
    [(3, 3, False), (1, 9, False), (2, 3, False), (5, 5, True)],
)
def test_too_few_runs_for_any_verdict(before: int, after: int, paired: bool) -> None:
    """Even runs that all differ could not be significant at 95 %."""
    result = psdata.compare(
        runs({"fcp_ms": [1000.0 + i for i in range(before)]}),
        runs({"fcp_ms": [5000.0 + i for i in range(after)]}),
        metrics=["fcp_ms"],
        paired=paired,
    )
    row = one(result, "fcp_ms")
    assert row["verdict"] == "not enough runs"
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"]) and row["shift"] > 3000


def test_enough_runs_at_a_lower_confidence() -> None:
    result = psdata.compare(
        runs({"fcp_ms": [1000.0, 1010.0, 990.0, 1005.0]}),
        runs({"fcp_ms": [1500.0, 1490.0, 1510.0, 1520.0]}),
        metrics=["fcp_ms"],
    )
    assert one(result, "fcp_ms")["verdict"] == "worse"  # 4 and 4 runs: p = 0.029
    fewer = {"fcp_ms": [1000.0, 1010.0, 990.0]}, {"fcp_ms": [1500.0, 1490.0, 1510.0]}
    at_95 = psdata.compare(runs(fewer[0]), runs(fewer[1]), metrics=["fcp_ms"])
    at_90 = psdata.compare(runs(fewer[0]), runs(fewer[1]), metrics=["fcp_ms"], confidence=0.9)
    assert one(at_95, "fcp_ms")["verdict"] == "not enough runs"
    assert one(at_90, "fcp_ms")["verdict"] == "worse"


def test_a_significant_shift_below_the_smallest_counted_change_is_no_change() -> None:
    before = {"fcp_ms": [1000.0, 1001.0, 1002.0, 1003.0, 1004.0], "performance": [90] * 5}
    after = {"fcp_ms": [1010.0, 1011.0, 1012.0, 1013.0, 1014.0], "performance": [91] * 5}
    result = psdata.compare(runs(before), runs(after), metrics=["fcp_ms", "performance"])
    assert one(result, "fcp_ms")["p_value"] < 0.05
    assert (result["verdict"] == "no change").all()
    counted = psdata.compare(
        runs(before), runs(after), metrics=["fcp_ms", "performance"], min_shift={"fcp_ms": 5}
    )
    assert one(counted, "fcp_ms")["verdict"] == "worse"
    assert one(counted, "performance")["verdict"] == "no change"  # the default 2 points


def test_the_direction_that_counts_as_worse() -> None:
    before = {"performance": [70, 71, 72, 70, 71], "cls": [0.3, 0.31, 0.32, 0.3, 0.33]}
    after = {"performance": [90, 91, 92, 90, 91], "cls": [0.01, 0.02, 0.0, 0.01, 0.02]}
    better = psdata.compare(runs(before), runs(after), metrics=["performance", "cls"])
    assert (better["verdict"] == "better").all()
    worse = psdata.compare(runs(after), runs(before), metrics=["performance", "cls"])
    assert (worse["verdict"] == "worse").all()


def test_failed_runs_and_missing_values_are_left_out() -> None:
    before = runs({"fcp_ms": [*BEFORE, 1000.0], "tbt_ms": [None] * 6}, errors={6: "refused"})
    after = runs({"fcp_ms": [*AFTER, None], "tbt_ms": [None] * 6})
    result = psdata.compare(before, after, metrics=["fcp_ms", "tbt_ms"])
    fcp, tbt = one(result, "fcp_ms"), one(result, "tbt_ms")
    assert (fcp["runs_before"], fcp["runs_after"], fcp["verdict"]) == (5, 5, "worse")
    assert (tbt["runs_before"], tbt["runs_after"], tbt["verdict"]) == (0, 0, "not enough runs")
    assert math.isnan(tbt["shift"])


def test_all_failed_rows_compare_to_not_enough_runs() -> None:
    failed = {n: "refused" for n in range(1, 6)}
    result = psdata.compare(runs({"fcp_ms": BEFORE}, errors=failed), runs({"fcp_ms": AFTER}))
    assert (result["verdict"] == "not enough runs").all()
    assert (result["runs_before"] == 0).all()


# ------------------------------------------------------------------------- matching


def test_pages_match_by_url_and_strategy_or_by_index() -> None:
    before = pd.concat(
        [
            runs({"fcp_ms": BEFORE}, url="https://a.example/", label="a"),
            runs({"fcp_ms": BEFORE}, url="b.example", label="b"),
            runs({"fcp_ms": BEFORE}, url="https://a.example/", label="dup"),
        ]
    )
    after = pd.concat(
        [
            runs({"fcp_ms": AFTER}, url="https://b.example/", label="x"),
            runs({"fcp_ms": BEFORE}, url="https://a.example/", label="y"),
        ]
    )
    before.attrs = after.attrs = runs({"fcp_ms": BEFORE}).attrs
    by_url = psdata.compare(before, after, metrics=["fcp_ms"])
    assert list(by_url.index) == ["a", "b"]  # "dup" repeats a's runs
    assert list(by_url["verdict"]) == ["no change", "worse"]
    assert list(by_url["url_after"]) == ["https://a.example/", "https://b.example/"]
    renamed = after.rename(index={"x": "a", "y": "b"})
    by_index = psdata.compare(before, renamed, metrics=["fcp_ms"], on="index")
    assert list(by_index.index) == ["a", "b"]
    assert list(by_index["verdict"]) == ["worse", "no change"]


def test_nothing_in_common_is_refused() -> None:
    before = runs({"fcp_ms": BEFORE})
    with pytest.raises(psdata.ConfigurationError, match="no URL in common"):
        psdata.compare(before, runs({"fcp_ms": AFTER}, url="https://other.example/"))
    with pytest.raises(psdata.ConfigurationError, match="before has strategy mobile and after"):
        psdata.compare(before, runs({"fcp_ms": AFTER}, strategy="desktop"))
    with pytest.raises(psdata.ConfigurationError, match="no index label in common"):
        psdata.compare(before, runs({"fcp_ms": AFTER}, label=1), on="index")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"throttling": "devtools"}, "throttling simulate and after with devtools"),
        ({"engine": "psi"}, "engine lab and after with psi"),
    ],
)
def test_different_methods_are_refused(changes: dict[str, str], message: str) -> None:
    with pytest.raises(psdata.ConfigurationError, match=message):
        psdata.compare(runs({"fcp_ms": BEFORE}), runs({"fcp_ms": AFTER}, **changes))


def test_different_settings_are_a_warning() -> None:
    before = runs({"fcp_ms": BEFORE}, settings={"throttling": "simulate", "waits": 1})
    after = runs({"fcp_ms": AFTER}, settings={"throttling": "simulate", "waits": 2})
    with pytest.warns(UserWarning, match=r"different settings \(waits\)"):
        psdata.compare(before, after)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        psdata.compare(before, before)


@pytest.mark.parametrize(
    "options",
    [
        {"metrics": ["speed"]},
        {"metrics": []},
        {"metrics": ["url"]},
        {"on": "label"},
        {"confidence": 1.0},
        {"confidence": 95},
    ],
)
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(psdata.ConfigurationError):
        psdata.compare(runs({"fcp_ms": BEFORE}), runs({"fcp_ms": AFTER}), **options)


def test_a_frame_without_psdata_metadata_is_refused() -> None:
    with pytest.raises(psdata.ConfigurationError, match="no psdata settings"):
        psdata.compare(psdata.build_frame([{"url": URL}]), runs({"fcp_ms": AFTER}))


def test_the_comparison_round_trips_through_parquet(tmp_path: Path) -> None:
    result = psdata.compare(runs({"fcp_ms": BEFORE}), runs({"fcp_ms": AFTER}))
    assert result.dtypes.to_dict() == psdata.COMPARE_SCHEMA
    path = psdata.to_parquet(result, tmp_path / "compare.parquet")
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, result)
    assert psdata.read_parquet_metadata(path)["compare"]["confidence"] == 0.95


# -------------------------------------------------------------------- a real page


def test_a_page_made_slower_is_found_and_the_same_page_is_not(serve: Serve, tmp_path: Path) -> None:
    """A/B: the server answers 1.5 s later. A/A: the same page again, on what does not
    move with the machine's load (the layout shift); whether timings measured twice stay
    within their noise is the benchmark's question (bench/runs.py)."""
    site = serve({"page.html": "<html lang=en><title>P</title><h1>Page</h1></html>"})
    options = {**FAST, "categories": ["performance"], "cache_dir": tmp_path, "runs": 5}
    urls = pd.Series([site.url("/page.html")], index=["page"])
    before = psdata.analyze(urls, **options)
    again = psdata.analyze(urls, skip_cache=True, **options)
    slower = psdata.analyze(urls + "?delay=1500", **options)
    same = one(psdata.compare(before, again, metrics=["cls"]), "cls")
    assert (same["verdict"], same["runs_before"], same["runs_after"]) == ("no change", 5, 5)
    found = one(psdata.compare(before, slower, metrics=["ttfb_ms"], on="index"), "ttfb_ms")
    assert found["verdict"] == "worse" and (found["runs_before"], found["runs_after"]) == (5, 5)
    assert found["ci_low"] > 1000 and found["shift"] > 1000
    assert found["url_after"].endswith("?delay=1500")
    axes = plotting.plot_compare(psdata.compare(before, slower, on="index"))
    assert len(axes) == 8  # the performance score and the seven lab metrics
