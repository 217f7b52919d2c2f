"""Pages behind a login, and the request settings real audits need (issue #29).

A real server on 127.0.0.1 (the ``serve`` fixture) plays a site with a form login that
sets a session cookie, an account page that redirects to the login page without it, a
page behind basic auth, a page that needs a header, a page pulling a third-party-like
script from a second local origin, and a single-page app that keeps its token in
localStorage. Each option is shown to change what is measured, and every secret is
looked for where psdata writes: the result store, a Parquet file, the log, the frame.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import json
import logging
import re
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import psutil
import pytest

import psdata
from conftest import FAST, Serve
from psdata import cli
from psdata.demo.server import Received, Response, ServedSite
from psdata.engines.lab.browser import browser_processes
from test_cli import QUICK as QUICK_FLAGS
from test_cli import psdata_cli, write_urls

USER = "ann"
#: The secrets: each is looked for wherever psdata writes.
PASSWORD = f"pw-{uuid.uuid4().hex}"
SESSION = f"sess-{uuid.uuid4().hex}"
API_KEY = f"key-{uuid.uuid4().hex}"
TOKEN = f"tok-{uuid.uuid4().hex}"
BASIC_PASSWORD = f"basic-{uuid.uuid4().hex}"
SECRETS = (PASSWORD, SESSION, API_KEY, TOKEN, BASIC_PASSWORD)

QUICK = {**FAST, "categories": ["performance"]}
#: A page's icon is inline, so no favicon request comes in late (or not) to change a count.
PAGE = "<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
PAGE += "<link rel=icon href='data:,'>{head}"
PAGE += "</head><body><h1>{title}</h1>{body}</body></html>"


def html(title: str, body: str = "", head: str = "") -> str:
    return PAGE.format(title=title, body=body, head=head)


LOGIN_FORM = html(
    "Log in",
    '<form method="post" action="/login"><input id="user" name="user">'
    '<input id="password" name="password" type="password"><button>Log in</button></form>',
)
#: What a logged-in page loads besides its document: its measured requests change.
ACCOUNT = html(
    "Your account",
    "<p>Orders</p><img src='/photo.svg' width=200 height=100 alt='you'>",
    "<link rel=stylesheet href='/account.css'><script src='/account.js'></script>",
)
APP = html(
    "App",
    "<div id=items></div><script>const t = localStorage.getItem('token');"
    "if (t) fetch('/api/items?token=' + encodeURIComponent(t)).then(r => r.json())"
    ".then(items => items.forEach(i => document.getElementById('items')"
    ".insertAdjacentHTML('beforeend', '<p>' + i + '</p>')));</script>",
)


def _cookie(request: Received, name: str) -> str | None:
    for part in request.headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _login(request: Received) -> Response:
    if request.method != "POST":
        return Response(200, LOGIN_FORM)
    form = parse_qs(request.body.decode())
    if form.get("user") == [USER] and form.get("password") == [PASSWORD]:
        cookie = f"session={SESSION}; Path=/; HttpOnly"
        return Response(302, headers={"Location": "/account", "Set-Cookie": cookie})
    return Response(200, LOGIN_FORM.replace("<form", "<p>Wrong password</p><form"))


def _account(request: Received) -> Response:
    if _cookie(request, "session") == SESSION:
        return Response(200, ACCOUNT)
    return Response(302, headers={"Location": "/login?next=/account"})


def _basic(request: Received) -> Response:
    wanted = "Basic " + base64.b64encode(f"{USER}:{BASIC_PASSWORD}".encode()).decode()
    if request.headers.get("authorization") == wanted:
        return Response(200, ACCOUNT.replace("Your account", "Staging"))
    return Response(401, "<h1>401</h1>", {"WWW-Authenticate": 'Basic realm="staging"'})


def _gated(request: Received) -> Response:
    if request.headers.get("x-api-key") == API_KEY:
        return Response(200, ACCOUNT.replace("Your account", "Partner area"))
    return Response(403, "<h1>403</h1>")


def _items(request: Received) -> Response:
    token = parse_qs(urlsplit(request.path).query).get("token")
    if token != [TOKEN]:
        return Response(401, "[]", {"Content-Type": "application/json"})
    items = json.dumps([f"item {n}" for n in range(30)])
    return Response(200, items, {"Content-Type": "application/json"})


def _tracker(request: Received) -> Response:
    """A third party's script: 400 ms of main-thread work, then a pixel of its own."""
    pixel = f"http://{request.headers['host']}/pixel.svg"
    script = "const end = performance.now() + 400; while (performance.now() < end) {}"
    return Response(
        200, f"{script}\nnew Image().src = '{pixel}';", {"Content-Type": "text/javascript"}
    )


