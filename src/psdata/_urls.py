"""Checking and normalising input URLs before anything is fetched.

Rules (documented in docs/results.md): only ``http`` and ``https`` are measured; surrounding
whitespace is stripped; the scheme and host are lower-cased; a bare host such as
``example.com/path`` is taken as ``https://example.com/path`` (as a browser's address
bar does); non-ASCII host names are IDNA-encoded; URLs over Chromium's 2 MB limit are
refused. Every other input raises :class:`~psdata.InvalidURLError`.
"""

from __future__ import annotations

import ipaddress
import math
import re
from urllib.parse import urlsplit, urlunsplit

from ._errors import InvalidURLError

MAX_URL_LENGTH = 2 * 1024 * 1024
ALLOWED_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_PORT = re.compile(r"\d+([/?#]|$)")
_HOST = re.compile(r"^(localhost|[^\s/?#@:]+\.[^\s/?#@:]+)(:\d+)?([/?#]|$)", re.IGNORECASE)
#: Second-level labels under which sites register (``example.co.uk``), for
#: :func:`registrable_domain`.
_SECOND_LEVEL_LABELS = frozenset({"ac", "co", "com", "edu", "gov", "go", "ne", "net", "or", "org"})


def normalize_url(raw: object) -> str:
    """Return *raw* as a normalised http(s) URL, or raise :class:`InvalidURLError`.

    >>> normalize_url("  HTTPS://Example.COM/Path ")
    'https://example.com/Path'
    >>> normalize_url("example.com/a")
    'https://example.com/a'
    >>> normalize_url("file:///etc/passwd")
    Traceback (most recent call last):
    psdata._errors.InvalidURLError: Only http and https URLs are measured, not 'file:'.
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        raise InvalidURLError("Missing URL (empty cell).")
    if not isinstance(raw, str):
        raise InvalidURLError(f"A URL must be text, got {type(raw).__name__}.")
    text = raw.strip()
    if not text:
        raise InvalidURLError("Empty URL.")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidURLError(f"URL is {len(text):,} characters, over Chromium's 2 MB limit.")
    scheme = _SCHEME.match(text)
    if scheme is not None and _PORT.match(text, scheme.end()):
        scheme = None  # "example.com:8080/x" is a host and port, not a scheme
    if scheme is None:
        if not _HOST.match(text):
            raise InvalidURLError(f"Not a URL: {_short(text)!r}.")
        text = "https://" + text
    elif scheme.group(1).lower() not in ALLOWED_SCHEMES:
        name = scheme.group(1).lower()
        raise InvalidURLError(f"Only http and https URLs are measured, not {name + ':'!r}.")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(f"Malformed URL {_short(text)!r}: {exc}.") from None
    if not host or any(ch.isspace() for ch in text):
        raise InvalidURLError(f"Not a URL: {_short(text)!r}.")
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise InvalidURLError(f"Invalid host name {host!r}.") from None
    if ":" in ascii_host:  # IPv6 literal
        ascii_host = f"[{ascii_host}]"
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    if parts.username or parts.password:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit(
        (parts.scheme.lower(), netloc, parts.path or "/", parts.query, parts.fragment)
    )


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def registrable_domain(host: str) -> str:
    """The site a host belongs to (first-party test), approximated without the suffix list.

    An IP address is its own site; otherwise the last two labels, or three under a
    country code's common second level (``co.uk``, ``com.au``...).

    >>> registrable_domain("cdn.example.co.uk"), registrable_domain("a.b.example.com")
    ('example.co.uk', 'example.com')
    >>> registrable_domain("127.0.0.1")
    '127.0.0.1'
    """
    host = host.strip("[]").lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.split(".")
    country = len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL_LABELS
    return ".".join(labels[-3:] if country else labels[-2:])
