"""psdata.plotting: what each plot draws, on realistic, empty and all-failed frames."""

from __future__ import annotations

import ast
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from psdata import plotting
from psdata._frame import build_frame

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
URLS = [f"https://site{i:02d}.example/page" for i in range(50)]
POOL_STATS: dict[str, Any] = {
    "mode": "multi-context",
    "max_concurrent_contexts": 3,
    "total_contexts": 3,
    "idle_contexts": 2,
    "busy_contexts": 1,
    "contexts": [
        {"id": 0, "state": "idle", "pages_served": 31, "created_at": 0.0, "last_used": 290.0},
        {"id": 1, "state": "busy", "pages_served": 30, "created_at": 0.0, "last_used": 295.0},
        {"id": 2, "state": "idle", "pages_served": 29, "created_at": 0.0, "last_used": 280.0},
    ],
}


def make_records(n_urls: int = 50, slots: int = 3, seed: int = 1) -> list[dict[str, Any]]:
    """One record per URL and strategy, as a 3-slot pool would produce them.

    Every 9th measurement fails (NaN metrics), the first 10 rows come from the cache (an
    earlier run), slot 2 stalls for 40 s once, so there is an idle gap.
    """
    rng = np.random.default_rng(seed)
    free_at = [0.0] * slots
    records = []
    for i, (url, strategy) in enumerate(itertools.product(URLS[:n_urls], ("mobile", "desktop"))):
        record: dict[str, Any] = {"url": url, "final_url": url, "strategy": strategy}
        record["engine"], record["throttling"] = "lab", "devtools"
        if i < 10:
            start, duration, slot = T0 - timedelta(days=1, seconds=-11 * i), 10.0, i % slots
            record["from_cache"] = True
        else:
            if i == 40:
                free_at[2] += 40.0
            slot = int(np.argmin(free_at))
            offset = free_at[slot] + rng.uniform(0.1, 0.6)
            duration = float(rng.uniform(5, 20))
            free_at[slot] = offset + duration
            start, record["from_cache"] = T0 + timedelta(seconds=offset), False
        record.update(started_at=start, duration_s=round(duration, 3), context_id=slot)
        if i % 9 == 4:
            record.update(error="Timeout 30000ms exceeded", error_type="timeout", attempts=2)
        else:
            slow = 1.0 if strategy == "mobile" else 0.45
            record.update(
                status=200,
                attempts=1,
                performance=int(
                    np.clip(rng.normal(68 if strategy == "mobile" else 88, 16), 5, 100)
                ),
                accessibility=None if i % 13 == 0 else int(rng.integers(62, 101)),
                best_practices=int(rng.integers(70, 101)),
                seo=int(rng.integers(80, 101)),
                lcp_ms=float(rng.lognormal(np.log(2600 * slow), 0.5)),
                fcp_ms=float(rng.lognormal(np.log(1700 * slow), 0.4)),
                tbt_ms=float(rng.lognormal(np.log(250 * slow), 0.9)),
                cls=float(rng.choice([0.0, 0.02, 0.08, 0.15, 0.3])),
            )
        records.append(record)
    return records


def frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """A result frame with the (input index, strategy) MultiIndex of a two-strategy run."""
    index = pd.MultiIndex.from_tuples(
        [(URLS.index(r["url"]), r["strategy"]) for r in records], names=[None, "strategy"]
    )
    return build_frame(records, index=index)


@pytest.fixture
def records() -> list[dict[str, Any]]:
    return make_records()


@pytest.fixture
def df(records: list[dict[str, Any]]) -> pd.DataFrame:
    return frame(records)


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def timed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if not r["from_cache"]]


def texts(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.findobj(Text) if t.get_text()]


def hexes(colors: Any) -> set[str]:
    return {to_hex(c, keep_alpha=False) for c in colors}


def point_count(ax: Any) -> int:
    return sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))


