"""Matplotlib views of a psdata result frame: scores, scores per page template, Core Web
Vitals, throughput, contexts, performance opportunities, repeated runs and before/after
comparisons.

Every function takes the DataFrame returned by ``psdata.analyze`` (any index, including the
``(input index, strategy)`` MultiIndex of a two-strategy run), draws on *ax* or on a new
figure, and returns what it drew on. Empty and all-failed frames draw an empty plot with a
"no data" note instead of raising. Rows with an error are never drawn or counted as
values: each plot says how many it left out ("7 values, 1 error").

Timelines (:func:`plot_throughput`, :func:`plot_contexts`, :func:`context_utilisation`) use
``started_at`` and ``duration_s`` of the rows measured in this run: rows served from the
cache (``from_cache`` True) carry the time of an earlier run and are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ._frame import STRATEGIES, VERDICTS, failed_rows
from ._lighthouse import (
    CATEGORIES,
    CATEGORY_TITLES,
    CONTROL_POINTS,
    SCORE_BANDS,
    WEB_VITALS_THRESHOLDS,
    Thresholds,
)

#: Lighthouse's colours of its good (pass), needs-improvement (average) and poor (fail) bands.
GOOD, AVERAGE, POOR = (band.colour for band in SCORE_BANDS)
#: Timeline colours of measured and failed rows.
OK_COLOR, FAIL_COLOR = "#1a73e8", "#b3261e"

#: Metric column → (abbreviation, unit, divisor to that unit, good ≤ / poor > thresholds).
#: TBT, a lab metric, has no Web Vitals threshold: its bounds are where Lighthouse's
#: mobile score leaves the good and the average band.
VITALS: dict[str, tuple[str, str, float, Thresholds]] = {
    "lcp_ms": ("LCP", "s", 1000.0, WEB_VITALS_THRESHOLDS["lcp_ms"]),
    "cls": ("CLS", "", 1.0, WEB_VITALS_THRESHOLDS["cls"]),
    "tbt_ms": ("TBT", "ms", 1.0, Thresholds(*CONTROL_POINTS["mobile"]["tbt_ms"])),
    "fcp_ms": ("FCP", "s", 1000.0, WEB_VITALS_THRESHOLDS["fcp_ms"]),
}
#: Lowest score (0–100) of the good and the average band.
_GOOD_FROM, _AVERAGE_FROM = (round(band.min_score * 100) for band in SCORE_BANDS[:2])
#: The bands on a 0–100 score axis, poor first: (from, to, colour), and their legend names.
_SCORE_SPANS = (
    (-2, _AVERAGE_FROM - 0.5, POOR),
    (_AVERAGE_FROM - 0.5, _GOOD_FROM - 0.5, AVERAGE),
    (_GOOD_FROM - 0.5, 102, GOOD),
)
_SCORE_RANGES = (f"{_GOOD_FROM}–100", f"{_AVERAGE_FROM}–{_GOOD_FROM - 1}", f"0–{_AVERAGE_FROM - 1}")
_MARKERS = ("o", "s", "^")
_STATE_COLORS = {"idle": "#9aa0a6", "busy": OK_COLOR, "recycling": AVERAGE, "crashed": POOR}
_LEGEND_RIGHT: dict[str, Any] = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)}
#: Colour of each verdict of psdata.compare, in VERDICTS' order (better, worse, no
#: change, not enough runs).
_VERDICT_COLORS = dict(zip(VERDICTS, (GOOD, POOR, "0.35", "0.75"), strict=True))
#: Column → (label, unit, divisor to that unit) of what plot_runs and plot_compare show.
_UNITS: dict[str, tuple[str, str, float]] = {
    **{c: (CATEGORY_TITLES[c], "score 0–100", 1.0) for c in CATEGORIES},
    **{c: (name, unit, divisor) for c, (name, unit, divisor, _) in VITALS.items()},
    "speed_index_ms": ("Speed Index", "s", 1000.0),
    "ttfb_ms": ("TTFB", "ms", 1.0),
    "tti_ms": ("TTI", "s", 1000.0),
    "cls": ("CLS", "unitless", 1.0),
}

_FloatArray = npt.NDArray[np.float64]


def plot_throughput(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Cumulative URLs finished over wall time, with the rate in URLs per hour.

    Each row (one URL and strategy) counts once when it finishes, at ``started_at +
    duration_s``; failed rows are marked with a red ``x``. The rate is rows finished
    divided by the wall time from the first start to the last finish. Cached rows are
    not timed and only counted in the annotation.

    Parameters
    ----------
    df : pandas.DataFrame
        A psdata result frame.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from psdata._frame import build_frame
    >>> df = build_frame([{"url": "https://example.com", "strategy": "mobile",
    ...     "started_at": "2025-01-01T00:00:00Z", "duration_s": 9.0, "context_id": 0}])
    >>> plot_throughput(df).get_title()
    'Throughput'
    """
    ax = _axes(ax, (8, 4.5))
    timeline = _timeline(df).sort_values("end_s", ignore_index=True)
    span = float(timeline["end_s"].max()) if len(timeline) else 0.0
    scale, unit = _time_scale(span)
    ax.set(
        title="Throughput",
        xlabel=f"wall time since first start ({unit})",
        ylabel="URLs finished (cumulative)",
    )
    cached = int(_cached(df).sum())
    cached_note = f"\n+ {cached} cached (not timed)" if cached else ""
    if timeline.empty:
        _no_data(ax, "no timed rows" + cached_note)
        return ax
    end = timeline["end_s"].to_numpy() / scale
    done = np.arange(1, len(end) + 1)
    failed = timeline["failed"].to_numpy(dtype=bool)
    ax.step(np.r_[0.0, end], np.r_[0, done], where="post", color=OK_COLOR, label="finished")
    ax.scatter(
        end[failed],
        done[failed],
        marker="x",
        color=FAIL_COLOR,
        zorder=3,
        label=f"failed ({failed.sum()})",
    )
    rate = f"{len(end) * 3600 / span:,.0f} URLs/hour" if span > 0 else "rate n/a"
    ax.text(
        0.98,
        0.04,
        f"{rate}\n{len(end)} URLs in {span / scale:.1f} {unit}{cached_note}",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
    )
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    return ax


