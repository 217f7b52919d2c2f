"""``psdata.check``: judge a result frame with Lighthouse CI assertions or a budget.json.

The frame's rows become :class:`~psdata.analysis.assertions.Run` records: category
scores from the frame; audits (what :func:`psdata.audits` shows), the request list and
the measured categories from each row's stored details. That reading is the one place
that knows where a run comes from; the judging itself (:mod:`.assertions`) only sees
runs, so repeated runs of a row plug in here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .._lighthouse import CATEGORY_IDS
from .._results import stored_details
from .assertions import AuditValue, Run, evaluate
from .lhci_config import load_assertions


def check(
    scores: pd.DataFrame,
    assertions: str | os.PathLike[str] | Mapping[str, Any] | list[Any],
    *,
    third_party: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Judge *scores* with Lighthouse CI assertions: one row per (URL, strategy, assertion).

    Parameters
    ----------
    scores : pandas.DataFrame
        A frame :func:`psdata.analyze` returned (or read back from its Parquet file).
        Rows of one URL and strategy are that page's runs, aggregated as each assertion
        says.
    assertions : path, dict or list
        A lighthouserc file (JSON, or YAML with PyYAML installed) or dict, its
        ``ci.assert`` dict, or a budget.json file or list. See ``docs/assertions.md``.
    third_party : bool, default True
        False leaves other sites' requests and items out of ``resource-summary`` and
        ``maxLength`` assertions that do not say otherwise (``thirdParty``).
    cache_dir : path, optional
        The result store holding the frame's details, when not the one it was made with.

    Returns
    -------
    pandas.DataFrame
        ``url``, ``strategy``, ``final_url``, ``key``, ``assertion`` (``minScore``,
        ``maxNumericValue``, ``maxLength``, or ``auditRan`` when a result is missing),
        ``level``, ``aggregation`` (the method used), ``operator``, ``expected``,
        ``actual``, ``passed`` (NA: not measured, see ``message``), ``runs``,
        ``values`` (per run), ``title``, ``message`` and ``source`` (where the
        assertion was declared).

    Raises
    ------
    ConfigurationError
        The assertions cannot be read, or the frame has no psdata metadata.

    Examples
    --------
    >>> scores = psdata.analyze(urls)  # doctest: +SKIP
    >>> checks = psdata.check(scores, "lighthouserc.json")  # doctest: +SKIP
    >>> checks[checks.passed == False][["url", "key", "expected", "actual"]]  # doctest: +SKIP
                          url                     key  expected  actual
    0  https://example.com/  categories:performance       0.9    0.72
    """
    blocks = load_assertions(assertions)
    return evaluate(frame_runs(scores, cache_dir=cache_dir), blocks, third_party=third_party)


def frame_runs(
    scores: pd.DataFrame, *, cache_dir: str | os.PathLike[str] | None = None
) -> list[Run]:
    """The runs of a result frame, one per row with a URL (see :func:`run_from_record`).

    Examples
    --------
    >>> [run.categories for run in frame_runs(scores)]  # doctest: +SKIP
    [{'performance': 0.98, 'accessibility': 0.87, 'best-practices': 1.0, 'seo': 0.91}]
    """
    found = stored_details(scores, cache_dir=cache_dir)
    rows = zip(scores.to_dict("records"), found, strict=True)
    return [run_from_record(row, details) for row, details in rows if pd.notna(row["url"])]


def run_from_record(record: Mapping[Any, Any], details: Mapping[str, Any] | None) -> Run:
    """One run from a result row (or an engine's record) and its stored details.

    Category scores are the row's (0–100, as Lighthouse's 0–1), for the categories the
    details hold; audits and the request list are the details'. A row with an error,
    or without details (no longer in the store), is a run with that error. A
    ``representative`` value, where the row has one, marks the run ``median-run``
    assertions read.

    Examples
    --------
    >>> run = run_from_record({"url": "https://a.org/", "strategy": "mobile", "seo": 92},
    ...                       {"categories": {"seo": {"audits": [{"id": "viewport", "score": 1}]}}})
    >>> run.categories, run.audits["viewport"].score, run.error
    ({'seo': 0.92}, 1.0, None)
    """
    details = details or {}
    error = _text(record.get("error"))
    if error is None and not details:
        error = "its details are not in the result store (cleared, or another cache_dir)"
    categories = details.get("categories", {})
    audits: dict[str, AuditValue] = {}
    for content in categories.values():
        for audit in content.get("audits", []):
            audits.setdefault(
                str(audit.get("id")),
                AuditValue(
                    score=_number(audit.get("score")),
                    display_mode=_text(audit.get("display_mode")),
                    numeric_value=_number(audit.get("numeric_value")),
                    items=list(audit.get("details") or []),
                    title=_text(audit.get("title")),
                ),
            )
    url = str(record["url"])
    flag = record.get("representative")
    return Run(
        url=url,
        strategy=str(record["strategy"]),
        final_url=_text(record.get("final_url")) or url,
        categories={
            lighthouse_id: _score(record.get(name))
            for name, lighthouse_id in CATEGORY_IDS.items()
            if name in categories
        },
        audits=audits,
        requests=details.get("requests"),
        representative=None if flag is None or pd.isna(flag) else bool(flag),
        error=error,
    )


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _score(value: Any) -> float | None:
    """A 0–100 column value as Lighthouse's 0–1 category score."""
    number = _number(value)
    return None if number is None else number / 100
