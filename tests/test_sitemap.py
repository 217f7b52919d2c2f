"""psdata.sitemap_urls against a real server on 127.0.0.1: robots.txt with two sitemaps, an
index with a gzipped, a text, an Atom and a broken sitemap and itself, an RSS feed, sites
with no robots.txt or no sitemap, loops, other hosts, a 60,000-URL sitemap, a gzip bomb
and a slow server. Every file is generated into a temporary folder by the test."""

from __future__ import annotations

import gzip
import logging
import sys
import threading
import time
import tracemalloc
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

import psdata
from psdata._loop import get_loop_thread
from psdata.cli import main
from psdata.demo.server import ServedSite, serve_directory

URLSET = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
INDEX = '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def urlset(*entries: tuple[str, str | None]) -> str:
    """An XML sitemap of (url, lastmod or None) entries."""
    rows = "".join(
        f"<url><loc>{url}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>\n"
        for url, lastmod in entries
    )
    return URLSET + rows + "</urlset>\n"


def index(*sitemaps: str) -> str:
    """A sitemap index of *sitemaps*."""
    rows = "".join(f"<sitemap><loc>{url}</loc></sitemap>\n" for url in sitemaps)
    return INDEX + rows + "</sitemapindex>\n"


def write(site: ServedSite, files: dict[str, str | bytes]) -> None:
    """Write *files* under the served folder (``{base}`` becomes the site's base URL)."""
    for name, content in files.items():
        path = site.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content.replace("{base}", site.base_url), encoding="utf-8")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedSite]:
    """An empty folder served on 127.0.0.1; the test writes its files."""
    folder = tmp_path / "site"
    folder.mkdir()
    with serve_directory(folder) as site:
        yield site


@pytest.fixture
def shop(served: ServedSite) -> ServedSite:
    """robots.txt with two sitemaps: an index (a gzipped sitemap, a text sitemap, an Atom
    feed, a broken sitemap, itself and one on another host) and an RSS feed."""
    products = urlset(
        ("{base}/product/1-blue-shoe", "2024-05-01"),
        ("{base}/product/2-red-hat", "2024-06-01T10:00:00+02:00"),
        ("{base}/product/3-green-scarf", None),
    )
    write(
        served,
        {
            "robots.txt": "User-agent: *\nDisallow: /cart\n\n"
            "Sitemap: {base}/sitemap_index.xml\nSitemap: {base}/feeds/news.rss\n",
            "sitemap_index.xml": index(
                "{base}/sitemaps/products.xml.gz",
                "{base}/sitemaps/blog.txt",
                "{base}/feeds/guides.atom",
                "{base}/sitemaps/broken.xml",
                "{base}/sitemap_index.xml",
                "http://other-host.invalid/sitemap.xml",
            ),
            "sitemaps/products.xml.gz": gzip.compress(
                products.replace("{base}", served.base_url).encode()
            ),
            "sitemaps/blog.txt": "{base}/blog/2024/05/hello-world\n"
            "{base}/blog/2024/06/second-post\n\nnot a url\n",
            "sitemaps/broken.xml": URLSET
            + "<url><loc>{base}/category/shoes-and-boots</loc></url>\n"
            "<url><loc>{base}/category/summer-hats</loc></url>\n<url><loc>{base}/category/x",
            "feeds/news.rss": '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
            "<item><title>One</title><link>{base}/news/1041</link>"
            "<pubDate>Tue, 04 Jun 2024 09:00:00 GMT</pubDate></item>"
            "<item><title>Two</title><link>{base}/news/1042</link></item></channel></rss>",
            "feeds/guides.atom": '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Guides</title><entry><title>Sizes</title>"
            '<link href="{base}/guides/shoe-sizes"/><updated>2024-03-02T00:00:00Z</updated>'
            "</entry></feed>",
        },
    )
    return served


