"""One shared Chromium, a bounded set of context slots, recycling and crash recovery.

A *slot* is a place for one measurement at a time: an id, an :class:`asyncio.Lock`
guarding page creation, and the browser context of the measurement in progress. Every
measurement gets a fresh context (cold cache, no cookies or storage from an earlier
URL, bounded memory); the slot and its statistics are reused. Contexts run in a shared
browser, which is retired after ``browser_recycle_after`` pages and relaunched when it
crashes.

Opening a context and its first page costs a renderer start (about 100–150 ms). While a
measurement sits in its quiet window the engine asks for a *spare* (:meth:`ContextPool.
prepare_spare`): a fresh context with a blank page, opened in the background, which the
next measurement with the same context options takes instead of opening its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import time
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import psutil
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from ..._errors import (
    BrowserCrashError,
    BrowserNotFoundError,
    ConfigurationError,
    PageCrashError,
    PageTimeoutError,
    PoolClosedError,
)
from ..._lighthouse import MAX_CONTEXTS, MIN_CONTEXTS
from . import priority
from .browser import (
    IGNORED_DEFAULT_ARGS,
    LAUNCH_ARGS,
    find_chromium,
    launch_failure,
    renderer_pids,
)
from .budget import BUDGET
from .favicons import FaviconMemory

log = logging.getLogger("psdata")
T = TypeVar("T")


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 2


def default_contexts() -> int:
    """The default context limit: one more than the usable CPU cores, 1..5.

    An unthrottled page (simulated throttling) uses a core in bursts, so one page more
    than cores fills the gaps (``bench/throughput.py``).

    >>> MIN_CONTEXTS <= default_contexts() <= MAX_CONTEXTS
    True
    """
    return max(MIN_CONTEXTS, min(MAX_CONTEXTS, usable_cores() + 1))


def devtools_contexts() -> int:
    """Pages measured at once under devtools throttling by default: one per 2 cores.

    A page under 4× CPU throttling keeps about 0.9 of a core busy for its whole
    measurement (Chromium's throttler busy-waits), and the browser and psdata need the
    rest: more pages stretch each other's paint timings (``bench/compare_lighthouse.py
    --concurrency N``: FCP +18 % median at 3 pages on 2 cores).

    >>> MIN_CONTEXTS <= devtools_contexts() <= MAX_CONTEXTS
    True
    """
    return max(MIN_CONTEXTS, min(MAX_CONTEXTS, usable_cores() // 2))


DEFAULT_CONTEXTS = default_contexts()
#: How often :meth:`ContextPool.renderers_exited` looks (s), and how long after a
#: context closed it waits in any case (``bench`` at one slot: 0 slow epoch starts in 21
#: after 0.5 s, 4 in 21 without).
RENDERER_EXIT_POLL_S = 0.02
CONTEXT_CLOSE_SETTLE_S = 0.5

PoolState = Literal["new", "running", "closed"]
SlotState = Literal["idle", "busy"]
BrowserState = Literal["serving", "retired", "dead"]


def check_max_contexts(n: int) -> int:
    """Validate a context limit: an int in 1..5."""
    if isinstance(n, bool) or not isinstance(n, int) or not MIN_CONTEXTS <= n <= MAX_CONTEXTS:
        raise ConfigurationError(
            f"max_concurrent_contexts must be an integer from {MIN_CONTEXTS} to {MAX_CONTEXTS},"
            f" got {n!r}."
        )
    return n


async def bounded(awaitable: Awaitable[T], seconds: float, what: str) -> T:
    """Await *awaitable* for at most *seconds*, else raise :class:`PageTimeoutError`."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        raise PageTimeoutError(f"{what} took longer than {seconds:g} s.") from None


def _key(options: Mapping[str, Any]) -> str:
    """Context options as a comparable key."""
    return json.dumps(options, sort_keys=True, default=str)


def _now() -> datetime:
    return datetime.now(UTC)


def _running(pid: int) -> bool:
    """Whether process *pid* runs (neither gone nor a zombie).

    >>> _running(os.getpid()), _running(2**22 + 1)
    (True, False)
    """
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark an abandoned task's exception as seen (no "never retrieved" warning)."""
    if not task.cancelled():
        task.exception()


