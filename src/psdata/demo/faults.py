"""A corpus of faulty pages: what the fault tests and the soak benchmark load.

:func:`fault_routes` gives the routes of a :func:`~psdata.demo.server.serve_directory`
site that misbehave in the ways real pages do: pages that open dialogs and pop-ups,
refuse to unload, spin their main thread, run out of memory, never go quiet, try to
close themselves or read local files; a server that never answers, a download, redirect
chains and a loop, error statuses. :data:`FAULT_PAGES` lists the paths a batch can mix
in, each with the outcomes psdata may give it.

>>> from psdata.demo.server import serve_directory
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as root, serve_directory(
...         root, routes=fault_routes()) as site:
...     site.url("/b/dialogs").endswith("/b/dialogs")
True
>>> FAULT_PAGES["/status/404"]
frozenset({'http'})
"""

from __future__ import annotations

from collections.abc import Mapping

from .server import Response, Route

__all__ = ["BEHAVIOURS", "FAULT_PAGES", "GOOD_HTML", "fault_routes"]

#: A small valid page: ``{title}`` and ``{body}`` to fill in.
GOOD_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><meta name="description" content="A page for fault tests."></head>
<body><h1>{title}</h1><p>Some text for the first contentful paint.</p>{body}</body></html>
"""

#: Misbehaving pages, served at ``/b/NAME``: the body each adds to :data:`GOOD_HTML`.
BEHAVIOURS: Mapping[str, str] = {
    "dialogs": """<script>
      alert("an alert"); confirm("a confirm?"); prompt("a prompt", "x");
      addEventListener("load", () => { alert("after load"); });
    </script>""",
    "popup": """<script>
      addEventListener("load", () => { window.open("/popup-target.html", "_blank"); });
      window.open("/popup-target.html?early=1");
    </script>""",
    "beforeunload": """<script>
      addEventListener("beforeunload", (e) => { e.preventDefault(); e.returnValue = "stay"; });
    </script>""",
    "closes-itself": """<script>
      window.close();
      addEventListener("load", () => setTimeout(() => {
        window.open("", "_self"); window.close();
      }, 50));
    </script>""",
    "spin-after": """<script>
      addEventListener("load", () => setTimeout(() => { while (true) {} }, 50));
    </script>""",
    "spin-before": """<script>while (true) {}</script>""",
    "oom": """<script>
      // Eat memory before the load event until the renderer dies (V8's heap limit).
      const hoard = [];
      while (true) { hoard.push(new Array(4 * 1024 * 1024).fill(hoard.length)); }
    </script>""",
    "never-idle": """<script>
      // Three long polls always open: the network never gets to "2 in flight".
      async function poll(n) {
        while (true) { try { await fetch("/slow?delay=400&n=" + n + "&t=" + Math.random()); }
                       catch (e) { await new Promise(r => setTimeout(r, 100)); } }
      }
      for (let n = 0; n < 4; n++) poll(n);
    </script>""",
    "leak": """<iframe id="f" src="file:///etc/passwd"></iframe>
    <script>
      const report = {};
      function send() {
        fetch("/report", {method: "POST", body: JSON.stringify(report)});
      }
      async function probe() {
        try { const r = await fetch("file:///etc/passwd"); report.fetch = await r.text(); }
        catch (e) { report.fetch = "blocked: " + e.name; }
        try {
          const x = new XMLHttpRequest(); x.open("GET", "file:///etc/passwd", false); x.send();
          report.xhr = x.responseText;
        } catch (e) { report.xhr = "blocked: " + e.name; }
        try {
          const d = document.getElementById("f").contentDocument;
          report.iframe = d ? d.documentElement.outerHTML : "no access";
        } catch (e) { report.iframe = "blocked: " + e.name; }
        try {
          const w = window.open("file:///etc/passwd");
          report.open = w ? String(w.document && w.document.body && w.document.body.innerText)
                          : "no window";
        } catch (e) { report.open = "blocked: " + e.name; }
        send();
      }
      addEventListener("load", () => setTimeout(probe, 100));
    </script>""",
}

#: Paths of :func:`fault_routes` a batch can mix in, each with the outcomes psdata may
#: give it: ``None`` is a scored row, a string the row's ``error_type``. A server that
#: never answers is cut by the per-URL timeout, or by the test server's own 60 s limit
#: (then the browser sees the connection close: ``network``).
FAULT_PAGES: Mapping[str, frozenset[str | None]] = {
    "/b/dialogs": frozenset({None}),
    "/b/popup": frozenset({None}),
    "/b/beforeunload": frozenset({None}),
    "/b/closes-itself": frozenset({None}),
    "/b/leak": frozenset({None}),
    "/b/never-idle": frozenset({None}),
    "/b/spin-after": frozenset({"timeout"}),
    "/b/spin-before": frozenset({"timeout"}),
    "/b/oom": frozenset({"crash"}),
    "/hang": frozenset({"timeout", "network"}),
    "/download": frozenset({"network"}),
    "/loop": frozenset({"network"}),
    "/redirect/2": frozenset({None}),
    "/status/404": frozenset({"http"}),
    "/status/500": frozenset({"http"}),
}


def fault_routes() -> dict[str, Route]:
    """The fault server's answers: behaviour pages, a hanging path, a download, redirect
    chains and a loop, error statuses, a slow JSON endpoint and a report sink."""

    def page(title: str, body: str = "") -> Response:
        return Response(200, GOOD_HTML.format(title=title, body=body))

    routes: dict[str, Route] = {
        "/popup-target.html": page("popup"),
        "/page/after-redirects": page("after-redirects"),
        "/slow": Response(200, "{}", {"Content-Type": "application/json"}),  # use ?delay=
        "/hang": lambda request: None,  # accept, read the request, never answer
        "/download": Response(
            200,
            b"\x00\x01binary payload" * 1000,
            {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": 'attachment; filename="psdata-fault-download.bin"',
            },
        ),
        "/loop": Response(302, headers={"Location": "/loop"}),
        "/report": Response(204),
    }
    routes |= {f"/b/{name}": page(name, body) for name, body in BEHAVIOURS.items()}
    for hops in range(5):
        target = f"/redirect/{hops - 1}" if hops > 0 else "/page/after-redirects"
        routes[f"/redirect/{hops}"] = Response(302, headers={"Location": target})
    for code in (404, 500):
        routes[f"/status/{code}"] = Response(code, GOOD_HTML.format(title=f"error {code}", body=""))
    return routes
