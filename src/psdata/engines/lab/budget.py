"""The lab engine's time budget: every bound on a measurement's steps, in one place.

The user's ``timeout`` (seconds per URL and attempt, see :func:`psdata.analyze`) bounds a
whole measurement: its clock starts once the page has a browser context
(:mod:`psdata._deadline`). Inside it every step has a bound of its own, so a stuck step
fails or is skipped and the row is still written, with the reason in its ``warnings``.
The fixed bounds are the fields of :class:`TimeoutBudget` (seconds); those that depend on
the timeout are its methods: the load's cap comes from the timeout itself, the waits a
page shares with its neighbours (the trace's gate and epochs, the savings simulation)
from what is left of it.

One measurement (timeout T, 120 s by default)::

    open a page ........... page_open_s (a spare context's page is ready already)
    set the page up ....... page_setup_s; each audit CDP command audit_cdp_s
    trace gate ............ gate_wait(): a third of the time left, at most gate_wait_s
    load and quiet wait ... load_cap_s(T): Lighthouse's cap, but after_load_s kept for the rest
    read the page ......... evaluate_s per evaluation or CDP round trip
    opportunities ......... opportunity_step_s per step, opportunity_cdp_s per CDP command,
                            opportunity_page_s per evaluation, image_encoding_s for all images;
                            bf_cache_s for the navigation away and back, after the audits
    audits ................ axe and the DOM facts scaled by the page's size (audit_seconds),
                            robots_txt_s for /robots.txt
    trace ................. trace_wait(): what is left minus record_margin_s, at most trace_wait_s
    Lantern ............... lantern_wait(): what is left minus record_margin_s, at most
                            lantern_simulate_s; savings_budget(): what is left minus
                            savings_margin_s, at most savings_s
    traced at all ......... only with min_traced_s left (traced())

Shared by every page, outside any one timeout: launching Chromium (launch_s), closing
(close_s), wiping its missing favicons (favicon_s), a trace epoch's start and end
(trace_start_s, trace_end_s, trace_detach_s, trace_opening_grace_s, renderer_exit_s), a
browser's death (crash_grace_s, cancel_wait_s), the Lantern worker's exit
(lantern_close_s, lantern_kill_s).

>>> BUDGET.load_cap_s(120, 45), BUDGET.load_cap_s(20, 45)
(45, 10.0)
"""

from __future__ import annotations

from dataclasses import dataclass

from ..._deadline import seconds_left