@dataclass
class BrowserHandle:
    """A launched browser and how many pages it has served / is serving.

    ``state``: ``"serving"`` gives out new contexts; ``"retired"`` has served
    ``browser_recycle_after`` pages and is closed once its last context is back;
    ``"dead"`` has disconnected or is being closed by the pool.
    """

    browser: Browser
    generation: int
    pages: int = 0
    #: Contexts open in it, and measurements keeping it open (see ContextPool.keep_open).
    active: int = 0
    state: BrowserState = "serving"
    #: Set when the browser disconnects (crash, kill, or our own close).
    gone: asyncio.Event = field(default_factory=asyncio.Event)
    #: Wipes the browser's memory of missing favicons (``None``: it could not be opened,
    #: and :attr:`favicons_error` says why).
    favicons: FaviconMemory | None = None
    favicons_error: str | None = None
    #: The browser process's id (None if it could not be found): its renderers are the
    #: renderer processes below it.
    pid: int | None = None
    #: Held while a page opens, so that the renderers that appear are that page's.
    opening: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Pages between the start of their measurement and the end of their timing window
    #: (a navigation may start a renderer), and how many such measurements started.
    loading: int = 0
    loads_started: int = 0
    _kinds: dict[int, bool] = field(default_factory=dict)

    def renderers(self) -> set[int]:
        """The browser's renderer processes now (none if its process is unknown)."""
        return set() if self.pid is None else renderer_pids(self.pid, self._kinds)


async def open_page(handle: BrowserHandle, context: BrowserContext) -> tuple[Page, frozenset[int]]:
    """Open a page in *context*; return it with the renderer processes that started for it.

    Pages open one at a time per browser, so the renderers that appear meanwhile are the
    page's own and Chromium's spare renderer (which a later page of another context never
    uses; it exits when the next page opens). A page that navigates meanwhile may start
    a renderer too: if any page was loading (see ``BrowserHandle.loading``) during the
    opening, the renderers are unknown (an empty set: nothing is lowered). The page keeps
    its renderer when it navigates, except where Chromium swaps processes (a
    cross-origin-isolated page); the trace tells which one it ran in (``PageTrace.pid``).
    """
    async with handle.opening:
        before, started, loading = handle.renderers(), handle.loads_started, handle.loading
        page = await bounded(
            unless_gone(handle, context.new_page()), BUDGET.page_open_s, "Opening a page"
        )
        if loading or handle.loads_started != started:
            return page, frozenset()
        return page, frozenset(handle.renderers() - before)


async def unless_gone(handle: BrowserHandle, awaitable: Awaitable[T], grace: float = 0.0) -> T:
    """Await *awaitable* unless *handle*'s browser disconnects first (see ContextSlot.guard).

    Calls on a killed browser may hang instead of failing: this raises
    :class:`BrowserCrashError` as soon as the browser is gone (and cancels the work).

    >>> cdp = await unless_gone(handle, handle.browser.new_browser_cdp_session())  # doctest: +SKIP
    """
    task = asyncio.ensure_future(awaitable)
    task.add_done_callback(_retrieve)
    gone = asyncio.ensure_future(handle.gone.wait())
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        if not task.done():  # the browser died, or we were cancelled: stop the work too
            task.cancel()
            await asyncio.wait({task}, timeout=BUDGET.cancel_wait_s)
    if not task.done() or task.cancelled():
        raise BrowserCrashError("The browser disconnected during the measurement.")
    error = task.exception()
    if error is None:
        return task.result()
    if isinstance(error, PageCrashError | BrowserCrashError | PlaywrightError):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(handle.gone.wait(), grace)
    if handle.gone.is_set() or not handle.browser.is_connected():
        message = f"The browser disconnected during the measurement: {error}"
        raise BrowserCrashError(message) from error
    raise error


async def _browser_pid(browser: Browser) -> int | None:
    """The browser process's id, from the browser itself (None if it does not say)."""
    try:
        session = await browser.new_browser_cdp_session()
        try:
            asking = session.send("SystemInfo.getProcessInfo")
            info = await asyncio.wait_for(asking, BUDGET.launch_s)  # part of the launch
        finally:
            with contextlib.suppress(PlaywrightError):
                await session.detach()
    except (PlaywrightError, TimeoutError):
        log.debug("the browser's process id is unknown", exc_info=True)
        return None
    return next((p["id"] for p in info.get("processInfo", []) if p.get("type") == "browser"), None)


@dataclass(eq=False)
class ReadyPage:
    """A context with a blank page, opened ahead for a later measurement."""

    handle: BrowserHandle
    context: BrowserContext
    page: Page
    renderers: frozenset[int]
    crashed: bool = False


