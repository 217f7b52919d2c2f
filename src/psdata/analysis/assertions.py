"""Judging runs with assertions, as Lighthouse CI does: values, aggregation, outcomes.

The input is a list of :class:`Run`: one measurement of one page, with what assertions
read (category scores, audits, the request list). Runs are grouped by (URL, strategy):
today a result frame has one run per row; with repeated runs each row's runs form the
group, and nothing here changes. For each group and each assertion that applies, every
bound gives one result row (:data:`RESULT_COLUMNS`):

- values are read per run as Lighthouse CI reads them (``minScore``: the score, 1 for
  not applicable, 0 for informative; ``maxLength``: the number of detail items;
  ``maxNumericValue``: the numeric value) and aggregated with the assertion's method:
  ``median`` (mean of the middle two for an even count), ``optimistic`` (the best run
  for the bound), ``pessimistic`` (the worst; any run without a value fails it), or
  ``median-run`` (the representative run's value: the run flagged ``representative``,
  else the one closest to the median first contentful paint and time to interactive);
- a page without what the assertion reads is a failed ``auditRan`` result, as in
  Lighthouse CI, except where psdata knows it was not measured (an audit psdata's
  results do not have, a category not measured, no stored request list, a page that
  failed): then ``passed`` is NA and the message says why, never a silent pass.

Where psdata departs from Lighthouse CI 0.14 on purpose: ``median-run`` on a category
uses the representative run (Lighthouse CI takes the best run's score there), and the
third-party split uses registrable domains (Lighthouse uses its entity list).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from .._frame import STRATEGIES
from .._lighthouse import INFORMATIVE, NOT_APPLICABLE, RESOURCE_SUMMARY_TYPES
from .._urls import registrable_domain
from .lhci_config import AGGREGATIONS, Assertion, Block, kebab
from .lhci_presets import PRESETS

#: Columns of a check result, in order.
RESULT_COLUMNS: dict[str, Any] = {
    "url": pd.StringDtype(),
    "strategy": pd.CategoricalDtype(list(STRATEGIES)),
    "final_url": pd.StringDtype(),
    "key": pd.StringDtype(),
    "assertion": pd.CategoricalDtype(["minScore", "maxNumericValue", "maxLength", "auditRan"]),
    "level": pd.CategoricalDtype(["warn", "error"]),
    "aggregation": pd.CategoricalDtype(list(AGGREGATIONS)),
    "operator": pd.StringDtype(),
    "expected": "float64",
    "actual": "float64",
    "passed": pd.BooleanDtype(),
    "runs": pd.Int64Dtype(),
    "values": object,
    "title": pd.StringDtype(),
    "message": pd.StringDtype(),
    "source": pd.StringDtype(),
}
_OPERATORS = {"minScore": ">=", "maxNumericValue": "<=", "maxLength": "<=", "auditRan": ">="}
#: URL schemes Lighthouse leaves out of the resource summary.
_NON_NETWORK = frozenset({"blob", "data", "intent", "file", "filesystem", "chrome-extension"})


@dataclass(frozen=True)
class AuditValue:
    """What assertions read of one audit in one run (Lighthouse's fields)."""

    score: float | None = None
    display_mode: str | None = None
    numeric_value: float | None = None
    items: Sequence[Mapping[str, Any]] = ()
    title: str | None = None


@dataclass(frozen=True)
class Run:
    """One measurement of one page, as assertions read it.

    ``categories`` maps the measured categories' Lighthouse ids to their 0–1 score;
    ``requests`` is the request list (``None`` when none was stored); ``representative``
    marks the run a repeated measurement chose (``None``: not decided); ``error`` says
    why the page has no results.
    """

    url: str
    strategy: str
    final_url: str
    categories: Mapping[str, float | None]
    audits: Mapping[str, AuditValue]
    requests: Sequence[Mapping[str, Any]] | None = None
    representative: bool | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Missing:
    """Why a run has no value for an assertion; ``measured=False``: psdata did not measure it."""

    why: str
    measured: bool = True


def evaluate(
    runs: Iterable[Run], blocks: Sequence[Block], *, third_party: bool = True
) -> pd.DataFrame:
    """Judge *runs* with *blocks*; one row per (URL, strategy, assertion, bound).

    Parameters
    ----------
    runs : iterable of Run
        Grouped by (URL, strategy), in order of first appearance.
    blocks : list of Block
        From :func:`~psdata.analysis.lhci_config.load_assertions`.
    third_party : bool, default True
        False leaves out other sites' requests and items wherever an assertion does not
        say (``thirdParty``).

    Returns
    -------
    pandas.DataFrame
        :data:`RESULT_COLUMNS`.

    Examples
    --------
    >>> from psdata.analysis.lhci_config import load_assertions
    >>> run = Run("https://a.org/", "mobile", "https://a.org/", {"performance": 0.72}, {})
    >>> blocks = load_assertions({"assertions": {"categories:performance": "error"}})
    >>> evaluate([run, run], blocks)[["key", "aggregation", "actual", "passed"]]
                          key aggregation  actual  passed
    0  categories:performance  optimistic    0.72   False
    """
    groups: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.url, run.strategy), []).append(run)
    known = set(PRESETS["lighthouse:all"])
    for group in groups.values():
        for run in group:
            known.update(run.audits)
    rows: list[dict[str, Any]] = []
    for group in groups.values():
        for block in blocks:
            rows.extend(_judge_block(block, group, known, third_party))
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    return frame.astype(
        {name: dtype for name, dtype in RESULT_COLUMNS.items() if dtype is not object}
    )


