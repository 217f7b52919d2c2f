"""Route templates of URLs, and a sample of URLs per template.

A site of 20,000 pages has a handful of page types (product, category, article); a
URL's *template* is its path with the variable segments replaced by placeholders, so
``/product/123-blue-shoe`` and ``/product/98-red-hat`` share ``/product/{slug}``.

Rules, per path segment (percent-decoded to be tested, kept as written otherwise); the
first that matches wins:

==========================================  ===============  ==========================
segment                                     becomes          examples
==========================================  ===============  ==========================
empty (a trailing slash)                    kept             ``/blog/``
first segment: a language, or language and  ``{locale}``     ``en``, ``fr-ca``,
region; second too after a locale or a                       ``pt_BR``, ``zh-hant-tw``,
two-letter country                                           ``/us/en/``, ``/intl/en_uk/``
a year (1990–2099) followed by a month      ``{year}``,      ``/2024/05/17/``,
(01–12 or its English name), and a day      ``{month}``,     ``/2024/may/17/``
(01–31) if one follows                      ``{day}``
a date                                      ``{date}``       ``2024-05-17``, ``2024-05``
a UUID                                      ``{uuid}``       ``3f2b…-…-…``
digits (``-``, ``_`` or ``.`` between)      ``{id}``         ``12345``, ``123-456``
hexadecimal, 8+ characters, digits and      ``{hash}``       ``5f3a9c1e``,
letters                                                      ``d41d8cd98f00b204``
letters and digits, 6+ characters, no       ``{id}``         ``B08N5WRWNW``,
separator                                                    ``dQw4w9WgXcQ``, ``p12345``
words joined by ``-``, ``_``, ``+`` or      ``{slug}``       ``123-blue-shoe``,
spaces                                                       ``how-to-cook``,
                                                             ``Albert_Einstein``
anything else (one word)                    kept             ``products``, ``blog``
==========================================  ===============  ==========================

A file extension stays (``123.html`` → ``{id}.html``, ``blue-shoe.html`` →
``{slug}.html``). Of the query string only the keys stay, sorted
(``/search?q=shoes&page=2`` → ``/search?page&q``); host and fragment are dropped.

Over a set of URLs (:func:`url_templates`) one more rule applies: a one-word last
segment becomes ``{slug}`` when URLs of the same depth under the same parent template
(not the root) have a ``{slug}`` there, so ``/wiki/Python`` joins ``/wiki/Albert_Einstein``
in ``/wiki/{slug}``. Top-level pages (``/about``, ``/blog``) are left as they are.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np
import pandas as pd

from .._errors import ConfigurationError

#: ISO 639-1 languages sites use as locale folders (two-letter English words such as
#: "my", "me", "is", "to", "so", "or", "am", "an", "as" left out: they are paths too).
# fmt: off
LANGUAGES = frozenset({
    "af", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
    "es", "et", "eu", "fa", "fi", "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "hy",
    "id", "it", "ja", "ka", "kk", "km", "kn", "ko", "lo", "lt", "lv", "mk", "ml", "mn",
    "mr", "ms", "mt", "nb", "ne", "nl", "nn", "no", "pa", "pl", "pt", "ro", "ru", "si",
    "sk", "sl", "sq", "sr", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "uz",
    "vi", "zh"
})
MONTHS = frozenset({
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december"
})
# fmt: on

_LOCALE = re.compile(r"([a-z]{2})((?:[-_](?:[a-z]{4}|[a-z]{2}|\d{3}))*)", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_DATE = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?")
_NUMBER = re.compile(r"\d+(?:[-_.]\d+)*")
_HEX = re.compile(r"[0-9a-f]{8,}", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]{6,}")
_SEPARATOR = re.compile(r"[-_+ ]")
_EXTENSION = re.compile(r"[A-Za-z][A-Za-z0-9]{0,4}")
_DIGIT, _LETTER = re.compile(r"\d"), re.compile(r"[^\W\d_]")


def _locale(segment: str, *, region_needed: bool = False) -> bool:
    """Whether *segment* is a language code, with a region or script if any.

    >>> _locale("en"), _locale("pt_BR"), _locale("zh-hant-tw"), _locale("my"), _locale("xx-yy")
    (True, True, True, False, False)
    """
    match = _LOCALE.fullmatch(segment)
    if match is None or match.group(1).lower() not in LANGUAGES:
        return False
    return bool(match.group(2)) or not region_needed


def _split_extension(segment: str) -> tuple[str, str]:
    """*segment* as its stem and its file extension (with the dot), if it has one.

    >>> _split_extension("blue-shoe.html"), _split_extension("1.2.3")
    (('blue-shoe', '.html'), ('1.2.3', ''))
    """
    stem, dot, extension = segment.rpartition(".")
    if dot and stem and _EXTENSION.fullmatch(extension):
        return stem, dot + extension
    return segment, ""


def _placeholder(stem: str) -> str | None:
    """The placeholder of one segment's stem (percent-decoded), or None for a literal.

    >>> [_placeholder(s) for s in ("123-blue-shoe", "98", "B08N5WRWNW", "5f3a9c1e", "shoes")]
    ['{slug}', '{id}', '{id}', '{hash}', None]
    """
    if _UUID.fullmatch(stem):
        return "{uuid}"
    if _DATE.fullmatch(stem):
        return "{date}"
    if _NUMBER.fullmatch(stem):
        return "{id}"
    if _HEX.fullmatch(stem) and _DIGIT.search(stem) and _LETTER.search(stem):
        return "{hash}"
    if _TOKEN.fullmatch(stem) and _DIGIT.search(stem) and _LETTER.search(stem):
        return "{id}"
    if _SEPARATOR.search(stem) and _LETTER.search(stem):
        return "{slug}"
    return None


def _dates(segments: list[str]) -> dict[int, str]:
    """Placeholders of the year/month[/day] runs in a path's segments, by position.

    >>> _dates(["news", "2024", "may", "17", "slug"])
    {1: '{year}', 2: '{month}', 3: '{day}'}
    """
    found: dict[int, str] = {}
    for i, segment in enumerate(segments[:-1]):
        month = segments[i + 1].lower()
        is_year = len(segment) == 4 and segment.isdigit() and 1990 <= int(segment) <= 2099
        is_month = month in MONTHS or (
            month.isdigit() and len(month) <= 2 and 1 <= int(month) <= 12
        )
        if is_year and is_month and i not in found:
            found[i], found[i + 1] = "{year}", "{month}"
            day = segments[i + 2] if i + 2 < len(segments) else ""
            if day.isdigit() and len(day) <= 2 and 1 <= int(day) <= 31:
                found[i + 2] = "{day}"
    return found


def _segment_templates(raw: list[str]) -> list[str]:
    """The template of each segment of a path, as written (the per-segment rules)."""
    decoded = [unquote(segment) for segment in raw]
    dates, locales = _dates(decoded), _locales(decoded)
    templates = []
    for i, (segment, text) in enumerate(zip(raw, decoded, strict=True)):
        if not text:
            templates.append(segment)
        elif i in dates:
            templates.append(dates[i])
        elif i in locales:
            templates.append("{locale}")
        else:
            stem, extension = _split_extension(text)
            placeholder = _placeholder(stem)
            templates.append(segment if placeholder is None else placeholder + extension)
    return templates


def _locales(decoded: list[str]) -> set[int]:
    """Positions of the locale segments: the first, if a locale; the second, after a
    locale or a two-letter country (both then are), or if a language-region code.

    >>> _locales(["en-gb", "news"]), _locales(["us", "en", "p"]), _locales(["intl", "en_uk"])
    ({0}, {0, 1}, {1})
    """
    first, second = [*decoded, "", ""][:2]
    found = {0} if _locale(first) else set()
    country = len(first) == 2 and first.isalpha()
    if second and _locale(second, region_needed=not (found or country)):
        found |= {0, 1} if country else {1}
    return found


def _route(url: str) -> tuple[list[str], list[str], str]:
    """A URL's path segments as written, their templates, and its query keys' part."""
    parts = urlsplit(url)
    raw = (parts.path or "/").removeprefix("/").split("/")
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return raw, _segment_templates(raw), "?" + "&".join(keys) if keys else ""


def url_templates(urls: Any) -> pd.Series:
    """The route template of each URL: the per-segment rules, then the sibling rule.

    See ``docs/sitemaps.md`` (and this module's docstring) for the rules.

    Parameters
    ----------
    urls : Series, list or Index of str
        The URLs; missing values give a missing template.

    Returns
    -------
    Series
        Strings, with the index of *urls* when it is a Series.

    Examples
    --------
    >>> import psdata
    >>> psdata.url_templates([
    ...     "https://shop.example/product/123-blue-shoe?ref=home#reviews",
    ...     "https://news.example/en-gb/2024/05/17/markets-rally.html",
    ...     "https://w.example/wiki/Albert_Einstein",
    ...     "https://w.example/wiki/Python",
    ... ]).tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['/product/{slug}?ref', '/{locale}/{year}/{month}/{day}/{slug}.html',
     '/wiki/{slug}', '/wiki/{slug}']
    """
    series = urls if isinstance(urls, pd.Series) else pd.Series(list(urls), dtype=object)
    routes = [_route(url) if isinstance(url, str) else None for url in series]
    slugged = set()  # what the leaves with a {slug} share with their siblings
    for route in routes:
        leaf = None if route is None else _leaf(route[1])
        if route is not None and leaf is not None and route[1][leaf].startswith("{slug}"):
            slugged.add(_siblings(route[1], leaf))
    templates: list[str | None] = []
    for route in routes:
        if route is None:
            templates.append(None)
            continue
        raw, segments, query = route
        leaf = _leaf(segments)
        if (
            leaf is not None
            and segments[leaf] == raw[leaf]
            and _siblings(segments, leaf) in slugged
        ):
            segments[leaf] = "{slug}" + _split_extension(unquote(raw[leaf]))[1]
        templates.append("/" + "/".join(segments) + query)
    return pd.Series(templates, index=series.index, dtype="string")


def _leaf(segments: list[str]) -> int | None:
    """Position of the last non-empty segment, unless it is a top-level page's (nothing
    but locales before it)."""
    filled = [i for i, segment in enumerate(segments) if segment]
    if not filled or all(segment == "{locale}" for segment in segments[: filled[-1]]):
        return None
    return filled[-1]


def _siblings(segments: list[str], leaf: int) -> tuple[str, ...]:
    """What a leaf's siblings share: the templates before it and the trailing part."""
    return (*segments[:leaf], "|", *segments[leaf + 1 :])


