"""Tests of psdata.demo.server: real HTTP requests to 127.0.0.1 with urllib."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from psdata._errors import ConfigurationError
from psdata.demo.server import (
    DEMO_PAGES,
    Received,
    Response,
    ServedSite,
    demo_site_root,
    demo_urls,
    serve_directory,
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_no_redirect = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, *, follow: bool = True) -> tuple[int, dict[str, str], bytes, str]:
    """Return (status, headers, body, final URL); HTTP errors are returned, not raised."""
    opener = urllib.request.build_opener() if follow else _no_redirect
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, _titled(response.headers), response.read(), response.url
    except urllib.error.HTTPError as error:
        with error:
            return error.code, _titled(error.headers), error.read(), error.url


def _titled(headers: Message) -> dict[str, str]:
    return {key.title(): value for key, value in headers.items()}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>home</title>", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    for name, text in {
        "page.html": "<p>hello</p>",
        "style.css": "body{}",
        "app.js": "1;",
        "pic.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "data.json": "{}",
        "font.woff2": "x",
    }.items():
        (tmp_path / "sub" / name).write_text(text, encoding="utf-8")
    (tmp_path / "sub" / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return tmp_path


@pytest.fixture
def site(root: Path) -> Iterator[ServedSite]:
    with serve_directory(root) as served:
        yield served


def test_serves_files_with_content_types(site: ServedSite) -> None:
    expected = {
        "sub/page.html": "text/html; charset=utf-8",
        "sub/style.css": "text/css; charset=utf-8",
        "sub/app.js": "text/javascript; charset=utf-8",
        "sub/pic.svg": "image/svg+xml",
        "sub/pic.png": "image/png",
        "sub/data.json": "application/json",
        "sub/font.woff2": "font/woff2",
    }
    for path, content_type in expected.items():
        status, headers, _, _ = fetch(site.url(path))
        assert (status, headers["Content-Type"]) == (200, content_type), path
    status, _, body, _ = fetch(site.url("/sub/page.html"))
    assert body == b"<p>hello</p>"


def test_url_and_base_url(site: ServedSite) -> None:
    assert site.base_url == f"http://127.0.0.1:{site.port}"
    assert site.url("/a/b.html") == site.url("a/b.html") == site.base_url + "/a/b.html"
    assert site.url() == site.base_url + "/"
    status, _, body, _ = fetch(site.url())
    assert status == 200 and b"<title>home</title>" in body


def timed_fetch(url: str) -> tuple[int, bytes, float]:
    """Return (status, body, seconds the fetch took)."""
    start = time.perf_counter()
    status, _, body, _ = fetch(url)
    return status, body, time.perf_counter() - start


def test_delay(site: ServedSite) -> None:
    status, body, delayed = timed_fetch(site.url("sub/page.html?delay=600"))
    assert status == 200 and body == b"<p>hello</p>"
    assert delayed >= 0.6
    # A value that is no number is no delay: it is faster than the delayed fetch.
    status, _, nonsense = timed_fetch(site.url("sub/page.html?delay=nonsense"))
    assert status == 200 and nonsense < delayed


def test_delay_does_not_block_other_requests(site: ServedSite) -> None:
    slow = threading.Thread(target=fetch, args=(site.url("sub/app.js?delay=1500"),))
    slow.start()
    try:
        assert fetch(site.url("sub/app.js"))[0] == 200
        assert slow.is_alive()  # answered while the slow one still waits
    finally:
        slow.join()


@pytest.mark.parametrize("code", [200, 404, 410, 500, 503])
def test_status_paths(site: ServedSite, code: int) -> None:
    status, headers, body, _ = fetch(site.url(f"/__status/{code}"))
    assert status == code
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"<h1>{code} ".encode() in body


def test_status_with_delay(site: ServedSite) -> None:
    start = time.perf_counter()
    status, _, _, _ = fetch(site.url("/__status/500?delay=200"))
    assert status == 500 and time.perf_counter() - start >= 0.2


def test_missing_file_is_404(site: ServedSite, root: Path) -> None:
    status, _, _, _ = fetch(site.url("/nope.html"))
    assert status == 404
    (root / "404.html").write_text("<h1>custom not found</h1>", encoding="utf-8")
    status, headers, body, _ = fetch(site.url("/nope.html"))
    assert status == 404 and body == b"<h1>custom not found</h1>"
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_redirect_chain(site: ServedSite) -> None:
    status, headers, _, _ = fetch(site.url("/__redirect/3?to=/sub/page.html"), follow=False)
    assert status == 302
    assert headers["Location"] == "/__redirect/2?to=/sub/page.html"
    status, _, body, final = fetch(site.url("/__redirect/3?to=/sub/page.html"))
    assert (status, body, final) == (200, b"<p>hello</p>", site.url("/sub/page.html"))
    status, headers, _, _ = fetch(site.url("/__redirect/0"), follow=False)
    assert (status, headers["Location"]) == (302, "/")


def test_redirect_refuses_other_sites(site: ServedSite) -> None:
    _, headers, _, _ = fetch(site.url("/__redirect/0?to=//example.com/"), follow=False)
    assert headers["Location"] == "/"
    _, headers, _, _ = fetch(site.url("/__redirect/0?to=http://example.com/"), follow=False)
    assert headers["Location"] == "/"


def test_no_path_traversal(site: ServedSite, root: Path) -> None:
    (root.parent / "secret.txt").write_text("secret", encoding="utf-8")
    status, _, body, _ = fetch(site.url("/../secret.txt"))
    assert b"secret" not in body or status == 404


def test_close_releases_port(root: Path) -> None:
    site = serve_directory(root)
    port = site.port
    assert fetch(site.url("sub/page.html"))[0] == 200
    site.close()
    site.close()  # idempotent
    assert site.closed
    with pytest.raises(OSError):
        urllib.request.urlopen(site.url("sub/page.html"), timeout=2)
    with socket.socket() as probe:  # nothing listens: the port can be bound again at once
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()
    again = serve_directory(root, port=port)
    try:
        assert again.port == port and fetch(again.url("sub/page.html"))[0] == 200
    finally:
        again.close()


def test_context_manager_closes(root: Path) -> None:
    with serve_directory(root) as site:
        assert "serving" in repr(site)
    assert site.closed and "closed" in repr(site)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com", ""])
def test_non_loopback_host_refused(root: Path, host: str) -> None:
    with pytest.raises(ConfigurationError, match="loopback"):
        serve_directory(root, host=host)


def test_loopback_aliases(root: Path) -> None:
    with serve_directory(root, host="localhost") as site:
        assert site.host == "127.0.0.1"
    with serve_directory(root, host="127.0.0.2") as site:
        assert fetch(site.url("sub/page.html"))[0] == 200


def test_ipv6_loopback(root: Path) -> None:
    if not socket.has_ipv6:
        pytest.skip("optional platform feature: this Python has no IPv6 support")
    try:
        served = serve_directory(root, host="::1")
    except OSError:
        pytest.skip("optional platform feature: the IPv6 loopback ::1 is not configured here")
    with served as site:
        assert site.base_url.startswith("http://[::1]:")
        assert fetch(site.url("sub/page.html"))[0] == 200


def test_root_must_be_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        serve_directory(tmp_path / "missing")


def test_demo_site() -> None:
    root = demo_site_root()
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert size < 500_000
    with serve_directory(root) as site:
        urls = demo_urls(site)
        assert len(urls) == len(DEMO_PAGES)
        statuses = [fetch(url)[0] for url in urls]
        assert statuses == [200] * (len(urls) - 1) + [404]
        for url in urls:
            body = fetch(url)[2].decode("utf-8")
            assert "http://" not in body.replace(site.base_url, "")
            assert "https://" not in body


def test_routes_answer_before_files_for_every_method(root: Path) -> None:
    def echo(request: Received) -> Response:
        return Response(201, request.body, {"Content-Type": "application/json", "X-Echo": "1"})

    routes = {"/sub/page.html": Response(410, "<p>gone</p>"), "/echo": echo}
    with serve_directory(root, routes=routes) as site:
        status, headers, body, _ = fetch(site.url("/sub/page.html?any=query"))
        assert status == 410 and body == b"<p>gone</p>"
        assert headers["Content-Type"] == "text/html; charset=utf-8"  # a route's default
        request = urllib.request.Request(site.url("/echo"), data=b'{"a": 1}', method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201 and json.loads(response.read()) == {"a": 1}
            assert response.headers["X-Echo"] == "1"
        site.routes["/late"] = Response(302, headers={"Location": "/late"})
        status, headers, _, _ = fetch(site.url("/late"), follow=False)
        assert (status, headers["Location"]) == (302, "/late")
        # Without a route a POST is refused; a file is still served for GET.
        refused = urllib.request.Request(site.url("/sub/app.js"), data=b"x", method="POST")
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(refused, timeout=10)
        assert caught.value.code == 501
        assert fetch(site.url("/sub/app.js"))[2] == b"1;"


def test_a_route_returning_none_never_answers_until_the_site_closes(root: Path) -> None:
    site = serve_directory(root, routes={"/hang": lambda request: None}, record_requests=True)
    outcome: list[OSError] = []

    def hang() -> None:
        try:
            fetch(site.url("/hang"))
        except OSError as error:  # the connection closes without an answer
            outcome.append(error)

    client = threading.Thread(target=hang)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while not site.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        assert fetch(site.url("sub/page.html"))[0] == 200  # the others are served meanwhile
        assert client.is_alive()
    finally:
        site.close()
        client.join(10)
    assert not client.is_alive() and outcome
    (hung, _) = site.requests
    assert (hung.path, hung.finished) == ("/hang", None)


def test_recorded_requests_have_bodies_and_times(root: Path) -> None:
    with serve_directory(root, routes={"/report": Response(204)}, record_requests=True) as site:
        fetch(site.url("sub/page.html?delay=200"))
        posted = urllib.request.Request(site.url("/report"), data=b"hello", method="POST")
        urllib.request.urlopen(posted, timeout=10).close()
        fetch(site.url("/nope.html"))
        got = site.requests
    assert [(r.method, r.path, r.body) for r in got] == [
        ("GET", "/sub/page.html?delay=200", b""),
        ("POST", "/report", b"hello"),
        ("GET", "/nope.html", b""),
    ]
    for request in got:
        assert request.finished is not None and request.started <= request.finished
    assert got[0].finished is not None and got[0].finished - got[0].started >= 0.2
    assert got[0].finished <= got[1].started


def test_requests_are_kept_only_when_asked(site: ServedSite) -> None:
    fetch(site.url("sub/page.html"))
    assert site.requests == []
