"""The result schema: fixed columns and dtypes, rows → DataFrame, Parquet metadata.

A result row is a :class:`Row`: a record keyed by the columns of :data:`SCHEMA`, each
typed as the record holds it (``None``: NA). Every engine writes its rows with
:func:`make_row`, so two rules hold for all of them: a category score is Lighthouse's
0–1 score times 100 rounded as Lighthouse's report rounds it (halves up, JavaScript's
``Math.round``), and ``warnings`` holds one warning per line. :func:`build_frame` turns
rows into a DataFrame whose columns, order and dtypes never depend on the data, so an
all-failed batch has the same shape as a good one.

A row with an ``error`` carries no measurement: its category scores and lab metrics
(:data:`MEASURED`) are NA, whatever the engine and throttling method, as Lighthouse gives
such a page a runtime error and no metric. :func:`make_row` enforces it, so no mean,
count or plot mixes error pages into a site's numbers. What the failed run observed of
the page (an error document's paints, bytes, requests: :func:`observed`) is in the
record's ``details["observed"]``; the row keeps ``status``, ``final_url``, the run's
bookkeeping (engine, throttling, attempts, times, slot) and field data, which is real
users' over 28 days, not the failed run's.
"""

from __future__ import annotations

import json
import math
import os
import socket
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict, cast

import pandas as pd

from ._errors import ERROR_TYPES, ConfigurationError
from ._lighthouse import CATEGORIES, THROTTLING_METHODS
from ._version import __version__
from .engines import ENGINES

STRATEGIES: tuple[str, ...] = ("mobile", "desktop")
FIELD_SOURCES: tuple[str, ...] = ("psi", "crux-url", "crux-origin", "none")
FIELD_CATEGORIES: tuple[str, ...] = ("FAST", "AVERAGE", "SLOW")

#: Lab metrics, in milliseconds except CLS (unitless).
METRICS: tuple[str, ...] = (
    "fcp_ms",
    "lcp_ms",
    "speed_index_ms",
    "tbt_ms",
    "cls",
    "ttfb_ms",
    "tti_ms",
)
#: The spread columns of repeated runs: each is the interquartile range (75th − 25th
#: percentile, linear interpolation) of a column over a URL's successful runs.
SPREAD: dict[str, str] = {f"{name}_iqr": name for name in ("performance", *METRICS)}

#: What a run measures of a page: the category scores and the lab metrics, main-thread
#: time, bytes and requests. A row with an error has none of them (NA).
MEASURED: tuple[str, ...] = (
    *CATEGORIES,
    *METRICS,
    "long_tasks_ms",
    "main_thread_ms",
    "total_bytes",
    "request_count",
)

#: Field (real-user, CrUX) 75th percentiles and their FAST/AVERAGE/SLOW category.
FIELD_METRICS: tuple[str, ...] = (
    "field_lcp_ms",
    "field_inp_ms",
    "field_cls",
    "field_fcp_ms",
    "field_ttfb_ms",
)


def validate_categories(categories: Collection[str]) -> tuple[str, ...]:
    """Check category names; return them in the canonical order.

    >>> validate_categories(["seo", "performance"])
    ('performance', 'seo')
    """
    unknown = sorted(set(categories) - set(CATEGORIES))
    if unknown or not categories:
        raise ConfigurationError(
            f"categories must be a non-empty subset of {', '.join(CATEGORIES)};"
            f" got {unknown or '[]'}."
        )
    return tuple(c for c in CATEGORIES if c in categories)


def _cat(values: Sequence[str]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(values), ordered=False)


