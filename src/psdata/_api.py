"""The pandas-facing API: validate keywords, pandas in, pandas out.

Every entry point takes the same keyword-only options with the same defaults (see
:func:`analyze`) and shares one implementation, :class:`_Call`; the batch itself runs
on psdata's loop thread (:func:`psdata._batch.run_batch`). The sync functions wait for
it; the async ones await it from the caller's own event loop (a notebook's).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from ._batch import Job, Outcome, error_record, run_batch
from ._errors import ERROR_CLASSES, AnalysisError, ConfigurationError
from ._frame import CATEGORIES, STRATEGIES, build_frame, empty_record, validate_categories
from ._request import Request
from ._runtime import run_async, run_sync, worker_id
from ._store import store_path
from .dask import analyze_dask, is_dask_collection
from .engines import ENGINES

Errors = Literal["coerce", "raise"]
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_AGE_S = 86_400.0
#: The options every entry point takes besides the URLs, in signature order.
OPTIONS: tuple[str, ...] = (
    "strategy",
    "engine",
    "categories",
    "throttling",
    "concurrency",
    "timeout",
    "errors",
    "progress",
    "max_age",
    "skip_cache",
    "force_retry",
    "quiet_window_ms",
    "cache_dir",
    "psi_key",
    "psi_endpoint",
    "crux_endpoint",
)


def _strategies(strategy: str | Sequence[str]) -> tuple[str, ...]:
    names = (strategy,) if isinstance(strategy, str) else tuple(strategy)
    if not names or any(s not in STRATEGIES for s in names) or len(set(names)) != len(names):
        raise ConfigurationError(f"strategy must be 'mobile', 'desktop' or both, got {strategy!r}.")
    return names


def _request(options: dict[str, Any]) -> Request:
    """Validate the options of one call into a :class:`Request`."""
    name, throttling = options["engine"], options["throttling"]
    concurrency, timeout = options["concurrency"], options["timeout"]
    quiet = options["quiet_window_ms"]
    if name not in ENGINES:
        raise ConfigurationError(f"engine must be one of {', '.join(ENGINES)}, got {name!r}.")
    engine = ENGINES[name]
    throttling = engine.default_throttling if throttling is None else throttling
    if throttling not in engine.throttling:
        raise ConfigurationError(
            f"throttling must be one of {', '.join(engine.throttling)} with engine={name!r},"
            f" got {throttling!r}."
        )
    limit = engine.default_concurrency(throttling) if concurrency is None else concurrency
    top = engine.max_concurrency
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1 or limit > (top or limit):
        bound = f"from 1 to {top}" if top else "of at least 1"
        raise ConfigurationError(f"concurrency must be an integer {bound}, got {concurrency!r}.")
    if quiet is not None and not 0 <= quiet <= 60_000:
        raise ConfigurationError(f"quiet_window_ms must be between 0 and 60000, got {quiet!r}.")
    if not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    if options["errors"] not in ("coerce", "raise"):
        raise ConfigurationError(f"errors must be 'coerce' or 'raise', got {options['errors']!r}.")
    categories = options["categories"]
    return Request(
        strategies=_strategies(options["strategy"]),
        engine=name,
        categories=validate_categories(CATEGORIES if categories is None else list(categories)),
        throttling=throttling,
        concurrency=limit,
        timeout=float(timeout),
        max_age=options["max_age"],
        skip_cache=options["skip_cache"],
        force_retry=options["force_retry"],
        quiet_window_ms=quiet,
        psi_key=options["psi_key"],
        psi_endpoint=options["psi_endpoint"],
        crux_endpoint=options["crux_endpoint"],
    )


def _input(urls: Any) -> tuple[list[object], pd.Index]:
    """The input values and the index the output keeps."""
    if isinstance(urls, pd.DataFrame):
        if "url" in urls.columns:  # e.g. the frame of psdata.sitemap_urls
            urls = urls["url"]
        elif urls.shape[1] != 1:
            raise ConfigurationError(
                "Pass one column of URLs (e.g. df['url']) or a DataFrame with a 'url' "
                f"column, not a DataFrame with {urls.shape[1]} columns and no 'url'."
            )
        else:
            urls = urls.iloc[:, 0]
    if isinstance(urls, str):
        urls = [urls]
    if isinstance(urls, pd.Series):
        return list(urls.array), urls.index
    if isinstance(urls, pd.Index):
        return list(urls), pd.RangeIndex(len(urls))
    try:
        values = list(urls)
    except TypeError:
        raise ConfigurationError(
            f"urls must be a Series, list, Index or a single URL, got {type(urls).__name__}."
        ) from None
    return values, pd.RangeIndex(len(values))


def _with_template(frame: pd.DataFrame, urls: Any) -> pd.DataFrame:
    """The input frame's ``template`` column (see :func:`psdata.sitemap_urls`) beside the
    scores, after ``url``, so ``scores.groupby("template")`` works at once."""
    if not isinstance(urls, pd.DataFrame) or "template" not in urls.columns:
        return frame
    per_input = len(frame) // len(urls) if len(urls) else 1  # one row per strategy
    templates = urls["template"].repeat(per_input).tolist()
    frame.insert(1, "template", pd.Series(templates, index=frame.index, dtype="string"))
    return frame


def _output_index(index: pd.Index, strategies: tuple[str, ...]) -> pd.Index:
    if len(strategies) == 1:
        return index
    names = [*(index.names if index.nlevels > 1 else [index.name]), "strategy"]
    tuples = [
        (*(label if index.nlevels > 1 else (label,)), s) for label in index for s in strategies
    ]
    return pd.MultiIndex.from_tuples(tuples, names=names)


def _row(job: Job, outcome: Outcome) -> dict[str, Any]:
    """The output row of one job: its record, or an error record; ``url`` as given."""
    if isinstance(outcome, AnalysisError):
        return {**error_record(job.url, job.strategy, outcome), "from_cache": False}
    record = {k: v for k, v in outcome.items() if k != "details"}
    record["url"] = empty_record(job.url, job.strategy)["url"]
    record.setdefault("from_cache", False)
    return record


def _raise_first_failure(outcomes: Iterable[Outcome]) -> None:
    for outcome in outcomes:
        if isinstance(outcome, AnalysisError):
            raise outcome
        if outcome.get("error"):  # a failure reused from the store
            error_class = ERROR_CLASSES.get(outcome.get("error_type") or "", AnalysisError)
            raise error_class(outcome["error"], url=outcome.get("url"))


@dataclass(frozen=True)
class _Call:
    """One call of an entry point: its validated request and where its rows go."""

    request: Request
    store: str
    errors: str
    progress: bool

    @classmethod
    def of(cls, options: dict[str, Any]) -> _Call:
        """Validate the options of an entry point (its ``locals()``)."""
        return cls(
            _request(options),
            store_path(options["cache_dir"]),
            options["errors"],
            options["progress"],
        )

    def progress_bar(self, values: Sequence[object]) -> Any:
        """A tqdm bar over the call's jobs (created on the caller's thread), or nothing."""
        if not self.progress:
            return contextlib.nullcontext(None)
        from tqdm.auto import tqdm

        total = len(values) * len(self.request.strategies)
        return tqdm(total=total, desc="psdata", unit="url", dynamic_ncols=True)

    async def batch(self, values: Sequence[object], bar: Any) -> list[tuple[Job, Outcome]]:
        """The batch, to run on the loop thread."""
        progress = (lambda: bar.update(1)) if bar is not None else (lambda: None)
        return await run_batch(values, self.request, self.store, progress)

    def frame(self, outcomes: list[tuple[Job, Outcome]], index: pd.Index) -> pd.DataFrame:
        """The result frame: one row per job, the input's index, psdata's metadata."""
        records = [{**_row(job, outcome), "worker": worker_id()} for job, outcome in outcomes]
        frame = build_frame(records, _output_index(index, self.request.strategies))
        frame.attrs["psdata"] = {
            "engine": self.request.engine,
            "settings": self.request.settings(),
            "store": self.store,
        }
        if self.errors == "raise":
            _raise_first_failure(outcome for _, outcome in outcomes)
        return frame

    def record(self, job: Job, outcome: Outcome) -> dict[str, Any]:
        """One URL's record with its details (``run_analysis``)."""
        if self.errors == "raise":
            _raise_first_failure([outcome])
        return _row(job, outcome) if isinstance(outcome, AnalysisError) else dict(outcome)