@dataclass(eq=False)
class _Spare:
    """A context and blank page being opened (or ready) for a later measurement."""

    options: dict[str, Any]
    task: asyncio.Task[ReadyPage]


@dataclass(eq=False)
class ContextSlot:
    """One measurement place in the pool (see the module docstring)."""

    id: int
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    state: SlotState = "idle"
    context: BrowserContext | None = None
    pages_served: int = 0
    created_at: datetime = field(default_factory=_now)
    last_used: datetime | None = None
    #: The renderer processes that started with the slot's page (see :func:`open_page`).
    renderers: frozenset[int] = frozenset()
    _browser: BrowserHandle | None = None
    _ready_page: Page | None = None
    _loading: bool = False

    async def new_page(self) -> Page:
        """Open a page in this slot's context (under the slot's lock).

        A context taken from a spare comes with its blank page, which is returned first.
        """
        async with self.lock:
            if self.context is None or self._browser is None:
                raise BrowserCrashError("The slot has no open browser context.")
            if self._ready_page is not None:
                page, self._ready_page = self._ready_page, None
            else:
                page, self.renderers = await open_page(self._browser, self.context)
            if not self._loading:  # a second page of the same measurement counts once
                self._loading = True
                self._browser.loading += 1
            self._browser.loads_started += 1
            return page

    def settle(self) -> None:
        """The page's timing window is over (see :attr:`BrowserHandle.loading`)."""
        if self._loading and self._browser is not None:
            self._browser.loading -= 1
        self._loading = False

    def lower_priority(self) -> int:
        """Move the page's renderers to the background priority (its window is over).

        Returns how many were lowered (see :mod:`~psdata.engines.lab.priority`).
        """
        self.settle()
        return sum(priority.lower_process(pid) for pid in self.renderers)

    async def guard(self, awaitable: Awaitable[T], *, grace: float = BUDGET.crash_grace_s) -> T:
        """Await *awaitable*, but fail fast with :class:`BrowserCrashError` if the browser dies.

        Calls on a browser that was killed may hang instead of failing; this stops waiting
        as soon as the browser disconnects. When *awaitable* fails with a crash-like error,
        it waits up to *grace* seconds for a disconnect (a killed browser's pages may report
        their own crash first), so the failure is blamed on the browser and retried.
        """
        handle = self._browser
        if handle is None:
            raise BrowserCrashError("The slot has no open browser context.")
        return await unless_gone(handle, awaitable, grace)

    @property
    def has_ready_page(self) -> bool:
        """Whether the slot's context came with its page open (a spare's)."""
        return self._ready_page is not None

    @property
    def browser_handle(self) -> BrowserHandle:
        """The browser this slot's context lives in (for its trace epochs)."""
        if self._browser is None:
            raise BrowserCrashError("The slot has no open browser context.")
        return self._browser

    def as_dict(self) -> dict[str, Any]:
        """The slot's public statistics."""
        return {
            "id": self.id,
            "state": self.state,
            "pages_served": self.pages_served,
            "created_at": self.created_at.isoformat(),
            "last_used": self.last_used.isoformat() if self.last_used else None,
            "browser_generation": self._browser.generation if self._browser else None,
        }


