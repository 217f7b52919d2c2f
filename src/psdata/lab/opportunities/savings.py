"""Where time savings plug in: the load simulator answers, the audits ask.

Lighthouse estimates an opportunity's milliseconds by simulating the page's dependency
graph (Lantern) twice, as loaded and with the waste removed. psdata's simulated
throttling builds that graph and simulator; once a page has one, it hands a
:class:`LoadSimulation` to :func:`apply_simulation`, which fills ``savings_ms`` and the
FCP/LCP ``metric_savings`` of the opportunities. Without one they stay ``None`` and say
why; nothing here simulates anything itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Protocol

from ..evidence import AuditResult

#: Audits whose items carry ``wastedBytes`` that the simulation turns into time.
BYTE_OPPORTUNITIES = frozenset(
    {
        "unused-css-rules",
        "unused-javascript",
        "unminified-css",
        "unminified-javascript",
        "uses-text-compression",
        "modern-image-formats",
        "uses-optimized-images",
        "uses-responsive-images",
        "offscreen-images",
        "efficient-animated-content",
        "legacy-javascript",
        "duplicated-javascript",
    }
)
#: Lighthouse's least time a render-blocking request must cost to be listed.
MIN_BLOCKING_MS = 50


class LoadSimulation(Protocol):
    """What a page's load simulator answers (Lighthouse's ``computeWasteWithGraph``)."""

    def savings_for_bytes(self, wasted_bytes_by_url: Mapping[str, float]) -> dict[str, float]:
        """FCP and LCP ms saved if each URL's transfer shrank by its wasted bytes."""

    def blocking_ms(self, url: str) -> float | None:
        """Simulated time of one render-blocking request on the FCP graph (``None``: absent)."""

    def savings_for_deferring(self, urls: Collection[str]) -> dict[str, float]:
        """FCP and LCP ms saved if these requests no longer blocked the first render."""


def _score(metric_savings: Mapping[str, float]) -> float:
    return 0.0 if any(metric_savings.values()) else 0.5


def apply_simulation(
    audits: list[AuditResult], simulation: LoadSimulation | None
) -> list[AuditResult]:
    """The audits with time savings from *simulation* (unchanged without one).

    >>> from psdata.lab.evidence import AuditResult
    >>> audit = AuditResult("unused-javascript", "Reduce unused JavaScript", 0.0, 0.0,
    ...     details=[{"url": "https://a.test/app.js", "wastedBytes": 50_000}])
    >>> class Fixed:
    ...     def savings_for_bytes(self, wasted):
    ...         return {"FCP": 0.0, "LCP": wasted["https://a.test/app.js"] / 100}
    ...     def blocking_ms(self, url): return None
    ...     def savings_for_deferring(self, urls): return {"FCP": 0.0, "LCP": 0.0}
    >>> [a.savings_ms for a in apply_simulation([audit], Fixed())]
    [500.0]
    """
    if simulation is None:
        return audits
    out = []
    for audit in audits:
        if audit.score is None or audit.score >= 0.9 or not audit.details:
            out.append(audit)
            continue
        if audit.id in BYTE_OPPORTUNITIES:
            wasted: dict[str, float] = {}
            for item in audit.details:
                url = item.get("url")
                if url:
                    wasted[url] = wasted.get(url, 0.0) + float(item.get("wastedBytes") or 0)
            metric = simulation.savings_for_bytes(wasted)
            audit = dataclasses.replace(
                audit,
                savings_ms=metric.get("LCP", 0.0),
                metric_savings=metric,
                score=_score(metric),
                explanation=None,
            )
        elif audit.id == "render-blocking-resources":
            items = []
            for item in audit.details:
                spent = simulation.blocking_ms(item["url"])
                if spent is not None and spent >= MIN_BLOCKING_MS:
                    items.append({**item, "wastedMs": round(spent)})
            metric = simulation.savings_for_deferring([i["url"] for i in items]) if items else {}
            audit = dataclasses.replace(
                audit,
                details=items,
                savings_ms=metric.get("FCP", 0.0),
                metric_savings=metric,
                score=_score(metric) if items else 1.0,
                explanation=None,
            )
        out.append(audit)
    return out
