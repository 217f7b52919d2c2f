"""The pandas-facing API: ``analyze()`` / ``analyze_async()``, pandas in, pandas out."""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import os
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from . import __version__
from ._batch import Job, Outcome, RetryPolicy, run_jobs
from ._dask import analyze_dask, is_dask_collection
from ._errors import ERROR_CLASSES, AnalysisError, ConfigurationError, InvalidURLError
from ._frame import CATEGORIES, ENGINES, STRATEGIES, build_frame, empty_record
from ._runtime import get_max_concurrent_contexts, get_pool, run_async, run_sync, worker_id
from ._store import ResultStore, store_path
from ._urls import normalize_url
from .lab.collect import WaitSettings
from .lab.emulation import THROTTLING_MODES
from .lab.engine import LabSettings, measure_page, validate_categories

Errors = Literal["coerce", "raise"]
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_AGE_S = 86_400.0
PSI_CONCURRENCY = 4
#: Stored failures that say nothing about the page (quota, browser, psdata itself):
#: measured again instead of reused.
NOT_REUSED_ERRORS = frozenset({"quota", "browser", "internal"})


@dataclass(frozen=True)
class Request:
    """Everything one ``analyze`` call asked for, validated."""

    strategies: tuple[str, ...]
    engine: str
    categories: tuple[str, ...]
    throttling: str
    concurrency: int
    timeout: float
    max_age: float | None
    skip_cache: bool
    force_retry: bool
    quiet_window_ms: float | None = None
    psi_key: str | None = field(default=None, repr=False)
    psi_endpoint: str | None = None
    crux_endpoint: str | None = None

    def settings(self) -> dict[str, Any]:
        """The settings that change results (part of every cache key and file metadata)."""
        base: dict[str, Any] = {"version": __version__, "categories": list(self.categories)}
        if self.engine == "lab":
            base.update(self.lab_settings().as_key())
        return base

    def lab_settings(self) -> LabSettings:
        """The lab engine's settings for this request."""
        # A page that never goes quiet is measured when the cap is reached; the cap leaves
        # time for the audits within the per-URL timeout.
        cap_s = min(
            WaitSettings.max_wait_for_load_ms / 1000, max(self.timeout / 2, self.timeout - 15)
        )
        waits = WaitSettings(max_wait_for_load_ms=cap_s * 1000)
        if self.quiet_window_ms is not None:
            quiet = self.quiet_window_ms
            waits = dataclasses.replace(
                waits,
                pause_after_fcp_ms=quiet,
                pause_after_load_ms=quiet,
                network_quiet_ms=quiet,
                cpu_quiet_ms=quiet,
            )
        return LabSettings(self.throttling, self.categories, waits)


def _strategies(strategy: str | Sequence[str]) -> tuple[str, ...]:
    names = (strategy,) if isinstance(strategy, str) else tuple(strategy)
    if not names or any(s not in STRATEGIES for s in names) or len(set(names)) != len(names):
        raise ConfigurationError(f"strategy must be 'mobile', 'desktop' or both, got {strategy!r}.")
    return names


