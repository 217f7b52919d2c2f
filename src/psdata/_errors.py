"""The psdata exception tree.

::

    PsdataError                      root of everything psdata raises
    ├── ConfigurationError           a bad keyword value (also a ValueError)
    ├── BrowserNotFoundError         no usable Chromium; says how to get one
    ├── LoopThreadError              sync API called from psdata's own loop thread
    ├── PoolClosedError              the context pool was shut down
    ├── LoginError                   ``login=`` raised or timed out: no page was measured
    ├── SitemapError                 no page URL could be read from a site's sitemaps
    └── AnalysisError                one URL could not be scored (``error_type`` says why)
        ├── InvalidURLError          "invalid_url": not an http(s) URL; nothing fetched
        ├── NavigationError          "network": refused, unknown host, TLS, aborted
        ├── HTTPStatusError          "http": the document answered 4xx/5xx (not scored)
        ├── PageTimeoutError         "timeout": the page or a step took too long
        ├── PageCrashError           "crash": the renderer died
        ├── BrowserCrashError        "browser": the browser died or misbehaved
        ├── ServiceError             "service": a remote API (PSI, CrUX) failed
        │   └── QuotaError           "quota": the API's rate limit or quota
        ├── AuthError                "auth": the page was the login page, or refused the
        │                            credentials (HTTP 401)
        └── InternalError            "internal": a bug in psdata; please report it

A sitemap that cannot be read is a :class:`SitemapWarning` (a ``UserWarning``), not an
error, as long as other sitemaps of the site gave URLs.

Per-URL failures are data: ``analyze(..., errors="coerce")`` (the default) puts them in
the ``error`` / ``error_type`` columns; ``errors="raise"`` raises the first one.
"""

from __future__ import annotations

from typing import Any


class PsdataError(Exception):
    """Root of every exception psdata raises."""


class ConfigurationError(PsdataError, ValueError):
    """A keyword argument or setting has a value psdata cannot use."""


class BrowserNotFoundError(PsdataError):
    """No usable Chromium executable was found."""


class LoopThreadError(PsdataError, RuntimeError):
    """A blocking psdata call was made from psdata's own event-loop thread."""


class PoolClosedError(PsdataError, RuntimeError):
    """The context pool has been shut down and takes no more work."""


class LoginError(PsdataError):
    """The ``login=`` function raised or timed out; the batch measured no page."""


class SitemapError(PsdataError):
    """No page URL could be read from a site's sitemaps; the message says why for each."""


class SitemapWarning(UserWarning):
    """One sitemap (or robots.txt) could not be read, or only in part; the others were."""


class AnalysisError(PsdataError):
    """One URL could not be scored; ``error_type`` names the kind of failure."""

    error_type = "error"
    #: Whether trying again later may succeed (browser faults, flaky networks).
    transient = False

    def __init__(
        self, message: str, *, url: str | None = None, partial: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.url = url
        #: What was measured before the failure (status, final URL...), kept in the row.
        self.partial = partial or {}


class InvalidURLError(AnalysisError):
    """The input is not an http or https URL; nothing was fetched."""

    error_type = "invalid_url"


class NavigationError(AnalysisError):
    """The page could not be loaded: connection refused, unknown host, TLS, aborted."""

    error_type = "network"


class HTTPStatusError(AnalysisError):
    """The document answered with an HTTP error status; like Lighthouse, not scored."""

    error_type = "http"


class PageTimeoutError(AnalysisError):
    """The page, or one measurement step, did not finish in time."""

    error_type = "timeout"


class PageCrashError(AnalysisError):
    """The page's renderer process crashed (out of memory, for example)."""

    error_type = "crash"


class BrowserCrashError(AnalysisError):
    """The shared browser died or stopped answering during the measurement."""

    error_type = "browser"
    transient = True


class ServiceError(AnalysisError):
    """A remote API (PageSpeed Insights, CrUX) answered with an error."""

    error_type = "service"

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status


class QuotaError(ServiceError):
    """The remote API's rate limit or daily quota was exceeded."""

    error_type = "quota"


class AuthError(AnalysisError):
    """Logged in, the page still was the login page (``login_url=``) or answered HTTP 401."""

    error_type = "auth"


class InternalError(AnalysisError):
    """An unexpected error inside psdata: a bug worth reporting."""

    error_type = "internal"


#: Each per-URL error class by its ``error_type``, in the order of the column's categories.
ERROR_CLASSES: dict[str, type[AnalysisError]] = {
    cls.error_type: cls
    for cls in (
        InvalidURLError,
        NavigationError,
        HTTPStatusError,
        PageTimeoutError,
        PageCrashError,
        BrowserCrashError,
        ServiceError,
        QuotaError,
        AuthError,
        InternalError,
    )
}
ERROR_TYPES: tuple[str, ...] = tuple(ERROR_CLASSES)