def context_utilisation(df: pd.DataFrame) -> pd.DataFrame:
    """Busy and idle time of each context slot over the run's wall time.

    The window is the same for every slot: from the first start to the last finish of
    any timed row in a slot, so time before a slot's first page and after its last one is idle.
    Overlapping intervals in one slot count once. Cached rows are left out.

    Parameters
    ----------
    df : pandas.DataFrame
        A psdata result frame.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``context_id`` (by ``worker`` and ``context_id`` when the rows come
        from several worker processes, as on a dask cluster), with columns ``busy_s``,
        ``idle_s``, ``busy_share`` (0–1) and ``urls`` (rows measured in the slot).

    Examples
    --------
    >>> from psdata._frame import build_frame
    >>> df = build_frame([
    ...     {"started_at": "2025-01-01T00:00:00Z", "duration_s": 10.0, "context_id": 0},
    ...     {"started_at": "2025-01-01T00:00:05Z", "duration_s": 15.0, "context_id": 1},
    ... ])
    >>> context_utilisation(df)
                busy_s  idle_s  busy_share  urls
    context_id
    0             10.0    10.0        0.50     1
    1             15.0     5.0        0.75     1
    """
    timeline = _timeline(df).dropna(subset=["context_id"])
    keys = _slot_keys(timeline)
    window = float(timeline["end_s"].max() - timeline["start_s"].min()) if len(timeline) else 0.0
    rows = [
        {
            **dict(zip(keys, slot, strict=True)),
            "busy_s": (busy := _busy_seconds(group["start_s"], group["end_s"])),
            "idle_s": window - busy,
            "busy_share": busy / window if window > 0 else np.nan,
            "urls": len(group),
        }
        for slot, group in timeline.groupby(keys)
    ]
    columns = [*keys, "busy_s", "idle_s", "busy_share", "urls"]
    usage = pd.DataFrame(rows, columns=columns).astype({"context_id": "int64", "urls": "int64"})
    return usage.set_index(keys)