def _request(options: dict[str, Any]) -> Request:
    """Validate :func:`analyze`'s keywords (given as a dict) into a :class:`Request`."""
    engine, throttling = options["engine"], options["throttling"]
    concurrency, timeout = options["concurrency"], options["timeout"]
    quiet = options["quiet_window_ms"]
    if engine not in ENGINES:
        raise ConfigurationError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}.")
    if throttling not in THROTTLING_MODES:
        raise ConfigurationError(
            f"throttling must be one of {', '.join(THROTTLING_MODES)}, got {throttling!r}."
        )
    default = get_max_concurrent_contexts() if engine == "lab" else PSI_CONCURRENCY
    limit = concurrency if concurrency is not None else default
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ConfigurationError(f"concurrency must be a positive integer, got {concurrency!r}.")
    if quiet is not None and not 0 <= quiet <= 60_000:
        raise ConfigurationError(f"quiet_window_ms must be between 0 and 60000, got {quiet!r}.")
    if not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    if options["errors"] not in ("coerce", "raise"):
        raise ConfigurationError(f"errors must be 'coerce' or 'raise', got {options['errors']!r}.")
    categories = options["categories"]
    return Request(
        strategies=_strategies(options["strategy"]),
        engine=engine,
        categories=validate_categories(CATEGORIES if categories is None else list(categories)),
        throttling=throttling if engine == "lab" else "simulate",
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
        if urls.shape[1] != 1:
            raise ConfigurationError(
                "Pass one column of URLs (e.g. df['url']), not a DataFrame with "
                f"{urls.shape[1]} columns."
            )
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


def _output_index(index: pd.Index, strategies: tuple[str, ...]) -> pd.Index:
    if len(strategies) == 1:
        return index
    names = [*(index.names if index.nlevels > 1 else [index.name]), "strategy"]
    tuples = [
        (*(label if index.nlevels > 1 else (label,)), s) for label in index for s in strategies
    ]
    return pd.MultiIndex.from_tuples(tuples, names=names)


def _job_key(job: Job) -> tuple[str, str]:
    try:
        return normalize_url(job.url), job.strategy
    except InvalidURLError:
        return repr(job.url), job.strategy


def _row(job: Job, outcome: Outcome) -> dict[str, Any]:
    """The output row of one job: its record, or an error record; ``url`` as given."""
    if isinstance(outcome, AnalysisError):
        return {**_error_record(job.url, job.strategy, outcome), "from_cache": False}
    record = {k: v for k, v in outcome.items() if k != "details"}
    record["url"] = empty_record(job.url, job.strategy)["url"]
    record.setdefault("from_cache", False)
    return record


def _error_record(value: object, strategy: str, error: AnalysisError) -> dict[str, Any]:
    record = empty_record(value, strategy)
    record.update({k: v for k, v in error.partial.items() if k != "details"})
    record.update(url=empty_record(value, strategy)["url"], error=str(error))
    record["error_type"] = error.error_type
    return record


class _Batch:
    """One analyze call on the loop thread: cache lookups, measurements, store writes."""

    def __init__(self, request: Request, store: ResultStore, progress: Callable[[], None]):
        self.request = request
        self.store = store
        self.progress = progress
        self.settings = request.settings()

    def key(self, url: str, strategy: str) -> str:
        return self.store.key(url, strategy, self.request.engine, self.settings)

    async def run(self, values: Sequence[object]) -> list[tuple[Job, Outcome]]:
        """Every (input value, strategy) job with its outcome, in input order."""
        request = self.request
        jobs = [Job(v, s) for v in values for s in request.strategies]
        outcomes: dict[tuple[str, str], Outcome] = {}
        pending: dict[tuple[str, str], Job] = {}
        cached: dict[str, Any] = {}
        for job in jobs:
            try:
                url = normalize_url(job.url)
            except InvalidURLError as exc:
                self.progress()
                outcomes[_job_key(job)] = exc
                continue
            pending.setdefault((url, job.strategy), Job(url, job.strategy))
        if not request.skip_cache and pending:
            keys = [self.key(url, s) for url, s in pending]
            cached = self.store.get_many(
                keys, max_age=request.max_age, include_failures=not request.force_retry
            )
        to_measure = []
        for (url, strategy), job in pending.items():
            hit = cached.get(self.key(url, strategy))
            if hit is None or hit.record.get("error_type") in NOT_REUSED_ERRORS:
                to_measure.append(job)
                continue
            self.progress()
            outcomes[(url, strategy)] = {**hit.record, "from_cache": True, "details": hit.details()}
        async with self._measure() as measure:
            results = await run_jobs(
                to_measure,
                measure,
                concurrency=request.concurrency,
                timeout=request.timeout,
                retry=RetryPolicy(),
                on_done=self._finished,
            )
        for job, outcome in zip(to_measure, results, strict=True):
            outcomes[(str(job.url), job.strategy)] = outcome
        return [(job, outcomes[_job_key(job)]) for job in jobs]

    def _finished(self, index: int, job: Job, outcome: Outcome) -> None:
        """Commit one finished URL to the store at once (success or failure)."""
        self.progress()
        url = str(job.url)
        if isinstance(outcome, AnalysisError):
            record = _error_record(url, job.strategy, outcome)
            details, ok = None, False
        else:
            record = {k: v for k, v in outcome.items() if k != "details"}
            details, ok = outcome.get("details"), True
        record["from_cache"] = None
        self.store.put(self.key(url, job.strategy), record, details, ok=ok)

    @contextlib.asynccontextmanager
    async def _measure(self) -> AsyncIterator[Callable[[str, str], Any]]:
        request = self.request
        if request.engine == "lab":
            pool = get_pool()
            lab = request.lab_settings()

            async def measure_lab(url: str, strategy: str) -> dict[str, Any]:
                return await measure_page(pool, url, strategy, lab)

            try:
                yield measure_lab
            finally:
                await pool.discard_spares()
            return
        from .psi import PSIClient, analyze_crux, analyze_psi

        options: dict[str, Any] = {"key": request.psi_key, "max_concurrency": request.concurrency}
        if request.psi_endpoint:
            options["endpoint"] = request.psi_endpoint
        if request.crux_endpoint:
            options["crux_endpoint"] = request.crux_endpoint
        async with PSIClient(**options) as client:
            if request.engine == "crux":

                async def measure_crux(url: str, strategy: str) -> dict[str, Any]:
                    return await analyze_crux(client, url, strategy)

                yield measure_crux
            else:

                async def measure_psi(url: str, strategy: str) -> dict[str, Any]:
                    return await analyze_psi(client, url, strategy, request.categories)

                yield measure_psi


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return contextlib.nullcontext(None)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="psdata", unit="url", dynamic_ncols=True)


