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


#: Lighthouse's Time to Interactive: a 5 s window with no long task and at most two
#: requests in flight.
TTI_QUIET_MS = 5000.0
TTI_ALLOWED_REQUESTS = 2

Period = tuple[float, float]


def blocking_time_between(
    tasks: Sequence[tuple[float, float]], start_ms: float, end_ms: float
) -> float:
    """TBT as Lighthouse computes it from its trace: top-level tasks, *start_ms*..*end_ms*.

    *tasks* are ``(start_ms, duration_ms)``. A task of 50 ms or more counts with its part
    inside the range, less 50 ms (so a task cut by FCP counts only its part after FCP).

    >>> blocking_time_between([(100, 120), (2000, 80), (3000, 40)], 0, 10_000)
    100.0
    >>> blocking_time_between([(100, 200)], 200, 10_000)
    50.0
    >>> blocking_time_between([(100, 200)], 0, 150)
    0.0
    """
    if end_ms <= start_ms:
        return 0.0
    total = 0.0
    for start, duration in tasks:
        end = start + duration
        if duration < BLOCKING_THRESHOLD_MS or end < start_ms or start > end_ms:
            continue
        clipped = min(end, end_ms) - max(start, start_ms)
        total += max(0.0, clipped - BLOCKING_THRESHOLD_MS)
    return total


def network_quiet_periods(
    requests: Sequence[tuple[float, float | None]],
    end_ms: float,
    allowed: int = TTI_ALLOWED_REQUESTS,
) -> list[Period]:
    """Periods with at most *allowed* requests in flight, up to *end_ms*.

    *requests* are ``(start_ms, end_ms or None if unfinished)``.

    >>> network_quiet_periods([(0, 100), (10, 200), (20, 300)], end_ms=1000)
    [(-inf, 20), (100, 1000)]
    """
    bounds = sorted(
        [(start, 1) for start, _ in requests]
        + [(end, -1) for _, end in requests if end is not None],
    )
    in_flight, quiet_start = 0, float("-inf")  # Lighthouse starts at the clock's zero
    periods: list[Period] = []
    for time_ms, change in bounds:
        if time_ms > end_ms:
            break
        if change > 0:
            if in_flight == allowed:
                periods.append((quiet_start, time_ms))
            in_flight += 1
        else:
            in_flight -= 1
            if in_flight == allowed:
                quiet_start = time_ms
    if in_flight <= allowed:
        periods.append((quiet_start, end_ms))
    return [p for p in periods if p[0] != p[1]]


def cpu_quiet_periods(long_tasks: Sequence[tuple[float, float]], end_ms: float) -> list[Period]:
    """The gaps between long tasks (``(start_ms, duration_ms)``, sorted), up to *end_ms*.

    >>> cpu_quiet_periods([(100, 60), (1000, 80)], end_ms=9000)
    [(-inf, 100), (160, 1000), (1080, 9000)]
    """
    if not long_tasks:
        return [(float("-inf"), end_ms)]
    periods: list[Period] = [(float("-inf"), long_tasks[0][0])]
    for (start, duration), following in zip(long_tasks, [*long_tasks[1:], None], strict=True):
        periods.append((start + duration, following[0] if following else end_ms))
    return periods


def interactive(
    tasks: Sequence[tuple[float, float]],
    requests: Sequence[tuple[float, float | None]],
    fcp_ms: float,
    dcl_ms: float | None,
    end_ms: float,
) -> float | None:
    """Lighthouse's observed Time to Interactive (ms), or None if the trace has no such time.

    The first 5 s window after FCP with no long task (≥ 50 ms) that lies inside a 5 s
    window with at most two requests in flight; TTI is that CPU-quiet window's start, but
    not before FCP or DOMContentLoaded.

    >>> interactive([(1000, 200)], [(0, 500)], fcp_ms=800, dcl_ms=900, end_ms=20_000)
    1200.0
    >>> interactive([(1000, 200)], [], fcp_ms=800, dcl_ms=900, end_ms=4000) is None
    True
    """
    long_tasks = sorted((s, d) for s, d in tasks if d >= BLOCKING_THRESHOLD_MS)

    def long_enough(period: Period) -> bool:
        return period[1] > fcp_ms + TTI_QUIET_MS and period[1] - period[0] >= TTI_QUIET_MS

    cpu = [p for p in cpu_quiet_periods(long_tasks, end_ms) if long_enough(p)]
    network = [p for p in network_quiet_periods(requests, end_ms) if long_enough(p)]
    i = j = 0
    while i < len(cpu) and j < len(network):
        cpu_period, network_period = cpu[i], network[j]
        if cpu_period[0] >= network_period[0]:
            if network_period[1] >= cpu_period[0] + TTI_QUIET_MS:
                break
            j += 1
        else:
            if cpu_period[1] >= network_period[0] + TTI_QUIET_MS:
                break
            i += 1
    else:
        return None
    return float(max(cpu[i][0], fcp_ms, dcl_ms or 0.0))


#: The least Max Potential FID Lighthouse reports (a frame at 60 Hz), ms.
MIN_POTENTIAL_FID_MS = 16.0


def max_potential_fid(tasks: Sequence[tuple[float, float]], fcp_ms: float) -> float:
    """Lighthouse's observed Max Potential FID (ms): the longest top-level task that
    ends after FCP, at least 16 ms.

    >>> max_potential_fid([(100, 300), (900, 120), (1500, 60)], fcp_ms=800)
    120.0
    >>> max_potential_fid([], fcp_ms=800)
    16.0
    """
    after = [d for s, d in tasks if s + d >= fcp_ms and d >= 1]
    return float(max([*after, MIN_POTENTIAL_FID_MS]))
