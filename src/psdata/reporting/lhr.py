"""A Lighthouse 12 report object (LHR) for a row of a psdata result frame.

The LHR is built from the row and the details its engine stored (categories with their
audits, metric values): scores, weights, items and savings are psdata's own; the
categories' layout (audit order, groups, metric acronyms), the audits' titles and
descriptions and the form factors' presets are Lighthouse 12.2.3's
(:func:`~psdata.reporting.assets.lighthouse_facts`). A row from the PSI engine already
holds Google's LHR: it is returned as it came. A failed row gets the report Lighthouse
writes for a page it could not load: its error on top and every category unscored.
"""

from __future__ import annotations

import math
import os
from collections.abc import Hashable, Mapping, Sequence
from datetime import UTC
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ConfigurationError
from .._frame import score_percent, split_warnings
from .._lighthouse import (
    BINARY,
    CATEGORIES,
    CATEGORY_IDS,
    DEFAULT_THROTTLING,
    ERROR,
    INFORMATIVE,
    LIGHTHOUSE_VERSION,
    MANUAL,
    METRIC_AUDITS,
    METRIC_SAVINGS,
    NOT_APPLICABLE,
    NUMERIC,
    PASS_SCORE,
)
from .._results import store_of, stored_details
from .._version import __version__
from .assets import lighthouse_facts, report_frame, standalone_html
from .tables import details_table

#: Display modes whose score Lighthouse keeps (the others report ``score: null``).
SCORED_MODES = frozenset({BINARY, NUMERIC, METRIC_SAVINGS})
#: Display modes whose audits Lighthouse lists with weight 0 in a report.
UNWEIGHTED_MODES = frozenset({NOT_APPLICABLE, INFORMATIVE, MANUAL})
#: How Lighthouse writes each metric's value: seconds, except these.
METRIC_UNITS: Mapping[str, str] = {
    "total-blocking-time": "ms",
    "cumulative-layout-shift": "unitless",
}
_NBSP = "\u00a0"


class LighthouseResult(dict[str, Any]):
    """A Lighthouse report object: a plain ``dict`` (``json.dumps`` it) that a notebook
    shows as Lighthouse's own report.

    >>> lhr = LighthouseResult(requestedUrl="https://a.test/", categories={})
    >>> lhr
    <LighthouseResult https://a.test/>
    """

    def __repr__(self) -> str:
        scores = [
            f"{category.get('id')} {_percent(category.get('score'))}"
            for category in (self.get("categories") or {}).values()
        ]
        url = self.get("finalDisplayedUrl") or self.get("requestedUrl")
        return f"<LighthouseResult {url}{': ' if scores else ''}{', '.join(scores)}>"

    def _repr_html_(self) -> str:
        return report_frame(self)

    def to_html(self) -> str:
        """Lighthouse's standalone HTML report of this result (one self-contained page).

        >>> "<title>Lighthouse Report</title>" in LighthouseResult(audits={}).to_html()
        True
        """
        return standalone_html(self)


def _percent(score: Any) -> str:
    return "?" if score is None else str(score_percent(score))


def to_lhr(
    scores: pd.DataFrame, row: Hashable, *, cache_dir: str | os.PathLike[str] | None = None
) -> LighthouseResult:
    """The Lighthouse 12 report object of one row of *scores*.

    Parameters
    ----------
    scores
        A frame ``psdata.analyze`` returned (or read back from its Parquet file).
    row
        The row's index label; ``(label, strategy)`` after a two-strategy run.
    cache_dir
        The result store's directory, when it is not the one the frame was made with.

    Returns
    -------
    LighthouseResult
        A dict in Lighthouse's LHR format (``lighthouseVersion`` names psdata). A failed
        row's report says why it was not scored; a row whose details are not in the
        result store (cleared, another machine, an older frame) says so and shows the
        row's scores. In a notebook it displays as Lighthouse's report.

    Raises
    ------
    ConfigurationError
        When *row* is not one row of *scores*.

    Examples
    --------
    >>> scores = psdata.analyze(["https://example.com"])  # doctest: +SKIP
    >>> lhr = psdata.to_lhr(scores, 0)  # doctest: +SKIP
    >>> lhr["categories"]["performance"]["score"]  # doctest: +SKIP
    0.98
    >>> json.dump(lhr, open("example.json", "w"))  # doctest: +SKIP
    """
    position = row_position(scores, row)
    one = scores.iloc[[position]]
    one.attrs = scores.attrs
    return frame_lhrs(one, cache_dir=cache_dir)[0]


