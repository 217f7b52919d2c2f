"""The lab engine: one URL, one strategy → a record (row) and its details (audits)."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from ..._deadline import restart_clock
from ..._errors import (
    AnalysisError,
    AuthError,
    BrowserCrashError,
    HTTPStatusError,
    NavigationError,
    PageTimeoutError,
)
from ..._frame import make_row
from ..._lighthouse import (
    CATEGORIES,
    DEFAULT_THROTTLING,
    HIDDEN_METRIC_AUDITS,
    MAX_WAIT_FOR_LOAD_MS,
)
from ..._request import Request
from ..interface import Measure
from .auth import NO_AUTH, LabAuth
from .budget import BUDGET
from .collect import PageObservation, PageSession, WaitSettings
from .emulation import Profile, profile_for
from .evidence import CategoryResult
from .layout_shift import page_layout_shift
from .login import log_in
from .metrics import (
    BLOCKING_THRESHOLD_MS,
    blocking_time_between,
    interactive,
    long_task_time,
    max_potential_fid,
    total_blocking_time,
)
from .pool import BrowserHandle, ContextPool, ContextSlot, bounded, devtools_contexts
from .priority import in_background
from .runtime import get_max_concurrent_contexts, get_pool
from .scoring import performance_audits, performance_score
from .speed_index import speed_index
from .trace import MissingTrace, TraceEpochs, TraceTicket, TraceUnavailable

if TYPE_CHECKING:
    from .opportunities.collect import OpportunityCollector

log = logging.getLogger("psdata")


@dataclass(frozen=True)
class LabSettings:
    """What changes a lab result: throttling mode, categories and the page waits."""

    throttling: str = DEFAULT_THROTTLING
    categories: tuple[str, ...] = CATEGORIES
    waits: WaitSettings = field(default_factory=lambda: WaitSettings.lighthouse(DEFAULT_THROTTLING))
    #: Record the page's main thread in the browser-wide trace (TBT and long tasks come
    #: from it; the in-page observers are the fallback).
    trace: bool = True
    #: Collect the performance opportunities and diagnostics (coverage, bodies, images)
    #: with the performance category; ``False`` leaves them out.
    opportunities: bool = True

    def as_key(self) -> dict[str, Any]:
        """The settings as plain data, for cache keys and Parquet metadata."""
        return dataclasses.asdict(self)

    @classmethod
    def from_request(cls, request: Request) -> LabSettings:
        """The lab settings of one call: its throttling, categories, waits and timeout."""
        # A page that never goes quiet is measured when the cap is reached; the cap leaves
        # time for the audits within the per-URL timeout.
        cap_s = BUDGET.load_cap_s(request.timeout, MAX_WAIT_FOR_LOAD_MS / 1000)
        lighthouse = WaitSettings.lighthouse(request.throttling)
        waits = dataclasses.replace(lighthouse, max_wait_for_load_ms=cap_s * 1000)
        quiet = request.options["quiet_window_ms"]
        if quiet is not None:
            waits = dataclasses.replace(
                waits,
                pause_after_fcp_ms=quiet,
                pause_after_load_ms=quiet,
                network_quiet_ms=quiet,
                cpu_quiet_ms=quiet,
            )
        return cls(request.throttling, request.categories, waits)


class LabEngine:
    """The ``lab`` engine of the engine table: pages measured in psdata's own Chromium."""

    def settings(self, request: Request) -> dict[str, Any]:
        """Throttling, categories and waits: what changes a lab result."""
        return LabSettings.from_request(request).as_key()

    def default_concurrency(self, throttling: str) -> int:
        """The pool's context limit; under devtools throttling at most one page per 2 cores.

        A page under devtools throttling keeps a core busy for its whole measurement
        (see :func:`~psdata.engines.lab.pool.devtools_contexts`).

        >>> LAB.default_concurrency("devtools") <= LAB.default_concurrency("simulate")
        True
        """
        limit = get_max_concurrent_contexts()
        return min(limit, devtools_contexts()) if throttling == "devtools" else limit

    @contextlib.asynccontextmanager
    async def session(self, request: Request) -> AsyncIterator[Measure]:
        """The shared pool, with a slot for each page the batch measures at once.

        Raises :class:`~psdata.BrowserNotFoundError` at once when Chromium is missing or
        does not start: a setup error for the whole call, not a failure of each row.

        A ``login=`` runs first, once (see :mod:`~psdata.engines.lab.login`); a batch
        with a session, credentials or extra headers has its secrets kept out of every
        record and error (:class:`~psdata._secrets.Secrets`).
        """
        pool = get_pool()
        await pool.start()
        settings = LabSettings.from_request(request)
        device = profile_for(request.strategies[0], request.throttling)
        try:
            async with pool.reserve(request.concurrency):
                auth = await log_in(pool, LabAuth.from_request(request), device, request.timeout)
                secrets = auth.secrets()

                async def measure(
                    url: str, strategy: str, categories: tuple[str, ...]
                ) -> dict[str, Any]:
                    asked = dataclasses.replace(settings, categories=categories)
                    if not auth.active:
                        return await measure_page(pool, url, strategy, asked, auth)
                    try:
                        record = await measure_page(pool, url, strategy, asked, auth)
                    except AnalysisError as exc:
                        secrets.error(exc)  # its secrets hidden, in place
                        raise
                    return await in_background(secrets.record, record)

                yield measure
        finally:
            await pool.discard_spares()