def drawn_texts(fig: Figure) -> list[Text]:
    """The non-empty texts the renderer draws, with tick labels outside the view left out."""
    ticks = {}
    for ax in fig.axes:
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            for tick in axis.get_major_ticks():
                ticks[id(tick.label1)] = min(low, high) <= tick.get_loc() <= max(low, high)
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and ticks.get(id(t), True)
    ]


def assert_no_overlap(fig: Figure) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in drawn_texts(fig)]
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        both = Bbox.intersection(box_a, box_b)
        assert both is None or both.width * both.height < 1, f"{a!r} overlaps {b!r}"


# --- throughput ------------------------------------------------------------------------


def test_throughput_rate_matches_hand_computation(
    df: pd.DataFrame, records: list[dict[str, Any]]
) -> None:
    ax = plotting.plot_throughput(df)

    rows = timed(records)
    first = min(r["started_at"] for r in rows)
    last = max(r["started_at"] + timedelta(seconds=r["duration_s"]) for r in rows)
    expected = len(rows) * 3600 / (last - first).total_seconds()
    note = next(t for t in texts(ax) if "URLs/hour" in t)
    shown = float(re.search(r"([\d,]+) URLs/hour", note).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert shown == round(expected)
    assert f"{len(rows)} URLs in" in note
    assert "10 cached" in note
    assert ax.get_title() == "Throughput"
    assert ax.get_xlabel() == "wall time since first start (min)"  # over 3 minutes
    assert ax.get_ylabel() == "URLs finished (cumulative)"


def test_throughput_marks_each_failure(df: pd.DataFrame, records: list[dict[str, Any]]) -> None:
    ax = plotting.plot_throughput(df)

    failures = sum(1 for r in timed(records) if r.get("error"))
    (markers,) = ax.collections
    assert len(markers.get_offsets()) == failures > 0
    assert hexes(markers.get_edgecolor()) == {plotting.FAIL_COLOR}
    (step,) = ax.get_lines()
    assert step.get_ydata()[-1] == len(timed(records))
    assert f"failed ({failures})" in [t.get_text() for t in ax.get_legend().get_texts()]


# --- context timeline ------------------------------------------------------------------


def test_contexts_draws_one_bar_per_timed_row_per_slot(
    df: pd.DataFrame, records: list[dict[str, Any]]
) -> None:
    ax = plotting.plot_contexts(df)

    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    per_row = Counter(round(b.get_y() + b.get_height() / 2) for b in bars)
    assert per_row == Counter(r["context_id"] for r in timed(records))
    failed = [b for b in bars if to_hex(b.get_facecolor()) == plotting.FAIL_COLOR]
    assert len(failed) == sum(1 for r in timed(records) if r.get("error"))
    assert all(b.get_hatch() == "//" for b in failed)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert [label.split("\n")[0] for label in labels] == ["slot 0", "slot 1", "slot 2"]
    assert all(re.search(r"\d+% busy · \d+ URLs", label) for label in labels)
    assert "3 slots" in ax.get_title()
    assert "10 cached rows not shown" in ax.get_title()


def test_contexts_bars_overlap_across_slots_and_show_the_idle_gap(df: pd.DataFrame) -> None:
    ax = plotting.plot_contexts(df)

    spans = {
        slot: sorted(
            (b.get_x(), b.get_x() + b.get_width())
            for b in ax.patches
            if round(b.get_y() + 0.35) == slot
        )
        for slot in range(3)
    }
    start0, end0 = spans[0][0]
    assert any(start < end0 and end > start0 for start, end in spans[1])  # concurrent
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(spans[2])]
    assert max(gaps) * 60 > 40  # the stall in slot 2; the x axis is in minutes