#: Column name → dtype, in output order.
SCHEMA: dict[str, Any] = {
    "url": pd.StringDtype(),
    "final_url": pd.StringDtype(),
    "strategy": _cat(STRATEGIES),
    "engine": _cat(tuple(ENGINES)),
    "throttling": _cat(sorted(THROTTLING_METHODS)),
    "status": pd.Int64Dtype(),
    **{name: pd.Int64Dtype() for name in CATEGORIES},
    **{name: "float64" for name in METRICS},
    "long_tasks_ms": "float64",
    "main_thread_ms": "float64",
    "total_bytes": pd.Int64Dtype(),
    "request_count": pd.Int64Dtype(),
    "runs": pd.Int64Dtype(),
    "run": pd.Int64Dtype(),
    **dict.fromkeys(SPREAD, "float64"),
    **{name: "float64" for name in FIELD_METRICS},
    **{f"{name}_category": _cat(FIELD_CATEGORIES) for name in FIELD_METRICS},
    "field_source": _cat(FIELD_SOURCES),
    "error": pd.StringDtype(),
    "error_type": _cat(ERROR_TYPES),
    "warnings": pd.StringDtype(),
    "attempts": pd.Int64Dtype(),
    "from_cache": pd.BooleanDtype(),
    "started_at": pd.DatetimeTZDtype("ns", "UTC"),
    "duration_s": "float64",
    "context_id": pd.Int64Dtype(),
    "worker": pd.StringDtype(),
}

COLUMNS: tuple[str, ...] = tuple(SCHEMA)

#: Only a URL's row has these: its run count and spread, and how this call got it.
_SUMMARY_ONLY = frozenset({"runs", *SPREAD, "from_cache", "worker"})


def _run_schema() -> dict[str, Any]:
    schema: dict[str, Any] = {}
    for name, dtype in SCHEMA.items():
        if name not in _SUMMARY_ONLY:
            schema[name] = dtype
        if name == "run":
            schema["representative"] = pd.BooleanDtype()
    return schema


#: The columns of :func:`psdata.runs`, one row per run: :data:`SCHEMA`'s but those of a
#: URL's row only, with ``representative`` (whether the URL's row is this run) after
#: ``run``.
RUN_SCHEMA: dict[str, Any] = _run_schema()


#: Verdicts of :func:`psdata.compare` and the rank tests it uses.
VERDICTS: tuple[str, ...] = ("better", "worse", "no change", "not enough runs")
RANK_TESTS: tuple[str, ...] = ("mann-whitney", "wilcoxon")
#: The columns of :func:`psdata.compare`, one row per (page, metric).
COMPARE_SCHEMA: dict[str, Any] = {
    "url": pd.StringDtype(),
    "url_after": pd.StringDtype(),
    "strategy": _cat(STRATEGIES),
    "metric": pd.StringDtype(),
    "runs_before": "int64",
    "runs_after": "int64",
    "before": "float64",
    "after": "float64",
    "shift": "float64",
    "ci_low": "float64",
    "ci_high": "float64",
    "p_value": "float64",
    "test": _cat(RANK_TESTS),
    "verdict": _cat(VERDICTS),
}


class Row(TypedDict, total=False):
    """One result row: :data:`SCHEMA`'s columns, in its order, as a record holds them."""

    url: str | None
    final_url: str | None
    strategy: str
    engine: str | None
    throttling: str | None
    status: int | None
    performance: int | None
    accessibility: int | None
    best_practices: int | None
    seo: int | None
    fcp_ms: float | None
    lcp_ms: float | None
    speed_index_ms: float | None
    tbt_ms: float | None
    cls: float | None
    ttfb_ms: float | None
    tti_ms: float | None
    long_tasks_ms: float | None
    main_thread_ms: float | None
    total_bytes: int | None
    request_count: int | None
    runs: int | None
    run: int | None
    performance_iqr: float | None
    fcp_ms_iqr: float | None
    lcp_ms_iqr: float | None
    speed_index_ms_iqr: float | None
    tbt_ms_iqr: float | None
    cls_iqr: float | None
    ttfb_ms_iqr: float | None
    tti_ms_iqr: float | None
    field_lcp_ms: float | None
    field_inp_ms: float | None
    field_cls: float | None
    field_fcp_ms: float | None
    field_ttfb_ms: float | None
    field_lcp_ms_category: str | None
    field_inp_ms_category: str | None
    field_cls_category: str | None
    field_fcp_ms_category: str | None
    field_ttfb_ms_category: str | None
    field_source: str | None
    error: str | None
    error_type: str | None
    warnings: str | None
    attempts: int | None
    from_cache: bool | None
    started_at: datetime | None
    duration_s: float | None
    context_id: int | None
    worker: str | None


def url_cell(value: object) -> str | None:
    """The ``url`` column's value for an input value: as given, as text (NA stays NA).

    >>> url_cell("example.com"), url_cell(None)
    ('example.com', None)
    """
    return None if pd.isna(value) else str(value)  # type: ignore[call-overload]


