"""``analyze`` over a dask Series: one psdata runtime per worker process (optional extra).

``psdata.analyze(ddf.url)`` returns a lazy ``dask.dataframe.DataFrame`` built with
``map_partitions``: same partitions and index as the input, ``meta`` equal to psdata's
fixed schema. Each partition is measured on a worker by the ordinary pandas path
(:func:`psdata.analyze` on the partition, progress off), so every worker process owns
its own loop thread, its own shared Chromium with 1–5 context slots and its own result
store, exactly as one machine does.

Nothing here imports dask at module import: :func:`is_dask_collection` recognises a dask
collection by its type's module and a few attributes, and dask/distributed are imported
only when a dask collection is analysed (``pip install 'psdata[dask]'``).

Decisions worth knowing
-----------------------
- **Both strategies.** The pandas path gives a MultiIndex ``(index…, strategy)``; dask
  has no MultiIndex, so the dask path keeps the input index, each label repeated once per
  strategy (mobile first), and the ``strategy`` column tells the rows apart.
- **Attempts across worker deaths.** When a worker dies mid-partition the scheduler
  marks the partition's task *suspicious* and runs it again elsewhere. The partition
  function asks the scheduler for that count (``TaskState.suspicious``, the number of
  runs lost with a worker) and adds it to ``attempts``: a row's ``attempts`` is its own
  measurement attempts in the run that returned it plus the earlier runs of its
  partition lost with a worker. Rows a lost run had already committed to a shared store
  come back from the store (``from_cache`` true), as any rerun's would.
- **Logging in.** A ``login=`` function travels with the graph, so it must pickle (a
  module-level function, in a module the workers can import or in the notebook itself;
  not a closure over a page, a lock or a client). Each worker process runs it once for
  the whole computation (:class:`~psdata._auth.SharedLogin`), and its partitions share
  the session.
- **Worker settings** come from the workers' environment (``PSDATA_MAX_CONTEXTS``,
  ``PSDATA_CHROMIUM`` / ``CHROME_PATH``, ``PSDATA_CACHE_DIR``), or from
  :class:`PsdataWorkerPlugin`, which sets them when a worker starts and closes the
  worker's browser when it stops.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from .._auth import SharedLogin
from .._errors import BrowserNotFoundError, ConfigurationError
from .._frame import build_frame, to_parquet, worker_id
from ..engines.lab.runtime import pool_stats

if TYPE_CHECKING:
    from distributed import Client

log = logging.getLogger("psdata")

#: Name prefix of the partition tasks (shows in the dashboard).
TASK_NAME = "psdata-analyze"
#: URLs per partition when the CLI splits a file for a cluster.
PARTITION_URLS = 50


def is_dask_collection(obj: object) -> bool:
    """Whether *obj* is a dask DataFrame or Series, without importing dask.

    >>> import pandas as pd
    >>> is_dask_collection(pd.Series(["https://example.com"]))
    False
    """
    module = type(obj).__module__ or ""
    return (
        (module == "dask" or module.startswith("dask."))
        and hasattr(obj, "map_partitions")
        and hasattr(obj, "npartitions")
    )


def _import_dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise ConfigurationError(
            "Analysing a dask collection needs dask: pip install 'psdata[dask]'."
        ) from exc
    return dd


def analyze_dask(
    urls: Any,
    options: Mapping[str, Any],
    attrs: Mapping[str, Any],
    analyze: Callable[..., pd.DataFrame],
) -> Any:
    """The lazy frame of *analyze* over the dask Series *urls*, one call per partition.

    *analyze* is :func:`psdata.analyze`, called on each partition with *options* (every
    option of :mod:`psdata._options`, checked by the caller on the client so a bad value
    fails at once and not on every worker); *attrs* is the result's ``attrs["psdata"]``.
    Defaults that depend on the machine (``concurrency``, ``cache_dir``) stay unset and
    are resolved by each worker.

    >>> import dask.dataframe as dd, pandas as pd, psdata
    >>> ddf = dd.from_pandas(pd.DataFrame({"url": ["https://example.com"] * 4}), npartitions=2)
    >>> lazy = psdata.analyze(ddf.url)
    >>> lazy.npartitions, list(lazy.columns) == list(psdata.COLUMNS)
    (2, True)
    """
    _import_dask()
    series = _as_series(urls)
    meta = build_frame([], index=series._meta.index[:0])
    meta.attrs["psdata"] = dict(attrs)
    return series.map_partitions(
        _analyze_partition,
        analyze,
        _shared_login(options),
        meta=meta,
        token=TASK_NAME,
        enforce_metadata=False,
        align_dataframes=False,
    )


def _shared_login(options: Mapping[str, Any]) -> dict[str, Any]:
    """*options* with ``login`` made once per worker; one that cannot pickle is refused."""
    login = options.get("login")
    if login is None:
        return dict(options)
    import cloudpickle

    try:
        cloudpickle.dumps(login)
    except Exception as exc:
        raise ConfigurationError(
            "login= must pickle to travel to the dask workers: define it at module level (in"
            " a module the workers can import, or in the notebook), not as a closure over a"
            f" page, a lock or a client ({type(exc).__name__}: {exc})."
        ) from None
    return {**options, "login": SharedLogin(login, uuid.uuid4().hex)}


def _as_series(urls: Any) -> Any:
    if getattr(urls, "ndim", 1) != 2:
        return urls
    columns = list(urls.columns)
    if len(columns) != 1:
        raise ConfigurationError(
            "Pass one column of URLs (e.g. ddf['url']), not a DataFrame with "
            f"{len(columns)} columns."
        )
    return urls[columns[0]]


def _analyze_partition(
    part: pd.Series, analyze: Callable[..., pd.DataFrame], options: dict[str, Any]
) -> pd.DataFrame:
    """Measure one partition with this worker's own psdata runtime (the pandas path)."""
    try:
        frame = analyze(part, **options)
    except BrowserNotFoundError as exc:
        raise BrowserNotFoundError(
            f"psdata worker {worker_id()} has no usable Chromium: {exc}\n"
            "Fix it on every worker: install one (apt-get install chromium, or python -m "
            "playwright install chromium), set PSDATA_CHROMIUM=/path/to/chrome in the "
            "workers' environment, or client.register_plugin("
            "psdata.PsdataWorkerPlugin(chromium_path='/path/to/chrome'))."
        ) from None
    if len(frame) != len(part):  # both strategies: (index…, strategy) → index, repeated
        labels = cast(pd.MultiIndex, frame.index).droplevel("strategy")
        frame.index = labels if labels.nlevels > 1 else labels.get_level_values(0)
    lost = _lost_runs()
    if lost:
        frame["attempts"] = (frame["attempts"].fillna(0) + lost).astype(frame["attempts"].dtype)
    return frame