LAB = LabEngine()


async def measure_page(
    pool: ContextPool, url: str, strategy: str, settings: LabSettings, auth: LabAuth = NO_AUTH
) -> dict[str, Any]:
    """Measure *url* in a fresh context of *pool*; return the record with its details.

    Under simulated throttling, whose metrics all come from the trace, a page whose trace
    was lost to its epoch (not to the page) is measured once more, with a timeout of its
    own like any attempt; the record's ``attempts`` is then 2 and its details say why
    (``trace_lost``). If that trace is lost too, the row falls back with warnings.

    Raises an :class:`~psdata.AnalysisError` subclass when the page cannot be scored.
    """
    try:
        return await _measure_once(pool, url, strategy, settings, auth, retry_lost_trace=True)
    except _TraceLost as lost:
        log.info("measuring %s again: its trace was lost (%s)", url, lost)
        record = await _measure_once(pool, url, strategy, settings, auth, retry_lost_trace=False)
        record["attempts"] = 2
        record["details"]["trace_lost"] = str(lost)
        return record


class _TraceLost(Exception):
    """A simulated page's trace was lost to its epoch: the page is measured again."""


async def _measure_once(
    pool: ContextPool,
    url: str,
    strategy: str,
    settings: LabSettings,
    auth: LabAuth,
    *,
    retry_lost_trace: bool,
) -> dict[str, Any]:
    """One measurement of *url* (see :func:`measure_page`); raises :class:`_TraceLost`
    instead of falling back when *retry_lost_trace* and the page is worth measuring again."""
    pattern = auth.blocking(url)
    if pattern is not None:
        raise NavigationError(
            f"blocked_url_patterns block the page itself ({pattern!r} matches its URL);"
            " nothing was loaded."
        )
    profile = profile_for(strategy, settings.throttling)
    observation = PageObservation(requested_url=url)
    collector = _opportunity_collector(settings, profile)
    watch = observation.stopwatch
    with watch.phase("context"):
        slot = await pool.get_instance(auth.context_options(profile, url))
    restart_clock()  # the timeout covers the measurement, not the wait for a slot
    # The context goes back before the trace is read (its epoch may end later): the
    # browser must stay open till then, even if it retires with this page.
    async with pool.keep_open(slot.browser_handle):
        discard = True
        try:
            categories, traced = await slot.guard(
                _observe(
                    pool,
                    slot,
                    observation,
                    profile,
                    settings,
                    _tracing(pool, settings),
                    collector,
                    auth,
                )
            )
            renderers = slot.renderers
            discard = False
        except PlaywrightError as exc:
            raise BrowserCrashError(f"The browser failed during the measurement: {exc}") from exc
        finally:
            with watch.phase("context"):
                await pool.return_instance(slot, discard=discard)
        await _read_trace(traced, observation)
    lost = observation.trace
    if (
        retry_lost_trace
        and isinstance(lost, MissingTrace)
        and lost.transient
        and settings.throttling == "simulate"
        and not _not_scored(observation, auth)
    ):
        raise _TraceLost(lost.reason)
    with watch.phase("metrics"):
        record = await _record(observation, profile, settings, categories, slot.id, auth)
    record["details"]["renderers"] = sorted(renderers)
    if collector is not None:  # opportunities: judged once the metrics are known
        from .opportunities.engine_hooks import add_opportunities

        await add_opportunities(record, collector, profile, settings.throttling, observation)
    return record


