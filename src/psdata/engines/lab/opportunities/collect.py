"""Collecting the opportunity evidence on the page's own CDP session.

Before navigation: JS coverage (``Profiler.startPreciseCoverage``, function granularity
as Lighthouse's js-usage gatherer), the main document's redirects, and an init script
that keeps the LCP element, the nodes of layout shifts and the calls Chromium reports as
``discouragedAPIUse`` violations (``document.write``, non-passive listeners; Lighthouse
reads them from ``Log.startViolationsReport``, whose setting does not survive the
renderer swap of the first navigation here, so they are recorded in the page).
After load, each step bounded in time and run side by side: the JS
coverage, CSS rule usage with the style sheets' text (as Lighthouse's css-usage and
stylesheets gatherers), the page facts (one evaluate of ``page.js``), the bodies of text
resources (gzip and minified estimates, off the loop thread) and Chromium's re-encoded
image sizes (``Audits.getEncodedResponse``, as Lighthouse's optimized-images gatherer)
and the scripts' source maps (:mod:`~psdata.engines.lab.opportunities.source_maps`).
Last, after the category audits too: the navigation away and back that shows whether
the back/forward cache restores the page (:mod:`~psdata.engines.lab.bfcache`).
A step that fails leaves its explanation in ``OpportunityEvidence.errors``.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
import zlib
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from playwright.async_api import CDPSession, Page

from ..audit_results import describe
from ..bfcache import check_back_forward_cache
from ..budget import BUDGET
from ..evidence import NetworkRequest
from ..network import NetworkLog
from ..priority import in_background
from ._common import size_on_network
from .bytes import LEGACY_SIGNALS
from .evidence import BodyFacts, ImageEncoding, OpportunityEvidence, ScriptUsage, StyleSheetUsage
from .minify import token_length
from .source_maps import collect_source_maps

INIT_JS = resources.files(__package__).joinpath("init.js").read_text()
PAGE_JS = resources.files(__package__).joinpath("page.js").read_text()

#: Response bodies read (text only): resource types, how many, the largest; images.
TEXT_TYPES = frozenset({"Document", "Script", "Stylesheet", "XHR", "Fetch"})
MAX_BODIES = 80
MAX_BODY_BYTES = 4 * 1024 * 1024
IMAGE_MIME = ("image/jpeg", "image/png", "image/bmp", "image/x-png", "image/x-ms-bmp")
MIN_IMAGE_BYTES = 4096
MAX_IMAGE_BYTES = 2000 * 1024
#: Lighthouse's qualities for re-encoding.
JPEG_QUALITY = 0.92
WEBP_QUALITY = 0.85
MAX_STYLESHEETS = 200
SOURCE_MAP_COMMENT = re.compile(r"[#@]\s*sourceMappingURL=(\S+)")


class OpportunityCollector:
    """Collects one page's :class:`OpportunityEvidence` (one collector per page).

    >>> collector = OpportunityCollector("mobile")
    >>> await collector.before_navigation(page, cdp)  # doctest: +SKIP
    >>> await collector.after_load(page, cdp, network)  # doctest: +SKIP
    >>> collector.evidence.errors  # doctest: +SKIP
    {}
    """

    def __init__(self, form_factor: str) -> None:
        self.evidence = OpportunityEvidence(url="", form_factor=form_factor)
        self._cdp: CDPSession | None = None
        self._main_frame: str | None = None

    async def before_navigation(self, page: Page, cdp: CDPSession) -> None:
        """Start coverage, the violation report and the in-page observers."""
        self._cdp = cdp
        errors = self.evidence.errors
        cdp.on("Network.requestWillBeSent", self._on_request)
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on("Network.dataReceived", self._on_data)
        steps: dict[str, Callable[[], Awaitable[Any]]] = {
            "js_coverage": lambda: _send_all(
                cdp,
                ("Profiler.enable", {}),
                ("Profiler.startPreciseCoverage", {"callCount": False, "detailed": False}),
            ),
            "page": lambda: page.add_init_script(INIT_JS),
        }
        outcomes = await asyncio.gather(
            *(asyncio.wait_for(step(), BUDGET.opportunity_cdp_s) for step in steps.values()),
            return_exceptions=True,
        )
        for name, outcome in zip(steps, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                errors[name] = f"Could not start: {describe(outcome)}"

    def _on_response(self, params: dict[str, Any]) -> None:
        timing = params.get("response", {}).get("timing")
        if timing:
            self.evidence.timings[params.get("requestId", "")] = timing

    def _on_data(self, params: dict[str, Any]) -> None:
        sizes = self.evidence.resource_sizes
        request_id = params.get("requestId", "")
        sizes[request_id] = sizes.get(request_id, 0) + int(params.get("dataLength", 0))

    def _on_request(self, params: dict[str, Any]) -> None:
        if params.get("type") != "Document":
            return
        frame = params.get("frameId")
        if self._main_frame is None:
            self._main_frame = frame
        if frame != self._main_frame:
            return
        url = params["request"]["url"]
        stamp = float(params.get("timestamp", 0.0)) * 1000
        chain = self.evidence.redirects
        if params.get("redirectResponse") is None and chain:
            chain.clear()  # a second navigation of the main frame starts a new chain
        chain.append((url, stamp))

    async def after_load(self, page: Page, cdp: CDPSession, network: NetworkLog) -> None:
        """Read everything; each step bounded by the budget's ``opportunity_step_s``."""
        evidence = self.evidence
        cdp.remove_listener("Network.requestWillBeSent", self._on_request)
        cdp.remove_listener("Network.responseReceived", self._on_response)
        cdp.remove_listener("Network.dataReceived", self._on_data)
        evidence.url = page.url
        evidence.requests = network.measured()
        evidence.main_document = network.main_document
        evidence.main_timing = dict(network.main_timing)
        if evidence.redirects:
            origin = evidence.redirects[0][1]
            evidence.redirects = [(url, stamp - origin) for url, stamp in evidence.redirects]
        skip = set(evidence.errors)
        # Coverage first: evaluating page.js would count as running code.
        if "js_coverage" not in skip:
            await self._step("js_coverage", lambda: self._js_coverage(cdp))

        async def bodies_then_images() -> None:
            await self._step("bodies", lambda: self._bodies(cdp))
            await asyncio.gather(
                self._step("images", lambda: self._images(cdp)),
                self._step(
                    "source_maps",
                    lambda: collect_source_maps(page, evidence, BUDGET.opportunity_cdp_s),
                ),
            )

        await asyncio.gather(
            self._step("css", lambda: self._css_usage(page, cdp)),
            self._step("page", lambda: self._page_facts(page))
            if "page" not in skip
            else _nothing(),
            bodies_then_images(),
        )

    async def after_audits(self, cdp: CDPSession) -> None:
        """The last step, once nothing reads the page any more: navigate away and back
        (:func:`~psdata.engines.lab.bfcache.check_back_forward_cache`)."""

        try:
            outcome = await check_back_forward_cache(cdp, within=BUDGET.bf_cache_s)
            self.evidence.bf_cache = outcome
        except Exception as exc:  # a page failure becomes an explanation, never an exception
            self.evidence.errors["bf_cache"] = describe(exc)

    async def _step(self, name: str, step: Callable[[], Awaitable[None]]) -> None:
        try:
            await asyncio.wait_for(step(), BUDGET.opportunity_step_s)
        except Exception as exc:  # a page failure becomes an explanation, never an exception
            self.evidence.errors[name] = describe(exc)

    async def _js_coverage(self, cdp: CDPSession) -> None:
        reply = await asyncio.wait_for(
            cdp.send("Profiler.takePreciseCoverage"), BUDGET.opportunity_cdp_s
        )
        await _send_all(cdp, ("Profiler.stopPreciseCoverage", {}), ("Profiler.disable", {}))
        page_url = self.evidence.url
        scripts = []
        for script in reply.get("result", []):
            url = script.get("url", "")
            if not url or url.startswith(("__playwright", "__puppeteer")):
                continue
            usage = script_usage(script.get("functions", []))
            if usage is not None:
                length, unused = usage
                scripts.append(ScriptUsage(url, length, unused, inline=url == page_url))
        self.evidence.scripts = scripts

    async def _css_usage(self, page: Page, cdp: CDPSession) -> None:
        headers: list[dict[str, Any]] = []

        def on_added(params: dict[str, Any]) -> None:
            headers.append(params.get("header", {}))

        cdp.on("CSS.styleSheetAdded", on_added)
        try:
            await _send_all(cdp, ("DOM.enable", {}), ("CSS.enable", {}))
            await asyncio.wait_for(cdp.send("CSS.startRuleUsageTracking"), BUDGET.opportunity_cdp_s)
            await asyncio.wait_for(
                page.evaluate("getComputedStyle(document.body) && 0"), BUDGET.opportunity_page_s
            )
            usage = await asyncio.wait_for(
                cdp.send("CSS.stopRuleUsageTracking"), BUDGET.opportunity_cdp_s
            )
        finally:
            cdp.remove_listener("CSS.styleSheetAdded", on_added)
        texts = await asyncio.gather(
            *(
                asyncio.wait_for(
                    cdp.send("CSS.getStyleSheetText", {"styleSheetId": h["styleSheetId"]}),
                    BUDGET.opportunity_cdp_s,
                )
                for h in headers[:MAX_STYLESHEETS]
            ),
            return_exceptions=True,
        )
        await _send_all(cdp, ("CSS.disable", {}), ("DOM.disable", {}))
        used: dict[str, int] = {}
        for rule in usage.get("ruleUsage", []):
            if rule.get("used"):
                sheet = rule["styleSheetId"]
                used[sheet] = used.get(sheet, 0) + rule["endOffset"] - rule["startOffset"]
        sheets: dict[str, StyleSheetUsage] = {}  # deduplicated by content, as Lighthouse
        for header, text in zip(headers, texts, strict=False):
            if isinstance(text, BaseException) or not header.get("length"):
                continue
            content = str(text.get("text", ""))
            sheets[content] = StyleSheetUsage(
                url=header.get("sourceURL", ""),
                length=len(content),
                used=used.get(header["styleSheetId"], 0),
                inline=bool(header.get("isInline")) or not header.get("sourceURL"),
                content=content,
            )
        self.evidence.stylesheets = list(sheets.values())

    async def _page_facts(self, page: Page) -> None:
        self.evidence.page = await asyncio.wait_for(
            page.evaluate(PAGE_JS), BUDGET.opportunity_page_s
        )

    async def _bodies(self, cdp: CDPSession) -> None:
        wanted = [r for r in self.evidence.requests if _wants_body(r)][:MAX_BODIES]
        raw = await asyncio.gather(*(_body(cdp, r) for r in wanted), return_exceptions=True)
        read = [(r, b) for r, b in zip(wanted, raw, strict=True) if isinstance(b, bytes)]
        failed = [(r, b) for r, b in zip(wanted, raw, strict=True) if not isinstance(b, bytes)]
        if failed and not read:
            raise RuntimeError(f"no response body could be read ({describe(failed[0][1])})")
        self.evidence.unread_bodies = [r.url for r, _ in failed]
        facts = await in_background(_body_facts, read)
        self.evidence.bodies = facts

    async def _images(self, cdp: CDPSession) -> None:
        seen: set[str] = set()
        candidates = []
        for request in self.evidence.requests:
            size = size_on_network(self.evidence, request)
            if (
                request.resource_type == "Image"
                and (request.mime_type or "") in IMAGE_MIME
                and request.failed is None
                and request.url not in seen
                and size > MIN_IMAGE_BYTES
            ):
                seen.add(request.url)
                candidates.append((size, request))
        candidates.sort(key=lambda pair: -pair[0])
        started = time.monotonic()
        images = []
        for size, request in candidates:
            image = ImageEncoding(request.url, request.mime_type or "", size)
            images.append(image)
            if time.monotonic() - started > BUDGET.image_encoding_s or size > MAX_IMAGE_BYTES:
                continue  # judged from its dimensions, as in Lighthouse
            try:
                for encoding, quality in (("jpeg", JPEG_QUALITY), ("webp", WEBP_QUALITY)):
                    params = {
                        "requestId": request.request_id,
                        "encoding": encoding,
                        "quality": quality,
                        "sizeOnly": True,
                    }
                    reply = await asyncio.wait_for(
                        cdp.send("Audits.getEncodedResponse", params), BUDGET.opportunity_cdp_s
                    )
                    setattr(image, f"{encoding}_size", int(reply["encodedSize"]))
            except Exception as exc:  # one image that cannot be decoded
                image.failed = describe(exc)
        if images and all(i.failed for i in images):
            raise RuntimeError(f"every image failed to re-encode ({images[0].failed})")
        self.evidence.images = images