def show(
    scores: pd.DataFrame,
    row: Hashable,
    *,
    height: int = 800,
    cache_dir: str | os.PathLike[str] | None = None,
) -> ReportView:
    """One row's Lighthouse report, shown inline by a notebook cell.

    Examples
    --------
    >>> psdata.show(scores, 0)  # doctest: +SKIP
    """
    return ReportView(to_lhr(scores, row, cache_dir=cache_dir), height)


class ReportView:
    """A row's Lighthouse report in a notebook: Jupyter shows its ``_repr_html_``.

    >>> ReportView(LighthouseResult(requestedUrl="https://a.test/"), 500)
    <Lighthouse report of https://a.test/>
    """

    def __init__(self, lhr: LighthouseResult, height: int) -> None:
        self.lhr = lhr
        self.height = height

    def __repr__(self) -> str:
        url = self.lhr.get("finalDisplayedUrl") or self.lhr.get("requestedUrl")
        return f"<Lighthouse report of {url}>"

    def _repr_html_(self) -> str:
        return report_frame(self.lhr, height=self.height)


def row_position(scores: pd.DataFrame, row: Hashable) -> int:
    """The position of the one row labelled *row* in *scores*.

    >>> row_position(pd.DataFrame({"url": ["a", "b"]}, index=[10, 20]), 20)
    1
    """
    try:
        found = scores.index.get_loc(row)
    except (KeyError, TypeError):
        sample = ", ".join(map(repr, scores.index[:5]))
        raise ConfigurationError(
            f"row {row!r} is not in the frame's index ({len(scores)} rows"
            f"{': ' + sample if sample else ''}{', ...' if len(scores) > 5 else ''})."
        ) from None
    if isinstance(found, int | np.integer):
        return int(found)
    positions = np.arange(len(scores))[found]
    if len(positions) != 1:
        raise ConfigurationError(
            f"row {row!r} names {len(positions)} rows; pass a unique label"
            " ((label, strategy) after a two-strategy run)."
        )
    return int(positions[0])


def frame_lhrs(
    scores: pd.DataFrame, *, cache_dir: str | os.PathLike[str] | None = None
) -> list[LighthouseResult]:
    """The LHR of every row of *scores*, in row order (details read in one go).

    >>> frame_lhrs(pd.DataFrame(columns=["url", "error"]))
    []
    """
    settings = scores.attrs.get("psdata", {}).get("settings")
    if settings is None:
        found: Sequence[dict[str, Any] | None] = [None] * len(scores)
        missing = (
            "This frame carries no psdata settings (an older psdata, or a file without its"
            " metadata), so its audits could not be looked up"
        )
    else:
        found = stored_details(scores, cache_dir=cache_dir)
        missing = (
            f"The result store {store_of(scores, cache_dir=cache_dir)} holds no details for"
            " this row (cleared, or the store is on another machine)"
        )
    categories = list((settings or {}).get("categories") or CATEGORIES)
    return [
        build_lhr(_plain_record(record), details, categories=categories, missing=missing)
        for (_, record), details in zip(scores.iterrows(), found, strict=True)
    ]


def _plain_record(record: pd.Series) -> dict[str, Any]:
    """A frame row as plain Python values (``None`` for NA)."""
    return {
        str(name): None if not isinstance(value, list | dict) and pd.isna(value) else value
        for name, value in record.items()
    }


def build_lhr(
    record: Mapping[str, Any],
    details: Mapping[str, Any] | None,
    *,
    categories: Sequence[str] = CATEGORIES,
    missing: str = "No details were stored for this row",
) -> LighthouseResult:
    """The LHR of one row (*record*: its columns) with its stored *details*.

    >>> lhr = build_lhr({"url": "https://a.test/", "strategy": "mobile",
    ...                  "error": "The document returned HTTP 404", "error_type": "http"}, None)
    >>> lhr["runtimeError"]["code"], lhr["categories"]["seo"]["score"]
    ('PSDATA_HTTP', None)
    """
    if record.get("engine") == "psi" and details and details.get("lhr"):
        return LighthouseResult(details["lhr"])
    lhr = LighthouseResult(_envelope(record, categories))
    if record.get("error"):
        _add_failure(lhr, record, categories)
    elif details is None:
        _add_row_scores(lhr, record, missing)
    else:
        _add_categories(lhr, record, details)
    return lhr


