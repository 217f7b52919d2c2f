"""PageSpeed Insights / CrUX backend: mapping against recorded responses, and a real
local HTTP server scripted with the APIs' answers (errors, retries, hangs)."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import socket
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from conftest import Serve, load_fixture
from psdata._errors import ConfigurationError, PageTimeoutError, QuotaError, ServiceError
from psdata._frame import COLUMNS, build_frame
from psdata._retry import RetryPolicy
from psdata.demo.server import Received, Response, ServedSite
from psdata.engines import psi
from psdata.engines.psi import (
    PSIClient,
    analyze_crux,
    analyze_psi,
    record_from_crux,
    record_from_psi,
)

KEY = "AIzaTESTKEY-s3cr3t_value"
PAGE = "https://example.com/"


def load(name: str) -> dict[str, Any]:
    return dict(load_fixture(name))


@pytest.fixture(scope="module")
def v5() -> dict[str, Any]:
    return load("psi-v5-response.json")


@pytest.fixture(scope="module")
def lhr8() -> dict[str, Any]:
    return load("psi-lighthouse-result-8.0.0.json")


# --------------------------------------------------------------------------- server


@dataclass
class Answer:
    """One scripted answer: a JSON (dict) or text body, or a hang until the site closes."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    delay: float = 0.0


@dataclass
class Sent:
    """One request the client sent, as the fake API received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any


class FakeGoogle:
    """The PSI and CrUX APIs on a real local server (the ``serve`` fixture): ``/psi`` and
    ``/crux`` answer from scripts."""

    def __init__(self, site: ServedSite) -> None:
        self.site = site
        self.url = site.base_url
        self.scripts: dict[str, deque[Answer]] = {"/psi": deque(), "/crux": deque()}
        self.lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0
        site.routes.update({path: self._answer for path in self.scripts})

    def script(self, path: str, *answers: Answer) -> None:
        self.scripts[path].extend(answers)

    @property
    def received(self) -> list[Sent]:
        """Every request the fake APIs received, oldest first."""
        sent = []
        for request in self.site.requests:
            parts = urlsplit(request.path)
            body = json.loads(request.body) if request.body else None
            sent.append(Sent(request.method, parts.path, parse_qs(parts.query), body))
        return sent

    def requests(self, path: str) -> list[Sent]:
        return [r for r in self.received if r.path == path]

    def client(self, delays: list[float], **options: Any) -> PSIClient:
        async def sleep(seconds: float) -> None:
            delays.append(seconds)

        options = {"key": KEY, "sleep": sleep, **options}
        return PSIClient(endpoint=f"{self.url}/psi", crux_endpoint=f"{self.url}/crux", **options)

    def _answer(self, request: Received) -> Response | None:
        """The next scripted answer of the request's path (``None``: hang)."""
        script = self.scripts[urlsplit(request.path).path]
        answer = script.popleft() if script else Answer(500, {"error": {"message": "unscripted"}})
        if answer.hang:
            return None
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(answer.delay)
        with self.lock:
            self.in_flight -= 1
        body = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
        return Response(answer.status, body, {"Content-Type": "application/json", **answer.headers})


@pytest.fixture
def google(serve: Serve) -> Iterator[FakeGoogle]:
    site = serve()
    yield FakeGoogle(site)
    site.close()


def call(client: PSIClient, work: Callable[[PSIClient], Any]) -> Any:
    """Run ``await work(client)`` in a fresh loop, closing the client afterwards."""

    async def main() -> Any:
        async with client:
            return await work(client)

    return asyncio.run(main())


