"""Whether the back/forward cache restores the page: Lighthouse's navigation away and back.

As Lighthouse's ``BFCacheFailures`` gatherer does, once everything else has read the
page: note the page's history entry, navigate to ``chrome://terms`` (a temporary page
Lighthouse uses rather than ``about:blank``, which sometimes gives
``BrowsingInstanceNotSwapped`` failures), wait for its load and 100 ms, go back to the
entry, wait for the main frame's navigation and 100 ms more. A page restored from the
cache navigates with type ``BackForwardCacheRestore``; one that is not sends CDP's
``Page.backForwardCacheNotUsed`` with the reasons, each of a type (``PageSupportNeeded``:
the page can fix it; ``SupportPending``: the browser cannot yet; ``Circumstantial``: not
the page's doing). This runs after the timed window, on the page's own CDP session, and
costs about 0.3–0.5 s per page (two navigations and the two pauses; the row's
``details["timings_ms"]["bf_cache"]``); it needs Playwright's
``--disable-back-forward-cache`` dropped from the launch flags (see
:data:`~psdata.engines.lab.browser.IGNORED_DEFAULT_ARGS`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import CDPSession

#: The page Lighthouse navigates to in between, and its pauses (s).
TEMPORARY_PAGE = "chrome://terms"
PAUSE_AFTER_TEMPORARY_LOAD_S = 0.1
PAUSE_AFTER_RETURN_S = 0.1
#: CDP's reason types, in Lighthouse's order: what the page can fix first.
REASON_TYPES = ("PageSupportNeeded", "SupportPending", "Circumstantial")


class BackForwardCacheError(Exception):
    """The page could not be taken away and back, or the browser gave no reason."""


@dataclass
class BackForwardCacheOutcome:
    """What the return to the page showed.

    ``reasons`` lists the reasons it was not restored, each a dict with ``reason`` (the
    protocol's name), ``type`` (one of :data:`REASON_TYPES`) and ``frames`` (the URLs of
    the frames it applies to); empty when the page came back from the cache.
    """

    restored: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)


async def check_back_forward_cache(cdp: CDPSession, *, within: float) -> BackForwardCacheOutcome:
    """Navigate the page away and back; what the back/forward cache did.

    Raises :class:`BackForwardCacheError` (or :class:`TimeoutError` after *within*
    seconds) when the round trip fails or a page not restored sends no reason.

    >>> outcome = await check_back_forward_cache(cdp, within=10.0)  # doctest: +SKIP
    >>> outcome.restored, outcome.reasons  # doctest: +SKIP
    (False, [{'reason': 'UnloadHandlerExistsInMainFrame', 'type': 'PageSupportNeeded', ...}])
    """
    return await asyncio.wait_for(_round_trip(cdp), within)


async def _round_trip(cdp: CDPSession) -> BackForwardCacheOutcome:
    loop = asyncio.get_running_loop()
    not_used: list[dict[str, Any]] = []
    loaded: asyncio.Future[None] = loop.create_future()
    returned: asyncio.Future[dict[str, Any]] = loop.create_future()

    def on_not_used(params: dict[str, Any]) -> None:
        not_used.append(params)

    def on_load(_: dict[str, Any]) -> None:
        if not loaded.done():
            loaded.set_result(None)

    def on_navigated(params: dict[str, Any]) -> None:
        frame = params.get("frame") or {}
        if loaded.done() and not frame.get("parentId") and not returned.done():
            returned.set_result(params)

    handlers = {
        "Page.backForwardCacheNotUsed": on_not_used,
        "Page.loadEventFired": on_load,
        "Page.frameNavigated": on_navigated,
    }
    for event, handler in handlers.items():
        cdp.on(event, handler)
    try:
        history = await cdp.send("Page.getNavigationHistory")
        entry = history["entries"][history["currentIndex"]]
        away = await cdp.send("Page.navigate", {"url": TEMPORARY_PAGE})
        if away.get("errorText"):
            raise BackForwardCacheError(f"Could not leave the page: {away['errorText']}")
        await loaded
        await asyncio.sleep(PAUSE_AFTER_TEMPORARY_LOAD_S)
        await cdp.send("Page.navigateToHistoryEntry", {"entryId": entry["id"]})
        navigated = await returned
        await asyncio.sleep(PAUSE_AFTER_RETURN_S)
    finally:
        for event, handler in handlers.items():
            cdp.remove_listener(event, handler)
    restored = navigated.get("type") == "BackForwardCacheRestore"
    if not restored and not not_used:
        raise BackForwardCacheError("the page was not restored and the browser gave no reason")
    return BackForwardCacheOutcome(restored, reasons_of(not_used[-1]) if not_used else [])


def reasons_of(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The reasons of a ``Page.backForwardCacheNotUsed`` event, with the frames of each.

    Read from the explanation tree when the event has one (each reason with the URLs of
    the frames it applies to), else from its flat list.

    >>> reasons_of({"notRestoredExplanations": [
    ...     {"type": "PageSupportNeeded", "reason": "UnloadHandlerExistsInMainFrame"}]})
    [{'reason': 'UnloadHandlerExistsInMainFrame', 'type': 'PageSupportNeeded', 'frames': []}]
    """
    found: dict[tuple[str, str], list[str]] = {}
    tree = event.get("notRestoredExplanationsTree")
    if tree:
        pending = [tree]
        while pending:
            node = pending.pop(0)
            for explanation in node.get("explanations", []):
                key = (explanation["reason"], explanation["type"])
                found.setdefault(key, []).append(node.get("url", ""))
            pending.extend(node.get("children", []))
    else:
        for explanation in event.get("notRestoredExplanations", []):
            found.setdefault((explanation["reason"], explanation["type"]), [])
    return [{"reason": r, "type": t, "frames": frames} for (r, t), frames in found.items()]
