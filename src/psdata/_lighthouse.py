"""The facts psdata follows, each written once: Lighthouse's, the Web Vitals', psdata's limits.

psdata scores pages as Lighthouse :data:`LIGHTHOUSE_VERSION` (and PageSpeed Insights, which
runs it) does. Its category ids and titles, the curves and weights of its performance
metrics, the bands its report colours scores by, its audits' display modes, its throttling
methods and the waits of each, the Web Vitals thresholds of field data and psdata's own
bound on pages measured at once are stated here; every other module, the CLI and the plots
read them from here. Data only: the scoring maths is in
:mod:`psdata.engines.lab.scoring`. The tests check these facts against Lighthouse's
recorded reports in ``tests/fixtures``.

>>> LIGHTHOUSE_VERSION
'12.2.3'
>>> CATEGORY_IDS["best_practices"], CATEGORY_TITLES["best_practices"]
('best-practices', 'Best Practices')
>>> CONTROL_POINTS["mobile"]["lcp_ms"]
ControlPoints(p10=2500, median=4000)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

#: The Lighthouse release whose results psdata reproduces (``npm i -E lighthouse@12.2.3``).
LIGHTHOUSE_VERSION = "12.2.3"

# --- categories ------------------------------------------------------------------------

#: psdata's category columns, in Lighthouse's report order.
CATEGORIES: tuple[str, ...] = ("performance", "accessibility", "best_practices", "seo")
#: Lighthouse's id of each category (``lhr.categories`` keys).
CATEGORY_IDS: Mapping[str, str] = MappingProxyType(
    {
        "performance": "performance",
        "accessibility": "accessibility",
        "best_practices": "best-practices",
        "seo": "seo",
    }
)
#: Lighthouse's title of each category, as its report shows it.
CATEGORY_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "performance": "Performance",
        "accessibility": "Accessibility",
        "best_practices": "Best Practices",
        "seo": "SEO",
    }
)

# --- performance metrics ---------------------------------------------------------------


class ControlPoints(NamedTuple):
    """The two points that fix a metric's log-normal curve (same unit as the metric)."""

    p10: float  # scores 0.9
    median: float  # scores 0.5


class MetricAudit(NamedTuple):
    """Lighthouse's audit of one performance metric."""

    id: str
    title: str


#: Each scored metric's audit, by psdata's column, in Lighthouse's ``auditRefs`` order.
METRIC_AUDITS: Mapping[str, MetricAudit] = MappingProxyType(
    {
        "fcp_ms": MetricAudit("first-contentful-paint", "First Contentful Paint"),
        "lcp_ms": MetricAudit("largest-contentful-paint", "Largest Contentful Paint"),
        "tbt_ms": MetricAudit("total-blocking-time", "Total Blocking Time"),
        "cls": MetricAudit("cumulative-layout-shift", "Cumulative Layout Shift"),
        "speed_index_ms": MetricAudit("speed-index", "Speed Index"),
    }
)
#: Weight of each metric in the performance category, in Lighthouse's audit order (which
#: is also the order the weighted sum is accumulated in, so float rounding matches).
METRIC_WEIGHTS: Mapping[str, int] = MappingProxyType(
    {"fcp_ms": 10, "lcp_ms": 25, "tbt_ms": 30, "cls": 25, "speed_index_ms": 10}
)
#: Each metric's control points (``scoringOptions``), per form factor.
CONTROL_POINTS: Mapping[str, Mapping[str, ControlPoints]] = MappingProxyType(
    {
        "mobile": MappingProxyType(
            {
                "fcp_ms": ControlPoints(1800, 3000),
                "speed_index_ms": ControlPoints(3387, 5800),
                "lcp_ms": ControlPoints(2500, 4000),
                "tbt_ms": ControlPoints(200, 600),
                "cls": ControlPoints(0.1, 0.25),
            }
        ),
        "desktop": MappingProxyType(
            {
                "fcp_ms": ControlPoints(934, 1600),
                "speed_index_ms": ControlPoints(1311, 2300),
                "lcp_ms": ControlPoints(1200, 2400),
                "tbt_ms": ControlPoints(150, 350),
                "cls": ControlPoints(0.1, 0.25),
            }
        ),
    }
)

#: The performance category's hidden metric audits (weight 0): Time to Interactive (by
#: which Lighthouse picks its representative run) and Max Potential First Input Delay.
HIDDEN_METRIC_AUDITS: Mapping[str, MetricAudit] = MappingProxyType(
    {
        "interactive_ms": MetricAudit("interactive", "Time to Interactive"),
        "max_potential_fid_ms": MetricAudit("max-potential-fid", "Max Potential First Input Delay"),
    }
)
#: Their control points per form factor (Max Potential FID has one curve for both).
HIDDEN_CONTROL_POINTS: Mapping[str, Mapping[str, ControlPoints]] = MappingProxyType(
    {
        "mobile": MappingProxyType(
            {
                "interactive_ms": ControlPoints(3785, 7300),
                "max_potential_fid_ms": ControlPoints(130, 250),
            }
        ),
        "desktop": MappingProxyType(
            {
                "interactive_ms": ControlPoints(2468, 4500),
                "max_potential_fid_ms": ControlPoints(130, 250),
            }
        ),
    }
)

