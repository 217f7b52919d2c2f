"""The pandas-facing API: validate keywords, pandas in, pandas out.

Every entry point takes the options declared in :mod:`psdata._options` as keywords (see
:func:`analyze`) and shares one implementation, :class:`_Call`; the batch itself runs on
psdata's loop thread (:func:`psdata._batch.run_batch`). The sync functions wait for it;
the async ones await it from the caller's own event loop (a notebook's). A dask
collection is measured lazily, partition by partition (:mod:`psdata.dask`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Unpack

import pandas as pd

from ._batch import Job, Outcome, auth_key, error_record, result_settings, run_batch
from ._errors import ERROR_CLASSES, AnalysisError, ConfigurationError
from ._frame import build_frame, url_cell, worker_id
from ._loop import run_async, run_sync
from ._options import DECLARED, Options, check, complete, entry_point
from ._request import Request
from ._store import store_path
from .dask import analyze_dask, cluster_pool_stats, is_dask_collection
from .engines import ENGINES
from .engines.interface import implementation
from .engines.lab.runtime import pool_stats as local_pool_stats


def _request(options: Options) -> Request:
    """Check the options of one call (defaults filled in) into a :class:`Request`."""
    checked = check(options)
    name = checked["engine"]
    engine = ENGINES[name]
    throttling = checked["throttling"]
    throttling = engine.default_throttling if throttling is None else throttling
    if throttling not in engine.throttling:
        raise ConfigurationError(
            f"throttling must be one of {', '.join(engine.throttling)} with engine={name!r},"
            f" got {throttling!r}."
        )
    concurrency = checked["concurrency"]
    limit = (
        implementation(name).default_concurrency(throttling) if concurrency is None else concurrency
    )
    top = engine.max_concurrency
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1 or limit > (top or limit):
        bound = f"from 1 to {top}" if top else "of at least 1"
        raise ConfigurationError(f"concurrency must be an integer {bound}, got {concurrency!r}.")
    categories = tuple(checked["categories"] or ())
    if checked["runs"] > 1 and (name == "crux" or "performance" not in categories):
        raise ConfigurationError(
            "runs above 1 repeat the performance measurement: "
            + (
                "the crux engine's field data is the same on every call."
                if name == "crux"
                else "add 'performance' to categories, or use runs=1."
            )
        )
    values: dict[str, Any] = dict(checked)
    refused = [n for n, o in DECLARED.items() if o.browser_only and values[n] is not None]
    if refused and not engine.browser:
        raise ConfigurationError(
            f"{', '.join(refused)}: engine={name!r} cannot use "
            f"{'it' if len(refused) == 1 else 'them'}: the {name} engine asks Google's servers,"
            " which cannot log in to your site or change its requests. Use engine='lab'."
        )
    resolved: Options = {**checked, "throttling": throttling, "concurrency": limit}
    return Request(
        resolved,
        strategies=tuple(checked["strategy"]),
        categories=categories,
        throttling=throttling,
        concurrency=limit,
    )


def _lazy(urls: Any, options: Options) -> Any:
    """The lazy dask frame of :func:`analyze` over a dask collection (checked here, once).

    The browser's options travel checked (a storage-state file read here, on the client).
    """
    request = _request(options)
    meta = {"engine": request.engine, "settings": result_settings(request), "runs": request.runs}
    checked: dict[str, Any] = dict(request.options)
    portable = {name: checked[name] for name, o in DECLARED.items() if o.browser_only}
    return analyze_dask(urls, {**options, **portable, "progress": False}, meta, analyze)


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
    """The output row of one job: its record (or error record) without details; ``url`` as
    given."""
    if isinstance(outcome, AnalysisError):
        outcome = error_record(job.url, job.strategy, outcome)
    record = {k: v for k, v in outcome.items() if k != "details"}
    record["url"] = url_cell(job.url)
    record["from_cache"] = bool(record.get("from_cache"))  # None: measured in this call
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
    """One call of an entry point: its checked request and where its rows go."""

    request: Request
    store: str

    @classmethod
    def of(cls, options: Options) -> _Call:
        """Check the options of an entry point (every option present)."""
        return cls(_request(options), store_path(options["cache_dir"]))

    @property
    def errors(self) -> str:
        return self.request.options["errors"]

    def progress_bar(self, values: Sequence[object]) -> Any:
        """A tqdm bar over the call's jobs (created on the caller's thread), or nothing."""
        if not self.request.options["progress"]:
            return contextlib.nullcontext(None)
        from tqdm.auto import tqdm

        runs = self.request.runs
        total = len(values) * len(self.request.strategies) * runs
        unit = "run" if runs > 1 else "url"
        return tqdm(total=total, desc="psdata", unit=unit, dynamic_ncols=True)

    async def batch(
        self, values: Sequence[object], bar: Any, *, details: bool = True
    ) -> list[tuple[Job, Outcome]]:
        """The batch, to run on the loop thread; the records' details if *details*."""
        progress = (lambda: bar.update(1)) if bar is not None else (lambda: None)
        return await run_batch(values, self.request, self.store, progress, keep_details=details)

    def frame(self, outcomes: list[tuple[Job, Outcome]], index: pd.Index) -> pd.DataFrame:
        """The result frame: one row per job, the input's index, psdata's metadata."""
        records = [{**_row(job, outcome), "worker": worker_id()} for job, outcome in outcomes]
        frame = build_frame(records, _output_index(index, self.request.strategies))
        frame.attrs["psdata"] = {
            "engine": self.request.engine,
            "settings": result_settings(self.request, auth_key(self.request, self.store)),
            "store": self.store,
            "runs": self.request.runs,
            # What the store held then is what psdata.runs() reads (the URLs may be
            # measured again later): see ResultStore.get_many's as_of.
            "created_at": time.time(),
        }
        if self.errors == "raise":
            _raise_first_failure(outcome for _, outcome in outcomes)
        return frame

    def record(self, job: Job, outcome: Outcome) -> dict[str, Any]:
        """One URL's record with its details (``run_analysis``)."""
        if self.errors == "raise":
            _raise_first_failure([outcome])
        if isinstance(outcome, AnalysisError):
            return {**error_record(job.url, job.strategy, outcome), "from_cache": False}
        return dict(outcome)