def plot_contexts(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Gantt timeline of the context slots: one row per slot, one bar per URL measured.

    When the rows come from several worker processes (a dask cluster: the ``worker``
    column), each worker's slots get their own rows, labelled ``host:pid slot N``.

    Bars run from ``started_at`` for ``duration_s``, blue when the page was scored and
    hatched red when it failed, so concurrency and idle gaps show. Each slot's tick label
    gives its busy share and URL count (see :func:`context_utilisation`); the title gives
    the mean concurrency. Cached rows are not drawn.

    Parameters
    ----------
    df : pandas.DataFrame
        A psdata result frame.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from psdata._frame import build_frame
    >>> df = build_frame([
    ...     {"started_at": "2025-01-01T00:00:00Z", "duration_s": 9.0, "context_id": 0},
    ...     {"started_at": "2025-01-01T00:00:02Z", "duration_s": 7.0, "context_id": 1},
    ... ])
    >>> len(plot_contexts(df).patches)
    2
    """
    timeline = _timeline(df).dropna(subset=["context_id"])
    keys = _slot_keys(timeline)
    usage = context_utilisation(df)
    ax = _axes(ax, (10, 1.5 + 0.7 * max(len(usage), 1)))
    span = float(timeline["end_s"].max()) if len(timeline) else 0.0
    scale, unit = _time_scale(span)
    cached = int(_cached(df).sum())
    window = span - float(timeline["start_s"].min()) if len(timeline) else 0.0
    title = f"Context timeline: {len(usage)} slots"
    if window > 0:
        title += f", mean concurrency {usage['busy_s'].sum() / window:.1f}"
    ax.set(title=title + (f" ({cached} cached rows not shown)" if cached else ""))
    ylabel = "worker · context slot" if len(keys) > 1 else "context slot"
    ax.set(xlabel=f"wall time since first start ({unit})", ylabel=ylabel)
    if timeline.empty:
        _no_data(ax)
        return ax
    slots = (
        pd.MultiIndex.from_frame(timeline[keys]) if len(keys) > 1 else pd.Index(timeline[keys[0]])
    )
    row = usage.index.get_indexer(slots)
    for failed, color, hatch, label in (
        (False, OK_COLOR, None, "scored"),
        (True, FAIL_COLOR, "//", "failed"),
    ):
        part = timeline["failed"] == failed
        if part.any():
            ax.barh(
                row[part.to_numpy()].astype(float),
                (timeline["end_s"] - timeline["start_s"])[part] / scale,
                left=timeline["start_s"][part] / scale,
                height=0.7,
                color=color,
                hatch=hatch,
                edgecolor="white",
                linewidth=0.5,
                label=f"{label} ({part.sum()})",
            )
    ax.set_yticks(range(len(usage)), [_slot_label(u) for u in usage.itertuples()])
    ax.set_ylim(len(usage) - 0.5, -0.5)
    ax.set_xlim(0, span / scale)
    ax.legend(**_LEGEND_RIGHT)
    return ax


def plot_scores(
    df: pd.DataFrame, ax: Axes | None = None, categories: Sequence[str] = CATEGORIES
) -> Axes:
    """Distribution of each category score (0–100) over Lighthouse's colour bands.

    One point per row and category, coloured by Lighthouse's band (poor red, average
    orange, good green), with a black tick at the median. With both strategies each
    category gets a column of points per strategy, told apart by marker. Under each
    category name: its values, the rows left out as errors, and the other rows without
    that score (a category not asked for, or not scored: see ``warnings``).

    Parameters
    ----------
    df : pandas.DataFrame
        A psdata result frame.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    categories : sequence of str
        Score columns to show, left to right.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from psdata._frame import build_frame
    >>> df = build_frame([{"strategy": "mobile", "performance": 93, "seo": 100}])
    >>> plot_scores(df, categories=["performance", "seo"]).get_ylabel()
    'score (0–100)'
    """
    ax = _axes(ax, (9, 5))
    labels, groups = _strategies(df)
    offsets = np.linspace(-0.2, 0.2, len(groups)) if len(groups) > 1 else np.zeros(1)
    for low, high, color in _SCORE_SPANS:
        ax.axhspan(low, high, color=color, alpha=0.12, linewidth=0)
    rng = np.random.default_rng(0)
    failed = _failed(df)
    ticks = []
    for i, category in enumerate(categories):
        scores = _floats(df[category])
        present = ~np.isnan(scores) & ~failed
        tally = _tally(
            int(present.sum()), int(failed.sum()), int((~present & ~failed).sum()), sep="\n"
        )
        ticks.append(f"{CATEGORY_TITLES.get(category, category)}\n{tally}")
        for offset, group, marker in zip(offsets, groups, _MARKERS, strict=False):
            values = scores[(labels == group) & present]
            if values.size:
                x = i + offset + rng.uniform(-0.07, 0.07, values.size)
                ax.scatter(
                    x,
                    values,
                    c=_score_colors(values),
                    marker=marker,
                    s=22,
                    edgecolors="0.25",
                    linewidths=0.4,
                    zorder=3,
                )
                ax.hlines(
                    np.median(values), i + offset - 0.1, i + offset + 0.1, color="black", zorder=4
                )
    ax.set(title="Lighthouse category scores", ylabel="score (0–100)", ylim=(-2, 102))
    ax.set_xticks(range(len(categories)), ticks)
    ax.set_xlim(-0.5, len(categories) - 0.5)
    handles: list[Any] = _band_handles(_SCORE_RANGES)
    if len(groups) > 1:
        handles += [
            Line2D([], [], marker=m, linestyle="", color="0.4", label=g)
            for g, m in zip(groups, _MARKERS, strict=False)
        ]
    ax.legend(handles=handles, **_LEGEND_RIGHT)
    if not ax.collections:
        _no_data(ax, "no scores")
    return ax


def plot_templates(
    df: pd.DataFrame, ax: Axes | None = None, category: str = "performance", top: int = 20
) -> Axes:
    """Distribution of one category's score per page template, worst median on top.

    One row per template (the ``template`` column that ``analyze`` keeps from the frame
    of :func:`psdata.sitemap_urls`), one point per page coloured by band, a black tick at
    the median; each label gives the template's pages and its rows without a score. The
    title says how many rows were left out as errors (no score), and how many templates
    beyond the *top* most measured ones are not shown. With both strategies, points are
    told apart by marker.

    Parameters
    ----------
    df : pandas.DataFrame
        A psdata result frame with a ``template`` column.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    category : str
        The score column to show.
    top : int
        How many templates to show at most (those with the most rows).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from psdata._frame import build_frame
    >>> df = build_frame([{"strategy": "mobile", "performance": p} for p in (95, 40, None)])
    >>> df.insert(1, "template", ["/p/{slug}", "/p/{slug}", "/blog/{slug}"])
    >>> plot_templates(df).get_title()
    'Performance score per template · 1 row left out as errors (no score)'
    """
    if "template" not in df.columns:
        raise ValueError(
            "plot_templates needs a 'template' column: analyze the frame of psdata.sitemap_urls."
        )
    templates = df["template"].astype("string").fillna("(no template)")
    scores = _floats(df[category])
    labels, groups = _strategies(df)
    counts = templates.value_counts(sort=True)
    shown = counts.index[:top]
    medians = {t: _median(scores[(templates == t).to_numpy()]) for t in shown}
    order = sorted(shown, key=lambda t: (np.isnan(medians[t]), medians[t]))
    ax = _axes(ax, (9, 1.5 + 0.45 * max(len(order), 1)))
    errors = int(np.isnan(scores).sum())
    title = f"{CATEGORY_TITLES.get(category, category)} score per template"
    if errors:
        title += f" · {errors} {'row' if errors == 1 else 'rows'} left out as errors (no score)"
    if len(counts) > len(shown):
        title += f"\n{len(counts) - len(shown)} smaller templates not shown"
    ax.set(title=title, xlabel="score (0–100)", xlim=(-2, 102))
    for low, high, color in _SCORE_SPANS:
        ax.axvspan(low, high, color=color, alpha=0.12, linewidth=0)
    rng = np.random.default_rng(0)
    ticks = []
    for row, template in enumerate(order):
        rows = (templates == template).to_numpy()
        missing = int(np.isnan(scores[rows]).sum())
        count = f"{rows.sum()} {'row' if rows.sum() == 1 else 'rows'}"
        ticks.append(f"{template}\n{count}" + (f", {missing} no score" if missing else ""))
        for group, marker in zip(groups, _MARKERS, strict=False):
            values = scores[rows & (labels == group) & ~np.isnan(scores)]
            ax.scatter(
                values,
                row + rng.uniform(-0.2, 0.2, values.size),
                c=_score_colors(values),
                marker=marker,
                s=22,
                edgecolors="0.25",
                linewidths=0.4,
                zorder=3,
            )
        if not np.isnan(medians[template]):
            ax.vlines(medians[template], row - 0.3, row + 0.3, color="black", zorder=4)
    ax.set_yticks(range(len(order)), ticks)
    ax.set_ylim(max(len(order), 1) - 0.5, -0.5)
    handles: list[Any] = _band_handles(_SCORE_RANGES)
    if len(groups) > 1:
        handles += [
            Line2D([], [], marker=m, linestyle="", color="0.4", label=g)
            for g, m in zip(groups, _MARKERS, strict=False)
        ]
    ax.legend(handles=handles, **_LEGEND_RIGHT)
    if not (~np.isnan(scores)).any():
        _no_data(ax, "no scores")
    return ax


def plot_vitals(df: pd.DataFrame, ax: Sequence[Axes] | None = None) -> tuple[Axes, ...]:
    """LCP, CLS, TBT and FCP against their good / needs-improvement / poor thresholds.

    One panel per metric, its thresholds in its title (the Web Vitals', and for TBT where
    Lighthouse's mobile score leaves the good and the average band), one point per row
    coloured by band, a row of points per strategy. Points are not labelled, so 50+ URLs
    stay readable. Each panel's title counts its values, the rows left out as errors and
    the other rows without that metric ("7 values, 1 error").

    Parameters
    ----------
    df : pandas.DataFrame
        A psdata result frame.
    ax : sequence of four matplotlib.axes.Axes, optional
        Where to draw the LCP, CLS, TBT and FCP panels; a new figure when None.

    Returns
    -------
    tuple of matplotlib.axes.Axes
        The four panels, in the order above.

    Examples
    --------
    >>> from psdata._frame import build_frame
    >>> df = build_frame([{"strategy": "mobile", "lcp_ms": 2100.0, "cls": 0.02}])
    >>> lcp, cls, tbt, fcp = plot_vitals(df)
    >>> lcp.get_xlabel()
    'LCP (s)'
    """
    if ax is None:
        fig, created = plt.subplots(len(VITALS), 1, figsize=(9, 8), layout="constrained")
        fig.suptitle("Core Web Vitals and lab metrics")
        ax = list(created)
    if len(ax) != len(VITALS):
        raise ValueError(f"plot_vitals needs {len(VITALS)} Axes, got {len(ax)}")
    labels, groups = _strategies(df)
    failed = _failed(df)
    rng = np.random.default_rng(0)
    for axis, (column, (name, unit, divisor, bounds)) in zip(ax, VITALS.items(), strict=True):
        values = _floats(df[column]) / divisor
        good, poor = bounds.good / divisor, bounds.poor / divisor
        present = ~np.isnan(values) & ~failed
        right = 1.05 * max(values[present].max(initial=0.0), 1.5 * poor)
        for low, high, color in ((0, good, GOOD), (good, poor, AVERAGE), (poor, right, POOR)):
            axis.axvspan(low, high, color=color, alpha=0.15, linewidth=0)
        for row, group in enumerate(groups):
            v = values[present & (labels == group)]
            axis.scatter(
                v,
                row + rng.uniform(-0.25, 0.25, v.size),
                c=_metric_colors(v, good, poor),
                s=18,
                edgecolors="0.25",
                linewidths=0.4,
                zorder=3,
            )
        tally = _tally(int(present.sum()), int(failed.sum()), int((~present & ~failed).sum()))
        axis.set_title(
            f"{name}: good ≤ {good:g}, poor > {poor:g}{f' {unit}' if unit else ''} · {tally}",
            loc="left",
        )
        axis.set(xlim=(0, right), xlabel=f"{name} ({unit or 'unitless'})")
        axis.set_yticks(range(len(groups)), groups)
        axis.set_ylim(max(len(groups), 1) - 0.5, -0.5)
        if not present.any():
            _no_data(axis)
    ax[0].legend(handles=_band_handles(("good", "needs improvement", "poor")), **_LEGEND_RIGHT)
    return tuple(ax)


def plot_pool_stats(stats: Mapping[str, Any], ax: Axes | None = None) -> Axes:
    """Pages served per context slot, coloured by the slot's state.

    Parameters
    ----------
    stats : mapping
        Pool statistics with ``mode``, ``max_concurrent_contexts`` and ``contexts``, a
        list of ``{"id", "state", "pages_served", ...}`` dicts.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_pool_stats({"mode": "multi-context", "max_concurrent_contexts": 3,
    ...     "contexts": [{"id": 0, "state": "idle", "pages_served": 12},
    ...                  {"id": 1, "state": "busy", "pages_served": 9}]})
    >>> [int(bar.get_height()) for bar in ax.patches]
    [12, 9]
    """
    ax = _axes(ax, (7, 4))
    contexts = list(stats.get("contexts", []))
    states = [str(context.get("state", "unknown")) for context in contexts]
    counts = ", ".join(f"{n} {state}" for state, n in Counter(states).items())
    ax.set(
        title=f"Context pool ({stats.get('mode', '?')}): {len(contexts)} of max "
        f"{stats.get('max_concurrent_contexts', '?')} contexts"
        + (f" · {counts}" if counts else ""),
        xlabel="context slot",
        ylabel="pages served",
    )
    if not contexts:
        _no_data(ax, "no contexts")
        return ax
    palette = {s: _STATE_COLORS.get(s, f"C{i + 3}") for i, s in enumerate(dict.fromkeys(states))}
    bars = ax.bar(
        [f"slot {context.get('id', i)}" for i, context in enumerate(contexts)],
        [context.get("pages_served", 0) for context in contexts],
        color=[palette[state] for state in states],
    )
    ax.bar_label(bars)
    ax.margins(y=0.1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(
        handles=[Patch(color=c, label=s) for s, c in palette.items()],
        title="state",
        **_LEGEND_RIGHT,
    )
    return ax


def plot_opportunities(
    df: pd.DataFrame, ax: Axes | None = None, top: int = 15, by: str = "auto"
) -> Axes:
    """Which fix pays off: the performance opportunities by total estimated savings.

    One horizontal bar per opportunity failing on at least one page, longest on top,
    labelled with the pages failing out of the pages judged. Savings are in seconds
    (``by="ms"``) or KiB (``by="bytes"``); ``"auto"`` takes seconds once the byte
    opportunities have time estimates (the load simulator ran), else KiB. Opportunities
    without savings in that unit are left out and counted in the title, and so are the
    result rows left out as errors (from the frame's ``attrs``, see
    :func:`psdata.audits`).

    Parameters
    ----------
    df : pandas.DataFrame
        The frame of :func:`psdata.opportunities` (plotting never reads the result store
        that ``analyze``'s audits live in).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    top : int
        How many opportunities to show at most.
    by : {"auto", "ms", "bytes"}
        The unit of the bars.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"audit_id": ["unused-javascript"], "title": ["Reduce unused JS"],
    ...     "pages": [3], "pages_failing": [2], "total_savings_ms": [float("nan")],
    ...     "median_savings_ms": [float("nan")], "total_savings_bytes": [81920.0],
    ...     "median_savings_bytes": [40960.0]})
    >>> plot_opportunities(table).get_xlabel()
    'total estimated savings over the failing pages (KiB)'
    """
    if by not in ("auto", "ms", "bytes"):
        raise ValueError(f"by must be 'auto', 'ms' or 'bytes', not {by!r}")
    if "pages_failing" not in df.columns:
        # Plotting reads frames only, never the result store the audits live in.
        raise ValueError("plot_opportunities takes psdata.opportunities(frame); pass that.")
    failing = df[df["pages_failing"] > 0]
    if by == "auto":
        timed_bytes = failing["total_savings_ms"].notna() & failing["total_savings_bytes"].gt(0)
        by = "ms" if timed_bytes.any() else "bytes"
    column, unit, scale = (
        ("total_savings_ms", "s", 1000.0) if by == "ms" else ("total_savings_bytes", "KiB", 1024.0)
    )
    shown = failing[failing[column].fillna(0) > 0].sort_values(column, ascending=False)
    left_out = len(failing) - min(len(shown), top)
    shown = shown.head(top)
    ax = _axes(ax, (9, 1.2 + 0.4 * max(len(shown), 1)))
    title = "Performance opportunities across the pages"
    counts = df.attrs.get("psdata", {})
    if "rows" in counts:
        title += f" · {_tally(counts['rows'], counts['errors'], counts['missing'], 'page')}"
    if left_out:
        title += f"\n({left_out} more failing without {'time' if by == 'ms' else 'byte'} savings)"
    ax.set(title=title, xlabel=f"total estimated savings over the failing pages ({unit})")
    if shown.empty:
        _no_data(ax, "no failing opportunity")
        return ax
    values = _floats(shown[column]) / scale
    y = np.arange(len(shown))
    bars = ax.barh(y, values, color=OK_COLOR if by == "ms" else AVERAGE)
    labels = [
        f"{v:,.1f} {unit} · {f}/{p} pages"
        for v, f, p in zip(values, shown["pages_failing"], shown["pages"], strict=True)
    ]
    ax.bar_label(bars, labels, padding=3, fontsize=8)
    ax.set_yticks(y, shown["title"].astype(str).tolist())
    ax.invert_yaxis()
    ax.margins(x=0.3)
    return ax


def plot_runs(runs: pd.DataFrame, metric: str = "performance", ax: Axes | None = None) -> Axes:
    """Each page's runs of one metric as a strip, the representative run marked.

    One row per page (and strategy), one dot per run that has the value, the run the
    result row shows (``representative``) as a black-edged diamond. Scores and the Web
    Vitals are coloured by Lighthouse's bands; failed runs are counted in the page's
    label.

    Parameters
    ----------
    runs : pandas.DataFrame
        The frame of :func:`psdata.runs` (plotting never reads the result store the
        runs live in).
    metric : str
        The column to show (a category score or a lab metric).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from psdata._frame import RUN_SCHEMA, build_frame
    >>> runs = build_frame([{"url": "https://a.org/", "strategy": "mobile", "run": n,
    ...                      "representative": n == 2, "performance": 80 + n} for n in (1, 2, 3)],
    ...                    schema=RUN_SCHEMA)
    >>> plot_runs(runs).get_xlabel()
    'Performance (score 0–100)'
    """
    if "representative" not in runs.columns:
        raise ValueError("plot_runs takes psdata.runs(scores); pass that.")
    name, unit, divisor = _UNITS.get(metric, (metric, "", 1.0))
    pages = _pages(runs)
    ax = _axes(ax, (9, 1.4 + 0.35 * max(len(pages), 1)))
    ax.set(title=f"{name}: each page's runs (◆ the representative run)", xlabel=f"{name} ({unit})")
    colors = _value_colors(metric)
    rng = np.random.default_rng(0)  # equal values side by side: a little vertical jitter
    labels, drawn = [], 0
    for row, (label, page) in enumerate(pages):
        values = _floats(page[metric]) / divisor
        chosen = page["representative"].fillna(False).to_numpy(dtype=bool)
        failed = int(failed_rows(page).sum())
        labels.append(label + (f" · {failed} failed" if failed else ""))
        for picked, marker, size, edge in ((~chosen, "o", 24, "0.25"), (chosen, "D", 60, "black")):
            shown = values[picked & ~np.isnan(values)]
            drawn += shown.size
            jitter = rng.uniform(-0.18, 0.18, shown.size) if marker == "o" else 0.0
            ax.scatter(
                shown,
                row + jitter + np.zeros(shown.size),
                c=colors(shown * divisor),
                marker=marker,
                s=size,
                edgecolors=edge,
                linewidths=0.5 if marker == "o" else 1.2,
                zorder=3 if marker == "o" else 4,
            )
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)
    if not drawn:
        _no_data(ax, "no runs")
    return ax


def plot_compare(
    result: pd.DataFrame, ax: Sequence[Axes] | None = None, metrics: Sequence[str] | None = None
) -> tuple[Axes, ...]:
    """The shift of each page and metric with its confidence interval, by verdict.

    One panel per metric (those of *result*, or *metrics*), one row per page: the
    Hodges–Lehmann shift (after − before) as a dot, its interval as a bar, coloured by
    verdict (worse red, better green, no change grey, not enough runs light grey and
    without an interval). A vertical line marks no shift.

    Parameters
    ----------
    result : pandas.DataFrame
        The frame of :func:`psdata.compare`.
    ax : sequence of matplotlib.axes.Axes, optional
        One per metric; a new figure when None.
    metrics : sequence of str, optional
        The metrics to show, in order (default: those in *result*).

    Returns
    -------
    tuple of matplotlib.axes.Axes
        The panels, in the order of the metrics.

    Examples
    --------
    >>> import pandas as pd
    >>> from psdata._frame import COMPARE_SCHEMA
    >>> result = pd.DataFrame([{"url": "https://a.org/", "strategy": "mobile",
    ...     "metric": "lcp_ms", "runs_before": 5, "runs_after": 5, "shift": 420.0,
    ...     "ci_low": 300.0, "ci_high": 510.0, "verdict": "worse"}],
    ...     columns=list(COMPARE_SCHEMA)).astype(COMPARE_SCHEMA)
    >>> (panel,) = plot_compare(result)
    >>> panel.get_xlabel()
    'LCP shift, after − before (s)'
    """
    if "verdict" not in result.columns:
        raise ValueError("plot_compare takes psdata.compare(before, after); pass that.")
    names = list(metrics) if metrics is not None else list(dict.fromkeys(result["metric"]))
    pages = _pages(result)
    if ax is None:
        height = 1.2 + 0.3 * max(len(pages), 1)
        columns = min(len(names), 4) or 1
        fig, created = plt.subplots(
            (len(names) + columns - 1) // columns or 1,
            columns,
            figsize=(3.2 * columns + 1.5, height * ((len(names) + columns - 1) // columns or 1)),
            layout="constrained",
            squeeze=False,
        )
        fig.suptitle("After vs before: shift and interval per page")
        for extra in created.flat[len(names) :]:
            extra.set_visible(False)
        ax = list(created.flat[: max(len(names), 1)])
    if len(ax) != max(len(names), 1):
        raise ValueError(f"plot_compare needs {max(len(names), 1)} Axes, got {len(ax)}")
    labels = [label for label, _ in pages]
    for column, metric in enumerate(names):
        axis = ax[column]
        name, unit, divisor = _UNITS.get(metric, (metric, "", 1.0))
        unit = "points" if metric in CATEGORIES else unit
        counts: Counter[str] = Counter()
        for row, (_, page) in enumerate(pages):
            for _, item in page[page["metric"] == metric].iterrows():
                verdict = str(item["verdict"])
                counts[verdict] += 1
                shift, low, high = (
                    item[k] / divisor if pd.notna(item[k]) else np.nan
                    for k in ("shift", "ci_low", "ci_high")
                )
                color = _VERDICT_COLORS.get(verdict, "0.5")
                if not np.isnan(low) and not np.isnan(high):
                    axis.hlines(row, low, high, color=color, linewidth=2.5, zorder=2)
                if not np.isnan(shift):
                    hollow = verdict == VERDICTS[3]
                    axis.scatter(
                        [shift],
                        [row],
                        s=30,
                        facecolors="white" if hollow else color,
                        edgecolors=color if hollow else "0.2",
                        linewidths=1.0,
                        zorder=3,
                    )
        axis.axvline(0, color="0.3", linewidth=0.8, zorder=1)
        summary = ", ".join(f"{counts[v]} {v}" for v in VERDICTS[:2] if counts[v])
        axis.set_title(f"{name}" + (f" · {summary}" if summary else ""), loc="left", fontsize=10)
        axis.set_xlabel(f"{name} shift, after − before ({unit})")
        axis.set_yticks(range(len(labels)), labels if column % 4 == 0 else [])
        axis.set_ylim(max(len(labels), 1) - 0.5, -0.5)
        if not counts:
            _no_data(axis, "no comparison")
    if not names:
        _no_data(ax[0], "no comparison")
    handles = [
        Line2D([], [], marker="o", linestyle="", color=c, label=v)
        for v, c in _VERDICT_COLORS.items()
    ]
    ax[0].figure.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    return tuple(ax)


def _pages(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The rows of each page (URL and strategy, in order of appearance) with its label.

    The label is the URL's end (the host when the pages of several hosts are shown),
    with the strategy when the frame has both.
    """
    if frame.empty:
        return []
    strategies = frame["strategy"].astype("string").fillna("")
    both = strategies.nunique() > 1
    keys = list(zip(frame["url"].astype("string").fillna("NA"), strategies, strict=True))
    pages: dict[tuple[str, str], list[int]] = {}
    for position, key in enumerate(keys):
        pages.setdefault(key, []).append(position)
    return [
        (_short(url) + (f" ({strategy})" if both else ""), frame.iloc[positions])
        for (url, strategy), positions in pages.items()
    ]