def analyze(
    urls: Any,
    *,
    strategy: str | Sequence[str] = "mobile",
    engine: str = "lab",
    categories: Iterable[str] | None = None,
    throttling: str | None = None,
    concurrency: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    errors: Errors = "coerce",
    progress: bool = True,
    max_age: float | None = DEFAULT_MAX_AGE_S,
    skip_cache: bool = False,
    force_retry: bool = False,
    quiet_window_ms: float | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    psi_key: str | None = None,
    psi_endpoint: str | None = None,
    crux_endpoint: str | None = None,
) -> pd.DataFrame:
    """Score every URL in *urls*; return one row per input element, with the input's index.

    Parameters
    ----------
    urls : Series, list, Index, one-column DataFrame or str
        The pages. Missing values, duplicates and bad URLs each get their own row. A
        DataFrame with a ``url`` column (as :func:`sitemap_urls` and :func:`sample`
        return) gives its URLs, and its ``template`` column is kept after ``url``. A
        dask Series gives a lazy dask DataFrame, each partition measured on a worker
        (see ``psdata.dask``; ``pip install 'psdata[dask]'``).
    strategy : {"mobile", "desktop"} or both as a list
        Lighthouse's form factor. With both, the index gains a ``strategy`` level.
    engine : {"lab", "psi", "crux"}
        ``lab`` measures locally in Chromium; ``psi`` asks PageSpeed Insights (needs the
        internet); ``crux`` fetches field data only.
    categories : iterable of str, optional
        Subset of performance, accessibility, best_practices, seo (default all four).
    throttling : str, optional
        The engine's throttling method (default: the engine's own). Lab: ``"simulate"``
        (the default: Lighthouse's simulated throttling, as PageSpeed Insights and a plain
        ``lighthouse`` run: an unthrottled load, then Lantern's estimate for a slow
        phone), ``"devtools"`` (Lighthouse's applied throttling) or ``"provided"`` (none).
    concurrency : int, optional
        Pages measured at once. Default: the pool's context limit (see
        :func:`set_max_concurrent_contexts`); under devtools throttling at most one page
        per 2 CPU cores, since each throttled page keeps a core busy and more pages skew
        each other's paint timings. More than the limit (at most 5) grows the pool for
        this call, so no page waits for a context while its timeout runs.
    timeout : float
        Seconds allowed for one URL's measurement (one attempt), from the moment it has
        a browser context. Under 25 s a page is measured without the main-thread trace,
        so simulated throttling gives no FCP/LCP/SI/TBT or performance score (the row's
        ``warnings`` says why).
    errors : {"coerce", "raise"}
        ``coerce`` puts failures in the ``error`` column; ``raise`` raises the first.
    progress : bool
        Show a progress bar.
    max_age : float or None
        Reuse stored successes younger than this many seconds (None: any age).
    skip_cache, force_retry : bool
        Measure everything again / retry stored failures.
    quiet_window_ms : float, optional
        Lab only: each threshold of Lighthouse's two-stage wait (pause after load and
        FCP, network quiet, then CPU quiet; default Lighthouse's for the throttling
        method: 1,000 ms each under simulate, 5,250 ms under devtools and provided, so a
        quiet page is observed about 2 s or 10.5 s after load). Shorter is faster but
        can miss late layout shifts, long tasks and late LCP.
    cache_dir : path, optional
        Where the result store lives (default: ``PSDATA_CACHE_DIR`` or the user cache).
    psi_key, psi_endpoint, crux_endpoint : str, optional
        PageSpeed Insights / CrUX API key (default ``PSDATA_PSI_KEY``) and endpoints.

    Returns
    -------
    DataFrame
        Fixed columns and dtypes (see ``psdata.COLUMNS``), even when every row failed.

    Examples
    --------
    >>> import pandas as pd, psdata
    >>> df = pd.DataFrame({"url": ["https://example.com", "not a url"]})
    >>> scores = psdata.analyze(df["url"])  # doctest: +SKIP
    >>> df.join(scores[["performance", "lcp_ms", "error_type"]])  # doctest: +SKIP
    """
    if is_dask_collection(urls):  # first: locals() holds only the keywords yet
        return analyze_dask(urls, locals())  # type: ignore[no-any-return]
    call = _Call.of(locals())
    values, index = _input(urls)
    with call.progress_bar(values) as bar:
        outcomes = run_sync(call.batch(values, bar))
    return _with_template(call.frame(outcomes, index), urls)