def score_percent(score: float | None) -> int | None:
    """A category's 0–1 score as its 0–100 column: halves up, as Lighthouse's report.

    >>> score_percent(0.125), score_percent(0.92), score_percent(None)
    (13, 92, None)
    """
    return None if score is None else math.floor(score * 100 + 0.5)


def join_warnings(warnings: Iterable[str | None]) -> str | None:
    """The ``warnings`` column: one warning per line (``None`` when there is none).

    >>> join_warnings(["Redirected.", None, "Slow."])
    'Redirected.\\nSlow.'
    """
    return "\n".join(text for text in warnings if text) or None


def split_warnings(text: str | None) -> list[str]:
    """The warnings of a ``warnings`` cell, one per line (:func:`join_warnings` undone).

    >>> split_warnings("Redirected.\\nSlow."), split_warnings(None)
    (['Redirected.', 'Slow.'], [])
    """
    return [line for line in (text or "").split("\n") if line.strip()]


def make_row(
    url: object,
    strategy: str,
    values: Mapping[str, Any] | None = None,
    *,
    scores: Mapping[str, float | None] | None = None,
    warnings: Iterable[str | None] = (),
) -> Row:
    """The row of one (URL, strategy), as every engine writes it.

    Parameters
    ----------
    url, strategy
        What was measured; *url* as the row shows it (see :func:`url_cell`).
    values : mapping, optional
        Other columns by name (a name that is not a column raises :class:`ValueError`).
        With an ``error`` (or ``error_type``), the :data:`MEASURED` columns are left NA
        whatever is given: keep them in the record's details with :func:`observed`.
    scores : mapping, optional
        Category → Lighthouse's 0–1 score (or ``None``), written with
        :func:`score_percent`.
    warnings : iterable of str
        Why a value is missing or partial, written with :func:`join_warnings`.

    Returns
    -------
    Row
        Every column present; those not given are ``None`` (NA).

    Examples
    --------
    >>> row = make_row("https://example.com", "mobile", {"engine": "psi"},
    ...                scores={"seo": 0.925}, warnings=["Redirected."])
    >>> row["seo"], row["warnings"], row["performance"]
    (93, 'Redirected.', None)
    >>> gone = {"status": 404, "lcp_ms": 730.0, "error": "HTTP 404", "error_type": "http"}
    >>> failed = make_row("https://example.com/gone", "mobile", gone)
    >>> failed["status"], failed["lcp_ms"]
    (404, None)
    """
    given = {**(values or {}), **{name: score_percent(s) for name, s in (scores or {}).items()}}
    unknown = sorted(set(given) - set(COLUMNS))
    if unknown:
        raise ValueError(f"not result columns: {', '.join(unknown)}")
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(given, url=url_cell(url), strategy=strategy)
    if warnings:
        row["warnings"] = join_warnings(warnings)
    return cast(Row, _unmeasured_if_failed(row))


def _unmeasured_if_failed(row: dict[str, Any]) -> dict[str, Any]:
    """*row*, its :data:`MEASURED` columns NA if it has an error (the module's rule)."""
    if pd.notna(row.get("error")) or pd.notna(row.get("error_type")):
        row.update(dict.fromkeys(MEASURED))
    return row


def observed(values: Mapping[str, Any]) -> dict[str, Any]:
    """The measurements in *values* that a row with an error leaves out of its columns.

    A failed run's record keeps them in ``details["observed"]``.

    >>> observed({"status": 404, "fcp_ms": 512.0, "lcp_ms": None, "total_bytes": 1536})
    {'fcp_ms': 512.0, 'total_bytes': 1536}
    """
    return {name: values[name] for name in MEASURED if values.get(name) is not None}


def failed_rows(frame: pd.DataFrame) -> pd.Series:
    """Which rows of a result *frame* have an error: never counted as values.

    >>> df = build_frame([{"lcp_ms": 900.0}, {"error": "HTTP 404", "error_type": "http"}])
    >>> failed_rows(df).tolist()
    [False, True]
    """
    return frame["error"].notna() | frame["error_type"].notna()


