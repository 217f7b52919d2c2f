"""Reading assertions: a lighthouserc file or dict, presets, ``assertMatrix``, budget.json.

Everything is checked when it is read, so a bad file fails before anything is judged,
with a :class:`~psdata.ConfigurationError` that names the place: an unknown key or
option, a level or aggregation method that does not exist, a ``minScore`` over 1, a
regular expression that does not compile, a budget with an unknown resource type.

Forms and meanings are Lighthouse CI's (``ci.assert`` of a lighthouserc, version
:data:`~psdata.analysis.lhci_presets.LHCI_VERSION`):

- ``assertions``: key → ``level`` or ``[level, options]``. A key is an audit id,
  ``categories:<id>``, ``resource-summary:<type>:size|count`` or
  ``user-timings:<name>`` (``.`` works as well as ``:``). Levels: ``off``, ``warn``,
  ``error``. Options: ``minScore`` (0–1), ``maxNumericValue``, ``maxLength``,
  ``aggregationMethod``. An audit assertion without a ``max…`` option checks
  ``minScore: 0.9``.
- ``preset``: one of :data:`~psdata.analysis.lhci_presets.PRESETS`; the block's own
  assertions are merged into it entry by entry (Lighthouse CI's deep merge).
- ``aggregationMethod``: the block's default (``optimistic`` when none is given).
- ``matchingUrlPattern``: a regular expression searched in the final URL.
- ``assertMatrix``: a list of such blocks; every block whose pattern matches applies.
- ``budgetsFile`` (path relative to the lighthouserc file), or a budget.json itself:
  Lighthouse budgets, turned into one block per budget as Lighthouse CI turns them
  (timings → ``maxNumericValue`` on the metric audit, counts and sizes →
  ``resource-summary``, sizes in KiB).

psdata adds two options and one key, which Lighthouse CI ignores:

- ``thirdParty: false`` on a ``resource-summary`` assertion, or an audit assertion
  with ``maxLength``, leaves out requests and items of other sites than the page's;
- ``patterns``: a list of ``{"matchingUrlPattern", "assertions"}`` blocks whose
  assertions add to or replace (key by key; ``off`` removes) the block's own for the
  pages whose final URL matches, instead of replacing all of them as ``assertMatrix``
  does.

>>> plan = load_assertions({"preset": "lighthouse:all",
...                         "assertions": {"categories:performance": ["error", {"minScore": 0.8}]},
...                         "patterns": [{"matchingUrlPattern": "/blog/",
...                                       "assertions": {"dom-size": "off"}}]})
>>> plan[0].entries["categories:performance"].min_score
0.8
>>> plan[0].resolve(["https://example.com/blog/1"])["dom-size"] is None
True
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import ConfigurationError
from .._lighthouse import CATEGORY_IDS
from .lhci_presets import PRESETS

LEVELS = ("off", "warn", "error")
AGGREGATIONS = ("median", "optimistic", "pessimistic", "median-run")
#: Lighthouse CI's default when neither the assertion nor its block names a method.
DEFAULT_AGGREGATION = "optimistic"
#: The score an audit assertion checks when it has no ``max…`` option (Lighthouse CI's).
DEFAULT_MIN_SCORE = 0.9
#: The category ids an assertion may name: Lighthouse's, and ``pwa`` (gone from
#: Lighthouse 12, so never measured, but Lighthouse CI's presets still name it).
ASSERTABLE_CATEGORIES = (*CATEGORY_IDS.values(), "pwa")
#: Lighthouse's resource types (``resource-summary`` rows, budget.json).
RESOURCE_TYPES = (
    "total", "document", "script", "stylesheet", "image", "media", "font", "other", "third-party",
)  # fmt: skip
#: The metrics a budget.json ``timings`` entry may name (Lighthouse's budget rules).
BUDGET_METRICS = (
    "first-contentful-paint", "interactive", "first-meaningful-paint", "max-potential-fid",
    "total-blocking-time", "speed-index", "largest-contentful-paint", "cumulative-layout-shift",
)  # fmt: skip

_OPTIONS = ("minScore", "maxNumericValue", "maxLength", "aggregationMethod", "thirdParty")
_BLOCK_KEYS = ("preset", "assertions", "aggregationMethod", "matchingUrlPattern", "patterns")
#: Lighthouse CI command-line options that mean nothing for a frame: accepted, unused.
_IGNORED_KEYS = ("includePassedAssertions", "lhr")
_BUDGET_KEYS = ("path", "options", "resourceSizes", "resourceCounts", "timings")


@dataclass(frozen=True)
class Assertion:
    """One assertion, read and checked: what it looks at and the bounds it sets.

    ``kind`` is ``audit``, ``category``, ``resource-summary`` or ``user-timing``;
    ``target`` the audit id, category id, resource type or user timing name;
    ``measure`` ``size`` or ``count`` for a resource summary. ``third_party`` is
    ``None`` when the assertion leaves it to :func:`psdata.check`'s default.
    """

    key: str
    kind: str
    target: str
    level: str
    aggregation: str
    source: str
    measure: str | None = None
    min_score: float | None = None
    max_numeric_value: float | None = None
    max_length: float | None = None
    third_party: bool | None = None

    def bounds(self) -> list[tuple[str, float]]:
        """``(check, bound)`` in Lighthouse CI's order: maxLength, maxNumericValue, minScore.

        >>> Assertion("dom-size", "audit", "dom-size", "warn", "median", "x",
        ...           max_length=0, min_score=0.5).bounds()
        [('maxLength', 0), ('minScore', 0.5)]
        """
        checks = [
            ("maxLength", self.max_length),
            ("maxNumericValue", self.max_numeric_value),
            ("minScore", self.min_score),
        ]
        return [(name, bound) for name, bound in checks if bound is not None]


@dataclass(frozen=True)
class Override:
    """A psdata pattern block: entries that replace the base block's for matching pages."""

    source: str
    pattern: re.Pattern[str]
    entries: Mapping[str, Assertion | None]