def _lost_runs() -> int:
    """Earlier runs of the current task lost with a dead worker (0 outside distributed)."""
    try:
        from distributed import get_client, get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return 0
    try:
        key = worker.get_current_task()
        return int(get_client().run_on_scheduler(_suspicious, key))  # type: ignore[no-untyped-call]
    except Exception:  # an old scheduler, pickling refused: the count is best effort
        log.debug("could not read the task's lost runs from the scheduler", exc_info=True)
        return 0


def _suspicious(key: Any, dask_scheduler: Any = None) -> int:
    """On the scheduler: how many times *key* was running on a worker that died."""
    task = dask_scheduler.tasks.get(key) if dask_scheduler is not None else None
    return int(task.suspicious) if task is not None else 0


# --------------------------------------------------------------------------- cluster stats


def cluster_pool_stats(client: Client) -> dict[str, dict[str, Any]]:
    """Each worker's :func:`psdata.pool_stats` dict, by worker address."""
    result: dict[str, dict[str, Any]] = client.run(_worker_pool_stats)
    return result


def _worker_pool_stats() -> dict[str, Any]:
    return {**pool_stats(), "worker": worker_id()}


# --------------------------------------------------------------------------- CLI


def analyze_on_cluster(
    urls: pd.Series,
    scheduler: str,
    output: str | os.PathLike[str],
    analyze: Callable[[Any], Any],
    *,
    partition_size: int = PARTITION_URLS,
) -> tuple[int, int]:
    """Score *urls* on the dask cluster at *scheduler*; write a Parquet dataset at *output*.

    The URLs are sent with the task graph (the workers need no access to the input
    file), and each partition's result comes back to this process and is written as
    ``part.N.parquet`` the moment it arrives (with psdata's metadata, as
    :func:`psdata.to_parquet` writes it), so the output needs no storage shared with the
    workers. *analyze* turns a dask Series into the lazy result frame
    (:func:`psdata.analyze` with the caller's options). Returns the rows written and how
    many of them have an error.

    >>> analyze_on_cluster(urls, "tcp://scheduler:8786", "out/", psdata.analyze)  # doctest: +SKIP
    (24, 3)
    """
    dd = _import_dask()
    from distributed import Client, as_completed

    target = Path(output)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConfigurationError(f"{target} exists and is not an empty directory.")
    target.mkdir(parents=True, exist_ok=True)
    parts = max(1, -(-len(urls) // partition_size))
    series = dd.from_pandas(urls, npartitions=parts, sort=False)
    written = failed = 0
    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        lazy = analyze(series)
        futures = client.compute(lazy.to_delayed())
        number = {future.key: n for n, future in enumerate(futures)}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            frame = future.result()
            to_parquet(frame, target / f"part.{number[future.key]:05d}.parquet")
            written += len(frame)
            failed += int(frame["error"].notna().sum())
    return written, failed