async def _run_on_loop(
    values: Sequence[object], request: Request, store_path: str, bar: Any
) -> list[tuple[Job, Outcome]]:
    store = ResultStore(store_path)
    try:
        batch = _Batch(request, store, (lambda: bar.update(1)) if bar is not None else _nothing)
        return await batch.run(values)
    finally:
        store.close()


def _nothing() -> None:
    return None


def _finish(
    outcomes: list[tuple[Job, Outcome]], index: pd.Index, request: Request, errors: str, store: str
) -> pd.DataFrame:
    records = [{**_row(job, outcome), "worker": worker_id()} for job, outcome in outcomes]
    frame = build_frame(records, _output_index(index, request.strategies))
    frame.attrs["psdata"] = {
        "engine": request.engine,
        "settings": request.settings(),
        "store": store,
    }
    if errors == "raise":
        for _, outcome in outcomes:
            if isinstance(outcome, AnalysisError):
                raise outcome
            if outcome.get("error"):  # a failure reused from the store
                error_class = ERROR_CLASSES.get(outcome.get("error_type") or "", AnalysisError)
                raise error_class(outcome["error"], url=outcome.get("url"))
    return frame


def analyze(
    urls: Any,
    *,
    strategy: str | Sequence[str] = "mobile",
    engine: str = "lab",
    categories: Iterable[str] | None = None,
    throttling: str = "devtools",
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
        dask Series gives a lazy dask DataFrame, each partition measured on a worker
        (see ``psdata._dask``; ``pip install 'psdata[dask]'``).
    strategy : {"mobile", "desktop"} or both as a list
        Lighthouse's form factor. With both, the index gains a ``strategy`` level.
    engine : {"lab", "psi", "crux"}
        ``lab`` measures locally in Chromium; ``psi`` asks PageSpeed Insights (needs the
        internet); ``crux`` fetches field data only.
    categories : iterable of str, optional
        Subset of performance, accessibility, best_practices, seo (default all four).
    throttling : {"devtools", "provided"}
        Lab only: Lighthouse's applied throttling, or none.
    concurrency : int, optional
        Pages measured at once (default: the pool's context limit, see
        :func:`set_max_concurrent_contexts`).
    timeout : float
        Seconds allowed for one URL (one attempt).
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
        FCP, network quiet, then CPU quiet; default 5,250 ms each, so a quiet page is
        observed about 10.5 s after load). Shorter is faster but can miss late layout
        shifts, long tasks and late LCP.
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
    request = _request(locals())
    values, index = _input(urls)
    cache = store_path(cache_dir)
    with _progress_bar(len(values) * len(request.strategies), progress) as bar:
        outcomes = run_sync(_run_on_loop(values, request, cache, bar))
    return _finish(outcomes, index, request, errors, cache)