async def _nothing() -> None:
    return None


async def _send_all(cdp: CDPSession, *commands: tuple[str, dict[str, Any]]) -> None:
    for method, params in commands:
        await asyncio.wait_for(cdp.send(method, params), BUDGET.opportunity_cdp_s)


def _wants_body(request: NetworkRequest) -> bool:
    return (
        request.resource_type in TEXT_TYPES
        and request.failed is None
        and request.status not in (None, 204, 301, 302, 303, 307, 308, 304)
        and request.transfer_size <= MAX_BODY_BYTES
    )


async def _body(cdp: CDPSession, request: NetworkRequest) -> bytes:
    reply = await asyncio.wait_for(
        cdp.send("Network.getResponseBody", {"requestId": request.request_id}),
        BUDGET.opportunity_cdp_s,
    )
    body: str = reply["body"]
    return base64.b64decode(body) if reply.get("base64Encoded") else body.encode("utf-8")


def _body_facts(read: list[tuple[NetworkRequest, bytes]]) -> dict[str, BodyFacts]:
    """Sizes, gzip sizes and minified estimates of the bodies (runs off the loop)."""
    facts = {}
    for request, body in read:
        fact = BodyFacts(size=len(body))
        if request.resource_type in TEXT_TYPES and not (request.mime_type or "").startswith(
            ("image/", "audio/", "video/")
        ):
            fact.gzip_size = gzip_size(body)
            if request.resource_type in ("Script", "Stylesheet") and len(body) <= MAX_BODY_BYTES:
                text = body.decode("utf-8", "replace")
                fact.token_length = token_length(text, css=request.resource_type == "Stylesheet")
                if request.resource_type == "Script":
                    fact.legacy = tuple(n for n, p in LEGACY_SIGNALS.items() if p.search(text))
                    found = SOURCE_MAP_COMMENT.search(text[-4096:])
                    fact.source_map = found.group(1) if found else None
        facts[request.request_id] = fact
    return facts