def _tracing(pool: ContextPool, settings: LabSettings) -> TraceEpochs | MissingTrace:
    """The trace epochs the page is to be measured in, or why it goes untraced."""
    if not settings.trace:
        return MissingTrace("the trace was turned off")
    if not BUDGET.traced():
        # Sharing an epoch means waiting for the neighbours' windows and the trace's
        # end (seconds): a tight per-URL timeout cannot afford it.
        return MissingTrace(f"the per-URL timeout leaves under {BUDGET.min_traced_s:g} s")
    return TraceEpochs.for_pool(pool)


async def _observe(
    pool: ContextPool,
    slot: ContextSlot,
    observation: PageObservation,
    profile: Profile,
    settings: LabSettings,
    tracing: TraceEpochs | MissingTrace,
    collector: OpportunityCollector | None,
    auth: LabAuth,
) -> tuple[dict[str, CategoryResult], TraceTicket | MissingTrace]:
    """Measure and audit the page: its categories, and its trace ticket or why it has none."""
    watch = observation.stopwatch
    with watch.phase("setup"):
        if isinstance(tracing, MissingTrace) or slot.has_ready_page:
            page = await slot.new_page()  # a spare's page was opened between epochs
        else:
            # The page's renderer starts between trace epochs: a renderer started
            # mid-epoch makes that epoch's end wait for Chromium's 5 s flush timeout.
            async with tracing.opening(BUDGET.gate_wait()) as opened_between:
                page = await slot.new_page()
            if not opened_between:
                tracing = MissingTrace("the trace was busy with other pages", transient=True)
        opening = PageSession.open(page, profile, settings.waits, auth)
        session = await bounded(opening, BUDGET.page_setup_s, "Page setup")
        audited = [c for c in settings.categories if c != "performance"]
        auditor = None
        if audited:
            from .audits import CategoryAuditor  # axe-core and friends load only when asked

            auditor = CategoryAuditor(audited)
            await auditor.before_navigation(page, session.cdp)
        if collector is not None:  # opportunities: coverage starts before navigation
            await collector.before_navigation(page, session.cdp)
        await _ask_for_favicons(slot.browser_handle, session, observation, settings)
    traced: TraceTicket | MissingTrace
    if isinstance(tracing, MissingTrace):
        traced = tracing
        # The next measurement's context opens while this page waits to go quiet, unless
        # an epoch runs (for other pages): a renderer started mid-epoch costs its end
        # Chromium's 5 s flush timeout. Traced pages get theirs between epochs.
        options = auth.context_options(profile, observation.requested_url)

        def spare() -> None:
            if not TraceEpochs.for_pool(pool).running:
                pool.prepare_spare(options)

        await session.measure(observation.requested_url, observation, on_loaded=spare)
    else:
        frame_id = await session.main_frame_id()
        with watch.phase("trace_gate"):
            try:
                traced = await tracing.enter(slot.browser_handle, frame_id, BUDGET.gate_wait())
            except TraceUnavailable as exc:
                traced = MissingTrace(str(exc), exc.transient)
        if isinstance(traced, MissingTrace):
            await session.measure(observation.requested_url, observation)
        else:
            try:
                await session.measure(observation.requested_url, observation)
            finally:
                tracing.leave(traced)
    slot.lower_priority()  # the window is over: the audits run in the background
    if _not_scored(observation, auth):
        return {}, traced
    network = observation.network
    with watch.phase("read"):
        await session.stop_recording()
    if collector is not None:
        with watch.phase("opportunities"):
            await collector.after_load(page, session.cdp, network)
    categories: dict[str, CategoryResult] = {}
    if auditor is not None:
        with watch.phase("audits"):
            try:
                categories = await auditor.after_load(
                    page, session.cdp, network.measured(), network.main_document
                )
            except PlaywrightError as exc:
                raise session.translate(exc, "Auditing the page") from exc
    if collector is not None:  # last: it navigates away from the page and back
        with watch.phase("bf_cache"):
            await collector.after_audits(session.cdp)
    return categories, traced


