"""Where time savings plug in: the load simulator answers, the audits ask.

Lighthouse estimates an opportunity's milliseconds by simulating the page's dependency
graph (Lantern) twice, as loaded and with the waste removed. psdata's simulated
throttling builds that graph and simulator; once a page has one, it hands a
:class:`LoadSimulation` to :func:`apply_simulation`, which fills ``savings_ms`` and the
FCP/LCP ``metric_savings`` of the opportunities. Without one they stay ``None`` and say
why; nothing here simulates anything itself.

A simulator that answers from one batch of work asks :func:`savings_questions` first:
the questions :func:`apply_simulation` will ask for these audits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ...._lighthouse import PASS_SCORE
from ..evidence import AuditResult
from ._common import NO_SIMULATOR
from .evidence import OpportunityEvidence

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
RENDER_BLOCKING = "render-blocking-resources"
REDIRECTS = "redirects"
HTTP2 = "uses-http2"
#: Audits whose time savings come from the simulation's graph.
GRAPH_TIMED = BYTE_OPPORTUNITIES | {RENDER_BLOCKING, HTTP2}
#: Opportunities whose Lighthouse ``numericValue`` is their time savings (ms), and the
#: one whose ``numericValue`` is its wasted bytes.
SAVINGS_VALUED = GRAPH_TIMED | {
    REDIRECTS,
    "uses-rel-preconnect",
    "prioritize-lcp-image",
}
BYTES_VALUED = frozenset({"uses-long-cache-ttl"})
#: Lighthouse's least time a render-blocking request must cost to be listed.
MIN_BLOCKING_MS = 50
#: Lighthouse rounds each metric saving it reports (``metricSavings``) to this many ms.
METRIC_SAVINGS_PRECISION_MS = 50


class LoadSimulation(Protocol):
    """What a page's load simulator answers (Lighthouse's ``computeWasteWithGraph``)."""

    def savings_for_bytes(self, wasted_bytes_by_url: Mapping[str, float]) -> dict[str, float]:
        """FCP and LCP ms saved if each URL's transfer shrank by its wasted bytes.

        A metric the simulation could not estimate is left out (see :meth:`unavailable`).
        """

    def blocking_ms(self, url: str) -> float | None:
        """Simulated time of one render-blocking request on the FCP graph (``None``: absent)."""

    def savings_for_deferring(self, urls: Collection[str]) -> dict[str, float]:
        """FCP and LCP ms saved if these requests no longer blocked the first render."""

    def unavailable(self, metric: str) -> str | None:
        """Why *metric* ("FCP", "LCP") has no estimate (``None`` when it has one)."""

    def redirect_ms(self, urls: Sequence[str]) -> list[float] | None:
        """Simulated time of each hop of the main document's redirect chain *urls*
        (``None``: not simulated; the observed times stand, as in devtools mode)."""

    def savings_for_http2(self, urls: Collection[str]) -> dict[str, float]:
        """FCP and LCP ms saved if these requests were served over HTTP/2 (empty: not
        simulated)."""


@dataclass(frozen=True)
class SavingsQuestions:
    """What :func:`apply_simulation` will ask of a simulation for one page's audits.

    Attributes
    ----------
    bytes : dict of str to dict of str to float
        Per byte opportunity that fails, its wasted bytes by URL.
    render_blocking : list of str
        URLs of the render-blocking requests.
    wasted_css_bytes : dict of str to float
        Unused CSS bytes of every style sheet (render-blocking style sheets are inlined
        without them).
    lcp_image_url : str or None
        The LCP image's URL, when the LCP element is an image.
    redirects : list of str
        The main document's redirect chain, when its hops are to be simulated
        (Lighthouse does in "simulate" mode).
    http2 : list of str
        URLs of the requests served over HTTP/1.x that ``uses-http2`` lists.
    """

    bytes: dict[str, dict[str, float]] = field(default_factory=dict)
    render_blocking: list[str] = field(default_factory=list)
    wasted_css_bytes: dict[str, float] = field(default_factory=dict)
    lcp_image_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    http2: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.bytes or self.render_blocking or self.redirects or self.http2)


def _failing(audit: AuditResult) -> bool:
    return audit.score is not None and audit.score < PASS_SCORE and bool(audit.details)


def wasted_bytes_by_url(audit: AuditResult) -> dict[str, float]:
    """The wasted bytes of a byte opportunity's items, summed by URL.

    >>> audit = AuditResult("unused-javascript", "t", 0.0, 0.0, details=[
    ...     {"url": "a.js", "wastedBytes": 10}, {"url": "a.js", "wastedBytes": 5}])
    >>> wasted_bytes_by_url(audit)
    {'a.js': 15.0}
    """
    wasted: dict[str, float] = {}
    for item in audit.details:
        url = item.get("url")
        if url:
            wasted[url] = wasted.get(url, 0.0) + float(item.get("wastedBytes") or 0)
    return wasted


def savings_questions(
    audits: list[AuditResult],
    evidence: OpportunityEvidence | None = None,
    *,
    simulate_redirects: bool = False,
) -> SavingsQuestions:
    """The questions :func:`apply_simulation` asks for *audits* (empty: none to ask);
    with *simulate_redirects*, the redirect chain's hops too.

    >>> audit = AuditResult("unused-javascript", "t", 0.0, 0.0,
    ...     details=[{"url": "a.js", "wastedBytes": 30000}])
    >>> savings_questions([audit]).bytes
    {'unused-javascript': {'a.js': 30000.0}}
    """
    from .bytes import unused_css_by_url

    wanted: dict[str, dict[str, float]] = {}
    blocking: list[str] = []
    chain: list[str] = []
    http2: list[str] = []
    for audit in audits:
        if not _failing(audit):
            continue
        if audit.id == REDIRECTS and simulate_redirects and evidence is not None:
            chain = [url for url, _ in evidence.redirects]
        if audit.id in BYTE_OPPORTUNITIES:
            wanted[audit.id] = wasted_bytes_by_url(audit)
        elif audit.id == RENDER_BLOCKING:
            blocking = [item["url"] for item in audit.details]
        elif audit.id == HTTP2:
            http2 = [item["url"] for item in audit.details]
    css: dict[str, float] = {}
    lcp_image = None
    if evidence is not None:
        if blocking:
            css = unused_css_by_url(evidence)
        lcp_image = lcp_image_url(evidence)
    return SavingsQuestions(wanted, blocking, css, lcp_image, chain, http2)


def lcp_image_url(evidence: OpportunityEvidence) -> str | None:
    """The URL of the page's LCP image (an ``Image`` request), if its LCP is one."""
    url = ((evidence.page or {}).get("lcp") or {}).get("url")
    if not url:
        return None
    request = evidence.request_for(url)
    return url if request is not None and request.resource_type == "Image" else None


