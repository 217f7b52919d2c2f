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

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...._lighthouse import INFORMATIVE, METRIC_SAVINGS, PASS_SCORE
from ..audit_results import not_applicable, undecided
from ..evidence import AuditResult
from ..scoring import log_normal_score
from ._common import result
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

#: Lighthouse's task groups: trace event name → group id. An event of another
#: name belongs to the group of the event it runs in (``other`` at the top).
GROUPS: dict[str, str] = {
    **dict.fromkeys(("ParseHTML", "ParseAuthorStyleSheet"), "parseHTML"),
    **dict.fromkeys(
        ("ScheduleStyleRecalculation", "UpdateLayoutTree", "InvalidateLayout", "Layout"),
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
            "BlinkGC.AtomicPhase",
            "ThreadState::performIdleLazySweep",
            "ThreadState::completeSweep",
            "BlinkGCMarking",
        ),
        "garbageCollection",
    ),
    **dict.fromkeys(
        (
            "MessageLoop::RunTask",
            "TaskQueueManager::ProcessTaskFromWorkQueue",
            "ThreadControllerImpl::DoWork",
        ),
        "other",
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
_BROWSER_TASKS = frozenset({"CpuProfiler::StartProfiling"})
_BROWSER_GC_TASKS = frozenset({"V8.GCCompactor", "MajorGC", "MinorGC"})
#: Lighthouse's own script, never a page's.
_LIGHTHOUSE_EVAL = "_lighthouse-eval.js"


@dataclass
class Task:
    """One trace event with its nesting: children, self time, group, attributable URLs.

    ``urls`` are Lighthouse's *attributable URLs*: the scripts (and documents) the event
    and the events it runs in name, outermost first.
    """

    name: str
    start_ms: float
    duration_ms: float
    depth: int = 0
    self_ms: float = 0.0
    urls: list[str] = field(default_factory=list)
    children: list[Task] = field(default_factory=list)
    group: str = "other"
    event: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def end_ms(self) -> float:
        return self.start_ms + self.duration_ms


def _spans(events: Iterable[dict[str, Any]]) -> list[tuple[float, float, dict[str, Any]]]:
    """(start µs, end µs, event) of complete events, matched B/E pairs and instants
    (``TimerInstall``: end = start), sorted by start, longest first."""
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
        elif event.get("name") == "TimerInstall":
            spans.append((float(event.get("ts", 0)), float(event.get("ts", 0)), event))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0]), s[2].get("name") == "TimerInstall"))
    return spans


def _data(event: dict[str, Any]) -> dict[str, Any]:
    args = event.get("args") or {}
    return {**(args.get("beginData") or {}), **(args.get("data") or {})}


class _Attribution:
    """Lighthouse's attributable URLs, task tree by task tree (its ``MainThreadTasks``)."""

    def __init__(self, frame_urls: Mapping[str, str], timers: Mapping[Any, Task]) -> None:
        self.frame_urls = dict(frame_urls)
        self.timers = timers
        self.last_task_urls: list[str] = []

    def own_urls(self, task: Task, found_in_tree: list[str]) -> list[str | None]:
        data = _data(task.event)
        frame_url = self.frame_urls.get(data.get("frame") or "")
        name = task.name
        if name in ("v8.compile", "EvaluateScript", "FunctionCall", "ParseHTML"):
            return [data.get("url"), frame_url]
        if name == "v8.compileModule":
            return [(task.event.get("args") or {}).get("fileName")]
        if name == "ParseAuthorStyleSheet":
            return [data.get("styleSheetUrl"), frame_url]
        if name == "TimerFire":
            installer = self.timers.get(data.get("timerId"))
            return list(installer.urls) if installer is not None else []
        if name in ("UpdateLayoutTree", "Layout", "Paint"):
            if frame_url:
                return [frame_url]
            return [] if found_in_tree else list(self.last_task_urls)
        return []

    def assign(self, task: Task, parent_urls: list[str], found_in_tree: list[str]) -> None:
        stack = [frame.get("url") for frame in _data(task.event).get("stackTrace") or []]
        urls = list(parent_urls)
        for url in [*self.own_urls(task, found_in_tree), *stack]:
            if not url:
                continue
            if url not in found_in_tree:
                found_in_tree.append(url)
            if not urls or urls[-1] != url:
                urls.append(url)
        task.urls = urls
        for child in task.children:
            self.assign(child, urls, found_in_tree)


def _fill_empty(task: Task, urls: list[str]) -> None:
    if task.urls:
        return
    task.urls = list(urls)
    for child in task.children:
        _fill_empty(child, urls)


def _set_group(task: Task, parent: str | None) -> None:
    task.group = GROUPS.get(task.name) or parent or "other"
    for child in task.children:
        _set_group(child, task.group)


