"""One browser-wide trace shared by the concurrent pages, run in epochs, split per page.

Chromium allows one tracing session per browser, and its data comes back only when the
session ends; but that one session records every renderer process, and browser contexts
never share a renderer. So the pages measuring at the same time share a session (an
*epoch*), and each page's main thread is cut out of the epoch's trace by its renderer
process, found from its main frame's ``navigationStart``.

This module holds psdata's one model of a page's trace (:class:`PageTrace`, or
:class:`MissingTrace` saying why there is none) and its one splitter
(:func:`split_events`): the lab engine cuts each page out of an epoch's trace with it,
and the Lantern fidelity tests cut the page out of Lighthouse's own trace (one page, so
its window is the whole trace) with it too.

Epochs and the gate
-------------------
A page's measurement *window* (navigation → end of the quiet wait) must lie inside one
epoch: :meth:`TraceEpochs.enter` before navigating, :meth:`TraceEpochs.leave` after the
wait. An epoch ends as soon as no page is inside its window, so its end overlaps its
pages' audits instead of waiting for the first of them to finish (on light pages this
measured neutral, 1.33 vs 1.37 s per URL at 3 pages at once; a large document's long
audits no longer hold the epoch).

Measured on Chromium 156: ending a session takes about 5 s (the tracing service's flush
timeout) whenever a renderer process that was *started during the session* is still
alive, and about 0.1 s otherwise. So pages open their renderer (a context's first page)
*between* epochs, inside :meth:`TraceEpochs.opening`: it waits for the running epoch to
end (raising a barrier: no page enters the old epoch any more), and the next epoch
starts only once the pages being opened are open. A renderer started mid-epoch by the
page itself (a cross-site redirect, an out-of-process iframe) only slows that epoch's
end, it does not break anything.

The trace is streamed (``IO.read``) to a temporary file, parsed off the loop thread,
split per page and deleted; an epoch holds only the windows of the pages it served, so
the browser's trace buffer stays small.

Faults
------
An epoch that fails gives each of its pages a :class:`MissingTrace` saying why, marked
``transient`` (the engine measures a simulated page once more, else from its in-page
observers, with a warning), and the next epoch starts afresh on a new CDP session: a
session that does not start, an end that does not come within the budget's
``trace_end_s`` (detaching the session stops Chromium's tracing), a stream that cannot
be read or is cut off (not valid JSON), a trace that outgrew the browser's trace buffer
(Chromium reports ``dataLossOccurred``: some events are missing, so no page of the
epoch is trusted), the browser's death.

>>> "disabled-by-default-devtools.screenshot" in CATEGORIES
False
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import tempfile
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import CDPSession
from playwright.async_api import Error as PlaywrightError

from .budget import BUDGET
from .pool import BrowserHandle, ContextPool, unless_gone
from .priority import in_background

log = logging.getLogger("psdata")

#: Trace categories: the main thread's tasks and what runs in them (parsing, style,
#: layout, paint, script evaluation and compilation with URLs, timers, XHR, requests),
#: navigation and paint marks (``blink.user_timing``, ``loading``), thread names. No
#: screenshots, no ``toplevel`` (every thread's every task: 4× the size for nothing the
#: page's main thread needs; ``RunTask`` comes from ``disabled-by-default-devtools.timeline``).
#: Style and layout invalidation tracking, as Lighthouse records it: it adds main-thread
#: work on DOM-heavy pages (mobile devtools TBT 120 -> 290 ms on a 200 kB document,
#: Lighthouse 159-343), so without it psdata's tasks are shorter than Lighthouse's.
CATEGORIES: tuple[str, ...] = (
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.invalidationTracking",
    "disabled-by-default-lighthouse",
    "blink.user_timing",
    "loading",
    "v8",
    "v8.execute",
    "__metadata",
)

#: Names of a main-thread top-level (scheduled) task, newest first.
TOP_LEVEL_TASKS = frozenset(
    {
        "RunTask",
        "ThreadControllerImpl::RunTask",
        "ThreadControllerImpl::DoWork",
        "TaskQueueManager::ProcessTaskFromWorkQueue",
    }
)
#: Per-frame marks the splitter collects from any thread: navigation, paint, the
#: viewport's sizing (``viewport``, category ``loading``).
MARKS = frozenset(
    {"navigationStart", "firstContentfulPaint", "domContentLoadedEventEnd", "viewport"}
)
#: Short top-level tasks with nothing inside are left out of a page's event list.
MIN_KEPT_TASK_US = 1000
READ_CHUNK = 1 << 20
#: Chromium's tracing service waits this long (s) for a process to flush its trace data
#: when a session ends: an epoch's end takes this long when a renderer started during
#: the epoch is alive (see the module docstring), about 0.1 s otherwise.
FLUSH_TIMEOUT_S = 5.0


class TraceUnavailable(Exception):
    """A page's trace could not be had; the message says why (shown in the row).

    *transient*: the trace was lost to its epoch (it failed, or was not ready in time),
    not to the page, so measuring the page again may get it.
    """

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class MissingTrace:
    """Why a page has no main-thread trace (the row's warnings say it).

    >>> MissingTrace("the trace was busy with other pages", transient=True).reason
    'the trace was busy with other pages'
    """

    reason: str
    #: Lost to the epoch, not to the page (see :class:`TraceUnavailable`).
    transient: bool = False


@dataclass
class PageTrace:
    """One page's main thread, cut out of a trace by :func:`split_events`.

    Times in ``tasks`` and the ``*_ms`` fields are milliseconds since ``time_origin_us``
    (the main frame's ``navigationStart`` on the trace clock, microseconds).
    ``events`` are the raw trace events of the page's renderer main thread(s) from the
    time origin to the window's end (tasks, their children, navigation and paint marks)
    plus their ``thread_name`` metadata; top-level tasks shorter than 1 ms with no event
    inside are left out, and so is the ``tts`` field. ``pid`` and ``tid`` are the
    renderer main thread of the last navigation (a cross-process navigation of the main
    frame adds the earlier process's thread to ``events``).
    """

    #: The page's main frame (CDP's frame id is the trace's).
    frame_id: str
    pid: int
    tid: int
    time_origin_us: float
    window_end_ms: float
    fcp_ms: float | None
    dcl_ms: float | None
    tasks: list[tuple[float, float]]
    events: list[dict[str, Any]] = field(repr=False)
    #: When the main frame's viewport was first sized for the document (ms since the
    #: origin), from its ``viewport`` events in the window (see :func:`first_viewport`),
    #: or None if the trace has none: the moment Lighthouse counts the "recent input"
    #: flag of layout shifts from.
    viewport_ms: float | None = None

    @property
    def main_thread_ms(self) -> float:
        """Total time of the top-level tasks in the window (ms).

        >>> PageTrace("F1", 1, 1, 0.0, 900.0, None, None, [(0, 10), (50, 5.5)], []).main_thread_ms
        15.5
        """
        return float(sum(duration for _, duration in self.tasks))

    def as_details(self) -> dict[str, Any]:
        """The page's trace as plain data for the record's details."""
        return {
            "pid": self.pid,
            "tid": self.tid,
            "time_origin_us": self.time_origin_us,
            "window_end_ms": self.window_end_ms,
            "fcp_ms": self.fcp_ms,
            "dcl_ms": self.dcl_ms,
            "main_thread_ms": self.main_thread_ms,
            "viewport_ms": self.viewport_ms,
            "main_thread": self.events,
        }


@dataclass(frozen=True)
class PageWindow:
    """What the splitter looks for: a page's main frame within its window (µs).

    In an epoch, the window is the page's measurement (navigation to the end of the
    quiet wait); in a trace of one page (Lighthouse's), the whole trace.
    """

    key: int
    frame_id: str
    start_us: float
    end_us: float


def split_trace(path: str, wanted: Sequence[PageWindow]) -> dict[int, PageTrace | MissingTrace]:
    """Read a trace file and cut out each wanted page's main thread.

    Returns, per key, the :class:`PageTrace` or why it was not found. Runs off the loop
    thread (plain Python, no browser). Only the events :func:`split_events` can use are
    parsed (see :func:`relevant_events`), unless the file is not laid out as Chromium
    writes it.
    """
    events: Any
    try:
        events = relevant_events(path, wanted)
    except _NotLineDelimited:
        with open(path, encoding="utf-8") as handle:
            try:
                data = json.load(handle)
            except ValueError as exc:
                raise TraceUnavailable(f"the trace stream was cut off or garbled ({exc})") from None
        events = data.get("traceEvents") if isinstance(data, dict) else data
    if not isinstance(events, list):
        raise TraceUnavailable("the trace stream holds no trace events")
    return split_events(events, wanted)


class _NotLineDelimited(Exception):
    """The trace file is not one event per line (parse it whole)."""


#: The start of Chromium's JSON trace stream, one event per line after it.
_TRACE_START = b'{"traceEvents":[\n'
#: What follows an event on its line: a comma, or the end of the event list.
_EVENTS_END = b'],"metadata":'
_LINE_ENDS = (b",", _EVENTS_END, b"]}")
_FIRST_NEEDLES = (b'"ph":"M"', *(b'"name":"%s"' % name.encode() for name in sorted(MARKS)))


def _lines_with(data: bytes, needles: Iterable[bytes]) -> dict[int, dict[str, Any]]:
    """The events on the lines of *data* that contain any of *needles*, by line offset."""
    found: dict[int, dict[str, Any]] = {}
    for needle in needles:
        at = data.find(needle)
        while at >= 0:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end
            if start not in found:
                line = data[start:end].rstrip()
                for suffix in _LINE_ENDS:
                    line = line.removesuffix(suffix)
                found[start] = json.loads(line)
            at = data.find(needle, end)
    return found


def _ends_whole(data: bytes) -> bool:
    """Whether a trace stream ends as Chromium ends one: the event list closed, then its
    metadata object whole (a stream cut off anywhere else fails this)."""
    end = data.rstrip()
    if end.endswith(b"}]}"):
        return True
    at = end.rfind(_EVENTS_END)
    if at < 0 or not end.endswith(b"}"):
        return False
    try:
        json.loads(end[at + len(_EVENTS_END) : -1])
    except ValueError:
        return False
    return True


def relevant_events(path: str, wanted: Sequence[PageWindow]) -> list[dict[str, Any]]:
    """The events of a Chromium trace file that :func:`split_events` reads for *wanted*.

    An epoch's trace holds every process's events (tens of MB on large documents, one
    JSON event per line); the pages' main threads are a small part of it. Only two sets
    of lines are parsed: the metadata and the marks (navigation, paint, viewport), which
    name each wanted frame's renderer processes and their main threads, then the lines
    of those threads. Events come back in the file's order. Raises
    ``_NotLineDelimited`` for a file of another layout, :class:`TraceUnavailable` for a
    stream cut off or garbled.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    if not data.startswith(_TRACE_START):
        raise _NotLineDelimited
    if not _ends_whole(data):
        raise TraceUnavailable("the trace stream was cut off or garbled (no end)")
    try:
        return _relevant_lines(data, wanted)
    except ValueError as exc:
        raise TraceUnavailable(f"the trace stream was cut off or garbled ({exc})") from None


def _relevant_lines(data: bytes, wanted: Sequence[PageWindow]) -> list[dict[str, Any]]:
    """:func:`relevant_events` of a whole line-delimited trace file's bytes."""
    first = _lines_with(data, _FIRST_NEEDLES)
    frames = {w.frame_id for w in wanted}
    pids = {
        e.get("pid")
        for e in first.values()
        if e.get("name") == "navigationStart" and frame_of(e) in frames
    }
    threads = {
        (e.get("pid"), e.get("tid"))
        for e in first.values()
        if e.get("name") == "thread_name"
        and e.get("pid") in pids
        and (e.get("args") or {}).get("name") == "CrRendererMain"
    }
    tids = [tid for _, tid in threads if isinstance(tid, int)]
    needles = {b'"tid":%d%s' % (tid, end) for tid in tids for end in (b",", b"}")}
    kept = {
        start: event
        for start, event in _lines_with(data, needles).items()
        if (event.get("pid"), event.get("tid")) in threads
    }
    kept.update(first)
    return [kept[start] for start in sorted(kept)]  # in the file's order


def split_events(
    events: Iterable[dict[str, Any]], wanted: Sequence[PageWindow]
) -> dict[int, PageTrace | MissingTrace]:
    """Cut each wanted page's main thread out of a trace's events.

    The page's renderer is the process of its main frame's last ``navigationStart``
    (with a document URL) within its window; its main thread is that process's
    ``CrRendererMain``. Cross-process navigations of the main frame within the window
    add their processes' main threads too, as Lighthouse does. (Lighthouse finds the
    processes from the browser's ``FrameCommittedInBrowser`` events, which a trace
    recorded on the browser's own session lacks; on Lighthouse's traces both rules find
    the same threads, as the Lantern fixtures' tests check.)

    Returns, per key, the :class:`PageTrace` or the :class:`MissingTrace` saying why it
    was not found.

    >>> thread = {"name": "thread_name", "ph": "M", "pid": 7, "tid": 70,
    ...           "args": {"name": "CrRendererMain"}}
    >>> start = {"name": "navigationStart", "ph": "R", "pid": 7, "tid": 70, "ts": 2_000,
    ...          "args": {"frame": "F1", "data": {"documentLoaderURL": "https://a.test/"}}}
    >>> task = {"name": "RunTask", "ph": "X", "pid": 7, "tid": 70, "ts": 3_000, "dur": 60_000}
    >>> found = split_events([thread, start, task], [PageWindow(1, "F1", 0, 90_000)])[1]
    >>> found.pid, found.tid, found.tasks
    (7, 70, [(1.0, 60.0)])
    >>> split_events([thread, task], [PageWindow(1, "F1", 0, 90_000)])[1].reason
    "the trace has no navigation of the page's main frame"
    """
    frames = {w.frame_id: w for w in wanted}
    main_threads: dict[int, int] = {}
    navigations: dict[str, list[dict[str, Any]]] = {w.frame_id: [] for w in wanted}
    marks: dict[str, list[dict[str, Any]]] = {w.frame_id: [] for w in wanted}
    by_thread: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for event in events:
        name = event.get("name")
        pid, tid = event.get("pid"), event.get("tid")
        if not isinstance(pid, int) or not isinstance(tid, int):
            continue
        if event.get("ph") == "M":
            if name == "thread_name" and event.get("args", {}).get("name") == "CrRendererMain":
                main_threads[pid] = tid
            continue
        by_thread.setdefault((pid, tid), []).append(event)
        if name in MARKS:
            frame = frame_of(event)
            if frame in frames:
                target = navigations if name == "navigationStart" else marks
                target[frame].append(event)
    found: dict[int, PageTrace | MissingTrace] = {}
    for want in wanted:
        try:
            found[want.key] = _page_trace(
                want, navigations[want.frame_id], marks[want.frame_id], main_threads, by_thread
            )
        except TraceUnavailable as exc:
            found[want.key] = MissingTrace(str(exc))
    return found


def frame_of(event: Mapping[str, Any]) -> str | None:
    """The frame an event names, as Lighthouse reads it.

    ``args.data.frame``, ``args.data.frameID`` (the ``viewport`` event) or ``args.frame``.

    >>> frame_of({"args": {"data": {"frame": "F1"}}}), frame_of({"args": {"frame": "F2"}})
    ('F1', 'F2')
    >>> frame_of({"args": {"data": {"frameID": "F3", "width": 412}}})
    'F3'
    """
    args = event.get("args") or {}
    data = args.get("data")
    frame = (data.get("frame") or data.get("frameID")) if isinstance(data, dict) else None
    frame = frame or args.get("frame")
    return frame if isinstance(frame, str) else None


def _page_trace(
    want: PageWindow,
    navigations: list[dict[str, Any]],
    marks: list[dict[str, Any]],
    main_threads: Mapping[int, int],
    by_thread: Mapping[tuple[int, int], list[dict[str, Any]]],
) -> PageTrace:
    navs = sorted(
        (
            e
            for e in navigations
            if want.start_us <= e["ts"] <= want.end_us
            and str(e.get("args", {}).get("data", {}).get("documentLoaderURL", "")).startswith(
                ("http:", "https:")
            )
        ),
        key=lambda e: e["ts"],
    )
    if not navs:
        raise TraceUnavailable("the trace has no navigation of the page's main frame")
    origin = float(navs[-1]["ts"])
    pids = list(dict.fromkeys(e["pid"] for e in navs))
    if navs[-1]["pid"] not in main_threads:
        raise TraceUnavailable("the page's renderer main thread is not named in the trace")
    thread_events: list[dict[str, Any]] = []
    for pid in pids:
        tid = main_threads.get(pid)
        if tid is None:
            continue
        for event in by_thread.get((pid, tid), ()):
            start = float(event.get("ts", 0))
            if start <= want.end_us and start + float(event.get("dur", 0)) >= origin:
                thread_events.append(event)
    thread_events.sort(key=lambda e: (e["ts"], -float(e.get("dur", 0))))

    def first_mark(name: str) -> float | None:
        times = [e["ts"] for e in marks if e.get("name") == name and e["ts"] >= origin]
        return (min(times) - origin) / 1000 if times else None

    tasks = top_level_tasks(thread_events, origin)
    pid = navs[-1]["pid"]
    tid = main_threads[pid]
    metadata = [
        {"name": "thread_name", "ph": "M", "pid": p, "tid": main_threads[p], "ts": 0,
         "cat": "__metadata", "args": {"name": "CrRendererMain"}}
        for p in pids if p in main_threads
    ]  # fmt: skip
    return PageTrace(
        frame_id=want.frame_id,
        pid=pid,
        tid=tid,
        time_origin_us=origin,
        window_end_ms=(want.end_us - origin) / 1000,
        fcp_ms=first_mark("firstContentfulPaint"),
        dcl_ms=first_mark("domContentLoadedEventEnd"),
        tasks=tasks,
        events=metadata + _compact(thread_events),
        viewport_ms=first_viewport(
            [e for e in marks if e.get("name") == "viewport"], want.start_us, origin
        ),
    )


def first_viewport(
    events: Sequence[dict[str, Any]], since_us: float, origin_us: float
) -> float | None:
    """When the main frame's viewport was sized for the document (ms since *origin_us*).

    Lighthouse takes the first ``viewport`` event of its trace (which starts after the
    emulation is set, right before navigating); in a clean run it has one: the active
    viewport, the device's size, set as the document first lays out with its meta
    viewport (just before the first paint). Chromium flags the layout shifts of the
    next 500 ms as "recent input", and Lighthouse counts exactly those.

    A context's first page, as psdata measures it, also gets an inactive event with the
    device's size as its renderer's frame is created, and a mobile page an active one
    for the default 980 px layout before its meta viewport applies. So this is the
    first active event (since *since_us*) of the size of the first inactive one, else
    the first active one, else the first one; None if there is none.

    >>> def vp(ms, active, width=412):
    ...     data = {"isActive": active, "width": width, "height": 823}
    ...     return {"name": "viewport", "ts": ms * 1000, "args": {"data": data}}
    >>> trace = [vp(15, False), vp(600, True, width=981), vp(680, True)]
    >>> first_viewport(trace, 0, origin_us=0)
    680.0
    >>> first_viewport(trace[:2], 0, origin_us=0), first_viewport(trace[:1], 0, origin_us=0)
    (600.0, 15.0)
    """

    def data(event: dict[str, Any]) -> dict[str, Any]:
        found = (event.get("args") or {}).get("data")
        return found if isinstance(found, dict) else {}

    def size(event: dict[str, Any]) -> tuple[Any, Any]:
        return data(event).get("width"), data(event).get("height")

    found = sorted((e for e in events if float(e["ts"]) >= since_us), key=lambda e: e["ts"])
    active = [e for e in found if data(e).get("isActive")]
    device = next((size(e) for e in found if not data(e).get("isActive")), None)
    sized = [e for e in active if size(e) == device]
    chosen = (sized or active or found)[:1]
    return (float(chosen[0]["ts"]) - origin_us) / 1000 if chosen else None


def top_level_tasks(
    events: Sequence[dict[str, Any]], origin_us: float
) -> list[tuple[float, float]]:
    """Top-level main-thread tasks as ``(start_ms, duration_ms)`` since *origin_us*.

    *events* are sorted by start. As Lighthouse does, a task that starts before the
    previous one ends (a Chromium bug) cuts the previous one short.

    >>> tasks = [{"name": "RunTask", "ts": 1000, "dur": 60000},
    ...          {"name": "Layout", "ts": 2000, "dur": 100},
    ...          {"name": "RunTask", "ts": 61000, "dur": 2000}]
    >>> top_level_tasks(tasks, origin_us=0)
    [(1.0, 60.0), (61.0, 2.0)]
    """
    tasks: list[list[float]] = []
    for event in events:
        if event.get("name") not in TOP_LEVEL_TASKS or not event.get("dur"):
            continue
        start = (float(event["ts"]) - origin_us) / 1000
        duration = float(event["dur"]) / 1000
        if tasks and start < tasks[-1][0] + tasks[-1][1]:
            tasks[-1][1] = max(0.0, start - 0.001 - tasks[-1][0])
        tasks.append([start, duration])
    return [(start, duration) for start, duration in tasks]


def _compact(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop ``tts`` and the short top-level tasks with no event inside."""
    kept = []
    for index, event in enumerate(events):
        if event.get("name") in TOP_LEVEL_TASKS and float(event.get("dur", 0)) < MIN_KEPT_TASK_US:
            end = float(event["ts"]) + float(event.get("dur", 0))
            following = events[index + 1] if index + 1 < len(events) else None
            if following is None or float(following["ts"]) >= end:
                continue
        kept.append({k: v for k, v in event.items() if k != "tts"})
    return kept


# -- epochs ------------------------------------------------------------------------------


@dataclass(eq=False)
class TraceTicket:
    """A page's place in an epoch: its main frame and its window on the trace clock."""

    owner: TraceEpochs
    frame_id: str
    epoch: _Epoch
    start_us: float
    end_us: float | None = None

    async def events(self, timeout: float) -> PageTrace:
        """The page's main-thread trace, once its epoch has ended (it ends it if it can).

        Waits at most *timeout* seconds. Raises :class:`TraceUnavailable` (with the
        reason) when the epoch failed, timed out, or the page could not be found in the
        trace.
        """
        self.owner.leave(self)
        epoch = self.epoch
        self.owner.wants(self)
        try:
            found = await asyncio.wait_for(asyncio.shield(epoch.result), timeout)
        except TimeoutError:
            message = f"the trace was not ready within {timeout:.1f} s"
            if epoch.inside:
                message += " (another page's measurement held its epoch open)"
            raise TraceUnavailable(message) from None
        result = found.get(id(self))
        if result is None:
            raise TraceUnavailable("the page's window was not part of the trace")
        if isinstance(result, MissingTrace):  # the page itself was not found in the trace
            raise TraceUnavailable(result.reason, transient=False)
        return result


@dataclass(eq=False)
class _Epoch:
    handle: BrowserHandle
    session: CDPSession
    number: int
    started: float = field(default_factory=time.monotonic)
    tickets: list[TraceTicket] = field(default_factory=list)
    inside: int = 0
    #: Pages that have left and wait for the trace.
    wanted: int = 0
    #: When the last page entered (monotonic), for the gap between entries.
    last_entry: float = -math.inf
    #: No page enters any more; the epoch ends once the pages inside have left.
    draining: bool = False
    ending: bool = False
    result: asyncio.Future[dict[int, PageTrace | MissingTrace]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass(frozen=True)
class EpochSchedule:
    """When pages enter a running epoch, and when it stops taking them.

    A running epoch takes the pages whose renderer is open (opened ahead, between
    epochs) as they come, so a page does not wait for its neighbours' windows to end;
    at most ``windows`` at a time (None: as many as the pool's slots), and one every
    ``entry_gap_s`` at most, so that their loads do not start all at once. It *drains*
    (takes no page and ends once the pages inside have left) when a page that has left
    waits for its trace and it is ``settle_s`` old, when it is ``max_s`` old (which
    bounds its trace's size and its first page's wait), or when a page must open a
    renderer (only possible between epochs). An epoch nobody is inside ends at once.

    >>> EpochSchedule().settle_s < EpochSchedule().max_s
    True
    """

    windows: int | None = None
    entry_gap_s: float = 0.3
    settle_s: float = 3.0
    max_s: float = 12.0


_EPOCHS: weakref.WeakKeyDictionary[ContextPool, TraceEpochs] = weakref.WeakKeyDictionary()


class TraceEpochs:
    """The trace epochs of one pool's browsers (see the module docstring).

    >>> TraceEpochs().stats()["epochs"]
    0
    """

    def __init__(self, pool: ContextPool | None = None, schedule: EpochSchedule | None = None):
        self.pool = pool
        self.schedule = schedule or EpochSchedule()
        self._changed = asyncio.Condition()
        self._epoch: _Epoch | None = None
        self._opening = 0  # pages opening their renderer between epochs
        self._waiting = 0  # pages waiting for the running epoch to end
        self._finishing: set[asyncio.Future[Any]] = set()
        self.epochs = 0
        self.failed = 0
        #: Epochs whose end took Chromium's flush timeout (a renderer started mid-epoch).
        self.slow_ends = 0
        #: Epochs whose start took :data:`FLUSH_TIMEOUT_S` or more (a renderer exiting).
        self.slow_starts = 0
        self.end_seconds: list[float] = []

    @classmethod
    def for_pool(cls, pool: ContextPool) -> TraceEpochs:
        """The epochs of *pool* (one per pool, created on first use)."""
        found = _EPOCHS.get(pool)
        if found is None:
            found = _EPOCHS[pool] = cls(pool)
        return found

    @property
    def running(self) -> bool:
        """Whether an epoch runs (a renderer started now would start mid-epoch)."""
        return self._epoch is not None

    def stats(self) -> dict[str, Any]:
        """How many epochs ran, failed, started or ended only after Chromium's flush
        timeout (:data:`FLUSH_TIMEOUT_S`), and the median seconds an epoch took to end."""
        ends = sorted(self.end_seconds[-200:])
        return {
            "epochs": self.epochs,
            "failed": self.failed,
            "slow_ends": self.slow_ends,
            "slow_starts": self.slow_starts,
            "median_end_s": ends[len(ends) // 2] if ends else None,
        }

    @contextlib.asynccontextmanager
    async def opening(self, timeout: float | None = None) -> AsyncIterator[bool]:
        """Hold the gate while a page opens its renderer (between epochs).

        Waits for the running epoch to end (it drains at once); no epoch starts until
        the block exits. Yields True; or, if the epoch did not end within *timeout*
        seconds (a neighbour's window held it open), yields False at once: the page
        opens anyway and must be measured untraced.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        async with self._changed:
            self._waiting += 1
            try:
                while self._epoch is not None:
                    self._maybe_end()
                    if not await self._wait(deadline):
                        break
            finally:
                self._waiting -= 1
            traced = self._epoch is None
            if traced:
                self._opening += 1
        if not traced:
            yield False
            return
        try:
            yield True
        finally:
            async with self._changed:
                self._opening -= 1
                self._changed.notify_all()

    async def _wait(self, deadline: float | None) -> bool:
        """Wait for a change (lock held); False once *deadline* (monotonic) has passed."""
        if deadline is None:
            await self._changed.wait()
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), left)
        return True

    async def enter(
        self,
        handle: BrowserHandle,
        frame_id: str,
        timeout: float | None = None,
    ) -> TraceTicket:
        """Enter the running epoch of *handle*'s browser, starting one if none runs.

        Call right before navigating. Waits while the epoch drains (or belongs to
        another browser), while the schedule's ``windows`` pages are inside it, and for
        the schedule's gap since the last entry; before starting an epoch, for the pages
        being opened (up to the budget's ``trace_opening_grace_s``). Raises
        :class:`TraceUnavailable` if the epoch stays closed to it for *timeout* seconds.
        """
        give_up = None if timeout is None else time.monotonic() + timeout
        limit = self.schedule.windows
        grace = time.monotonic() + BUDGET.trace_opening_grace_s
        async with self._changed:
            while True:
                epoch = self._epoch
                if epoch is None:
                    left = grace - time.monotonic()
                    if self._opening and left > 0:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(self._changed.wait(), left)
                        continue
                    if self.pool is not None:
                        await self.pool.renderers_exited(BUDGET.renderer_exit_s)
                    starting = time.monotonic()
                    epoch = await self._start(handle)
                    self.slow_starts += time.monotonic() - starting >= FLUSH_TIMEOUT_S
                    break
                if epoch.handle is handle and not (epoch.draining or epoch.ending or self._waiting):
                    if limit is not None and epoch.inside >= limit:
                        await self._wait(give_up)  # a window to free (a leave notifies)
                        continue
                    gap = epoch.last_entry + self.schedule.entry_gap_s - time.monotonic()
                    if gap <= 0:
                        break
                    self._changed.release()  # let the page before this one navigate
                    try:
                        await asyncio.sleep(gap)
                    finally:
                        await self._changed.acquire()
                    continue
                self._waiting += 1
                try:
                    self._maybe_end()
                    if not await self._wait(give_up):
                        raise TraceUnavailable(
                            f"the trace was busy with other pages for {timeout:.1f} s"
                        )
                finally:
                    self._waiting -= 1
            ticket = TraceTicket(self, frame_id, epoch, time.monotonic() * 1e6)
            epoch.tickets.append(ticket)
            epoch.inside += 1
            epoch.last_entry = time.monotonic()
            return ticket

    def leave(self, ticket: TraceTicket) -> None:
        """The page's window is over (call after the quiet wait, also on failure)."""
        if ticket.end_us is not None:
            return
        ticket.end_us = time.monotonic() * 1e6
        ticket.epoch.inside -= 1
        self._in_background(self._notify())

    def wants(self, ticket: TraceTicket) -> None:
        """The page waits for its trace now (its epoch may drain for it)."""
        ticket.epoch.wanted += 1
        self._in_background(self._notify())

    def _in_background(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)

    async def _notify(self) -> None:
        async with self._changed:
            self._maybe_end()
            self._changed.notify_all()

    def _maybe_end(self) -> None:
        """Drain the running epoch when its schedule says so; end it once nobody is
        inside (lock held)."""
        epoch = self._epoch
        if epoch is None or epoch.ending:
            return
        age = time.monotonic() - epoch.started
        schedule = self.schedule
        if self._waiting or age >= schedule.max_s or (epoch.wanted and age >= schedule.settle_s):
            epoch.draining = True
        if epoch.inside > 0:
            return
        epoch.ending = True
        self._in_background(self._finish(epoch))

    async def _start(self, handle: BrowserHandle) -> _Epoch:
        """Start tracing on *handle*'s browser (lock held)."""
        session = await unless_gone(handle, handle.browser.new_browser_cdp_session())
        params = {
            "transferMode": "ReturnAsStream",
            "streamFormat": "json",
            "traceConfig": {
                "recordMode": "recordUntilFull",
                "includedCategories": list(CATEGORIES),
                "excludedCategories": ["*"],
            },
        }
        try:
            starting = unless_gone(handle, session.send("Tracing.start", params))
            await asyncio.wait_for(starting, BUDGET.trace_start_s)
        except BaseException as exc:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(session.detach(), BUDGET.trace_detach_s)
            if isinstance(exc, TimeoutError):
                raise TraceUnavailable(
                    f"the trace did not start within {BUDGET.trace_start_s:g} s"
                ) from None
            if isinstance(exc, PlaywrightError):
                raise TraceUnavailable(f"the trace did not start ({_first_line(exc)})") from None
            raise
        self.epochs += 1
        epoch = _Epoch(handle, session, self.epochs)
        self._epoch = epoch
        if self.pool is not None:  # a page still opening would start mid-epoch
            self.pool.drop_unready_spares()
        loop = asyncio.get_running_loop()
        for delay in (self.schedule.settle_s, self.schedule.max_s):
            loop.call_later(delay, self._check, epoch)
        return epoch

    def _open_ahead(self) -> None:
        """Between epochs: open pages ahead for the pages of the next (lock held).

        The gate stays closed while they open; a page that is not open by the time the
        next epoch starts is closed instead (see :meth:`_start`).
        """
        openings = self.pool.top_up_spares() if self.pool is not None else []
        if not openings:
            return
        self._opening += 1

        async def opened() -> None:
            await asyncio.wait(openings)
            async with self._changed:
                self._opening -= 1
                self._changed.notify_all()

        self._in_background(opened())

    def _check(self, epoch: _Epoch) -> None:
        """Apply the schedule to *epoch* if it still runs (from a timer)."""
        if self._epoch is epoch:
            self._in_background(self._notify())

    async def _finish(self, epoch: _Epoch) -> None:
        """End *epoch*'s tracing, save the stream, open the gate, then split the trace."""
        began = time.monotonic()
        path: str | None = None
        try:
            try:
                path = await asyncio.wait_for(self._stop(epoch), BUDGET.trace_end_s)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(epoch.session.detach(), BUDGET.trace_detach_s)
                async with self._changed:
                    if self._epoch is epoch:
                        self._epoch = None
                        self._open_ahead()
                    self._changed.notify_all()
            ended = time.monotonic() - began
            self.end_seconds.append(ended)
            if ended >= FLUSH_TIMEOUT_S:
                self.slow_ends += 1
            wanted = [
                PageWindow(id(t), t.frame_id, t.start_us, t.end_us or time.monotonic() * 1e6)
                for t in epoch.tickets
            ]
            found = await in_background(split_trace, path, wanted)
            epoch.result.set_result(found)
        except Exception as exc:
            self.failed += 1
            if isinstance(exc, TimeoutError):
                reason = f"the trace did not end within {BUDGET.trace_end_s:g} s"
            elif epoch.handle.gone.is_set():
                reason = "the browser disconnected before the trace ended"
            elif isinstance(exc, TraceUnavailable):
                reason = str(exc)
            else:
                reason = f"the trace failed ({_first_line(exc)})"
            log.warning("trace epoch %d failed: %s", epoch.number, reason)
            if not epoch.result.done():
                epoch.result.set_exception(TraceUnavailable(reason))
                epoch.result.exception()  # retrieved here; tickets re-raise it
        finally:
            if path is not None:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    async def _stop(self, epoch: _Epoch) -> str:
        handle, session = epoch.handle, epoch.session
        complete: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        def on_complete(params: dict[str, Any]) -> None:
            if not complete.done():
                complete.set_result(params)

        session.on("Tracing.tracingComplete", on_complete)
        await unless_gone(handle, session.send("Tracing.end"))
        params = await unless_gone(handle, complete)
        stream = params.get("stream")
        if stream is None:
            raise TraceUnavailable("the browser returned no trace stream")
        if params.get("dataLossOccurred"):
            with contextlib.suppress(Exception):
                await unless_gone(handle, session.send("IO.close", {"handle": stream}))
            raise TraceUnavailable(
                "the trace outgrew the browser's trace buffer (events were lost)"
            )
        return await unless_gone(handle, _save_stream(session, stream))


def _first_line(error: BaseException) -> str:
    """The first line of an error's message (Playwright's carry call logs after it).

    >>> _first_line(ValueError("Protocol error (IO.read): Invalid stream handle\\nCall log: ..."))
    'Protocol error (IO.read): Invalid stream handle'
    """
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


async def _save_stream(session: CDPSession, stream: str) -> str:
    """Read a CDP stream in chunks into a temporary file; return its path.

    Raises :class:`TraceUnavailable` when the browser fails to give the stream.
    """
    fd, path = tempfile.mkstemp(prefix="psdata-trace-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            while True:
                try:
                    chunk = await session.send("IO.read", {"handle": stream, "size": READ_CHUNK})
                except PlaywrightError as exc:
                    raise TraceUnavailable(
                        f"the trace stream could not be read ({_first_line(exc)})"
                    ) from None
                data = chunk.get("data", "")
                if chunk.get("base64Encoded"):
                    import base64

                    data = base64.b64decode(data).decode("utf-8")
                out.write(data)
                if chunk.get("eof"):
                    break
        with contextlib.suppress(Exception):
            await session.send("IO.close", {"handle": stream})
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return path