@dataclass
class AuthSite:
    """The site, and the second origin its third-party page pulls a script from."""

    site: ServedSite
    third_party: ServedSite

    def url(self, path: str) -> str:
        return self.site.url(path)

    def requests(self, path: str, method: str = "GET") -> list[Received]:
        return [
            r for r in self.site.requests if urlsplit(r.path).path == path and r.method == method
        ]


@pytest.fixture(scope="module")
def auth_site(serve: Serve) -> Iterator[AuthSite]:
    third_party = serve(
        {"pixel.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"}, {"/tracker.js": _tracker}
    )
    tracker = third_party.url("/tracker.js")
    files = {
        "account.css": "h1 { color: navy }",
        "account.js": "document.title += ' (signed in)';",
        "photo.svg": "<svg xmlns='http://www.w3.org/2000/svg' width='200' height='100'/>",
        "app.html": APP,
        "third-party.html": html("News", "<p>Story</p>", f"<script src='{tracker}'></script>"),
        "spa-login.html": html(
            "App login",
            f"<button id=go onclick=\"localStorage.setItem('token', '{TOKEN}');"
            " location.href = '/app.html'\">Log in</button>",
        ),
    }
    routes = {
        "/login": _login,
        "/account": _account,
        "/basic": _basic,
        "/gated": _gated,
        "/api/items": _items,
    }
    yield AuthSite(serve(files, routes), third_party)


# --------------------------------------------------------------------------- logins


async def form_login(base_url: str, user: str, password: str, page: Any) -> None:
    """Log in through the site's form (a module-level function: it pickles for dask)."""
    await page.goto(base_url + "/login")
    await page.fill("#user", user)
    await page.fill("#password", password)
    async with page.expect_navigation():
        await page.click("button")


async def spa_login(base_url: str, page: Any) -> None:
    """The app's login: a button that writes the token to localStorage."""
    await page.goto(base_url + "/spa-login.html")
    await page.click("#go")
    await page.wait_for_url("**/app.html")


def token_state(site: AuthSite) -> dict[str, Any]:
    """A storage state with the app's token in its origin's localStorage."""
    items = [{"name": "token", "value": TOKEN}]
    return {"cookies": [], "origins": [{"origin": site.site.base_url, "localStorage": items}]}


def login_for(site: AuthSite, password: str = PASSWORD) -> functools.partial[Any]:
    return functools.partial(form_login, site.site.base_url, USER, password)


def test_a_login_runs_once_per_batch_unmeasured_and_every_page_is_logged_in(
    auth_site: AuthSite,
) -> None:
    urls = [auth_site.url(f"/account?n={n}") for n in range(4)]
    anonymous = psdata.analyze(urls[:1], **QUICK)
    assert anonymous.loc[0, "final_url"].endswith("/login?next=/account")  # not logged in
    assert pd.isna(anonymous.loc[0, "error"])  # no login_url: a silent redirect, as before
    posts = len(auth_site.requests("/login", "POST"))
    forms = len(auth_site.requests("/login"))

    frame = psdata.analyze(urls, login=login_for(auth_site), **QUICK)
    assert frame["error"].isna().all(), frame["error"].tolist()
    assert frame["final_url"].tolist() == urls  # every page measured logged in
    assert len(auth_site.requests("/login", "POST")) == posts + 1  # one login for 4 pages
    assert len(auth_site.requests("/login")) == forms + 1  # its form page: loaded once...
    assert not frame["url"].str.contains("/login").any()  # ...and not measured
    assert (frame["request_count"] > anonymous.loc[0, "request_count"]).all()
    assert frame.attrs["psdata"]["settings"]["auth"]["options"] == ["login"]


