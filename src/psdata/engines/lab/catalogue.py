"""The audits the lab engine reports in each category, in Lighthouse's order.

Every audit of Lighthouse 12.2.3's four categories is in a lab row: the ones psdata
produces, and the few it cannot (:data:`NOT_PRODUCED`, each not applicable in every row,
with the reason as its explanation). The lists come from the modules that judge the
audits; the tests check them against Lighthouse's recorded reports.

>>> ids = audit_ids()
>>> ids["performance"][:2], "bf-cache" in ids["performance"], ids["seo"][0]
(('first-contentful-paint', 'largest-contentful-paint'), True, 'is-crawlable')
>>> sorted(NOT_PRODUCED)[0]
'final-screenshot'
"""

from __future__ import annotations

from ..._lighthouse import HIDDEN_METRIC_AUDITS, METRIC_AUDITS
from .opportunities import AUDIT_ORDER, NOT_PRODUCED

__all__ = ["NOT_PRODUCED", "audit_ids"]


def audit_ids() -> dict[str, tuple[str, ...]]:
    """Each category's audit ids (psdata's category names), in Lighthouse's order."""
    from .audits import accessibility, best_practices, seo  # axe-core loads only when asked

    metrics = (*METRIC_AUDITS.values(), *HIDDEN_METRIC_AUDITS.values())
    return {
        "performance": (*(audit.id for audit in metrics), *AUDIT_ORDER),
        "accessibility": tuple(accessibility.WEIGHTS),
        "best_practices": tuple(best_practices.WEIGHTS),
        "seo": tuple(seo.WEIGHTS),
    }
