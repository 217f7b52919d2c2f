"""Reading stored results back: the audits behind a result frame, and the store itself."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from ._errors import ConfigurationError
from ._frame import STRATEGIES, failed_rows
from ._lighthouse import CATEGORIES, HIDDEN_METRIC_AUDITS, PASS_SCORE
from ._store import ResultStore, store_path
from ._urls import normalize_url

AUDIT_COLUMNS: dict[str, Any] = {
    "url": pd.StringDtype(),
    "strategy": pd.CategoricalDtype(list(STRATEGIES)),
    "category": pd.CategoricalDtype(list(CATEGORIES)),
    "audit_id": pd.StringDtype(),
    "title": pd.StringDtype(),
    "score": "float64",
    "weight": "float64",
    "display_mode": pd.StringDtype(),
    "numeric_value": "float64",
    "numeric_unit": pd.StringDtype(),
    "details": object,
    "savings_ms": "float64",
    "savings_bytes": "float64",
}
#: Columns of :func:`opportunities`.
OPPORTUNITY_COLUMNS: dict[str, Any] = {
    "audit_id": pd.StringDtype(),
    "title": pd.StringDtype(),
    "pages": "int64",
    "pages_failing": "int64",
    "total_savings_ms": "float64",
    "median_savings_ms": "float64",
    "total_savings_bytes": "float64",
    "median_savings_bytes": "float64",
}


def audits(
    result: pd.DataFrame, *, cache_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """The audits behind *result*'s category scores, one row per (page, audit).

    Details come from the result store the frame was made with (or *cache_dir*'s), so
    this works for any frame ``analyze`` returned. The index repeats *result*'s labels.
    Rows with an error have no audits: ``attrs["psdata"]`` counts the ``rows`` audited,
    the ``errors`` left out and the rows ``missing`` from the store.

    Examples
    --------
    >>> scores = psdata.analyze(df["url"])  # doctest: +SKIP
    >>> a = psdata.audits(scores)  # doctest: +SKIP
    >>> a[(a.audit_id == "image-alt") & (a.score == 0)].url.unique()  # doctest: +SKIP
    """
    rows: list[dict[str, Any]] = []
    labels: list[Any] = []
    found = stored_details(result, cache_dir=cache_dir)
    for (label, row), details in zip(result.iterrows(), found, strict=True):
        for category, content in (details or {}).get("categories", {}).items():
            for audit in content.get("audits", []):
                labels.append(label)
                rows.append(
                    {
                        "url": row["url"],
                        "strategy": row["strategy"],
                        "category": category,
                        "audit_id": audit.get("id"),
                        "title": audit.get("title"),
                        "score": audit.get("score"),
                        "weight": audit.get("weight"),
                        "display_mode": audit.get("display_mode"),
                        "numeric_value": audit.get("numeric_value"),
                        "numeric_unit": audit.get("numeric_unit"),
                        "details": audit.get("details") or [],
                        "savings_ms": audit.get("savings_ms"),
                        "savings_bytes": audit.get("savings_bytes"),
                    }
                )
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    frame = frame.astype({k: v for k, v in AUDIT_COLUMNS.items() if v is not object})
    index = result.index[:0].append(pd.Index(labels)) if labels else result.index[:0]
    frame.index = index
    errors = failed_rows(result)
    scored = result["url"].notna() & ~errors
    missing = sum(1 for want, got in zip(scored, found, strict=True) if want and got is None)
    counts = {"rows": int(scored.sum()) - missing, "errors": int(errors.sum()), "missing": missing}
    frame.attrs["psdata"] = counts
    return frame


def store_of(result: pd.DataFrame, *, cache_dir: str | os.PathLike[str] | None = None) -> str:
    """The result store file *result*'s details are in (*cache_dir*'s when given).

    >>> store_of(pd.DataFrame(), cache_dir="/tmp/x")
    '/tmp/x/results.sqlite3'
    """
    meta = result.attrs.get("psdata", {})
    if cache_dir is not None or "store" not in meta:
        return store_path(cache_dir)
    return str(meta["store"])


def stored_details(
    result: pd.DataFrame, *, cache_dir: str | os.PathLike[str] | None = None
) -> list[dict[str, Any] | None]:
    """The engine's stored details of each row of *result*, in row order.

    ``None`` for a row that failed, has no URL, or is not in the result store (cleared,
    or the store file is not on this machine: it is then not created).

    Examples
    --------
    >>> scores = psdata.analyze(df["url"])  # doctest: +SKIP
    >>> stored_details(scores)[0]["categories"]["seo"]["score"]  # doctest: +SKIP
    0.92
    """
    settings = result.attrs.get("psdata", {}).get("settings")
    if settings is None:
        raise ConfigurationError("This frame has no psdata settings; pass analyze()'s result.")
    path = store_of(result, cache_dir=cache_dir)
    found: list[dict[str, Any] | None] = [None] * len(result)
    wanted = [
        (position, row)
        for position, ((_, row), failed) in enumerate(
            zip(result.iterrows(), failed_rows(result), strict=True)
        )
        if pd.notna(row["url"]) and not failed
    ]
    if not wanted or not os.path.exists(path):
        return found
    with ResultStore(path) as store:
        keys = [
            store.key(normalize_url(row["url"]), str(row["strategy"]), str(row["engine"]), settings)
            for _, row in wanted
        ]
        stored = store.get_many(keys, max_age=None, include_failures=False)
    for (position, _), key in zip(wanted, keys, strict=True):
        hit = stored.get(key)
        found[position] = hit.details() if hit is not None else None
    return found


def opportunities(
    result: pd.DataFrame, *, cache_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Which fix pays off across the pages: one row per performance opportunity.

    *result* is a frame ``analyze`` returned (its audits are read as :func:`audits`
    reads them) or :func:`audits`' own frame. For each opportunity or diagnostic of the
    performance category (its weight-0 audits but the hidden metrics, Time to Interactive
    and Max Potential FID): the pages it was decided on, the pages failing it (a score
    below Lighthouse's pass band, 0.9), and the total and median savings over the
    failing pages, in milliseconds (``NaN`` until time savings are estimated) and bytes.
    Sorted by total savings (milliseconds, then bytes), largest first. ``attrs["psdata"]``
    keeps the audits' counts: rows audited, rows left out as errors, rows not stored.

    Examples
    --------
    >>> scores = psdata.analyze(df["url"])  # doctest: +SKIP
    >>> psdata.opportunities(scores).head(3)  # doctest: +SKIP
                audit_id                      title  pages  pages_failing  ...
    0  unused-javascript   Reduce unused JavaScript     40             31  ...
    """
    table = result if "audit_id" in result.columns else audits(result, cache_dir=cache_dir)
    metrics = [audit.id for audit in HIDDEN_METRIC_AUDITS.values()]
    perf = table[
        (table["category"] == "performance")
        & (table["weight"] == 0)
        & ~table["audit_id"].isin(metrics)
    ]
    decided = perf[perf["score"].notna()]
    failing = decided[decided["score"] < PASS_SCORE]
    rows = []
    for audit_id, group in perf.groupby("audit_id", sort=False):
        fails = failing[failing["audit_id"] == audit_id]
        rows.append(
            {
                "audit_id": audit_id,
                "title": group["title"].iloc[0],
                "pages": int(decided["audit_id"].eq(audit_id).sum()),
                "pages_failing": len(fails),
                "total_savings_ms": fails["savings_ms"].sum(min_count=1),
                "median_savings_ms": fails["savings_ms"].median(),
                "total_savings_bytes": fails["savings_bytes"].sum(min_count=1),
                "median_savings_bytes": fails["savings_bytes"].median(),
            }
        )
    frame = pd.DataFrame(rows, columns=list(OPPORTUNITY_COLUMNS))
    frame = frame.astype(OPPORTUNITY_COLUMNS)
    frame = frame.sort_values(
        ["total_savings_ms", "total_savings_bytes", "pages_failing"],
        ascending=False,
        na_position="last",
        kind="stable",
    )
    frame = frame.reset_index(drop=True)
    frame.attrs["psdata"] = dict(table.attrs.get("psdata", {}))
    return frame


def cache_info(*, cache_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Where the result store is and what it holds.

    Examples
    --------
    >>> psdata.cache_info()["rows"]  # doctest: +SKIP
    120
    """
    with ResultStore(store_path(cache_dir)) as store:
        return store.info()


def clear_cache(
    *,
    older_than: float | None = None,
    failures_only: bool = False,
    url: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> int:
    """Remove stored results (all, or older than *older_than* s, failures, one URL).

    Examples
    --------
    >>> psdata.clear_cache(failures_only=True)  # doctest: +SKIP
    3
    """
    with ResultStore(store_path(cache_dir)) as store:
        return store.clear(
            older_than=older_than,
            failures_only=failures_only,
            url=None if url is None else normalize_url(url),
        )