def main_thread_tasks(
    events: Sequence[dict[str, Any]],
    multiplier: float = 1.0,
    frame_urls: Mapping[str, str] | None = None,
) -> list[Task]:
    """Every event as a :class:`Task`, in start order, nested by time (Lighthouse's
    ``MainThreadTasks``): self time, task group (inherited from the enclosing event
    when the name has none) and attributable URLs (a timer's callback takes its
    installer's; layout and paint take their frame's document, *frame_urls* maps
    frame ids to it).

    *multiplier* scales durations (the CPU slowdown of simulated throttling).
    """
    tasks: list[Task] = []
    timers: dict[Any, Task] = {}
    stack: list[tuple[float, Task]] = []
    for start, end, event in _spans(events):
        while stack and stack[-1][0] <= start:
            stack.pop()
        parent = stack[-1][1] if stack else None
        if event.get("name") == "TimerInstall" and event.get("ph") not in ("X", "B"):
            if parent is not None:
                timers[_data(event).get("timerId")] = parent
            continue
        task = Task(
            name=event.get("name", ""),
            start_ms=start / 1000,
            duration_ms=(end - start) / 1000 * multiplier,
            depth=parent.depth + 1 if parent else 0,
            event=event,
        )
        if parent is not None:
            parent.children.append(task)
        tasks.append(task)
        stack.append((end, task))
    attribution = _Attribution(frame_urls or {}, timers)
    for task in tasks:
        task.self_ms = max(0.0, task.duration_ms - sum(c.duration_ms for c in task.children))
        if task.depth:
            continue
        found_in_tree: list[str] = []
        attribution.assign(task, [], found_in_tree)
        if not task.urls and found_in_tree:
            _fill_empty(task, found_in_tree)
        _set_group(task, None)
        attribution.last_task_urls = task.urls
    return tasks


def work_by_group(
    events: Sequence[dict[str, Any]],
    multiplier: float = 1.0,
    tasks: Sequence[Task] | None = None,
) -> dict[str, float]:
    """Main-thread milliseconds per task group, largest first."""
    totals: dict[str, float] = {}
    for task in main_thread_tasks(events, multiplier) if tasks is None else tasks:
        totals[task.group] = totals.get(task.group, 0.0) + task.self_ms
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def attributed_url(task: Task, script_urls: Collection[str] = ()) -> str:
    """The URL Lighthouse charges a task to: its first attributable script, else its
    first URL, else ``Browser``, ``Browser GC`` or ``Unattributable``.

    >>> task = Task("FunctionCall", 0, 10, urls=["https://a.test/", "https://a.test/x.js"])
    >>> attributed_url(task, {"https://a.test/x.js"}), attributed_url(task)
    ('https://a.test/x.js', 'https://a.test/')
    """
    url = next((u for u in task.urls if u in script_urls), None) or (
        task.urls[0] if task.urls else None
    )
    if url and url != "about:blank":
        return url
    if task.name in _BROWSER_TASKS:
        return "Browser"
    return "Browser GC" if task.name in _BROWSER_GC_TASKS else "Unattributable"


def work_by_url(
    events: Sequence[dict[str, Any]],
    multiplier: float = 1.0,
    script_urls: Collection[str] = (),
    tasks: Sequence[Task] | None = None,
) -> dict[str, dict[str, float]]:
    """Main-thread milliseconds per attributed URL and task group."""
    found: dict[str, dict[str, float]] = {}
    for task in main_thread_tasks(events, multiplier) if tasks is None else tasks:
        groups = found.setdefault(attributed_url(task, script_urls), {})
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


def frame_urls(events: Iterable[dict[str, Any]]) -> dict[str, str]:
    """The document URL of each frame, as its first ``ParseHTML`` names it.

    >>> frame_urls([{"ph": "X", "name": "ParseHTML", "ts": 0, "dur": 5,
    ...     "args": {"beginData": {"frame": "F1", "url": "https://a.test/"}}}])
    {'F1': 'https://a.test/'}
    """
    found: dict[str, str] = {}
    for event in events:
        if event.get("name") == "ParseHTML":
            data = _data(event)
            frame, url = data.get("frame"), data.get("url")
            if frame and url and frame not in found:
                found[frame] = url
    return found


def mainthread_audits(evidence: OpportunityEvidence) -> list[AuditResult]:
    """bootup-time, mainthread-work-breakdown and long-tasks of one page, from its
    main thread's trace events as Lighthouse reads them (one task tree for all three)."""
    events = evidence.trace_events
    if events is None:
        why = evidence.errors.get("trace", NO_TRACE)
        return [undecided(audit_id, title, why) for audit_id, title in TITLES.items()]
    multiplier = evidence.cpu_multiplier
    tasks = main_thread_tasks(events, multiplier, frame_urls(events))
    scripts = {r.url for r in evidence.requests if r.resource_type == "Script"}
    tbt = evidence.metrics.get("tbt_ms")
    return [
        bootup_time(events, multiplier, scripts, tasks),
        mainthread_work_breakdown(events, multiplier, tasks),
        long_tasks(events, multiplier, scripts, tasks, tbt_ms=tbt),
    ]


