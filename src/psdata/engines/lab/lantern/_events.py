"""The main-thread events Lantern reads, out of a page's trace.

The page's main thread is the lab engine's :class:`~psdata.engines.lab.trace.PageTrace`
(psdata's one splitter); this module only leaves out what Lantern never looks at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from psdata.engines.lab.trace import TOP_LEVEL_TASKS

__all__ = ["LANTERN_EVENT_NAMES", "TraceEvent", "lantern_events"]

TraceEvent = Mapping[str, Any]

#: The main-thread events Lantern and the glue read: the top-level tasks (the graph's CPU
#: nodes) and these; the others only cost time to send.
LANTERN_EVENT_NAMES: frozenset[str] = TOP_LEVEL_TASKS | frozenset(
    {
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