def test_a_relaunched_browser_keeps_the_session_without_a_new_login(auth_site: AuthSite) -> None:
    """The login's session goes with every context, not with the browser that ran it."""
    psdata.shutdown()  # the shared browser killed below is one this test starts
    earlier = {p.pid for p in browser_processes()}
    crashes = psdata.pool_stats()["browser_crashes"]
    urls = [auth_site.url(f"/account?relaunch={n}") for n in range(5)]
    posts = len(auth_site.requests("/login", "POST"))
    killed: list[int] = []

    def killer() -> None:  # once two measured pages were served, kill the browser
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if sum("relaunch" in r.path for r in auth_site.site.requests) >= 2:
                break
            time.sleep(0.05)
        for process in browser_processes():
            if process.pid not in earlier:
                with contextlib.suppress(psutil.Error):
                    process.kill()
                    killed.append(process.pid)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        frame = psdata.analyze(urls, login=login_for(auth_site), concurrency=2, **QUICK)
    finally:
        thread.join()
    assert killed and psdata.pool_stats()["browser_crashes"] >= crashes + 1
    assert frame["error"].isna().all(), frame["error"].tolist()
    assert frame["final_url"].tolist() == urls  # logged in before and after the relaunch
    assert (frame["attempts"] > 1).any()  # a page was in flight when the browser died
    assert len(auth_site.requests("/login", "POST")) == posts + 1


def test_the_login_page_is_an_auth_error_with_login_url_and_a_warning_without(
    auth_site: AuthSite,
) -> None:
    url = auth_site.url("/account")
    stale = {"cookies": [{"name": "session", "value": "expired", "url": auth_site.url("/")}]}
    frame = psdata.analyze([url], storage_state=stale, login_url="/login", **QUICK)
    assert frame.loc[0, "error_type"] == "auth"
    assert auth_site.url("/login?next=/account") in frame.loc[0, "error"]
    assert pd.isna(frame.loc[0, "performance"]) and pd.isna(frame.loc[0, "lcp_ms"])
    record = psdata.run_analysis(url, storage_state=stale, login_url="/login", **QUICK)
    assert record["error_type"] == "auth" and record["request_count"] is None
    assert record["details"]["observed"]["request_count"] >= 1  # the login page, as it was seen
    warned = psdata.analyze([url], storage_state=stale, **QUICK)
    assert pd.isna(warned.loc[0, "error"]) and pd.notna(warned.loc[0, "performance"])
    assert "redirected to another path" in warned.loc[0, "warnings"]
    assert "login_url=" in warned.loc[0, "warnings"]


def test_a_login_that_stays_on_the_login_page_fails_the_batch(auth_site: AuthSite) -> None:
    with pytest.raises(psdata.LoginError, match="still the login page"):
        psdata.analyze(
            [auth_site.url("/account")],
            login=login_for(auth_site, password="wrong"),
            login_url="/login",
            **QUICK,
        )


# --------------------------------------------------------------------------- storage state, cookies


def test_a_storage_state_file_logs_every_page_in_and_fills_local_storage(
    auth_site: AuthSite, tmp_path: Path
) -> None:
    state = {
        "cookies": [{"name": "session", "value": SESSION, "domain": "127.0.0.1", "path": "/",
                     "expires": -1, "httpOnly": True, "secure": False, "sameSite": "Lax"}],
        "origins": [{"origin": auth_site.site.base_url,
                     "localStorage": [{"name": "token", "value": TOKEN}]}],
    }  # fmt: skip
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state), encoding="utf-8")
    urls = [auth_site.url("/account"), auth_site.url("/app.html")]
    before = len(auth_site.requests("/api/items"))
    logged_in = psdata.analyze(urls, storage_state=path, **QUICK)
    anonymous = psdata.analyze(urls, **QUICK)
    assert logged_in["error"].isna().all(), logged_in["error"].tolist()
    assert logged_in.loc[0, "final_url"] == urls[0]
    assert anonymous.loc[0, "final_url"].endswith("/login?next=/account")
    # The app read its token from localStorage before its own scripts ran, and fetched.
    assert len(auth_site.requests("/api/items")) == before + 1
    assert logged_in.loc[1, "request_count"] == anonymous.loc[1, "request_count"] + 1


