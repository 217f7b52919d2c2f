"""``CategoryAuditor``: the page collector's entry point to the non-performance categories.

Before navigation it starts listening (console, uncaught exceptions, Chrome's own log
entries such as failed resource loads, DevTools issues) and
adds the permission probe. After load it reads the DOM facts and then runs axe, one after
the other on the page's main thread, each with a budget that grows with the page's
element count; meanwhile it fetches robots.txt, the start of the main document and large
first-party scripts, each bounded in time; then it judges the audits. Nothing here raises
for a strange page: what could not be decided has no score and says why (and the engine
turns that into the row's warnings).
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import CDPSession, Page

from ...._lighthouse import CATEGORIES as ALL_CATEGORIES
from ...._urls import registrable_domain
from ..audit_results import category, describe, undecided
from ..budget import BUDGET
from ..evidence import AuditResult, CategoryResult, NetworkRequest
from ._common import PageEvidence, evaluate
from .accessibility import AXE_RULES, SCORED_RULES, accessibility_audits, run_axe
from .best_practices import best_practices_audits
from .page_facts import PERMISSION_PROBE, collect_page_facts
from .seo import RobotsTxt, fetch_robots_txt, seo_audits

#: The categories judged here: every category but performance (the engine scores that).
CATEGORIES: tuple[str, ...] = tuple(c for c in ALL_CATEGORIES if c != "performance")
#: The two axe rules SEO shares with accessibility (all axe runs when only SEO is asked).
SEO_AXE_RULES = ("document-title", "image-alt")
#: Above this many elements, axe runs only the rules that can change the score.
LARGE_PAGE_ELEMENTS = 5000
#: Lighthouse's "large" first-party script (valid-source-maps), and the least a script of
#: that size can weigh on the wire (compressed); only those are read.
LARGE_SCRIPT_BYTES = 500 * 1024
MIN_WIRE_BYTES = 64 * 1024
SOURCE_MAP_COMMENT = re.compile(r"[#@]\s*sourceMappingURL=(\S+)")
#: Audits that read the DevTools issues, undecided when listening to them failed.
ISSUE_AUDITS = ("deprecations", "third-party-cookies", "inspector-issues", "errors-in-console")


@dataclass
class _Listening:
    """What one page reported while it loaded."""

    console_errors: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    setup_error: str | None = None
    attached: bool = False

    def on_console_api(self, event: dict[str, Any]) -> None:
        """``console.error(...)`` (CDP ``Runtime.consoleAPICalled``)."""
        if event.get("type") != "error":
            return
        text = " ".join(_remote_object_text(arg) for arg in event.get("args", []))
        frames = (event.get("stackTrace") or {}).get("callFrames") or [{}]
        if text or event.get("stackTrace"):
            self.console_errors.append(
                {"source": "console.error", "description": text, "url": frames[0].get("url", "")}
            )

    def on_exception(self, event: dict[str, Any]) -> None:
        """An uncaught exception (CDP ``Runtime.exceptionThrown``)."""
        details = event.get("exceptionDetails", {})
        text = (details.get("exception") or {}).get("description") or details.get("text")
        if text:
            self.console_errors.append(
                {"source": "exception", "description": text, "url": details.get("url", "")}
            )

    def on_log_entry(self, event: dict[str, Any]) -> None:
        """Chrome's own console entries (CDP ``Log.entryAdded``): network errors and more."""
        entry = event.get("entry", {})
        if entry.get("level") == "error":
            self.console_errors.append(
                {
                    "source": entry.get("source", "other"),
                    "description": entry.get("text", ""),
                    "url": entry.get("url", ""),
                }
            )

    def on_issue(self, event: dict[str, Any]) -> None:
        self.issues.append(event.get("issue", {}))

    def listeners(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        """CDP event name → handler (the same bound methods each time, for removal)."""
        return {
            "Runtime.consoleAPICalled": self.on_console_api,
            "Runtime.exceptionThrown": self.on_exception,
            "Log.entryAdded": self.on_log_entry,
            "Audits.issueAdded": self.on_issue,
        }


def _remote_object_text(value: dict[str, Any]) -> str:
    """A console argument as text, the way Lighthouse prints it.

    >>> _remote_object_text({"type": "string", "value": "boom"})
    'boom'
    >>> _remote_object_text({"type": "object", "className": "Object", "description": "Object"})
    '[object Object]'
    """
    if value.get("type") == "undefined":
        return "undefined"
    if "value" in value:
        raw = value["value"]
        if raw is None or isinstance(raw, bool):
            return {None: "null", True: "true", False: "false"}[raw]
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        return str(raw)
    description = value.get("description")
    if isinstance(description, str) and description != value.get("className"):
        return description
    kind = value.get("subtype") or value.get("type")
    return f"[{kind} {value.get('className') or 'Object'}]"


class CategoryAuditor:
    """Scores accessibility, best practices and SEO of a loaded page like Lighthouse.

    One auditor can serve many pages, one after another or at once.

    Parameters
    ----------
    categories
        A subset of ``{"accessibility", "best_practices", "seo"}``.

    >>> auditor = CategoryAuditor({"seo", "accessibility"})
    >>> auditor.categories
    ('accessibility', 'seo')
    """

    def __init__(self, categories: Collection[str]) -> None:
        unknown = set(categories) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories {sorted(unknown)}; choose from {CATEGORIES}")
        self.categories = tuple(c for c in CATEGORIES if c in categories)
        self._listening: dict[Page, _Listening] = {}

    async def before_navigation(self, page: Page, cdp: CDPSession) -> None:
        """Start listening to ``page`` before it navigates (needed by best practices).

        >>> await auditor.before_navigation(page, cdp)  # doctest: +SKIP
        """
        state = _Listening()
        self._listening[page] = state
        if "best_practices" not in self.categories:
            return
        # Lighthouse's three console sources, on the page's own CDP session.
        listeners = state.listeners()
        for event, listener in listeners.items():
            cdp.on(event, listener)
        state.attached = True
        try:
            await asyncio.wait_for(
                asyncio.gather(
                    *(cdp.send(m) for m in ("Audits.enable", "Log.enable", "Runtime.enable"))
                ),
                BUDGET.audit_cdp_s,
            )
            await asyncio.wait_for(page.add_init_script(PERMISSION_PROBE), BUDGET.audit_cdp_s)
        except Exception as exc:  # a closed page or CDP failure: its audits become undecided
            state.setup_error = describe(exc)

    async def after_load(
        self,
        page: Page,
        cdp: CDPSession,
        requests: Sequence[NetworkRequest],
        main_document: NetworkRequest | None,
    ) -> dict[str, CategoryResult]:
        """Audit the loaded page; one :class:`CategoryResult` per requested category.

        >>> results = await auditor.after_load(page, cdp, requests, main)  # doctest: +SKIP
        >>> results["seo"].score  # doctest: +SKIP
        1.0
        """
        state = self._listening.pop(page, None) or _Listening()
        if state.attached:
            for event, listener in state.listeners().items():
                cdp.remove_listener(event, listener)
        wanted = set(self.categories)
        needs_facts = bool(wanted & {"best_practices", "seo"})
        elements = (await _attempt(count_elements(page), True))[0] or 0
        # axe and the DOM facts scale with the page's element count (a 1-3 MB document
        # has tens of thousands); the page's CPU is unthrottled.
        axe_s, facts_s = BUDGET.audit_seconds(elements)

        async def on_main_thread() -> tuple[tuple[Any, str | None], tuple[Any, str | None]]:
            # One after the other: both run on the page's main thread, and each has
            # its own budget (concurrent, axe's clock would run while the facts work).
            facts = await _attempt(collect_page_facts(page, within=facts_s), needs_facts)
            axe = await _attempt(
                _run_axe_for(page, wanted, elements, within=axe_s),
                bool(wanted & {"accessibility", "seo"}),
            )
            return facts, axe

        (facts, axe), robots, html_start, large_scripts = await asyncio.gather(
            on_main_thread(),
            _attempt(fetch_robots_txt(page, page.url), "seo" in wanted),
            _attempt(_document_start(cdp, main_document), "best_practices" in wanted),
            _attempt(
                large_first_party_scripts(cdp, requests, page.url), "best_practices" in wanted
            ),
        )
        evidence = PageEvidence(
            url=page.url,
            facts=facts[0],
            facts_error=facts[1],
            requests=requests,
            main_document=main_document,
            console_errors=state.console_errors,
            issues=state.issues,
            html_start=html_start[0],
            large_scripts=large_scripts[0],
        )
        full, seo_axe = axe[0] or (None, None)
        axe_error = axe[1]
        if axe_error is not None and axe_error.startswith("TimeoutError"):
            axe_error = f"axe did not finish within {axe_s:g} s (page too large or too busy)"
        builders: dict[str, Callable[[], list[AuditResult]]] = {
            "accessibility": lambda: accessibility_audits(full, axe_error),
            "best_practices": lambda: _with_issue_state(best_practices_audits(evidence), state),
            "seo": lambda: seo_audits(
                evidence,
                robots[0] or RobotsTxt(None, error=robots[1]),
                full or seo_axe,
                None if (full or seo_axe) else axe_error,
            ),
        }
        results = {}
        for name in self.categories:
            try:
                results[name] = category(name, builders[name]())
            except Exception as exc:  # a judging bug must not lose the other categories
                results[name] = CategoryResult(name, None, [undecided(name, name, describe(exc))])
        return results


async def count_elements(page: Page) -> int:
    """The number of elements in the page's document (bounded in time)."""
    count = await evaluate(
        page, "document.getElementsByTagName('*').length", within=BUDGET.axe_min_s
    )
    return int(count)


async def _run_axe_for(
    page: Page, wanted: set[str], elements: int, *, within: float
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """axe for the wanted categories: ``(full run or None, SEO-rules run or None)``.

    Without accessibility only SEO's two rules run. With it, one run of every rule
    serves both (building axe's tree twice would cost a large page seconds); a page of
    more than ``LARGE_PAGE_ELEMENTS`` elements gets only the rules that can change the
    score. A run that does not finish within *within* raises :class:`TimeoutError`.
    """
    if "accessibility" not in wanted:
        return None, await run_axe(page, SEO_AXE_RULES, within=within)
    rules = AXE_RULES if elements <= LARGE_PAGE_ELEMENTS else SCORED_RULES
    full = await run_axe(page, rules, within=within)
    full["skipped"] = [rule for rule in AXE_RULES if rule not in rules]
    return full, None


async def _attempt(step: Any, wanted: bool) -> tuple[Any, str | None]:
    """Await ``step`` if ``wanted``: ``(value, None)``, or ``(None, why)`` when it failed."""
    if not wanted:
        step.close()
        return None, "not requested"
    try:
        return await step, None
    except Exception as exc:  # every page failure becomes an explanation, never an exception
        return None, describe(exc)


async def _document_start(cdp: CDPSession, main_document: NetworkRequest | None) -> str | None:
    """The first 1024 bytes of the main document's body, as text (``None`` if unknown)."""
    if main_document is None:
        return None
    raw = await _response_body(cdp, main_document)
    return raw[:1024].decode("utf-8", "replace")


async def _response_body(cdp: CDPSession, request: NetworkRequest) -> bytes:
    """The body of one of the page's responses, as bytes (bounded in time)."""
    reply = await asyncio.wait_for(
        cdp.send("Network.getResponseBody", {"requestId": request.request_id}), BUDGET.audit_cdp_s
    )
    body: str = reply["body"]
    return base64.b64decode(body) if reply.get("base64Encoded") else body.encode("utf-8")


async def large_first_party_scripts(
    cdp: CDPSession, requests: Sequence[NetworkRequest], page_url: str
) -> list[dict[str, Any]]:
    """First-party scripts of at least 500 KiB, each with its source map URL (or None).

    Only scripts that could be that large once decompressed (≥ 64 KiB on the wire) are
    read; the map is found in a ``SourceMap`` / ``X-SourceMap`` header or a
    ``sourceMappingURL`` comment.
    """
    site = registrable_domain(urlsplit(page_url).hostname or "")
    candidates = [
        r
        for r in requests
        if r.resource_type == "Script"
        and r.status == 200
        and r.transfer_size >= MIN_WIRE_BYTES
        and registrable_domain(urlsplit(r.url).hostname or "") == site
    ]
    found = []
    for request in candidates:
        raw = await _response_body(cdp, request)
        if len(raw) < LARGE_SCRIPT_BYTES:
            continue
        headers = request.response_headers
        comment = SOURCE_MAP_COMMENT.search(raw[-4096:].decode("utf-8", "replace"))
        map_url = (
            headers.get("sourcemap")
            or headers.get("x-sourcemap")
            or (comment.group(1) if comment else None)
        )
        found.append({"url": request.url, "bytes": len(raw), "source_map": map_url})
    return found


def _with_issue_state(audits: list[AuditResult], state: _Listening) -> list[AuditResult]:
    """Mark the issue-based audits undecided when listening for issues failed."""
    if state.setup_error is None:
        return audits
    return [
        undecided(a.id, a.title, state.setup_error, weight=a.weight) if a.id in ISSUE_AUDITS else a
        for a in audits
    ]