@dataclass(frozen=True)
class Block:
    """One set of assertions: the top level, an ``assertMatrix`` entry or a budget.

    ``entries`` maps each key to its assertion, or ``None`` where it is ``off``.
    """

    source: str
    pattern: re.Pattern[str] | None
    entries: Mapping[str, Assertion | None]
    overrides: Sequence[Override] = field(default_factory=tuple)

    def matches(self, final_url: str) -> bool:
        """Whether the block applies to a page with this final URL (``search``, as JS ``test``).

        >>> Block("x", re.compile("/blog/"), {}).matches("https://a.org/blog/1")
        True
        """
        return self.pattern is None or self.pattern.search(final_url) is not None

    def resolve(self, final_urls: Iterable[str]) -> dict[str, Assertion | None]:
        """The entries for a page: the block's, then each matching pattern block's on top."""
        urls = list(final_urls)
        entries = dict(self.entries)
        for override in self.overrides:
            if any(override.pattern.search(url) for url in urls):
                entries.update(override.entries)
        return entries


def load_assertions(source: str | os.PathLike[str] | Mapping[str, Any] | list[Any]) -> list[Block]:
    """Read assertions from a lighthouserc / budget.json file or the parsed object itself.

    Parameters
    ----------
    source : path, dict or list
        A lighthouserc file (``.json``, or ``.yaml``/``.yml`` with PyYAML installed),
        a budget.json file, a lighthouserc dict (``{"ci": {"assert": ...}}``), its
        ``assert`` dict, or a budget list.

    Returns
    -------
    list of Block
        The blocks to judge pages with, in order.

    Raises
    ------
    ConfigurationError
        The file cannot be read or parsed, or holds something Lighthouse CI or psdata
        does not know; the message names the place.

    Examples
    --------
    >>> [b.source for b in load_assertions([{"path": "/blog/*", "timings": [
    ...     {"metric": "interactive", "budget": 5000}]}])]
    ['budget[0] (path /blog/*)']
    """
    folder = Path.cwd()
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        data: Any = _read_file(path)
        folder = path.resolve().parent
    else:
        data = source
    if isinstance(data, list):
        return _budget_blocks(data)
    if not isinstance(data, Mapping):
        raise ConfigurationError(
            f"Assertions must be a JSON object or a budget list, not {data!r}."
        )
    if "ci" in data:
        data = (data["ci"] or {}).get("assert") if isinstance(data["ci"], Mapping) else None
        if not isinstance(data, Mapping):
            raise ConfigurationError("This lighthouserc has no ci.assert section.")
    return _assert_blocks(data, folder)


