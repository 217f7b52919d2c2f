"""The batch scheduler: bounded parallelism, order, isolation, retries, timeouts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from psdata._batch import Job, run_jobs
from psdata._errors import (
    AnalysisError,
    BrowserCrashError,
    InternalError,
    InvalidURLError,
    NavigationError,
    PageTimeoutError,
)
from psdata._retry import RetryPolicy


class Recorder:
    """A measure function that records how many calls overlap."""

    def __init__(self, delay: float = 0.02) -> None:
        self.delay = delay
        self.active = 0
        self.peak = 0
        self.calls: list[str] = []

    async def __call__(self, url: str, strategy: str, categories: Any) -> dict[str, Any]:
        self.active += 1
        self.peak = max(self.peak, self.active)
        self.calls.append(url)
        try:
            await asyncio.sleep(self.delay)
            if "fail" in url:
                raise NavigationError("refused")
            if "boom" in url:
                raise RuntimeError("unexpected")
            return {"url": url, "strategy": strategy}
        finally:
            self.active -= 1


def run(jobs: list[Job], measure: Any, **kwargs: Any) -> list[Any]:
    kwargs.setdefault("concurrency", 3)
    kwargs.setdefault("timeout", 5)
    return asyncio.run(run_jobs(jobs, measure, **kwargs))


def jobs(*urls: object) -> list[Job]:
    return [Job(url, "mobile") for url in urls]


@pytest.mark.parametrize("concurrency", [1, 2, 3, 5])
def test_never_more_than_concurrency_measuring_at_once(concurrency: int) -> None:
    recorder = Recorder()
    run(jobs(*(f"http://h{i}.test/" for i in range(12))), recorder, concurrency=concurrency)
    assert recorder.peak == concurrency
    assert len(recorder.calls) == 12


def test_outcomes_keep_input_order_and_failures_stay_in_their_row() -> None:
    urls = ["http://a.test/", "http://fail.test/", "http://b.test/", "http://boom.test/"]
    outcomes = run(jobs(*urls), Recorder())
    assert [type(o) for o in outcomes] == [dict, NavigationError, dict, InternalError]
    assert outcomes[0]["url"] == "http://a.test/" and outcomes[2]["url"] == "http://b.test/"
    assert outcomes[1].url == "http://fail.test/"
    assert "RuntimeError" in str(outcomes[3])


def test_invalid_urls_fail_without_taking_a_slot() -> None:
    recorder = Recorder()
    outcomes = run(jobs("file:///etc/passwd", None, "http://ok.test/"), recorder)
    assert isinstance(outcomes[0], InvalidURLError) and isinstance(outcomes[1], InvalidURLError)
    assert recorder.calls == ["http://ok.test/"]
    assert outcomes[0].partial["attempts"] == 0


def test_records_get_timing_and_attempts() -> None:
    outcome = run(jobs("http://a.test/"), Recorder())[0]
    assert outcome["attempts"] == 1
    assert outcome["duration_s"] >= 0.02
    assert outcome["started_at"].tzinfo is not None


def test_transient_errors_are_retried_a_bounded_number_of_times() -> None:
    calls: list[int] = []

    async def flaky(url: str, strategy: str, categories: Any) -> dict[str, Any]:
        calls.append(1)
        if len(calls) < 3:
            raise BrowserCrashError("browser died")
        return {"url": url}

    policy = RetryPolicy(max_attempts=3, backoff_s=0.001)
    outcome = run(jobs("http://a.test/"), flaky, retry=policy)[0]
    assert outcome["attempts"] == 3

    async def always_crashes(url: str, strategy: str, categories: Any) -> dict[str, Any]:
        raise BrowserCrashError("browser died")

    error = run(jobs("http://a.test/"), always_crashes, retry=policy)[0]
    assert isinstance(error, BrowserCrashError)
    assert error.partial["attempts"] == 3


def test_permanent_errors_are_not_retried() -> None:
    recorder = Recorder()
    error = run(jobs("http://fail.test/"), recorder, retry=RetryPolicy(backoff_s=0.001))[0]
    assert isinstance(error, NavigationError)
    assert len(recorder.calls) == 1


def test_each_attempt_is_bounded_by_the_timeout() -> None:
    outcomes = run(jobs("http://slow.test/", "http://a.test/"), Recorder(delay=0.5), timeout=0.1)
    assert all(isinstance(o, PageTimeoutError) for o in outcomes)
    assert "0.1 s" in str(outcomes[0])


def test_on_done_sees_every_outcome_once() -> None:
    seen: list[tuple[int, object]] = []
    run(
        jobs("http://a.test/", "bad", "http://fail.test/"),
        Recorder(),
        on_done=lambda i, job, outcome: seen.append((i, job.url)),
    )
    assert sorted(seen, key=lambda item: item[0]) == [
        (0, "http://a.test/"),
        (1, "bad"),
        (2, "http://fail.test/"),
    ]


def test_retry_delays_grow_and_are_capped() -> None:
    policy = RetryPolicy(backoff_s=1, backoff_max_s=4)
    for attempt, cap in [(1, 1), (2, 2), (3, 4), (6, 4)]:
        assert all(0 <= policy.delay(attempt) <= cap for _ in range(50))
    assert issubclass(BrowserCrashError, AnalysisError) and BrowserCrashError.transient
