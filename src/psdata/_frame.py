"""The result schema: fixed columns and dtypes, records → DataFrame, Parquet metadata.

Every engine produces *records*: plain dicts keyed by the column names below (missing
keys are NA). :func:`build_frame` turns them into a DataFrame whose columns, order and
dtypes never depend on the data, so an all-failed batch has the same shape as a good one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ._errors import ERROR_TYPES, ConfigurationError
from ._lighthouse import CATEGORIES, THROTTLING_METHODS
from ._version import __version__
from .engines import ENGINES

STRATEGIES: tuple[str, ...] = ("mobile", "desktop")
FIELD_SOURCES: tuple[str, ...] = ("psi", "crux-url", "crux-origin", "none")
FIELD_CATEGORIES: tuple[str, ...] = ("FAST", "AVERAGE", "SLOW")

#: Lab metrics, in milliseconds except CLS (unitless).
METRICS: tuple[str, ...] = ("fcp_ms", "lcp_ms", "speed_index_ms", "tbt_ms", "cls", "ttfb_ms")

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


def empty_record(url: object, strategy: str) -> dict[str, Any]:
    """A record for *url* with every column present and NA, as a starting point."""
    record: dict[str, Any] = dict.fromkeys(COLUMNS)
    record["url"] = None if pd.isna(url) else str(url)  # type: ignore[call-overload]
    record["strategy"] = strategy
    return record


def build_frame(
    records: Iterable[Mapping[str, Any]], index: pd.Index | None = None
) -> pd.DataFrame:
    """Records → a DataFrame with exactly :data:`SCHEMA`'s columns, order and dtypes.

    >>> df = build_frame([{"url": "https://example.com", "strategy": "mobile"}])
    >>> df.dtypes["performance"]
    Int64Dtype()
    """
    rows = [{name: record.get(name) for name in COLUMNS} for record in records]
    raw = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    columns = {name: _as_dtype(raw[name], dtype) for name, dtype in SCHEMA.items()}
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
