"""``psdata.compare``: did a page really get slower, or is it noise?

Two result frames (``before`` and ``after``) are matched page by page (by URL and
strategy, or by index label), and each metric's runs on both sides are compared with a
rank test from scipy: Mann–Whitney U (``scipy.stats.mannwhitneyu``), or the Wilcoxon
signed-rank test (``scipy.stats.wilcoxon``) on runs paired by their number. The shift is
the Hodges–Lehmann estimate (the median of the differences: between every after run and
every before run, or of the paired differences' Walsh averages), and its confidence
interval is the set of shifts the same test does not reject, found by running it at
every candidate shift. A page and metric is flagged ``worse`` or ``better`` only when the
test rejects "no shift" (p-value at most 1 − confidence) *and* the shift is at least the
metric's smallest counted change (:data:`MIN_SHIFT`): runs measured at another time on a machine
that is otherwise busy differ by a little, consistently, and a rank test over a few runs
calls that significant. Pure functions over frames; scipy is imported on first use.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .._errors import ConfigurationError
from .._frame import COMPARE_SCHEMA, METRICS
from .._lighthouse import CATEGORIES
from .._results import runs as runs_of
from .._urls import normalize_url

#: The metrics compared by default: the performance score and every lab metric.
DEFAULT_METRICS: tuple[str, ...] = ("performance", *METRICS)
#: Columns a comparison may read (numeric per-run values); larger is worse except for
#: the category scores.
COMPARABLE: tuple[str, ...] = (
    *CATEGORIES,
    *METRICS,
    "long_tasks_ms",
    "main_thread_ms",
    "total_bytes",
    "request_count",
)
#: The smallest shift counted as a change, per metric (score points, ms, CLS units):
#: a significant shift below it is "no change". Overridden by ``min_shift``.
MIN_SHIFT: dict[str, float] = {
    "performance": 2.0,
    "fcp_ms": 50.0,
    "lcp_ms": 50.0,
    "speed_index_ms": 50.0,
    "tbt_ms": 25.0,
    "cls": 0.01,
    "ttfb_ms": 20.0,
    "tti_ms": 50.0,
}
_FloatArray = npt.NDArray[np.float64]


def compare(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    metrics: Iterable[str] = DEFAULT_METRICS,
    on: Literal["url", "index"] = "url",
    paired: bool = False,
    confidence: float = 0.95,
    min_shift: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Compare the runs of two result frames: one row per (page, metric).

    Parameters
    ----------
    before, after : pandas.DataFrame
        Frames :func:`psdata.analyze` returned (any ``runs``; five or more give a
        verdict at 95 %), or their :func:`psdata.runs` frames (e.g. read back from
        Parquet). Both must come from the same engine and throttling method.
    metrics : iterable of str
        The columns compared (default: the performance score and every lab metric).
    on : {"url", "index"}
        Match pages by URL and strategy, or by index label and strategy (two versions
        of each page under different URLs, as rows of two frames with the same index).
    paired : bool, default False
        Pair the runs by number and use the Wilcoxon signed-rank test: for runs of both
        versions measured in turns in one batch (six or more pairs give a verdict at
        95 %). Otherwise Mann–Whitney U.
    confidence : float, default 0.95
        Of the interval, and 1 − the p-value below which a shift is significant.
    min_shift : mapping, optional
        The smallest shift counted as a change, per metric (default :data:`MIN_SHIFT`;
        entries given replace those; a metric not named there counts any shift).

    Returns
    -------
    pandas.DataFrame
        :data:`psdata.COMPARE_SCHEMA`: the page (``url`` before, ``url_after``, ``strategy``),
        ``metric``, the runs with a value on each side, their medians, ``shift``
        (after − before, Hodges–Lehmann), its interval ``ci_low``–``ci_high``,
        ``p_value``, ``test``, and ``verdict``: ``worse`` / ``better`` (significant, at
        least the smallest counted change, in the direction that is worse or better for
        the metric: a lower score, a longer time, more CLS), ``no change``, or ``not
        enough runs`` (even runs that all differed could not be significant; interval
        NA). The index repeats *before*'s labels.

    Raises
    ------
    ConfigurationError
        The frames have no page and strategy in common, or come from different engines
        or throttling methods, or a metric or option is unknown.

    Examples
    --------
    >>> before = psdata.analyze(urls, runs=5)  # doctest: +SKIP
    >>> after = psdata.analyze(urls, runs=5, skip_cache=True)  # doctest: +SKIP
    >>> result = psdata.compare(before, after)  # doctest: +SKIP
    >>> result[result.verdict.isin(["worse", "better"])]  # doctest: +SKIP
    """
    names = _metrics(metrics)
    if on not in ("url", "index"):
        raise ConfigurationError(f"on must be 'url' or 'index', got {on!r}.")
    if not 0.5 <= confidence < 1:
        raise ConfigurationError(f"confidence must be from 0.5 to below 1, got {confidence!r}.")
    floors = {**MIN_SHIFT, **(min_shift or {})}
    old, new = runs_of(before), runs_of(after)
    _same_method(old, new)
    pages_old, pages_new = _pages(old, on), _pages(new, on)
    common = [key for key in pages_old if key in pages_new]
    if not common:
        raise ConfigurationError(_nothing_in_common(pages_old, pages_new, on))
    alpha = 1 - confidence + 1e-9  # p <= alpha: 1 - 0.9 is 0.0999...98 in floating point
    rows, labels = [], []
    for key in common:
        page_old, page_new = pages_old[key], pages_new[key]
        for metric in names:
            outcome = _compare(page_old.values(metric), page_new.values(metric), paired, alpha)
            rows.append(
                {
                    "url": page_old.url,
                    "url_after": page_new.url,
                    "strategy": key[1],
                    "metric": metric,
                    **outcome.row(metric, floors.get(metric, 0.0), alpha),
                }
            )
            labels.append(page_old.label)
    frame = pd.DataFrame(rows, columns=list(COMPARE_SCHEMA)).astype(COMPARE_SCHEMA)
    frame.index = old.index[:0].append(pd.Index(labels))
    frame.attrs["psdata"] = {
        "compare": {"confidence": confidence, "paired": paired, "on": on, "min_shift": floors}
    }
    return frame