def test_context_utilisation_by_hand() -> None:
    def row(second: int, duration: float, slot: int | None, **extra: Any) -> dict[str, Any]:
        start = T0 + timedelta(seconds=second)
        return {"started_at": start, "duration_s": duration, "context_id": slot, **extra}

    tiny = build_frame(
        [
            row(0, 10.0, 0),
            row(12, 8.0, 0, error="net::ERR_NAME_NOT_RESOLVED", error_type="network"),
            row(5, 25.0, 1),
            row(-500, 99.0, 1, from_cache=True),  # not timed in this run
            row(3, 4.0, None),  # no slot (e.g. the PSI engine): counts for the window only
        ]
    )

    usage = plotting.context_utilisation(tiny)

    # window: first start 0 s → last finish 30 s
    expected = pd.DataFrame(
        {
            "busy_s": [18.0, 25.0],
            "idle_s": [12.0, 5.0],
            "busy_share": [0.6, 25 / 30],
            "urls": [2, 1],
        },
        index=pd.Index([0, 1], name="context_id"),
    )
    pd.testing.assert_frame_equal(usage, expected)


def test_context_utilisation_counts_overlapping_intervals_once() -> None:
    starts = [0, 4, 20]
    tiny = build_frame(
        [
            {"started_at": T0 + timedelta(seconds=s), "duration_s": 10.0, "context_id": 0}
            for s in starts
        ]
    )
    usage = plotting.context_utilisation(tiny)
    assert usage.loc[0, "busy_s"] == 24.0  # [0, 14] ∪ [20, 30]
    assert usage.loc[0, "idle_s"] == 6.0


# --- scores ----------------------------------------------------------------------------


def test_scores_points_bands_and_missing_counts(df: pd.DataFrame) -> None:
    ax = plotting.plot_scores(df)

    assert point_count(ax) == int(df[list(plotting.CATEGORIES)].notna().sum().sum())
    bands = [p for p in ax.patches if p.get_alpha() == pytest.approx(0.12)]
    assert hexes(p.get_facecolor() for p in bands) == {
        plotting.POOR,
        plotting.AVERAGE,
        plotting.GOOD,
    }
    colors = set().union(*(hexes(c.get_facecolor()) for c in ax.collections))
    assert colors == {plotting.POOR, plotting.AVERAGE, plotting.GOOD}
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    errors = int(df["error"].notna().sum())
    unscored = int((df["accessibility"].isna() & df["error"].isna()).sum())
    assert errors and unscored  # rows left out as errors, and scored rows without the score
    assert ticks[0] == f"Performance\n{len(df) - errors} values\n{errors} errors"
    scored = len(df) - errors - unscored
    assert ticks[1] == f"Accessibility\n{scored} values\n{errors} errors\n{unscored} missing"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["90–100", "50–89", "0–49", "mobile", "desktop"]
    assert ax.get_title() == "Lighthouse category scores"
    assert ax.get_ylabel() == "score (0–100)"


def test_scores_colour_each_point_by_its_band() -> None:
    values = [49, 50, 89, 90, 100, 0]
    small = build_frame([{"strategy": "desktop", "seo": v} for v in values])
    ax = plotting.plot_scores(small, categories=["seo"])
    (points,) = ax.collections[:1]
    by_score = dict(
        zip(points.get_offsets()[:, 1], (to_hex(c) for c in points.get_facecolor()), strict=True)
    )
    assert by_score == {
        49: plotting.POOR,
        50: plotting.AVERAGE,
        89: plotting.AVERAGE,
        90: plotting.GOOD,
        100: plotting.GOOD,
        0: plotting.POOR,
    }
    assert "mobile" not in texts(ax)


# --- vitals ----------------------------------------------------------------------------


