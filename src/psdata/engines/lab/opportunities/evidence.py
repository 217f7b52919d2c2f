"""What the opportunity audits judge: the facts one page load gave, plain data only.

Every step of the collection fills its part or leaves an explanation in
:attr:`OpportunityEvidence.errors` under the step's name; the audits that need a failed
step are undecided (display mode ``"error"``), the others are judged as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..bfcache import BackForwardCacheOutcome
from ..evidence import NetworkRequest

#: The collection steps, each named in ``errors`` when it failed.
STEPS = ("page", "js_coverage", "css", "bodies", "images", "trace", "bf_cache")


@dataclass
class ScriptUsage:
    """One script's JS coverage: its length and the bytes no function of it ran."""

    url: str
    length: int
    unused: int
    inline: bool = False


@dataclass
class StyleSheetUsage:
    """One style sheet: its source, length, the bytes of the rules used, its text."""

    url: str
    length: int
    used: int
    inline: bool = False
    content: str = ""


@dataclass
class BodyFacts:
    """One response body, reduced to what the byte audits need."""

    size: int  # decoded bytes (Lighthouse's resourceSize)
    gzip_size: int | None = None  # gzip -6 of the body, for text resources
    token_length: int | None = None  # minified estimate, for scripts and style sheets
    legacy: tuple[str, ...] = ()  # legacy-JavaScript signals found in a script
    source_map: str | None = None  # a script's sourceMappingURL


@dataclass
class ImageEncoding:
    """Sizes of an image re-encoded by Chromium (``Audits.getEncodedResponse``)."""

    url: str
    mime_type: str
    original_size: int
    jpeg_size: int | None = None
    webp_size: int | None = None
    failed: str | None = None


@dataclass
class OpportunityEvidence:
    """Everything the performance opportunities and diagnostics of one page judge."""

    url: str
    form_factor: str = "mobile"
    requests: Sequence[NetworkRequest] = ()
    main_document: NetworkRequest | None = None
    #: The main document's CDP ``Response.timing``.
    main_timing: dict[str, float] = field(default_factory=dict)
    #: Every response's CDP ``Response.timing``, by request id.
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    #: The main document's redirect chain: (url, request start in ms), last = final.
    redirects: list[tuple[str, float]] = field(default_factory=list)
    page: dict[str, Any] | None = None  # page.js's answer
    scripts: list[ScriptUsage] = field(default_factory=list)
    stylesheets: list[StyleSheetUsage] = field(default_factory=list)
    bodies: dict[str, BodyFacts] = field(default_factory=dict)  # by request id
    #: Decoded bytes received per request id (``Network.dataReceived``): resourceSize.
    resource_sizes: dict[str, int] = field(default_factory=dict)
    unread_bodies: list[str] = field(default_factory=list)  # URLs whose body was gone
    images: list[ImageEncoding] = field(default_factory=list)
    #: The scripts' source maps: map URL → its ``sources``; and the maps not read, why.
    source_maps: dict[str, list[str]] = field(default_factory=dict)
    unread_source_maps: dict[str, str] = field(default_factory=dict)
    #: The page's main-thread trace events (Chrome trace format), ``None`` until known.
    trace_events: list[dict[str, Any]] | None = None
    #: Metric values of the measurement (fcp_ms, lcp_ms, cls, tbt_ms, speed_index_ms,
    #: ttfb_ms, interactive_ms, max_potential_fid_ms), and under simulated throttling the
    #: observed values of those it predicted (fcp_ms, lcp_ms, speed_index_ms, tbt_ms).
    metrics: dict[str, float | None] = field(default_factory=dict)
    observed: dict[str, float | None] = field(default_factory=dict)
    #: Lantern's network analysis of the load (``rttMs``, ``throughputBps``,
    #: ``additionalRttByOrigin``, ``serverResponseTimeByOrigin``), with the simulator.
    network_analysis: dict[str, Any] | None = None
    #: CPU slowdown the trace's durations are to be multiplied by (simulate: 4 on mobile).
    cpu_multiplier: float = 1.0
    #: What the navigation away and back showed (``None`` until it ran, or if it failed).
    bf_cache: BackForwardCacheOutcome | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def request_for(self, url: str) -> NetworkRequest | None:
        """The first finished request of *url* (``None`` if the page made none)."""
        for request in self.requests:
            if request.url == url and request.failed is None:
                return request
        return None
