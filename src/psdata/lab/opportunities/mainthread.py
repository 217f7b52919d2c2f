"""Main-thread audits from the page's trace events: bootup-time,
mainthread-work-breakdown and long-tasks.

Pure functions over a list of events in Chrome's trace event format (``ph`` "X" with
``dur``, or "B"/"E" pairs; ``ts`` and ``dur`` in microseconds; ``name``, ``args``) of
the page's main thread (``CrRendererMain`` of its renderer). Events nest by time into
tasks; each event's *self time* (its duration less its children's) is counted in the
group of its name (Lighthouse's task groups), and attributed to the script URLs the
event or its ancestors name.

>>> events = [
...     {"ph": "X", "name": "RunTask", "ts": 0, "dur": 120_000, "args": {}},
...     {"ph": "X", "name": "EvaluateScript", "ts": 1_000, "dur": 100_000,
...      "args": {"data": {"url": "https://a.test/app.js"}}},
... ]
>>> [(t.name, t.duration_ms, t.self_ms) for t in main_thread_tasks(events)]
[('RunTask', 120.0, 20.0), ('EvaluateScript', 100.0, 100.0)]
>>> work_by_group(events)
{'scriptEvaluation': 100.0, 'other': 20.0}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..evidence import AuditResult
from ._common import INFORMATIVE, log_normal_score, not_applicable, result, undecided
from .evidence import OpportunityEvidence

TITLES = {
    "bootup-time": "Reduce JavaScript execution time",
    "mainthread-work-breakdown": "Minimize main-thread work",
    "long-tasks": "Avoid long main-thread tasks",
}
BOOTUP_P10, BOOTUP_MEDIAN = 1282, 3500
MAINTHREAD_P10, MAINTHREAD_MEDIAN = 2017, 4000
BOOTUP_MIN_MS = 50
LONG_TASK_MS = 50
LONG_TASKS_SHOWN = 20
NO_TRACE = "Needs the page's main-thread trace, which was not collected."

#: Lighthouse's task groups: trace event name → group id.
GROUPS: dict[str, str] = {
    **dict.fromkeys(("ParseHTML", "ParseAuthorStyleSheet"), "parseHTML"),
    **dict.fromkeys(
        (
            "ScheduleStyleRecalculation",
            "UpdateLayoutTree",
            "RecalculateStyles",
            "InvalidateLayout",
            "Layout",
        ),
        "styleLayout",
    ),
    **dict.fromkeys(
        (
            "Animation",
            "HitTest",
            "PaintSetup",
            "Paint",
            "PaintImage",
            "RasterTask",
            "Rasterize",
            "ScrollLayer",
            "UpdateLayer",
            "UpdateLayerTree",
            "CompositeLayers",
            "PrePaint",
        ),
        "paintCompositeRender",
    ),
    **dict.fromkeys(
        ("v8.compile", "v8.compileModule", "v8.parseOnBackground"), "scriptParseCompile"
    ),
    **dict.fromkeys(
        (
            "EventDispatch",
            "EvaluateScript",
            "v8.evaluateModule",
            "FunctionCall",
            "TimerFire",
            "FireIdleCallback",
            "FireAnimationFrame",
            "RunMicrotasks",
            "V8.Execute",
        ),
        "scriptEvaluation",
    ),
    **dict.fromkeys(
        (
            "MinorGC",
            "MajorGC",
            "GCEvent",
            "BlinkGC.AtomicPhase",
            "ThreadState::performIdleLazySweep",
            "ThreadState::completeSweep",
            "BlinkGCMarking",
        ),
        "garbageCollection",
    ),
}
GROUP_LABELS = {
    "parseHTML": "Parse HTML & CSS",
    "styleLayout": "Style & Layout",
    "paintCompositeRender": "Rendering",
    "scriptParseCompile": "Script Parsing & Compilation",
    "scriptEvaluation": "Script Evaluation",
    "garbageCollection": "Garbage Collection",
    "other": "Other",
}


@dataclass
class Task:
    """One trace event with its nesting: children, self time, URLs it is attributed to."""

    name: str
    start_ms: float
    duration_ms: float
    depth: int = 0
    self_ms: float = 0.0
    urls: list[str] = field(default_factory=list)
    children: list[Task] = field(default_factory=list)

    @property
    def group(self) -> str:
        """Lighthouse's task group of the event's name (``"other"`` if unknown)."""
        return GROUPS.get(self.name, "other")

    @property
    def end_ms(self) -> float:
        return self.start_ms + self.duration_ms


def _urls_of(event: dict[str, Any]) -> list[str]:
    data = (event.get("args") or {}).get("data") or {}
    urls = [frame.get("url", "") for frame in data.get("stackTrace") or []]
    urls.append(data.get("url", ""))
    return [u for u in urls if u]


def _spans(events: Iterable[dict[str, Any]]) -> list[tuple[float, float, dict[str, Any]]]:
    """(start µs, end µs, event) of complete events and matched B/E pairs."""
    spans = []
    open_: dict[str, list[dict[str, Any]]] = {}
    for event in sorted(events, key=lambda e: e.get("ts", 0)):
        phase = event.get("ph")
        if phase == "X" and event.get("dur") is not None:
            spans.append((float(event["ts"]), float(event["ts"]) + float(event["dur"]), event))
        elif phase == "B":
            open_.setdefault(event.get("name", ""), []).append(event)
        elif phase == "E":
            started = open_.get(event.get("name", ""))
            if started:
                begin = started.pop()
                merged = {
                    **begin,
                    "args": {**(begin.get("args") or {}), **(event.get("args") or {})},
                }
                spans.append((float(begin["ts"]), float(event["ts"]), merged))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    return spans


def main_thread_tasks(events: Sequence[dict[str, Any]], multiplier: float = 1.0) -> list[Task]:
    """Every event as a :class:`Task`, in start order, nested by time.

    *multiplier* scales durations (the CPU slowdown of simulated throttling).
    """
    tasks: list[Task] = []
    stack: list[tuple[float, Task]] = []
    for start, end, event in _spans(events):
        while stack and stack[-1][0] <= start:
            stack.pop()
        parent = stack[-1][1] if stack else None
        task = Task(
            name=event.get("name", ""),
            start_ms=start / 1000,
            duration_ms=(end - start) / 1000 * multiplier,
            depth=parent.depth + 1 if parent else 0,
            urls=[*(parent.urls if parent else []), *_urls_of(event)],
        )
        if parent is not None:
            parent.children.append(task)
        tasks.append(task)
        stack.append((end, task))
    for task in tasks:
        task.self_ms = max(0.0, task.duration_ms - sum(c.duration_ms for c in task.children))
    return tasks


def work_by_group(events: Sequence[dict[str, Any]], multiplier: float = 1.0) -> dict[str, float]:
    """Main-thread milliseconds per task group, largest first."""
    totals: dict[str, float] = {}
    for task in main_thread_tasks(events, multiplier):
        totals[task.group] = totals.get(task.group, 0.0) + task.self_ms
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def _attributed(task: Task) -> str:
    return next((u for u in task.urls if u != "about:blank"), "Other")


def work_by_url(
    events: Sequence[dict[str, Any]], multiplier: float = 1.0
) -> dict[str, dict[str, float]]:
    """Main-thread milliseconds per attributed URL and task group."""
    found: dict[str, dict[str, float]] = {}
    for task in main_thread_tasks(events, multiplier):
        groups = found.setdefault(_attributed(task), {})
        groups[task.group] = groups.get(task.group, 0.0) + task.self_ms
    return found


def blocking_time_by_url(
    events: Sequence[dict[str, Any]], multiplier: float = 1.0
) -> dict[str, float]:
    """Blocking time (a top-level task's duration beyond 50 ms) per attributed URL.

    >>> blocking_time_by_url([{"ph": "X", "name": "FunctionCall", "ts": 0, "dur": 80_000,
    ...     "args": {"data": {"url": "https://t.test/a.js"}}}])
    {'https://t.test/a.js': 30.0}
    """
    found: dict[str, float] = {}
    for task in main_thread_tasks(events, multiplier):
        if task.depth == 0 and task.duration_ms > LONG_TASK_MS:
            url = _first_url(task)
            found[url] = found.get(url, 0.0) + task.duration_ms - LONG_TASK_MS
    return found


def _first_url(task: Task) -> str:
    pending = [task]
    while pending:
        current = pending.pop(0)
        if current.urls:
            return current.urls[0]
        pending.extend(current.children)
    return "Other"


def mainthread_audits(evidence: OpportunityEvidence) -> list[AuditResult]:
    """bootup-time, mainthread-work-breakdown and long-tasks of one page."""
    events = evidence.trace_events
    if events is None:
        why = evidence.errors.get("trace", NO_TRACE)
        return [undecided(audit_id, title, why) for audit_id, title in TITLES.items()]
    multiplier = evidence.cpu_multiplier
    return [
        bootup_time(events, multiplier),
        mainthread_work_breakdown(events, multiplier),
        long_tasks(events, multiplier),
    ]


def bootup_time(events: Sequence[dict[str, Any]], multiplier: float = 1.0) -> AuditResult:
    """Script evaluation and compile time per URL (URLs with 50 ms of work or more);
    scored log-normally on their sum (p10 1,282 ms, median 3,500 ms)."""
    audit_id = "bootup-time"
    items: list[dict[str, Any]] = []
    scripting = 0.0
    for url, groups in work_by_url(events, multiplier).items():
        work = sum(groups.values())
        if work < BOOTUP_MIN_MS:
            continue
        evaluation = groups.get("scriptEvaluation", 0.0)
        compile_ = groups.get("scriptParseCompile", 0.0)
        scripting += evaluation + compile_
        items.append(
            {"url": url, "total": work, "scripting": evaluation, "scriptParseCompile": compile_}
        )
    if not items:
        return not_applicable(audit_id, TITLES[audit_id], "No script ran for 50 ms or more.")
    items.sort(key=lambda i: -i["total"])
    score = log_normal_score(scripting, BOOTUP_P10, BOOTUP_MEDIAN)
    tbt = sum(blocking_time_by_url(events, multiplier).values())
    return result(
        audit_id,
        TITLES[audit_id],
        items,
        score=score,
        savings_ms=scripting,
        metric_savings={"TBT": tbt},
        display_mode=INFORMATIVE if score >= 0.9 else "metricSavings",
        explanation=f"JavaScript execution time: {scripting:,.0f} ms.",
    )


def mainthread_work_breakdown(
    events: Sequence[dict[str, Any]], multiplier: float = 1.0
) -> AuditResult:
    """Main-thread time per kind of work, scored on the total (p10 2,017, median 4,000)."""
    audit_id = "mainthread-work-breakdown"
    groups = work_by_group(events, multiplier)
    work = sum(groups.values())
    items = [
        {"group": group, "groupLabel": GROUP_LABELS[group], "duration": ms}
        for group, ms in groups.items()
    ]
    score = log_normal_score(work, MAINTHREAD_P10, MAINTHREAD_MEDIAN)
    tbt = sum(blocking_time_by_url(events, multiplier).values())
    return result(
        audit_id,
        TITLES[audit_id],
        items,
        score=score,
        savings_ms=work,
        metric_savings={"TBT": tbt},
        display_mode=INFORMATIVE if score >= 0.9 else "metricSavings",
        explanation=f"Main-thread work: {work / 1000:,.1f} s.",
    )


def long_tasks(events: Sequence[dict[str, Any]], multiplier: float = 1.0) -> AuditResult:
    """Top-level tasks of 50 ms or more (the 20 longest), informative."""
    audit_id = "long-tasks"
    tasks = [
        t
        for t in main_thread_tasks(events, multiplier)
        if t.depth == 0 and t.duration_ms >= LONG_TASK_MS
    ]
    tasks.sort(key=lambda t: -t.duration_ms)
    items = [
        {"url": _first_url(t), "startTime": t.start_ms, "duration": t.duration_ms}
        for t in tasks[:LONG_TASKS_SHOWN]
    ]
    return result(
        audit_id,
        TITLES[audit_id],
        items,
        passed=True,
        display_mode=INFORMATIVE,
        metric_savings={"TBT": sum(max(0.0, t.duration_ms - LONG_TASK_MS) for t in tasks)},
        explanation=f"{len(tasks)} long task(s) found." if tasks else None,
    )
