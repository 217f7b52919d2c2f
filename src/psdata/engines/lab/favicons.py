"""The browser's memory of missing favicons, wiped so that every page asks for its own.

After a page loads, Chromium requests its favicon (``/favicon.ico`` or the icon the page
names); a 404 is logged to the page's console, and Lighthouse's ``errors-in-console``
fails on it. But a browser that got a 404 for a favicon URL remembers it and never
requests that URL again: the memory (the favicon service's "unable to download" set)
belongs to the browser's profile and is shared by every incognito context, so in psdata's
one shared Chromium only the first page of a site without a favicon would see the
error, where Lighthouse's fresh Chrome sees it on every page. No launch flag or context
option turns that memory off; a reload that bypasses the cache, in a tab of the regular
(not incognito) profile, clears it.

:class:`FaviconMemory` keeps such a tab, a blank page in the browser's default context,
and reloads it (:meth:`FaviconMemory.forget`) before each page is measured and soon after
any page's favicon request fails (:meth:`FaviconMemory.watch`), so a page measured at the
same time as another of the same site asks again too.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from typing import Any

from playwright.async_api import Browser, CDPSession

from .budget import BUDGET

log = logging.getLogger("psdata")

#: When, after a favicon request failed, the memory is wiped (s): the browser notes the
#: failure a moment after the response ends (once the page's renderer reports it), and
#: another page's favicon asked for in between is skipped, so the wipe comes at once
#: and twice more.
AFTER_FAILURE_S = (0.0, 0.03, 0.1)


class FaviconMemory:
    """A blank tab of the browser's default profile, reloaded to wipe missing favicons.

    Open one per browser with :meth:`attach`.

    >>> memory = await FaviconMemory.attach(browser)  # doctest: +SKIP
    >>> await memory.forget()  # doctest: +SKIP
    """

    def __init__(self, browser_cdp: CDPSession, session_id: str) -> None:
        self._cdp = browser_cdp
        self._session_id = session_id
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future[None]] = {}
        self._pending: asyncio.Task[None] | None = None
        browser_cdp.on("Target.receivedMessageFromTarget", self._on_message)

    @classmethod
    async def attach(cls, browser: Browser) -> FaviconMemory:
        """Open the blank tab in *browser*'s default context and attach to it.

        The tab is driven through the browser's own CDP session (``Target.
        sendMessageToTarget``): Playwright has no page object for the default context of
        a browser it launched.
        """
        cdp = await browser.new_browser_cdp_session()
        target = await cdp.send("Target.createTarget", {"url": "about:blank"})
        attached = await cdp.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
        )
        return cls(cdp, attached["sessionId"])

    def _on_message(self, params: dict[str, Any]) -> None:
        if params.get("sessionId") != self._session_id:
            return
        with contextlib.suppress(ValueError, TypeError):
            reply = json.loads(params["message"])
            waiting = self._replies.pop(reply.get("id"), None)
            if waiting is not None and not waiting.done():
                waiting.set_result(None)

    async def forget(self) -> None:
        """Wipe the browser's memory of missing favicons (a cache-bypassing reload).

        Bounded by the budget's ``favicon_s``; a failure is logged, never raised: the
        page is still measured, as a browser that remembers would.
        """
        message_id = next(self._ids)
        reply = asyncio.get_running_loop().create_future()
        self._replies[message_id] = reply
        message = {"id": message_id, "method": "Page.reload", "params": {"ignoreCache": True}}
        try:
            await asyncio.wait_for(
                self._cdp.send(
                    "Target.sendMessageToTarget",
                    {"sessionId": self._session_id, "message": json.dumps(message)},
                ),
                BUDGET.favicon_s,
            )
            await asyncio.wait_for(reply, BUDGET.favicon_s)
        except Exception:  # a closed browser or a slow one: the next page tries again
            log.debug("wiping the browser's missing favicons failed", exc_info=True)
        finally:
            self._replies.pop(message_id, None)

    def watch(self, page_cdp: CDPSession) -> None:
        """Wipe the memory soon after a request of this page for a favicon fails.

        A favicon request is one of type ``Other``; the wipes follow its failed response
        (:data:`AFTER_FAILURE_S`). The watch ends with the page's CDP session.
        """

        def on_response(params: dict[str, Any]) -> None:
            status = int((params.get("response") or {}).get("status") or 0)
            if params.get("type") == "Other" and status >= 400:
                self._forget_soon()

        page_cdp.on("Network.responseReceived", on_response)

    def _forget_soon(self) -> None:
        if self._pending is not None and not self._pending.done():
            self._pending.cancel()  # a new failure: start the schedule again

        async def later() -> None:
            started = asyncio.get_running_loop().time()
            for delay in AFTER_FAILURE_S:
                await asyncio.sleep(max(0.0, started + delay - asyncio.get_running_loop().time()))
                await self.forget()

        self._pending = asyncio.ensure_future(later())