def _envelope(record: Mapping[str, Any], categories: Sequence[str]) -> dict[str, Any]:
    """What every LHR says about the run: URLs, time, settings, environment."""
    facts = lighthouse_facts()
    strategy = record.get("strategy") or "mobile"
    preset = facts["presets"][strategy]
    url = record.get("url") or ""
    final_url = record.get("final_url") or url
    return {
        "lighthouseVersion": f"{LIGHTHOUSE_VERSION}+psdata.{__version__}",
        "requestedUrl": url,
        "mainDocumentUrl": final_url,
        "finalDisplayedUrl": final_url,
        "finalUrl": final_url,
        "fetchTime": _fetch_time(record.get("started_at")),
        "gatherMode": "navigation",
        "runWarnings": split_warnings(record.get("warnings")),
        "userAgent": "",
        "environment": {
            "networkUserAgent": preset["emulatedUserAgent"],
            "hostUserAgent": "",
            "benchmarkIndex": 0,
            "credits": {},
        },
        "audits": {},
        "configSettings": {
            "output": ["html"],
            "locale": "en-US",
            "channel": "psdata",
            "formFactor": strategy,
            "throttlingMethod": record.get("throttling") or DEFAULT_THROTTLING,
            "throttling": preset["throttling"],
            "screenEmulation": preset["screenEmulation"],
            "emulatedUserAgent": preset["emulatedUserAgent"],
            "onlyCategories": [CATEGORY_IDS[name] for name in categories],
        },
        "categories": {},
        "categoryGroups": facts["categoryGroups"],
        "stackPacks": [],
        "timing": {"entries": [], "total": (record.get("duration_s") or 0) * 1000},
        "i18n": {"rendererFormattedStrings": {}, "icuMessagePaths": {}},
    }


