"""The outcome of :func:`psdata.check` for people and CI systems: text, Markdown, JUnit XML.

Every format lists the failed ``error`` assertions and the failed ``warn`` ones, page by
page, and what could not be checked (``passed`` NA) with the reason; passed assertions
are only counted.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from .._errors import ConfigurationError

FORMATS = ("text", "markdown", "junit")


def check_report(checks: pd.DataFrame, format: str = "text") -> str:
    """Write :func:`psdata.check`'s result as ``text``, ``markdown`` or ``junit`` XML.

    ``text`` suits a terminal or a CI log, ``markdown`` a CI job summary (GitHub's
    ``$GITHUB_STEP_SUMMARY``), ``junit`` the test report CI systems read: one test
    suite per page, one test case per assertion, failed ``error`` assertions as
    failures, failed ``warn`` ones as passes with a warning in ``system-out``, and
    unmeasured ones as skipped.

    Examples
    --------
    >>> checks = psdata.check(scores, "lighthouserc.json")  # doctest: +SKIP
    >>> print(psdata.check_report(checks))  # doctest: +SKIP
    psdata check: 1 page, 3 assertions: 1 passed, 1 failed (error), 1 warning, 0 not measured
    <BLANKLINE>
    https://example.com/ (mobile)
      error  categories:performance minScore >= 0.9: found 0.72 (optimistic of 1 run)
      warn   uses-long-cache-ttl maxLength <= 0: found 1 (optimistic of 1 run)
    """
    writers = {"text": _text, "markdown": _markdown, "junit": _junit}
    if format not in writers:
        raise ConfigurationError(f"format must be one of {', '.join(FORMATS)}, not {format!r}.")
    return writers[format](checks)


def error_failures(checks: pd.DataFrame) -> int:
    """How many ``error`` assertions failed (the CLI exits 1 when there is one).

    >>> error_failures(psdata.check(scores, "lighthouserc.json"))  # doctest: +SKIP
    1
    """
    return int((checks["passed"].eq(False) & checks["level"].eq("error")).sum())


def _counts(checks: pd.DataFrame) -> dict[str, int]:
    failed = checks["passed"].eq(False)
    return {
        "pages": len(checks[["url", "strategy"]].drop_duplicates()),
        "assertions": len(checks),
        "passed": int(checks["passed"].eq(True).sum()),
        "errors": error_failures(checks),
        "warnings": int((failed & checks["level"].eq("warn")).sum()),
        "not measured": int(checks["passed"].isna().sum()),
    }


def _headline(checks: pd.DataFrame) -> str:
    n = _counts(checks)
    pages = f"{n['pages']} page{'s' if n['pages'] != 1 else ''}"
    return (
        f"psdata check: {pages}, {n['assertions']} assertions: {n['passed']} passed,"
        f" {n['errors']} failed (error), {n['warnings']} warning"
        f"{'s' if n['warnings'] != 1 else ''}, {n['not measured']} not measured"
    )


def _pages(checks: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """(title, that page's rows) for each page, in the frame's order."""
    for (url, strategy), rows in checks.groupby(["url", "strategy"], sort=False, observed=True):
        yield f"{url} ({strategy})", rows


def _finding(row: Mapping[Any, Any]) -> str:
    """``key check op bound: found value (method of n runs)``, and the reason if no value."""
    nothing = math.isnan(row["actual"])
    found = "nothing" if nothing else f"{row['actual']:g}"
    runs = f"{row['aggregation']} of {_runs(row['runs'])}"
    text = (
        f"{row['key']} {row['assertion']} {row['operator']} {row['expected']:g}:"
        f" found {found} ({runs})"
    )
    reason = _reason(row)
    return f"{text}: {reason}" if reason else text


def _reason(row: Mapping[Any, Any]) -> str:
    """The message when it says more than the numbers: why there is no value."""
    no_value = math.isnan(row["actual"]) or row["assertion"] == "auditRan"
    return str(row["message"]) if no_value else ""


def _runs(count: int) -> str:
    return f"{count} run{'s' if count != 1 else ''}"


def _failed(rows: pd.DataFrame) -> pd.DataFrame:
    """The failed assertions, errors first."""
    failed = rows[rows["passed"].eq(False)]
    order = failed["level"].astype(str).map({"error": 0, "warn": 1})
    return failed.iloc[order.argsort(kind="stable")]


def _unmeasured(rows: pd.DataFrame) -> dict[str, list[str]]:
    """Reason → the keys it left unjudged."""
    reasons: dict[str, list[str]] = {}
    for row in rows[rows["passed"].isna()].to_dict("records"):
        keys = reasons.setdefault(str(row["message"]), [])
        if row["key"] not in keys:
            keys.append(str(row["key"]))
    return reasons


def _text(checks: pd.DataFrame) -> str:
    lines = [_headline(checks)]
    for title, rows in _pages(checks):
        failed, unmeasured = _failed(rows), _unmeasured(rows)
        if failed.empty and not unmeasured:
            continue
        lines += ["", title]
        lines += [f"  {row['level']:<6} {_finding(row)}" for row in failed.to_dict("records")]
        for why, keys in unmeasured.items():
            lines.append(f"  {'n/a':<6} {why}: {', '.join(keys)}")
    return "\n".join(lines) + "\n"


def _markdown(checks: pd.DataFrame) -> str:
    n = _counts(checks)
    mark = "❌" if n["errors"] else "⚠️" if n["warnings"] else "✅"
    lines = [
        f"## {mark} {_headline(checks)}",
        "",
        "| " + " | ".join(n) + " |",
        "|" + "---:|" * len(n),
        "| " + " | ".join(str(v) for v in n.values()) + " |",
    ]
    for title, rows in _pages(checks):
        failed, unmeasured = _failed(rows), _unmeasured(rows)
        if failed.empty and not unmeasured:
            continue
        lines += ["", f"### {_cell(title)}", ""]
        if not failed.empty:
            lines += ["| level | assertion | expected | found | aggregation | why |"]
            lines += ["|---|---|---|---|---|---|"]
            for row in failed.to_dict("records"):
                found = "—" if math.isnan(row["actual"]) else f"{row['actual']:g}"
                lines.append(
                    f"| {'❌ error' if row['level'] == 'error' else '⚠️ warn'} | `{row['key']}`"
                    f" {row['assertion']} | {_cell(row['operator'])} {row['expected']:g}"
                    f" | {found} | {row['aggregation']} of {_runs(row['runs'])}"
                    f" | {_cell(_reason(row))} |"
                )
        if unmeasured:
            count = sum(len(keys) for keys in unmeasured.values())
            lines += ["", f"<details><summary>{count} not measured</summary>", ""]
            for why, keys in unmeasured.items():
                lines.append(f"- {_cell(why)}: {', '.join(f'`{key}`' for key in keys)}")
            lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    """Text safe inside a Markdown table cell."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _junit(checks: pd.DataFrame) -> str:
    n = _counts(checks)
    root = ET.Element(
        "testsuites",
        name="psdata check",
        tests=str(n["assertions"]),
        failures=str(n["errors"]),
        skipped=str(n["not measured"]),
    )
    for title, rows in _pages(checks):
        suite = ET.SubElement(
            root,
            "testsuite",
            name=title,
            tests=str(len(rows)),
            failures=str(error_failures(rows)),
            skipped=str(int(rows["passed"].isna().sum())),
        )
        for row in rows.to_dict("records"):
            name = f"{row['key']} {row['assertion']} [{row['level']}]"
            case = ET.SubElement(suite, "testcase", classname=title, name=name)
            if pd.isna(row["passed"]):
                ET.SubElement(case, "skipped", message=str(row["message"]))
            elif not row["passed"] and row["level"] == "error":
                failure = ET.SubElement(case, "failure", message=_finding(row), type="assertion")
                failure.text = f"{_finding(row)}\nvalues: {row['values']}\nsource: {row['source']}"
            elif not row["passed"]:
                ET.SubElement(case, "system-out").text = f"warning: {_finding(row)}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
