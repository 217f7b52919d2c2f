"""The lab engine's one call after the metrics: judge the opportunities into the record."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any, Literal

from ...._errors import AnalysisError
from ..budget import BUDGET
from ..emulation import SIMULATED_CPU_SLOWDOWN, Profile
from ..trace import MissingTrace, PageTrace
from . import opportunity_audits
from .collect import OpportunityCollector
from .evidence import OpportunityEvidence
from .savings import (
    LoadSimulation,
    SavingsQuestions,
    apply_simulation,
    describe_questions,
    savings_questions,
)

if TYPE_CHECKING:
    from ..collect import PageObservation


async def add_opportunities(
    record: dict[str, Any],
    collector: OpportunityCollector,
    profile: Profile,
    throttling: str,
    observation: PageObservation | None = None,
) -> None:
    """Append the page's opportunity audits to the performance category of *record*.

    The metric values of the record feed the audits that need them (LCP element, layout
    shifts); the page's main-thread trace feeds the main-thread audits (in simulated
    throttling its task durations are multiplied by the profile's CPU slowdown, as in
    Lighthouse). The time savings come from Lantern on the page's trace and network
    events (see :func:`page_savings`), in both throttling methods as in Lighthouse.
    """
    evidence = collector.evidence
    details = record.get("details", {})
    evidence.metrics = dict(details.get("metrics") or {})
    simulated = details.get("simulation") or {}
    evidence.observed = dict(simulated.get("observed") or {})
    evidence.network_analysis = simulated.get("network")
    evidence.cpu_multiplier = (
        SIMULATED_CPU_SLOWDOWN.get(profile.strategy, 1.0) if throttling == "simulate" else 1.0
    )
    trace = observation.trace if observation is not None else None
    if isinstance(trace, PageTrace):
        evidence.trace_events = trace.events
    elif isinstance(trace, MissingTrace):
        evidence.errors.setdefault(
            "trace", f"The page's main-thread trace is missing: {trace.reason}."
        )
    performance = details.get("categories", {}).get("performance")
    if performance is None:
        return
    audits = opportunity_audits(evidence)
    questions = savings_questions(audits, evidence, simulate_redirects=throttling == "simulate")
    simulation: LoadSimulation | None = None
    why = None
    if questions:
        started = time.perf_counter()
        simulation, why = await page_savings(observation, evidence, questions, profile, throttling)
        timings = record["details"].setdefault("timings_ms", {})
        timings["savings"] = round((time.perf_counter() - started) * 1000, 1)
    audits = apply_simulation(audits, simulation, why)
    performance["audits"].extend(dataclasses.asdict(a) for a in audits)


async def page_savings(
    observation: PageObservation | None,
    evidence: OpportunityEvidence,
    questions: SavingsQuestions,
    profile: Profile,
    throttling: str,
) -> tuple[LoadSimulation | None, str | None]:
    """Lantern's answers to *questions* for the observed page, or why there are none."""
    from ..lantern import estimate_savings

    if observation is None:
        return None, "the page's load was not observed"
    trace = observation.trace
    if isinstance(trace, MissingTrace):
        return None, f"the load simulator needs the page's main-thread trace ({trace.reason})"
    method: Literal["simulate", "devtools"] = "simulate" if throttling == "simulate" else "devtools"
    budget = BUDGET.savings_budget()
    if budget <= BUDGET.min_savings_s:
        return None, "no time was left in the per-URL timeout to simulate the savings"
    try:
        savings = await estimate_savings(
            trace.events,
            observation.devtools_log,
            describe_questions(questions),
            url=observation.requested_url,
            frame_id=trace.frame_id,
            strategy="desktop" if profile.strategy == "desktop" else "mobile",
            throttling_method=method,
            timeout=budget,
        )
    except AnalysisError as exc:
        return None, f"the load simulation failed ({exc})"
    return savings, None
