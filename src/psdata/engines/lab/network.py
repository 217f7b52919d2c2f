"""The page's network activity, from its own CDP ``Network`` events."""

from __future__ import annotations

import time
from typing import Any

from .evidence import NetworkRequest

#: Requests that stay open by design and never count as network activity.
LONG_LIVED_TYPES = frozenset({"EventSource", "WebSocket"})
#: Chromium's priorities of the requests Lighthouse calls critical (a fetch, a script,
#: a stylesheet, an image in view...).
CRITICAL_PRIORITIES = frozenset({"VeryHigh", "High"})


class NetworkLog:
    """Collects :class:`NetworkRequest` records and tracks in-flight requests.

    Feed it CDP events with :meth:`on_event`; ``origin`` is the CDP monotonic timestamp
    (seconds) of the main document request, so times are relative to navigation start.
    The network is *busy* while more than ``quiet_in_flight`` requests are open
    (Lighthouse's "network-2-idle") or any *critical* one is: a request of the main
    frame at high priority (Lighthouse's "network-critical-idle"), so a page that
    fetches data every second never counts as quiet, as in Lighthouse.

    >>> log = NetworkLog()
    >>> log.in_flight
    0
    """

    def __init__(self, quiet_in_flight: int = 2) -> None:
        self.quiet_in_flight = quiet_in_flight
        self.requests: dict[str, NetworkRequest] = {}
        self.main_request_id: str | None = None
        self.origin: float | None = None
        self._open: set[str] = set()
        self._critical: set[str] = set()
        self._main_frame: str | None = None
        #: When the network was last busy (monotonic s).
        self._last_busy = time.monotonic()
        self.main_timing: dict[str, float] = {}

    @property
    def in_flight(self) -> int:
        """Requests started and not yet finished or failed."""
        return len(self._open)

    @property
    def busy(self) -> bool:
        """More than ``quiet_in_flight`` requests, or a critical one, are open."""
        return len(self._open) > self.quiet_in_flight or bool(self._critical)

    def quiet_s(self, now: float) -> float:
        """Seconds the network has been quiet at monotonic time *now* (0 while busy).

        >>> log = NetworkLog()
        >>> request = {"url": "https://a.test/", "initialPriority": "VeryHigh"}
        >>> log.on_event("Network.requestWillBeSent", {"requestId": "1", "frameId": "F",
        ...              "type": "Document", "timestamp": 1.0, "request": request})
        >>> log.quiet_s(time.monotonic())  # the document is critical: busy
        0.0
        >>> log.on_event("Network.loadingFinished", {"requestId": "1", "timestamp": 1.2})
        >>> log.quiet_s(time.monotonic() + 2) >= 2
        True
        """
        return 0.0 if self.busy else now - self._last_busy

    def _ms(self, timestamp: float) -> float | None:
        return None if self.origin is None else (timestamp - self.origin) * 1000

    def on_event(self, method: str, params: dict[str, Any]) -> None:
        """Record one CDP ``Network.*`` event."""
        request_id = params.get("requestId", "")
        if method == "Network.requestWillBeSent":
            self._on_request(request_id, params)
            self._mark_busy()
            return
        if method == "Network.resourceChangedPriority":
            self._mark_busy()  # before and after: the change may start or end a busy spell
            self._set_priority(request_id, params["newPriority"])
            self._mark_busy()
            return
        record = self.requests.get(request_id)
        if record is None:
            return
        if method == "Network.responseReceived":
            response = params["response"]
            record.status = response.get("status")
            record.mime_type = response.get("mimeType")
            record.protocol = response.get("protocol")
            record.from_cache = bool(response.get("fromDiskCache"))
            record.from_service_worker = bool(response.get("fromServiceWorker"))
            record.response_headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            record.response_ms = self._ms(params["timestamp"])
            if request_id == self.main_request_id:
                self.main_timing = response.get("timing") or {}
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            if method == "Network.loadingFinished":
                record.transfer_size = int(params.get("encodedDataLength", 0))
            else:
                record.failed = params.get("errorText") or "failed"
            record.end_ms = self._ms(params["timestamp"])
            self._mark_busy()
            self._open.discard(request_id)
            self._critical.discard(request_id)

    def _mark_busy(self) -> None:
        if self.busy:
            self._last_busy = time.monotonic()

    def _set_priority(self, request_id: str, priority: str | None) -> None:
        record = self.requests.get(request_id)
        critical = (
            record is not None
            and request_id in self._open
            and priority in CRITICAL_PRIORITIES
            and record.frame_id == self._main_frame
        )
        if critical:
            self._critical.add(request_id)
        else:
            self._critical.discard(request_id)

    def _on_request(self, request_id: str, params: dict[str, Any]) -> None:
        request = params["request"]
        kind = params.get("type") or "Other"
        if self.main_request_id is None and kind == "Document":
            self.main_request_id = request_id
            self.origin = params["timestamp"]
            self._main_frame = params.get("frameId")
        if request_id in self.requests:  # a redirect: same id, new URL
            record = self.requests[request_id]
            record.url = request["url"]
            return
        self.requests[request_id] = NetworkRequest(
            request_id=request_id,
            url=request["url"],
            resource_type=kind,
            method=request.get("method", "GET"),
            start_ms=self._ms(params["timestamp"]),
            frame_id=params.get("frameId"),
        )
        if kind not in LONG_LIVED_TYPES and not request["url"].startswith("data:"):
            self._open.add(request_id)
            self._set_priority(request_id, request.get("initialPriority"))

    @property
    def main_document(self) -> NetworkRequest | None:
        """The main document's request (after redirects), if it was seen."""
        return self.requests.get(self.main_request_id or "")

    def time_to_first_byte_ms(self) -> float | None:
        """Lighthouse's TTFB: navigation start → first byte of the main document's headers.

        Redirects, connection and the server's response all count; emulated latency
        does not (Chromium adds it after ``receiveHeadersStart``, as Lighthouse sees too).

        >>> log = NetworkLog()
        >>> log.origin, log.main_timing = 100.0, {"requestTime": 100.25, "receiveHeadersStart": 30}
        >>> log.time_to_first_byte_ms()
        280.0
        """
        timing = self.main_timing
        headers = timing.get("receiveHeadersStart", -1)
        if headers is None or headers < 0:
            headers = timing.get("receiveHeadersEnd", -1)
        request_time = timing.get("requestTime")
        if self.origin is None or request_time is None or headers < 0:
            return None
        return max(0.0, (request_time - self.origin) * 1000 + float(headers))

    def measured(self) -> list[NetworkRequest]:
        """Every request except ``data:`` URLs, in start order."""
        return [r for r in self.requests.values() if not r.url.startswith("data:")]