def test_vitals_one_point_per_value_against_thresholds(df: pd.DataFrame) -> None:
    axes = plotting.plot_vitals(df)

    assert len(axes) == 4
    for ax, column, name in zip(
        axes, ("lcp_ms", "cls", "tbt_ms", "fcp_ms"), ("LCP", "CLS", "TBT", "FCP"), strict=True
    ):
        values = int(df[column].notna().sum())
        assert point_count(ax) == values
        assert ax.get_title(loc="left").startswith(name)
        errors = int(df["error"].notna().sum())
        assert ax.get_title(loc="left").endswith(f" · {values} values, {errors} errors")
        assert values + errors == len(df)
        assert hexes(p.get_facecolor() for p in ax.patches) == {
            plotting.GOOD,
            plotting.AVERAGE,
            plotting.POOR,
        }
        assert [t.get_text() for t in ax.get_yticklabels()] == ["mobile", "desktop"]
    assert [ax.get_xlabel() for ax in axes] == ["LCP (s)", "CLS (unitless)", "TBT (ms)", "FCP (s)"]
    assert axes[1].get_title(loc="left").startswith("CLS: good ≤ 0.1, poor > 0.25 ·")
    assert axes[0].get_title(loc="left").startswith("LCP: good ≤ 2.5, poor > 4 s ·")
    assert axes[2].get_title(loc="left").startswith("TBT: good ≤ 200, poor > 600 ms ·")


def test_vitals_bands_follow_thresholds() -> None:
    lcp_ms = [2500.0, 2600.0, 4000.0, 4100.0]
    small = build_frame([{"strategy": "mobile", "lcp_ms": v} for v in lcp_ms])
    lcp = plotting.plot_vitals(small)[0]
    (points,) = lcp.collections
    colours = dict(
        zip(points.get_offsets()[:, 0], (to_hex(c) for c in points.get_facecolor()), strict=True)
    )
    assert colours == {
        2.5: plotting.GOOD,
        2.6: plotting.AVERAGE,
        4.0: plotting.AVERAGE,
        4.1: plotting.POOR,
    }


def test_vitals_draws_on_given_axes_and_checks_their_number(df: pd.DataFrame) -> None:
    _, grid = plt.subplots(2, 2)
    assert plotting.plot_vitals(df, ax=grid.ravel()) == tuple(grid.ravel())
    with pytest.raises(ValueError, match="needs 4 Axes"):
        plotting.plot_vitals(df, ax=grid.ravel()[:2])


# --- pool stats ------------------------------------------------------------------------


