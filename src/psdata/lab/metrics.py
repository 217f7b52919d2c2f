"""Lab metrics derived from a page's raw observations (pure functions, no browser)."""

from __future__ import annotations

from collections.abc import Sequence

BLOCKING_THRESHOLD_MS = 50.0
CLS_SESSION_GAP_MS = 1000.0
CLS_SESSION_CAP_MS = 5000.0
#: How long after a viewport change Chromium flags layout shifts as "recent input".
RECENT_INPUT_MS = 500.0


def cumulative_layout_shift(
    shifts: Sequence[tuple[float, float, bool]], *, viewport_change_ms: float = 0.0
) -> float:
    """CLS: the largest session window of layout shifts (1 s gap, 5 s cap).

    *shifts* are ``(start_ms, value, had_recent_input)``; shifts right after user input
    are excluded. psdata never sends input, but Chromium also flags the shifts of the
    500 ms after a viewport resize, and the emulated viewport is sized as each document
    starts (at *viewport_change_ms*). As in Lighthouse, a flagged shift still counts when
    it comes within 500 ms of that first resize and before any unflagged shift; later
    flagged shifts (after a page-scale change on a page wider than the phone, say) do not.

    >>> cumulative_layout_shift([(100, 0.1, False), (600, 0.05, False), (3000, 0.12, False)])
    0.15
    >>> cumulative_layout_shift([(100, 0.2, True), (300, 0.1, False), (400, 0.3, True)])
    0.3
    >>> cumulative_layout_shift([(900, 0.48, True), (1000, 0.2, True)], viewport_change_ms=300)
    0.0
    """
    best = current = 0.0
    window_start = last = float("-inf")
    honour_input_flag = False
    for start, value, had_input in sorted(shifts):
        if had_input and (honour_input_flag or start - viewport_change_ms > RECENT_INPUT_MS):
            continue
        honour_input_flag = honour_input_flag or not had_input
        if start - last > CLS_SESSION_GAP_MS or start - window_start > CLS_SESSION_CAP_MS:
            window_start, current = start, 0.0
        current += value
        last = start
        best = max(best, current)
    return round(best, 6)


def total_blocking_time(long_tasks: Sequence[tuple[float, float]], fcp_ms: float | None) -> float:
    """TBT: the sum of each long task's time beyond 50 ms, counting only after FCP.

    A task that starts before FCP counts only with its part after FCP.

    >>> total_blocking_time([(100, 120), (2000, 80), (3000, 40)], fcp_ms=0)
    100.0
    >>> total_blocking_time([(100, 200)], fcp_ms=200)
    50.0
    """
    start_of_count = fcp_ms or 0.0
    total = 0.0
    for start, duration in long_tasks:
        end = start + duration
        counted = end - max(start, start_of_count)
        total += max(0.0, counted - BLOCKING_THRESHOLD_MS)
    return total


def long_task_time(long_tasks: Sequence[tuple[float, float]]) -> float:
    """Total main-thread time spent in long tasks (> 50 ms), in ms.

    >>> long_task_time([(0, 60), (500, 90)])
    150.0
    """
    return float(sum(duration for _, duration in long_tasks))
