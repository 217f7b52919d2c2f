"""Page URLs from a site's sitemaps: robots.txt, sitemap indexes, gzip, XML / text / RSS / Atom.

The formats are parsed by ultimate-sitemap-parser (``usp.tree.sitemap_from_str``: XML
sitemaps and indexes, Google News and image sitemaps, plain text, RSS 2.0, Atom 0.3/1.0)
and robots.txt's ``Sitemap:`` lines by the standard library's ``urllib.robotparser``.
psdata fetches every document itself and hands the library the bytes, so its limits hold
whatever the library does:

* one ``httpx.Client`` in the caller's thread (never psdata's loop thread), sending
  ``user_agent``; each connection and read waits at most what is left of ``timeout``
  (the whole call's budget), and a download stops when the budget is spent;
* requests go to the site's own host only (a leading ``www.`` aside), redirects included:
  a sitemap listed on another host is skipped without a request;
* a document is read up to ``max_bytes``, gzip (``.gz`` files or ``Content-Encoding``)
  decompressed up to ``max_bytes`` too, so a gzip bomb stops there;
* one pass of the standard library's expat over an XML document finds its root element,
  whether it is well-formed, and where its entries (``<url>``, ``<item>``, ``<entry>``)
  reach the URL budget left: the library parses that much and no more, so time and
  memory grow with ``max_urls``, not with the document (a 60,000-URL sitemap read with
  ``max_urls=1000`` parses 1,000 entries);
* at most ``max_sitemaps`` documents are read (robots.txt aside), each once: an index
  that lists itself or an ancestor is a loop, reported and not followed.

Each problem is a :class:`~psdata.SitemapWarning` naming its sitemap, and a row of
``frame.attrs["psdata"]["sitemaps"]``; the URLs found elsewhere are kept. Only when no
URL at all is found does :func:`sitemap_urls` raise :class:`~psdata.SitemapError`.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
import xml.parsers.expat
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
import pandas as pd

from ._errors import ConfigurationError, SitemapError, SitemapWarning
from ._urls import normalize_url
from ._version import __version__
from .analysis.templates import url_templates

DEFAULT_MAX_URLS = 50_000
DEFAULT_MAX_SITEMAPS = 200
#: The sitemaps protocol's size limit of one sitemap, uncompressed (sitemaps.org).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_USER_AGENT = f"psdata/{__version__}"
MAX_REDIRECTS = 5
#: Where a site without a usable robots.txt keeps its sitemap by convention.
FALLBACK_SITEMAP = "/sitemap.xml"

#: Root elements of the XML formats the library reads, and what to call them.
XML_ROOTS = {"urlset": "sitemap", "sitemapindex": "index", "rss": "RSS feed", "feed": "Atom feed"}
#: Elements that hold one page: a sitemap's <url>, an RSS <item>, an Atom <entry>.
ENTRY_ELEMENTS = frozenset({"url", "item", "entry"})
_GZIP_MAGIC = b"\x1f\x8b"
#: Loggers of ultimate-sitemap-parser: its records about documents psdata parses are held
#: back (psdata reports those problems itself, once per sitemap).
USP_LOGGERS = ("usp.fetch_parse", "usp.helpers", "usp.tree", "usp.objects.sitemap")


class _Skip(Exception):
    """A document that gives nothing: the message says why (a warning)."""


@dataclass
class _Document:
    """A fetched document (gunzipped): its bytes, and why it is incomplete, if it is."""

    data: bytes
    cut: str | None = None

    def is_xml(self) -> bool:
        """Whether the document is XML (the library's test: it starts with ``<``)."""
        return self.data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")

    def text(self, end: int | None = None) -> str:
        """The document (up to byte *end*) as text: UTF-8, as the protocol requires."""
        return self.data[:end].decode("utf-8-sig", errors="replace")


@dataclass
class _Scan:
    """What one expat pass over an XML document found."""

    root: str | None = None
    entries: int = 0
    #: Byte offset just after the entry that reached the budget, and the tags it leaves open.
    cut_at: int | None = None
    closing: str = ""
    error: str | None = None


@dataclass
class _Report:
    """One line of ``frame.attrs["psdata"]["sitemaps"]``."""

    sitemap: str
    kind: str
    urls: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sitemap": self.sitemap,
            "kind": self.kind,
            "urls": self.urls,
            "warning": "; ".join(self.warnings) or None,
        }