def _metrics(metrics: Iterable[str]) -> tuple[str, ...]:
    names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    unknown = [name for name in names if name not in COMPARABLE]
    if unknown or not names:
        raise ConfigurationError(
            f"metrics must be among {', '.join(COMPARABLE)}; got {unknown or '[]'}."
        )
    return names


def _same_method(old: pd.DataFrame, new: pd.DataFrame) -> None:
    """Refuse frames measured by different engines or throttling methods."""
    for column in ("engine", "throttling"):
        seen = [set(frame[column].dropna().astype(str)) for frame in (old, new)]
        if seen[0] and seen[1] and seen[0] != seen[1]:
            raise ConfigurationError(
                f"before was measured with {column} {', '.join(sorted(seen[0]))} and after"
                f" with {', '.join(sorted(seen[1]))}: their metrics are not comparable."
            )
    settings = [frame.attrs.get("psdata", {}).get("settings") or {} for frame in (old, new)]
    differ = sorted(
        name
        for name in set(settings[0]) | set(settings[1])
        if name not in ("version", "categories") and settings[0].get(name) != settings[1].get(name)
    )
    if differ:
        warnings.warn(
            f"before and after were measured with different settings ({', '.join(differ)}):"
            " part of a shift may come from them.",
            stacklevel=3,
        )


@dataclass(frozen=True)
class _Page:
    """One page's runs in one frame."""

    label: Hashable
    url: str
    runs: pd.DataFrame

    def values(self, metric: str) -> pd.Series:
        """The metric in each successful run, by run number (runs without it left out)."""
        ok = self.runs[self.runs["error"].isna()]
        values = pd.to_numeric(ok[metric], errors="coerce").astype("float64")
        values.index = ok["run"].astype("int64")
        return values.dropna()


def _pages(frame: pd.DataFrame, on: str) -> dict[tuple[Hashable, str], _Page]:
    """A frame of runs by page: (normalised URL or index label, strategy) → its runs.

    The runs of an input row repeated under another label (a duplicate URL) are the same
    runs: the first label's are kept.
    """
    found: dict[tuple[Hashable, str], tuple[Hashable, str, list[int]]] = {}
    for position, (label, url, strategy) in enumerate(
        zip(frame.index, frame["url"], frame["strategy"].astype(str), strict=True)
    ):
        key = (normalize_url(url) if on == "url" else label, strategy)
        first = found.setdefault(key, (label, url, []))
        if first[0] == label:
            first[2].append(position)
    return {
        key: _Page(label, url, frame.iloc[positions])
        for key, (label, url, positions) in found.items()
    }


def _nothing_in_common(
    old: Mapping[tuple[Hashable, str], _Page], new: Mapping[tuple[Hashable, str], _Page], on: str
) -> str:
    strategies = [sorted({key[1] for key in pages}) for pages in (old, new)]
    if strategies[0] and strategies[1] and not set(strategies[0]) & set(strategies[1]):
        return (
            f"before has strategy {', '.join(strategies[0])} and after"
            f" {', '.join(strategies[1])}: nothing to compare."
        )
    what = "URL" if on == "url" else "index label"
    return f"before and after have no {what} in common (with the same strategy) to compare."