class ContextPool:
    """A bounded pool of browser-context slots over one shared Chromium.

    Use it as an async context manager, or call :meth:`shutdown` when done.

    >>> async def demo() -> None:
    ...     async with ContextPool(max_contexts=2) as pool:
    ...         slot = await pool.get_instance({})
    ...         page = await slot.new_page()
    ...         await pool.return_instance(slot)
    """

    def __init__(
        self,
        *,
        max_contexts: int = DEFAULT_CONTEXTS,
        chromium_path: str | None = None,
        browser_recycle_after: int = 200,
        launch_timeout: float = BUDGET.launch_s,
        close_timeout: float = BUDGET.close_s,
        extra_args: Sequence[str] = (),
    ) -> None:
        self._max = check_max_contexts(max_contexts)
        #: Limits that running batches asked for (see :meth:`reserve`).
        self._reserved: list[int] = []
        self._chromium_path = chromium_path
        self._launch_args = [*LAUNCH_ARGS, *extra_args]
        self.browser_recycle_after = browser_recycle_after
        self.launch_timeout = launch_timeout
        self.close_timeout = close_timeout
        self.state: PoolState = "new"
        self._slots: list[ContextSlot] = []
        self._changed = asyncio.Condition()
        self._launch_lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._current: BrowserHandle | None = None
        self._handles: list[BrowserHandle] = []
        self._generation = 0
        self._spares: list[_Spare] = []
        #: The context options of the latest measurements, for the spares to open.
        self._recent: list[dict[str, Any]] = []
        self._background: set[asyncio.Task[None]] = set()
        #: Renderer processes of closed contexts that may not have exited yet, and when
        #: the last context closed (monotonic).
        self._exiting: set[int] = set()
        self._last_close = -math.inf
        self.launches = 0
        self.crashes = 0
        self.spares_used = 0
        self.spares_wasted = 0

    async def __aenter__(self) -> ContextPool:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.shutdown()

    # -- limits -------------------------------------------------------------------------

    @property
    def max_contexts(self) -> int:
        """The most context slots that may exist at once (1..5): the limit, or more while
        a batch that asked for more runs (:meth:`reserve`)."""
        return max([self._max, *self._reserved])

    async def set_max_contexts(self, n: int) -> None:
        """Change the slot limit; idle slots above it are dropped, busy ones on return."""
        self._max = check_max_contexts(n)
        async with self._changed:
            self._drop_excess_idle_slots()
            self._changed.notify_all()

    @contextlib.asynccontextmanager
    async def reserve(self, n: int) -> AsyncIterator[None]:
        """Allow at least *n* (1..5) slots while the block runs.

        A batch that measures *n* pages at once reserves *n* slots, so none of its jobs
        waits for a slot while its timeout runs; the limit falls back when it ends.
        """
        self._reserved.append(check_max_contexts(n))
        try:
            yield
        finally:
            self._reserved.remove(n)
            async with self._changed:
                self._drop_excess_idle_slots()
                self._changed.notify_all()

    def _drop_excess_idle_slots(self) -> None:
        while len(self._slots) > self.max_contexts:
            idle = [s for s in self._slots if s.state != "busy"]
            if not idle:
                return
            self._slots.remove(idle[-1])

    # -- browser ------------------------------------------------------------------------

    async def start(self) -> None:
        """Have a browser running: launch it now unless one serves already.

        A batch calls this before its first page, so that a Chromium that is missing or
        does not start stops the batch at once instead of failing every row.

        Raises
        ------
        BrowserNotFoundError
            No Chromium was found, or the one found did not start (the message says
            why and how to fix it).
        """
        self._check_open()
        self.state = "running"
        await self._browser_for_new_context()

    async def _browser_for_new_context(self) -> BrowserHandle:
        """The current browser, launching (or relaunching after a crash/retirement).

        Raises :class:`BrowserNotFoundError` when Chromium is missing or does not start.
        """
        async with self._launch_lock:
            self._check_open()
            current = self._current
            if current is not None and current.state == "serving":
                if current.browser.is_connected():
                    return current
                current.state = "dead"
            if current is not None and current.state == "dead" and current.active == 0:
                await self._close_browser(current)
            if self._playwright is None:
                self._playwright = await bounded(
                    async_playwright().start(), self.launch_timeout, "Starting Playwright"
                )
            path = self._chromium_path or find_chromium()
            launching = self._playwright.chromium.launch(
                executable_path=path,
                headless=True,
                args=self._launch_args,
                ignore_default_args=list(IGNORED_DEFAULT_ARGS),
            )
            try:
                browser = await asyncio.wait_for(launching, self.launch_timeout)
            except (PlaywrightError, TimeoutError) as exc:
                raise BrowserNotFoundError(launch_failure(path, exc, self.launch_timeout)) from None
            self._generation += 1
            self.launches += 1
            handle = BrowserHandle(browser, self._generation, pid=await _browser_pid(browser))
            try:
                handle.favicons = await asyncio.wait_for(
                    FaviconMemory.attach(browser), self.launch_timeout
                )
            except Exception as exc:  # the pages are measured all the same
                handle.favicons_error = f"{type(exc).__name__}: {exc}"
                log.warning("cannot wipe Chromium's missing favicons: %s", exc)
            browser.on("disconnected", lambda _: self._on_disconnected(handle))
            self._handles.append(handle)
            self._current = handle
            log.debug("launched Chromium generation %d (%s)", handle.generation, path)
            return handle

    async def _browser_to_measure_in(self) -> BrowserHandle:
        """The browser for a measurement's context; one that cannot be had (a relaunch
        after a crash failed) fails that measurement as a ``browser`` error, retried."""
        try:
            return await self._browser_for_new_context()
        except BrowserNotFoundError as exc:
            raise BrowserCrashError(str(exc)) from None

    def _on_disconnected(self, handle: BrowserHandle) -> None:
        expected = handle.gone.is_set() or handle.state != "serving"
        if not expected and self.state == "running":
            self.crashes += 1
            log.warning("Chromium (generation %d) disconnected", handle.generation)
        handle.state = "dead"
        handle.gone.set()

    async def _close_browser(self, handle: BrowserHandle) -> None:
        handle.state = "dead"
        if handle in self._handles:
            self._handles.remove(handle)
        try:
            await asyncio.wait_for(handle.browser.close(), self.close_timeout)
        except Exception:  # already gone, or hung: the driver kills it on exit
            log.debug("closing Chromium generation %d failed", handle.generation, exc_info=True)

    # -- slots --------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.state == "closed":
            raise PoolClosedError("The context pool has been shut down.")

    def _claim_slot(self) -> ContextSlot | None:
        for slot in self._slots:
            if slot.state == "idle" and not slot.lock.locked():
                return slot
        if len(self._slots) < self.max_contexts:
            used = {s.id for s in self._slots}
            slot = ContextSlot(id=min(set(range(len(used) + 1)) - used))
            self._slots.append(slot)
            self._slots.sort(key=lambda s: s.id)
            return slot
        return None

    async def get_instance(self, context_options: Mapping[str, Any]) -> ContextSlot:
        """Wait for an idle slot (or create one, up to the limit); give it a fresh context.

        *context_options* are Playwright ``new_context`` keywords (viewport, user agent...).
        """
        self._check_open()
        self.state = "running"
        self._recent = [*self._recent[-(MAX_CONTEXTS - 1) :], dict(context_options)]
        async with self._changed:
            while (slot := self._claim_slot()) is None:
                await self._changed.wait()
                self._check_open()
            slot.state = "busy"
        try:
            await self._open_context(slot, context_options)
        except BaseException:
            await self.return_instance(slot, discard=True)
            raise
        return slot

    async def _open_context(self, slot: ContextSlot, options: Mapping[str, Any]) -> None:
        async with slot.lock:
            spare = await self._take_spare(options)
            if spare is not None:
                slot._browser, slot.context = spare.handle, spare.context
                slot._ready_page, slot.renderers = spare.page, spare.renderers
                return
            for attempt in (1, 2):
                handle = await self._browser_to_measure_in()
                try:
                    slot.context = await self._new_context(handle, options)
                except Exception as exc:
                    if handle.browser.is_connected() or attempt == 2:
                        raise BrowserCrashError(f"Could not open a browser context: {exc}") from exc
                    handle.state = "dead"
                    continue
                slot._browser = handle
                handle.active += 1
                return

    async def _new_context(
        self, handle: BrowserHandle, options: Mapping[str, Any]
    ) -> BrowserContext:
        """Open a context in *handle*'s browser; one the caller gave up on is closed.

        The browser creates a context even when its caller is cancelled (Ctrl-C) or times
        out; the creation finishes on its own and is then closed, never left open.
        """
        creation = asyncio.ensure_future(handle.browser.new_context(**options))
        try:
            return await bounded(
                unless_gone(handle, asyncio.shield(creation)), self.launch_timeout, "New context"
            )
        except BaseException:
            creation.add_done_callback(self._close_abandoned)
            raise

    def _close_abandoned(self, creation: asyncio.Future[BrowserContext]) -> None:
        if not creation.cancelled() and creation.exception() is None:
            self._in_background(self._close_quietly(creation.result()))

    async def _close_quietly(
        self, context: BrowserContext, renderers: frozenset[int] = frozenset()
    ) -> None:
        """Close *context* within ``close_timeout``; one that hangs or is gone is abandoned.

        Its *renderers* (those known) and the time are noted for :meth:`renderers_exited`.
        """
        try:
            await asyncio.wait_for(context.close(), self.close_timeout)
        except Exception:  # hung or already gone: the browser reaps it
            log.debug("abandoning a browser context", exc_info=True)
        self._exiting |= renderers
        self._last_close = time.monotonic()

    # -- spares -------------------------------------------------------------------------

    def prepare_spare(self, context_options: Mapping[str, Any]) -> asyncio.Future[Any] | None:
        """Start opening a context and blank page for the next measurement (background).

        At most one spare per slot is kept; the oldest makes room for a new one. Returns
        the opening's task (await it to know the spare's renderer has started), or None.
        """
        if self.state != "running":
            return None
        if len(self._spares) >= self.max_contexts:
            self._in_background(self._release_spare(self._spares.pop(0)))
        options = dict(context_options)
        task = asyncio.ensure_future(self._open_spare(options))
        task.add_done_callback(_retrieve)
        self._spares.append(_Spare(options, task))
        return task

    def top_up_spares(self) -> list[asyncio.Future[Any]]:
        """Start opening spares for the context options recently measured with.

        As many spares in all as slots, shared by the options in proportion to the
        latest measurements. Returns the openings started.
        """
        if self.state != "running":
            return []
        recent = self._recent[-self.max_contexts :]
        started = []
        for options in {_key(o): o for o in recent}.values():
            wanted = sum(_key(o) == _key(options) for o in recent)
            have = sum(_key(s.options) == _key(options) for s in self._spares)
            for _ in range(wanted - have):
                task = self.prepare_spare(options)
                if task is not None:
                    started.append(task)
        return started

    def drop_unready_spares(self) -> None:
        """Close the spares still opening (a trace epoch is starting without them)."""
        unready = [s for s in self._spares if not s.task.done()]
        for spare in unready:
            self._spares.remove(spare)
            self._in_background(self._release_spare(spare))

    async def _open_spare(self, options: dict[str, Any]) -> ReadyPage:
        handle = await self._browser_to_measure_in()
        handle.active += 1
        context: BrowserContext | None = None
        try:
            context = await self._new_context(handle, options)
            page, renderers = await open_page(handle, context)
        except BaseException:
            await self._release(handle, context)
            raise
        ready = ReadyPage(handle, context, page, renderers)

        def crashed(_: Page) -> None:
            ready.crashed = True

        page.on("crash", crashed)
        return ready

    async def _take_spare(self, options: Mapping[str, Any]) -> ReadyPage | None:
        """A finished, live spare for *options* in the current browser, or None."""
        spare = next((s for s in self._spares if s.options == options), None)
        if spare is None:
            return None
        self._spares.remove(spare)
        try:
            ready = await spare.task
        except Exception:  # it failed and released itself: open a context the usual way
            self.spares_wasted += 1
            return None
        handle = ready.handle
        usable = handle is self._current and handle.state == "serving"
        alive = handle.browser.is_connected() and not ready.page.is_closed() and not ready.crashed
        if not usable or not alive:
            self.spares_wasted += 1
            await self._release(handle, ready.context, ready.renderers)
            return None
        self.spares_used += 1
        return ready

    async def _release_spare(self, spare: _Spare) -> None:
        self.spares_wasted += 1
        task = spare.task
        if not task.done():
            task.cancel()  # _open_spare closes what it has opened so far
            await asyncio.wait({task}, timeout=self.close_timeout)
        elif not task.cancelled() and task.exception() is None:
            ready = task.result()
            await self._release(ready.handle, ready.context, ready.renderers)

    async def discard_spares(self) -> None:
        """Close every spare context (e.g. at the end of a batch)."""
        spares, self._spares = self._spares, []
        await asyncio.gather(*(self._release_spare(s) for s in spares))

    async def _release(
        self,
        handle: BrowserHandle,
        context: BrowserContext | None,
        renderers: frozenset[int] = frozenset(),
    ) -> None:
        """Close a context that served no measurement and forget it in *handle*'s count."""
        if context is not None and not handle.gone.is_set():
            await self._close_quietly(context, renderers)
        handle.active -= 1
        await self._maybe_retire(handle)

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_retrieve)

    async def return_instance(self, slot: ContextSlot, *, discard: bool = False) -> None:
        """Close the slot's context and make the slot idle again.

        With ``discard=True`` (after a crash or hang) the slot's statistics say so; it is
        still reusable since the next measurement gets a fresh context.
        """
        slot.settle()
        context, slot.context, slot._ready_page = slot.context, None, None
        renderers = slot.renderers
        handle, slot._browser, slot.renderers = slot._browser, None, frozenset()
        if context is not None and not (handle is not None and handle.gone.is_set()):
            await self._close_quietly(context, renderers)
        if handle is not None:
            handle.active -= 1
            if not discard:
                handle.pages += 1
            await self._maybe_retire(handle)
        slot.pages_served += 0 if discard else 1
        slot.last_used = _now()
        slot.state = "idle"
        async with self._changed:
            self._drop_excess_idle_slots()
            self._changed.notify_all()

    async def renderers_exited(self, timeout: float) -> None:
        """Wait (at most *timeout* s) for the renderers of the contexts closed so far to exit.

        A trace epoch starts only then: Chromium's ``Tracing.start`` waits for every
        process's tracing to start, and a renderer exiting meanwhile holds it 10 s. Not
        every renderer of a context is known (one opened by a navigation, such as the
        back/forward-cache check's), so it also waits :data:`CONTEXT_CLOSE_SETTLE_S`
        after the last context closed.
        """
        deadline = time.monotonic() + timeout
        settled = min(deadline, self._last_close + CONTEXT_CLOSE_SETTLE_S)
        await asyncio.sleep(max(0.0, settled - time.monotonic()))
        while True:
            self._exiting = {pid for pid in self._exiting if _running(pid)}
            if not self._exiting or time.monotonic() >= deadline:
                return
            await asyncio.sleep(RENDERER_EXIT_POLL_S)

    @contextlib.asynccontextmanager
    async def keep_open(self, handle: BrowserHandle) -> AsyncIterator[None]:
        """Keep *handle*'s browser open while the block runs, even if it retires and its
        last context closes meanwhile (a page's trace is still to be read from it)."""
        handle.active += 1
        try:
            yield
        finally:
            handle.active -= 1
            await self._maybe_retire(handle)

    async def _maybe_retire(self, handle: BrowserHandle) -> None:
        if handle is self._current and handle.pages >= self.browser_recycle_after:
            handle.state = "retired"
            self._current = None
        if handle.state != "serving" and handle.active == 0:
            await self._close_browser(handle)

    async def force_refresh_instance(
        self, slot: ContextSlot, context_options: Mapping[str, Any]
    ) -> None:
        """Replace the (busy) slot's context with a fresh one, e.g. after a hang."""
        slot.settle()
        context, slot.context, slot._ready_page = slot.context, None, None
        handle, slot._browser, slot.renderers = slot._browser, None, frozenset()
        if handle is not None:
            handle.active -= 1
        if context is not None:
            await self._close_quietly(context)
        await self._open_context(slot, context_options)

    async def cleanup_dead_instances(self) -> int:
        """Close and forget browsers that died and serve no slot; return how many."""
        dead = [h for h in self._handles if h.state == "dead" or not h.browser.is_connected()]
        for handle in dead:
            if handle.active == 0:
                await self._close_browser(handle)
        if self._current is not None and self._current in dead:
            self._current = None
        return sum(1 for h in dead if h.active == 0)

    async def shutdown(self) -> None:
        """Close every context and browser and stop Playwright. Idempotent."""
        if self.state == "closed":
            return
        self.state = "closed"
        async with self._changed:
            self._changed.notify_all()
        for task in [*(s.task for s in self._spares), *self._background]:
            task.cancel()  # the browsers close below, and their contexts with them
        self._spares = []
        for slot in self._slots:
            if slot.context is not None:
                await self._close_quietly(slot.context)
        for handle in list(self._handles):
            await self._close_browser(handle)
        self._current = None
        if self._playwright is not None:
            playwright, self._playwright = self._playwright, None
            try:
                await asyncio.wait_for(playwright.stop(), self.close_timeout)
            except Exception:
                log.debug("stopping Playwright failed", exc_info=True)

    # -- stats --------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """The pool's state: limits, slot counts and per-slot statistics."""
        busy = sum(1 for s in self._slots if s.state == "busy")
        return {
            "mode": "multi-context",
            "state": self.state,
            "max_concurrent_contexts": self.max_contexts,
            "total_contexts": len(self._slots),
            "idle_contexts": len(self._slots) - busy,
            "busy_contexts": busy,
            "browser_launches": self.launches,
            "browser_crashes": self.crashes,
            "browser_pages": self._current.pages if self._current else 0,
            "spare_contexts": len(self._spares),
            "spares_used": self.spares_used,
            "spares_wasted": self.spares_wasted,
            "contexts": [slot.as_dict() for slot in self._slots],
        }
