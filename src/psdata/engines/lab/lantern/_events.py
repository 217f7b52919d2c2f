"""Cut one page's main-thread events out of a Chromium trace, as Lighthouse does.

Lantern reads the events of the page's renderer main thread (``CrRendererMain``) in the
process(es) that showed the page's main frame. Lighthouse finds them in its own trace
(one page per trace) like this, and these functions do the same:

1. the main frame: the frame without a parent in ``TracingStartedInBrowser``;
2. its renderer processes: ``processId`` of the ``FrameCommittedInBrowser`` (or
   ``ProcessReadyInBrowser``) events of that frame; a trace without them keeps the
   process ``TracingStartedInBrowser`` names. A trace recorded on the browser's own
   session (every tab: psdata's browser-wide trace) has neither, and there the
   processes whose ``navigationStart`` names the frame are taken;
3. in each process, the thread named ``CrRendererMain`` (``CrBrowserMain`` when Chromium
   runs in a single process);
4. every event of those threads, in trace order (the Lantern glue sorts them).

A browser-wide trace shared by several pages is split the same way per page, starting
from step 2 with the page's own main frame id (CDP's frame id is the trace's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LANTERN_EVENT_NAMES",
    "PageTrace",
    "find_main_frame",
    "lantern_events",
    "main_thread_events",
    "renderer_main_threads",
    "split_page",
]

TraceEvent = Mapping[str, Any]

#: Trace categories Lighthouse's trace processor reads its key events from.
_KEY_CATEGORIES = ("blink.user_timing", "loading", "devtools.timeline")


#: The main-thread events Lantern and the glue read; the others only cost time to send.
LANTERN_EVENT_NAMES: frozenset[str] = frozenset(
    {
        # top-level tasks: the graph's CPU nodes (Lighthouse's name and older ones)
        "RunTask",
        "ThreadControllerImpl::RunTask",
        "ThreadControllerImpl::DoWork",
        "TaskQueueManager::ProcessTaskFromWorkQueue",
        # children that link a task to requests, timers and frames (args.data read)
        "TimerInstall",
        "TimerFire",
        "InvalidateLayout",
        "ScheduleStyleRecalculation",
        "EvaluateScript",
        "XHRReadyStateChange",
        "FunctionCall",
        "v8.compile",
        "ParseAuthorStyleSheet",
        "ResourceSendRequest",
        # children whose presence marks a task (first layout / paint / parse)
        "Layout",
        "Paint",
        "ParseHTML",
        # the navigation (time origin, first and largest contentful paint)
        "navigationStart",
        "firstContentfulPaint",
        "largestContentfulPaint::Candidate",
        "largestContentfulPaint::Invalidate",
    }
)


def _is_key_event(event: TraceEvent) -> bool:
    category = str(event.get("cat", ""))
    return category == "__metadata" or any(part in category for part in _KEY_CATEGORIES)


def _data(event: TraceEvent) -> Mapping[str, Any]:
    args = event.get("args") or {}
    data = args.get("data") if isinstance(args, Mapping) else None
    return data if isinstance(data, Mapping) else {}


@dataclass(frozen=True)
class PageTrace:
    """One page's share of a trace: what the Lantern glue needs from it.

    Attributes
    ----------
    frame_id : str
        The page's main frame (CDP and trace frame ids are the same).
    threads : dict of int to int
        Renderer process id → its main thread id, for every process that showed the
        main frame (more than one after a cross-site navigation).
    events : list of dict
        Every event of those threads, in trace order.
    """

    frame_id: str
    threads: dict[int, int]
    events: list[TraceEvent]


def find_main_frame(trace_events: Iterable[TraceEvent]) -> tuple[str, int]:
    """The main frame id and its first renderer pid, from ``TracingStartedInBrowser``.

    For a trace of one page (Lighthouse's); in a browser-wide trace, use each page's
    frame id instead.

    Parameters
    ----------
    trace_events : iterable of dict
        The trace's ``traceEvents``.

    Returns
    -------
    tuple of (str, int)
        ``(frame_id, process_id)``.

    Raises
    ------
    ValueError
        The trace has no ``TracingStartedInBrowser`` event naming a main frame.

    Examples
    --------
    >>> find_main_frame([{"name": "TracingStartedInBrowser", "cat": "devtools.timeline",
    ...     "ts": 1, "args": {"data": {"frames": [{"frame": "F1", "processId": 7}]}}}])
    ('F1', 7)
    """
    started = [
        e for e in trace_events if e.get("name") == "TracingStartedInBrowser" and _is_key_event(e)
    ]
    if started:
        first = min(started, key=lambda e: e.get("ts", 0))
        for frame in _data(first).get("frames") or []:
            if not frame.get("parent") and frame.get("frame") and frame.get("processId"):
                return str(frame["frame"]), int(frame["processId"])
    raise ValueError("no TracingStartedInBrowser event names the main frame")


def renderer_main_threads(
    trace_events: Sequence[TraceEvent], frame_id: str, *, starting_pid: int | None = None
) -> dict[int, int]:
    """Renderer process id → main thread id for every process that showed ``frame_id``.

    Parameters
    ----------
    trace_events : sequence of dict
        A trace's ``traceEvents`` (one page's or the whole browser's).
    frame_id : str
        The page's main frame id.
    starting_pid : int, optional
        The process to use when the trace has no commit event for the frame (Lighthouse's
        rule for a trace of one page). Without it, the processes whose renderer started
        a navigation of the frame (``navigationStart``) are used.

    Returns
    -------
    dict of int to int
        In the order the processes first showed the frame.

    Raises
    ------
    ValueError
        No process showed the frame, or a process has no main thread name.

    Examples
    --------
    >>> events = [
    ...     {"name": "FrameCommittedInBrowser", "cat": "devtools.timeline", "ts": 5,
    ...      "pid": 1, "tid": 1, "args": {"data": {"frame": "F1", "processId": 7}}},
    ...     {"name": "thread_name", "cat": "__metadata", "ph": "M", "ts": 0,
    ...      "pid": 7, "tid": 70, "args": {"name": "CrRendererMain"}},
    ... ]
    >>> renderer_main_threads(events, "F1")
    {7: 70}
    """
    pids: list[int] = []
    for event in trace_events:
        if event.get("name") not in ("FrameCommittedInBrowser", "ProcessReadyInBrowser"):
            continue
        data = _data(event)
        if data.get("frame") == frame_id and data.get("processId") and _is_key_event(event):
            pid = int(data["processId"])
            if pid not in pids:
                pids.append(pid)
    if not pids:
        pids = (
            [starting_pid] if starting_pid is not None else _navigated_pids(trace_events, frame_id)
        )
    if not pids:
        raise ValueError(f"no renderer process showed frame {frame_id}")
    names: dict[int, dict[str, int]] = {pid: {} for pid in pids}
    for event in trace_events:
        if (
            event.get("ph") == "M"
            and event.get("name") == "thread_name"
            and event.get("cat") == "__metadata"
            and event.get("pid") in names
        ):
            name = str((event.get("args") or {}).get("name"))
            names[int(event["pid"])].setdefault(name, int(event["tid"]))
    threads: dict[int, int] = {}
    for pid in pids:
        tid = names[pid].get("CrRendererMain") or names[pid].get("CrBrowserMain")
        if not tid:
            raise ValueError(f"no main thread name for renderer process {pid}")
        threads[pid] = tid
    return threads


def _navigated_pids(trace_events: Sequence[TraceEvent], frame_id: str) -> list[int]:
    """Processes whose renderer started a navigation of ``frame_id`` (``navigationStart``).

    A trace recorded on the browser's own session (all tabs) has no frame tree in
    ``TracingStartedInBrowser`` and no ``FrameCommittedInBrowser`` events; the
    renderer's ``navigationStart`` names the frame it loads instead.
    """
    starts = sorted(
        (e for e in trace_events if e.get("name") == "navigationStart" and _is_key_event(e)),
        key=lambda e: e.get("ts", 0),
    )
    pids: list[int] = []
    for event in starts:
        args = event.get("args") or {}
        pid = event.get("pid")
        if args.get("frame") == frame_id and isinstance(pid, int) and pid not in pids:
            pids.append(pid)
    return pids


def main_thread_events(
    trace_events: Iterable[TraceEvent], threads: Mapping[int, int]
) -> list[TraceEvent]:
    """The events of the given main threads, in trace order.

    >>> main_thread_events([{"pid": 7, "tid": 70}, {"pid": 7, "tid": 71}], {7: 70})
    [{'pid': 7, 'tid': 70}]
    """
    kept = []
    for event in trace_events:
        pid = event.get("pid")
        if isinstance(pid, int) and pid in threads and event.get("tid") == threads[pid]:
            kept.append(event)
    return kept


def lantern_events(events: Iterable[TraceEvent]) -> list[TraceEvent]:
    """Only the events Lantern reads (:data:`LANTERN_EVENT_NAMES`), in the same order.

    Lantern looks at a task's children only by name (and at the arguments of the named
    ones), and the glue's sort keeps the relative order of the events it is given, so
    the simulation is the same with or without the others (the fidelity test checks
    both). On heavy pages most of a trace is invalidation tracking and style events:
    dropping them saves encoding, piping and parsing tens of megabytes.

    >>> [e["name"] for e in lantern_events([{"name": "RunTask"}, {"name": "UpdateLayer"}])]
    ['RunTask']
    """
    return [e for e in events if e.get("name") in LANTERN_EVENT_NAMES]


def split_page(trace_events: Sequence[TraceEvent], frame_id: str | None = None) -> PageTrace:
    """One page's main-thread events from a trace (Lighthouse's, or a browser-wide one).

    Parameters
    ----------
    trace_events : sequence of dict
        The trace's ``traceEvents``.
    frame_id : str, optional
        The page's main frame; by default the trace's own (``TracingStartedInBrowser``),
        which is right for a trace of one page.

    Returns
    -------
    PageTrace

    Examples
    --------
    >>> events = [
    ...     {"name": "TracingStartedInBrowser", "cat": "devtools.timeline", "ts": 1,
    ...      "pid": 1, "tid": 1, "args": {"data": {"frames": [{"frame": "F1", "processId": 7}]}}},
    ...     {"name": "thread_name", "cat": "__metadata", "ph": "M", "ts": 0,
    ...      "pid": 7, "tid": 70, "args": {"name": "CrRendererMain"}},
    ...     {"name": "RunTask", "cat": "toplevel", "ph": "X", "ts": 2, "dur": 5,
    ...      "pid": 7, "tid": 70, "args": {}},
    ... ]
    >>> page = split_page(events)
    >>> page.frame_id, page.threads, [e["name"] for e in page.events]
    ('F1', {7: 70}, ['thread_name', 'RunTask'])
    """
    starting_pid = None
    if frame_id is None:
        frame_id, starting_pid = find_main_frame(trace_events)
    threads = renderer_main_threads(trace_events, frame_id, starting_pid=starting_pid)
    return PageTrace(frame_id, threads, main_thread_events(trace_events, threads))