def _short(url: str, limit: int = 40) -> str:
    """*url* without its scheme, cut from the left (at a ``/``) to *limit* characters.

    >>> _short("https://example.com/a/very/long/path/to/a/page/that/goes/on.html")
    '…/long/path/to/a/page/that/goes/on.html'
    """
    text = url.split("://", 1)[-1]
    if len(text) <= limit:
        return text
    tail = text[-(limit - 1) :]
    return "…" + (tail[tail.find("/") :] if "/" in tail[:-1] else tail)


def _value_colors(metric: str) -> Any:
    """How plot_runs colours a metric's values (in the metric's own unit)."""
    if metric in CATEGORIES:
        return _score_colors
    if metric in VITALS:
        bounds = VITALS[metric][3]
        return lambda values: _metric_colors(values, bounds.good, bounds.poor)
    return lambda values: np.full(len(values), OK_COLOR)


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """*ax*, or the Axes of a new figure."""
    if ax is not None:
        return ax
    _, created = plt.subplots(figsize=figsize, layout="constrained")
    return created


def _no_data(ax: Axes, note: str = "no data") -> None:
    ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center", color="0.4")


def _floats(column: pd.Series) -> _FloatArray:
    return column.to_numpy(dtype="float64", na_value=np.nan)


def _failed(df: pd.DataFrame) -> npt.NDArray[np.bool_]:
    return failed_rows(df).to_numpy(dtype=bool)