class _Quiet(logging.Filter):
    """Drops the library's log records while this thread parses a document for psdata."""

    def __init__(self) -> None:
        super().__init__()
        self.parsing = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(self.parsing, "active", False)

    @contextmanager
    def active(self) -> Iterator[None]:
        self.parsing.active = True
        try:
            yield
        finally:
            self.parsing.active = False


_QUIET = _Quiet()
for _name in USP_LOGGERS:
    logging.getLogger(_name).addFilter(_QUIET)


def _site(url: str) -> str:
    """The host a URL belongs to, for the same-site rule (``www.`` is the same site).

    >>> _site("https://WWW.example.com:8443/a"), _site("http://example.com")
    ('example.com', 'example.com')
    """
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _count(n: int, one: str, many: str) -> str:
    """*n* and the noun that goes with it.

    >>> _count(1, "entry", "entries"), _count(1200, "entry", "entries")
    ('1 entry', '1,200 entries')
    """
    return f"{n:,} {one if n == 1 else many}"


def _inflate(data: bytes, limit: int) -> tuple[bytes, bool]:
    """Gunzip *data* (gzip or zlib), at most *limit* bytes out; whether it was cut.

    >>> import gzip
    >>> _inflate(gzip.compress(b"x" * 10), 4)
    (b'xxxx', True)
    """
    inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header, detected
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise _Skip(f"is not valid gzip ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        return out[:limit], True
    return out, False


def _scan_xml(data: bytes, budget: int) -> _Scan:
    """One expat pass: the root element, well-formedness, where entry *budget* ends.

    DOCTYPE and entity declarations are refused, as the library refuses them (they are
    how XML bombs and external entities come in).

    >>> doc = b"<urlset><url><loc>a</loc></url><url><loc>b</loc></url></urlset>"
    >>> scan = _scan_xml(doc, 1)
    >>> scan.root, scan.entries, doc[: scan.cut_at] + scan.closing.encode()
    ('urlset', 1, b'<urlset><url><loc>a</loc></url></urlset>')
    """
    scan = _Scan()
    parser = xml.parsers.expat.ParserCreate()
    stack: list[str] = []

    class Reached(Exception):
        pass

    def start(name: str, attrs: Any) -> None:
        if scan.root is None:
            scan.root = name.rpartition(":")[2]
        stack.append(name)

    def end(name: str) -> None:
        stack.pop()
        if name.rpartition(":")[2] in ENTRY_ELEMENTS and len(stack) <= 2:
            scan.entries += 1
            if scan.entries >= budget:
                scan.cut_at = data.index(b">", parser.CurrentByteIndex) + 1
                scan.closing = "".join(f"</{open_tag}>" for open_tag in reversed(stack))
                raise Reached

    def refuse(*args: Any) -> None:
        raise ValueError("it declares a DOCTYPE or entities (an HTML page?)")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except Reached:
        pass
    except xml.parsers.expat.ExpatError as exc:
        scan.error = f"invalid XML ({exc})"
    except ValueError as exc:
        scan.error = str(exc)
    return scan


def _lastmod(page: Any) -> Any:
    """A page's modification time: its sitemap ``<lastmod>``, or its feed date."""
    if page.last_modified is not None:
        return page.last_modified
    story = page.news_story
    return story.publish_date if story is not None else None


class _Reader:
    """One call of :func:`sitemap_urls`: the queue of documents, the budgets, the rows."""

    def __init__(
        self,
        start: str,
        *,
        max_urls: int,
        max_sitemaps: int,
        max_bytes: int,
        timeout: float,
        user_agent: str,
    ) -> None:
        self.site = _site(start)
        self.max_urls, self.max_sitemaps, self.max_bytes = max_urls, max_sitemaps, max_bytes
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip"},
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            event_hooks={"request": [self._same_site]},
        )
        self.rows: dict[str, tuple[Any, str]] = {}  # url → (lastmod, sitemap), first seen
        self.reports: list[_Report] = []
        self.read: set[str] = set()
        self.queue: deque[tuple[str, str | None]] = deque()  # (sitemap, listed by)

    def _same_site(self, request: httpx.Request) -> None:
        """Refuse any request (a redirect too) to another host than the site's."""
        if _site(str(request.url)) != self.site:
            raise _Skip(f"is on another host ({request.url.host}), not {self.site}")

    def run(self, start: str) -> None:
        """Read robots.txt (for a site) or the sitemap *start*, then every sitemap listed."""
        with self.client:
            path = urlsplit(start).path
            if path in ("", "/") or path.endswith("/robots.txt"):
                self._robots(urljoin(start, "/robots.txt"))
            else:
                self.queue.append((start, None))
            while self.queue:
                if self._budget_spent():
                    break
                self._sitemap(*self.queue.popleft())

    def _budget_spent(self) -> bool:
        """Whether a limit stops the reading; the sitemaps left are reported once."""
        unread = [url for url, _ in self.queue]
        reason = None
        if len(self.rows) >= self.max_urls:
            reason = f"max_urls={self.max_urls:,} reached"
        elif len(self.read) >= self.max_sitemaps:
            reason = f"max_sitemaps={self.max_sitemaps:,} read"
        elif time.monotonic() >= self.deadline:
            reason = f"timeout={self.timeout:g} s spent"
        if reason is None:
            return False
        report = _Report(unread[0], "unread")
        report.warnings.append(
            f"{reason}: {_count(len(unread), 'sitemap', 'sitemaps')} not read, from this one on"
        )
        self.reports.append(report)
        return True

    def _robots(self, url: str) -> None:
        """The sitemaps robots.txt lists, or /sitemap.xml when it lists none."""
        report = _Report(url, "robots.txt")
        self.reports.append(report)
        listed: list[str] = []
        try:
            robots = RobotFileParser(url)
            robots.parse(self._fetch(url).text().splitlines())
            listed = [urljoin(url, line) for line in robots.site_maps() or []]
            if not listed:
                report.warnings.append("lists no Sitemap: line")
        except _Skip as exc:
            report.warnings.append(str(exc))
        if not listed:
            fallback = urljoin(url, FALLBACK_SITEMAP)
            report.warnings[-1] += f"; trying {fallback}"
            listed = [fallback]
        self.queue.extend((sitemap, url) for sitemap in dict.fromkeys(listed))

    def _sitemap(self, url: str, listed_by: str | None) -> None:
        """Read one sitemap: its pages become rows, the sitemaps it lists join the queue."""
        key = url.partition("#")[0]
        report = _Report(url, "unread")
        self.reports.append(report)
        if key in self.read:
            report.warnings.append(
                f"listed again by {listed_by}: already read (a loop or a duplicate)"
            )
            return
        self.read.add(key)
        try:
            self._parse(self._fetch(url), report)
        except _Skip as exc:
            report.warnings.append(str(exc))

    def _parse(self, document: _Document, report: _Report) -> None:
        """Hand the library the part of *document* within the URL budget; keep its pages."""
        from usp.objects.sitemap import AbstractIndexSitemap, InvalidSitemap
        from usp.tree import sitemap_from_str

        budget = self.max_urls - len(self.rows)
        text, entries, problem = "", 0, document.cut
        if document.is_xml():
            scan = _scan_xml(document.data, budget)
            if scan.root not in XML_ROOTS:
                raise _Skip(f"is not a sitemap ({scan.error or f'root element <{scan.root}>'})")
            report.kind = XML_ROOTS[scan.root]
            entries = scan.entries
            if scan.cut_at is not None:
                text, problem = document.text(scan.cut_at) + scan.closing, None
                report.warnings.append(
                    f"max_urls={self.max_urls:,} reached: read its first {entries:,} entries"
                )
            else:
                text = document.text()
                if scan.error and not document.cut:
                    problem = scan.error
        else:
            lines = [line for line in document.text().splitlines() if line.strip()][:budget]
            report.kind, entries, text = "text sitemap", len(lines), "\n".join(lines)
        with _QUIET.active():
            parsed = sitemap_from_str(text)
        if isinstance(parsed, InvalidSitemap):
            raise _Skip(f"could not be parsed ({parsed.reason})")
        if isinstance(parsed, AbstractIndexSitemap):
            self.queue.extend((child.url, report.sitemap) for child in parsed.sub_sitemaps)
        pages = parsed.pages
        self._keep(pages, report)
        unusable = entries - len(pages)
        if unusable > 0:
            report.warnings.append(
                f"{_count(unusable, 'entry', 'entries')} without a usable http(s) URL"
                " (or repeated) left out"
            )
        if problem:  # a cut or an error: what came before it is kept
            report.warnings.append(
                f"{problem}; kept the {_count(report.urls, 'URL', 'URLs')} read before it"
            )

    def _keep(self, pages: list[Any], report: _Report) -> None:
        """The pages of the site's host become rows (first sitemap wins for a repeat)."""
        elsewhere = 0
        for page in pages:
            if _site(page.url) != self.site:
                elsewhere += 1
            elif page.url not in self.rows and len(self.rows) < self.max_urls:
                self.rows[page.url] = (_lastmod(page), report.sitemap)
                report.urls += 1
        if elsewhere:
            report.warnings.append(
                f"{_count(elsewhere, 'URL', 'URLs')} on other hosts than {self.site} left out"
            )

    def _fetch(self, url: str) -> _Document:
        """GET *url* within the limits: bytes up to ``max_bytes``, gunzipped, as text."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _Skip(f"not read: timeout={self.timeout:g} s spent")
        raw, cut = bytearray(), None
        try:
            with self.client.stream("GET", url, timeout=remaining) as response:
                if response.status_code >= 400:
                    raise _Skip(f"answered HTTP {response.status_code}")
                encoding = response.headers.get("content-encoding", "identity").lower()
                if encoding not in ("identity", "gzip", "x-gzip"):
                    raise _Skip(f"came with an unsupported Content-Encoding: {encoding}")
                for chunk in response.iter_raw():
                    raw += chunk
                    if len(raw) > self.max_bytes:
                        del raw[self.max_bytes :]
                        cut = f"cut at max_bytes={self.max_bytes:,}"
                        break
                    if time.monotonic() > self.deadline:
                        cut = f"cut after {len(raw):,} bytes: timeout={self.timeout:g} s spent"
                        break
        except httpx.TimeoutException:
            if not raw:
                raise _Skip(f"timed out (timeout={self.timeout:g} s for the whole call)") from None
            cut = f"cut after {len(raw):,} bytes: timed out"
        except httpx.HTTPError as exc:
            if not raw:
                raise _Skip(f"could not be fetched ({type(exc).__name__}: {exc})") from None
            cut = f"cut after {len(raw):,} bytes ({type(exc).__name__})"
        data = bytes(raw)
        if encoding != "identity":  # Content-Encoding: gzip
            data, over = _inflate(data, self.max_bytes)
            cut = f"cut at max_bytes={self.max_bytes:,} once gunzipped" if over else cut
        if data.startswith(_GZIP_MAGIC):  # a .gz file
            data, over = _inflate(data, self.max_bytes)
            cut = f"cut at max_bytes={self.max_bytes:,} once gunzipped" if over else cut
        return _Document(data, cut)

    def frame(self) -> pd.DataFrame:
        """The rows as a frame, with the sitemaps' report in ``attrs``."""
        urls = list(self.rows)
        lastmod = pd.to_datetime(
            pd.Series([self.rows[u][0] for u in urls], dtype=object), utc=True, errors="coerce"
        )
        frame = pd.DataFrame(
            {
                "url": pd.array(urls, dtype="string"),
                "lastmod": lastmod.astype("datetime64[ns, UTC]"),
                "sitemap": pd.array([self.rows[u][1] for u in urls], dtype="string"),
            }
        )
        frame["template"] = url_templates(frame["url"])
        frame.attrs["psdata"] = {"sitemaps": [report.as_dict() for report in self.reports]}
        return frame