async def analyze_async(urls: Any, **options: Any) -> pd.DataFrame:
    """Awaitable :func:`analyze`, for notebooks' top-level ``await`` (same keywords).

    Examples
    --------
    >>> scores = await psdata.analyze_async(df["url"], strategy="desktop")  # doctest: +SKIP
    """
    merged = _with_defaults(options)
    if is_dask_collection(urls):
        return analyze_dask(urls, merged)  # type: ignore[no-any-return]
    request = _request(merged)
    values, index = _input(urls)
    cache = store_path(merged["cache_dir"])
    with _progress_bar(len(values) * len(request.strategies), merged["progress"]) as bar:
        outcomes = await run_async(_run_on_loop(values, request, cache, bar))
    return _finish(outcomes, index, request, merged["errors"], cache)


_DEFAULTS: dict[str, Any] = {
    name: parameter.default
    for name, parameter in inspect.signature(analyze).parameters.items()
    if name != "urls"
}


def _with_defaults(options: dict[str, Any]) -> dict[str, Any]:
    """*options* completed with :func:`analyze`'s defaults; unknown keywords refused."""
    unknown = set(options) - set(_DEFAULTS)
    if unknown:
        raise ConfigurationError(f"Unknown keyword(s): {', '.join(sorted(unknown))}.")
    return {**_DEFAULTS, **options}


async def run_analysis_batch(
    urls: Sequence[str],
    concurrency: int = 2,
    timeout: float = 600,
    skip_cache: bool = False,
    force_retry: bool = False,
    **options: Any,
) -> list[dict[str, Any] | Exception]:
    """Measure *urls* (lab engine by default); one record or exception per URL, in order.

    Records carry a ``details`` key (audits, metrics, requests). One failure never
    affects the others; *options* are :func:`analyze`'s other keywords.

    Examples
    --------
    >>> results = await psdata.run_analysis_batch(["https://example.com"])  # doctest: +SKIP
    >>> results[0]["performance"]  # doctest: +SKIP
    97
    """
    merged = _with_defaults(
        {
            **options,
            "concurrency": concurrency,
            "timeout": timeout,
            "skip_cache": skip_cache,
            "force_retry": force_retry,
        }
    )
    request = _request(merged)
    values = list(urls)
    outcomes = await run_async(_run_on_loop(values, request, store_path(merged["cache_dir"]), None))
    return [_public_outcome(outcome) for _, outcome in outcomes]


def _public_outcome(outcome: Outcome) -> dict[str, Any] | Exception:
    return dict(outcome) if isinstance(outcome, dict) else outcome


def run_analysis(url: str, **options: Any) -> dict[str, Any]:
    """Measure one URL and return its record (with ``details``); raise if it failed.

    Examples
    --------
    >>> record = psdata.run_analysis("https://example.com")  # doctest: +SKIP
    >>> record["lcp_ms"]  # doctest: +SKIP
    812.4
    """
    merged = _with_defaults(options)
    request = _request(merged)
    outcomes = run_sync(_run_on_loop([url], request, store_path(merged["cache_dir"]), None))
    outcome = outcomes[0][1]
    if isinstance(outcome, Exception):
        raise outcome
    return dict(outcome)