async def analyze_async(
    urls: Any,
    *,
    strategy: str | Sequence[str] = "mobile",
    engine: str = "lab",
    categories: Iterable[str] | None = None,
    throttling: str | None = None,
    concurrency: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    errors: Errors = "coerce",
    progress: bool = True,
    max_age: float | None = DEFAULT_MAX_AGE_S,
    skip_cache: bool = False,
    force_retry: bool = False,
    quiet_window_ms: float | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    psi_key: str | None = None,
    psi_endpoint: str | None = None,
    crux_endpoint: str | None = None,
) -> pd.DataFrame:
    """Awaitable :func:`analyze`, for notebooks' top-level ``await`` (same options).

    Examples
    --------
    >>> scores = await psdata.analyze_async(df["url"], strategy="desktop")  # doctest: +SKIP
    """
    if is_dask_collection(urls):  # first: locals() holds only the keywords yet
        return analyze_dask(urls, locals())  # type: ignore[no-any-return]
    call = _Call.of(locals())
    values, index = _input(urls)
    with call.progress_bar(values) as bar:
        outcomes = await run_async(call.batch(values, bar))
    return _with_template(call.frame(outcomes, index), urls)


def run_analysis(
    url: str,
    *,
    strategy: str | Sequence[str] = "mobile",
    engine: str = "lab",
    categories: Iterable[str] | None = None,
    throttling: str | None = None,
    concurrency: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    errors: Errors = "coerce",
    progress: bool = True,
    max_age: float | None = DEFAULT_MAX_AGE_S,
    skip_cache: bool = False,
    force_retry: bool = False,
    quiet_window_ms: float | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    psi_key: str | None = None,
    psi_endpoint: str | None = None,
    crux_endpoint: str | None = None,
) -> dict[str, Any]:
    """Measure one URL; return its record with ``details`` (same options as :func:`analyze`).

    A failure is its record's ``error`` / ``error_type`` (``errors="raise"`` raises it).
    With both strategies, the first strategy's record is returned.

    Examples
    --------
    >>> record = psdata.run_analysis("https://example.com")  # doctest: +SKIP
    >>> record["lcp_ms"]  # doctest: +SKIP
    812.4
    """
    call = _Call.of(locals())
    with call.progress_bar([url]) as bar:
        outcomes = run_sync(call.batch([url], bar))
    return call.record(*outcomes[0])