def _check_limits(max_urls: int, max_sitemaps: int, max_bytes: int, timeout: float) -> None:
    for name, value in (
        ("max_urls", max_urls),
        ("max_sitemaps", max_sitemaps),
        ("max_bytes", max_bytes),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(f"{name} must be a positive integer, got {value!r}.")
    if not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}.")


def sitemap_urls(
    site_or_sitemap: str,
    *,
    max_urls: int = DEFAULT_MAX_URLS,
    max_sitemaps: int = DEFAULT_MAX_SITEMAPS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT_S,
    user_agent: str = DEFAULT_USER_AGENT,
) -> pd.DataFrame:
    """The page URLs a site's sitemaps list, with their route template.

    Needs the ``sitemaps`` extra (``pip install 'psdata[sitemaps]'``: it brings
    ultimate-sitemap-parser, GPL-3.0-or-later). See ``docs/sitemaps.md``.

    Parameters
    ----------
    site_or_sitemap : str
        A site (``https://example.com``: its robots.txt's ``Sitemap:`` lines are read,
        or ``/sitemap.xml`` when there are none), a robots.txt URL, or one sitemap's URL
        (XML sitemap or index, gzipped or not, plain text, RSS or Atom).
    max_urls : int
        Stop once this many page URLs are found.
    max_sitemaps : int
        Read at most this many sitemaps (robots.txt not counted).
    max_bytes : int
        Read at most this many bytes of one sitemap, and as many once gunzipped
        (default: the protocol's 50 MB); the URLs before the cut are kept.
    timeout : float
        Seconds for the whole call; what is found by then is kept.
    user_agent : str
        The ``User-Agent`` header of every request.

    Returns
    -------
    DataFrame
        One row per URL (first sitemap wins): ``url``, ``lastmod`` (UTC, NaT when the
        sitemap gives none), ``sitemap`` (where it was found) and ``template`` (see
        :func:`url_templates`). ``attrs["psdata"]["sitemaps"]`` lists each document
        read or skipped with its URL count and warning.

    Raises
    ------
    SitemapError
        When no URL was found at all (the message gives each sitemap's problem). A
        problem with one sitemap is a :class:`SitemapWarning` instead.

    Examples
    --------
    >>> urls = psdata.sitemap_urls("https://example.com")  # doctest: +SKIP
    >>> urls.template.value_counts().head(3)  # doctest: +SKIP
    template
    /product/{slug}          18204
    /blog/{year}/{month}/{slug}  1630
    /category/{slug}           212
    """
    _check_limits(max_urls, max_sitemaps, max_bytes, timeout)
    start = normalize_url(site_or_sitemap)
    try:
        import usp.tree  # noqa: F401  (the parser: an optional dependency)
    except ImportError:
        raise ConfigurationError(
            "sitemap_urls needs ultimate-sitemap-parser: pip install 'psdata[sitemaps]'."
        ) from None
    reader = _Reader(
        start,
        max_urls=max_urls,
        max_sitemaps=max_sitemaps,
        max_bytes=max_bytes,
        timeout=timeout,
        user_agent=user_agent,
    )
    reader.run(start)
    for report in reader.reports:
        for message in report.warnings:
            warnings.warn(f"{report.sitemap}: {message}", SitemapWarning, stacklevel=2)
    frame = reader.frame()
    if frame.empty:
        problems = [
            f"{report.sitemap}: {'; '.join(report.warnings) or 'no URL'}"
            for report in reader.reports
        ]
        raise SitemapError(f"No page URL found for {start}:\n  " + "\n  ".join(problems))
    return frame