@dataclass(frozen=True)
class TimeoutBudget:
    """The lab engine's bounds, in seconds (see the module docstring for the picture)."""

    # The browser, shared by every measurement.
    #: Start Playwright, launch Chromium, open a browser context.
    launch_s: float = 60.0
    #: Close a context, a browser or Playwright before giving up on it.
    close_s: float = 10.0
    #: Open a page (a renderer) in a context.
    page_open_s: float = 15.0
    #: After a crash-like error, wait this long for the browser's disconnect (a killed
    #: browser's pages may report their own crash first).
    crash_grace_s: float = 1.0
    #: Once the browser is gone, wait this long for the cancelled work to stop.
    cancel_wait_s: float = 1.0
    #: Wipe the browser's memory of missing favicons (one CDP round trip and reply).
    favicon_s: float = 2.0

    # One measurement, inside the user's timeout.
    #: Emulation, recording and observers on the new page.
    page_setup_s: float = 15.0
    #: Kept after the load for what follows it (audits, trace, row), within the timeout.
    after_load_s: float = 15.0
    #: One evaluation in the page, or one CDP round trip of the recording.
    evaluate_s: float = 10.0
    #: One CDP command of the category audits (setup before navigation, a response body).
    audit_cdp_s: float = 2.0
    #: axe on a page of N elements: ``axe_min_s + axe_s_per_1000_elements · N/1000``, at
    #: most ``axe_max_s`` (Lighthouse allows its axe evaluation 60 s); the DOM facts alike.
    #: A small page gets 20 s: at concurrency 3 on a busy machine axe took over 12 s on a
    #: 400-element page.
    axe_min_s: float = 20.0
    axe_s_per_1000_elements: float = 5.0
    axe_max_s: float = 60.0
    facts_min_s: float = 5.0
    facts_s_per_1000_elements: float = 1.0
    facts_max_s: float = 20.0
    #: Fetch the origin's /robots.txt.
    robots_txt_s: float = 3.0
    #: One CDP command of the opportunity collection.
    opportunity_cdp_s: float = 5.0
    #: One evaluation in the page for the opportunities.
    opportunity_page_s: float = 5.0
    #: One whole collection step (coverage, CSS, page facts, bodies, images).
    opportunity_step_s: float = 10.0
    #: Re-encoding the page's images, all of them (the rest are judged by their size).
    image_encoding_s: float = 5.0
    #: The navigation away from the page and back (back/forward cache), after the audits.
    bf_cache_s: float = 10.0
    #: Lantern's simulation of the page's metrics, at most (see :meth:`lantern_wait`).
    lantern_simulate_s: float = 60.0
    #: Lantern's simulation of the opportunities' savings, at most, ending
    #: ``savings_margin_s`` before the timeout; skipped with ``min_savings_s`` or less.
    savings_s: float = 30.0
    savings_margin_s: float = 1.0
    min_savings_s: float = 1.0

    # The trace, shared by the pages measured at once.
    #: A measurement with less than this left is measured untraced (sharing an epoch
    #: means waiting for the neighbours' windows and the trace's end).
    min_traced_s: float = 25.0
    #: The longest a page waits at the trace's gate before it is measured untraced.
    gate_wait_s: float = 30.0
    #: The longest a page waits for its trace, and the time kept to finish its row after.
    trace_wait_s: float = 90.0
    record_margin_s: float = 3.0
    #: Start a trace epoch (``Tracing.start``).
    trace_start_s: float = 15.0
    #: End an epoch: ``Tracing.end`` and reading its stream.
    trace_end_s: float = 30.0
    #: Detach the trace's CDP session.
    trace_detach_s: float = 2.0
    #: How long a page waits for the pages being opened before it starts an epoch anyway.
    trace_opening_grace_s: float = 2.0
    #: How long an epoch's start waits for the renderers of closed contexts to exit: a
    #: renderer exiting as ``Tracing.start`` runs holds the start for 10 s.
    renderer_exit_s: float = 1.0

    # The Lantern worker (a Node process).
    #: Let the worker exit after its input closes, then kill it.
    lantern_close_s: float = 5.0
    #: Reap a killed worker (it ends within milliseconds; an unkillable one is left).
    lantern_kill_s: float = 1.0

    def load_cap_s(self, timeout_s: float, lighthouse_cap_s: float) -> float:
        """The longest a page may take to load and go quiet within *timeout_s*.

        Lighthouse's cap (*lighthouse_cap_s*), but never so long that less than
        ``after_load_s`` (or half the timeout) is left for the rest of the measurement.

        >>> BUDGET.load_cap_s(40, 45)
        25.0
        """
        return min(lighthouse_cap_s, max(timeout_s / 2, timeout_s - self.after_load_s))

    def traced(self) -> bool:
        """Whether the current measurement has the time to be traced (``min_traced_s``).

        >>> BUDGET.traced()  # outside a measurement: as if it had min_traced_s
        True
        """
        return seconds_left(self.min_traced_s) >= self.min_traced_s

    def gate_wait(self) -> float:
        """How long a page may wait at the trace's gate: a third of its time left.

        >>> BUDGET.gate_wait()
        30.0
        """
        return min(self.gate_wait_s, seconds_left(3 * self.gate_wait_s) / 3)

    def trace_wait(self) -> float:
        """How long a page may wait for its trace: what is left but the row's margin.

        >>> BUDGET.trace_wait()
        87.0
        """
        return min(self.trace_wait_s, seconds_left(self.trace_wait_s) - self.record_margin_s)

    def lantern_wait(self) -> float:
        """How long Lantern may take for the page's metrics: what is left but the row's
        margin, so a hung worker costs the page its simulated metrics, not its row.

        >>> BUDGET.lantern_wait()
        57.0
        """
        return min(
            self.lantern_simulate_s, seconds_left(self.lantern_simulate_s) - self.record_margin_s
        )

    def savings_budget(self) -> float:
        """How long Lantern may take for the savings: what is left but a margin.

        >>> BUDGET.savings_budget()
        29.0
        """
        return min(self.savings_s, seconds_left(self.savings_s) - self.savings_margin_s)

    def audit_seconds(self, elements: int) -> tuple[float, float]:
        """Seconds for axe and for the DOM facts on a page of *elements* elements.

        >>> BUDGET.audit_seconds(800)
        (24.0, 5.8)
        >>> BUDGET.audit_seconds(30_000)
        (60.0, 20.0)
        """
        thousands = elements / 1000
        axe = min(self.axe_max_s, self.axe_min_s + self.axe_s_per_1000_elements * thousands)
        facts = min(self.facts_max_s, self.facts_min_s + self.facts_s_per_1000_elements * thousands)
        return round(axe, 1), round(facts, 1)


#: The bounds the lab engine measures with.
BUDGET = TimeoutBudget()
