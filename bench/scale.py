"""URLs/hour: the pandas path vs a 1- and a 2-worker dask LocalCluster, same pages.

Serves ``bench/pages`` on 127.0.0.1 and measures the same pages (the manifest's quick
pages, each URL made unique with a query string so nothing is cached or deduplicated)

(a) with ``psdata.analyze(series)`` in this process (the pandas path, its default
    context limit);
(b) with ``psdata.analyze(ddf.url).compute()`` on a ``LocalCluster`` of 1 and of 2
    worker processes (1 thread each, so one partition at a time per worker, each worker
    with its own Chromium and the same context limit).

For each run it prints URLs/hour, the CPU seconds per URL of the whole process tree
(Python, Playwright's driver, Chromium; sampled every 0.2 s, so processes that exit
between samples lose their last 0.2 s), the peak memory (RSS) of each worker's tree, and
the result's size per row (in memory and as Parquet). It also measures the fixed cost
of a partition on the cluster (partitions of invalid URLs only: scheduling, the worker's
psdata call, the result's transfer; no browser) and of a bare dask task.

    .venv/bin/python bench/scale.py --quick        # 12 URLs per run, ~6 min
    .venv/bin/python bench/scale.py --urls 60      # 60 URLs per run

All raw numbers go to ``bench/out/scale-*.json``. The projection for N machines in
``docs/dask.md`` is made from these numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
from common import fmt

MB = 2**20
QUICK_URLS = 12
EMPTY_PARTITIONS = 20


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="URLs/hour of the pandas path vs a 1- and 2-worker dask LocalCluster.",
        epilog="Example: .venv/bin/python bench/scale.py --quick",
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_URLS} URLs per run")
    parser.add_argument("--urls", type=int, default=36, help="URLs per run (default 36)")
    parser.add_argument(
        "--partition-size", type=int, default=6, help="URLs per dask partition (default 6)"
    )
    parser.add_argument(
        "--quiet-window-ms",
        type=float,
        default=None,
        help="psdata's wait thresholds (default: Lighthouse's for the throttling method)",
    )
    parser.add_argument(
        "--modes", nargs="+", default=["pandas", "dask-1", "dask-2"], help="runs to make"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.urls = QUICK_URLS
    return args


class TreeSampler(common.PeriodicSampler):
    """CPU seconds and peak RSS of the process trees under some root pids."""

    def __init__(self, roots: Callable[[], dict[str, int]], interval: float = 0.2) -> None:
        super().__init__(interval)
        self.roots = roots
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.peak_rss: dict[str, int] = {}

    def sample(self) -> None:
        for name, pid in self.roots().items():
            rss = 0
            try:
                root = psutil.Process(pid)
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            for process in tree:
                try:
                    times = process.cpu_times()
                    cpu = times.user + times.system
                    rss += process.memory_info().rss
                except psutil.Error:
                    continue
                self.first.setdefault(process.pid, cpu)
                self.last[process.pid] = cpu
            self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss)

    def cpu_seconds(self) -> float:
        """CPU used since the first sample by every process seen (counted to its last sample)."""
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def unique_urls(site: Any, paths: list[str], n: int, run: str) -> list[str]:
    """*n* URLs cycling through *paths*, each made unique by a query string."""
    return [
        common.with_query(site.url(paths[i % len(paths)]), "scale", f"{run}-{i}-{time.time_ns()}")
        for i in range(n)
    ]


def run_pandas(urls: list[str], options: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    import psdata

    psdata.shutdown()  # a fresh browser for this run
    series = pd.Series(urls, name="url")
    with TreeSampler(lambda: {"pandas": os.getpid()}) as sampler:
        start = time.perf_counter()
        frame = psdata.analyze(series, **options)
        wall = time.perf_counter() - start
    psdata.shutdown()
    return summarize("pandas", frame, wall, sampler, workers=1)


def run_dask(urls: list[str], workers: int, partition_size: int, options: dict[str, Any]) -> Any:
    import dask.dataframe as dd
    import distributed
    import pandas as pd

    import psdata

    series = pd.Series(urls, name="url")
    parts = max(1, -(-len(urls) // partition_size))
    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids: dict[str, int] = client.run(os.getpid)
        lazy = psdata.analyze(dd.from_pandas(series, npartitions=parts), **options)
        with TreeSampler(lambda: pids) as sampler:
            start = time.perf_counter()
            frame = lazy.compute()
            wall = time.perf_counter() - start
        result = summarize(f"dask-{workers}", frame, wall, sampler, workers=workers)
        result["partitions"] = parts
        result["overhead"] = partition_overhead(client, options)
    return result


def partition_overhead(client: Any, options: dict[str, Any]) -> dict[str, float]:
    """Seconds per bare dask task and per psdata partition with nothing to measure."""
    import dask.dataframe as dd
    import pandas as pd

    import psdata

    start = time.perf_counter()
    client.gather([client.submit(int, i, pure=False) for i in range(200)])
    bare = (time.perf_counter() - start) / 200
    bad = pd.Series(["not a url"] * EMPTY_PARTITIONS, name="url")
    lazy = psdata.analyze(dd.from_pandas(bad, npartitions=EMPTY_PARTITIONS), **options)
    start = time.perf_counter()
    lazy.compute()
    per_partition = (time.perf_counter() - start) / EMPTY_PARTITIONS
    return {"bare_task_s": bare, "psdata_partition_s": per_partition}


def summarize(name: str, frame: Any, wall: float, sampler: TreeSampler, workers: int) -> Any:
    n = len(frame)
    scored = int(frame["performance"].notna().sum())
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return {
        "mode": name,
        "workers": workers,
        "urls": n,
        "scored": scored,
        "wall_s": wall,
        "urls_per_hour": n * 3600 / wall if wall > 0 else None,
        "cpu_s_per_url": sampler.cpu_seconds() / n if n else None,
        "peak_rss_mb_per_worker": {k: v / MB for k, v in sampler.peak_rss.items()},
        "row_bytes_memory": frame.memory_usage(deep=True).sum() / max(n, 1),
        "row_bytes_parquet": len(buffer.getvalue()) / max(n, 1),
        "median_duration_s": common.median(frame["duration_s"]),
    }


@contextlib.contextmanager
def isolated_cache() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="psdata-scale-") as cache:
        old = os.environ.get("PSDATA_CACHE_DIR")
        os.environ["PSDATA_CACHE_DIR"] = cache  # inherited by the workers
        try:
            yield cache
        finally:
            if old is None:
                os.environ.pop("PSDATA_CACHE_DIR", None)
            else:
                os.environ["PSDATA_CACHE_DIR"] = old


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = common.environment()
    options: dict[str, Any] = {
        "progress": False,
        "skip_cache": True,
        "quiet_window_ms": args.quiet_window_ms,
    }
    clock = common.Clock()
    results = []
    with common.serve_pages() as site, isolated_cache():
        paths = common.select_pages(skip_never_quiet=True, quick_only=True, include_errors=False)
        load = env["load_average_at_start"]
        print(f"{clock()} {args.urls} URLs per run over {len(paths)} pages; load {load}")
        for mode in args.modes:
            urls = unique_urls(site, paths, args.urls, mode)
            if mode == "pandas":
                result = run_pandas(urls, options)
            else:
                result = run_dask(urls, int(mode.split("-")[1]), args.partition_size, options)
            results.append(result)
            print(
                f"{clock()} {mode}: {fmt(result['urls_per_hour'])} URLs/hour "
                f"({result['scored']}/{result['urls']} scored, {fmt(result['wall_s'], 1)} s)"
            )
    rows = []
    for r in results:
        rss = r["peak_rss_mb_per_worker"].values()
        overhead = r.get("overhead", {})
        rows.append(
            [
                r["mode"],
                fmt(r["urls_per_hour"]),
                fmt(r["cpu_s_per_url"], 1),
                fmt(max(rss) if rss else None),
                fmt(r["row_bytes_memory"]),
                fmt(r["row_bytes_parquet"]),
                fmt(overhead.get("bare_task_s", float("nan")) * 1000, 1),
                fmt(overhead.get("psdata_partition_s", float("nan")) * 1000),
            ]
        )
    print()
    print(
        common.table(
            [
                "run",
                "URLs/hour",
                "CPU s/URL",
                "peak MB/worker",
                "B/row (mem)",
                "B/row (parquet)",
                "ms/bare task",
                "ms/empty partition",
            ],
            rows,
        )
    )
    load = None
    with contextlib.suppress(OSError):
        load = list(psutil.getloadavg())
    print(f"\nload average at the end: {load} on {env['cpus']} CPUs")
    path = common.write_json(
        "scale-quick" if args.quick else "scale",
        {"environment": env, "args": vars(args), "results": results, "load_at_end": load},
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