def test_a_login_that_writes_local_storage_is_every_pages_session(auth_site: AuthSite) -> None:
    before = len(auth_site.requests("/api/items"))
    login = functools.partial(spa_login, auth_site.site.base_url)
    urls = [auth_site.url(f"/app.html?n={n}") for n in range(2)]
    frame = psdata.analyze(urls, login=login, **QUICK)
    assert frame["error"].isna().all(), frame["error"].tolist()
    # the login page's own app load fetched once; each measured page once more
    assert len(auth_site.requests("/api/items")) == before + 3


@pytest.mark.parametrize(
    "cookies",
    [f"session={SESSION}; theme=dark", [{"name": "session", "value": SESSION}]],
    ids=["string", "host-free dicts"],
)
def test_cookies_for_each_pages_host(auth_site: AuthSite, cookies: Any) -> None:
    frame = psdata.analyze([auth_site.url("/account")], cookies=cookies, **QUICK)
    assert frame.loc[0, "final_url"] == auth_site.url("/account"), frame.loc[0, "error"]
    sent = auth_site.requests("/account")[-1]
    assert _cookie(sent, "session") == SESSION


# --------------------------------------------------------------------------- headers, basic auth


def test_headers_open_a_page_that_needs_one(auth_site: AuthSite) -> None:
    url = auth_site.url("/gated")
    without = psdata.analyze([url], **QUICK)
    assert without.loc[0, "error_type"] == "http" and without.loc[0, "status"] == 403
    before = len(auth_site.requests("/account.css"))
    frame = psdata.analyze([url], headers={"X-Api-Key": API_KEY}, **QUICK)
    assert pd.isna(frame.loc[0, "error"]) and frame.loc[0, "status"] == 200
    # The measured load's requests carry it, as Lighthouse's --extra-headers. (Not the
    # stylesheet's revalidation after it, when the CSS usage collection enables DevTools'
    # CSS domain: Chromium may send one, and without the extra headers.)
    assert auth_site.requests("/account.css")[before].headers["x-api-key"] == API_KEY


def test_http_credentials_for_the_pages_origin(auth_site: AuthSite) -> None:
    url = auth_site.url("/basic")
    without = psdata.analyze([url], **QUICK)
    assert without.loc[0, "error_type"] == "auth"
    assert "give http_credentials=(user, password)" in without.loc[0, "error"]
    frame = psdata.analyze([url], http_credentials=(USER, BASIC_PASSWORD), **QUICK)
    assert pd.isna(frame.loc[0, "error"]) and frame.loc[0, "status"] == 200
    wrong = psdata.analyze([url], http_credentials=(USER, "nope"), **QUICK)
    assert wrong.loc[0, "error_type"] == "auth"
    assert "HTTP 401" in wrong.loc[0, "error"] and "nope" not in wrong.loc[0, "error"]
    elsewhere = {"username": USER, "password": BASIC_PASSWORD, "origin": "https://other.example"}
    other = psdata.analyze([url], http_credentials=elsewhere, **QUICK)
    assert other.loc[0, "error_type"] == "auth"  # credentials for the wrong host: not sent
    assert "for its origin" in other.loc[0, "error"]
    assert "authorization" not in auth_site.requests("/basic")[-1].headers


# --------------------------------------------------------------------------- blocked requests


def test_blocked_url_patterns_leave_a_third_party_out(auth_site: AuthSite) -> None:
    url = auth_site.url("/third-party.html")
    tracker = auth_site.third_party
    with_it = psdata.analyze([url], **FAST, throttling="provided")
    fetched = len(tracker.requests)
    assert fetched >= 2  # the script and its pixel
    pattern = f"*127.0.0.1:{tracker.port}/*"
    without = psdata.analyze([url], blocked_url_patterns=[pattern], **FAST, throttling="provided")
    assert len(tracker.requests) == fetched  # not one request reached the third party
    assert without.loc[0, "long_tasks_ms"] < 400 <= with_it.loc[0, "long_tasks_ms"]
    assert without.loc[0, "total_bytes"] < with_it.loc[0, "total_bytes"]
    assert without.attrs["psdata"]["settings"]["blocked_url_patterns"] == [pattern]
    blocked = psdata.run_analysis(url, blocked_url_patterns=pattern, **QUICK, skip_cache=True)
    failed = [r for r in blocked["details"]["requests"] if r["failed"] is not None]
    assert [r["url"] for r in failed] == [tracker.url("/tracker.js")]


