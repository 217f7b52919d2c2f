"""Lighthouse 12 performance scoring: metric values in, 0..1 scores out.

Each metric is scored on a log-normal curve fixed by two control points: the
p10 value scores 0.9 and the median value scores 0.5::

    score = 0.5 * erfc(ln(value / median) / (sigma * sqrt(2)))

The facts that make the scores match Lighthouse 12 to the last digit:

- ``erf`` is the Abramowitz & Stegun polynomial approximation 7.1.26 (absolute error
  below 1.5e-7), as in Lighthouse.
- The score is kept in the band its control points promise: at most p10 scores at
  least 0.9, above p10 below 0.9, at most the median at least 0.5, above it below 0.5.
- Scores above 0.9 get a linear boost, ``s + 0.05 * (s - 0.9)``, so that a perfect 1
  is reachable, and the result is rounded *down* to two decimals (Lighthouse 10+;
  Lighthouse 8 rounded to nearest without the boost). Rounding down is why an FCP of
  2182.96 ms on mobile (curve value 0.7875) scores 0.78.
- The category score is the weighted mean of the metric scores, rounded half up to two
  decimals (:func:`category_score`).

Pure Python on purpose: no Playwright, no pandas.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from psdata._errors import ConfigurationError
from psdata._lighthouse import (
    CONTROL_POINTS,
    HIDDEN_CONTROL_POINTS,
    HIDDEN_METRIC_AUDITS,
    METRIC_AUDITS,
    METRIC_WEIGHTS,
    NUMERIC,
    ControlPoints,
)
from psdata.engines.lab.evidence import AuditResult

__all__ = [
    "category_score",
    "log_normal_score",
    "metric_score",
    "performance_audits",
    "performance_score",
]

_ERFC_INV_0_2 = 0.9061938024368232  # erfc(x) = 0.2, i.e. the z where the score is 0.9
_BELOW_0_9 = math.nextafter(0.9, 0)  # the highest score a value above p10 can get
_BELOW_0_5 = math.nextafter(0.5, 0)  # the highest score a value above the median can get


def _erf(x: float) -> float:
    """Abramowitz & Stegun 7.1.26 approximation of erf (odd function)."""
    t = 1 / (1 + 0.3275911 * abs(x))
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return math.copysign(1 - poly * math.exp(-x * x), x)


def _form_factor_points(form_factor: str) -> Mapping[str, ControlPoints]:
    if form_factor not in CONTROL_POINTS:
        raise ConfigurationError(
            f"form_factor must be one of {sorted(CONTROL_POINTS)}, not {form_factor!r}"
        )
    return CONTROL_POINTS[form_factor]


def _control_points(metric: str, form_factor: str) -> ControlPoints:
    points = {**_form_factor_points(form_factor), **HIDDEN_CONTROL_POINTS[form_factor]}
    if metric not in points:
        raise ConfigurationError(f"metric must be one of {sorted(points)}, not {metric!r}")
    return points[metric]


def metric_score(metric: str, value: float, form_factor: str) -> float:
    """Score one metric value the way Lighthouse 12 scores its metric audit.

    Parameters
    ----------
    metric : str
        One of ``"fcp_ms"``, ``"speed_index_ms"``, ``"lcp_ms"``, ``"tbt_ms"``, ``"cls"``,
        or a hidden metric: ``"interactive_ms"``, ``"max_potential_fid_ms"``.
    value : float
        The metric value (milliseconds, or unitless for CLS). A value of 0 or less is
        perfect and scores 1; ``inf`` scores 0.
    form_factor : str
        ``"mobile"`` or ``"desktop"``; they have different control points.

    Returns
    -------
    float
        The score in 0..1 with two decimals. Values up to p10 score at least 0.9,
        values up to the median at least 0.5; values above them score below.

    Raises
    ------
    ValueError
        For an unknown metric or form factor, or a NaN value.

    Examples
    --------
    >>> metric_score("lcp_ms", 2500, "mobile")
    0.9
    >>> metric_score("lcp_ms", 2501, "mobile")
    0.89
    >>> metric_score("fcp_ms", 2182.96, "mobile")  # 0.7875 on the curve, rounded down
    0.78
    >>> metric_score("cls", 0, "desktop")
    1.0
    """
    p10, median = _control_points(metric, form_factor)
    if math.isnan(value):
        raise ConfigurationError(f"{metric} value is NaN")
    return log_normal_score(value, p10, median)


def log_normal_score(value: float, p10: float, median: float) -> float:
    """Lighthouse's log-normal score of *value* on the curve its control points fix.

    Parameters
    ----------
    value : float
        The measured value; 0 or less is perfect and scores 1.
    p10, median : float
        The control points: *p10* scores 0.9, *median* 0.5.

    Returns
    -------
    float
        The score in 0..1, boosted above 0.9 and rounded down to two decimals, kept in
        the band its control points promise (see the module docstring).

    Examples
    --------
    >>> log_normal_score(818, 818, 1400), log_normal_score(1400, 818, 1400)
    (0.9, 0.5)
    >>> log_normal_score(0, 818, 1400)
    1.0
    """
    if value <= 0:
        return 1.0
    z = math.log(value / median) * _ERFC_INV_0_2 / -math.log(p10 / median)
    score = (1 - _erf(z)) / 2
    if value <= p10:
        score = max(0.9, min(1.0, score))
        score += 0.05 * (score - 0.9)
    elif value <= median:
        score = max(0.5, min(_BELOW_0_9, score))
    else:
        score = max(0.0, min(_BELOW_0_5, score))
    return math.floor(score * 100) / 100


def category_score(scores: Iterable[tuple[float | None, float]]) -> float | None:
    """Lighthouse's category score: the weighted mean of audit scores.

    Parameters
    ----------
    scores : Iterable[tuple[float | None, float]]
        ``(score, weight)`` pairs, scores already rounded as the audits report them.
        Pairs with weight 0 are ignored.

    Returns
    -------
    float | None
        The weighted mean rounded half up to two decimals; ``None`` if a weighted
        score is ``None`` or no pair has a positive weight.

    Examples
    --------
    >>> category_score([(0.78, 10), (0.99, 10), (0.94, 25), (1.0, 30), (1.0, 25)])
    0.96
    >>> print(category_score([(1.0, 10), (None, 25)]))
    None
    """
    total = total_weight = 0.0
    for score, weight in scores:
        if weight <= 0:
            continue
        if score is None:
            return None
        total += score * weight
        total_weight += weight
    if total_weight == 0:
        return None
    return math.floor(total / total_weight * 100 + 0.5) / 100  # JavaScript's Math.round


def performance_score(values: Mapping[str, float | None], form_factor: str) -> float | None:
    """The Lighthouse 12 performance category score from the five metric values.

    Parameters
    ----------
    values : Mapping[str, float | None]
        Metric values keyed by column (``fcp_ms``, ``lcp_ms``...); extra keys are ignored.
    form_factor : str
        ``"mobile"`` or ``"desktop"``.

    Returns
    -------
    float | None
        The weighted mean of the metric scores (see :func:`category_score`);
        ``None`` if any weighted metric is missing, ``None`` or NaN.

    Raises
    ------
    ValueError
        For an unknown form factor.

    Examples
    --------
    >>> performance_score(
    ...     {"fcp_ms": 2183, "speed_index_ms": 2183, "lcp_ms": 2224.5, "tbt_ms": 7, "cls": 0},
    ...     "mobile",
    ... )
    0.96
    >>> print(performance_score({"fcp_ms": 900}, "desktop"))
    None
    """
    return category_score((a.score, a.weight) for a in performance_audits(values, form_factor))


def performance_audits(values: Mapping[str, float | None], form_factor: str) -> list[AuditResult]:
    """One numeric :class:`~psdata.engines.lab.evidence.AuditResult` per metric audit.

    Parameters
    ----------
    values : Mapping[str, float | None]
        Metric values keyed by column (``fcp_ms``, ``lcp_ms``...) and the hidden metrics
        (``interactive_ms``, ``max_potential_fid_ms``); extra keys are ignored.
    form_factor : str
        ``"mobile"`` or ``"desktop"``.

    Returns
    -------
    list[AuditResult]
        In Lighthouse's audit order, the five weighted metrics then the two hidden ones
        (weight 0), with Lighthouse's ids and titles, the category weight, the score,
        the value as ``numeric_value`` (and ``details=[{"numericValue": value}]``). A
        missing (``None`` or NaN) metric gets ``score=None``, no details and an
        explanation.

    Raises
    ------
    ValueError
        For an unknown form factor.

    Examples
    --------
    >>> audits = performance_audits({"tbt_ms": 145.9, "cls": 0}, "mobile")
    >>> [(a.id, a.score, a.weight) for a in audits][2:4]
    [('total-blocking-time', 0.95, 30), ('cumulative-layout-shift', 1.0, 25)]
    >>> audits[2].details, audits[2].numeric_unit
    ([{'numericValue': 145.9}], 'millisecond')
    >>> [(a.id, a.weight) for a in audits][5:]
    [('interactive', 0.0), ('max-potential-fid', 0.0)]
    """
    _form_factor_points(form_factor)
    weights = {**METRIC_WEIGHTS, **dict.fromkeys(HIDDEN_METRIC_AUDITS, 0.0)}
    audits = []
    for metric, weight in weights.items():
        audit_id, title = {**METRIC_AUDITS, **HIDDEN_METRIC_AUDITS}[metric]
        value = values.get(metric)
        if value is None or math.isnan(value):
            audit = AuditResult(
                audit_id,
                title,
                None,
                weight,
                display_mode=NUMERIC,
                explanation=f"{title} was not measured.",
            )
        else:
            audit = AuditResult(
                audit_id,
                title,
                metric_score(metric, value, form_factor),
                weight,
                display_mode=NUMERIC,
                details=[{"numericValue": value}],
                numeric_value=value,
                numeric_unit="unitless" if metric == "cls" else "millisecond",
            )
        audits.append(audit)
    return audits