def test_pool_stats_bars_per_slot_coloured_by_state() -> None:
    ax = plotting.plot_pool_stats(POOL_STATS)

    bars = ax.patches
    assert [int(b.get_height()) for b in bars] == [31, 30, 29]
    assert [to_hex(b.get_facecolor()) for b in bars] == ["#9aa0a6", plotting.OK_COLOR, "#9aa0a6"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["slot 0", "slot 1", "slot 2"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["idle", "busy"]
    assert ax.get_title() == "Context pool (multi-context): 3 of max 3 contexts · 2 idle, 1 busy"
    assert ax.get_ylabel() == "pages served"
    assert {"31", "30", "29"} <= set(texts(ax))


def test_rows_with_an_error_are_never_drawn_or_counted_as_values(df: pd.DataFrame) -> None:
    """Even in a frame that carries an error page's metrics and scores (an older Parquet)."""
    failed = df["error"].notna()
    old = df.copy()
    old.loc[failed, ["lcp_ms", "cls", "tbt_ms", "fcp_ms"]] = [730.0, 0.0, 0.0, 720.0]
    old.loc[failed, list(plotting.CATEGORIES)] = 100
    errors = int(failed.sum())
    for before, after in zip(plotting.plot_vitals(df), plotting.plot_vitals(old), strict=True):
        assert point_count(after) == point_count(before)
        assert after.get_title(loc="left") == before.get_title(loc="left")
        assert f", {errors} errors" in after.get_title(loc="left")
    scores = plotting.plot_scores(old)
    assert point_count(scores) == point_count(plotting.plot_scores(df))
    ticks = [t.get_text() for t in scores.get_xticklabels()]
    assert all(f"\n{errors} errors" in tick for tick in ticks)


def test_opportunities_title_counts_the_rows_left_out_as_errors() -> None:
    table = pd.DataFrame(
        {"audit_id": ["unused-javascript"], "title": ["Reduce unused JS"], "pages": [7],
         "pages_failing": [2], "total_savings_ms": [900.0], "median_savings_ms": [450.0],
         "total_savings_bytes": [81920.0], "median_savings_bytes": [40960.0]}
    )  # fmt: skip
    table.attrs["psdata"] = {"rows": 7, "errors": 1, "missing": 0}
    title = plotting.plot_opportunities(table).get_title()
    assert title == "Performance opportunities across the pages · 7 pages, 1 error"
    table.attrs.clear()  # a table made by hand: nothing to count
    assert plotting.plot_opportunities(table).get_title().endswith("across the pages")


def test_pool_stats_unknown_state_gets_its_own_colour() -> None:
    stats = {"mode": "single", "contexts": [{"id": 0, "state": "closing", "pages_served": 4}]}
    ax = plotting.plot_pool_stats(stats)
    assert to_hex(ax.patches[0].get_facecolor()) not in {"#9aa0a6", plotting.OK_COLOR}
    assert "closing" in texts(ax)


# --- degenerate inputs and layout ------------------------------------------------------

PLOTS: dict[str, Callable[[pd.DataFrame], Any]] = {
    "throughput": plotting.plot_throughput,
    "contexts": plotting.plot_contexts,
    "scores": plotting.plot_scores,
    "vitals": plotting.plot_vitals,
}


def all_failed() -> pd.DataFrame:
    failed = [
        {**r, "error": "net::ERR_CONNECTION_REFUSED", "error_type": "network"}
        for r in make_records(n_urls=10)[10:]  # the first 10 come from the cache
    ]
    for r in failed:
        for column in (*plotting.CATEGORIES, "lcp_ms", "cls", "tbt_ms", "fcp_ms"):
            r.pop(column, None)
    return frame(failed)


@pytest.mark.parametrize("name", PLOTS)
def test_empty_frame_draws_a_no_data_note(name: str) -> None:
    result = PLOTS[name](build_frame([]))
    axes = result if isinstance(result, tuple) else (result,)
    assert all(any(t.startswith("no ") for t in texts(ax)) for ax in axes)
    axes[0].figure.canvas.draw()


@pytest.mark.parametrize("name", PLOTS)
def test_all_failed_frame_draws(name: str) -> None:
    result = PLOTS[name](all_failed())
    axes = result if isinstance(result, tuple) else (result,)
    axes[0].figure.canvas.draw()
    if name in ("scores", "vitals"):
        assert all("no " in " ".join(texts(ax)) for ax in axes)
    else:  # failures are still timed
        assert any("failed (10)" in t for t in texts(axes[0]))


def test_empty_pool_stats_and_context_utilisation() -> None:
    ax = plotting.plot_pool_stats({"mode": "multi-context", "contexts": []})
    assert "no contexts" in texts(ax)
    usage = plotting.context_utilisation(build_frame([]))
    assert usage.empty
    assert list(usage.columns) == ["busy_s", "idle_s", "busy_share", "urls"]


def test_plots_draw_on_the_given_axes(df: pd.DataFrame) -> None:
    _, ax = plt.subplots()
    for plot in (plotting.plot_throughput, plotting.plot_contexts, plotting.plot_scores):
        assert plot(df, ax=ax) is ax
    assert plotting.plot_pool_stats(POOL_STATS, ax=ax) is ax


@pytest.mark.parametrize("name", [*PLOTS, "pool_stats"])
def test_no_overlapping_text_with_50_urls(df: pd.DataFrame, name: str) -> None:
    result = plotting.plot_pool_stats(POOL_STATS) if name == "pool_stats" else PLOTS[name](df)
    fig = (result[0] if isinstance(result, tuple) else result).figure
    assert len(drawn_texts(fig)) > 5
    assert_no_overlap(fig)


def test_plotting_imports_only_the_frame_schema_and_the_facts_from_psdata() -> None:
    tree = ast.parse(Path(plotting.__file__).read_text())
    own = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.level or (node.module or "").startswith("psdata"))
    }
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert own == {"_frame", "_lighthouse"}
    assert not {name for name in imported if name.startswith(("playwright", "psdata"))}


