"""PageSpeed Insights API v5 and Chrome UX Report (CrUX) API backend.

:class:`PSIClient` talks to both APIs over one :class:`httpx.AsyncClient`, with bounded
concurrency, retries (``429`` honouring ``Retry-After``, ``5xx``, network errors and
timeouts, with exponential backoff and full jitter) and errors translated to psdata's
exception tree. :func:`record_from_psi` and :func:`record_from_crux` are pure functions
from the APIs' JSON to psdata records; :func:`analyze_psi` and :func:`analyze_crux`
combine the two for one URL.

The API key never appears in an exception message, a log line or a URL shown to the user:
every text that might hold it goes through :meth:`PSIClient.redact`, and httpx's own
request log lines are redacted by a filter on the ``httpx`` logger.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import math
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from .._errors import AnalysisError, ConfigurationError, PageTimeoutError, QuotaError, ServiceError
from .._frame import FIELD_METRICS, STRATEGIES, join_warnings, make_row, observed
from .._lighthouse import CATEGORIES, CATEGORY_IDS, WEB_VITALS_THRESHOLDS
from .._request import Request
from .._retry import RetryPolicy
from .interface import Measure

__all__ = [
    "ATTEMPTS_KEY",
    "CRUX",
    "PSI",
    "PSIClient",
    "analyze_crux",
    "analyze_psi",
    "record_from_crux",
    "record_from_psi",
]

log = logging.getLogger("psdata.engines.psi")

PSI_ENDPOINT = "https://www.googleapis.com/pagespeedonline/v5/runPagespeed"
CRUX_ENDPOINT = "https://chromeuxreport.googleapis.com/v1/records:queryRecord"

#: Key added to the JSON returned by :meth:`PSIClient.run_pagespeed` and
#: :meth:`PSIClient.query_crux`: how many HTTP attempts the answer took.
ATTEMPTS_KEY = "psdata_attempts"

#: psdata category name → (PSI request value, Lighthouse category id).
_CATEGORY_IDS: dict[str, tuple[str, str]] = {
    name: (name.upper(), CATEGORY_IDS[name]) for name in CATEGORIES
}

#: Lighthouse audit id → (psdata column, key in the ``metrics`` audit's summary item).
#: Old Lighthouse versions (as PSI returned them) have no ``numericValue`` on audits;
#: the summary of the ``metrics`` audit then still holds the values.
_LAB_AUDITS: dict[str, tuple[str, str]] = {
    "first-contentful-paint": ("fcp_ms", "firstContentfulPaint"),
    "largest-contentful-paint": ("lcp_ms", "largestContentfulPaint"),
    "speed-index": ("speed_index_ms", "speedIndex"),
    "total-blocking-time": ("tbt_ms", "totalBlockingTime"),
    "cumulative-layout-shift": ("cls", "cumulativeLayoutShift"),
    "server-response-time": ("ttfb_ms", "timeToFirstByte"),
    "interactive": ("tti_ms", "interactive"),
}

#: PSI ``loadingExperience`` metric → (psdata column, divisor of its ``percentile``).
_PSI_FIELD: dict[str, tuple[str, int]] = {
    "LARGEST_CONTENTFUL_PAINT_MS": ("field_lcp_ms", 1),
    "INTERACTION_TO_NEXT_PAINT": ("field_inp_ms", 1),
    "EXPERIMENTAL_INTERACTION_TO_NEXT_PAINT": ("field_inp_ms", 1),
    "CUMULATIVE_LAYOUT_SHIFT_SCORE": ("field_cls", 100),
    "FIRST_CONTENTFUL_PAINT_MS": ("field_fcp_ms", 1),
    "EXPERIMENTAL_TIME_TO_FIRST_BYTE": ("field_ttfb_ms", 1),
}

#: CrUX API metric → psdata column of its p75 (categorised by the Web Vitals thresholds).
_CRUX_FIELD: dict[str, str] = {
    "largest_contentful_paint": "field_lcp_ms",
    "interaction_to_next_paint": "field_inp_ms",
    "cumulative_layout_shift": "field_cls",
    "first_contentful_paint": "field_fcp_ms",
    "experimental_time_to_first_byte": "field_ttfb_ms",
}

_FIELD_COLUMNS: tuple[str, ...] = (
    *FIELD_METRICS,
    *(f"{name}_category" for name in FIELD_METRICS),
    "field_source",
)
_FORM_FACTORS = {"mobile": "PHONE", "desktop": "DESKTOP"}
_QUOTA_REASONS = frozenset(
    {
        "rateLimitExceeded",
        "userRateLimitExceeded",
        "dailyLimitExceeded",
        "quotaExceeded",
        "RATE_LIMIT_EXCEEDED",
        "RESOURCE_EXHAUSTED",
    }
)
_KEY_PARAM = re.compile(r"([?&]key=)[^&#\s'\"]*", re.IGNORECASE)

Sleep = Callable[[float], Awaitable[object]]
#: HTTP attempts of one API request: 4, with backoff up to a minute (quota windows).
API_RETRY = RetryPolicy(max_attempts=4, backoff_s=1.0, backoff_max_s=60.0)


class _RedactKeyFilter(logging.Filter):
    """Blank ``key=...`` query parameters in httpx's "HTTP Request: GET <url>" lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _KEY_PARAM.search(message):
            record.msg, record.args = _KEY_PARAM.sub(r"\1REDACTED", message), ()
        return True


