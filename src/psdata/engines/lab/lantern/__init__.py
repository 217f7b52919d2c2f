"""Simulated throttling: Lighthouse's Lantern on one page's trace and network events.

Lighthouse's default throttling method, ``simulate``, loads the page unthrottled and then
predicts, from the page's dependency graph (network requests and main-thread tasks),
what a throttled device would have seen. This package runs the real Lantern (the
DevTools trace engine's, vendored under ``vendor/``) in the Node that ships with the
``playwright`` package, with psdata's own glue (``glue.mjs``) doing what Lighthouse
does around it.

What a page must provide (Lighthouse's inputs, cut to what Lantern reads):

- its main-thread trace: the events of its :class:`~psdata.engines.lab.trace.PageTrace`
  (psdata's one splitter, the same for a page of a browser-wide trace and for
  Lighthouse's own trace of one page) and its main frame id. Lantern reads the tasks
  (``RunTask``, category ``disabled-by-default-devtools.timeline``), some of their
  children (``devtools.timeline``, ``v8.compile`` from ``v8``), first/largest
  contentful paint (``loading``) and ``navigationStart`` (``blink.user_timing``); see
  :data:`LANTERN_EVENT_NAMES`. The trace is recorded with the categories Lighthouse
  records (:data:`~psdata.engines.lab.trace.CATEGORIES`), invalidation tracking
  included: Lantern reads none of its events, but recording it lengthens the tasks it
  does read, as in Lighthouse's own trace;
- its CDP ``Network`` events: ``requestWillBeSent``, ``responseReceived``,
  ``dataReceived``, ``loadingFinished``, ``loadingFailed``,
  ``resourceChangedPriority``, ``requestServedFromCache`` (CDP timestamps and trace
  timestamps share Chromium's monotonic clock);
- the requested URL and, for Speed Index, the observed Speed Index of the load.

The same graph and simulator estimate the time the performance opportunities would
save (:func:`estimate_savings`, Lighthouse's ``computeWasteWithGraph`` and
render-blocking method), in "simulate" and in "devtools" throttling as Lighthouse does.

>>> from psdata.engines.lab.lantern import simulate  # doctest: +SKIP
>>> metrics = await simulate(page.events, devtools_log, url=url, frame_id=page.frame_id,
...                          strategy="mobile", observed_speed_index_ms=812.0)  # doctest: +SKIP
>>> metrics.values()  # doctest: +SKIP
{'fcp_ms': 1812.4, 'lcp_ms': 2312.5, 'speed_index_ms': 1830.1, 'tbt_ms': 120.0, ...}
"""

from psdata.engines.lab.lantern._events import LANTERN_EVENT_NAMES, lantern_events
from psdata.engines.lab.lantern._savings import LanternSavings, estimate_savings
from psdata.engines.lab.lantern._simulate import (
    METRIC_NAMES,
    MetricEstimate,
    SimulatedMetrics,
    simulate,
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
    "SimulatedMetrics",
    "close_worker",
    "estimate_savings",
    "get_worker",
    "lantern_events",
    "node_executable",
    "simulate",
]