#: What Lighthouse's ``computeMedianRun`` chooses the representative of repeated runs by:
#: the run nearest (Euclidean distance) the median first contentful paint and the median
#: time to interactive (``interactive``), ties to the lower TTI; runs without either
#: value are left out (``filterToValidRuns``).
MEDIAN_RUN_METRICS: tuple[str, str] = ("fcp_ms", "tti_ms")

# --- scores as the report shows them ---------------------------------------------------


class ScoreBand(NamedTuple):
    """One of the report's score ratings: its lowest score and its colour."""

    rating: str
    min_score: float  # 0..1
    colour: str


#: The report's ratings, best first: pass 0.9–1 (green), average 0.5–0.89 (orange),
#: fail 0–0.49 (red); an audit passes from 0.9 on. The colours are PageSpeed Insights'.
SCORE_BANDS: tuple[ScoreBand, ScoreBand, ScoreBand] = (
    ScoreBand("pass", 0.9, "#0cce6b"),
    ScoreBand("average", 0.5, "#ffa400"),
    ScoreBand("fail", 0.0, "#ff4e42"),
)
#: The lowest passing score of an audit (the ``pass`` band).
PASS_SCORE = SCORE_BANDS[0].min_score

#: Lighthouse's ``scoreDisplayMode`` of an audit: scored 0 or 1 ...
BINARY = "binary"
#: ... scored on a curve ...
NUMERIC = "numeric"
#: ... scored by whether it saves time on a metric (opportunities and diagnostics) ...
METRIC_SAVINGS = "metricSavings"
#: ... never scored: informative, for manual review, not applicable to the page ...
INFORMATIVE = "informative"
MANUAL = "manual"
NOT_APPLICABLE = "notApplicable"
#: ... or could not be decided.
ERROR = "error"
#: The display modes whose score counts in a category; Lighthouse gives an informative
#: audit a score of 1 and the others none, and leaves them all out of the category.
SCORED_MODES: frozenset[str] = frozenset({BINARY, NUMERIC, METRIC_SAVINGS})

# --- Web Vitals ------------------------------------------------------------------------


class Thresholds(NamedTuple):
    """A metric's bands: at most ``good`` is good, above ``poor`` is poor."""

    good: float
    poor: float


#: The Web Vitals thresholds of a field metric's 75th percentile (CrUX's FAST / AVERAGE /
#: SLOW), by psdata's metric name (ms; CLS unitless): the Core Web Vitals LCP, INP and
#: CLS, then FCP and TTFB.
WEB_VITALS_THRESHOLDS: Mapping[str, Thresholds] = MappingProxyType(
    {
        "lcp_ms": Thresholds(2500, 4000),
        "inp_ms": Thresholds(200, 500),
        "cls": Thresholds(0.1, 0.25),
        "fcp_ms": Thresholds(1800, 3000),
        "ttfb_ms": Thresholds(800, 1800),
    }
)

# --- throttling and waits --------------------------------------------------------------

#: Lighthouse's default throttling method (and PageSpeed Insights'): load unthrottled,
#: then simulate the slow device (Lantern).
DEFAULT_THROTTLING = "simulate"
#: Lighthouse's throttling methods, its default first: ``devtools`` applies the
#: throttling while the page loads, ``provided`` applies none.
THROTTLING_METHODS: tuple[str, ...] = (DEFAULT_THROTTLING, "devtools", "provided")


class Waits(NamedTuple):
    """Lighthouse's wait for a loaded page: pauses after FCP and load, then network and
    CPU quiet for so long (ms)."""

    pause_after_fcp_ms: float
    pause_after_load_ms: float
    network_quiet_ms: float
    cpu_quiet_ms: float


#: Lighthouse's waits per throttling method: 1 s each under simulate; the other methods
#: raise each to 5.25 s (the page loads throttled, or on the user's own slow setup).
WAITS: Mapping[str, Waits] = MappingProxyType(
    {
        "simulate": Waits(1000, 1000, 1000, 1000),
        "devtools": Waits(5250, 5250, 5250, 5250),
        "provided": Waits(5250, 5250, 5250, 5250),
    }
)
#: The longest Lighthouse waits for the load to finish (``maxWaitForLoad``), in ms.
MAX_WAIT_FOR_LOAD_MS = 45_000

# --- resource summary ------------------------------------------------------------------

#: Lighthouse's resource type (``resource-summary``, budgets) of a CDP resource type;
#: any other is ``"other"``.
RESOURCE_SUMMARY_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "Document": "document",
        "Script": "script",
        "Stylesheet": "stylesheet",
        "Image": "image",
        "Media": "media",
        "Font": "font",
    }
)

# --- psdata's limits -------------------------------------------------------------------

#: Browser contexts psdata's one Chromium may hold (pages measured at once): 1 to 5.
MIN_CONTEXTS, MAX_CONTEXTS = 1, 5
#: Runs of one URL and strategy a call may ask for (``runs=``): 1 to 20.
MIN_RUNS, MAX_RUNS = 1, 20