def gzip_size(body: bytes) -> int:
    """Bytes of *body* gzipped at level 6 (Node's default, which Lighthouse uses).

    >>> gzip_size(b"a" * 10000) < 100
    True
    """
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return len(compressor.compress(body) + compressor.flush())


def script_usage(functions: list[dict[str, Any]]) -> tuple[int, int] | None:
    """(length, unused bytes) of one script from its function-granular coverage.

    The first function covers the whole script; ranges are applied in order, inner
    ranges after the ones that contain them, so each byte ends with its innermost count.

    >>> script_usage([
    ...     {"ranges": [{"startOffset": 0, "endOffset": 100, "count": 1}]},
    ...     {"ranges": [{"startOffset": 10, "endOffset": 60, "count": 0}]},
    ... ])
    (100, 50)
    """
    if not functions or not functions[0].get("ranges"):
        return None
    length = int(functions[0]["ranges"][0]["endOffset"])
    if length <= 0:
        return None
    used = bytearray(length)
    for function in functions:
        for span in function.get("ranges", []):
            start = max(0, int(span["startOffset"]))
            end = min(length, int(span["endOffset"]))
            if end > start:
                used[start:end] = (b"\x01" if span.get("count", 0) > 0 else b"\x00") * (end - start)
    return length, length - sum(used)