def _fetch_time(started: Any) -> str:
    """Lighthouse's ``fetchTime`` (ISO 8601 in UTC) of a row's ``started_at`` (now if NA).

    >>> _fetch_time(pd.Timestamp("2026-12-05 09:50:59.888118", tz="UTC"))
    '2026-12-05T09:50:59.888Z'
    >>> _fetch_time("2026-12-05 10:50:59+01:00")  # read back from CSV
    '2026-12-05T09:50:59.000Z'
    """
    try:
        when = pd.Timestamp(started) if started is not None else pd.Timestamp.now(UTC)
    except ValueError:
        when = pd.Timestamp.now(UTC)
    when = when.tz_localize(UTC) if when.tzinfo is None else when.tz_convert(UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _add_failure(
    lhr: LighthouseResult, record: Mapping[str, Any], categories: Sequence[str]
) -> None:
    """A page psdata could not score, as Lighthouse reports a page it could not load."""
    facts = lighthouse_facts()
    message = f"psdata could not score this page: {record['error']}"
    lhr["runtimeError"] = {
        "code": f"PSDATA_{str(record.get('error_type') or 'error').upper()}",
        "message": message,
    }
    lhr["runWarnings"] = [message, *lhr["runWarnings"]]
    for name in categories:
        category_id = CATEGORY_IDS[name]
        refs = [ref for ref in facts["categories"][category_id]["auditRefs"] if ref["weight"] > 0]
        for ref in refs:
            lhr["audits"][ref["id"]] = {
                **_strings(ref["id"], None),
                "score": None,
                "scoreDisplayMode": ERROR,
                "errorMessage": message,
            }
        lhr["categories"][category_id] = _category(category_id, None, [_ref(r) for r in refs])


def _add_row_scores(lhr: LighthouseResult, record: Mapping[str, Any], missing: str) -> None:
    """A scored row without its details: its category scores, and why that is all."""
    metrics = ", ".join(f"{n} {record[n]:g}" for n in METRIC_AUDITS if record.get(n) is not None)
    lhr["runWarnings"].insert(
        0,
        f"{missing}: this report shows the row's category scores only"
        f"{'; its metrics: ' + metrics if metrics else ''}.",
    )
    for name in CATEGORIES:
        if record.get(name) is not None:
            category_id = CATEGORY_IDS[name]
            lhr["categories"][category_id] = _category(category_id, record[name] / 100, [])


def _add_categories(
    lhr: LighthouseResult, record: Mapping[str, Any], details: Mapping[str, Any]
) -> None:
    """Every stored category with its audits, in Lighthouse's order and groups."""
    facts = lighthouse_facts()
    stored: Mapping[str, Any] = details.get("categories") or {}
    for name in CATEGORIES:
        if name not in stored:
            continue
        category_id = CATEGORY_IDS[name]
        audits = {audit["id"]: audit for audit in stored[name].get("audits") or []}
        refs = []
        listed = facts["categories"][category_id]["auditRefs"]
        ordered = [(ref, audits.pop(ref["id"])) for ref in listed if ref["id"] in audits]
        ordered += [({"id": audit_id}, audit) for audit_id, audit in audits.items()]
        for ref, audit in ordered:  # Lighthouse's order, then audits its config lacks
            result = lhr["audits"].setdefault(ref["id"], lighthouse_audit(audit))
            counts = result["scoreDisplayMode"] not in UNWEIGHTED_MODES
            refs.append(_ref(ref, audit.get("weight") if counts else 0))
        score = record.get(name)
        lhr["categories"][category_id] = _category(
            category_id, None if score is None else score / 100, refs
        )


def _category(category_id: str, score: float | None, refs: list[dict[str, Any]]) -> dict[str, Any]:
    fact = lighthouse_facts()["categories"][category_id]
    strings = {key: fact[key] for key in ("description", "manualDescription") if fact.get(key)}
    return {
        "id": category_id,
        "title": fact["title"],
        **strings,
        "supportedModes": fact["supportedModes"],
        "score": score,
        "auditRefs": refs,
    }


def _ref(ref: Mapping[str, Any], weight: float | None = None) -> dict[str, Any]:
    """An ``auditRef``: id, weight (psdata's when given), group and metric acronym."""
    out = {"id": ref["id"], "weight": ref.get("weight", 0) if weight is None else weight}
    out.update({key: ref[key] for key in ("group", "acronym") if ref.get(key)})
    return out


def _strings(audit_id: str, score: float | None, fallback: str | None = None) -> dict[str, str]:
    """Lighthouse's en-US title (its failure title below a passing score) and description."""
    fact = lighthouse_facts()["audits"].get(audit_id, {})
    failing = score is not None and score < PASS_SCORE
    title = (fact.get("failureTitle") if failing else None) or fact.get("title") or fallback
    return {"id": audit_id, "title": title or audit_id, "description": fact.get("description", "")}


def lighthouse_audit(audit: Mapping[str, Any]) -> dict[str, Any]:
    """One of psdata's stored audits as a Lighthouse audit result.

    >>> lighthouse_audit({"id": "document-title", "score": 0.0, "display_mode": "binary",
    ...                   "details": [{"selector": "html", "snippet": "<html>"}]})["title"]
    "Document doesn't have a `<title>` element"
    >>> lighthouse_audit({"id": "total-blocking-time", "score": 0.95, "display_mode": "numeric",
    ...                   "details": [{"numericValue": 146.2}]})["displayValue"]
    '150\\xa0ms'
    """
    audit_id = str(audit["id"])
    mode = audit.get("display_mode") or BINARY
    score = audit.get("score") if mode in SCORED_MODES else None
    items = audit.get("details") or []
    explanation = audit.get("explanation")
    result: dict[str, Any] = {**_strings(audit_id, score, audit.get("title"))}
    if audit_id in _metric_ids():
        value = items[0].get("numericValue") if items else None
        if value is None:
            mode, score = ERROR, None
        else:
            result.update(_metric_value(audit_id, value))
    elif (table := details_table(items)) is not None:
        result["details"] = table
    result.update(score=score, scoreDisplayMode=mode)
    if mode == ERROR:
        result["errorMessage"] = explanation or "psdata could not decide this audit."
    elif explanation:
        result["explanation"] = explanation
    if audit.get("savings_ms") is not None:
        result.update(numericValue=audit["savings_ms"], numericUnit="millisecond")
    if audit.get("savings_bytes"):
        kib = math.floor(audit["savings_bytes"] / 1024 + 0.5)
        result["displayValue"] = f"Potential savings of {kib:,}{_NBSP}KiB"
    if audit.get("metric_savings"):
        result["metricSavings"] = dict(audit["metric_savings"])
    return result


def _metric_ids() -> frozenset[str]:
    """The performance metrics' audit ids (Lighthouse's ``metrics`` group)."""
    refs = lighthouse_facts()["categories"]["performance"]["auditRefs"]
    return frozenset(ref["id"] for ref in refs if ref.get("group") == "metrics")


def _metric_value(audit_id: str, value: float) -> dict[str, Any]:
    """A metric's value and its display as Lighthouse writes it (``2.2 s``, ``150 ms``).

    >>> _metric_value("speed-index", 2182.96)["displayValue"]
    '2.2\\xa0s'
    >>> _metric_value("cumulative-layout-shift", 0.000751)["displayValue"]
    '0.001'
    """
    unit = METRIC_UNITS.get(audit_id, "s")
    if unit == "unitless":
        shown = f"{value:,.3f}".rstrip("0").rstrip(".")
    elif unit == "ms":
        shown = f"{math.floor(value / 10 + 0.5) * 10:,}{_NBSP}ms"
    else:
        shown = f"{math.floor(value / 100 + 0.5) / 10:,.1f}{_NBSP}s"
    return {
        "numericValue": value,
        "numericUnit": "unitless" if unit == "unitless" else "millisecond",
        "displayValue": shown,
    }