def _tally(values: int, errors: int, missing: int, noun: str = "value", sep: str = ", ") -> str:
    """What a plot counts and leaves out: ``"7 values, 1 error, 2 missing"`` (zeros omitted).

    >>> _tally(7, 1, 0), _tally(1, 0, 2, "page")
    ('7 values, 1 error', '1 page, 2 missing')
    """
    parts = [f"{values} {noun}{'' if values == 1 else 's'}"]
    if errors:
        parts.append(f"{errors} error{'' if errors == 1 else 's'}")
    if missing:
        parts.append(f"{missing} missing")
    return sep.join(parts)


def _median(values: _FloatArray) -> float:
    """The median of the values that are not NaN (NaN when there are none)."""
    present = values[~np.isnan(values)]
    return float(np.median(present)) if present.size else np.nan


def _cached(df: pd.DataFrame) -> npt.NDArray[np.bool_]:
    return df["from_cache"].fillna(False).to_numpy(dtype=bool)


def _timeline(df: pd.DataFrame) -> pd.DataFrame:
    """Timed, non-cached rows: start and end in seconds since the first start, failure, slot."""
    keep = ~_cached(df) & df["started_at"].notna().to_numpy() & df["duration_s"].notna().to_numpy()
    rows = df[keep]
    start = (rows["started_at"] - rows["started_at"].min()).dt.total_seconds().to_numpy()
    return pd.DataFrame(
        {
            "start_s": start,
            "end_s": start + rows["duration_s"].to_numpy(),
            "failed": failed_rows(rows).to_numpy(),
            "context_id": rows["context_id"].to_numpy(),
            "worker": rows["worker"].to_numpy() if "worker" in rows else None,
        }
    ).astype({"context_id": "Int64"})