def quantized(metric_savings: Mapping[str, float]) -> dict[str, float]:
    """Metric savings as Lighthouse reports them: never negative, FCP/LCP/TBT to 50 ms.

    >>> quantized({"FCP": 24.0, "LCP": 380.0})
    {'FCP': 0.0, 'LCP': 400.0}
    """
    step = METRIC_SAVINGS_PRECISION_MS
    return {
        name: float(round(max(value, 0.0) / step) * step)
        if name in ("FCP", "LCP", "TBT", "INP")
        else max(value, 0.0)
        for name, value in metric_savings.items()
    }


def _score(metric_savings: Mapping[str, float]) -> float:
    return 0.0 if any(metric_savings.values()) else 0.5


def _missing(simulation: LoadSimulation, metric: str) -> str:
    why = simulation.unavailable(metric) or "not estimated"
    return f"{metric} savings not estimated: {why}."


def _without_generic_note(audit: AuditResult) -> str:
    """*audit*'s explanation without the generic "no simulator" note."""
    return (audit.explanation or "").replace(NO_SIMULATOR, "").strip()


def _unexplained(audit: AuditResult, why: str) -> AuditResult:
    """*audit* saying *why* its time savings are missing (in place of the generic note)."""
    if not _failing(audit) or audit.id not in GRAPH_TIMED:
        return audit
    rest = _without_generic_note(audit)
    note = f"Time savings not estimated: {why}"
    return dataclasses.replace(audit, explanation=f"{note} {rest}".strip())


