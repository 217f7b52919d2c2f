"""The authentication and request options: their checks, and the rules they follow.

Each ``check_*`` function turns what a caller may pass into its checked value, or raises
:class:`ConfigurationError` without repeating a secret (a cookie's or header's value, a
password). A checked value is itself a valid input (checking twice changes nothing), so
checked values can travel to dask workers. The ``*_from_text`` functions read the forms
the command line takes from a file or the environment.

Two pattern rules, both public facts:

- ``blocked_url_patterns`` follow Lighthouse's ``--blocked-url-patterns``, which hands
  them to Chromium's ``Network.setBlockedURLs``: ``*`` matches any string (empty too),
  and a pattern matches anywhere in the URL, as if it began and ended with ``*``
  (:func:`blocks`).
- ``login_url`` is a URL, a path (``/login``) or a pattern with ``*``, compared with the
  whole final URL without its query and fragment (:func:`is_login_page`).

>>> blocks("analytics.js", "https://cdn.example/v2/analytics.js?id=1")
True
>>> is_login_page(("/login",), "https://shop.example/login?next=/cart")
True
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._errors import ConfigurationError

#: ``login=``: an async function of a Playwright page.
Login = Callable[[Any], Awaitable[None]]

#: An HTTP header name (RFC 9110's token).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_SAME_SITE = ("Strict", "Lax", "None")


def _fail(option: str, problem: str) -> ConfigurationError:
    return ConfigurationError(f"{option}: {problem}")


def _printable(text: str, forbidden: str) -> bool:
    """Whether *text* has only printable characters, none of them in *forbidden*."""
    return all(c.isprintable() and c not in forbidden for c in text)


def _http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# --------------------------------------------------------------------------- cookies


def _check_cookie(cookie: object, option: str, where: str, *, host_free: bool) -> dict[str, Any]:
    """One cookie dict, checked; *host_free*: one without url or domain is allowed."""
    if not isinstance(cookie, Mapping):
        raise _fail(option, f"{where} is not a dict (name, value, and url or domain and path)")
    name, value = cookie.get("name"), cookie.get("value")
    if not isinstance(name, str) or not name or not _printable(name, "=; "):
        raise _fail(option, f"{where} needs a name without spaces, '=' or ';'")
    if not isinstance(value, str) or not _printable(value, ";"):
        raise _fail(option, f"cookie {name!r} needs a text value without ';' or line breaks")
    url, domain, path = cookie.get("url"), cookie.get("domain"), cookie.get("path")
    if url is not None and (domain is not None or path is not None):
        raise _fail(option, f"cookie {name!r} has a url and a domain or path: give one")
    if url is not None and not _http_url(url):
        raise _fail(option, f"cookie {name!r}: url must be an http(s) URL")
    placed = url is not None or (isinstance(domain, str) and isinstance(path, str))
    if not placed and (not host_free or domain is not None or path is not None):
        raise _fail(option, f"cookie {name!r} needs a url, or a domain and a path")
    expires = cookie.get("expires", -1)
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        raise _fail(option, f"cookie {name!r}: expires must be a number (-1: a session cookie)")
    if cookie.get("sameSite", "Lax") not in _SAME_SITE:
        raise _fail(option, f"cookie {name!r}: sameSite must be one of {', '.join(_SAME_SITE)}")
    return dict(cookie)


def check_cookies(
    value: str | Sequence[Mapping[str, Any]] | None,
) -> tuple[dict[str, Any], ...] | None:
    """``cookies=``: cookie dicts, or a ``name=value; ...`` string for each page's host.

    A dict with a ``url``, or a ``domain`` and ``path``, is set as given (Playwright's
    ``add_cookies`` form); one with only a name and a value is set for the host of each
    measured page, as the string's cookies are.

    >>> check_cookies("session=abc123; theme=dark")
    ({'name': 'session', 'value': 'abc123'}, {'name': 'theme', 'value': 'dark'})
    >>> check_cookies("session")
    Traceback (most recent call last):
    ...
    psdata._errors.ConfigurationError: cookies: part 1 of the cookie string is not name=value
    """
    if value is None:
        return None
    if isinstance(value, str):
        pairs = [part.strip() for part in value.split(";") if part.strip()]
        cookies = []
        for number, pair in enumerate(pairs, 1):
            name, equals, text = pair.partition("=")
            if not equals or not name.strip():
                raise _fail("cookies", f"part {number} of the cookie string is not name=value")
            cookie = {"name": name.strip(), "value": text.strip()}
            cookies.append(_check_cookie(cookie, "cookies", f"part {number}", host_free=True))
        if not cookies:
            raise _fail("cookies", "the cookie string is empty")
        return tuple(cookies)
    if isinstance(value, Mapping) or not isinstance(value, Sequence):
        raise _fail("cookies", "give a list of cookie dicts or a 'name=value; ...' string")
    return tuple(
        _check_cookie(cookie, "cookies", f"cookie #{number}", host_free=True)
        for number, cookie in enumerate(value, 1)
    )


def cookies_for_host(cookies: Iterable[Mapping[str, Any]], page_url: str) -> list[dict[str, Any]]:
    """The host-free cookies (name and value only) set for *page_url*'s host, path ``/``.

    >>> cookies_for_host([{"name": "a", "value": "1"}], "https://shop.example/cart?x=1")
    [{'name': 'a', 'value': '1', 'url': 'https://shop.example/'}]
    """
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}/"
    return [{**c, "url": root} for c in cookies]


# --------------------------------------------------------------------------- storage state


def check_storage_state(
    value: str | os.PathLike[str] | Mapping[str, Any] | None,
) -> dict[str, Any] | None:
    """``storage_state=``: a Playwright storage state (a dict, or the path of its JSON file).

    Returns ``{"cookies": [...], "origins": [...]}``, read and checked; an origin's
    ``localStorage`` items are ``{"name", "value"}`` dicts (``indexedDB`` is kept as given).

    >>> check_storage_state({"cookies": [], "origins": []})
    {'cookies': [], 'origins': []}
    >>> check_storage_state("/nonexistent/state.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    psdata._errors.ConfigurationError: storage_state: no file at /nonexistent/state.json ...
    """
    if value is None:
        return None
    if isinstance(value, str | os.PathLike):
        value = _read_state(Path(value).expanduser())
    if not isinstance(value, Mapping):
        raise _fail("storage_state", "give a Playwright storage state (a dict) or its file")
    cookies, origins = value.get("cookies", []), value.get("origins", [])
    if not isinstance(cookies, list) or not isinstance(origins, list):
        raise _fail("storage_state", "'cookies' and 'origins' must be lists")
    checked = [
        _check_cookie(c, "storage_state", f"cookie #{n}", host_free=False)
        for n, c in enumerate(cookies, 1)
    ]
    return {"cookies": checked, "origins": [_check_origin(o, n) for n, o in enumerate(origins, 1)]}


def _read_state(path: Path) -> Any:
    if not path.is_file():
        raise _fail(
            "storage_state",
            f"no file at {path} (save one with context.storage_state(path=...): see docs/auth.md)",
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail("storage_state", f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise _fail("storage_state", f"{path} is not a JSON file{where}") from None


def _check_origin(origin: object, number: int) -> dict[str, Any]:
    where = f"origin #{number}"
    if not isinstance(origin, Mapping) or not _http_url(origin.get("origin")):
        raise _fail("storage_state", f"{where} needs an 'origin' such as https://example.com")
    items = origin.get("localStorage", [])
    pairs = isinstance(items, list) and all(
        isinstance(i, Mapping)
        and isinstance(i.get("name"), str)
        and isinstance(i.get("value"), str)
        for i in items
    )
    if not pairs:
        raise _fail("storage_state", f"{where}: 'localStorage' must be a list of name/value dicts")
    return dict(origin)


# --------------------------------------------------------------------------- headers, credentials


def check_headers(value: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers=``: extra HTTP headers for every request (Lighthouse's ``--extra-headers``).

    >>> check_headers({"X-Test": "yes"})
    {'X-Test': 'yes'}
    >>> check_headers({"X-Test": "a\\r\\nSet-Cookie: b"})
    Traceback (most recent call last):
    ...
    psdata._errors.ConfigurationError: headers: the value of 'X-Test' has a line break or \
another character outside printable ASCII
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise _fail("headers", "give a dict of header names to values")
    for name, text in value.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise _fail("headers", f"{name!r} is not a header name")
        if not isinstance(text, str):
            raise _fail("headers", f"the value of {name!r} must be text")
        if any(not (" " <= c <= "~" or c == "\t") for c in text):
            raise _fail(
                "headers",
                f"the value of {name!r} has a line break or another character outside"
                " printable ASCII",
            )
    return dict(value)


def check_credentials(
    value: tuple[str, str] | Sequence[str] | Mapping[str, str] | None,
) -> dict[str, str] | None:
    """``http_credentials=``: HTTP (basic) authentication, a ``(user, password)`` pair.

    Or a dict with ``username``, ``password`` and an ``origin`` the credentials are for
    (Playwright's form); a pair is sent to the origin of each measured page.

    >>> check_credentials(("ann", "s3cret"))
    {'username': 'ann', 'password': 's3cret'}
    """
    if value is None:
        return None
    if isinstance(value, Mapping):
        given = dict(value)
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        given = {"username": value[0], "password": value[1]}
    else:
        raise _fail("http_credentials", "give a (user, password) pair, or a dict with"
                    " username, password and optionally origin")  # fmt: skip
    user, password = given.get("username"), given.get("password")
    if not isinstance(user, str) or not isinstance(password, str) or not user:
        raise _fail("http_credentials", "the user name and the password must be text")
    if ":" in user:
        raise _fail("http_credentials", "the user name cannot contain ':' (basic authentication)")
    unknown = set(given) - {"username", "password", "origin"}
    if unknown:
        raise _fail("http_credentials", f"unknown keys {', '.join(sorted(unknown))}")
    origin = given.get("origin")
    if origin is not None and not (_http_url(origin) and urlsplit(origin).path in ("", "/")):
        raise _fail("http_credentials", "origin must be scheme://host[:port], such as"
                    " https://staging.example.com")  # fmt: skip
    return given


# --------------------------------------------------------------------------- patterns


def _strings(value: str | Sequence[str], option: str) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not all(isinstance(i, str) for i in items) or not items:
        raise _fail(option, "give a string or a non-empty list of strings")
    return tuple(items)


def check_blocked(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """``blocked_url_patterns=``: requests to leave out, by Lighthouse's wildcard rules.

    >>> check_blocked("*google-analytics.com*")
    ('*google-analytics.com*',)
    >>> check_blocked(["*"])
    Traceback (most recent call last):
    ...
    psdata._errors.ConfigurationError: blocked_url_patterns: '*' blocks every request, \
the page too
    """
    if value is None:
        return None
    patterns = _strings(value, "blocked_url_patterns")
    for pattern in patterns:
        if not pattern.strip("*"):
            raise _fail("blocked_url_patterns", f"{pattern!r} blocks every request, the page too")
        if any(c.isspace() or not c.isprintable() for c in pattern):
            raise _fail(
                "blocked_url_patterns",
                f"{pattern!r} has a space or control character, which no URL has: it would"
                " never match",
            )
    return patterns


def blocks(pattern: str, url: str) -> bool:
    """Whether Chromium's ``Network.setBlockedURLs`` blocks *url* for *pattern*.

    ``*`` matches any string; the pattern may match anywhere in the URL.

    >>> blocks("*.woff2", "https://a.example/font.woff2"), blocks("a*c", "xxabyycxx")
    (True, True)
    >>> blocks("c*a", "abc")
    False
    """
    return re.search(".*".join(re.escape(part) for part in pattern.split("*")), url) is not None


def check_login_url(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """``login_url=``: the login page, as URLs, paths or ``*`` patterns (see the module).

    >>> check_login_url("https://shop.example/login")
    ('https://shop.example/login',)
    """
    if value is None:
        return None
    patterns = _strings(value, "login_url")
    for pattern in patterns:
        if not (_http_url(pattern) or pattern.startswith("/") or "*" in pattern):
            raise _fail("login_url", f"{pattern!r} is not a URL, a path (/login) or a * pattern")
    return patterns


def _without_query(url: str) -> tuple[str, str]:
    """*url* without query and fragment, and its path; a trailing ``/`` dropped from both."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return f"{parts.scheme}://{parts.netloc.lower()}{path}", path


def is_login_page(patterns: Iterable[str], final_url: str) -> bool:
    """Whether *final_url* is the login page *patterns* describe.

    >>> is_login_page(("https://a.example/login",), "https://a.example/login/?next=/x")
    True
    >>> is_login_page(("*/sign-in*",), "https://id.example/sign-in/form"), is_login_page(
    ...     ("/login",), "https://a.example/login-help")
    (True, False)
    """
    url, path = _without_query(final_url)
    for pattern in patterns:
        if "*" in pattern:
            wanted, target = pattern, (path if pattern.startswith("/") else url)
        elif pattern.startswith("/"):
            wanted, target = _without_query(pattern)[1], path
        else:
            wanted, target = _without_query(pattern)[0], url
        if re.fullmatch(".*".join(re.escape(part) for part in wanted.split("*")), target):
            return True
    return False


def another_path(requested: str, final: str) -> bool:
    """Whether *final* is on another path than *requested* (query and trailing ``/`` aside).

    >>> another_path("https://a.example/account", "https://a.example/account/")
    False
    >>> another_path("https://a.example/account", "https://a.example/login?next=/account")
    True
    """
    return _without_query(requested)[1] != _without_query(final)[1]


# --------------------------------------------------------------------------- login


@dataclass(frozen=True)
class SharedLogin:
    """A ``login=`` function whose session the batches of one dask computation share.

    :mod:`psdata.dask` wraps the caller's function in it, so that each worker process
    logs in once for the whole computation (``token``), not once per partition.
    """

    function: Login
    token: str

    def __call__(self, page: Any) -> Awaitable[None]:
        return self.function(page)


def check_login(value: Login | None) -> Login | None:
    """``login=``: an async function ``(page) -> None`` that logs in (not called here).

    >>> async def log_in(page) -> None: ...
    >>> check_login(log_in) is log_in
    True
    """
    if value is not None and not callable(value):
        raise _fail("login", "give an async function of a Playwright page: async def login(page)")
    return value


def login_name(login: Login) -> str:
    """The dotted name of a ``login=`` function (how its results are told apart).

    >>> async def log_in(page) -> None: ...
    >>> login_name(SharedLogin(log_in, "t")), login_name(functools.partial(log_in, "ann"))
    ('psdata._auth.log_in', 'psdata._auth.log_in')
    """
    function: Any = login.function if isinstance(login, SharedLogin) else login
    while isinstance(function, functools.partial):  # partial(log_in, user): log_in's name
        function = function.func
    named = function if hasattr(function, "__qualname__") else type(function)
    return f"{named.__module__}.{named.__qualname__}".replace(".<locals>", "")


def import_login(spec: str) -> Login:
    """The function ``MODULE:FUNCTION`` names (``--login``), the current directory importable.

    >>> import_login("psdata._auth:check_login") is check_login
    True
    """
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise _fail("login", f"{spec!r} is not MODULE:FUNCTION (e.g. mysite.auth:login)")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        found: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise _fail("login", f"cannot import {spec}: {type(exc).__name__}: {exc}") from None
    if not callable(found):
        raise _fail("login", f"{spec} is not a function")
    login: Login = found
    return login


# --------------------------------------------------------------------------- text (CLI)


def headers_from_text(text: str) -> dict[str, str]:
    """``--headers-file`` / ``PSDATA_HEADERS``: a JSON object, or ``Name: value`` lines.

    >>> headers_from_text("X-Test: yes\\nX-Other: 1")
    {'X-Test': 'yes', 'X-Other': '1'}
    """
    if text.lstrip().startswith("{"):
        return check_headers(_json(text, "headers")) or {}
    headers = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise _fail("headers", f"line {number} is not 'Name: value'")
        headers[name.strip()] = value.strip()
    return check_headers(headers) or {}


def cookies_from_text(text: str) -> tuple[dict[str, Any], ...]:
    """``--cookies-file`` / ``PSDATA_COOKIES``: a JSON list of cookie dicts, or ``a=1; b=2``.

    >>> cookies_from_text('[{"name": "a", "value": "1", "url": "https://x.example"}]')[0]["url"]
    'https://x.example'
    """
    value = _json(text, "cookies") if text.lstrip().startswith("[") else text.strip()
    return check_cookies(value) or ()


def credentials_from_text(text: str) -> dict[str, str]:
    """``--http-credentials-file`` / ``PSDATA_HTTP_CREDENTIALS``: ``user:password`` or JSON.

    >>> credentials_from_text("ann:pa:ss\\n")
    {'username': 'ann', 'password': 'pa:ss'}
    """
    if text.lstrip().startswith("{"):
        return check_credentials(_json(text, "http_credentials")) or {}
    user, colon, password = text.strip().partition(":")
    if not colon:
        raise _fail("http_credentials", "write user:password (or a JSON object)")
    return check_credentials((user, password)) or {}


def _json(text: str, option: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(option, f"not valid JSON (line {exc.lineno})") from None