def _tbt_impact(tasks: Sequence[Task], groups: Collection[str] | None = None) -> float:
    """Blocking time of the top-level tasks, shared out to their events by self time
    (those of *groups* only, when given): a stand-in for Lighthouse's TBT impact."""
    total = 0.0
    for task in tasks:
        if task.depth or task.duration_ms <= LONG_TASK_MS:
            continue
        share = (task.duration_ms - LONG_TASK_MS) / task.duration_ms
        pending = [task]
        while pending:
            current = pending.pop()
            if groups is None or current.group in groups:
                total += current.self_ms * share
            pending.extend(current.children)
    return total


def bootup_time(
    events: Sequence[dict[str, Any]],
    multiplier: float = 1.0,
    script_urls: Collection[str] = (),
    tasks: Sequence[Task] | None = None,
) -> AuditResult:
    """Script evaluation and compile time per URL (URLs with 50 ms of work or more);
    scored log-normally on their sum (p10 1,282 ms, median 3,500 ms).

    Each event's self time is charged to its attributable script (see
    :func:`attributed_url`), as Lighthouse's ``getExecutionTimingsByURL``.
    """
    audit_id = "bootup-time"
    if tasks is None:
        tasks = main_thread_tasks(events, multiplier, frame_urls(events))
    items: list[dict[str, Any]] = []
    scripting = 0.0
    for url, groups in work_by_url(events, multiplier, script_urls, tasks).items():
        work = sum(groups.values())
        if work < BOOTUP_MIN_MS or url == _LIGHTHOUSE_EVAL:
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
    tbt = _tbt_impact(tasks, ("scriptEvaluation", "scriptParseCompile"))
    return result(
        audit_id,
        TITLES[audit_id],
        items,
        score=score,
        savings_ms=scripting,
        metric_savings={"TBT": tbt},
        display_mode=INFORMATIVE if score >= PASS_SCORE else METRIC_SAVINGS,
        explanation=f"JavaScript execution time: {scripting:,.0f} ms.",
        numeric_value=scripting,
        numeric_unit="millisecond",
    )


def mainthread_work_breakdown(
    events: Sequence[dict[str, Any]],
    multiplier: float = 1.0,
    tasks: Sequence[Task] | None = None,
) -> AuditResult:
    """Main-thread time per kind of work, scored on the total (p10 2,017, median 4,000)."""
    audit_id = "mainthread-work-breakdown"
    if tasks is None:
        tasks = main_thread_tasks(events, multiplier, frame_urls(events))
    groups = work_by_group(events, multiplier, tasks)
    work = sum(groups.values())
    items = [
        {"group": group, "groupLabel": GROUP_LABELS[group], "duration": ms}
        for group, ms in groups.items()
    ]
    score = log_normal_score(work, MAINTHREAD_P10, MAINTHREAD_MEDIAN)
    return result(
        audit_id,
        TITLES[audit_id],
        items,
        score=score,
        savings_ms=work,
        metric_savings={"TBT": _tbt_impact(tasks)},
        display_mode=INFORMATIVE if score >= PASS_SCORE else METRIC_SAVINGS,
        explanation=f"Main-thread work: {work / 1000:,.1f} s.",
        numeric_value=work,
        numeric_unit="millisecond",
    )


def long_tasks(
    events: Sequence[dict[str, Any]],
    multiplier: float = 1.0,
    script_urls: Collection[str] = (),
    tasks: Sequence[Task] | None = None,
    *,
    tbt_ms: float | None = None,
) -> AuditResult:
    """Top-level tasks of 50 ms or more (the 20 longest), each charged to its
    attributable script; informative, not applicable without any. Its TBT saving is the
    page's TBT (*tbt_ms*; without it, the tasks' blocking time), as in Lighthouse."""
    audit_id = "long-tasks"
    if tasks is None:
        tasks = main_thread_tasks(events, multiplier, frame_urls(events))
    long_ = [t for t in tasks if t.depth == 0 and t.duration_ms >= LONG_TASK_MS]
    if not long_:
        return not_applicable(audit_id, TITLES[audit_id], "No task took 50 ms or more.")
    long_.sort(key=lambda t: -t.duration_ms)
    items = [
        {"url": attributed_url(t, script_urls), "startTime": t.start_ms, "duration": t.duration_ms}
        for t in long_[:LONG_TASKS_SHOWN]
    ]
    blocking = sum(max(0.0, t.duration_ms - LONG_TASK_MS) for t in long_)
    return result(
        audit_id,
        TITLES[audit_id],
        items,
        passed=True,
        display_mode=INFORMATIVE,
        metric_savings={"TBT": blocking if tbt_ms is None else tbt_ms},
        explanation=f"{len(long_)} long task(s) found.",
    )