def run_rows() -> pd.DataFrame:
    """Two pages' runs: page a's run 2 is the representative, page b's run 3 failed."""
    from psdata._frame import RUN_SCHEMA

    records = [
        {"url": "https://a.example/", "strategy": "mobile", "run": n, "performance": score}
        for n, score in ((1, 95), (2, 70), (3, 40))
    ] + [
        {"url": "https://b.example/", "strategy": "mobile", "run": n, "performance": score}
        for n, score in ((1, 88), (2, 91), (3, None))
    ]
    for record, chosen in zip(records, (False, True, False, True, False, False), strict=True):
        record["representative"] = chosen
    records[-1].update(error="Timed out", error_type="timeout")
    return build_frame(records, schema=RUN_SCHEMA)


def test_runs_one_dot_per_run_the_representative_a_diamond_failures_counted() -> None:
    ax = plotting.plot_runs(run_rows())
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    points = sorted(
        (float(x), round(float(y)), len(c.get_offsets()) == 1 and c.get_sizes()[0] == 60)
        for c in dots
        for x, y in c.get_offsets()
    )
    # (score, page row, drawn as the representative's diamond)
    assert [(x, row) for x, row, _ in points] == [(40, 0), (70, 0), (88, 1), (91, 1), (95, 0)]
    assert [(x, row) for x, row, diamond in points if diamond] == [(70, 0), (88, 1)]
    colours = {
        float(x): to_hex(colour)
        for c in dots
        for (x, _), colour in zip(c.get_offsets(), c.get_facecolors(), strict=True)
    }
    assert colours[95] == to_hex(plotting.GOOD) and colours[40] == to_hex(plotting.POOR)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["a.example/", "b.example/ · 1 failed"]


def test_runs_refuses_a_result_frame() -> None:
    with pytest.raises(ValueError, match=r"psdata\.runs"):
        plotting.plot_runs(build_frame([]))


def test_compare_one_interval_per_page_and_metric_coloured_by_verdict() -> None:
    from psdata._frame import COMPARE_SCHEMA

    rows = [
        ("https://a.example/", "lcp_ms", 420.0, 300.0, 510.0, "worse"),
        ("https://b.example/", "lcp_ms", -10.0, -80.0, 60.0, "no change"),
        ("https://a.example/", "performance", -1.0, None, None, "not enough runs"),
    ]
    keys = ("url", "metric", "shift", "ci_low", "ci_high", "verdict")
    result = pd.DataFrame(
        [{"strategy": "mobile", **dict(zip(keys, row, strict=True))} for row in rows],
        columns=list(COMPARE_SCHEMA),
    ).astype({"url": "string", "metric": "string", "shift": "float64"})
    lcp, perf = plotting.plot_compare(result)
    assert lcp.get_xlabel() == "LCP shift, after − before (s)"
    lines = [c for c in lcp.collections if not isinstance(c, PathCollection)]
    bars = [segment for c in lines for segment in c.get_segments()]
    spans = sorted((round(s[0][0], 3), round(s[1][0], 3), round(s[0][1])) for s in bars)
    assert spans == [(-0.08, 0.06, 1), (0.3, 0.51, 0)]  # seconds, page row
    assert lcp.get_title(loc="left") == "LCP · 1 worse"
    (hollow,) = [c for c in perf.collections if isinstance(c, PathCollection)]
    assert to_hex(hollow.get_facecolors()[0]) == "#ffffff"  # not enough runs: no interval
    assert not [c for c in perf.collections if not isinstance(c, PathCollection)]