def representative(runs: Sequence[Run]) -> Run:
    """The flagged representative run, else Lighthouse CI's: nearest the median FCP and TTI.

    Medians are the upper middle run's value; a missing value counts as 0; ties go to
    the earlier run.

    >>> def run(fcp: float, tti: float) -> Run:
    ...     audits = {"first-contentful-paint": AuditValue(numeric_value=fcp),
    ...               "interactive": AuditValue(numeric_value=tti)}
    ...     return Run("u", "mobile", "u", {}, audits)
    >>> runs = [run(900, 3000), run(1000, 2000), run(1100, 2500)]
    >>> representative(runs) is runs[2]
    True
    """
    flagged = [run for run in runs if run.representative]
    if flagged:
        return flagged[0]

    def value(run: Run, audit_id: str) -> float:
        audit = run.audits.get(audit_id)
        number = audit.numeric_value if audit else None
        return number if number is not None and math.isfinite(number) else 0.0

    def median(audit_id: str) -> float:
        return sorted(value(run, audit_id) for run in runs)[len(runs) // 2]

    fcp, tti = median("first-contentful-paint"), median("interactive")
    return min(
        runs,
        key=lambda run: (
            (fcp - value(run, "first-contentful-paint")) ** 2
            + (tti - value(run, "interactive")) ** 2
        ),
    )


def _judge_block(
    block: Block, group: list[Run], known: set[str], third_party: bool
) -> list[dict[str, Any]]:
    scored = [run for run in group if run.error is None]
    if not scored:  # nothing to read: every assertion that applies is "not measured"
        first = group[0]
        if not block.matches(first.final_url):
            return []
        why = f"not measured: the page was not scored ({first.error})"
        entries = block.resolve([first.final_url]).values()
        return [row for a in entries if a is not None for row in _unmeasured(a, first, why)]
    runs = [run for run in scored if block.matches(run.final_url)]
    if not runs:
        return []
    chosen = representative(runs)
    rows = []
    for assertion in block.resolve(run.final_url for run in runs).values():
        if assertion is not None:
            used = [chosen] if assertion.aggregation == "median-run" else runs
            rows.extend(_judge(assertion, used, known, third_party))
    return rows


def _judge(
    assertion: Assertion, runs: list[Run], known: set[str], third_party: bool
) -> list[dict[str, Any]]:
    """The result rows of one assertion on the runs it reads."""
    keep_third_party = third_party if assertion.third_party is None else assertion.third_party
    observed = [_observe(assertion, run, keep_third_party) for run in runs]
    missing = [o for o in observed if isinstance(o, _Missing)]
    if missing and assertion.kind == "audit" and assertion.target not in known:
        missing = [_Missing(f'"{assertion.target}" is not a known Lighthouse audit.')] * len(runs)
    elif missing and len(missing) == len(runs) and not any(m.measured for m in missing):
        return _unmeasured(assertion, runs[0], missing[0].why)
    if missing:
        flags = [0.0 if isinstance(o, _Missing) else 1.0 for o in observed]
        row = _row(assertion, runs[0], "auditRan", 1.0, 0.0, flags, passed=False)
        row.update(runs=len(runs), message=_why_missing(missing, len(runs)))
        return [row]
    audits = [o for o in observed if isinstance(o, AuditValue)]
    title = next((a.title for a in audits if a.score != 1 and a.title), None) or audits[0].title
    rows = []
    for check, bound in assertion.bounds():
        row = _aggregate(assertion, check, bound, [_value(check, a) for a in audits], runs[0])
        row.update(runs=len(runs), title=title)
        rows.append(row)
    return rows


def _aggregate(
    assertion: Assertion, check: str, bound: float, values: list[float | None], run: Run
) -> dict[str, Any]:
    """One bound checked on the runs' values with the assertion's aggregation method."""
    method = assertion.aggregation
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if (not finite and method != "pessimistic") or (
        len(finite) < len(values) and method == "pessimistic"
    ):
        shown = [v if v is not None and math.isfinite(v) else math.nan for v in values]
        row = _row(assertion, run, check, bound, math.nan, shown, passed=False)
        if any(v is None for v in values):
            row["message"] = (
                f"The audit gives no value for {check} (it may not apply to this audit)."
            )
        else:
            hint = " (use another aggregation method)" if method == "pessimistic" else ""
            row["message"] = f"The audit gave no valid value in some runs{hint}."
        return row
    if method == "median":
        ordered, middle = sorted(finite), (len(finite) - 1) // 2
        actual = ordered[middle] if len(finite) % 2 else (ordered[middle] + ordered[middle + 1]) / 2
    else:
        lowest = (method == "optimistic") == check.startswith("max")
        actual = min(finite) if lowest else max(finite)
    passed = actual >= bound if check == "minScore" else actual <= bound
    row = _row(assertion, run, check, bound, actual, finite, passed=passed)
    if not passed:
        row["message"] = (
            f"expected {_OPERATORS[check]} {bound:g}, found {actual:g}"
            f" ({method} of {len(finite)} run{'s' if len(finite) != 1 else ''})"
        )
    return row


def _observe(assertion: Assertion, run: Run, third_party: bool) -> AuditValue | _Missing:
    """What *assertion* reads in *run*: an audit-like value, or why there is none."""
    site = None if third_party else _site(run.final_url)
    if assertion.kind == "category":
        if assertion.target not in run.categories:
            measured = ", ".join(run.categories) or "none"
            why = f"not measured: the category was not measured (measured: {measured})"
            return _Missing(why, measured=False)
        return AuditValue(score=run.categories[assertion.target])
    if assertion.kind == "resource-summary":
        if run.requests is None:
            return _Missing("not measured: no request list is stored for this page", False)
        value = _resource_summary(run.requests, assertion.target, assertion.measure, run, site)
        return AuditValue(numeric_value=value)
    audit_id = "user-timings" if assertion.kind == "user-timing" else assertion.target
    audit = run.audits.get(audit_id)
    if audit is None:
        return _Missing("not measured: psdata's results for this page have no such audit", False)
    if assertion.kind == "user-timing":
        return _user_timing(audit, assertion.target)
    if site is not None:
        items = [item for item in audit.items if _site(item.get("url")) in (None, site)]
        return AuditValue(audit.score, audit.display_mode, audit.numeric_value, items, audit.title)
    return audit


def _value(check: str, audit: AuditValue) -> float | None:
    """Lighthouse CI's value of one check on one audit (``None``: the audit has none)."""
    if check == "maxLength":
        return float(len(audit.items))
    if check == "maxNumericValue":
        return audit.numeric_value
    if audit.score is not None:
        return audit.score
    return {NOT_APPLICABLE: 1.0, INFORMATIVE: 0.0}.get(audit.display_mode or "")


def _resource_summary(
    requests: Sequence[Mapping[str, Any]],
    kind: str,
    measure: str | None,
    run: Run,
    site: str | None,
) -> float:
    """Lighthouse's resource summary: requests (or bytes) of one type, left-outs as its own.

    Non-network URLs and a favicon of type ``other`` are not counted; ``third-party``
    is every request of another site than the page's; *site* keeps only that site's.
    """
    page = _site(run.final_url)
    total = 0.0
    for request in requests:
        url = str(request.get("url") or "")
        scheme = url.split(":", 1)[0].lower()
        protocol = str(request.get("protocol") or "").split(":", 1)[0].lower()
        kind_of = RESOURCE_SUMMARY_TYPES.get(str(request.get("resource_type")), "other")
        if scheme in _NON_NETWORK or protocol in _NON_NETWORK:
            continue
        if kind_of == "other" and url.endswith("/favicon.ico"):
            continue
        other_site = _site(url) != page
        if site is not None and other_site:
            continue
        if kind in ("total", kind_of) or (kind == "third-party" and other_site):
            total += 1 if measure == "count" else float(request.get("transfer_size") or 0)
    return total


def _user_timing(audit: AuditValue, name: str) -> AuditValue | _Missing:
    """The duration (else start time) of the user timing whose kebab-case name is *name*."""
    for item in audit.items:
        if kebab(str(item.get("name") or ""), words_only=True) == name:
            duration, start = item.get("duration"), item.get("startTime")
            finite = isinstance(duration, int | float) and math.isfinite(duration)
            return AuditValue(audit.score, audit.display_mode, duration if finite else start)
    return _Missing(f"no user timing named {name!r} in this run")


def _site(url: Any) -> str | None:
    host = urlsplit(url).hostname if isinstance(url, str) else None
    return registrable_domain(host) if host else None


def _why_missing(missing: list[_Missing], runs: int) -> str:
    first = missing[0].why
    if len(missing) == runs:
        return first
    return f"{first} (missing in {len(missing)} of {runs} runs)"


def _unmeasured(assertion: Assertion, run: Run, why: str) -> list[dict[str, Any]]:
    """One row per bound, ``passed`` NA: the assertion could not be judged."""
    rows = []
    for check, bound in assertion.bounds():
        row = _row(assertion, run, check, bound, math.nan, [], passed=None)
        row.update(message=why, runs=0)
        rows.append(row)
    return rows


def _row(
    assertion: Assertion,
    run: Run,
    check: str,
    expected: float,
    actual: float,
    values: list[float],
    *,
    passed: bool | None,
) -> dict[str, Any]:
    return {
        "url": run.url,
        "strategy": run.strategy,
        "final_url": run.final_url,
        "key": assertion.key,
        "assertion": check,
        "level": assertion.level,
        "aggregation": assertion.aggregation,
        "operator": _OPERATORS[check],
        "expected": float(expected),
        "actual": actual,
        "passed": passed,
        "values": list(values),
        "title": None,
        "message": None,
        "source": assertion.source,
    }
