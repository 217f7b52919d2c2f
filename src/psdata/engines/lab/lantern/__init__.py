"""Simulated throttling: Lighthouse's Lantern on one page's trace and network events.

Lighthouse's default throttling method, ``simulate``, loads the page unthrottled and then
predicts, from the page's dependency graph (network requests and main-thread tasks),
what a throttled device would have seen. This package runs the real Lantern (the
DevTools trace engine's, vendored under ``vendor/``) in the Node that ships with the
``playwright`` package, with psdata's own glue (``glue.mjs``) doing what Lighthouse
does around it.

What a page must provide (Lighthouse's inputs, cut to what Lantern reads):

- the trace of its renderer main thread, with the categories ``devtools.timeline``,
  ``disabled-by-default-devtools.timeline`` (``RunTask``, layout and style
  invalidations; also ``TracingStartedInBrowser`` / ``FrameCommittedInBrowser``, which
  map the page's frame to its renderer), ``v8`` (``v8.compile``), ``loading``
  (first/largest contentful paint) and ``blink.user_timing`` (``navigationStart``);
  screenshots and invalidation tracking are not needed;
- its CDP ``Network`` events: ``requestWillBeSent``, ``responseReceived``,
  ``dataReceived``, ``loadingFinished``, ``loadingFailed``,
  ``resourceChangedPriority``, ``requestServedFromCache`` (CDP timestamps and trace
  timestamps share Chromium's monotonic clock);
- the requested URL and, for Speed Index, the observed Speed Index of the load.

The same graph and simulator estimate the time the performance opportunities would
save (:func:`estimate_savings`, Lighthouse's ``computeWasteWithGraph`` and
render-blocking method), in "simulate" and in "devtools" throttling as Lighthouse does.

>>> from psdata.engines.lab.lantern import simulate, split_page  # doctest: +SKIP
>>> page = split_page(trace["traceEvents"])  # doctest: +SKIP
>>> metrics = await simulate(page.events, devtools_log, url=url, frame_id=page.frame_id,
...                          strategy="mobile", observed_speed_index_ms=812.0)  # doctest: +SKIP
>>> metrics.values()  # doctest: +SKIP
{'fcp_ms': 1812.4, 'lcp_ms': 2312.5, 'speed_index_ms': 1830.1, 'tbt_ms': 120.0, ...}
"""

from psdata.engines.lab.lantern._savings import LanternSavings, estimate_savings
from psdata.engines.lab.lantern._simulate import (
    METRIC_NAMES,
    MetricEstimate,
    SimulatedMetrics,
    simulate,
    simulate_trace,
)
from psdata.engines.lab.lantern._trace import (
    LANTERN_EVENT_NAMES,
    PageTrace,
    find_main_frame,
    lantern_events,
    main_thread_events,
    renderer_main_threads,
    split_page,
)
from psdata.engines.lab.lantern._worker import (
    LanternWorker,
    close_worker,
    get_worker,
    node_executable,
)

__all__ = [
    "LANTERN_EVENT_NAMES",
    "METRIC_NAMES",
    "LanternSavings",
    "LanternWorker",
    "MetricEstimate",
    "PageTrace",
    "SimulatedMetrics",
    "close_worker",
    "estimate_savings",
    "find_main_frame",
    "get_worker",
    "lantern_events",
    "main_thread_events",
    "node_executable",
    "renderer_main_threads",
    "simulate",
    "simulate_trace",
    "split_page",
]