def merge(base: Any, extra: Any) -> Any:
    """Lighthouse CI's merge of *extra* into *base*: lists item by item, dicts key by key.

    Anything else, or a type mismatch, is *extra*. Neither argument is changed.

    >>> merge(["warn", {"maxLength": 0}], ["error", {"maxNumericValue": 9}])
    ['error', {'maxLength': 0, 'maxNumericValue': 9}]
    >>> merge(["warn", {}], "off")
    'off'
    """
    if isinstance(base, list) and isinstance(extra, list):
        longer = max(len(base), len(extra))
        return [
            merge(base[i] if i < len(base) else None, extra[i]) if i < len(extra) else base[i]
            for i in range(longer)
        ]
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = merge(base.get(key), value)
        return merged
    return extra


def kebab(text: str, *, words_only: bool = False) -> str:
    """Lighthouse CI's kebab-case: ``camelCase`` → ``camel-case``; *words_only* also turns
    every run of other characters than letters and digits into one ``-``.

    >>> kebab("maxPotentialFid"), kebab("My Mark:Start", words_only=True)
    ('max-potential-fid', 'my-mark-start')
    """
    text = re.sub(r"([a-z])([A-Z])", r"\1-\2", text)
    if words_only:
        text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return text.lower()


def _read_file(path: Path) -> Any:
    suffix = path.suffix.lower()
    if suffix in (".js", ".cjs", ".mjs"):
        raise ConfigurationError(
            f"{path} is JavaScript; psdata reads JSON or YAML (export the object to a .json file)."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if suffix in (".yaml", ".yml"):
        try:
            import yaml  # PyYAML: the dask extra brings it (dask depends on it)
        except ImportError:
            raise ConfigurationError(
                f"Reading {path} needs PyYAML (pip install pyyaml), or write it as JSON."
            ) from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigurationError(f"{path} is not valid YAML: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None


def _assert_blocks(data: Mapping[str, Any], folder: Path) -> list[Block]:
    if "assertMatrix" in data:
        mixed = sorted(set(data) & {*_BLOCK_KEYS, "budgetsFile"})
        if mixed:
            raise ConfigurationError(
                f"assertMatrix cannot be combined with {', '.join(mixed)} (as in Lighthouse CI);"
                " psdata's 'patterns' add per-URL assertions to a base set instead."
            )
        _check_keys(data, ("assertMatrix", *_IGNORED_KEYS), "ci.assert")
        matrix = data["assertMatrix"]
        if not isinstance(matrix, list) or not matrix:
            raise ConfigurationError("assertMatrix must be a non-empty list of assertion blocks.")
        return [_block(entry, f"assertMatrix[{i}]") for i, entry in enumerate(matrix)]
    if "budgetsFile" in data:
        mixed = sorted(set(data) & set(_BLOCK_KEYS))
        if mixed:
            raise ConfigurationError(
                f"budgetsFile cannot be combined with {', '.join(mixed)} (as in Lighthouse CI)."
            )
        _check_keys(data, ("budgetsFile", *_IGNORED_KEYS), "ci.assert")
        budgets = _read_file(folder / str(data["budgetsFile"]))
        if not isinstance(budgets, list):
            raise ConfigurationError("A budgets file must hold a list of budgets.")
        return _budget_blocks(budgets)
    if not set(data) & {"preset", "assertions"}:
        raise ConfigurationError(
            "No assertions to use: give assertions, a preset, assertMatrix or budgetsFile."
        )
    return [_block(data, "assertions")]


def _block(raw: Any, where: str) -> Block:
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{where} must be an object, not {raw!r}.")
    _check_keys(raw, (*_BLOCK_KEYS, *_IGNORED_KEYS), where)
    aggregation = _aggregation(raw.get("aggregationMethod"), where, DEFAULT_AGGREGATION)
    own = dict(_mapping(raw.get("assertions", {}), f"{where}.assertions"))
    merged, from_preset = own, where
    preset = raw.get("preset")
    if preset is not None:
        if preset not in PRESETS:
            raise ConfigurationError(
                f"{where}: unknown preset {preset!r}; choose one of {', '.join(PRESETS)}."
            )
        merged = merge(PRESETS[preset], own)
        from_preset = str(preset) if where == "assertions" else f"{where} {preset}"
    entries = {
        key: _assertion(key, value, aggregation, where if key in own else from_preset)
        for key, value in merged.items()
    }
    overrides = [
        _override(block, f"{where}.patterns[{i}]", aggregation)
        for i, block in enumerate(_list(raw.get("patterns", []), f"{where}.patterns"))
    ]
    return Block(where, _pattern(raw.get("matchingUrlPattern"), where), entries, tuple(overrides))


def _override(raw: Any, where: str, aggregation: str) -> Override:
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{where} must be an object, not {raw!r}.")
    _check_keys(raw, ("matchingUrlPattern", "assertions", "aggregationMethod"), where)
    pattern = _pattern(raw.get("matchingUrlPattern"), where)
    if pattern is None:
        raise ConfigurationError(f"{where} needs a matchingUrlPattern.")
    aggregation = _aggregation(raw.get("aggregationMethod"), where, aggregation)
    assertions = _mapping(raw.get("assertions"), f"{where}.assertions")
    entries = {key: _assertion(key, value, aggregation, where) for key, value in assertions.items()}
    return Override(where, pattern, entries)


def _assertion(key: str, value: Any, aggregation: str, where: str) -> Assertion | None:
    """One entry (``level`` or ``[level, options]``), checked; ``None`` when it is off."""
    place = f"{where}: {key!r}"
    kind, target, measure = _parse_key(key, place)
    if isinstance(value, list) and 1 <= len(value) <= 2:
        level, options = value[0], value[1] if len(value) == 2 else {}
    elif isinstance(value, str) or not value:
        level, options = value or "off", {}
    else:
        raise ConfigurationError(f"{place} must be a level or [level, options], not {value!r}.")
    if level not in LEVELS:
        raise ConfigurationError(
            f"{place}: level must be one of {', '.join(LEVELS)}, not {level!r}."
        )
    options = _mapping(options, f"{place} options")
    _check_keys(options, _OPTIONS, f"{place} options")
    bounds = {name: _number(options.get(name), f"{place} {name}") for name in _OPTIONS[:3]}
    min_score = bounds["minScore"]
    if min_score is not None and not 0 <= min_score <= 1:
        raise ConfigurationError(
            f"{place}: minScore is a Lighthouse score from 0 to 1 (psdata's 0-100 scores / 100),"
            f" not {min_score:g}."
        )
    third_party = options.get("thirdParty")
    if third_party is not None and not isinstance(third_party, bool):
        raise ConfigurationError(f"{place}: thirdParty must be true or false.")
    _check_fits(kind, bounds, third_party, place)
    if kind == "audit" and bounds["maxNumericValue"] is None and bounds["maxLength"] is None:
        min_score = DEFAULT_MIN_SCORE if min_score is None else min_score
    if kind == "category" and min_score is None:
        min_score = DEFAULT_MIN_SCORE
    if level == "off":
        return None
    return Assertion(
        key=key,
        kind=kind,
        target=target,
        measure=measure,
        level=level,
        aggregation=_aggregation(options.get("aggregationMethod"), place, aggregation),
        source=where,
        min_score=min_score,
        max_numeric_value=bounds["maxNumericValue"],
        max_length=bounds["maxLength"],
        third_party=third_party,
    )


def _parse_key(key: str, place: str) -> tuple[str, str, str | None]:
    """``(kind, target, measure)`` of an assertion key."""
    if not isinstance(key, str) or not key:
        raise ConfigurationError(f"{place}: an assertion key must be a non-empty string.")
    if kebab(key) != key:
        raise ConfigurationError(
            f"{place}: Lighthouse CI looks keys up in kebab-case and would silently skip this"
            f" one; write {kebab(key)!r}."
        )
    parts = [part for part in re.split(r"[.:]", key) if part]
    if not parts:
        raise ConfigurationError(f"{place}: not an assertion key.")
    head, *rest = parts
    if head == "categories":
        if len(rest) != 1 or rest[0] not in ASSERTABLE_CATEGORIES:
            raise ConfigurationError(
                f"{place}: write categories:<id> with one of {', '.join(ASSERTABLE_CATEGORIES)}."
            )
        return "category", rest[0], None
    if head == "resource-summary" and rest:
        if len(rest) != 2 or rest[0] not in RESOURCE_TYPES or rest[1] not in ("size", "count"):
            raise ConfigurationError(
                f"{place}: write resource-summary:<type>:size or :count, with a type among "
                f"{', '.join(RESOURCE_TYPES)}."
            )
        return "resource-summary", rest[0], rest[1]
    if head == "user-timings" and rest:
        return "user-timing", kebab("-".join(rest), words_only=True), None
    if head in ("performance-budget", "timing-budget"):
        raise ConfigurationError(
            f"{place}: Lighthouse 12 has no budget audits; give psdata the budget.json itself"
            " (--assertions budget.json, or budgetsFile)."
        )
    if rest:
        raise ConfigurationError(f"{place}: an audit key takes no ':' part.")
    return "audit", head, None


def _check_fits(
    kind: str, bounds: Mapping[str, float | None], third_party: bool | None, place: str
) -> None:
    """Refuse options that cannot mean anything for this kind of key."""
    given = {name for name, bound in bounds.items() if bound is not None}
    if kind == "category" and given - {"minScore"}:
        raise ConfigurationError(f"{place}: a category assertion takes minScore only.")
    if kind in ("resource-summary", "user-timing") and given != {"maxNumericValue"}:
        raise ConfigurationError(f"{place}: this key takes maxNumericValue (and nothing else).")
    if third_party is not None and not (
        kind == "resource-summary" or (kind == "audit" and "maxLength" in given)
    ):
        raise ConfigurationError(
            f"{place}: thirdParty applies to resource-summary values and to maxLength only."
        )


def _budget_blocks(budgets: list[Any]) -> list[Block]:
    """budget.json → one block per budget, as Lighthouse CI converts budgets."""
    if not budgets:
        raise ConfigurationError("The budget list is empty.")
    blocks = []
    for i, budget in enumerate(budgets):
        where = f"budget[{i}]"
        if not isinstance(budget, Mapping):
            raise ConfigurationError(f"{where} must be an object, not {budget!r}.")
        _check_keys(budget, _BUDGET_KEYS, where)
        path = _budget_path(budget.get("path"), where)
        options = _mapping(budget.get("options", {}), f"{where}.options")
        _check_keys(options, ("firstPartyHostnames",), f"{where}.options")
        entries: dict[str, Any] = {}
        for metric, limit in _budget_rows(budget, "timings", "metric", BUDGET_METRICS, where):
            entries[metric] = ["error", {"maxNumericValue": limit}]
        counts = _budget_rows(budget, "resourceCounts", "resourceType", RESOURCE_TYPES, where)
        for kind, limit in counts:
            entries[f"resource-summary:{kind}:count"] = ["error", {"maxNumericValue": limit}]
        sizes = _budget_rows(budget, "resourceSizes", "resourceType", RESOURCE_TYPES, where)
        for kind, limit in sizes:
            entries[f"resource-summary:{kind}:size"] = ["error", {"maxNumericValue": limit * 1024}]
        source = f"{where} (path {path or '/'})"
        blocks.append(
            Block(
                source,
                re.compile(_path_regex(path)),
                {
                    key: _assertion(key, value, DEFAULT_AGGREGATION, source)
                    for key, value in entries.items()
                },
            )
        )
    return blocks


def _budget_rows(
    budget: Mapping[str, Any], name: str, field_name: str, allowed: Sequence[str], where: str
) -> list[tuple[str, float]]:
    rows = _list(budget.get(name, []), f"{where}.{name}")
    seen: list[str] = []
    for j, row in enumerate(rows):
        place = f"{where}.{name}[{j}]"
        if not isinstance(row, Mapping):
            raise ConfigurationError(f"{place} must be an object.")
        _check_keys(row, (field_name, "budget"), place)
        value = row.get(field_name)
        if value not in allowed:
            raise ConfigurationError(
                f"{place}: unknown {field_name} {value!r}; choose one of {', '.join(allowed)}."
            )
        if value in seen:
            raise ConfigurationError(f"{where}.{name} names {value!r} twice.")
        seen.append(str(value))
        if _number(row.get("budget"), f"{place} budget") is None:
            raise ConfigurationError(f"{place} needs a numeric budget.")
    return [(row[field_name], float(row["budget"])) for row in rows]


def _budget_path(path: Any, where: str) -> str | None:
    """A budget's robots.txt-style ``path``, checked as Lighthouse checks it."""
    if path is None:
        return None
    problem = None
    if not isinstance(path, str) or not path.startswith("/"):
        problem = "it must be a string starting with '/'"
    elif path.count("*") > 1 or path.count("$") > 1:
        problem = "it may hold one '*' and one '$'"
    elif "$" in path and not path.endswith("$"):
        problem = "'$' may only end it"
    if problem:
        raise ConfigurationError(f"{where}: invalid path {path!r}: {problem}.")
    return str(path)


def _path_regex(path: str | None) -> str:
    """Lighthouse CI's regular expression for a budget path (``*``: anything)."""
    if not path or path == "/":
        return ".*"
    escaped = ".*".join(
        re.sub(r"([-\[\]{}()*+?.,\\^|#\s])", r"\\\1", part) for part in path.split("*")
    )
    return f"https?://[^/]+{escaped}"


def _pattern(value: Any, where: str) -> re.Pattern[str] | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"{where}: matchingUrlPattern must be a string.")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ConfigurationError(
            f"{where}: matchingUrlPattern {value!r} is not a valid regular expression: {exc}."
        ) from None


def _aggregation(value: Any, where: str, default: str) -> str:
    if value is None:
        return default
    if value not in AGGREGATIONS:
        raise ConfigurationError(
            f"{where}: aggregationMethod must be one of {', '.join(AGGREGATIONS)}, not {value!r}."
        )
    return str(value)


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigurationError(f"{where} must be a finite number, not {value!r}.")
    return value


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where} must be an object, not {value!r}.")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigurationError(f"{where} must be a list, not {value!r}.")
    return value


def _check_keys(data: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    unknown = [key for key in data if key not in allowed]
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown {'key' if len(unknown) == 1 else 'keys'} "
            f"{', '.join(map(repr, unknown))}; allowed: {', '.join(allowed)}."
        )