def _slot_label(usage: Any) -> str:
    """A slot's tick label: its name (worker and slot), busy share and URL count."""
    name = (
        f"{usage.Index[0]} slot {usage.Index[1]}"
        if isinstance(usage.Index, tuple)
        else (f"slot {usage.Index}")
    )
    return f"{name}\n{usage.busy_share:.0%} busy · {usage.urls} URLs"


def _slot_keys(timeline: pd.DataFrame) -> list[str]:
    """The columns that name a slot: ``context_id``, with ``worker`` first when several."""
    several = "worker" in timeline and timeline["worker"].dropna().nunique() > 1
    return ["worker", "context_id"] if several else ["context_id"]


def _busy_seconds(start: pd.Series, end: pd.Series) -> float:
    """Length of the union of the intervals [start, end]."""
    busy, reach = 0.0, -np.inf
    for low, high in sorted(zip(start, end, strict=True)):
        if high > reach:
            busy += high - max(low, reach)
            reach = high
    return busy


def _time_scale(span_s: float) -> tuple[float, str]:
    """Divisor and unit that keep a time axis of *span_s* seconds readable."""
    for divisor, unit in ((3600.0, "h"), (60.0, "min")):
        if span_s >= 3 * divisor:
            return divisor, unit
    return 1.0, "s"


def _strategies(df: pd.DataFrame) -> tuple[npt.NDArray[np.str_], list[str]]:
    """Each row's strategy label and the labels present, mobile first."""
    labels = df["strategy"].astype("string").fillna("unknown").to_numpy(dtype=str)
    return labels, [s for s in (*STRATEGIES, "unknown") if (labels == s).any()]


def _score_colors(scores: _FloatArray) -> npt.NDArray[np.str_]:
    return np.select([scores >= _GOOD_FROM, scores >= _AVERAGE_FROM], [GOOD, AVERAGE], POOR)


def _metric_colors(values: _FloatArray, good: float, poor: float) -> npt.NDArray[np.str_]:
    return np.select([values <= good, values <= poor], [GOOD, AVERAGE], POOR)


def _band_handles(names: tuple[str, str, str]) -> list[Patch]:
    """Legend patches for the good, average and poor bands."""
    return [
        Patch(color=c, alpha=0.6, label=n)
        for c, n in zip((GOOD, AVERAGE, POOR), names, strict=True)
    ]