async def run_analysis_async(
    url: str,
    *,
    strategy: str | Sequence[str] = "mobile",
    engine: str = "lab",
    categories: Iterable[str] | None = None,
    throttling: str | None = None,
    concurrency: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    errors: Errors = "coerce",
    progress: bool = True,
    max_age: float | None = DEFAULT_MAX_AGE_S,
    skip_cache: bool = False,
    force_retry: bool = False,
    quiet_window_ms: float | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    psi_key: str | None = None,
    psi_endpoint: str | None = None,
    crux_endpoint: str | None = None,
) -> dict[str, Any]:
    """Awaitable :func:`run_analysis` (same options).

    Examples
    --------
    >>> record = await psdata.run_analysis_async("https://example.com")  # doctest: +SKIP
    """
    call = _Call.of(locals())
    with call.progress_bar([url]) as bar:
        outcomes = await run_async(call.batch([url], bar))
    return call.record(*outcomes[0])


async def run_analysis_batch(
    urls: Sequence[str],
    concurrency: int | None = 2,
    timeout: float = 600,
    skip_cache: bool = False,
    force_retry: bool = False,
    *,
    strategy: str | Sequence[str] = "mobile",
    engine: str = "lab",
    categories: Iterable[str] | None = None,
    throttling: str | None = None,
    errors: Errors = "coerce",
    progress: bool = True,
    max_age: float | None = DEFAULT_MAX_AGE_S,
    quiet_window_ms: float | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    psi_key: str | None = None,
    psi_endpoint: str | None = None,
    crux_endpoint: str | None = None,
) -> list[dict[str, Any] | Exception]:
    """Measure *urls*; one record (with ``details``) or exception per (URL, strategy).

    The compatible head of psdata's first API; every other option is :func:`analyze`'s.
    One failure never affects the others; ``errors="raise"`` raises the first.

    Examples
    --------
    >>> results = await psdata.run_analysis_batch(["https://example.com"])  # doctest: +SKIP
    >>> results[0]["performance"]  # doctest: +SKIP
    97
    """
    call = _Call.of(locals())
    values = list(urls)
    with call.progress_bar(values) as bar:
        outcomes = await run_async(call.batch(values, bar))
    if errors == "raise":
        _raise_first_failure(outcome for _, outcome in outcomes)
    return [dict(outcome) if isinstance(outcome, dict) else outcome for _, outcome in outcomes]
