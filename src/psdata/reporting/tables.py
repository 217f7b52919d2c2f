"""psdata's audit items as Lighthouse's ``details`` tables, for its report renderer.

psdata's audits list their items as flat dicts keyed the way Lighthouse keys its table
items (``url``, ``totalBytes``, ``wastedBytes``, ``node``...). Lighthouse's renderer also
needs a ``headings`` entry per column: its value type (how a value is drawn: bytes as
KiB, ``node`` as an element snippet...) and label. The labels are Lighthouse's en-US
column strings (``lighthouse-facts.json``); a key Lighthouse has no column for keeps
its own name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .assets import lighthouse_facts

_I18N = "core/lib/i18n/i18n.js | "
#: Item key → (Lighthouse value type, Lighthouse's en-US column string id).
COLUMNS: Mapping[str, tuple[str, str]] = {
    "node": ("node", _I18N + "columnElement"),
    "url": ("url", _I18N + "columnURL"),
    "source": ("text", _I18N + "columnSource"),
    "description": ("text", _I18N + "columnDescription"),
    "name": ("text", _I18N + "columnName"),
    "totalBytes": ("bytes", _I18N + "columnTransferSize"),
    "transferSize": ("bytes", _I18N + "columnTransferSize"),
    "wastedBytes": ("bytes", _I18N + "columnWastedBytes"),
    "wastedMs": ("timespanMs", _I18N + "columnWastedMs"),
    "cacheLifetimeMs": ("ms", _I18N + "columnCacheTTL"),
    "responseTime": ("timespanMs", _I18N + "columnTimeSpent"),
    "duration": ("ms", _I18N + "columnDuration"),
    "startTime": ("ms", _I18N + "columnStartTime"),
    "startMs": ("ms", _I18N + "columnStartTime"),
    "total": ("ms", "core/audits/bootup-time.js | columnTotal"),
    "scripting": ("ms", "core/audits/bootup-time.js | columnScriptEval"),
    "scriptParseCompile": ("ms", "core/audits/bootup-time.js | columnScriptParse"),
    "groupLabel": ("text", "core/audits/mainthread-work-breakdown.js | columnCategory"),
    "statistic": ("text", "core/audits/dobetterweb/dom-size.js | columnStatistic"),
    "value": ("numeric", "core/audits/dobetterweb/dom-size.js | columnValue"),
    "directive": ("code", "core/audits/csp-xss.js | columnDirective"),
    "severity": ("text", "core/audits/csp-xss.js | columnSeverity"),
    "displayedSize": ("text", "core/audits/image-size-responsive.js | columnDisplayed"),
    "actualSize": ("text", "core/audits/image-size-responsive.js | columnActual"),
    "expectedSize": ("text", "core/audits/image-size-responsive.js | columnExpected"),
    "displayedAspectRatio": ("text", "core/audits/image-aspect-ratio.js | columnDisplayed"),
    "actualAspectRatio": ("text", "core/audits/image-aspect-ratio.js | columnActual"),
    "issueType": ("text", "core/audits/dobetterweb/inspector-issues.js | columnIssueType"),
    "entity": ("text", "core/audits/third-party-summary.js | columnThirdParty"),
    "line": ("numeric", "core/audits/deprecations.js | columnLine"),
    "score": ("numeric", "core/audits/layout-shifts.js | columnScore"),
    "phase": ("text", "core/audits/largest-contentful-paint-element.js | columnPhase"),
    "timing": ("ms", "core/audits/largest-contentful-paint-element.js | columnTiming"),
    "percent": ("text", "core/audits/largest-contentful-paint-element.js | columnPercentOfLCP"),
}
#: Keys Lighthouse keeps in its items without showing them.
HIDDEN = frozenset(
    {"wastedPercent", "wastedWebpBytes", "cacheHitProbability", "group", "fromProtocol"}
)


def details_table(items: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Lighthouse ``details`` for psdata's *items* (``None`` when there are none).

    A table, or a list of two tables when the items end with an LCP ``phases`` breakdown
    (as Lighthouse's ``largest-contentful-paint-element`` audit shows it).

    >>> table = details_table([{"url": "https://a.test/x.js", "wastedBytes": 2048}])
    >>> [(h["key"], h["valueType"], h["label"]) for h in table["headings"]]
    [('url', 'url', 'URL'), ('wastedBytes', 'bytes', 'Potential Savings')]
    >>> details_table([{"selector": "img", "snippet": "<img>", "url": "a.png"}])["items"]
    [{'node': {'type': 'node', 'nodeLabel': 'img', 'selector': 'img', 'snippet': '<img>'}, \
'url': 'a.png'}]
    """
    rows = [_as_row(item) for item in items if isinstance(item, Mapping) and "phases" not in item]
    phases = [item["phases"] for item in items if isinstance(item, Mapping) and "phases" in item]
    tables = [_table(rows)] if rows else []
    if phases and isinstance(phases[0], Mapping):
        tables.append(_table(_phase_rows(phases[0])))
    if not tables:
        return None
    return tables[0] if len(tables) == 1 else {"type": "list", "items": tables}


def _as_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """One table item: nodes marked as Lighthouse's ``node`` values."""
    row = {key: _value(value) for key, value in item.items()}
    if "node" not in row and isinstance(item.get("selector"), str) and "snippet" in item:
        node = {key: row.pop(key) for key in _NODE_KEYS if row.get(key) is not None}
        row = {"node": _value(node), **row}
    return row


#: Keys of an item that describe its element (accessibility items list them flat).
_NODE_KEYS = ("selector", "snippet", "explanation")


def _value(value: Any) -> Any:
    if isinstance(value, Mapping) and "selector" in value:
        return {"type": "node", "nodeLabel": value.get("selector"), **value}
    return value


def _phase_rows(phases: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The LCP phases (name → milliseconds) as rows with their share of the total."""
    timed = {name: ms for name, ms in phases.items() if isinstance(ms, int | float)}
    total = sum(timed.values())
    return [
        {"phase": name, "timing": ms, "percent": f"{ms / total:.0%}" if total else "0%"}
        for name, ms in timed.items()
    ]


def _table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = list(dict.fromkeys(key for row in rows for key in row))
    headings = [h for key in keys if (h := _heading(key, rows)) is not None]
    return {"type": "table", "headings": headings, "items": rows}


def _heading(key: str, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The column of *key*: Lighthouse's when it has one, else from its values."""
    if key in HIDDEN:
        return None
    labels: Mapping[str, str] = lighthouse_facts()["columns"]
    if key in COLUMNS:
        value_type, label_id = COLUMNS[key]
        return {"key": key, "valueType": value_type, "label": labels[label_id]}
    values = [row[key] for row in rows if row.get(key) is not None]
    if not values or isinstance(values[0], bool):
        return None
    if isinstance(values[0], dict) and values[0].get("type") == "node":
        value_type = "node"
    elif isinstance(values[0], int | float):
        value_type = "ms" if key.endswith("Ms") else "numeric"
    elif isinstance(values[0], str):
        value_type = "text"
    else:
        return None
    return {"key": key, "valueType": value_type, "label": _words(key)}


def _words(key: str) -> str:
    """A camelCase key as words: ``endMs`` → ``End ms``.

    >>> _words("endMs"), _words("url")
    ('End ms', 'Url')
    """
    words = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", key).lower()
    return words[:1].upper() + words[1:]