async def _ask_for_favicons(
    browser: BrowserHandle,
    session: PageSession,
    observation: PageObservation,
    settings: LabSettings,
) -> None:
    """Make the browser request the page's favicon as Lighthouse's fresh Chrome does.

    The browser forgets the favicons it failed to load (see
    :mod:`~psdata.engines.lab.favicons`) now and whenever this page's own favicon fails.
    """
    memory = browser.favicons
    if memory is None:
        if "best_practices" in settings.categories:
            observation.warnings.append(
                "The browser may not request a favicon it already failed to load"
                f" (its memory could not be wiped: {browser.favicons_error}), so a"
                " missing favicon's console error may go unseen (errors-in-console)."
            )
        return
    memory.watch(session.cdp)
    await memory.forget()


async def _read_trace(traced: TraceTicket | MissingTrace, observation: PageObservation) -> None:
    """Give *observation* its main-thread trace, or why it has none (with a warning).

    The one place ``observation.trace`` is set. A ticket's wait ends in time for the row
    to be finished before the measurement's deadline (a neighbour in the same epoch may
    hold it open until its own timeout).
    """
    if isinstance(traced, TraceTicket):
        with observation.stopwatch.phase("trace"):
            budget = BUDGET.trace_wait()
            try:
                if budget <= 0:
                    raise TraceUnavailable("no time was left to wait for the trace")
                observation.trace = await traced.events(timeout=budget)
                return
            except TraceUnavailable as exc:
                traced = MissingTrace(str(exc), exc.transient)
    observation.trace = traced
    observation.warnings.append(
        f"Main-thread trace unavailable ({traced.reason}): TBT and long tasks come from the"
        " page's own Long Tasks observers, which miss parsing, style and layout work;"
        " CLS from its layout-shift observer, with the viewport's sizing estimated."
    )


def _main_thread_metrics(observation: PageObservation) -> tuple[dict[str, Any], dict[str, Any]]:
    """TBT, long-task time, main-thread time, TTI and Max Potential FID: from the trace
    if there is one (TTI and Max Potential FID need it).

    Returns the values and the trace's details (or why there is none).
    """
    trace = observation.trace
    if isinstance(trace, MissingTrace):
        values = {
            "tbt_ms": total_blocking_time(observation.long_tasks, observation.fcp_ms),
            "long_tasks_ms": long_task_time(observation.long_tasks),
            "main_thread_ms": None,
            "interactive_ms": None,
            "max_potential_fid_ms": None,
        }
        return values, {"error": trace.reason}
    fcp = trace.fcp_ms if trace.fcp_ms is not None else observation.fcp_ms
    network = observation.network
    offset = 0.0
    if network.origin is not None:
        offset = (network.origin * 1e6 - trace.time_origin_us) / 1000
    requests = [
        (r.start_ms + offset, r.end_ms + offset)
        for r in network.measured()
        if r.start_ms is not None
        and r.end_ms is not None
        and r.failed is None
        and r.method == "GET"
        and (r.status or 0) < 400
        and r.resource_type not in ("WebSocket", "EventSource")
    ]
    tti = None
    if fcp is not None:
        tti = interactive(trace.tasks, requests, fcp, trace.dcl_ms, trace.window_end_ms)
    end = tti if tti is not None else trace.window_end_ms
    values = {
        "tbt_ms": blocking_time_between(trace.tasks, fcp or 0.0, end),
        "long_tasks_ms": float(
            sum(d for s, d in trace.tasks if d >= BLOCKING_THRESHOLD_MS and s + d >= 0)
        ),
        "main_thread_ms": trace.main_thread_ms,
        "interactive_ms": tti,
        "max_potential_fid_ms": None if fcp is None else max_potential_fid(trace.tasks, fcp),
    }
    details = {**trace.as_details(), "tti_ms": tti}
    return values, details