def test_a_pattern_that_blocks_the_page_itself_is_that_rows_error(auth_site: AuthSite) -> None:
    urls = [auth_site.url("/third-party.html"), auth_site.url("/app.html")]
    frame = psdata.analyze(urls, blocked_url_patterns="third-party", **QUICK)
    assert frame.loc[0, "error_type"] == "network"
    assert "block the page itself" in frame.loc[0, "error"]
    assert pd.isna(frame.loc[1, "error"])  # the batch went on


# --------------------------------------------------------------------------- secrets


def _store_text(cache_dir: Path) -> str:
    """Every value of the store's tables (details decompressed) and its files' bytes."""
    import zlib

    parts = []
    with sqlite3.connect(cache_dir / "results.sqlite3") as db:
        for row in db.execute("SELECT * FROM results"):
            parts += [zlib.decompress(v).decode() if isinstance(v, bytes) else repr(v) for v in row]
    parts += [path.read_bytes().decode("latin-1") for path in cache_dir.iterdir()]
    return "\n".join(parts)


def test_secrets_never_leave_memory(
    auth_site: AuthSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    state = token_state(auth_site)
    urls = [auth_site.url(p) for p in ("/account", "/app.html", "/gated", "/basic")]
    options = {**FAST, "cache_dir": tmp_path / "cache"}  # all four categories
    frame = psdata.analyze(
        urls,
        login=login_for(auth_site),
        storage_state=state,
        headers={"X-Api-Key": API_KEY},
        http_credentials=(USER, BASIC_PASSWORD),
        **options,
    )
    assert frame["error"].isna().all(), frame["error"].tolist()
    assert frame["performance"].notna().all()
    # Each secret was used: the site saw it.
    assert _cookie(auth_site.requests("/account")[-1], "session") == SESSION
    assert auth_site.requests("/api/items")[-1].path.endswith(TOKEN)  # in a measured URL
    assert auth_site.requests("/gated")[-1].headers["x-api-key"] == API_KEY
    assert (
        BASIC_PASSWORD
        in base64.b64decode(
            auth_site.requests("/basic")[-1].headers["authorization"].split()[1]
        ).decode()
    )
    record = psdata.run_analysis(urls[1], **options, storage_state=state)  # from the store
    parquet = psdata.to_parquet(frame, tmp_path / "scores.parquet")
    audits = psdata.audits(frame, cache_dir=tmp_path / "cache")
    assert len(audits) > 50
    places = {
        "store": _store_text(tmp_path / "cache"),
        "parquet": parquet.read_bytes().decode("latin-1"),
        "log": caplog.text,
        "frame": frame.to_csv() + repr(frame.attrs) + repr(audits.to_dict("records")),
        "record": repr(record),
    }
    for secret in SECRETS:
        for place, text in places.items():
            assert secret not in text, (secret, place)
    assert "[redacted]" in places["store"]  # the token's URL, the session's cookies
    key = tmp_path / "cache" / "results.sqlite3.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_authenticated_and_anonymous_results_are_cached_apart(
    auth_site: AuthSite, tmp_path: Path
) -> None:
    url = auth_site.url("/account?cache")
    options = {**QUICK, "cache_dir": tmp_path}
    anonymous = psdata.analyze([url], **options)
    session = f"session={SESSION}"
    logged_in = psdata.analyze([url], cookies=session, **options)
    assert not logged_in.loc[0, "from_cache"]  # not the anonymous row
    assert logged_in.loc[0, "final_url"] == url != anonymous.loc[0, "final_url"]
    again = psdata.analyze([url], cookies=session, **options)
    assert again.loc[0, "from_cache"] and again.loc[0, "final_url"] == url
    other = psdata.analyze([url], cookies="session=someone-else", **options)
    assert not other.loc[0, "from_cache"]  # another user's session: measured apart
    back = psdata.analyze([url], **options)
    assert back.loc[0, "from_cache"] and back.loc[0, "final_url"] == anonymous.loc[0, "final_url"]
    assert SESSION not in _store_text(tmp_path)