def _nothing_to_save(audit: AuditResult) -> AuditResult:
    """A passing opportunity saves nothing: 0 ms, as Lighthouse reports it."""
    if (
        audit.id not in GRAPH_TIMED
        or audit.score is None
        or audit.score < PASS_SCORE
        or audit.savings_ms is not None
    ):
        return audit
    return dataclasses.replace(audit, savings_ms=0.0, metric_savings={"FCP": 0.0, "LCP": 0.0})


def _with_savings(
    audit: AuditResult, metric: dict[str, float], by: str, **changes: Any
) -> AuditResult:
    """*audit* with the simulated *metric* savings, scored on them; its time savings are
    the *by* metric's (never below 0)."""
    reported = quantized(metric)
    return dataclasses.replace(
        audit,
        savings_ms=max(metric[by], 0.0),
        metric_savings=reported,
        score=_score(reported),
        **changes,
    )


def _with_byte_savings(audit: AuditResult, simulation: LoadSimulation) -> AuditResult:
    metric = simulation.savings_for_bytes(wasted_bytes_by_url(audit))
    rest = _without_generic_note(audit) or None
    if "LCP" not in metric:
        notes = " ".join(_missing(simulation, m) for m in ("FCP", "LCP") if m not in metric)
        return dataclasses.replace(
            audit,
            metric_savings=quantized(metric),
            explanation=f"{notes} {rest or ''}".strip(),
        )
    return _with_savings(audit, metric, "LCP", explanation=rest)


def _with_blocking_savings(audit: AuditResult, simulation: LoadSimulation) -> AuditResult:
    if simulation.unavailable("FCP") is not None:  # no graph: nothing is known to pass
        return dataclasses.replace(audit, explanation=_missing(simulation, "FCP"))
    timed = []
    for item in audit.details:
        spent = simulation.blocking_ms(item["url"])
        if spent is not None:
            timed.append((item, spent))
    items = [{**i, "wastedMs": round(ms)} for i, ms in timed if ms >= MIN_BLOCKING_MS]
    if not items:
        return dataclasses.replace(
            audit, details=[], savings_ms=0.0, metric_savings={}, score=1.0, explanation=None
        )
    metric = simulation.savings_for_deferring([item["url"] for item, _ in timed])
    if "FCP" not in metric:
        return dataclasses.replace(audit, details=items, explanation=_missing(simulation, "FCP"))
    return _with_savings(audit, metric, "FCP", details=items, explanation=None)


def _with_http2_savings(audit: AuditResult, simulation: LoadSimulation) -> AuditResult:
    """Lighthouse's ``uses-http2`` savings: the pessimistic FCP and LCP graphs with the
    listed requests switched to HTTP/2; the LCP's is the audit's."""
    metric = simulation.savings_for_http2([item["url"] for item in audit.details])
    if "LCP" not in metric:
        notes = " ".join(_missing(simulation, m) for m in ("FCP", "LCP") if m not in metric)
        return dataclasses.replace(audit, explanation=notes or _without_generic_note(audit))
    return _with_savings(audit, metric, "LCP", explanation=_without_generic_note(audit) or None)


def _with_redirect_times(audit: AuditResult, simulation: LoadSimulation) -> AuditResult:
    times = simulation.redirect_ms([item["url"] for item in audit.details])
    if times is None or len(times) != len(audit.details):
        return audit
    items = [{**item, "wastedMs": ms} for item, ms in zip(audit.details, times, strict=True)]
    wasted = float(sum(times))
    return dataclasses.replace(
        audit,
        details=items,
        savings_ms=wasted,
        metric_savings=quantized({"FCP": wasted, "LCP": wasted}),
    )