def _not_scored(observation: PageObservation, auth: LabAuth) -> bool:
    """Whether the page is an error page or the session's failure: no audits for it."""
    status = observation.status
    session_failed, _ = auth.page_problem(observation.requested_url, observation.final_url, status)
    return (status is not None and status >= 400) or session_failed is not None


async def _record(
    observation: PageObservation,
    profile: Profile,
    settings: LabSettings,
    categories: dict[str, CategoryResult],
    context_id: int,
    auth: LabAuth,
) -> dict[str, Any]:
    """Derive metrics and scores (Speed Index off the loop thread) into a record."""
    network = observation.network
    requests = network.measured()
    si = await in_background(_speed_index, observation)
    main_thread, trace_details = _main_thread_metrics(observation)
    cls, cls_details = page_layout_shift(observation)
    metrics: dict[str, float | None] = {
        "fcp_ms": observation.fcp_ms,
        "lcp_ms": observation.lcp_ms,
        "speed_index_ms": si,
        "tbt_ms": main_thread["tbt_ms"],
        "cls": cls,
        "ttfb_ms": network.time_to_first_byte_ms(),
    }
    hidden = {name: main_thread[name] for name in HIDDEN_METRIC_AUDITS}
    measured = {
        "final_url": observation.final_url,
        "engine": "lab",
        "throttling": settings.throttling,
        "status": observation.status,
        **metrics,
        "long_tasks_ms": main_thread["long_tasks_ms"],
        "main_thread_ms": main_thread["main_thread_ms"],
        "total_bytes": sum(r.transfer_size for r in requests),
        "request_count": len(requests),
        "context_id": context_id,
    }
    session_failed, redirected = auth.page_problem(
        observation.requested_url, observation.final_url, observation.status
    )
    if session_failed is not None:  # not simulated either: the login page is not the page
        raise AuthError(session_failed, partial=measured)
    if observation.status is not None and observation.status >= 400:
        # Not simulated: the row gets no metric (psdata._frame), its details what was seen.
        raise HTTPStatusError(
            f"The document returned HTTP {observation.status}; error pages are not scored"
            " (as in Lighthouse).",
            partial=measured,
        )
    warnings = list(observation.warnings) + ([redirected] if redirected else [])
    simulation = None
    if settings.throttling == "simulate":
        simulation = await _simulate(observation, profile, si)
        observed = {name: metrics[name] for name in SIMULATED_METRICS}
        metrics.update(simulation.pop("metrics"))
        measured.update(metrics)
        simulation["observed"] = observed
        warnings += simulation.pop("warnings")
        hidden = {name: simulation.get(name) for name in HIDDEN_METRIC_AUDITS}
    measured["tti_ms"] = hidden["interactive_ms"]
    if hidden["interactive_ms"] is None and simulation is None:
        warnings += _missing_tti_warning(trace_details)
    if "performance" in settings.categories:
        perf = performance_score(metrics, profile.strategy)
        categories["performance"] = CategoryResult(
            "performance", perf, performance_audits({**metrics, **hidden}, profile.strategy)
        )
        if perf is None:
            warnings.append("Performance not scored: a metric could not be measured.")
    for name, result in categories.items():
        if name != "performance" and (warning := result.warning()) is not None:
            warnings.append(warning)  # a missing or partial score always says why
    scores = {name: result.score for name, result in categories.items()}
    row = make_row(
        observation.requested_url, profile.strategy, measured, scores=scores, warnings=warnings
    )
    record: dict[str, Any] = dict(row)
    record["details"] = {
        "categories": {name: dataclasses.asdict(result) for name, result in categories.items()},
        "metrics": {**metrics, **hidden},
        "requests": [dataclasses.asdict(r) for r in requests],
        "timings_ms": observation.stopwatch.phases,
        # The page's main thread from the browser-wide trace (see PageTrace), or
        # {"error": why} when it is missing (MissingTrace), and its raw CDP Network events: the
        # inputs of the simulated throttling and of main-thread diagnostics.
        "trace": trace_details,
        "layout_shift": cls_details,
        "devtools_log": observation.devtools_log,
    }
    if simulation is not None:
        record["details"]["simulation"] = simulation
    return record


