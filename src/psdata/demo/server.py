"""A small local web server for the demo site, the tests and the benchmarks.

:func:`serve_directory` serves a directory over HTTP from a daemon thread, on a
loopback address only, with a few behaviours chosen by the request path so tests and
benchmark pages can ask for slow or unusual responses:

================================  =================================================
request                           response
================================  =================================================
``/any/file?delay=MS``            the file, after waiting ``MS`` milliseconds (max
                                  60 s)
``/__status/CODE``                status ``CODE`` (200–599) with a small HTML body
``/__redirect/N?to=/path``        a chain of ``N`` 302 redirects ending at ``to``
                                  (default ``/``)
``file`` with ``file.headers``    the file, with each ``Name: value`` line of
                                  ``file.headers`` added to its response headers
                                  (``Cache-Control: no-store``, a CSP...)
a path given in ``routes``        the route's :class:`Response` (any method, POST
                                  too), or no answer at all when the route returns
                                  ``None`` (until the site closes, at most 60 s): a
                                  server that hangs
a missing file                    404, with the site's ``404.html`` as body if it
                                  has one
================================  =================================================

``delay`` works on every kind of request, so ``/__status/500?delay=200`` is slow too.
A site started with ``record_requests=True`` keeps every request it received, with its
headers, its body and when it arrived and was answered (:attr:`ServedSite.requests`);
a route function gets the same record. That is what tests need to see what a browser
fetched, posted, sent along (cookies, credentials) or had in flight at once.

>>> from psdata.demo.server import demo_site_root, serve_directory
>>> with serve_directory(demo_site_root()) as site:
...     site.url("/fast.html").startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, TypeAlias
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from .._errors import ConfigurationError

__all__ = [
    "DEMO_PAGES",
    "Received",
    "Response",
    "Route",
    "ServedSite",
    "demo_site_root",
    "demo_urls",
    "serve_directory",
]

#: The demo site's pages, in the order :func:`demo_urls` lists them. The last one has
#: no file: the server answers it with status 404 and the site's ``404.html``.
DEMO_PAGES: tuple[str, ...] = (
    "index.html",
    "fast.html",
    "late-lcp.html",
    "layout-shift.html",
    "long-tasks.html",
    "render-blocking.html",
    "a11y-seo.html",
    "gone.html",
)

MAX_DELAY_MS = 60_000
MAX_REDIRECTS = 50

#: Content types set explicitly so they do not depend on the host's ``mime.types``.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".xml": "application/xml",
}


@dataclass(frozen=True)
class Response:
    """What a route answers: a status, a body and headers.

    ``Content-Type`` defaults to HTML; ``Content-Length`` is always set from the body.

    Examples
    --------
    >>> Response(302, headers={"Location": "/elsewhere"}).status
    302
    """

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Received:
    """One request a site received (see :attr:`ServedSite.requests`).

    Attributes
    ----------
    method : str
        ``GET``, ``HEAD`` or ``POST``.
    path : str
        The request target as sent: path and query.
    body : bytes
        The request's body (empty without one).
    started : float
        ``time.monotonic()`` when its headers had been read.
    finished : float or None
        ``time.monotonic()`` when its answer had been sent; ``None`` while it has none
        (a delayed, hanging or failed request).
    headers : dict of str to str
        Its headers, by lower-case name (a repeated header's values joined by ``, ``).
    """

    method: str
    path: str
    body: bytes
    started: float
    finished: float | None = None
    headers: dict[str, str] = field(default_factory=dict)


#: A route: a fixed :class:`Response`, or a function of the request returning one
#: (``None``: never answer).
Route: TypeAlias = Response | Callable[[Received], Response | None]


class _Handler(SimpleHTTPRequestHandler):
    """Serves files from ``directory`` plus the ``?delay=``, status, redirect and route
    paths, and records what it received."""

    server: _Server

    protocol_version = "HTTP/1.1"  # keep-alive, as real sites use
    #: Headers the file being served adds from its ``.headers`` sidecar.
    _extra_headers: tuple[tuple[str, str], ...] = ()
    timeout = 30  # seconds an idle keep-alive connection may stay open
    extensions_map: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        **SimpleHTTPRequestHandler.extensions_map,
        **CONTENT_TYPES,
    }

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no line on stderr per request."""

    def do_GET(self) -> None:
        self._serve(super().do_GET)

    def do_HEAD(self) -> None:
        self._serve(super().do_HEAD)

    def do_POST(self) -> None:
        self._serve(lambda: self.send_error(HTTPStatus.NOT_IMPLEMENTED, "No route for POST"))

    def _serve(self, serve_file: Callable[[], None]) -> None:
        """Record the request, apply ``?delay=``, then answer by route, special path or
        file (*serve_file*)."""
        length = _int_or(self.headers.get("Content-Length") or "0", 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        request = Received(self.command, self.path, body, time.monotonic(), headers=headers)
        self.server.record(request)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        delay = _int_or(query.get("delay", ["0"])[-1], 0)
        if delay > 0:
            time.sleep(min(delay, MAX_DELAY_MS) / 1000)
        route = self.server.routes.get(parts.path)
        if route is not None:
            response = route if isinstance(route, Response) else route(request)
            if response is None:  # hang: read, never answer
                self.server.closing.wait(MAX_DELAY_MS / 1000)
                self.close_connection = True
                return
            self._send(response)
        elif not self._special(parts.path, query):
            self._extra_headers = self._sidecar_headers(parts.path)
            serve_file()
        request.finished = time.monotonic()

    def _sidecar_headers(self, path: str) -> tuple[tuple[str, str], ...]:
        """The ``Name: value`` lines of the served file's ``.headers`` file, if it has one."""
        target = Path(self.translate_path(path))
        sidecar = target.with_name(target.name + ".headers")
        if not target.is_file() or not sidecar.is_file():
            return ()
        lines = sidecar.read_text(encoding="utf-8").splitlines()
        pairs = [line.split(":", 1) for line in lines if ":" in line]
        return tuple((name.strip(), value.strip()) for name, value in pairs)

    def end_headers(self) -> None:
        """Add a served file's sidecar headers (see :meth:`_sidecar_headers`) last."""
        for name, value in self._extra_headers:
            self.send_header(name, value)
        self._extra_headers = ()
        super().end_headers()

    def _special(self, path: str, query: dict[str, list[str]]) -> bool:
        """Answer status and redirect paths. True when answered."""
        segments = path.strip("/").split("/")
        if len(segments) == 2 and segments[0] == "__status":
            code = _int_or(segments[1], 0)
            if not 200 <= code <= 599:
                code = 400
            self._send_html(code, f"<h1>{code} {_phrase(code)}</h1>")
            return True
        if len(segments) == 2 and segments[0] == "__redirect":
            hops = min(max(_int_or(segments[1], 0), 0), MAX_REDIRECTS)
            target = query.get("to", ["/"])[-1]
            if not target.startswith("/") or target.startswith("//"):
                target = "/"  # same-site targets only
            if hops == 0:
                location = target
            else:
                location = f"/__redirect/{hops - 1}?to={quote(target, safe='/')}"
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        return False

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Use the site's ``404.html`` as the body of a 404, when the site has one."""
        page = Path(self.directory) / "404.html"
        if code == HTTPStatus.NOT_FOUND and page.is_file():
            self._send_html(code, page.read_text(encoding="utf-8"), whole_page=True)
            return
        super().send_error(code, message, explain)

    def _send_html(self, code: int, body: str, *, whole_page: bool = False) -> None:
        if not whole_page:
            title = html.escape(f"{code} {_phrase(code)}")
            body = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{title}</title></head><body>{body}</body></html>"
            )
        self._send(Response(code, body))

    def _send(self, response: Response) -> None:
        data = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
        headers = {"Content-Type": CONTENT_TYPES[".html"], **response.headers}
        self.send_response(response.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    #: socketserver's listen backlog is 5: several pages loading at once (plus the
    #: browser's preconnects) overflow it, and a dropped connection attempt is retried
    #: by TCP after 1 s, a second that would show up in the measured timings.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        root: Path,
        family: socket.AddressFamily,
        routes: dict[str, Route],
        record_requests: bool,
    ):
        self.address_family = family
        self.root = root
        self.routes = routes
        self.record_requests = record_requests
        #: Set when the site closes: hanging routes give up.
        self.closing = threading.Event()
        self._received: list[Received] = []
        self._received_lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def record(self, request: Received) -> None:
        """Keep *request* if this server records requests."""
        if self.record_requests:
            with self._received_lock:
                self._received.append(request)

    def received(self) -> list[Received]:
        """The requests kept so far, oldest first."""
        with self._received_lock:
            return list(self._received)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        try:
            _Handler(request, client_address, self, directory=str(self.root))
        finally:
            with self._open_lock:
                self._open.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up mid-response (browsers do); report anything else."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Shut every open keep-alive connection so no handler thread lingers."""
        with self._open_lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class ServedSite:
    """A directory served over HTTP on a loopback address; see :func:`serve_directory`.

    Attributes
    ----------
    root : Path
        The directory being served.
    host : str
        The loopback address the server is bound to.
    port : int
        The bound port (chosen by the OS when ``port=0``).
    base_url : str
        ``http://host:port`` without a trailing slash.
    routes : dict of str to Route
        Paths answered by a :data:`Route` instead of a file; may be changed while the
        site serves (a page that must name the site's own origin, for instance).

    Examples
    --------
    >>> from psdata.demo.server import demo_site_root, serve_directory
    >>> site = serve_directory(demo_site_root())
    >>> site.url("late-lcp.html") == site.base_url + "/late-lcp.html"
    True
    >>> site.close()
    """

    def __init__(self, server: _Server, root: Path) -> None:
        self._server = server
        self.root = root
        self.routes = server.routes
        self.host = str(server.server_address[0])
        self.port = int(server.server_address[1])
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{shown}:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"psdata-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._closed = False

    def url(self, path: str = "/") -> str:
        """Return the absolute URL of ``path`` (with or without a leading slash).

        Examples
        --------
        >>> from psdata.demo.server import demo_site_root, serve_directory
        >>> with serve_directory(demo_site_root()) as site:
        ...     site.url("/__status/404?delay=50").endswith("/__status/404?delay=50")
        True
        """
        return urljoin(self.base_url + "/", path.lstrip("/"))

    @property
    def requests(self) -> list[Received]:
        """The requests received so far, oldest first (empty unless the site was started
        with ``record_requests=True``).

        Examples
        --------
        >>> import urllib.request
        >>> from psdata.demo.server import demo_site_root, serve_directory
        >>> with serve_directory(demo_site_root(), record_requests=True) as site:
        ...     urllib.request.urlopen(site.url("/fast.html?n=1")).close()
        ...     [(r.method, r.path) for r in site.requests]
        [('GET', '/fast.html?n=1')]
        """
        return self._server.received()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    def close(self) -> None:
        """Stop serving, close open connections and release the port. Idempotent.

        Examples
        --------
        >>> from psdata.demo.server import demo_site_root, serve_directory
        >>> site = serve_directory(demo_site_root())
        >>> site.close()
        >>> site.closed
        True
        """
        if self._closed:
            return
        self._closed = True
        self._server.closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(timeout=5)

    def __enter__(self) -> ServedSite:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "serving"
        return f"<ServedSite {self.base_url} {state} {str(self.root)!r}>"


def serve_directory(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    routes: Mapping[str, Route] | None = None,
    record_requests: bool = False,
) -> ServedSite:
    """Serve ``root`` over HTTP from a daemon thread and return the running site.

    Parameters
    ----------
    root : Path
        The directory to serve. Only files below it are reachable.
    host : str, default "127.0.0.1"
        A loopback address (``127.0.0.0/8``, ``::1``) or ``"localhost"``. Anything else
        raises :class:`~psdata.ConfigurationError`: the server never listens on a network.
    port : int, default 0
        The port; 0 lets the OS choose a free one (see ``ServedSite.port``).
    routes : mapping of str to Route, optional
        Paths (without query) answered by a :class:`Response`, or by a function of the
        :class:`Received` request returning one, before any file (see the module's table).
    record_requests : bool, default False
        Keep every request received, in :attr:`ServedSite.requests`.

    Returns
    -------
    ServedSite
        The running server; close it with ``.close()`` or use it as a context manager.

    Raises
    ------
    ConfigurationError
        ``host`` is not a loopback address, or ``root`` is not a directory.

    Examples
    --------
    >>> from psdata.demo.server import demo_site_root, serve_directory
    >>> import urllib.request
    >>> with serve_directory(demo_site_root()) as site:
    ...     with urllib.request.urlopen(site.url("/fast.html")) as response:
    ...         response.status, response.headers["Content-Type"]
    (200, 'text/html; charset=utf-8')
    >>> answers = {"/api": Response(201, '{"ok": true}', {"Content-Type": "application/json"})}
    >>> with serve_directory(demo_site_root(), routes=answers) as site:
    ...     with urllib.request.urlopen(site.url("/api?x=1"), data=b"{}") as response:
    ...         response.status, response.read()
    (201, b'{"ok": true}')
    >>> serve_directory(demo_site_root(), host="0.0.0.0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    psdata._errors.ConfigurationError: serve_directory() binds loopback addresses only, ...
    """
    address = _loopback(host)
    root = Path(root).resolve()
    if not root.is_dir():
        raise ConfigurationError(f"serve_directory() needs a directory, not {str(root)!r}.")
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    server = _Server((str(address), port), root, family, dict(routes or {}), record_requests)
    return ServedSite(server, root)


def demo_site_root() -> Path:
    """Return the directory of psdata's bundled demo site.

    Examples
    --------
    >>> from psdata.demo.server import demo_site_root
    >>> (demo_site_root() / "index.html").is_file()
    True
    """
    return Path(str(resources.files("psdata.demo") / "site"))


def demo_urls(site: ServedSite) -> list[str]:
    """Return the URLs of the demo pages on ``site`` (a server of :func:`demo_site_root`).

    The last URL has no page behind it and answers with status 404.

    Examples
    --------
    >>> from psdata.demo.server import demo_site_root, demo_urls, serve_directory
    >>> with serve_directory(demo_site_root()) as site:
    ...     urls = demo_urls(site)
    >>> len(urls), urls[1].rsplit("/", 1)[-1]
    (8, 'fast.html')
    """
    return [site.url(page) for page in DEMO_PAGES]


def _loopback(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Parse ``host`` as a loopback address or raise :class:`ConfigurationError`."""
    if host == "localhost":
        return ipaddress.IPv4Address("127.0.0.1")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise ConfigurationError(f"serve_directory() binds loopback addresses only, not {host!r}.")
    return address


def _int_or(text: str, default: int) -> int:
    try:
        return int(text)
    except ValueError:
        return default


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Status"


def serve_demo_site(*, port: int = 0) -> ServedSite:
    """Serve psdata's bundled demo site on 127.0.0.1; close it with ``.close()``.

    Examples
    --------
    >>> import psdata
    >>> with psdata.serve_demo_site() as site:
    ...     len(psdata.demo_urls(site))
    8
    """
    return serve_directory(demo_site_root(), port=port)
