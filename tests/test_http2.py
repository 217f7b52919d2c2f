"""``uses-http2`` against real servers: HTTP/2 (hypercorn, TLS) and HTTP/1.1 on 127.0.0.1.

Chromium resolves ``*.test`` to 127.0.0.1 (``--host-resolver-rules``) so the pages have
host names Lighthouse does not take for local development; every byte stays on the
loopback interface. The HTTP/2 server's certificate comes from a throwaway CA
(``trustme``), which Chromium is told to accept.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import trustme
from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config

from conftest import Serve
from psdata.engines.lab.collect import WaitSettings
from psdata.engines.lab.engine import LabSettings, measure_page
from psdata.engines.lab.pool import ContextPool

ASSETS = 7  # static requests besides the document: Lighthouse lists an origin from 6
PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Many assets</title>"
    "<meta name='viewport' content='width=device-width'>"
    + "".join(f"<link rel='stylesheet' href='/style-{n}.css'>" for n in range(3))
    + "</head><body><h1>Many assets</h1>"
    + "".join(f"<script src='/script-{n}.js'></script>" for n in range(ASSETS - 3))
    + "</body></html>"
)
ASSET_BODY = "/* " + "x" * 4000 + " */"
QUICK = WaitSettings(250, 250, 250, 250, max_wait_for_load_ms=15_000)
ARGS = ["--host-resolver-rules=MAP *.test 127.0.0.1", "--ignore-certificate-errors"]

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """The page and its assets, as an ASGI app (hypercorn serves it over HTTP/2)."""
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/":
        body, kind, status = PAGE, "text/html; charset=utf-8", 200
    elif path.startswith(("/style-", "/script-")):
        kind = "text/css" if path.endswith(".css") else "text/javascript"
        body, status = ASSET_BODY, 200
    else:
        body, kind, status = "", "text/plain", 404
    data = body.encode()
    headers = [(b"content-type", kind.encode()), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


@pytest.fixture(scope="module")
def http2_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """An HTTP/2 (TLS) server on 127.0.0.1 for ``h2.test``, in a thread of its own."""
    ca = trustme.CA()
    cert = ca.issue_cert("h2.test")
    folder = tmp_path_factory.mktemp("h2")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert.cert_chain_pems[0].write_to_path(cert_file)
    cert.private_key_pem.write_to_path(key_file)
    with socket.socket() as probe:  # a free port (hypercorn binds it right after)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.certfile, config.keyfile = str(cert_file), str(key_file)
    config.alpn_protocols = ["h2"]
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(started.set)
        loop.run_until_complete(hypercorn_serve(app, config, shutdown_trigger=stop.wait))

    thread = threading.Thread(target=run, name="h2-server", daemon=True)
    thread.start()
    assert started.wait(10)
    yield port
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)


def measure(urls: list[str]) -> list[dict[str, Any]]:
    """Measure *urls* one after another (simulated throttling), in a pool that maps
    ``*.test`` to 127.0.0.1; each page's ``uses-http2`` audit and requests."""

    async def main() -> list[dict[str, Any]]:
        found = []
        async with ContextPool(max_contexts=1, extra_args=ARGS) as pool:
            settings = LabSettings(categories=("performance",), waits=QUICK)
            for url in urls:
                record = await measure_page(pool, url, "mobile", settings)
                details = record["details"]
                audits = details["categories"]["performance"]["audits"]
                found.append(
                    {
                        "audit": next(a for a in audits if a["id"] == "uses-http2"),
                        "protocols": {r["url"]: r["protocol"] for r in details["requests"]},
                    }
                )
        return found

    return asyncio.run(main())


def test_uses_http2_follows_lighthouse_rules_and_simulates_savings(
    serve: Serve, http2_port: int
) -> None:
    files = {"many.html": PAGE}
    files |= {f"style-{n}.css": ASSET_BODY for n in range(3)}
    files |= {f"script-{n}.js": ASSET_BODY for n in range(ASSETS - 3)}
    http1 = serve(files)
    over_http1 = f"http://site.test:{http1.port}/many.html"
    local = http1.url("many.html")  # 127.0.0.1: Lighthouse never lists it
    over_h2 = f"https://h2.test:{http2_port}/"
    old, loopback, new = measure([over_http1, local, over_h2])

    # HTTP/1.1 on a public-looking origin: every request of it is listed, with savings.
    assert set(old["protocols"].values()) == {"http/1.1"}
    listed = {item["url"]: item["protocol"] for item in old["audit"]["details"]}
    assert set(listed) >= {over_http1, *(f"http://site.test:{http1.port}/style-0.css",)}
    assert len([u for u in listed if u.endswith((".css", ".js"))]) == ASSETS
    assert set(listed.values()) == {"http/1.1"}
    assert old["audit"]["score"] in (0.0, 0.5)
    assert old["audit"]["savings_ms"] is not None and old["audit"]["savings_ms"] >= 0
    assert old["audit"]["numeric_value"] == old["audit"]["savings_ms"]
    assert old["audit"]["numeric_unit"] == "millisecond"
    assert set(old["audit"]["metric_savings"]) == {"FCP", "LCP"}
    # Serving them over HTTP/2 saves time on a mobile connection.
    assert old["audit"]["metric_savings"]["LCP"] > 0 and old["audit"]["score"] == 0.0

    # The same page on 127.0.0.1 passes: Lighthouse skips local development origins.
    assert (loopback["audit"]["score"], loopback["audit"]["details"]) == (1.0, [])

    # Over HTTP/2, nothing to list: 0 ms saved, as Lighthouse reports a pass.
    assert over_h2 in new["protocols"] and new["protocols"][over_h2] == "h2"
    assert (new["audit"]["score"], new["audit"]["details"]) == (1.0, [])
    assert new["audit"]["savings_ms"] == 0.0 and new["audit"]["numeric_value"] == 0.0