@pytest.fixture
def upper_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make full jitter deterministic: always wait the cap of the backoff window."""
    monkeypatch.setattr("psdata._retry.random.uniform", lambda low, high: high)


def google_error(code: int, message: str, reason: str, status: str) -> dict[str, Any]:
    errors = [{"message": message, "domain": "global", "reason": reason}]
    return {"error": {"code": code, "message": message, "errors": errors, "status": status}}


def assert_no_key(*texts: str) -> None:
    for text in texts:
        assert KEY not in text


def full_text(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error) + str(error)


# --------------------------------------------------------------------------- mapping


def test_v5_response_maps_value_by_value(v5: dict[str, Any]) -> None:
    record, details = record_from_psi(v5, "desktop")
    assert set(record) == set(COLUMNS)
    expected = {
        "url": "http://www.html5rocks.com/en/",
        "final_url": "https://www.html5rocks.com/en/",
        "strategy": "desktop",
        "engine": "psi",
        "throttling": "simulate",
        "status": 200,  # the network-requests row of the final URL (after a 301)
        "performance": 99,
        "accessibility": None,  # only performance was requested in this response
        "best_practices": None,
        "seo": None,
        # Lighthouse 4.1.0 audits have no numericValue: the metrics audit's summary
        "fcp_ms": 570.0,
        "speed_index_ms": 799.0,
        "lcp_ms": None,
        "tbt_ms": None,
        "cls": None,
        "ttfb_ms": None,
        "tti_ms": 570.0,
        "total_bytes": None,
        "request_count": 11,
        "field_fcp_ms": 2384.0,
        "field_fcp_ms_category": "AVERAGE",
        "field_lcp_ms": None,
        "field_lcp_ms_category": None,
        "field_inp_ms": None,
        "field_cls": None,
        "field_ttfb_ms": None,
        "field_source": "psi",  # no origin_fallback; FIRST_INPUT_DELAY_MS is ignored
        "error": None,
        "error_type": None,
        "warnings": None,
        "attempts": None,
    }
    assert {name: record[name] for name in expected} == expected
    performance = details["categories"]["performance"]
    assert performance["score"] == 0.99
    assert list(details["categories"]) == ["performance"]
    refs = v5["lighthouseResult"]["categories"]["performance"]["auditRefs"]
    assert [a["id"] for a in performance["audits"]] == [r["id"] for r in refs]
    assert performance["audits"][0] == {
        "id": "first-contentful-paint",
        "title": "First Contentful Paint",
        "score": 0.99,
        "weight": 3.0,
        "display_mode": "numeric",
        "numeric_value": None,  # Lighthouse 4.1.0 wrote rawValue, not numericValue
        "numeric_unit": None,
        "details": [],
    }
    requests = details["requests"]  # the network-requests rows, in the lab engine's shape
    assert len(requests) == 11 and requests[0]["url"] == "http://www.html5rocks.com/en/"
    assert sum(r["transfer_size"] for r in requests) == 119466


def test_lighthouse_8_with_origin_field_data(lhr8: dict[str, Any]) -> None:
    experience = load("loading-experience-origin.json")
    response = {"id": PAGE, "lighthouseResult": lhr8, "loadingExperience": experience}
    record, details = record_from_psi(response, "mobile")
    expected = {
        "url": "https://dkdevelopment.net/",
        "final_url": "https://dkdevelopment.net/",
        "status": 200,
        "performance": 71,
        "accessibility": 90,
        "best_practices": 100,
        "seo": 100,
        "fcp_ms": 3315.0,
        "lcp_ms": 5430.0,
        "speed_index_ms": 3315.0,
        "tbt_ms": 97.0,
        "cls": 0.0,
        "ttfb_ms": 19.556,
        "total_bytes": 656898.0,
        "request_count": 19,
        "field_lcp_ms": 4213.0,
        "field_lcp_ms_category": "SLOW",
        "field_inp_ms": 188.0,
        "field_inp_ms_category": "FAST",
        "field_cls": 0.12,
        "field_cls_category": "AVERAGE",
        "field_fcp_ms": 1402.0,
        "field_fcp_ms_category": "FAST",
        "field_ttfb_ms": 1530.0,
        "field_ttfb_ms_category": "AVERAGE",
        "field_source": "crux-origin",
        "error": None,
    }
    assert {name: record[name] for name in expected} == expected
    # The pwa category of this result is not a psdata category: left out, no failure.
    assert list(details["categories"]) == ["performance", "accessibility", "best_practices", "seo"]
    for name, lighthouse_id in [("best_practices", "best-practices"), ("seo", "seo")]:
        category = lhr8["categories"][lighthouse_id]
        got = details["categories"][name]
        assert got["score"] == category["score"]
        assert [(a["id"], a["weight"]) for a in got["audits"]] == [
            (r["id"], r["weight"]) for r in category["auditRefs"]
        ]
        for audit in got["audits"]:
            source = lhr8["audits"][audit["id"]]
            assert (audit["title"], audit["display_mode"]) == (
                source["title"],
                source["scoreDisplayMode"],
            )
            assert audit["numeric_value"] == source.get("numericValue")
            assert audit["details"] == source.get("details", {}).get("items", [])
    frame = build_frame([record])
    assert frame.loc[0, "field_source"] == "crux-origin"
    assert frame.loc[0, "best_practices"] == 100


def test_lighthouse_12_prefers_final_displayed_url() -> None:
    lhr = load("lighthouse-12.2.3-mobile-simulate.json")
    lhr["finalUrl"] = "http://127.0.0.1:8088/redirected"
    record, _ = record_from_psi({"lighthouseResult": lhr}, "mobile")
    assert record["final_url"] == lhr["finalDisplayedUrl"]
    assert (record["performance"], record["accessibility"], record["seo"]) == (96, 91, 92)
    assert record["ttfb_ms"] == lhr["audits"]["metrics"]["details"]["items"][0]["timeToFirstByte"]
    assert record["ttfb_ms"] != lhr["audits"]["server-response-time"]["numericValue"]
    assert record["field_source"] == "none"


def test_runtime_error_becomes_data(lhr8: dict[str, Any]) -> None:
    lhr = copy.deepcopy(lhr8)
    lhr["runtimeError"] = {"code": "NO_FCP", "message": "The page did not paint any content."}
    lhr["runWarnings"] = ["The page loaded too slowly.", "Redirected."]
    for category in lhr["categories"].values():
        category["score"] = None
    record, _ = record_from_psi({"lighthouseResult": lhr}, "mobile")
    assert record["error"] == "NO_FCP: The page did not paint any content."
    assert record["error_type"] == "service"
    assert record["performance"] is None
    assert record["warnings"] == "The page loaded too slowly.\nRedirected."


def test_unknown_and_missing_parts_do_not_break_mapping(lhr8: dict[str, Any]) -> None:
    lhr = copy.deepcopy(lhr8)
    lhr["categories"]["new-category"] = {"score": 0.5, "auditRefs": [{"id": "nope"}]}
    lhr["categories"]["seo"]["auditRefs"].append({"id": "audit-from-the-future", "weight": 2})
    lhr["audits"]["audit-from-the-future-2"] = {"score": "n/a", "numericValue": "x"}
    experience = {"metrics": {"NEW_METRIC_MS": {"percentile": 5, "category": "FAST"}}}
    record, details = record_from_psi(
        {"lighthouseResult": lhr, "loadingExperience": experience}, "mobile"
    )
    assert record["seo"] == 100
    assert details["categories"]["seo"]["audits"][-1]["title"] is None
    assert record["field_source"] == "none"

    empty, details = record_from_psi({}, "mobile")
    assert empty["error"] == "PageSpeed Insights returned no lighthouseResult"
    assert empty["error_type"] == "service"
    assert details == {"categories": {}, "lhr": {}}


def test_crux_record_for_a_url() -> None:
    record = record_from_crux(load("crux-url.json"), PAGE, "mobile")
    expected = {
        "url": PAGE,
        "engine": "crux",
        "field_cls": 0.05,  # a string in the API
        "field_cls_category": "FAST",
        "field_ttfb_ms": 1806.0,
        "field_ttfb_ms_category": "SLOW",
        "field_fcp_ms": 2318.0,
        "field_fcp_ms_category": "AVERAGE",
        "field_inp_ms": 153.0,
        "field_inp_ms_category": "FAST",
        "field_lcp_ms": 2500.0,
        "field_lcp_ms_category": "FAST",  # "good" is at most 2500 ms
        "field_source": "crux-url",
        "performance": None,
    }
    assert {name: record[name] for name in expected} == expected


def test_crux_record_for_an_origin_and_for_no_data() -> None:
    record = record_from_crux(load("crux-origin.json"), PAGE, "desktop")
    assert (record["field_cls"], record["field_cls_category"]) == (0.31, "SLOW")
    assert (record["field_lcp_ms"], record["field_lcp_ms_category"]) == (2870.0, "AVERAGE")
    assert record["field_inp_ms"] is None
    assert record["field_source"] == "crux-origin"
    nothing = record_from_crux(None, PAGE, "desktop")
    assert nothing["field_source"] == "none"
    assert nothing["field_lcp_ms"] is None


@pytest.mark.parametrize(
    ("metric", "p75", "category"),
    [
        ("largest_contentful_paint", 4000, "AVERAGE"),
        ("largest_contentful_paint", 4001, "SLOW"),
        ("interaction_to_next_paint", 200, "FAST"),
        ("interaction_to_next_paint", 500, "AVERAGE"),
        ("interaction_to_next_paint", 501, "SLOW"),
        ("cumulative_layout_shift", "0.10", "FAST"),
        ("cumulative_layout_shift", "0.25", "AVERAGE"),
        ("first_contentful_paint", 1801, "AVERAGE"),
        ("first_contentful_paint", 3001, "SLOW"),
        ("experimental_time_to_first_byte", 800, "FAST"),
        ("experimental_time_to_first_byte", 1800, "AVERAGE"),
    ],
)
def test_crux_category_thresholds(metric: str, p75: object, category: str) -> None:
    crux = {"record": {"key": {"url": PAGE}, "metrics": {metric: {"percentiles": {"p75": p75}}}}}
    record = record_from_crux(crux, PAGE, "mobile")
    column = psi._CRUX_FIELD[metric]
    assert record[f"{column}_category"] == category


# --------------------------------------------------------------------------- HTTP


def test_run_pagespeed_sends_the_documented_query(google: FakeGoogle, v5: dict[str, Any]) -> None:
    google.script("/psi", Answer(200, v5))
    delays: list[float] = []
    client = google.client(delays)
    categories = ["performance", "best_practices", "seo"]
    record = call(client, lambda c: analyze_psi(c, PAGE, "desktop", categories))
    (sent,) = google.requests("/psi")
    assert sent.method == "GET"
    assert sent.query == {
        "url": [PAGE],
        "strategy": ["desktop"],
        "category": ["PERFORMANCE", "BEST_PRACTICES", "SEO"],
        "key": [KEY],
    }
    assert google.requests("/crux") == []  # PSI had field data: no CrUX fallback
    assert (record["url"], record["performance"], record["attempts"]) == (PAGE, 99, 1)
    assert record["details"]["categories"]["performance"]["score"] == 0.99
    assert record["duration_s"] >= 0 and record["started_at"].tzinfo is UTC
    assert delays == []


def test_no_key_sends_no_key_param(
    google: FakeGoogle, v5: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PSDATA_PSI_KEY", raising=False)
    google.script("/psi", Answer(200, v5))
    client = google.client([], key=None)
    call(client, lambda c: c.run_pagespeed(PAGE, "mobile", ["seo"]))
    assert google.requests("/psi")[0].query == {
        "url": [PAGE],
        "strategy": ["mobile"],
        "category": ["SEO"],
    }


def test_key_from_environment_and_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSDATA_PSI_KEY", KEY)
    client = PSIClient()
    assert client.has_key
    assert_no_key(repr(client), str(client))
    asyncio.run(client.aclose())


def test_bad_arguments_raise_configuration_error(google: FakeGoogle) -> None:
    with pytest.raises(ConfigurationError, match="strategy"):
        call(google.client([]), lambda c: c.run_pagespeed(PAGE, "tablet"))
    with pytest.raises(ConfigurationError, match="category"):
        call(google.client([]), lambda c: c.run_pagespeed(PAGE, "mobile", ["pwa"]))
    assert google.received == []


def test_concurrency_is_bounded(google: FakeGoogle, v5: dict[str, Any]) -> None:
    google.script("/psi", *[Answer(200, v5, delay=0.2)] * 5)

    async def five(client: PSIClient) -> list[dict[str, Any]]:
        return await asyncio.gather(*(client.run_pagespeed(f"{PAGE}{i}") for i in range(5)))

    responses = call(google.client([], max_concurrency=2), five)
    assert len(responses) == 5
    assert google.max_in_flight == 2


def test_5xx_then_success_is_retried(
    google: FakeGoogle, v5: dict[str, Any], upper_jitter: None
) -> None:
    google.script("/psi", Answer(500, {}), Answer(503, "Service Unavailable"), Answer(200, v5))
    delays: list[float] = []
    response = call(google.client(delays), lambda c: c.run_pagespeed(PAGE))
    assert response[psi.ATTEMPTS_KEY] == 3
    assert delays == [1.0, 2.0]  # backoff_s * 2 ** (attempt - 1)
    assert len(google.requests("/psi")) == 3


def test_full_jitter_stays_in_the_backoff_window(google: FakeGoogle) -> None:
    google.script("/psi", *[Answer(502, {})] * 4)
    delays: list[float] = []
    with pytest.raises(ServiceError):
        call(
            google.client(delays, retry=RetryPolicy(4, backoff_s=0.5, backoff_max_s=60)),
            lambda c: c.run_pagespeed(PAGE),
        )
    assert len(delays) == 3
    for attempt, delay in enumerate(delays, start=1):
        assert 0 <= delay <= 0.5 * 2 ** (attempt - 1)


def test_backoff_is_bounded_and_attempts_are_bounded(
    google: FakeGoogle, upper_jitter: None
) -> None:
    body = google_error(503, "The service is currently unavailable.", "backendError", "UNAVAILABLE")
    google.script("/psi", *[Answer(503, body)] * 6)
    delays: list[float] = []
    client = google.client(delays, retry=RetryPolicy(5, backoff_s=1, backoff_max_s=3.0))
    with pytest.raises(ServiceError) as caught:
        call(client, lambda c: c.run_pagespeed(PAGE))
    assert delays == [1.0, 2.0, 3.0, 3.0]
    assert len(google.requests("/psi")) == 5
    assert caught.value.partial["attempts"] == 5
    assert caught.value.status == 503
    assert type(caught.value) is ServiceError
    assert "The service is currently unavailable." in str(caught.value)


def test_429_honours_retry_after_seconds(google: FakeGoogle, v5: dict[str, Any]) -> None:
    google.script("/psi", Answer(429, {}, {"Retry-After": "2"}), Answer(200, v5))
    delays: list[float] = []
    response = call(google.client(delays), lambda c: c.run_pagespeed(PAGE))
    assert delays == [2.0]
    assert response[psi.ATTEMPTS_KEY] == 2


def test_429_honours_retry_after_http_date(google: FakeGoogle, v5: dict[str, Any]) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    google.script("/psi", Answer(429, {}, {"Retry-After": when}), Answer(200, v5))
    delays: list[float] = []
    call(google.client(delays), lambda c: c.run_pagespeed(PAGE))
    assert len(delays) == 1 and 25 <= delays[0] <= 30


def test_429_until_the_end_is_a_quota_error(google: FakeGoogle, upper_jitter: None) -> None:
    body = google_error(429, "Quota exceeded for quota metric 'Queries'.", "rateLimitExceeded", "")
    google.script("/psi", *[Answer(429, body)] * 3)
    delays: list[float] = []
    with pytest.raises(QuotaError) as caught:
        call(
            google.client(delays, retry=RetryPolicy(3, backoff_s=1, backoff_max_s=60)),
            lambda c: c.run_pagespeed(PAGE),
        )
    assert caught.value.partial["attempts"] == 3
    assert caught.value.status == 429
    assert caught.value.error_type == "quota"
    assert delays == [1.0, 2.0]


def test_retry_after_beyond_backoff_max_fails_at_once(google: FakeGoogle) -> None:
    google.script("/psi", Answer(429, {}, {"Retry-After": "3600"}))
    delays: list[float] = []
    with pytest.raises(QuotaError) as caught:
        call(google.client(delays), lambda c: c.run_pagespeed(PAGE))
    assert caught.value.partial["attempts"] == 1
    assert delays == []


def test_403_quota_body_is_a_quota_error_without_retry(google: FakeGoogle) -> None:
    message = "Queries per day quota exceeded"
    body = google_error(403, message, "dailyLimitExceeded", "PERMISSION_DENIED")
    google.script("/psi", Answer(403, body))
    delays: list[float] = []
    with pytest.raises(QuotaError, match=message) as caught:
        call(google.client(delays), lambda c: c.run_pagespeed(PAGE))
    assert (caught.value.status, caught.value.partial["attempts"], delays) == (403, 1, [])


def test_403_other_reason_is_a_service_error(google: FakeGoogle) -> None:
    body = google_error(403, "API key not valid.", "forbidden", "PERMISSION_DENIED")
    google.script("/psi", Answer(403, body))
    with pytest.raises(ServiceError, match="API key not valid") as caught:
        call(google.client([]), lambda c: c.run_pagespeed(PAGE))
    assert type(caught.value) is ServiceError


def test_400_lighthouse_error_keeps_the_api_message(google: FakeGoogle) -> None:
    message = (
        "Lighthouse returned error: FAILED_DOCUMENT_REQUEST. Lighthouse was unable to "
        "reliably load the page you requested. Make sure you are testing the correct URL "
        "and that the server is properly responding to all requests. (Details: "
        "net::ERR_CONNECTION_FAILED)"
    )
    google.script("/psi", Answer(400, google_error(400, message, "badRequest", "INVALID_ARGUMENT")))
    delays: list[float] = []
    with pytest.raises(ServiceError) as caught:
        call(google.client(delays), lambda c: analyze_psi(c, PAGE))
    error = caught.value
    assert type(error) is ServiceError
    assert str(error) == f"PageSpeed Insights: HTTP 400: {message}"
    assert (error.status, error.url, error.partial["attempts"]) == (400, PAGE, 1)
    assert delays == [] and len(google.requests("/psi")) == 1


def test_non_json_success_is_a_service_error(google: FakeGoogle) -> None:
    google.script("/psi", Answer(200, "<html>captive portal</html>"))
    with pytest.raises(ServiceError, match="JSON"):
        call(google.client([]), lambda c: c.run_pagespeed(PAGE))


# --------------------------------------------------------------------------- CrUX


def test_crux_falls_back_from_url_to_origin(google: FakeGoogle) -> None:
    not_found = google_error(404, "chrome ux report data not found", "notFound", "NOT_FOUND")
    google.script("/crux", Answer(404, not_found), Answer(200, load("crux-origin.json")))
    record = call(
        google.client([]), lambda c: analyze_crux(c, "https://example.com/a?b=1", "desktop")
    )
    bodies = [r.body for r in google.requests("/crux")]
    assert bodies == [
        {"url": "https://example.com/a?b=1", "formFactor": "DESKTOP"},
        {"origin": "https://example.com", "formFactor": "DESKTOP"},
    ]
    assert all(r.method == "POST" and r.query == {"key": [KEY]} for r in google.requests("/crux"))
    assert (record["engine"], record["field_source"], record["attempts"]) == (
        "crux",
        "crux-origin",
        2,
    )
    assert record["field_lcp_ms"] == 2870.0


def test_crux_url_data_needs_one_query(google: FakeGoogle) -> None:
    google.script("/crux", Answer(200, load("crux-url.json")))
    record = call(google.client([]), lambda c: analyze_crux(c, PAGE, "mobile"))
    assert google.requests("/crux")[0].body == {"url": PAGE, "formFactor": "PHONE"}
    assert (record["field_source"], record["field_inp_ms"]) == ("crux-url", 153.0)


def test_crux_without_any_data_is_none(google: FakeGoogle) -> None:
    google.script("/crux", Answer(404, {}), Answer(404, {}))
    assert call(google.client([]), lambda c: c.query_crux(PAGE, "PHONE")) is None
    record = record_from_crux(None, PAGE, "mobile")
    assert record["field_source"] == "none"
    assert len(google.requests("/crux")) == 2


def test_analyze_psi_fills_missing_field_data_from_crux(
    google: FakeGoogle, lhr8: dict[str, Any]
) -> None:
    google.script("/psi", Answer(200, {"lighthouseResult": lhr8}))
    google.script("/crux", Answer(404, {}), Answer(200, load("crux-origin.json")))
    record = call(google.client([]), lambda c: analyze_psi(c, PAGE, "mobile"))
    assert record["performance"] == 71
    assert (record["field_source"], record["field_cls"]) == ("crux-origin", 0.31)
    assert [r.body["formFactor"] for r in google.requests("/crux")] == ["PHONE", "PHONE"]
    assert record["engine"] == "psi" and record["attempts"] == 1


def test_analyze_psi_crux_fallback_can_be_skipped(google: FakeGoogle, lhr8: dict[str, Any]) -> None:
    google.script("/psi", Answer(200, {"lighthouseResult": lhr8}))
    client = google.client([])
    record = call(client, lambda c: analyze_psi(c, PAGE, with_crux_fallback=False))
    assert record["field_source"] == "none"
    assert google.requests("/crux") == []


def test_analyze_psi_crux_failure_is_a_warning(google: FakeGoogle, lhr8: dict[str, Any]) -> None:
    google.script("/psi", Answer(200, {"lighthouseResult": lhr8}))
    google.script("/crux", Answer(400, google_error(400, "bad origin", "badRequest", "")))
    record = call(google.client([]), lambda c: analyze_psi(c, PAGE))
    assert record["error"] is None
    assert record["field_source"] == "none"
    assert record["warnings"] == "CrUX: HTTP 400: bad origin"


# --------------------------------------------------------------------------- the key


def test_timeout_retries_then_raises_without_the_key(
    google: FakeGoogle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    google.script("/psi", Answer(hang=True), Answer(hang=True))
    delays: list[float] = []
    client = google.client(delays, timeout=0.3, retry=RetryPolicy(2, backoff_s=1, backoff_max_s=60))
    with pytest.raises(PageTimeoutError) as caught:
        call(client, lambda c: c.run_pagespeed(PAGE))
    assert caught.value.partial["attempts"] == 2
    assert caught.value.error_type == "timeout"
    assert len(delays) == 1
    assert "retrying" in caplog.text
    assert_no_key(full_text(caught.value), caplog.text)


def test_connection_refused_is_a_service_error_without_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    client = PSIClient(key=KEY, endpoint=f"http://127.0.0.1:{port}/psi", sleep=sleep)
    with pytest.raises(ServiceError, match="unreachable") as caught:
        call(client, lambda c: c.run_pagespeed(PAGE))
    assert caught.value.partial["attempts"] == 4 and len(delays) == 3
    assert caught.value.__cause__ is None
    assert_no_key(full_text(caught.value), caplog.text)


def test_httpx_error_naming_the_url_is_redacted(
    google: FakeGoogle, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def send(self: httpx.AsyncClient, request: httpx.Request, **_: Any) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    monkeypatch.setattr(httpx.AsyncClient, "send", send)
    with pytest.raises(ServiceError) as caught:
        call(
            google.client([], retry=RetryPolicy(2, backoff_s=1, backoff_max_s=60)),
            lambda c: c.run_pagespeed(PAGE),
        )
    text = full_text(caught.value)
    assert "key=REDACTED" in text and "runPagespeed" not in text
    assert_no_key(text, caplog.text)


def test_key_echoed_by_the_api_is_redacted(google: FakeGoogle) -> None:
    body = google_error(400, f"Bad request {google.url}/psi?key={KEY}&url=x", "badRequest", "")
    google.script("/psi", Answer(400, body))
    with pytest.raises(ServiceError) as caught:
        call(google.client([]), lambda c: c.run_pagespeed(PAGE))
    assert "key=REDACTED&url=x" in str(caught.value)
    assert_no_key(full_text(caught.value))


def test_httpx_request_log_lines_are_redacted(
    google: FakeGoogle, v5: dict[str, Any], caplog: pytest.LogCaptureFixture, upper_jitter: None
) -> None:
    caplog.set_level(logging.DEBUG)
    google.script("/psi", Answer(500, {}), Answer(200, v5))
    call(google.client([]), lambda c: analyze_psi(c, PAGE))
    requests = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert len(requests) == 2 and all("key=REDACTED" in line for line in requests)
    assert any(
        r.name == "psdata.engines.psi" and r.levelno == logging.WARNING for r in caplog.records
    )
    assert_no_key(caplog.text)


# --------------------------------------------------------------------------- analyze()


def test_analyze_with_the_psi_engine(
    google: FakeGoogle, lhr8: dict[str, Any], tmp_path: Path
) -> None:
    """engine="psi" through the public API: mapping, errors in rows, the shared store."""
    import pandas as pd

    import psdata

    experience = load("loading-experience-origin.json")
    quota = google_error(403, "Quota exceeded", "rateLimitExceeded", "PERMISSION_DENIED")
    google.script(
        "/psi",
        Answer(200, {"id": PAGE, "lighthouseResult": lhr8, "loadingExperience": experience}),
        Answer(403, quota),
        Answer(403, quota),
    )
    options: dict[str, Any] = {
        "engine": "psi",
        "psi_key": KEY,
        "psi_endpoint": f"{google.url}/psi",
        "crux_endpoint": f"{google.url}/crux",
        "concurrency": 1,
        "progress": False,
        "cache_dir": tmp_path,
    }
    urls = pd.Series([PAGE, "https://example.org/", "file:///etc/passwd"], index=["a", "b", "c"])
    df = psdata.analyze(urls, **options)
    assert df.dtypes.to_dict() == psdata.SCHEMA and df.index.equals(urls.index)
    assert (df.loc["a", "performance"], df.loc["a", "accessibility"]) == (71, 90)
    assert (df.loc["a", "lcp_ms"], df.loc["a", "field_lcp_ms"]) == (5430.0, 4213.0)
    assert df.loc["a", "field_source"] == "crux-origin" and df.loc["a", "engine"] == "psi"
    assert df.loc["a", "throttling"] == "simulate"
    assert (df.loc["b", "error_type"], df.loc["c", "error_type"]) == ("quota", "invalid_url")
    assert KEY not in " ".join(df["error"].dropna())
    assert len(google.requests("/psi")) == 2  # the file: URL was never sent

    again = psdata.analyze(urls, **options)
    assert again["from_cache"].tolist() == [True, False, False]  # a quota error is retried
    assert len(google.requests("/psi")) == 3


def test_psi_rows_with_an_error_carry_no_measurement(
    google: FakeGoogle, lhr8: dict[str, Any], tmp_path: Path
) -> None:
    """A Lighthouse runtime error (its report still has metrics), an API error and a
    quota error: no score and no lab metric; the runtime error's metrics are in the
    record's details, and field data (real users', not the run's) stays."""
    import pandas as pd

    import psdata
    from psdata._frame import MEASURED

    failed = copy.deepcopy(lhr8)
    failed["runtimeError"] = {"code": "NO_FCP", "message": "The page did not paint any content."}
    experience = load("loading-experience-origin.json")
    message = "Lighthouse returned error: FAILED_DOCUMENT_REQUEST."
    quota = google_error(403, "Quota exceeded", "rateLimitExceeded", "PERMISSION_DENIED")
    google.script(
        "/psi",
        Answer(200, {"id": PAGE, "lighthouseResult": failed, "loadingExperience": experience}),
        Answer(400, google_error(400, message, "badRequest", "INVALID_ARGUMENT")),
        Answer(403, quota),
    )
    options: dict[str, Any] = {
        "engine": "psi",
        "psi_key": KEY,
        "psi_endpoint": f"{google.url}/psi",
        "concurrency": 1,
        "progress": False,
        "cache_dir": tmp_path,
    }
    urls = [PAGE, "https://example.org/", "https://example.net/", "file:///etc/passwd"]
    df = psdata.analyze(pd.Series(urls), **options)
    types = ["service", "service", "quota", "invalid_url"]
    assert df["error_type"].astype(object).tolist() == types, df["error"].tolist()
    assert df[list(MEASURED)].isna().all().all()
    assert lhr8["audits"]["largest-contentful-paint"]["numericValue"] == 5430.0
    assert df.loc[0, "field_lcp_ms"] == 4213.0

    record = psdata.run_analysis(PAGE, **options)  # the runtime error, from the store
    assert record["from_cache"] and record["lcp_ms"] is None
    assert record["details"]["observed"]["lcp_ms"] == 5430.0


