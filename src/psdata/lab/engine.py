"""The lab engine: one URL, one strategy → a record (row) and its details (audits)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from .._deadline import restart_clock
from .._engines import Measure
from .._errors import BrowserCrashError, ConfigurationError, HTTPStatusError
from .._pool import ContextPool, ContextSlot, bounded
from .collect import PageObservation, PageSession, WaitSettings
from .emulation import Profile, profile_for
from .evidence import CategoryResult
from .metrics import cumulative_layout_shift, long_task_time, total_blocking_time
from .scoring import performance_audits, performance_score
from .speed_index import speed_index

if TYPE_CHECKING:
    from .._request import Request
    from .opportunities.collect import OpportunityCollector

AUDITED_CATEGORIES = ("accessibility", "best_practices", "seo")


@dataclass(frozen=True)
class LabSettings:
    """What changes a lab result: throttling mode, categories and the page waits."""

    throttling: str = "devtools"
    categories: tuple[str, ...] = ("performance", "accessibility", "best_practices", "seo")
    waits: WaitSettings = field(default_factory=WaitSettings)
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
        timeout = request.timeout
        cap_s = min(WaitSettings.max_wait_for_load_ms / 1000, max(timeout / 2, timeout - 15))
        waits = WaitSettings(max_wait_for_load_ms=cap_s * 1000)
        quiet = request.quiet_window_ms
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

    @contextlib.asynccontextmanager
    async def session(self, request: Request) -> AsyncIterator[Measure]:
        """The shared pool, with a slot for each page the batch measures at once."""
        from .._runtime import get_pool

        pool = get_pool()
        settings = LabSettings.from_request(request)

        async def measure(url: str, strategy: str) -> dict[str, Any]:
            return await measure_page(pool, url, strategy, settings)

        try:
            async with pool.reserve(request.concurrency):
                yield measure
        finally:
            await pool.discard_spares()


LAB = LabEngine()


async def measure_page(
    pool: ContextPool, url: str, strategy: str, settings: LabSettings
) -> dict[str, Any]:
    """Measure *url* in a fresh context of *pool*; return the record with its details.

    Raises an :class:`~psdata.AnalysisError` subclass when the page cannot be scored.
    """
    profile = profile_for(strategy, settings.throttling)
    observation = PageObservation(requested_url=url)
    collector = _opportunity_collector(settings, profile)
    watch = observation.stopwatch
    with watch.phase("context"):
        slot = await pool.get_instance(profile.context_options())
    restart_clock()  # the timeout covers the measurement, not the wait for a slot
    discard = True
    try:
        categories = await slot.guard(
            _observe(pool, slot, observation, profile, settings, collector)
        )
        discard = False
    except PlaywrightError as exc:
        raise BrowserCrashError(f"The browser failed during the measurement: {exc}") from exc
    finally:
        with watch.phase("context"):
            await pool.return_instance(slot, discard=discard)
    with watch.phase("metrics"):
        record = await _record(observation, profile, settings, categories, slot.id)
    if collector is not None:  # --- opportunities (#18): judge after the metrics
        from .opportunities.engine_hooks import add_opportunities

        add_opportunities(record, collector, profile, settings.throttling)
    return record


async def _observe(
    pool: ContextPool,
    slot: ContextSlot,
    observation: PageObservation,
    profile: Profile,
    settings: LabSettings,
    collector: OpportunityCollector | None = None,
) -> dict[str, CategoryResult]:
    watch = observation.stopwatch
    with watch.phase("setup"):
        page = await slot.new_page()
        session = await bounded(PageSession.open(page, profile, settings.waits), 15, "Page setup")
        audited = [c for c in settings.categories if c in AUDITED_CATEGORIES]
        auditor = None
        if audited:
            from .audits import CategoryAuditor  # axe-core and friends load only when asked

            auditor = CategoryAuditor(audited)
            await auditor.before_navigation(page, session.cdp)
        if collector is not None:  # --- opportunities (#18): start before navigation
            await collector.before_navigation(page, session.cdp)
    # The next measurement's context opens while this page waits to go quiet.
    spare = functools.partial(pool.prepare_spare, profile.context_options())
    await session.measure(observation.requested_url, observation, on_loaded=spare)
    if observation.status is not None and observation.status >= 400:
        return {}
    network = observation.network
    if collector is not None:  # --- opportunities (#18): collect after load
        with watch.phase("opportunities"):
            await session.stop_recording()
            await collector.after_load(page, session.cdp, network)
    if auditor is None:
        return {}
    with watch.phase("audits"):
        if collector is None:
            await session.stop_recording()
        try:
            return await auditor.after_load(
                page, session.cdp, network.measured(), network.main_document
            )
        except PlaywrightError as exc:
            raise session.translate(exc, "Auditing the page") from exc


async def _record(
    observation: PageObservation,
    profile: Profile,
    settings: LabSettings,
    categories: dict[str, CategoryResult],
    context_id: int,
) -> dict[str, Any]:
    """Derive metrics and scores (Speed Index off the loop thread) into a record."""
    network = observation.network
    requests = network.measured()
    loop = asyncio.get_running_loop()
    si = await loop.run_in_executor(None, _speed_index, observation)
    metrics = {
        "fcp_ms": observation.fcp_ms,
        "lcp_ms": observation.lcp_ms,
        "speed_index_ms": si,
        "tbt_ms": total_blocking_time(observation.long_tasks, observation.fcp_ms),
        "cls": cumulative_layout_shift(observation.layout_shifts),
        "ttfb_ms": network.time_to_first_byte_ms(),
    }
    record: dict[str, Any] = {
        "url": observation.requested_url,
        "final_url": observation.final_url,
        "strategy": profile.strategy,
        "engine": "lab",
        "throttling": settings.throttling,
        "status": observation.status,
        **metrics,
        "long_tasks_ms": long_task_time(observation.long_tasks),
        "total_bytes": sum(r.transfer_size for r in requests),
        "request_count": len(requests),
        "context_id": context_id,
    }
    warnings = list(observation.warnings)
    if observation.status is not None and observation.status >= 400:
        raise HTTPStatusError(
            f"The document returned HTTP {observation.status}; error pages are not scored"
            " (as in Lighthouse).",
            partial=record,
        )
    if "performance" in settings.categories:
        perf = performance_score(metrics, profile.strategy)
        categories["performance"] = CategoryResult(
            "performance", perf, performance_audits(metrics, profile.strategy)
        )
        if perf is None:
            warnings.append("Performance not scored: a metric could not be measured.")
    for name, result in categories.items():
        record[name] = None if result.score is None else round(result.score * 100)
    record["warnings"] = "; ".join(warnings) or None
    record["details"] = {
        "categories": {name: dataclasses.asdict(result) for name, result in categories.items()},
        "metrics": metrics,
        "requests": [dataclasses.asdict(r) for r in requests],
        "timings_ms": observation.stopwatch.phases,
    }
    return record


def _opportunity_collector(settings: LabSettings, profile: Profile) -> OpportunityCollector | None:
    """A collector for the page when its performance opportunities are wanted."""
    if not settings.opportunities or "performance" not in settings.categories:
        return None
    from .opportunities.collect import OpportunityCollector

    return OpportunityCollector(profile.strategy)


def _speed_index(observation: PageObservation) -> float | None:
    return speed_index(observation.frames, first_paint_ms=observation.fcp_ms)


def validate_categories(categories: Collection[str]) -> tuple[str, ...]:
    """Check category names; return them in the canonical order.

    >>> validate_categories(["seo", "performance"])
    ('performance', 'seo')
    """
    known = ("performance", *AUDITED_CATEGORIES)
    unknown = sorted(set(categories) - set(known))
    if unknown or not categories:
        raise ConfigurationError(
            f"categories must be a non-empty subset of {', '.join(known)}; got {unknown or '[]'}."
        )
    return tuple(c for c in known if c in categories)