_HTTPX_LOG_FILTER = _RedactKeyFilter()


class PSIClient:
    """Async client of the PageSpeed Insights v5 and CrUX APIs.

    Parameters
    ----------
    key : str, optional
        Google API key; defaults to the ``PSDATA_PSI_KEY`` environment variable. PSI
        works without one at low volume; CrUX needs one.
    endpoint, crux_endpoint : str
        The APIs' URLs (tests point them at a local server).
    timeout : float
        Seconds to wait for one HTTP answer (PSI runs Lighthouse: allow a minute or two).
    max_concurrency : int, optional
        Requests in flight at once, retries and their waits included (default: no bound
        of its own; a psdata batch bounds its jobs itself).
    retry : RetryPolicy
        HTTP attempts per request (the first one included) and the backoff between
        them (:class:`~psdata._retry.RetryPolicy`, psdata's one retry policy). A
        ``Retry-After`` is honoured instead, unless longer than the policy's
        ``backoff_max_s``: then the request fails at once.
    sleep : callable
        ``await sleep(seconds)`` between attempts (injectable for tests).

    Examples
    --------
    >>> async def main() -> dict:
    ...     async with PSIClient(key="...") as client:
    ...         return await analyze_psi(client, "https://example.com", "mobile")
    >>> asyncio.run(main())["performance"]  # doctest: +SKIP
    100
    """

    def __init__(
        self,
        *,
        key: str | None = None,
        endpoint: str = PSI_ENDPOINT,
        crux_endpoint: str = CRUX_ENDPOINT,
        timeout: float = 120,
        max_concurrency: int | None = None,
        retry: RetryPolicy = API_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if (max_concurrency is not None and max_concurrency < 1) or retry.max_attempts < 1:
            raise ConfigurationError("max_concurrency and max_attempts must be at least 1")
        self._key = key or os.environ.get("PSDATA_PSI_KEY") or None
        self.endpoint = endpoint
        self.crux_endpoint = crux_endpoint
        self.timeout = timeout
        self.retry = retry
        self._sleep = sleep
        self._semaphore: contextlib.AbstractAsyncContextManager[Any] = (
            asyncio.Semaphore(max_concurrency) if max_concurrency else contextlib.nullcontext()
        )
        self._client = httpx.AsyncClient(timeout=timeout)
        logging.getLogger("httpx").addFilter(_HTTPX_LOG_FILTER)

    def __repr__(self) -> str:
        key = "set" if self._key else "none"
        return f"<PSIClient endpoint={self.endpoint!r} key={key}>"

    async def __aenter__(self) -> PSIClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the underlying HTTP client.

        >>> asyncio.run(PSIClient().aclose())
        """
        await self._client.aclose()

    @property
    def has_key(self) -> bool:
        """Whether an API key is configured (CrUX requires one).

        >>> PSIClient(key="k").has_key
        True
        """
        return self._key is not None

    def redact(self, text: str) -> str:
        """*text* with the API key and any ``key=`` query value replaced by ``REDACTED``.

        >>> PSIClient(key="s3cret").redact("GET /v5?url=x&key=s3cret failed; s3cret")
        'GET /v5?url=x&key=REDACTED failed; REDACTED'
        """
        text = _KEY_PARAM.sub(r"\1REDACTED", text)
        return text.replace(self._key, "REDACTED") if self._key else text

    async def run_pagespeed(
        self, url: str, strategy: str = "mobile", categories: Iterable[str] = CATEGORIES
    ) -> dict[str, Any]:
        """Run PageSpeed Insights on *url*; return the API's JSON (plus :data:`ATTEMPTS_KEY`).

        Parameters
        ----------
        url : str
            The page to analyse.
        strategy : {"mobile", "desktop"}
        categories : iterable of str
            psdata category names (``performance``, ``accessibility``,
            ``best_practices``, ``seo``).

        Raises
        ------
        QuotaError
            Rate limit or quota exceeded (``429`` after retries, ``403`` quota reasons).
        ServiceError
            Any other API error, with the API's message and HTTP ``status``.
        PageTimeoutError
            No answer within *timeout* seconds, on every attempt.

        Every raised error holds the number of HTTP attempts made in
        ``error.partial["attempts"]``.

        Examples
        --------
        >>> async def main() -> dict:
        ...     async with PSIClient() as client:
        ...         return await client.run_pagespeed("https://example.com", "desktop")
        >>> asyncio.run(main())["lighthouseResult"]["finalUrl"]  # doctest: +SKIP
        'https://example.com/'
        """
        if strategy not in STRATEGIES:
            raise ConfigurationError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
        params = [("url", url), ("strategy", strategy)]
        for name in categories:
            if name not in _CATEGORY_IDS:
                raise ConfigurationError(f"unknown category {name!r}; use {CATEGORIES}")
            params.append(("category", _CATEGORY_IDS[name][0]))
        if self._key:
            params.append(("key", self._key))
        response, attempts = await self._send(
            "PageSpeed Insights", self.endpoint, url, "GET", params=params
        )
        return self._json(response, url, attempts)

    async def query_crux(self, url: str, form_factor: str = "PHONE") -> dict[str, Any] | None:
        """The CrUX record of *url*, else of its origin; ``None`` when neither has data.

        Parameters
        ----------
        url : str
            The page whose real-user data is wanted.
        form_factor : {"PHONE", "DESKTOP", "TABLET"}

        Returns
        -------
        dict or None
            The CrUX API's JSON (``record.key`` says ``url`` or ``origin``,
            ``record.metrics.<metric>.percentiles.p75``) plus :data:`ATTEMPTS_KEY`,
            counting the attempts of both queries.

        Examples
        --------
        >>> async def main() -> dict | None:
        ...     async with PSIClient(key="...") as client:
        ...         return await client.query_crux("https://example.com/", "DESKTOP")
        >>> asyncio.run(main())["record"]["key"]  # doctest: +SKIP
        {'formFactor': 'DESKTOP', 'origin': 'https://example.com'}
        """
        parts = urlsplit(url)
        attempts = 0
        for query in ({"url": url}, {"origin": f"{parts.scheme}://{parts.netloc}"}):
            body = {**query, "formFactor": form_factor.upper()}
            params = [("key", self._key)] if self._key else []
            response, used = await self._send(
                "CrUX", self.crux_endpoint, url, "POST", params=params, json=body
            )
            attempts += used
            if response.status_code != 404:
                return self._json(response, url, attempts, service="CrUX")
            log.debug("CrUX has no data for %s", query)
        return None

    async def _send(
        self, service: str, endpoint: str, page_url: str, method: str, **request: Any
    ) -> tuple[httpx.Response, int]:
        """Send one API request with retries; return the final response and attempts made.

        The final response is anything but ``429`` and ``5xx``; when those (or network
        errors) persist for the retry policy's attempts, the translated error is raised. httpx's
        exception is deliberately not chained to it: its request URL holds the key.
        """
        attempt = 0
        async with self._semaphore:
            while True:
                attempt += 1
                delay = self.retry.delay(attempt)
                try:
                    response = await self._client.request(method, endpoint, **request)
                except httpx.TransportError as exc:
                    failure = self._transport_error(service, page_url, exc)
                else:
                    if response.status_code != 429 and response.status_code < 500:
                        return response, attempt
                    failure = self._status_error(service, page_url, response)
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                    if retry_after is not None:
                        delay = retry_after
                if attempt >= self.retry.max_attempts or delay > self.retry.backoff_max_s:
                    raise _with_attempts(failure, attempt)
                log.warning(
                    "%s attempt %d/%d for %s failed (%s); retrying in %.1f s",
                    service, attempt, self.retry.max_attempts, page_url, failure, delay,
                )  # fmt: skip
                await self._sleep(delay)

    def _transport_error(
        self, service: str, page_url: str, exc: httpx.TransportError
    ) -> AnalysisError:
        if isinstance(exc, httpx.TimeoutException):
            message = f"{service} did not answer within {self.timeout:g} s"
            return PageTimeoutError(message, url=page_url)
        detail = self.redact(f"{type(exc).__name__}: {exc}")
        return ServiceError(f"{service} unreachable: {detail}", url=page_url)

    def _status_error(self, service: str, page_url: str, response: httpx.Response) -> ServiceError:
        """The psdata error for an API error answer (Google's ``{"error": ...}`` body)."""
        status = response.status_code
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            error = None
        if not isinstance(error, dict):
            error = {"message": response.text[:200] or response.reason_phrase}
        reasons = {str(error.get("status"))}
        for item in [*(error.get("errors") or []), *(error.get("details") or [])]:
            if isinstance(item, dict):
                reasons.add(str(item.get("reason")))
        message = self.redact(f"{service}: HTTP {status}: {error.get('message')}")
        quota = status == 429 or (status == 403 and not reasons.isdisjoint(_QUOTA_REASONS))
        kind = QuotaError if quota else ServiceError
        return kind(message, url=page_url, status=status)

    def _json(
        self,
        response: httpx.Response,
        page_url: str,
        attempts: int,
        service: str = "PageSpeed Insights",
    ) -> dict[str, Any]:
        """The JSON object of a final response, or the translated API error."""
        if response.status_code != 200:
            raise _with_attempts(self._status_error(service, page_url, response), attempts)
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            message = f"{service} answered something other than a JSON object"
            error = ServiceError(message, url=page_url, status=response.status_code)
            raise _with_attempts(error, attempts)
        data[ATTEMPTS_KEY] = attempts
        return data


def _with_attempts(error: AnalysisError, attempts: int) -> AnalysisError:
    """*error* with the number of HTTP attempts made in its partial record."""
    error.partial["attempts"] = attempts
    return error


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _number(value: Any) -> float | None:
    """*value* as a float when it is a number (or a numeric string), else ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def record_from_psi(
    response: Mapping[str, Any], strategy: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Map a PSI v5 ``runPagespeed`` response to a psdata record and its details.

    Parameters
    ----------
    response : Mapping
        The API's JSON (``lighthouseResult``, ``loadingExperience``, ...).
    strategy : {"mobile", "desktop"}

    Returns
    -------
    record : dict
        Keyed by :data:`psdata._frame.COLUMNS`: scores 0..100, lab metrics from the
        audits' ``numericValue``, field data from ``loadingExperience``. A Lighthouse
        ``runtimeError`` becomes ``error`` / ``error_type="service"``, with no score
        and no lab metric (those the report had are in the details' ``observed``).
    details : dict
        ``{"categories": {name: {"score", "audits": [{"id", "title", "score",
        "weight", "display_mode", "numeric_value", "details"}]}}, "requests": [...],
        "lhr": ...}``: scores 0..1 as Lighthouse writes them, each audit's ``numericValue``
        and ``details.items``, the ``network-requests`` audit's rows as the lab engine's
        request list (``url``, ``resource_type``, ``transfer_size``, ``protocol``), and
        ``lhr``, Google's Lighthouse report as it came (``psdata.to_lhr``).

    Examples
    --------
    >>> response = {"lighthouseResult": {
    ...     "finalUrl": "https://example.com/",
    ...     "categories": {"seo": {"score": 0.92, "auditRefs": [{"id": "viewport", "weight": 1}]}},
    ...     "audits": {"viewport": {"title": "Has a viewport", "score": 1,
    ...                             "scoreDisplayMode": "binary"},
    ...                "speed-index": {"numericValue": 1234.5}}}}
    >>> record, details = record_from_psi(response, "mobile")
    >>> record["seo"], record["speed_index_ms"], record["field_source"]
    (92, 1234.5, 'none')
    >>> details["categories"]["seo"]["audits"][0]["title"]
    'Has a viewport'
    """
    lhr: Mapping[str, Any] = response.get("lighthouseResult") or {}
    audits: Mapping[str, Any] = lhr.get("audits") or {}
    values: dict[str, Any] = {
        "engine": "psi",
        "throttling": "simulate",
        "final_url": lhr.get("finalDisplayedUrl") or lhr.get("finalUrl"),
        "attempts": response.get(ATTEMPTS_KEY),
    }
    details: dict[str, Any] = {"categories": {}, "lhr": lhr}
    scores: dict[str, float | None] = {}
    categories: Mapping[str, Any] = lhr.get("categories") or {}
    for name, (_, lighthouse_id) in _CATEGORY_IDS.items():
        category = categories.get(lighthouse_id)
        if category is None:
            continue
        scores[name] = score = _number(category.get("score"))
        details["categories"][name] = {
            "score": score,
            "audits": [
                _audit(ref, audits.get(ref.get("id")) or {})
                for ref in category.get("auditRefs") or []
            ],
        }

    summaries = ((audits.get("metrics") or {}).get("details") or {}).get("items") or [{}]
    for audit_id, (column, summary_key) in _LAB_AUDITS.items():
        value = _number((audits.get(audit_id) or {}).get("numericValue"))
        values[column] = value if value is not None else _number(summaries[0].get(summary_key))
    # TTFB is Lighthouse 10+'s metric (navigation start → first byte), as in the lab
    # engine; older reports only have the server response time.
    ttfb = _number(summaries[0].get("timeToFirstByte"))
    if ttfb is not None:
        values["ttfb_ms"] = ttfb
    values["total_bytes"] = _number((audits.get("total-byte-weight") or {}).get("numericValue"))
    requests = _items(audits.get("network-requests") or {})
    if requests:
        values["request_count"] = len(requests)
        main = [item for item in requests if item.get("url") == values["final_url"]]
        values["status"] = _number(main[0].get("statusCode")) if main else None
        details["requests"] = [_request(item) for item in requests]

    error = lhr.get("runtimeError")
    if not lhr:
        values.update(error="PageSpeed Insights returned no lighthouseResult", error_type="service")
    elif error and error.get("code") != "NO_ERROR":
        values.update(error=f"{error.get('code')}: {error.get('message')}", error_type="service")
    values.update(_field_from_psi(response.get("loadingExperience")))
    warnings = map(str, lhr.get("runWarnings") or [])
    url = lhr.get("requestedUrl") or response.get("id")
    row = make_row(url, strategy, values, scores=scores, warnings=warnings)
    if row["error"] is not None and (seen := observed(values)):
        details["observed"] = seen  # the row has no metric: what the run saw stays here
    return dict(row), details


def _audit(ref: Mapping[str, Any], audit: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": ref.get("id"),
        "title": audit.get("title"),
        "score": _number(audit.get("score")),
        "weight": _number(ref.get("weight")),
        "display_mode": audit.get("scoreDisplayMode"),
        "numeric_value": _number(audit.get("numericValue")),
        "numeric_unit": audit.get("numericUnit"),
        "details": _items(audit),
    }


def _items(audit: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of an audit's ``details.items`` (tables, lists, opportunities)."""
    items = (audit.get("details") or {}).get("items")
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _request(item: Mapping[str, Any]) -> dict[str, Any]:
    """A ``network-requests`` row in the lab engine's request-list shape."""
    return {
        "url": item.get("url"),
        "resource_type": item.get("resourceType"),
        "transfer_size": _number(item.get("transferSize")) or 0,
        "protocol": item.get("protocol"),
    }


def _field_from_psi(experience: Mapping[str, Any] | None) -> dict[str, Any]:
    """Field columns from PSI's ``loadingExperience`` (all NA and source "none" if empty)."""
    experience = experience or {}
    field: dict[str, Any] = dict.fromkeys(_FIELD_COLUMNS)
    for name, metric in (experience.get("metrics") or {}).items():
        percentile = _number(metric.get("percentile"))
        if name in _PSI_FIELD and percentile is not None:
            column, divisor = _PSI_FIELD[name]
            field[column] = percentile / divisor
            field[f"{column}_category"] = metric.get("category")
    if not any(field[name] is not None for name in FIELD_METRICS):
        field["field_source"] = "none"
    else:
        field["field_source"] = "crux-origin" if experience.get("origin_fallback") else "psi"
    return field


def record_from_crux(crux: Mapping[str, Any] | None, url: object, strategy: str) -> dict[str, Any]:
    """Map a CrUX API ``queryRecord`` response (or ``None``: no data) to a psdata record.

    Only the field columns are filled: p75 values (CrUX sends CLS as a string) and their
    FAST / AVERAGE / SLOW category by the Web Vitals thresholds (p75 at most the
    "good" bound is FAST, at most the "poor" bound AVERAGE, above it SLOW).
    ``field_source`` is ``crux-url`` or ``crux-origin`` after ``record.key``.

    Examples
    --------
    >>> crux = {"record": {"key": {"origin": "https://example.com"}, "metrics": {
    ...     "cumulative_layout_shift": {"percentiles": {"p75": "0.12"}}}}}
    >>> record = record_from_crux(crux, "https://example.com/a", "mobile")
    >>> record["field_cls"], record["field_cls_category"], record["field_source"]
    (0.12, 'AVERAGE', 'crux-origin')
    """
    values: dict[str, Any] = {
        "engine": "crux",
        "field_source": "none",
        "attempts": (crux or {}).get(ATTEMPTS_KEY),
    }
    data: Mapping[str, Any] = (crux or {}).get("record") or {}
    for name, metric in (data.get("metrics") or {}).items():
        p75 = _number((metric.get("percentiles") or {}).get("p75"))
        if name not in _CRUX_FIELD or p75 is None:
            continue
        column = _CRUX_FIELD[name]
        good, poor = WEB_VITALS_THRESHOLDS[column.removeprefix("field_")]
        values[column] = p75
        values[f"{column}_category"] = (
            "FAST" if p75 <= good else "AVERAGE" if p75 <= poor else "SLOW"
        )
    if any(values.get(name) is not None for name in FIELD_METRICS):
        values["field_source"] = "crux-url" if "url" in data.get("key", {}) else "crux-origin"
    return dict(make_row(url, strategy, values))


async def analyze_psi(
    client: PSIClient,
    url: str,
    strategy: str = "mobile",
    categories: Iterable[str] = CATEGORIES,
    *,
    with_crux_fallback: bool = True,
) -> dict[str, Any]:
    """Score *url* with PageSpeed Insights; return its record plus a ``details`` key.

    When PSI has no field data for the page and the client has a key, the CrUX API is
    asked (URL, then origin) if *with_crux_fallback*; a CrUX failure becomes a warning.
    API errors are raised (see :meth:`PSIClient.run_pagespeed`); a Lighthouse
    ``runtimeError`` is data in the record's ``error`` column.

    Examples
    --------
    >>> async def main() -> dict:
    ...     async with PSIClient(key="...") as client:
    ...         return await analyze_psi(client, "https://example.com", "mobile", ["seo"])
    >>> asyncio.run(main())["seo"]  # doctest: +SKIP
    100
    """
    started, clock = datetime.now(UTC), time.perf_counter()
    response = await client.run_pagespeed(url, strategy, categories)
    record, details = record_from_psi(response, strategy)
    record["url"] = url
    if with_crux_fallback and client.has_key and record["field_source"] == "none":
        try:
            crux = await client.query_crux(url, _FORM_FACTORS[strategy])
        except AnalysisError as exc:
            log.warning("CrUX fallback for %s failed: %s", url, exc)
            record["warnings"] = join_warnings([record["warnings"], str(exc)])
        else:
            field = record_from_crux(crux, url, strategy)
            record.update({name: field[name] for name in _FIELD_COLUMNS})
    record.update(started_at=started, duration_s=time.perf_counter() - clock)
    return {**record, "details": details}


async def analyze_crux(client: PSIClient, url: str, strategy: str = "mobile") -> dict[str, Any]:
    """The field-only (engine ``crux``) record of *url*: CrUX URL data, else origin data.

    Examples
    --------
    >>> async def main() -> dict:
    ...     async with PSIClient(key="...") as client:
    ...         return await analyze_crux(client, "https://example.com/", "desktop")
    >>> asyncio.run(main())["field_source"]  # doctest: +SKIP
    'crux-origin'
    """
    if strategy not in STRATEGIES:
        raise ConfigurationError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
    started, clock = datetime.now(UTC), time.perf_counter()
    record = record_from_crux(await client.query_crux(url, _FORM_FACTORS[strategy]), url, strategy)
    record.update(started_at=started, duration_s=time.perf_counter() - clock)
    return record


#: Requests in flight at once for the remote APIs (PSI allows about 4 per second per key).
REMOTE_CONCURRENCY = 4


class RemoteEngine:
    """The ``psi`` and ``crux`` engines of the engine table: Google's APIs, no browser."""

    def __init__(self, field_only: bool) -> None:
        self.field_only = field_only

    def settings(self, request: Request) -> dict[str, Any]:
        """Nothing beyond the categories changes what the APIs answer."""
        return {}

    def default_concurrency(self, throttling: str) -> int:
        """Requests in flight at once when the caller names no ``concurrency``."""
        return REMOTE_CONCURRENCY

    @contextlib.asynccontextmanager
    async def session(self, request: Request) -> AsyncIterator[Measure]:
        """One HTTP client for the batch (the key from the request or the environment)."""
        options: dict[str, Any] = {"key": request.options["psi_key"]}
        if endpoint := request.options["psi_endpoint"]:
            options["endpoint"] = endpoint
        if crux_endpoint := request.options["crux_endpoint"]:
            options["crux_endpoint"] = crux_endpoint
        async with PSIClient(**options) as client:

            async def measure(
                url: str, strategy: str, categories: tuple[str, ...]
            ) -> dict[str, Any]:
                if self.field_only:
                    return await analyze_crux(client, url, strategy)
                return await analyze_psi(client, url, strategy, categories)

            yield measure


PSI = RemoteEngine(field_only=False)
CRUX = RemoteEngine(field_only=True)