def _missing_tti_warning(trace: dict[str, Any]) -> list[str]:
    """Why a trace's time to interactive is missing, unless the trace itself is missing."""
    if "error" in trace:
        return []  # the missing trace has its own warning
    return [
        "Time to interactive not found: the trace has no 5 s window without long tasks"
        " and with at most two requests in flight after FCP (a quiet_window_ms shorter"
        " than Lighthouse's can end the trace before one)."
    ]


#: The metrics simulated throttling predicts; CLS and TTFB are observed in every mode.
SIMULATED_METRICS = ("fcp_ms", "lcp_ms", "speed_index_ms", "tbt_ms")
#: Lantern's network analysis of the load, kept for the hidden audits (network-rtt...).
NETWORK_ANALYSIS_KEYS = (
    "rttMs",
    "throughputBps",
    "additionalRttByOrigin",
    "serverResponseTimeByOrigin",
)


async def _simulate(
    observation: PageObservation, profile: Profile, observed_si: float | None
) -> dict[str, Any]:
    """Lantern's estimates of the page's metrics on Lighthouse's simulated device.

    Returns ``metrics`` (``None`` where no estimate could be made), ``warnings`` saying
    why, and the simulation's other outputs (TTI, max potential FID, its errors).
    """
    from .lantern import simulate

    missing = dict.fromkeys(SIMULATED_METRICS)
    trace = observation.trace
    if isinstance(trace, MissingTrace):
        why = trace.reason
        return {
            "metrics": missing,
            "warnings": [f"Simulated throttling needs the page's main-thread trace ({why})."],
            "errors": {"trace": why},
        }
    try:
        wait = BUDGET.lantern_wait()
        if wait <= 0:
            raise PageTimeoutError("no time was left in the per-URL timeout")
        result = await simulate(
            trace.events,
            observation.devtools_log,
            url=observation.requested_url,
            frame_id=trace.frame_id,
            strategy=profile.strategy,  # type: ignore[arg-type]
            observed_speed_index_ms=observed_si,
            timeout=wait,
        )
    except AnalysisError as exc:
        return {
            "metrics": missing,
            "warnings": [
                f"Simulated throttling failed: {exc}. No simulated FCP, LCP, Speed Index or"
                " TBT; the unthrottled values observed are in the record's details"
                " (simulation.observed)."
            ],
            "errors": {"lantern": str(exc)},
        }
    values = result.values()
    warnings = [
        f"Simulated {name} unavailable: {error}" for name, error in sorted(result.errors.items())
    ]
    return {
        "metrics": {name: values.get(name) for name in SIMULATED_METRICS},
        "warnings": warnings,
        "errors": dict(result.errors),
        "interactive_ms": values.get("interactive_ms"),
        "max_potential_fid_ms": values.get("max_potential_fid_ms"),
        "network": {key: result.diagnostics.get(key) for key in NETWORK_ANALYSIS_KEYS},
    }


def _speed_index(observation: PageObservation) -> float | None:
    return speed_index(observation.frames, first_paint_ms=observation.fcp_ms)


def _opportunity_collector(settings: LabSettings, profile: Profile) -> OpportunityCollector | None:
    """A collector for the page when its performance opportunities are wanted."""
    if not settings.opportunities or "performance" not in settings.categories:
        return None
    from .opportunities.collect import OpportunityCollector

    return OpportunityCollector(profile.strategy)
