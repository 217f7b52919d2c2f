"""Repeated runs of one URL and strategy → its row: the representative run, the spread.

With ``runs=N`` every (URL, strategy) is measured N times; the batch stores each run
and then makes the URL's row with :func:`combine_runs`: the representative run
(:func:`representative_run`, Lighthouse's ``computeMedianRun``), the categories judged
once (in run 1: the later runs measure performance only), how many runs succeeded and
the interquartile range of the performance score and of each lab metric over them
(:data:`~psdata._frame.SPREAD`). Pure functions over records; with one run the row is
that run's record with ``runs`` and ``run`` filled in.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._errors import AnalysisError
from ._frame import SPREAD, join_warnings
from ._lighthouse import CATEGORIES, CATEGORY_TITLES, MEDIAN_RUN_METRICS

RunOutcome = dict[str, Any] | AnalysisError
#: The categories judged once per URL, in run 1.
JUDGED_ONCE: tuple[str, ...] = tuple(c for c in CATEGORIES if c != "performance")


def repeat_categories(categories: Sequence[str]) -> tuple[str, ...]:
    """The categories a run after the first measures: performance only.

    >>> repeat_categories(("performance", "seo")), repeat_categories(("seo",))
    (('performance',), ())
    """
    return tuple(c for c in categories if c not in JUDGED_ONCE)


def representative_run(records: Sequence[Mapping[str, Any]]) -> int | None:
    """The index of the representative run among *records*, as Lighthouse chooses it.

    Lighthouse's ``computeMedianRun``: of the runs with both a first contentful paint
    and a time to interactive (``filterToValidRuns``; a value of 0 counts as missing,
    as there), the one nearest (Euclidean distance) the median FCP and the median TTI
    (the mean of the middle two for an even count); ties go to the lower TTI, then to
    the earlier run. ``None`` when no run has both values.

    Examples
    --------
    >>> runs = [{"fcp_ms": f, "tti_ms": t} for f, t in [(100, 100), (250, 400), (300, 10000),
    ...                                                  (400, 400), (500, 500)]]
    >>> representative_run(runs)  # the FCP outlier (10 s) is avoided
    1
    >>> representative_run([{"fcp_ms": 900, "tti_ms": None}]) is None
    True
    """
    fcp_name, tti_name = MEDIAN_RUN_METRICS
    valid = [
        (index, float(record[fcp_name]), float(record[tti_name]))
        for index, record in enumerate(records)
        if _has_median_metrics(record)
    ]
    if not valid:
        return None
    fcp = statistics.median(v[1] for v in valid)
    tti = statistics.median(v[2] for v in valid)
    return min(valid, key=lambda v: ((fcp - v[1]) ** 2 + (tti - v[2]) ** 2, v[2]))[0]


def _has_median_metrics(record: Mapping[str, Any]) -> bool:
    """Whether *record* has the values the choice reads (finite, non-zero, as Lighthouse)."""
    values = [record.get(name) for name in MEDIAN_RUN_METRICS]
    return all(isinstance(v, int | float) and math.isfinite(v) and v != 0 for v in values)


def interquartile_range(values: Sequence[float | None]) -> float | None:
    """75th minus 25th percentile (linear interpolation) of the values given; ``None``
    with fewer than two.

    >>> interquartile_range([60, 62, 65, 70, 75, None]), interquartile_range([60])
    (8.0, None)
    """
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    if len(finite) < 2:
        return None
    upper, lower = np.percentile(finite, [75, 25])
    return float(upper - lower)


def combine_runs(outcomes: Sequence[RunOutcome], categories: Sequence[str]) -> RunOutcome:
    """The row of one URL and strategy from its runs (``outcomes[0]`` is run 1).

    The representative run's record (with its details), where the categories judged
    once come from run 1; ``runs`` is the number of runs that succeeded, ``run`` the
    representative's number, the :data:`~psdata._frame.SPREAD` columns their spread
    (NA with fewer than two runs), ``from_cache`` true when every run was reused.
    ``warnings`` adds why a run failed or was left out of the choice, and run 1's own
    warnings. When every run failed, run 1's failure is the row's.

    Examples
    --------
    >>> runs = [{"performance": 90, "fcp_ms": 900.0, "tti_ms": 2000.0, "seo": 92},
    ...         {"performance": 80, "fcp_ms": 1000.0, "tti_ms": 2500.0},
    ...         {"performance": 70, "fcp_ms": 1200.0, "tti_ms": 3000.0}]
    >>> row = combine_runs(runs, ["performance", "seo"])
    >>> row["performance"], row["seo"], row["run"], row["runs"], row["performance_iqr"]
    (80, 92, 2, 3, 10.0)
    """
    total = len(outcomes)
    scored = [
        (number, outcome)
        for number, outcome in enumerate(outcomes, start=1)
        if isinstance(outcome, dict) and not outcome.get("error")
    ]
    failures = [_failure(number, total, o) for number, o in enumerate(outcomes, start=1)]
    notes = [note for note in failures if note]
    if not scored:
        return _all_failed(outcomes[0], notes[1:])
    chosen = representative_run([record for _, record in scored])
    if chosen is None:
        number, record = scored[0]
        if total > 1:
            notes.append(
                f"No run has both an FCP and a TTI: the row is run {number}, the first that"
                " succeeded, instead of Lighthouse's representative run."
            )
    else:
        number, record = scored[chosen]
        notes += [
            f"Run {n} has no FCP or no TTI: left out of the choice of the representative run"
            " (as Lighthouse does)."
            for n, r in scored
            if total > 1 and not _has_median_metrics(r)
        ]
    row = dict(record)
    first = outcomes[0]
    if number != 1:
        _judged_in_run_1(row, first, categories, notes)
    row.update(
        runs=len(scored),
        run=number,
        from_cache=all(isinstance(o, dict) and o.get("from_cache") for o in outcomes),
        warnings=join_warnings([record.get("warnings"), *notes]),
        **{
            spread: interquartile_range([r.get(name) for _, r in scored])
            for spread, name in SPREAD.items()
        },
    )
    return row


def _judged_in_run_1(
    row: dict[str, Any], first: RunOutcome, categories: Sequence[str], notes: list[str]
) -> None:
    """Give *row* (a later run's) the categories run 1 judged, its details and warnings."""
    once = [c for c in JUDGED_ONCE if c in categories]
    if not isinstance(first, dict) or first.get("error"):
        row.update(dict.fromkeys(once))
        if once:
            titles = ", ".join(CATEGORY_TITLES[c] for c in once)
            notes.append(f"{titles} not judged: run 1 failed (later runs measure performance).")
        return
    row.update({c: first.get(c) for c in once})
    details, first_details = row.get("details"), first.get("details")
    if isinstance(details, dict) and isinstance(first_details, dict):
        judged = {
            name: content
            for name, content in first_details.get("categories", {}).items()
            if name in once
        }
        row["details"] = {
            **details,
            "categories": {**judged, **details.get("categories", {})},
        }
    own = set((row.get("warnings") or "").splitlines())
    notes += [f"Run 1: {w}" for w in (first.get("warnings") or "").splitlines() if w not in own]


def _failure(number: int, total: int, outcome: RunOutcome) -> str | None:
    """Why run *number* of *total* failed (``None``: it did not)."""
    if isinstance(outcome, AnalysisError):
        kind, message = outcome.error_type, str(outcome)
    elif outcome.get("error"):
        kind, message = str(outcome.get("error_type")), str(outcome["error"])
    else:
        return None
    return f"Run {number} of {total} failed ({kind}): {message}"


def _all_failed(first: RunOutcome, others: list[str]) -> RunOutcome:
    """Run 1's failure as the row's, with the later runs' failures among its warnings."""
    if isinstance(first, AnalysisError):
        values = first.partial
    else:
        first = dict(first)
        values = first
    values.update(
        runs=0,
        run=None,
        warnings=join_warnings([values.get("warnings"), *others]),
        **dict.fromkeys(SPREAD),
    )
    return first