def apply_simulation(
    audits: list[AuditResult], simulation: LoadSimulation | None, why: str | None = None
) -> list[AuditResult]:
    """The audits with time savings from *simulation*.

    Byte opportunities save their LCP gain (``savings_ms``, as Lighthouse's
    ``overallSavingsMs``); render-blocking resources list the requests that cost 50 ms
    or more on the first paint's graph and save the first paint's gain. Without a
    simulation the audits are unchanged, or say *why* when it is given.

    >>> from psdata.engines.lab.evidence import AuditResult
    >>> audit = AuditResult("unused-javascript", "Reduce unused JavaScript", 0.0, 0.0,
    ...     details=[{"url": "https://a.test/app.js", "wastedBytes": 50_000}])
    >>> class Fixed:
    ...     def savings_for_bytes(self, wasted):
    ...         return {"FCP": 0.0, "LCP": wasted["https://a.test/app.js"] / 100}
    ...     def blocking_ms(self, url): return None
    ...     def savings_for_deferring(self, urls): return {"FCP": 0.0, "LCP": 0.0}
    ...     def unavailable(self, metric): return None
    ...     def redirect_ms(self, urls): return None
    ...     def savings_for_http2(self, urls): return {}
    >>> [(a.savings_ms, a.metric_savings) for a in apply_simulation([audit], Fixed())]
    [(500.0, {'FCP': 0.0, 'LCP': 500.0})]
    >>> apply_simulation([audit], None, "no trace")[0].explanation
    'Time savings not estimated: no trace'
    """
    audits = [_nothing_to_save(a) for a in audits]
    if simulation is None:
        audits = audits if why is None else [_unexplained(a, why) for a in audits]
        return [with_numeric_value(a) for a in audits]
    out = []
    for audit in audits:
        if _failing(audit) and audit.id in BYTE_OPPORTUNITIES:
            audit = _with_byte_savings(audit, simulation)
        elif _failing(audit) and audit.id == RENDER_BLOCKING:
            audit = _with_blocking_savings(audit, simulation)
        elif _failing(audit) and audit.id == REDIRECTS:
            audit = _with_redirect_times(audit, simulation)
        elif _failing(audit) and audit.id == HTTP2:
            audit = _with_http2_savings(audit, simulation)
        out.append(with_numeric_value(audit))
    return out


def with_numeric_value(audit: AuditResult) -> AuditResult:
    """*audit* with Lighthouse's ``numericValue`` where it is its savings: milliseconds
    for the time opportunities, wasted bytes for the cache policy.

    >>> audit = AuditResult("redirects", "Avoid redirects", 0.0, 0.0, savings_ms=630.0)
    >>> with_numeric_value(audit).numeric_value, with_numeric_value(audit).numeric_unit
    (630.0, 'millisecond')
    """
    if audit.numeric_value is not None:
        return audit
    if audit.id in SAVINGS_VALUED and audit.savings_ms is not None:
        return dataclasses.replace(
            audit, numeric_value=audit.savings_ms, numeric_unit="millisecond"
        )
    if audit.id in BYTES_VALUED and audit.savings_bytes is not None:
        return dataclasses.replace(audit, numeric_value=audit.savings_bytes, numeric_unit="byte")
    return audit


def describe_questions(questions: SavingsQuestions) -> dict[str, Any]:
    """The questions as the Lantern worker's ``savings`` request takes them."""
    return {
        "bytes": questions.bytes,
        "renderBlocking": questions.render_blocking,
        "wastedCssBytes": questions.wasted_css_bytes,
        "lcpImageUrl": questions.lcp_image_url,
        "redirects": questions.redirects,
        "http2": questions.http2,
    }
