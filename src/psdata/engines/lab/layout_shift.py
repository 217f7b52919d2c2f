"""Cumulative Layout Shift as Lighthouse computes it: from the trace, or the page.

Lighthouse reads the ``LayoutShift`` events of the page's frame tree from its trace and
adds up their ``weighted_score_delta`` in session windows (:func:`~psdata.engines.lab.metrics.
cumulative_layout_shift`). Chromium flags a shift ``had_recent_input`` after user input,
and also for 500 ms after the viewport is resized, which happens as each document
starts under emulation: Lighthouse counts a flagged shift only when it comes within
500 ms of the main frame's first ``viewport`` trace event (the trace's time origin if
there is none) and before any unflagged shift.

psdata takes the shifts and that moment from the page's trace
(:class:`~psdata.engines.lab.trace.PageTrace`, see :func:`~psdata.engines.lab.trace.first_viewport`)
when there is one: shifts inside same-process iframes count too, as in Lighthouse
(an out-of-process iframe's renderer is not part of the page's trace). Without a
trace, the in-page ``layout-shift`` observer gives the main frame's shifts and the
first paint stands in for the viewport's sizing (an estimate: the row's warnings say
the trace is missing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .collect import PageObservation
from .metrics import cumulative_layout_shift
from .trace import MissingTrace

Shift = tuple[float, float, bool]


class UnusableTrace(ValueError):
    """The trace's layout shifts cannot be scored (the message says why)."""


def trace_layout_shifts(events: Iterable[Mapping[str, Any]], origin_us: float) -> list[Shift]:
    """The ``LayoutShift`` events of a trace as ``(ms since origin, weighted score, flag)``.

    As Lighthouse, events without ``is_main_frame`` are left out, and every other event
    counts with its ``weighted_score_delta`` (a subframe's shift weighted by the share
    of the main viewport it covers); an event without that field makes the trace
    unusable (Chromium has written it since M90).

    >>> shift = {"name": "LayoutShift", "ts": 1_250_000, "args": {"data": {
    ...     "is_main_frame": True, "weighted_score_delta": 0.2, "had_recent_input": False}}}
    >>> trace_layout_shifts([shift, {"name": "Layout", "ts": 1}], origin_us=1_000_000)
    [(250.0, 0.2, False)]
    """
    shifts: list[Shift] = []
    for event in events:
        if event.get("name") != "LayoutShift":
            continue
        data = (event.get("args") or {}).get("data")
        if not isinstance(data, dict) or data.get("is_main_frame") is None:
            continue
        weighted = data.get("weighted_score_delta")
        if weighted is None:
            raise UnusableTrace("a LayoutShift event has no weighted_score_delta")
        start_ms = (float(event["ts"]) - origin_us) / 1000
        shifts.append((start_ms, float(weighted), bool(data.get("had_recent_input"))))
    return shifts


def page_layout_shift(observation: PageObservation) -> tuple[float, dict[str, Any]]:
    """The page's CLS and how it was had: ``(cls, details)``.

    From the trace when the observation has one (``details["source"] == "trace"``),
    else from the in-page observer (``"observer"``). The details carry the reference
    time of the recent-input rule (``viewport_change_ms``), the shifts counted by each
    source and the observer's CLS beside the trace's, for comparison.
    """
    observer_cls = cumulative_layout_shift(
        observation.layout_shifts, viewport_change_ms=observation.viewport_change_ms
    )
    details: dict[str, Any] = {
        "observer_cls": observer_cls,
        "observer_viewport_change_ms": observation.viewport_change_ms,
        "observer_shifts": [list(s) for s in observation.layout_shifts],
    }
    trace = observation.trace
    if isinstance(trace, MissingTrace):
        why = trace.reason
    else:
        try:
            shifts = trace_layout_shifts(trace.events, trace.time_origin_us)
        except UnusableTrace as exc:
            why = str(exc)
            observation.warnings.append(
                f"CLS comes from the page's layout-shift observer: the trace's shifts are"
                f" unusable ({why})."
            )
        else:
            viewport = trace.viewport_ms if trace.viewport_ms is not None else 0.0
            value = cumulative_layout_shift(shifts, viewport_change_ms=viewport)
            details.update(
                source="trace",
                viewport_change_ms=viewport,
                viewport_event=trace.viewport_ms is not None,
                shifts=[list(s) for s in shifts],
            )
            return value, details
    details.update(source="observer", viewport_change_ms=observation.viewport_change_ms, why=why)
    return observer_cls, details