def test_runs_with_the_psi_engine_ask_for_performance_after_the_first(
    google: FakeGoogle, lhr8: dict[str, Any], tmp_path: Path
) -> None:
    import psdata

    answer, failure = Answer(200, {"id": PAGE, "lighthouseResult": lhr8}), Answer(500, {})
    google.script("/psi", answer, answer, *[failure] * 5)  # run 3 fails, retries included
    options: dict[str, Any] = {
        "engine": "psi",
        "psi_endpoint": f"{google.url}/psi",
        "crux_endpoint": f"{google.url}/crux",
        "concurrency": 1,
        "progress": False,
        "cache_dir": tmp_path,
    }
    df = psdata.analyze([PAGE], runs=3, **options)
    asked = [sorted(sent.query["category"]) for sent in google.requests("/psi")]
    assert asked[0] == ["ACCESSIBILITY", "BEST_PRACTICES", "PERFORMANCE", "SEO"]
    assert set(map(tuple, asked[1:])) == {("PERFORMANCE",)}
    row = df.loc[0]
    assert (row["runs"], row["performance"], row["accessibility"]) == (2, 71, 90)
    assert row["tti_ms"] == lhr8["audits"]["interactive"]["numericValue"]
    assert "Run 3 of 3 failed (service)" in row["warnings"]


def test_analyze_with_the_crux_engine(google: FakeGoogle, tmp_path: Path) -> None:
    import psdata

    google.script("/crux", Answer(200, load("crux-url.json")))
    df = psdata.analyze(
        [PAGE],
        engine="crux",
        psi_key=KEY,
        crux_endpoint=f"{google.url}/crux",
        progress=False,
        cache_dir=tmp_path,
    )
    assert df.loc[0, "engine"] == "crux" and df.loc[0, "field_source"] == "crux-url"
    assert df.loc[0, "field_inp_ms"] == 153.0 and pd_isna(df.loc[0, "performance"])
    assert google.requests("/crux")[0].body == {"url": PAGE, "formFactor": "PHONE"}


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