def sample(urls: Any, *, per_template: int, seed: int | None = 0) -> pd.DataFrame:
    """Pick *per_template* URLs of each route template, most recently modified first.

    Within a template, URLs with a ``lastmod`` come first, newest first; the others (and
    ties) follow in a random order drawn from *seed*, so the same input and seed give
    the same sample.

    Parameters
    ----------
    urls : DataFrame, Series or list
        The frame :func:`sitemap_urls` returns (``url``, ``template`` and, if present,
        ``lastmod`` are used; other columns are kept), or plain URLs (their templates are
        found with :func:`url_templates`).
    per_template : int
        URLs to keep per template (all of a template's when it has fewer).
    seed : int or None
        Seed of the random order; None draws a new sample each time.

    Returns
    -------
    DataFrame
        The rows picked (with their original index), grouped by template in order of
        first appearance.

    Examples
    --------
    >>> import psdata
    >>> urls = ["https://s.example/p/1-a", "https://s.example/p/2-b", "https://s.example/about"]
    >>> psdata.sample(urls, per_template=1)["template"].tolist()
    ['/p/{slug}', '/about']
    """
    if isinstance(per_template, bool) or not isinstance(per_template, int) or per_template < 1:
        raise ConfigurationError(f"per_template must be a positive integer, got {per_template!r}.")
    frame = _url_frame(urls)
    if "template" not in frame.columns:
        frame = frame.assign(template=url_templates(frame["url"]))
    rng = np.random.default_rng(seed)
    tie_break = rng.permutation(len(frame))
    if "lastmod" in frame.columns:
        stamps = pd.DatetimeIndex(pd.to_datetime(frame["lastmod"], utc=True, errors="coerce"))
        recency = np.where(stamps.isna(), np.inf, -stamps.asi8.astype(float))
    else:
        recency = np.zeros(len(frame))
    groups = pd.factorize(frame["template"].astype(object).fillna(""))[0]
    order = np.lexsort((tie_break, recency, groups))
    picked = frame.iloc[order]
    rank = picked.groupby(groups[order], sort=False).cumcount().to_numpy()
    return picked[rank < per_template]


def _url_frame(urls: Any) -> pd.DataFrame:
    """*urls* as a frame with a ``url`` column (a frame is taken as it is)."""
    if isinstance(urls, pd.DataFrame):
        if "url" not in urls.columns:
            raise ConfigurationError("sample needs a 'url' column (as sitemap_urls returns).")
        return urls
    if isinstance(urls, str):
        urls = [urls]
    series = urls if isinstance(urls, pd.Series) else pd.Series(list(urls), dtype=object)
    return pd.DataFrame({"url": series.astype("string")})
