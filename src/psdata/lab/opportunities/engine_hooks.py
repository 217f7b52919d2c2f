"""The lab engine's one call after the metrics: judge the opportunities into the record."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..emulation import Profile
from . import opportunity_audits
from .collect import OpportunityCollector
from .savings import LoadSimulation

#: Lighthouse's simulated CPU slowdown per form factor.
SIMULATED_CPU_SLOWDOWN = {"mobile": 4.0, "desktop": 1.0}


def add_opportunities(
    record: dict[str, Any],
    collector: OpportunityCollector,
    profile: Profile,
    throttling: str,
    simulation: LoadSimulation | None = None,
) -> None:
    """Append the page's opportunity audits to the performance category of *record*.

    The metric values of the record feed the audits that need them (LCP element, layout
    shifts); in simulated throttling the trace's task durations are multiplied by the
    profile's CPU slowdown, as in Lighthouse.
    """
    evidence = collector.evidence
    evidence.metrics = {
        name: record.get(name) for name in ("fcp_ms", "lcp_ms", "cls", "tbt_ms", "ttfb_ms")
    }
    evidence.cpu_multiplier = (
        SIMULATED_CPU_SLOWDOWN.get(profile.strategy, 1.0) if throttling == "simulate" else 1.0
    )
    performance = record.get("details", {}).get("categories", {}).get("performance")
    if performance is None:
        return
    audits = opportunity_audits(evidence, simulation)
    performance["audits"].extend(dataclasses.asdict(a) for a in audits)