# --------------------------------------------------------------------------- refused, bad input


@pytest.mark.parametrize("engine", ["psi", "crux"])
def test_remote_engines_refuse_the_options(engine: str) -> None:
    for options in ({"headers": {"X-A": "1"}}, {"cookies": "a=1"}, {"blocked_url_patterns": "x"}):
        with pytest.raises(psdata.ConfigurationError, match=f"engine='{engine}' cannot use it"):
            psdata.analyze(["https://example.com"], engine=engine, **options)


def test_bad_input_gets_a_clear_error_without_the_secret(tmp_path: Path) -> None:
    bad_json = tmp_path / "state.json"
    bad_json.write_text('{"cookies": [' + SESSION, encoding="utf-8")
    cases = [
        ({"storage_state": tmp_path / "missing.json"}, "storage_state: no file at"),
        ({"storage_state": bad_json}, "is not a JSON file"),
        ({"storage_state": {"cookies": [{"name": "s", "value": SESSION}]}}, "needs a url"),
        ({"headers": {"X-Key": f"{API_KEY}\r\nX-Evil: 1"}}, "line break"),
        ({"headers": {"Bad Name": API_KEY}}, "not a header name"),
        ({"cookies": f"{SESSION}"}, "is not name=value"),
        ({"cookies": [{"name": "s", "value": SESSION, "domain": "a.example"}]}, "needs a url"),
        ({"http_credentials": (f"{USER}:x", PASSWORD)}, "cannot contain ':'"),
        ({"http_credentials": PASSWORD}, "(user, password) pair"),
        ({"blocked_url_patterns": ["*"]}, "blocks every request"),
        ({"blocked_url_patterns": ["ads .js"]}, "would never match"),
        ({"login": "mysite:login"}, "async function"),
        ({"login_url": "login"}, "not a URL, a path"),
    ]
    for options, message in cases:
        with pytest.raises(psdata.ConfigurationError, match=re.escape(message)) as caught:
            psdata.analyze(["https://example.com"], **options)
        for secret in SECRETS:
            assert secret not in str(caught.value), (options, secret)


async def failing_login(page: Any) -> None:
    raise RuntimeError(f"the form was not there (token {TOKEN})")


async def slow_login(page: Any) -> None:
    await asyncio.sleep(60)


def sync_login(page: Any) -> None:
    """Not async: refused when called."""


@pytest.mark.parametrize(
    ("login", "message"),
    [
        (failing_login, "login= failed, so no page was measured: RuntimeError: the form"),
        (slow_login, "did not finish within the 5 s timeout"),
        (sync_login, "must be an async function"),
    ],
    ids=["raises", "times out", "not async"],
)
def test_a_failed_login_fails_the_batch_before_any_page_and_keeps_what_was_stored(
    auth_site: AuthSite, tmp_path: Path, login: Any, message: str
) -> None:
    stored = auth_site.url("/app.html?stored")
    state = token_state(auth_site)
    options = {**QUICK, "timeout": 5.0, "cache_dir": tmp_path, "storage_state": state}
    psdata.analyze([stored], **options)
    fresh = auth_site.url("/app.html?fresh")
    before = len(auth_site.site.requests)
    with pytest.raises(psdata.LoginError, match=message) as caught:
        psdata.analyze([stored, fresh], **options, login=login)
    assert TOKEN not in str(caught.value)  # the login's own message, its secrets hidden
    assert not any("fresh" in r.path for r in auth_site.site.requests[before:])
    assert psdata.cache_info(cache_dir=tmp_path)["rows"] == 1  # nothing stored is lost
    again = psdata.analyze([stored], **options)
    assert again.loc[0, "from_cache"]


def test_a_login_that_cannot_pickle_is_refused_for_dask() -> None:
    import dask.dataframe as dd

    lock = threading.Lock()

    async def locked_login(page: Any) -> None:
        with lock:
            await page.goto("about:blank")

    series = dd.from_pandas(pd.Series(["https://example.com"]), npartitions=1)
    with pytest.raises(psdata.ConfigurationError, match="login= must pickle"):
        psdata.analyze(series, login=locked_login, **QUICK)


