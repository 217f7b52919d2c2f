"""Reading stored results back: the audits behind a result frame, and the store itself."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from ._errors import ConfigurationError
from ._frame import CATEGORIES, STRATEGIES
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
    "details": object,
}


def audits(
    result: pd.DataFrame, *, cache_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """The audits behind *result*'s category scores, one row per (page, audit).

    Details come from the result store the frame was made with (or *cache_dir*'s), so
    this works for any frame ``analyze`` returned. The index repeats *result*'s labels.

    Examples
    --------
    >>> scores = psdata.analyze(df["url"])  # doctest: +SKIP
    >>> a = psdata.audits(scores)  # doctest: +SKIP
    >>> a[(a.audit_id == "image-alt") & (a.score == 0)].url.unique()  # doctest: +SKIP
    """
    meta = result.attrs.get("psdata", {})
    settings = meta.get("settings")
    if settings is None:
        raise ConfigurationError("This frame has no psdata settings; pass analyze()'s result.")
    path = store_path(cache_dir) if cache_dir is not None or "store" not in meta else meta["store"]
    scored = [
        (label, row)
        for label, row in result.iterrows()
        if pd.notna(row["url"]) and pd.isna(row["error"])
    ]
    with ResultStore(path) as store:
        keys = [
            store.key(normalize_url(row["url"]), str(row["strategy"]), str(row["engine"]), settings)
            for _, row in scored
        ]
        found = store.get_many(keys, max_age=None, include_failures=False)
    rows: list[dict[str, Any]] = []
    labels: list[Any] = []
    for (label, row), key in zip(scored, keys, strict=True):
        stored = found.get(key)
        details = (stored.details() if stored else None) or {}
        for category, content in details.get("categories", {}).items():
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
                        "details": audit.get("details") or [],
                    }
                )
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    frame = frame.astype({k: v for k, v in AUDIT_COLUMNS.items() if v is not object})
    index = result.index[:0].append(pd.Index(labels)) if labels else result.index[:0]
    frame.index = index
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