def worker_id() -> str:
    """This process as ``host:pid``: the ``worker`` column of the rows it returns.

    >>> import os
    >>> worker_id().endswith(f":{os.getpid()}")
    True
    """
    return f"{socket.gethostname()}:{os.getpid()}"


def build_frame(
    records: Iterable[Mapping[str, Any]],
    index: pd.Index | None = None,
    *,
    schema: Mapping[str, Any] = SCHEMA,
) -> pd.DataFrame:
    """Records → a DataFrame with exactly *schema*'s columns, order and dtypes.

    *schema* is :data:`SCHEMA` (result rows) or :data:`RUN_SCHEMA` (runs).

    A record with an error gets no measurement, as :func:`make_row` writes it (a record
    stored by an earlier version may have some).

    >>> df = build_frame([{"url": "https://example.com", "strategy": "mobile"}])
    >>> df.dtypes["performance"]
    Int64Dtype()
    """
    rows = [
        _unmeasured_if_failed({name: record.get(name) for name in schema}) for record in records
    ]
    raw = pd.DataFrame.from_records(rows, columns=list(schema))
    columns = {name: _as_dtype(raw[name], dtype) for name, dtype in schema.items()}
    frame = pd.DataFrame(columns)
    if index is not None:
        frame.index = index
    return frame


def _as_dtype(values: pd.Series, dtype: Any) -> pd.Series:
    """Convert one raw column (objects, None for NA) to its schema dtype."""
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.to_datetime(values, utc=True).astype(dtype)
    if dtype == "float64":
        return pd.to_numeric(values, errors="coerce").astype("float64")
    if isinstance(dtype, pd.Int64Dtype):
        return pd.to_numeric(values, errors="coerce").round().astype(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        return values.where(values.isin(dtype.categories)).astype(dtype)
    return values.astype(dtype)


PARQUET_METADATA_KEY = b"psdata"


def to_parquet(frame: pd.DataFrame, path: str | Path, **settings: Any) -> Path:
    """Write *frame* to Parquet with psdata's version and *settings* in the file metadata.

    The file reads back with plain :func:`pandas.read_parquet`, with the same dtypes,
    index and categories.

    >>> import psdata, pandas as pd, tempfile
    >>> df = psdata.build_frame([{"url": "https://example.com", "strategy": "mobile"}])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = psdata.to_parquet(df, f"{folder}/scores.parquet", engine="lab")
    ...     pd.read_parquet(path).dtypes.equals(df.dtypes)
    True
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=True)
    meta = dict(table.schema.metadata or {})
    info = {"version": __version__, **frame.attrs.get("psdata", {}), **settings}
    meta[PARQUET_METADATA_KEY] = json.dumps(info, default=str).encode()
    target = Path(path)
    pq.write_table(table.replace_schema_metadata(meta), target)
    return target


def read_parquet_metadata(path: str | Path) -> dict[str, Any]:
    """The psdata metadata (version, engine, settings) of a Parquet file or dataset.

    *path* is a file written by :func:`to_parquet`, or a directory: a Parquet dataset
    such as ``psdata.analyze(ddf.url).to_parquet(path)`` writes (its ``_common_metadata``
    file, else its first part). Frames carry the metadata in ``attrs["psdata"]``, which
    pyarrow keeps in the pandas schema metadata of every file, so a dataset written by
    plain ``to_parquet`` has it too.

    >>> import psdata, tempfile
    >>> df = psdata.build_frame([{"url": "https://example.com", "strategy": "mobile"}])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = psdata.to_parquet(df, f"{folder}/scores.parquet", engine="lab")
    ...     read_parquet_metadata(path)["engine"]
    'lab'
    """
    import pyarrow.parquet as pq

    source = Path(path)
    if source.is_dir():
        common = source / "_common_metadata"
        parts = sorted(source.rglob("*.parquet"))
        if common.exists():
            source = common
        elif parts:
            source = parts[0]
        else:
            return {}
    meta = pq.read_schema(source).metadata or {}
    raw = meta.get(PARQUET_METADATA_KEY)
    if raw:
        return dict(json.loads(raw))
    attrs = json.loads(meta.get(b"pandas", b"{}")).get("attributes") or {}
    info = attrs.get("psdata")
    if not isinstance(info, dict):
        return {}
    return {"version": info.get("settings", {}).get("version"), **info}