def test_on_a_dask_cluster_each_worker_logs_in_once(auth_site: AuthSite, tmp_path: Path) -> None:
    import dask.dataframe as dd
    import distributed

    urls = pd.Series([auth_site.url(f"/account?dask={n}") for n in range(8)], name="url")
    posts = len(auth_site.requests("/login", "POST"))
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            env={"PSDATA_CACHE_DIR": str(tmp_path / "workers")},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        lazy = psdata.analyze(
            dd.from_pandas(urls, npartitions=4), login=login_for(auth_site), **QUICK
        )
        got = client.compute(lazy).result(timeout=300)
    assert got["error"].isna().all(), got["error"].tolist()
    assert got["final_url"].tolist() == urls.tolist()  # every page logged in
    workers = set(got["worker"])
    # once per worker process, not once per partition (4) nor per page (8)
    assert len(auth_site.requests("/login", "POST")) - posts == len(workers) <= 2


# --------------------------------------------------------------------------- command line


def test_the_cli_reads_secrets_from_files_or_the_environment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "headers.txt").write_text(f"X-Api-Key: {API_KEY}\n", encoding="utf-8")
    (tmp_path / "cookies.txt").write_text(f"session={SESSION}", encoding="utf-8")
    (tmp_path / "state.json").write_text('{"cookies": [], "origins": []}', encoding="utf-8")
    monkeypatch.setenv("PSDATA_HTTP_CREDENTIALS", f"{USER}:{BASIC_PASSWORD}")
    argv = ["analyze", "urls.txt", "--headers-file", str(tmp_path / "headers.txt"),
            "--cookies-file", str(tmp_path / "cookies.txt"), "--storage-state",
            str(tmp_path / "state.json"), "--login", "test_auth:spa_login",
            "--blocked-url-patterns", "*ads*", "*.mp4", "--login-url", "/login"]  # fmt: skip
    options = cli.analyze_options(cli.build_parser().parse_args(argv))
    assert options["headers"] == {"X-Api-Key": API_KEY}
    assert options["cookies"] == ({"name": "session", "value": SESSION},)
    assert options["http_credentials"] == {"username": USER, "password": BASIC_PASSWORD}
    assert options["login"] is spa_login and options["login_url"] == "/login"
    assert options["blocked_url_patterns"] == ["*ads*", "*.mp4"]
    assert options["storage_state"] == tmp_path / "state.json"


@pytest.mark.parametrize("flag", ["--headers", "--cookies", "--http-credentials"])
def test_a_secret_as_a_cli_argument_is_refused_unechoed(flag: str, tmp_path: Path) -> None:
    write_urls(tmp_path / "urls.txt", ["http://127.0.0.1:9/"])
    done = psdata_cli("analyze", "urls.txt", flag, SESSION, cwd=tmp_path)
    assert done.returncode == 2 and "never a command-line argument" in done.stderr
    assert SESSION not in done.stderr + done.stdout


def test_the_cli_measures_logged_in_and_prints_no_secret(
    auth_site: AuthSite, tmp_path: Path
) -> None:
    write_urls(tmp_path / "urls.txt", [auth_site.url("/account"), auth_site.url("/basic")])
    (tmp_path / "cookies.txt").write_text(f"session={SESSION}\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_text(f"X-Api-Key {API_KEY}\n", encoding="utf-8")
    env = {"PSDATA_HTTP_CREDENTIALS": f"{USER}:{BASIC_PASSWORD}"}
    done = psdata_cli("analyze", "urls.txt", "--cookies-file", "cookies.txt", "-o", "out.parquet",
                      "--categories", "performance", "--login-url", "/login", *QUICK_FLAGS,
                      cwd=tmp_path, env=env)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    frame = pd.read_parquet(tmp_path / "out.parquet")
    assert frame["status"].tolist() == [200, 200]
    bad = psdata_cli("analyze", "urls.txt", "--headers-file", "bad.txt", cwd=tmp_path)
    assert bad.returncode == 2 and "line 1 is not 'Name: value'" in bad.stderr
    parquet = (tmp_path / "out.parquet").read_bytes().decode("latin-1")
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr + bad.stderr + parquet
