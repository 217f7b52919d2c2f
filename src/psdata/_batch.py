"""The loop side of a batch: cache look-up, scheduling, engine dispatch, store writes.

:func:`run_batch` is what the API submits to the loop thread: it validates each input
URL, reuses stored results, measures the rest with the request's engine through
:func:`run_jobs`, and commits every finished run to the result store at once. It knows
nothing of pandas: values in, ``(job, outcome)`` pairs out, an outcome being a record
(a dict of columns, with the engine's ``details``) or an :class:`AnalysisError`.

With ``runs=N`` each (URL, strategy) is N jobs, one per run, each stored under its own
key (run 1's is the key of a single run, so ``runs=1`` results are reused as run 1). The
runs are scheduled run after run across the batch (every URL's run 1, then every URL's
run 2...), so the runs of one URL are spread over the batch instead of back to back;
run 1 judges every category asked for, the later runs performance only. A URL's row is
made from its runs by :func:`psdata._runs.combine_runs`.

:func:`run_jobs` is the one place a batch is scheduled: a semaphore bounds how many jobs
measure at once, ``gather(return_exceptions=True)`` keeps one failure from touching the
others, and every attempt is bounded by the timeout (see :mod:`psdata._deadline`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ._auth import login_name
from ._deadline import deadline
from ._errors import AnalysisError, InternalError, InvalidURLError, PageTimeoutError
from ._frame import COLUMNS, make_row, observed
from ._lighthouse import CATEGORIES
from ._options import DECLARED
from ._request import Request
from ._retry import RetryPolicy
from ._runs import combine_runs, repeat_categories
from ._store import AsyncResultStore, keyed_hash
from ._urls import normalize_url
from ._version import __version__
from .engines.interface import Measure, implementation

log = logging.getLogger("psdata")

Outcome = dict[str, Any] | AnalysisError
OnDone = Callable[[int, "Job", Outcome], None]
#: Stored failures that say nothing about the page (quota, browser, a session that was
#: not accepted, psdata itself): measured again instead of reused.
NOT_REUSED_ERRORS = frozenset({"quota", "browser", "auth", "internal"})


@dataclass(frozen=True)
class Job:
    """One measurement to make: an input value (not yet validated), a strategy, which run
    of the URL it is and the categories it measures."""

    url: object
    strategy: str
    run: int = 1
    categories: tuple[str, ...] = CATEGORIES


def error_record(value: object, strategy: str, error: AnalysisError) -> dict[str, Any]:
    """The record of a failed job: its row, the error and its ``details``.

    The row keeps what the engine found before the failure (status, final URL...) but no
    measurement (see :mod:`psdata._frame`); what it measured of the page, if anything, is
    in ``details["observed"]``.

    >>> from psdata import HTTPStatusError
    >>> gone = HTTPStatusError("HTTP 404", partial={"status": 404, "fcp_ms": 480.0})
    >>> record = error_record("https://example.com/gone", "mobile", gone)
    >>> record["error_type"], record["status"], record["fcp_ms"], record["details"]
    ('http', 404, None, {'observed': {'fcp_ms': 480.0}})
    >>> error_record("ftp://x", "mobile", InvalidURLError("no"))["details"]
    {}
    """
    measured = {k: v for k, v in error.partial.items() if k in COLUMNS and k != "url"}
    failure = {"error": str(error), "error_type": error.error_type}
    row = make_row(value, strategy, {**measured, **failure})
    seen = observed(measured)
    return {**row, "details": {"observed": seen} if seen else {}}


def result_settings(request: Request, auth_key: str | None = None) -> dict[str, Any]:
    """What changes a result besides its URL, strategy and engine, as plain data.

    Part of every cache key and of a result frame's metadata: psdata's version, each
    option declared to change results by its value (``cache_key="value"`` in
    :mod:`psdata._options`; one not given, ``None``, is left out, so a new option leaves
    every stored result's key as it was), the secret ones given (``auth``: their names and
    *auth_key*, from :func:`auth_key`; never their values), and the engine's settings.
    """
    options: dict[str, Any] = dict(request.options)
    keyed = {
        name: list(value) if isinstance(value := options[name], tuple) else value
        for name, option in DECLARED.items()
        if option.cache_key == "value" and options[name] is not None
    }
    secret = sorted(secret_settings(request))
    auth = {"auth": {"options": secret, "key": auth_key}} if secret else {}
    engine = implementation(request.engine).settings(request)
    return {"version": __version__, **keyed, **auth, **engine}


def secret_settings(request: Request) -> dict[str, Any]:
    """The secret options given (``cache_key="secret"``), by name; a login by its name.

    >>> secret_settings(request)  # doctest: +SKIP
    {'headers': {'X-Token': '...'}, 'login': 'mysite.auth.login'}
    """
    options: dict[str, Any] = dict(request.options)
    return {
        name: login_name(value) if callable(value) else value
        for name, option in DECLARED.items()
        if option.cache_key == "secret" and (value := options[name]) is not None
    }


def auth_key(request: Request, store: str) -> str | None:
    """The secret options' hash keyed by *store*'s own key (``None`` without any).

    It tells their results apart in the store: an anonymous result is never served to a
    logged-in batch, nor one user's to another's, and the store holds nothing a secret
    could be recovered or guessed from (see :func:`psdata._store.keyed_hash`).
    """
    secret = secret_settings(request)
    if not secret:
        return None
    return keyed_hash(store, json.dumps(secret, sort_keys=True, default=str).encode())


def job_key(job: Job) -> tuple[str, str]:
    """The (normalised URL, strategy) a job is measured and looked up by."""
    try:
        return normalize_url(job.url), job.strategy
    except InvalidURLError:
        return repr(job.url), job.strategy


async def run_batch(
    values: Sequence[object],
    request: Request,
    store_path: str,
    progress: Callable[[], None] = lambda: None,
    *,
    keep_details: bool = True,
) -> list[tuple[Job, Outcome]]:
    """Every (input value, strategy) job of *request* with its outcome, in input order.

    Each distinct (URL, strategy) is measured once per run (``runs``); *progress* is
    called once per run as it finishes (from the cache or measured), *runs* times for an
    invalid URL. Without *keep_details* the outcomes leave the engine's details out
    (they are stored all the same).
    """
    async with AsyncResultStore(store_path) as store:
        return await _Batch(request, store, progress, keep_details).run(values)


class _Batch:
    """One call's batch on the loop thread (see :func:`run_batch`)."""

    def __init__(
        self,
        request: Request,
        store: AsyncResultStore,
        progress: Callable[[], None],
        keep_details: bool,
    ):
        self.request = request
        self.store = store
        self.progress = progress
        self.keep_details = keep_details
        self.settings = result_settings(request)
        self.runs = request.options["runs"]

    def key(self, job: Job) -> str:
        return self.store.key(
            str(job.url), job.strategy, self.request.engine, self.settings, run=job.run
        )

    async def run(self, values: Sequence[object]) -> list[tuple[Job, Outcome]]:
        request = self.request
        jobs = [Job(v, s) for v in values for s in request.strategies]
        outcomes: dict[tuple[str, str], Outcome] = {}
        pending: dict[tuple[str, str], Job] = {}
        for job in jobs:
            try:
                url = normalize_url(job.url)
            except InvalidURLError as exc:
                for _ in range(self.runs):
                    self.progress()
                outcomes[job_key(job)] = combine_runs([exc], request.categories)
                continue
            pending.setdefault((url, job.strategy), Job(url, job.strategy))
        # The secret options' keyed hash (a file read, off the loop) joins the settings.
        secret_key = await asyncio.to_thread(auth_key, request, str(self.store.path))
        self.settings = result_settings(request, secret_key)
        per_url = {key: self._runs_of(job) for key, job in pending.items()}
        # Run after run across the batch: a URL's runs are spread over it.
        schedule = [runs[n] for n in range(self.runs) for runs in per_url.values()]
        done = await self._reuse_stored(schedule)
        to_measure = [job for job in schedule if job not in done]
        if to_measure:  # an engine is opened (a browser launched, a login run) only for work
            async with implementation(request.engine).session(request) as measure:
                results = await run_jobs(
                    to_measure,
                    measure,
                    concurrency=request.concurrency,
                    timeout=request.timeout,
                    retry=request.retry,
                    on_done=self._finished,
                )
            done.update(zip(to_measure, results, strict=True))
        for key, runs in per_url.items():
            outcomes[key] = combine_runs([done[job] for job in runs], request.categories)
        return [(job, outcomes[job_key(job)]) for job in jobs]

    def _runs_of(self, job: Job) -> list[Job]:
        """The runs of *job*'s URL and strategy: run 1 with every category asked for, the
        later ones with performance only."""
        first, later = self.request.categories, repeat_categories(self.request.categories)
        return [
            Job(job.url, job.strategy, n, first if n == 1 else later)
            for n in range(1, self.runs + 1)
        ]

    async def _reuse_stored(self, runs: list[Job]) -> dict[Job, Outcome]:
        """The outcomes the store may give (each run on its own); the rest is measured."""
        options = self.request.options
        if options["skip_cache"] or not runs:
            return {}
        keys = [self.key(job) for job in runs]
        cached = await self.store.get_many(
            keys, max_age=options["max_age"], include_failures=not options["force_retry"]
        )
        reused: dict[Job, Outcome] = {}
        for job, key in zip(runs, keys, strict=True):
            hit = cached.get(key)
            if hit is None or hit.record.get("error_type") in NOT_REUSED_ERRORS:
                continue
            self.progress()
            details = hit.details() if self.keep_details else None
            reused[job] = {**hit.record, "from_cache": True, "details": details}
        return reused

    def _finished(self, index: int, job: Job, outcome: Outcome) -> None:
        """Commit one finished run to the store (success or failure), off the loop."""
        self.progress()
        if isinstance(outcome, AnalysisError):
            outcome.partial["run"] = job.run
            full, ok = error_record(str(job.url), job.strategy, outcome), False
        else:
            outcome["run"] = job.run
            full, ok = outcome, True
        record = {k: v for k, v in full.items() if k != "details"}
        details = full.get("details")
        if ok and not self.keep_details:
            full.pop("details", None)
        record["from_cache"] = None
        self.store.put_soon(self.key(job), record, details, ok=ok)


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
    job: Job,
    measure: Measure,
    semaphore: asyncio.Semaphore,
    timeout: float,
    retry: RetryPolicy,
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
                async with deadline(timeout):
                    record = await measure(url, job.strategy, job.categories)
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
