"""What the collector hands to audits: network records and the main document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..._lighthouse import BINARY, ERROR, INFORMATIVE, SCORED_MODES


@dataclass
class NetworkRequest:
    """One network request of the page, from the page's CDP ``Network`` events."""

    request_id: str
    url: str
    resource_type: str  # CDP ResourceType: "Document", "Script", "Image", ...
    method: str = "GET"
    status: int | None = None
    mime_type: str | None = None
    protocol: str | None = None
    response_headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    transfer_size: int = 0  # bytes on the wire (headers + body), 0 if unknown
    start_ms: float | None = None  # since navigation start
    response_ms: float | None = None  # first byte of the response, since navigation start
    end_ms: float | None = None
    failed: str | None = None  # CDP errorText when the request failed
    from_cache: bool = False
    from_service_worker: bool = False
    frame_id: str | None = None  # the CDP frame that made the request


@dataclass
class AuditResult:
    """One audit's outcome, as Lighthouse reports it.

    Its score follows the display mode as in Lighthouse's report: an informative audit
    scores 1, an unscored one (manual, not applicable, undecided) has none.

    >>> AuditResult("dom-size", "DOM size", 0.92, 0.0, "informative").score
    1.0
    >>> print(AuditResult("canonical", "Canonical", 1.0, 1.0, "notApplicable").score)
    None
    """

    id: str
    title: str
    score: float | None  # 0..1; None when manual, not applicable or undecided
    weight: float
    #: Lighthouse's ``scoreDisplayMode`` (the constants of :mod:`psdata._lighthouse`).
    display_mode: str = BINARY
    details: list[dict[str, Any]] = field(default_factory=list)  # failing items
    explanation: str | None = None
    #: Estimated savings of an opportunity (performance category only; ``None``: not
    #: estimated). Milliseconds need the load simulator; bytes follow Lighthouse's rules.
    savings_ms: float | None = None
    savings_bytes: float | None = None
    #: Lighthouse 12's ``metricSavings``: estimated gain per metric ("FCP", "LCP", "TBT",
    #: "CLS"), only for the metrics that could be derived.
    metric_savings: dict[str, float] = field(default_factory=dict)
    #: Lighthouse's ``numericValue`` and ``numericUnit`` ("millisecond", "byte",
    #: "element", "unitless"), where the audit has them (``None``: it has no number).
    numeric_value: float | None = None
    numeric_unit: str | None = None

    def __post_init__(self) -> None:
        if self.display_mode == INFORMATIVE:
            self.score = 1.0
        elif self.display_mode not in SCORED_MODES:
            self.score = None

    @property
    def counts(self) -> bool:
        """Whether the score counts in its category's mean (a scored display mode).

        >>> AuditResult("bypass", "Skip link", None, 7.0, "informative").counts
        False
        """
        return self.display_mode in SCORED_MODES


@dataclass
class CategoryResult:
    """A category score (0..1, None if nothing applicable) and the audits behind it."""

    id: str  # one of psdata._lighthouse.CATEGORIES
    score: float | None
    audits: list[AuditResult] = field(default_factory=list)

    def warning(self) -> str | None:
        """Why this category has no score, or which weighted audits it was scored without.

        ``None`` when every audit that counts was decided.

        >>> undecided = AuditResult("image-alt", "Alt", None, 10, "error", explanation="timeout")
        >>> CategoryResult("accessibility", None, [undecided]).warning()
        'accessibility not scored: timeout'
        >>> ok = AuditResult("document-title", "Title", 1.0, 1)
        >>> CategoryResult("seo", 1.0, [ok, undecided]).warning()
        'seo scored without image-alt (timeout)'
        """
        undecided = [a for a in self.audits if a.display_mode == ERROR and a.weight > 0]
        reasons: dict[str, list[str]] = {}
        for audit in undecided:
            reasons.setdefault(audit.explanation or "could not be decided", []).append(audit.id)
        if self.score is None:
            why = "; ".join(reasons) or "no audit applies to this page"
            return f"{self.id} not scored: {why}"
        if not undecided:
            return None
        parts = [f"{', '.join(ids)} ({why})" for why, ids in reasons.items()]
        return f"{self.id} scored without {'; '.join(parts)}"
