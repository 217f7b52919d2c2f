"""Reading stored results back: the runs and audits behind a result frame, and the store."""

from __future__ import annotations

import copy
import os
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ._errors import ConfigurationError
from ._frame import RUN_SCHEMA, STRATEGIES, build_frame, failed_rows
from ._lighthouse import CATEGORIES, HIDDEN_METRIC_AUDITS, PASS_SCORE
from ._runs import JUDGED_ONCE
from ._store import ResultStore, StoredResult, store_path
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
    frame.index = _repeated(result.index, labels)
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

    *result* is a frame :func:`psdata.analyze` or :func:`runs` returned. A row's details
    are its run's (``run``: the representative one in ``analyze``'s rows); a later run
    gets run 1's audits of the categories judged once. The store is the one the frame
    was made with (or *cache_dir*'s), as it was then. ``None`` for a row that failed,
    has no URL, or is not in the store (cleared, or the store file is not on this
    machine: it is then not created).

    Examples
    --------
    >>> scores = psdata.analyze(df["url"])  # doctest: +SKIP
    >>> stored_details(scores)[0]["categories"]["seo"]["score"]  # doctest: +SKIP
    0.92
    """
    source = _Source.of(result, cache_dir)
    found: list[dict[str, Any] | None] = [None] * len(result)
    errors = failed_rows(result).to_numpy(dtype=bool)
    scored = [
        (position, (normalize_url(row["url"]), row["strategy"], source.run_of(row)))
        for position, (_, row) in enumerate(result.iterrows())
        if pd.notna(row["url"]) and not errors[position]
    ]
    if not scored or not os.path.exists(source.path):
        return found
    wanted = {run for _, run in scored}
    firsts = {(url, strategy, 1) for url, strategy, run in wanted if run > 1}
    with ResultStore(source.path) as store:
        stored = source.read(store, wanted | firsts, include_failures=False)
    for position, (url, strategy, run) in scored:
        own = stored.get((url, strategy, run))
        details = own.details() if own is not None else None
        first = stored.get((url, strategy, 1))
        if run > 1 and details and first is not None:
            details = _with_run_1_categories(details, first.details() or {})
        found[position] = details
    return found


def _with_run_1_categories(details: dict[str, Any], first: dict[str, Any]) -> dict[str, Any]:
    """A later run's *details* with run 1's categories that the later run did not measure."""
    categories = details.get("categories", {})
    judged = {k: v for k, v in first.get("categories", {}).items() if k not in categories}
    return {**details, "categories": {**judged, **categories}}


@dataclass(frozen=True)
class _Source:
    """Where a result frame's runs are stored, and how to find them there."""

    path: str
    engine: str | None
    settings: dict[str, Any]
    runs: int
    #: The store as it was when the frame was made (``None``: as it is).
    as_of: float | None

    @classmethod
    def of(cls, result: pd.DataFrame, cache_dir: str | os.PathLike[str] | None) -> _Source:
        meta = result.attrs.get("psdata", {})
        settings = meta.get("settings")
        if settings is None:
            raise ConfigurationError("This frame has no psdata settings; pass analyze()'s result.")
        path = store_of(result, cache_dir=cache_dir)
        engine, runs, as_of = meta.get("engine"), int(meta.get("runs", 1)), meta.get("created_at")
        return cls(path, engine, settings, runs, as_of)

    def run_of(self, row: pd.Series) -> int:
        """The run a row is (``analyze``'s rows: the representative run; 1 before runs)."""
        run = row.get("run")
        return 1 if run is None or pd.isna(run) else int(run)

    def read(
        self, store: ResultStore, wanted: Iterable[tuple[str, str, int]], *, include_failures: bool
    ) -> dict[tuple[str, str, int], StoredResult]:
        """The stored runs (normalised URL, strategy, run) of this frame, as the store held
        them when the frame was made."""
        engine = self.engine or "lab"
        keys = {
            store.key(url, str(strategy), engine, self.settings, run=run): (url, strategy, run)
            for url, strategy, run in wanted
        }
        found = store.get_many(
            list(keys), max_age=None, include_failures=include_failures, as_of=self.as_of
        )
        return {keys[key]: stored for key, stored in found.items()}


def runs(scores: pd.DataFrame, *, cache_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Every run behind *scores*: one row per (input row, strategy, run), from the store.

    *scores* is a frame :func:`psdata.analyze` returned (any ``runs``). Each run's row
    has every metric (:data:`psdata.RUN_SCHEMA`), its ``run`` number, its
    ``started_at``, and ``representative``: whether it is the run *scores* shows.
    Accessibility, best practices and SEO, judged in run 1, are shown on each run's row.
    A failed run is a row with its error. Runs are read from the result store the frame
    was made with (or *cache_dir*'s), as it was then: URLs measured again since still
    give the frame's runs. A run no longer stored (cleared) is a row whose ``error``
    says so. Invalid URLs have no runs. The index repeats *scores*' labels.

    Examples
    --------
    >>> scores = psdata.analyze(df["url"], runs=5)  # doctest: +SKIP
    >>> every = psdata.runs(scores)  # doctest: +SKIP
    >>> every.groupby("url").performance.agg(["min", "median", "max"])  # doctest: +SKIP
    """
    if "representative" in scores.columns:  # already a frame of runs
        return scores.copy()
    source = _Source.of(scores, cache_dir)
    measured = [
        (label, row, normalize_url(row["url"]))
        for label, row in scores.iterrows()
        if pd.notna(row["url"]) and row["error_type"] != "invalid_url"
    ]
    numbers = range(1, source.runs + 1)
    wanted = [(url, row["strategy"], n) for _, row, url in measured for n in numbers]
    with ResultStore(source.path) as store:
        found = source.read(store, wanted, include_failures=True)
    labels, records = [], []
    for label, row, url in measured:
        chosen = source.run_of(row) if pd.notna(row.get("run")) else None
        first = found.get((url, row["strategy"], 1))
        for run in numbers:
            stored = found.get((url, row["strategy"], run))
            labels.append(label)
            records.append(_run_record(row, run, chosen, stored, first))
    frame = build_frame(records, _repeated(scores.index, labels), schema=RUN_SCHEMA)
    frame.attrs = copy.deepcopy(scores.attrs)
    return frame


def _run_record(
    row: pd.Series,
    run: int,
    chosen: int | None,
    stored: StoredResult | None,
    first: StoredResult | None,
) -> dict[str, Any]:
    """The runs-table record of run *run* of *row* (``chosen``: its representative run)."""
    if stored is not None:
        record = dict(stored.record)
    elif run == chosen:  # the frame's own row is this run
        record = {k: (None if pd.isna(v) else v) for k, v in row.items() if k in RUN_SCHEMA}
    else:
        record = {
            "engine": row["engine"],
            "throttling": row["throttling"],
            "error": "This run is not in the result store (cleared, or another cache_dir).",
        }
    if run > 1 and first is not None and first.ok and not record.get("error"):
        record.update({name: first.record.get(name) for name in JUDGED_ONCE})
    record.update(url=row["url"], strategy=row["strategy"], run=run, representative=run == chosen)
    return record


def _repeated(index: pd.Index, labels: list[Hashable]) -> pd.Index:
    """An index of *labels* taken from *index* (same names and levels), possibly empty."""
    return index[:0].append(pd.Index(labels)) if labels else index[:0]


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