def read(source: str, **limits: object) -> tuple[pd.DataFrame, list[str]]:
    """sitemap_urls' frame and its SitemapWarning messages."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = psdata.sitemap_urls(source, **limits)  # type: ignore[arg-type]
    return frame, [str(w.message) for w in caught if w.category is psdata.SitemapWarning]


def test_a_site_is_read_through_robots_txt_and_every_format(
    shop: ServedSite, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        frame, messages = read(shop.base_url)
    # The parser's own log lines (it logs the broken sitemap as an error) are held back:
    # each problem is reported once, as a warning.
    assert not [record for record in caplog.records if record.name.startswith("usp")]
    base = shop.base_url
    assert list(frame.columns) == ["url", "lastmod", "sitemap", "template"]
    assert str(frame.dtypes["lastmod"]) == "datetime64[ns, UTC]"
    found = dict(zip(frame.url, frame.sitemap, strict=True))
    assert found == {
        f"{base}/product/1-blue-shoe": f"{base}/sitemaps/products.xml.gz",
        f"{base}/product/2-red-hat": f"{base}/sitemaps/products.xml.gz",
        f"{base}/product/3-green-scarf": f"{base}/sitemaps/products.xml.gz",
        f"{base}/blog/2024/05/hello-world": f"{base}/sitemaps/blog.txt",
        f"{base}/blog/2024/06/second-post": f"{base}/sitemaps/blog.txt",
        f"{base}/guides/shoe-sizes": f"{base}/feeds/guides.atom",
        f"{base}/category/shoes-and-boots": f"{base}/sitemaps/broken.xml",
        f"{base}/category/summer-hats": f"{base}/sitemaps/broken.xml",
        f"{base}/news/1041": f"{base}/feeds/news.rss",
        f"{base}/news/1042": f"{base}/feeds/news.rss",
    }
    assert frame.template.value_counts().to_dict() == {
        "/product/{slug}": 3,
        "/blog/{year}/{month}/{slug}": 2,
        "/category/{slug}": 2,
        "/news/{id}": 2,
        "/guides/{slug}": 1,
    }
    lastmod = frame.set_index("url").lastmod
    assert lastmod[f"{base}/product/2-red-hat"] == pd.Timestamp("2024-06-01T08:00:00Z")
    assert lastmod[f"{base}/news/1041"] == pd.Timestamp("2024-06-04T09:00:00Z")
    assert pd.isna(lastmod[f"{base}/product/3-green-scarf"])
    kinds = {r["sitemap"].removeprefix(base): r["kind"] for r in frame.attrs["psdata"]["sitemaps"]}
    assert kinds["/robots.txt"] == "robots.txt"
    assert kinds["/sitemaps/products.xml.gz"] == "sitemap"
    assert kinds["/sitemaps/blog.txt"] == "text sitemap"
    assert kinds["/feeds/news.rss"] == "RSS feed"
    assert kinds["/feeds/guides.atom"] == "Atom feed"
    # Each problem is a warning naming its sitemap; the URLs found elsewhere are kept.
    assert any(
        m.startswith(f"{base}/sitemaps/broken.xml: invalid XML (no element found: line 5")
        and m.endswith("; kept the 2 URLs read before it")
        for m in messages
    ), messages
    assert any(
        m.startswith(f"{base}/sitemap_index.xml: listed again by {base}/sitemap_index.xml")
        for m in messages
    )
    assert any("other-host.invalid" in m and "another host" in m for m in messages)
    assert any(m.startswith(f"{base}/sitemaps/blog.txt: 1 entry without") for m in messages)


def test_no_robots_txt_falls_back_to_sitemap_xml(served: ServedSite) -> None:
    write(served, {"sitemap.xml": urlset(("{base}/a-page", None))})
    frame, messages = read(served.base_url)
    assert frame.url.tolist() == [f"{served.base_url}/a-page"]
    assert messages == [
        f"{served.base_url}/robots.txt: answered HTTP 404; trying {served.base_url}/sitemap.xml"
    ]


def test_robots_txt_without_sitemap_lines_falls_back_too(served: ServedSite) -> None:
    write(
        served,
        {"robots.txt": "User-agent: *\nDisallow:\n", "sitemap.xml": urlset(("{base}/x", None))},
    )
    frame, messages = read(served.base_url)
    assert frame.url.tolist() == [f"{served.base_url}/x"]
    assert "lists no Sitemap: line" in messages[0]


def test_no_sitemap_at_all_is_an_error_that_says_why(served: ServedSite) -> None:
    with pytest.raises(psdata.SitemapError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        psdata.sitemap_urls(served.base_url)
    message = str(caught.value)
    assert "No page URL found" in message
    assert f"{served.base_url}/robots.txt: answered HTTP 404" in message
    assert f"{served.base_url}/sitemap.xml: answered HTTP 404" in message


def test_an_html_page_is_not_a_sitemap(served: ServedSite) -> None:
    write(served, {"page.html": "<!doctype html><html><body><a href='/x'>x</a></body></html>"})
    with pytest.raises(psdata.SitemapError, match="is not a sitemap"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        psdata.sitemap_urls(served.url("/page.html"))


def test_a_sitemap_on_another_host_is_never_requested(served: ServedSite) -> None:
    # localhost is this very server under another name: had it been fetched, its URLs
    # would be in the frame.
    elsewhere = f"http://localhost:{served.port}"
    write(
        served,
        {
            "robots.txt": f"Sitemap: {elsewhere}/other.xml\nSitemap: {{base}}/own.xml\n",
            "other.xml": urlset((f"{elsewhere}/from-the-other-host", None)),
            "own.xml": urlset(("{base}/own-page", None), (f"{elsewhere}/listed-elsewhere", None)),
        },
    )
    frame, messages = read(served.base_url)
    assert frame.url.tolist() == [f"{served.base_url}/own-page"]
    assert f"{elsewhere}/other.xml: is on another host (localhost), not 127.0.0.1" in messages
    assert f"{served.base_url}/own.xml: 1 URL on other hosts than 127.0.0.1 left out" in messages


def test_a_loop_of_indexes_is_read_once(served: ServedSite) -> None:
    write(
        served,
        {
            "a.xml": index("{base}/b.xml", "{base}/pages.xml"),
            "b.xml": index("{base}/a.xml"),
            "pages.xml": urlset(("{base}/p/1", None)),
        },
    )
    frame, messages = read(served.url("/a.xml"))
    assert frame.url.tolist() == [f"{served.base_url}/p/1"]
    assert messages == [
        f"{served.base_url}/a.xml: listed again by {served.base_url}/b.xml: already read"
        " (a loop or a duplicate)"
    ]


def test_max_sitemaps_stops_the_reading_and_says_so(served: ServedSite) -> None:
    write(served, {"index.xml": index(*(f"{{base}}/s{i}.xml" for i in range(5)))})
    write(served, {f"s{i}.xml": urlset((f"{{base}}/page-{i}", None)) for i in range(5)})
    frame, messages = read(served.url("/index.xml"), max_sitemaps=3)
    assert frame.url.tolist() == [f"{served.base_url}/page-{i}" for i in range(2)]
    assert messages == [f"{served.base_url}/s2.xml: max_sitemaps=3 read: 3 sitemaps not read,"
                        " from this one on"]  # fmt: skip


@pytest.fixture
def big(served: ServedSite) -> Path:
    """A sitemap of 60,000 URLs (over the protocol's 50,000), plain and gzipped."""
    body = urlset(
        *((f"{served.base_url}/item/{i}-thing", f"2024-01-{1 + i % 28:02d}") for i in range(60_000))
    )
    (served.root / "big.xml").write_text(body, encoding="utf-8")
    (served.root / "big.xml.gz").write_bytes(gzip.compress(body.encode(), compresslevel=1))
    return served.root / "big.xml"


def peak_memory(function: object, *args: object, **kwargs: object) -> tuple[object, int]:
    """What *function* returns and the peak of Python memory it allocated, in bytes."""
    tracemalloc.start()
    try:
        result = function(*args, **kwargs)  # type: ignore[operator]
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_60000_urls_the_cap_holds_and_bounds_memory(served: ServedSite, big: Path) -> None:
    size = big.stat().st_size
    (capped, messages), capped_peak = peak_memory(read, served.url("/big.xml.gz"), max_urls=1000)
    assert isinstance(capped, pd.DataFrame)
    assert capped.url.tolist() == [f"{served.base_url}/item/{i}-thing" for i in range(1000)]
    assert capped.template.unique().tolist() == ["/item/{slug}"]
    assert messages == [
        f"{served.base_url}/big.xml.gz: max_urls=1,000 reached: read its first 1,000 entries"
    ]
    # With the cap the library parses 1,000 entries: the peak is the document's bytes
    # (compressed, then gunzipped) and little more. Parsing all 60,000 entries peaks at
    # about 14 times the document (85 MiB for these 5.9 MB, measured with tracemalloc).
    assert capped_peak < 3 * size, (capped_peak, size)
    whole, _ = read(served.url("/big.xml"), max_urls=60_000)
    assert len(whole) == 60_000 and whole.url.is_unique


def test_max_bytes_cuts_an_enormous_file_and_keeps_the_urls_before(
    served: ServedSite, big: Path
) -> None:
    frame, messages = read(served.url("/big.xml"), max_bytes=100_000)
    assert 500 < len(frame) < 2000
    assert frame.url.iloc[-1] == f"{served.base_url}/item/{len(frame) - 1}-thing"
    assert messages == [
        f"{served.base_url}/big.xml: cut at max_bytes=100,000; kept the {len(frame):,} URLs"
        " read before it"
    ]


def test_a_gzip_bomb_stops_at_max_bytes(served: ServedSite) -> None:
    head = URLSET.encode() + f"<url><loc>{served.base_url}/first</loc></url>".encode()
    write(served, {"bomb.xml.gz": gzip.compress(head + b" " * 30_000_000, compresslevel=9)})
    assert (served.root / "bomb.xml.gz").stat().st_size < 100_000
    (frame, messages), peak = peak_memory(read, served.url("/bomb.xml.gz"), max_bytes=1_000_000)
    assert isinstance(frame, pd.DataFrame)
    assert frame.url.tolist() == [f"{served.base_url}/first"]
    assert any("cut at max_bytes=1,000,000 once gunzipped" in m for m in messages), messages
    assert peak < 10_000_000


def test_the_timeout_holds_and_keeps_what_was_found(served: ServedSite) -> None:
    write(
        served,
        {
            "robots.txt": "Sitemap: {base}/fast.xml\nSitemap: {base}/slow.xml?delay=30000\n",
            "fast.xml": urlset(("{base}/fast-page", None)),
            "slow.xml": urlset(("{base}/slow-page", None)),
        },
    )
    started = time.monotonic()
    frame, messages = read(served.base_url, timeout=3)
    elapsed = time.monotonic() - started
    assert frame.url.tolist() == [f"{served.base_url}/fast-page"]
    assert messages == [
        f"{served.base_url}/slow.xml?delay=30000: timed out (timeout=3 s for the whole call)"
    ]
    assert elapsed < 20, "the 30 s answer was waited for"  # a broken bound takes 30 s


def test_network_calls_stay_off_psdatas_loop_thread(
    shop: ServedSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = get_loop_thread()  # running, as in a session that has measured pages
    senders: list[tuple[threading.Thread, bool]] = []
    send = httpx.Client.send

    def recording_send(self: httpx.Client, *args: object, **kwargs: object) -> httpx.Response:
        senders.append((threading.current_thread(), loop_thread.in_loop_thread()))
        return send(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx.Client, "send", recording_send)
    read(shop.base_url)
    # robots.txt, six documents and the one on another host (refused by the client's
    # request hook before it leaves), all in the caller's thread.
    assert senders == [(threading.current_thread(), False)] * 8


def test_limits_and_input_are_checked() -> None:
    for limits in ({"max_urls": 0}, {"max_sitemaps": -1}, {"max_bytes": 1.5}, {"timeout": 0}):
        with pytest.raises(psdata.ConfigurationError):
            psdata.sitemap_urls("https://example.com", **limits)  # type: ignore[arg-type]
    with pytest.raises(psdata.InvalidURLError):
        psdata.sitemap_urls("ftp://example.com/sitemap.xml")


def test_without_the_extra_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "usp.tree", None)
    with pytest.raises(psdata.ConfigurationError, match=r"pip install 'psdata\[sitemaps\]'"):
        psdata.sitemap_urls("https://example.com")


def test_cli_sitemap_writes_a_sample_per_template(
    shop: ServedSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "urls.csv"
    assert main(["sitemap", shop.base_url, "-o", str(out), "--per-template", "1"]) == 0
    written = pd.read_csv(out, index_col=0)
    assert list(written.columns) == ["url", "lastmod", "sitemap", "template"]
    assert written.template.is_unique and len(written) == 5
    newest = written.set_index("template").url["/product/{slug}"]
    assert newest == f"{shop.base_url}/product/2-red-hat"  # the most recently modified
    printed = capsys.readouterr()
    assert "10 URLs in the sitemaps of" in printed.out and "5 templates" in printed.out
    assert "psdata: warning: " in printed.err and "invalid XML" in printed.err


def test_cli_sitemap_with_nothing_found_exits_2(
    served: ServedSite, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sitemap", served.url("/missing.xml")]) == 2
    assert "answered HTTP 404" in capsys.readouterr().err
