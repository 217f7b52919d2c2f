"""Measuring one page in its own context: throttling, navigation, waits, raw observations.

Everything here is per target (the page's own CDP session and in-page
PerformanceObserver), so several contexts of one browser can measure at the same time;
the browser-wide trace is :mod:`psdata.engines.lab.trace`'s.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from playwright.async_api import CDPSession, Dialog, Page, Response
from playwright.async_api import Error as PlaywrightError

from ..._errors import (
    AnalysisError,
    AuthError,
    BrowserCrashError,
    NavigationError,
    PageCrashError,
    PageTimeoutError,
)
from ..._lighthouse import MAX_WAIT_FOR_LOAD_MS, WAITS
from .auth import NO_AUTH, LabAuth
from .budget import BUDGET
from .emulation import NO_THROTTLING, SIMULATED_CPU_SLOWDOWN, Profile, Throttling
from .network import NetworkLog
from .timing import Stopwatch
from .trace import MissingTrace, PageTrace

#: The CDP events :class:`NetworkLog` reads.
NETWORK_LOG_EVENTS = (
    "Network.requestWillBeSent",
    "Network.responseReceived",
    "Network.loadingFinished",
    "Network.loadingFailed",
    "Network.resourceChangedPriority",
)
#: The CDP events kept in the page's devtools log (what Lantern's network records need).
DEVTOOLS_LOG_EVENTS = (
    *NETWORK_LOG_EVENTS,
    "Network.requestWillBeSentExtraInfo",
    "Network.responseReceivedExtraInfo",
    "Network.requestServedFromCache",
    "Network.dataReceived",
)
OBSERVER_JS = resources.files(__package__).joinpath("observer.js").read_text()
POLL_S = 0.1


@dataclass(frozen=True)
class WaitSettings:
    """When a page counts as loaded (:meth:`lighthouse` gives Lighthouse's waits)."""

    pause_after_fcp_ms: float
    pause_after_load_ms: float
    network_quiet_ms: float
    cpu_quiet_ms: float
    max_wait_for_load_ms: float = MAX_WAIT_FOR_LOAD_MS
    #: In-flight requests that still count as "quiet" (Lighthouse waits for network-2-idle).
    quiet_in_flight: int = 2

    @classmethod
    def lighthouse(cls, throttling: str) -> WaitSettings:
        """Lighthouse's waits under the *throttling* method.

        >>> WaitSettings.lighthouse("simulate").cpu_quiet_ms
        1000
        """
        return cls(*WAITS[throttling])


#: Lighthouse's ``requestIdleCallback`` shim under simulated throttling: an idle callback
#: is told it has at most (50 − 10) / CPU-slowdown ms, so work that a page splits by
#: ``timeRemaining()`` stays short once the simulation slows the CPU down.
RIC_SHIM_JS = """(() => {
  const maxMs = Math.floor((50 - 10) / %s);
  const native = window.requestIdleCallback;
  if (typeof native !== 'function') return;
  window.requestIdleCallback = (callback, options) => native((deadline) => {
    const start = Date.now();
    const remaining = deadline.timeRemaining.bind(deadline);
    Object.defineProperty(deadline, 'timeRemaining', {
      value: () => Math.min(remaining(), Math.max(0, maxMs - (Date.now() - start))),
    });
    callback(deadline);
  }, options);
})();"""


@dataclass
class PageObservation:
    """The raw observations of one page load, before metrics are derived."""

    requested_url: str
    final_url: str | None = None
    status: int | None = None
    fcp_ms: float | None = None
    lcp_ms: float | None = None
    layout_shifts: list[tuple[float, float, bool]] = field(default_factory=list)
    #: When the viewport was first sized (ms; the first paint), for the shifts' input flag.
    viewport_change_ms: float = 0.0
    long_tasks: list[tuple[float, float]] = field(default_factory=list)
    frames: list[tuple[float, bytes]] = field(default_factory=list)
    network: NetworkLog = field(default_factory=NetworkLog)
    load_ms: float | None = None
    #: The page's raw CDP ``Network.*`` events (``{"method", "params"}``), in order: its
    #: devtools log, as Lighthouse keeps it (the Network domain only).
    devtools_log: list[dict[str, Any]] = field(default_factory=list)
    #: The page's main-thread trace, or why there is none (the lab engine sets it once
    #: the measurement is over).
    trace: PageTrace | MissingTrace = field(
        default_factory=lambda: MissingTrace("the trace was not read yet")
    )
    warnings: list[str] = field(default_factory=list)
    stopwatch: Stopwatch = field(default_factory=Stopwatch)


class PageSession:
    """Drives one page through a measurement and records what happened."""

    def __init__(
        self,
        page: Page,
        cdp: CDPSession,
        profile: Profile,
        waits: WaitSettings,
        auth: LabAuth = NO_AUTH,
    ):
        self.page = page
        self.cdp = cdp
        self.profile = profile
        self.waits = waits
        self.auth = auth
        self.crashed = False
        self._time_origin_ms: float | None = None
        self._raw_frames: list[tuple[float, str]] = []
        self._acks: set[asyncio.Future[None]] = set()
        #: The network listeners of the measurement, removed when the recording stops.
        self._recorders: list[tuple[str, Callable[[dict[str, Any]], None]]] = []

    @classmethod
    async def open(
        cls, page: Page, profile: Profile, waits: WaitSettings, auth: LabAuth = NO_AUTH
    ) -> PageSession:
        """Attach to *page*: CDP session, throttling, observers, screencast, guards, and
        the batch's localStorage and blocked requests (*auth*)."""
        cdp = await page.context.new_cdp_session(page)
        session = cls(page, cdp, profile, waits, auth)
        await session._prepare()
        return session

    async def _prepare(self) -> None:
        page, cdp = self.page, self.cdp
        page.on("crash", self._on_crash)
        page.on("dialog", _dismiss)
        page.context.on("page", self._close_popup)
        cdp.on("Page.screencastFrame", self._on_frame)
        throttling = self.profile.throttling
        # Lighthouse's own device emulation (metrics, touch, user agent with metadata).
        commands = self.profile.emulation_commands()
        commands += [
            ("Network.enable", {}),
            ("Network.setCacheDisabled", {"cacheDisabled": True}),
            *self.auth.page_commands(),
            ("Page.enable", {}),
        ]
        commands += _throttling_commands(throttling, throttling)
        screencast = {
            "format": "jpeg",
            "quality": 50,
            "maxWidth": self.profile.width // 2,
            "maxHeight": self.profile.height // 2,
        }
        commands.append(("Page.startScreencast", screencast))
        scripts = [OBSERVER_JS, *self.auth.page_scripts()]
        if self.profile.throttling_mode == "simulate":
            slowdown = SIMULATED_CPU_SLOWDOWN[self.profile.strategy]
            scripts.append(RIC_SHIM_JS % slowdown)
        # Sent together (in order) rather than one round trip after another.
        await asyncio.gather(
            *(page.add_init_script(script) for script in scripts),
            *(cdp.send(method, params) for method, params in commands),
        )

    async def stop_recording(self) -> None:
        """Stop the screencast, the network log and throttling once the metrics are read.

        The audits that follow judge the page, not its speed: under 4× CPU throttling
        axe alone takes about four times as long. What the page loads after the window
        (a navigation away and back, for the back/forward cache) stays out of its
        network log, as Lighthouse's devtools log ends with its load.
        """
        for method, listener in self._recorders:
            self.cdp.remove_listener(method, listener)
        self._recorders.clear()
        commands = [
            ("Page.stopScreencast", {}),
            *_throttling_commands(self.profile.throttling, NO_THROTTLING),
        ]
        try:
            await asyncio.wait_for(
                asyncio.gather(*(self.cdp.send(m, p) for m, p in commands)), BUDGET.evaluate_s
            )
        except TimeoutError:
            raise PageTimeoutError("Stopping the recording timed out.") from None
        except PlaywrightError as exc:
            raise self.translate(exc, "Stopping the recording") from exc

    async def main_frame_id(self) -> str:
        """The CDP id of the page's main frame (the id the trace's events carry)."""
        try:
            tree = await asyncio.wait_for(self.cdp.send("Page.getFrameTree"), BUDGET.evaluate_s)
        except TimeoutError:
            raise PageTimeoutError("Reading the page's frame tree timed out.") from None
        except PlaywrightError as exc:
            raise self.translate(exc, "Reading the frame tree") from exc
        return str(tree["frameTree"]["frame"]["id"])

    def _on_crash(self, _: Page) -> None:
        self.crashed = True

    async def _close_popup(self, popup: Page) -> None:
        if popup is not self.page:
            with contextlib.suppress(PlaywrightError):  # already closed
                await popup.close()

    def _on_frame(self, params: dict[str, Any]) -> None:
        stamp = params.get("metadata", {}).get("timestamp")
        if stamp is not None:
            self._raw_frames.append((float(stamp) * 1000, params["data"]))
        task = asyncio.ensure_future(self._ack(params["sessionId"]))
        self._acks.add(task)
        task.add_done_callback(self._acks.discard)

    async def _ack(self, session_id: int) -> None:
        with contextlib.suppress(PlaywrightError):  # page already gone
            await self.cdp.send("Page.screencastFrameAck", {"sessionId": session_id})

    async def measure(
        self, url: str, observation: PageObservation, on_loaded: Callable[[], None] | None = None
    ) -> None:
        """Navigate to *url*, wait until loaded and quiet, and fill *observation*.

        *on_loaded* is called once the load event has fired, as the quiet wait begins.
        """
        network = observation.network
        network.quiet_in_flight = self.waits.quiet_in_flight
        devtools_log = observation.devtools_log
        for method in DEVTOOLS_LOG_EVENTS:
            if method in NETWORK_LOG_EVENTS:

                def on_event(params: dict[str, Any], m: str = method) -> None:
                    devtools_log.append({"method": m, "params": params})
                    network.on_event(m, params)

            else:

                def on_event(params: dict[str, Any], m: str = method) -> None:
                    devtools_log.append({"method": m, "params": params})

            self.cdp.on(method, on_event)
            self._recorders.append((method, on_event))
        watch = observation.stopwatch
        with watch.phase("load"):
            response = await self._navigate(url)
        observation.status = response.status if response else None
        observation.final_url = self.page.url
        with watch.phase("read"):
            self._time_origin_ms, observation.load_ms = await self._evaluate(
                "[performance.timeOrigin,"
                " performance.getEntriesByType('navigation')[0]?.loadEventEnd || performance.now()]"
            )
        if on_loaded is not None:
            on_loaded()
        with watch.phase("quiet_wait"):
            await self._wait_until_quiet(observation)
        with watch.phase("read"):
            await self._snapshot(observation)

    async def _navigate(self, url: str) -> Response | None:
        timeout_ms = self.waits.max_wait_for_load_ms
        try:
            return await self.page.goto(url, wait_until="load", timeout=timeout_ms)
        except PlaywrightError as exc:
            raise self.translate(exc, "Loading the page") from exc

    async def _evaluate(self, expression: str) -> Any:
        try:
            return await asyncio.wait_for(self.page.evaluate(expression), BUDGET.evaluate_s)
        except TimeoutError:
            raise PageTimeoutError(
                f"The page's main thread did not answer within {BUDGET.evaluate_s:g} s."
            ) from None
        except PlaywrightError as exc:
            raise self.translate(exc, "Reading the page") from exc

    async def _wait_until_quiet(self, observation: PageObservation) -> None:
        """Lighthouse's wait, in its two stages, capped at ``max_wait_for_load_ms``.

        1. *Loaded*: ``pause_after_load_ms`` since the load event, ``pause_after_fcp_ms``
           since FCP, and the network quiet (see :class:`NetworkLog`) for
           ``network_quiet_ms``.
        2. *CPU quiet*: no long task for ``cpu_quiet_ms``, counted from the end of stage 1
           at the earliest, as Lighthouse starts its long-task clock only then.
        """
        waits = self.waits
        network = observation.network
        loaded_at = time.monotonic()
        cap = max(0.0, waits.max_wait_for_load_ms / 1000 - (observation.load_ms or 0) / 1000)
        cpu_clock_from: float | None = None  # page time (ms) when stage 1 ended
        quiet_polls = 0
        while True:
            page_now, fcp, last_long_task = await self._evaluate(
                "[performance.now(), window.__psdata?.fcp ?? null,"
                " window.__psdata?.lastLongTaskEnd ?? 0]"
            )
            now = time.monotonic()
            if cpu_clock_from is None:
                loaded = (
                    now - loaded_at >= waits.pause_after_load_ms / 1000
                    and (fcp is None or page_now - fcp >= waits.pause_after_fcp_ms)
                    and network.quiet_s(now) >= waits.network_quiet_ms / 1000
                )
                if loaded:
                    cpu_clock_from = page_now
            # Quiet on two polls in a row: a long task that has just ended is reported by
            # the observer a moment later, so one quiet answer is not proof.
            cpu_quiet = cpu_clock_from is not None and (
                page_now - max(cpu_clock_from, last_long_task) >= waits.cpu_quiet_ms
            )
            quiet_polls = quiet_polls + 1 if cpu_quiet else 0
            if quiet_polls >= 2:
                return
            if now - loaded_at >= cap:
                observation.warnings.append(
                    f"The page never went quiet (network and CPU); measured after {cap:.0f} s."
                )
                return
            await asyncio.sleep(POLL_S)

    async def _snapshot(self, observation: PageObservation) -> None:
        state = await self._evaluate("window.__psdata ?? null")
        if state is None:
            observation.warnings.append("Performance observers were not installed.")
            state = {}
        observation.fcp_ms = state.get("fcp")
        observation.lcp_ms = state.get("lcp")
        observation.layout_shifts = [(t, v, bool(i)) for t, v, i in state.get("shifts", [])]
        # Chromium sizes the emulated viewport just before the first paint (Lighthouse reads
        # that moment from the trace); in the page, the first paint is the closest sure
        # bound (a visualViewport resize can come before the last sizing, or not at all).
        observation.viewport_change_ms = float(state.get("fcp") or state.get("viewportAt") or 0)
        observation.long_tasks = [(t, d) for t, d in state.get("longTasks", [])]
        origin = self._time_origin_ms or 0.0
        observation.frames = [
            (stamp - origin, base64.b64decode(data)) for stamp, data in self._raw_frames
        ]

    def translate(self, exc: PlaywrightError, doing: str) -> AnalysisError:
        """Turn a Playwright error into psdata's exception for this URL."""
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if self.crashed or "crash" in message.lower():
            return PageCrashError(f"The page crashed (renderer process died): {message}")
        if "Timeout" in type(exc).__name__ or "Timeout " in message:
            return PageTimeoutError(f"{doing} timed out: {message}")
        if "net::ERR_INVALID_AUTH_CREDENTIALS" in message:
            return AuthError(
                "The page asks for HTTP authentication and got no credentials it accepts:"
                " give http_credentials=(user, password) for its origin."
            )
        if "net::" in message or "Download is starting" in message:
            return NavigationError(_navigation_message(message))
        if "closed" in message.lower() or "disconnected" in message.lower():
            return BrowserCrashError(f"{doing} failed, the browser went away: {message}")
        return NavigationError(f"{doing} failed: {message}")


def _throttling_commands(
    applied: Throttling, target: Throttling
) -> list[tuple[str, dict[str, Any]]]:
    """CDP commands setting *target*'s network and CPU conditions where *applied* throttles.

    >>> _throttling_commands(NO_THROTTLING, NO_THROTTLING)
    []
    """
    commands: list[tuple[str, dict[str, Any]]] = []
    if applied.network_active:
        commands.append(("Network.emulateNetworkConditions", target.network_conditions()))
    if applied.cpu_slowdown != 1:
        commands.append(("Emulation.setCPUThrottlingRate", {"rate": target.cpu_slowdown}))
    return commands


def _navigation_message(message: str) -> str:
    if "Download is starting" in message:
        return "The URL is a download, not a page; nothing was saved."
    start = message.find("net::")
    code = message[start:].split()[0] if start >= 0 else message
    return f"The page could not be loaded ({code})."


async def _dismiss(dialog: Dialog) -> None:
    with contextlib.suppress(PlaywrightError):
        await dialog.dismiss()