@entry_point
def analyze(urls: Any, **options: Unpack[Options]) -> pd.DataFrame:
    """Score every URL in *urls*; return one row per input element, with the input's index.

    Parameters
    ----------
    urls : Series, list, Index, one-column DataFrame or str
        The pages. Missing values, duplicates and bad URLs each get their own row. A
        DataFrame with a ``url`` column (as :func:`sitemap_urls` and :func:`sample`
        return) gives its URLs, and its ``template`` column is kept after ``url``. A
        dask Series gives a lazy dask DataFrame, each partition measured on a worker
        (see ``psdata.dask``; ``pip install 'psdata[dask]'``).
    %(options)s

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
    given = complete(options, "analyze")
    if is_dask_collection(urls):
        return _lazy(urls, given)  # type: ignore[no-any-return]
    call = _Call.of(given)
    values, index = _input(urls)
    with call.progress_bar(values) as bar:
        outcomes = run_sync(call.batch(values, bar, details=False))
    return _with_template(call.frame(outcomes, index), urls)


@entry_point
async def analyze_async(urls: Any, **options: Unpack[Options]) -> pd.DataFrame:
    """Awaitable :func:`analyze`, for notebooks' top-level ``await`` (same options).

    Examples
    --------
    >>> scores = await psdata.analyze_async(df["url"], strategy="desktop")  # doctest: +SKIP
    """
    given = complete(options, "analyze_async")
    if is_dask_collection(urls):
        return _lazy(urls, given)  # type: ignore[no-any-return]
    call = _Call.of(given)
    values, index = _input(urls)
    with call.progress_bar(values) as bar:
        outcomes = await run_async(call.batch(values, bar, details=False))
    return _with_template(call.frame(outcomes, index), urls)


@entry_point
def run_analysis(url: str, **options: Unpack[Options]) -> dict[str, Any]:
    """Measure one URL; return its record with ``details`` (same options as :func:`analyze`).

    A failure is its record's ``error`` / ``error_type`` (``errors="raise"`` raises it),
    with no score or metric: what the run measured of the page is in
    ``details["observed"]``. With both strategies, the first strategy's record is returned.

    Examples
    --------
    >>> record = psdata.run_analysis("https://example.com")  # doctest: +SKIP
    >>> record["lcp_ms"]  # doctest: +SKIP
    812.4
    """
    call = _Call.of(complete(options, "run_analysis"))
    with call.progress_bar([url]) as bar:
        outcomes = run_sync(call.batch([url], bar))
    return call.record(*outcomes[0])


@entry_point
async def run_analysis_async(url: str, **options: Unpack[Options]) -> dict[str, Any]:
    """Awaitable :func:`run_analysis` (same options).

    Examples
    --------
    >>> record = await psdata.run_analysis_async("https://example.com")  # doctest: +SKIP
    """
    call = _Call.of(complete(options, "run_analysis_async"))
    with call.progress_bar([url]) as bar:
        outcomes = await run_async(call.batch([url], bar))
    return call.record(*outcomes[0])


@entry_point
async def run_analysis_batch(  # type: ignore[misc]  # the head's names are options too
    urls: Sequence[str],
    concurrency: int | None = 2,
    timeout: float = 600,
    skip_cache: bool = False,
    force_retry: bool = False,
    **options: Unpack[Options],
) -> list[dict[str, Any] | Exception]:
    """Measure *urls*; one record (with ``details``) or exception per (URL, strategy).

    The compatible head of psdata's first API (its four options may be given by
    position, with their own defaults); every other option is :func:`analyze`'s. One
    failure never affects the others; ``errors="raise"`` raises the first.

    Examples
    --------
    >>> results = await psdata.run_analysis_batch(["https://example.com"])  # doctest: +SKIP
    >>> results[0]["performance"]  # doctest: +SKIP
    97
    """
    head = {
        "concurrency": concurrency,
        "timeout": timeout,
        "skip_cache": skip_cache,
        "force_retry": force_retry,
    }
    call = _Call.of(complete({**options, **head}, "run_analysis_batch"))
    values = list(urls)
    with call.progress_bar(values) as bar:
        outcomes = await run_async(call.batch(values, bar))
    if call.errors == "raise":
        _raise_first_failure(outcome for _, outcome in outcomes)
    return [dict(outcome) if isinstance(outcome, dict) else outcome for _, outcome in outcomes]


def pool_stats(client: Any = None) -> dict[str, Any]:
    """Statistics of the lab engine's shared pool: slots, their state, pages, the browser.

    Parameters
    ----------
    client : distributed.Client, optional
        Gather every dask worker's stats instead: a dict of each worker's dict (with a
        ``worker`` key, ``host:pid``) by worker address.

    Examples
    --------
    >>> import psdata
    >>> psdata.pool_stats()["mode"]
    'multi-context'
    >>> psdata.pool_stats(client)  # doctest: +SKIP
    {'tcp://127.0.0.1:40301': {'mode': 'multi-context', 'worker': 'host:4242', ...}, ...}
    """
    if client is not None:
        return cluster_pool_stats(client)
    return local_pool_stats()
