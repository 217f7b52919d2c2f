"""psdata: Lighthouse / PageSpeed Insights scores for a column of URLs, as a DataFrame.

>>> import psdata
>>> scores = psdata.analyze(df["url"])  # doctest: +SKIP
"""

from typing import Any

from ._api import (
    analyze,
    analyze_async,
    pool_stats,
    run_analysis,
    run_analysis_async,
    run_analysis_batch,
)
from ._errors import (
    AnalysisError,
    AuthError,
    BrowserCrashError,
    BrowserNotFoundError,
    ConfigurationError,
    HTTPStatusError,
    InternalError,
    InvalidURLError,
    LoginError,
    LoopThreadError,
    NavigationError,
    PageCrashError,
    PageTimeoutError,
    PoolClosedError,
    PsdataError,
    QuotaError,
    ServiceError,
    SitemapError,
    SitemapWarning,
)
from ._frame import (
    COLUMNS,
    COMPARE_SCHEMA,
    RUN_SCHEMA,
    SCHEMA,
    build_frame,
    read_parquet_metadata,
    to_parquet,
)
from ._loop import shutdown
from ._results import audits, cache_info, clear_cache, opportunities, runs
from ._sitemap import sitemap_urls
from ._version import __version__
from .analysis.check import check
from .analysis.check_report import check_report
from .analysis.compare import compare
from .analysis.templates import sample, url_templates
from .demo.server import demo_urls, serve_demo_site
from .engines.lab.browser import find_chromium, set_chromium_path
from .engines.lab.runtime import get_max_concurrent_contexts, set_max_concurrent_contexts
from .reporting import LighthouseResult, report, show, to_lhr


def __getattr__(name: str) -> Any:
    """``PsdataWorkerPlugin`` on first use: it imports distributed, ``import psdata`` does not."""
    if name == "PsdataWorkerPlugin":
        from .dask.plugin import PsdataWorkerPlugin

        return PsdataWorkerPlugin
    raise AttributeError(f"module 'psdata' has no attribute {name!r}")


__all__ = [
    "COLUMNS",
    "COMPARE_SCHEMA",
    "RUN_SCHEMA",
    "SCHEMA",
    "AnalysisError",
    "AuthError",
    "BrowserCrashError",
    "BrowserNotFoundError",
    "ConfigurationError",
    "HTTPStatusError",
    "InternalError",
    "InvalidURLError",
    "LighthouseResult",
    "LoginError",
    "LoopThreadError",
    "NavigationError",
    "PageCrashError",
    "PageTimeoutError",
    "PoolClosedError",
    "PsdataError",
    "PsdataWorkerPlugin",
    "QuotaError",
    "ServiceError",
    "SitemapError",
    "SitemapWarning",
    "__version__",
    "analyze",
    "analyze_async",
    "audits",
    "build_frame",
    "cache_info",
    "check",
    "check_report",
    "clear_cache",
    "compare",
    "demo_urls",
    "find_chromium",
    "get_max_concurrent_contexts",
    "opportunities",
    "pool_stats",
    "read_parquet_metadata",
    "report",
    "run_analysis",
    "run_analysis_async",
    "run_analysis_batch",
    "runs",
    "sample",
    "serve_demo_site",
    "set_chromium_path",
    "set_max_concurrent_contexts",
    "show",
    "shutdown",
    "sitemap_urls",
    "to_lhr",
    "to_parquet",
    "url_templates",
]
