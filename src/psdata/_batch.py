"""Running many measurements: bounded parallelism, per-URL isolation, retries, timing.

``run_jobs`` is the one place where a batch is scheduled: a semaphore bounds how many
jobs measure at once, ``gather(return_exceptions=True)`` keeps one failure from touching
the others, and every job ends as a record (a dict) or an :class:`AnalysisError`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ._deadline import DEADLINE
from ._errors import AnalysisError, InternalError, PageTimeoutError
from ._urls import normalize_url

log = logging.getLogger("psdata")

Measure = Callable[[str, str], Awaitable[dict[str, Any]]]
Outcome = dict[str, Any] | AnalysisError
OnDone = Callable[[int, "Job", Outcome], None]


@dataclass(frozen=True)
class Job:
    """One measurement to make: an input value (not yet validated) and a strategy."""

    url: object
    strategy: str


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and jitter, for transient failures."""

    max_attempts: int = 3
    backoff_s: float = 1.0
    backoff_max_s: float = 15.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (full jitter)."""
        return random.uniform(0, min(self.backoff_max_s, self.backoff_s * 2 ** (attempt - 1)))


async def run_jobs(
    jobs: Sequence[Job],
    measure: Measure,
    *,
    concurrency: int,
    timeout: float,
    retry: RetryPolicy | None = None,
    on_done: OnDone | None = None,
) -> list[Outcome]:
    """Run *measure* over *jobs*, at most *concurrency* at once; outcomes in input order.

    Invalid URLs fail at once without taking a slot. Each attempt is bounded by
    *timeout* seconds; transient errors (``error.transient``) are retried per *retry*.
    """
    semaphore = asyncio.Semaphore(concurrency)
    policy = retry or RetryPolicy()

    async def run_one(index: int, job: Job) -> Outcome:
        outcome = await _run_job(job, measure, semaphore, timeout, policy)
        if on_done is not None:
            on_done(index, job, outcome)
        return outcome

    results = await asyncio.gather(
        *(run_one(i, job) for i, job in enumerate(jobs)), return_exceptions=True
    )
    return [_as_outcome(r) for r in results]


def _as_outcome(result: object) -> Outcome:
    if isinstance(result, dict | AnalysisError):
        return result
    if isinstance(result, BaseException) and not isinstance(result, Exception):
        raise result  # CancelledError, KeyboardInterrupt: stop the batch
    return InternalError(f"Unexpected error: {result!r}")


async def _run_job(
    job: Job, measure: Measure, semaphore: asyncio.Semaphore, timeout: float, retry: RetryPolicy
) -> Outcome:
    started_at = datetime.now(UTC)
    clock = time.monotonic()
    attempts = 0
    try:
        url = normalize_url(job.url)
    except AnalysisError as exc:
        return _stamp(exc, started_at, clock, attempts)
    async with semaphore:
        started_at, clock = datetime.now(UTC), time.monotonic()
        while True:
            attempts += 1
            try:
                async with asyncio.timeout(timeout):
                    DEADLINE.set(asyncio.get_running_loop().time() + timeout)
                    record = await measure(url, job.strategy)
            except TimeoutError:
                error: AnalysisError = PageTimeoutError(
                    f"Measuring took longer than the {timeout:g} s timeout.", url=url
                )
            except AnalysisError as exc:
                error = exc
            except Exception as exc:
                log.exception("psdata internal error on %s", url)
                error = InternalError(f"Unexpected error: {type(exc).__name__}: {exc}")
            else:
                return _stamp(record, started_at, clock, attempts)
            if not error.transient or attempts >= retry.max_attempts:
                error.url = url
                return _stamp(error, started_at, clock, attempts)
            log.info("retrying %s after %s (attempt %d)", url, error.error_type, attempts)
            await asyncio.sleep(retry.delay(attempts))


def _stamp(outcome: Outcome, started_at: datetime, clock: float, attempts: int) -> Outcome:
    """Add timing and attempt counts to a record, or to an error's partial record."""
    target = outcome.partial if isinstance(outcome, AnalysisError) else outcome
    target.update(
        started_at=started_at,
        duration_s=time.monotonic() - clock,
        attempts=max(attempts, target.get("attempts") or 0),  # an engine may count its own
    )
    return outcome