@dataclass(frozen=True)
class _Outcome:
    """The comparison of one metric of one page."""

    runs_before: int
    runs_after: int
    before: float
    after: float
    shift: float
    ci: tuple[float, float]
    p_value: float
    test: str
    enough: bool

    def row(self, metric: str, floor: float, alpha: float) -> dict[str, Any]:
        return {
            "runs_before": self.runs_before,
            "runs_after": self.runs_after,
            "before": self.before,
            "after": self.after,
            "shift": self.shift,
            "ci_low": self.ci[0],
            "ci_high": self.ci[1],
            "p_value": self.p_value,
            "test": self.test,
            "verdict": self.verdict(metric, floor, alpha),
        }

    def verdict(self, metric: str, floor: float, alpha: float) -> str:
        if not self.enough:
            return "not enough runs"
        if not self.p_value <= alpha or abs(self.shift) < floor:
            return "no change"
        higher_is_worse = metric not in CATEGORIES
        return "worse" if (self.shift > 0) == higher_is_worse else "better"


def _compare(old: pd.Series, new: pd.Series, paired: bool, alpha: float) -> _Outcome:
    """One metric of one page: Mann–Whitney U, or Wilcoxon on runs paired by number."""
    if paired:
        both = old.index.intersection(new.index)
        old, new = old[both], new[both]
    x, y = old.to_numpy(), new.to_numpy()
    medians = (_median(x), _median(y))
    test = "wilcoxon" if paired else "mann-whitney"
    nan = math.nan
    if len(x) == 0 or len(y) == 0:
        return _Outcome(len(x), len(y), *medians, nan, (nan, nan), nan, test, False)
    if paired:
        shift, ci, p_value, enough = _signed_rank(y - x, alpha)
    else:
        shift, ci, p_value, enough = _rank_sum(x, y, alpha)
    return _Outcome(len(x), len(y), *medians, shift, ci, p_value, test, enough)


def _median(values: _FloatArray) -> float:
    return float(np.median(values)) if len(values) else math.nan


def _rank_sum(
    x: _FloatArray, y: _FloatArray, alpha: float
) -> tuple[float, tuple[float, float], float, bool]:
    """Mann–Whitney U of *y* against *x*: shift, interval, p-value, whether it could reject."""
    from scipy.stats import mannwhitneyu

    def p(shift: float) -> float:
        return _p_value(mannwhitneyu(y - shift, x).pvalue)

    differences = np.subtract.outer(y, x).ravel()
    best = _p_value(mannwhitneyu(np.arange(len(x)), np.arange(len(y)) + len(x)).pvalue)
    return _estimate(differences, p, alpha, best)


def _signed_rank(d: _FloatArray, alpha: float) -> tuple[float, tuple[float, float], float, bool]:
    """Wilcoxon signed-rank of the paired differences *d*: as :func:`_rank_sum`."""
    from scipy.stats import wilcoxon

    def p(shift: float) -> float:
        moved = d - shift
        return 1.0 if not moved.any() else _p_value(wilcoxon(moved).pvalue)

    walsh = (d[:, None] + d[None, :])[np.triu_indices(len(d))] / 2
    best = _p_value(wilcoxon(np.arange(1, len(d) + 1)).pvalue)
    return _estimate(walsh, p, alpha, best)


def _estimate(
    candidates: _FloatArray, p: Any, alpha: float, best: float
) -> tuple[float, tuple[float, float], float, bool]:
    """Hodges–Lehmann shift (median of *candidates*), its interval and p-value.

    The interval is the closure of the shifts *p* does not reject at *alpha*: *p* is
    constant between consecutive candidates, so it is tested once in each gap (and
    beyond both ends). *best* is the smallest p-value the sample sizes allow: above
    *alpha*, no data could reject, and the interval is NA.
    """
    shift = float(np.median(candidates))
    p_value = p(0.0)
    enough = best <= alpha
    if not enough:
        return shift, (math.nan, math.nan), p_value, False
    points = np.unique(candidates)
    if len(points) == 1:  # every difference equal: the shift is exact
        return shift, (float(points[0]), float(points[0])), p_value, True
    gaps = np.concatenate([[points[0] - 1], (points[:-1] + points[1:]) / 2, [points[-1] + 1]])
    kept = [i for i, at in enumerate(gaps) if p(float(at)) > alpha]
    if not kept:  # cannot happen with the median inside: keep the estimate alone
        return shift, (shift, shift), p_value, True
    ends = np.concatenate([[-math.inf], points, [math.inf]])
    return shift, (float(ends[kept[0]]), float(ends[kept[-1] + 1])), p_value, True


def _p_value(value: Any) -> float:
    """A scipy p-value as a float (1 where the test has nothing to rank: all values tie)."""
    number = float(value)
    return 1.0 if math.isnan(number) else number
