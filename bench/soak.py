"""Soak test: does psdata's browser memory stay flat over a long batch?

Serves ``bench/pages`` on 127.0.0.1 and scores N (default 1000) unique URLs (the
manifest's quick pages in turn, each with a unique ``?soak=`` query string) through
``psdata.analyze`` in chunks of 100, all with one cache directory: by default all four
categories with psdata's default throttling and waits, concurrency 3. After every chunk it
prints Chromium's total memory (``browser_memory_bytes``), this process's memory, browser
launches, rows scored and errors; then the ratio of the final memory to the memory after
the first 100 URLs (target ≤ 1.5).

    .venv/bin/python bench/soak.py --quick            # 100 URLs in chunks of 25, ~2.5 min
    .venv/bin/python bench/soak.py                    # 1000 URLs

All raw numbers go to ``bench/out/soak-*.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
from common import fmt

MB = 2**20
TARGET_GROWTH = 1.5
QUICK_URLS = 100
QUICK_CHUNK = 25
SETTLE_LIMIT_S = 15.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Score many unique local URLs in chunks; watch Chromium's memory.",
        epilog="Example: .venv/bin/python bench/soak.py --urls 1000 --concurrency 3",
    )
    parser.add_argument("--urls", type=int, default=1000, help="URLs to score (default 1000)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke test: {QUICK_URLS} URLs in chunks of {QUICK_CHUNK}, memory baseline after "
        f"the first chunk (~2.5 min)",
    )
    parser.add_argument("--chunk", type=int, default=100, help="URLs per analyze() call")
    parser.add_argument(
        "--baseline-after",
        type=int,
        default=100,
        help="URLs after which memory is the baseline of the growth ratio (default 100)",
    )
    parser.add_argument("--concurrency", type=int, default=3, help="contexts at once (1-5)")
    parser.add_argument(
        "--quiet-window-ms", type=float, default=None, help="psdata quiet window (default: its own)"
    )
    parser.add_argument(
        "--categories",
        nargs="+",
        default=list(common.CATEGORIES),
        help="categories to score (default: all four)",
    )
    parser.add_argument("--strategy", choices=("mobile", "desktop"), default="mobile")
    parser.add_argument("--repeat", type=int, default=1, help="soak runs; medians are reported")
    return parser.parse_args(argv)


def soak_urls(site: Any, n: int, run: int) -> list[str]:
    """N unique URLs cycling through the manifest's quick pages."""
    paths = common.select_pages(quick_only=True)
    cycle = itertools.cycle(paths)
    return [common.with_query(site.url(next(cycle)), "soak", f"{run}-{i}") for i in range(n)]


def browser_roots() -> int:
    """How many Chromium browsers (process trees) this process has running."""
    from psdata.engines.lab.browser import browser_processes

    parents = {}
    for process in browser_processes():
        with contextlib.suppress(psutil.Error):  # a renderer that just exited
            parents[process.pid] = process.ppid()
    return sum(1 for parent in parents.values() if parent not in parents)


def wait_for_one_browser(limit_s: float = SETTLE_LIMIT_S) -> float:
    """Wait (bounded) until a retired browser has exited; seconds waited.

    psdata retires its browser after a fixed number of pages and closes it in the
    background; measured while the old and the new browser both run, memory would read
    double for a moment that says nothing about growth.
    """
    start = time.perf_counter()
    while browser_roots() > 1 and time.perf_counter() - start < limit_s:
        time.sleep(0.2)
    return time.perf_counter() - start


def one_run(urls: list[str], args: argparse.Namespace, clock: Any, run: int) -> dict[str, Any]:
    import psdata
    from psdata.engines.lab.browser import browser_memory_bytes

    psdata.shutdown()  # start from a fresh browser
    psdata.set_max_concurrent_contexts(args.concurrency)
    me = psutil.Process()
    checkpoints: list[dict[str, Any]] = []
    errors: Counter[str] = Counter()
    scored = done = 0
    start = time.perf_counter()
    headers = [
        "URLs",
        "elapsed s",
        "URLs/hour",
        "chromium MB",
        "chunk median MB",
        "chunk peak MB",
        "python MB",
        "launches",
        "scored",
        "errors",
    ]
    print(
        f"\n=== soak run {run}: {len(urls)} URLs, concurrency {args.concurrency}, "
        f"quiet window {args.quiet_window_ms or 'default'} ms, {', '.join(args.categories)} ==="
    )
    sampler = common.MemorySampler(browser_memory_bytes, interval=0.2)
    with tempfile.TemporaryDirectory(prefix="psdata-soak-") as cache_dir, sampler:
        for offset in range(0, len(urls), args.chunk):
            chunk = urls[offset : offset + args.chunk]
            first_sample = len(sampler.samples)
            frame = psdata.analyze(
                chunk,
                strategy=args.strategy,
                categories=args.categories,
                concurrency=args.concurrency,
                quiet_window_ms=args.quiet_window_ms,
                cache_dir=cache_dir,
                progress=False,
            )
            done += len(chunk)
            scored += int(frame["performance"].notna().sum())
            errors.update(str(t) for t in frame["error_type"].dropna())
            elapsed = time.perf_counter() - start
            during = [m for m in sampler.samples[first_sample:] if m]
            settle_s = wait_for_one_browser()
            start += settle_s  # URLs/hour counts psdata's time, not this script's wait
            stats = psdata.pool_stats()
            now = browser_memory_bytes()
            point = {
                "urls": done,
                "elapsed_s": elapsed,
                "urls_per_hour": 3600 * done / elapsed,
                # A browser retired right at the checkpoint reads 0: take its last sample.
                "browser_memory_bytes": now or (during[-1] if during else 0),
                "browser_retired_at_checkpoint": not now,
                "settle_s": settle_s,
                "chunk_median_bytes": common.median(during) or 0,
                "chunk_peak_bytes": max(during, default=0),
                "python_rss_bytes": me.memory_info().rss,
                "browser_launches": stats.get("browser_launches"),
                "browser_crashes": stats.get("browser_crashes"),
                "browser_pages": stats.get("browser_pages"),
                "scored": scored,
                "errors": sum(errors.values()),
            }
            checkpoints.append(point)
            row = [
                str(done),
                fmt(elapsed, 1),
                fmt(point["urls_per_hour"]),
                fmt(point["browser_memory_bytes"] / MB)
                + (" (r)" if point["browser_retired_at_checkpoint"] else ""),
                fmt(point["chunk_median_bytes"] / MB),
                fmt(point["chunk_peak_bytes"] / MB),
                fmt(point["python_rss_bytes"] / MB),
                str(point["browser_launches"]),
                str(scored),
                str(point["errors"]),
            ]
            if len(checkpoints) == 1:
                print(common.table(headers, [row]), flush=True)
            else:
                print(common.table(headers, [row]).splitlines()[-1], flush=True)
    first = next((c for c in checkpoints if c["urls"] >= args.baseline_after), None)
    final = checkpoints[-1] if checkpoints else None
    ratio = (
        final["chunk_median_bytes"] / first["chunk_median_bytes"]
        if first and final and first["chunk_median_bytes"]
        else None
    )
    peak_ratio = (
        final["chunk_peak_bytes"] / first["chunk_peak_bytes"]
        if first and final and first["chunk_peak_bytes"]
        else None
    )
    py_ratio = final["python_rss_bytes"] / first["python_rss_bytes"] if first and final else None
    return {
        "urls": len(urls),
        "checkpoints": checkpoints,
        "baseline_after_urls": first and first["urls"],
        "memory_baseline_bytes": first and first["chunk_median_bytes"],
        "memory_final_bytes": final and final["chunk_median_bytes"],
        "memory_ratio_final_to_baseline": ratio,
        "chunk_peak_ratio_final_to_baseline": peak_ratio,
        "python_ratio_final_to_baseline": py_ratio,
        "peak_browser_memory_bytes": sampler.peak,
        "scored": scored,
        "errors": dict(errors),
        "urls_per_hour": final and final["urls_per_hour"],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import psdata

    if args.quick:
        args.urls, args.chunk, args.baseline_after = QUICK_URLS, QUICK_CHUNK, QUICK_CHUNK
    if args.chunk < 1 or args.urls < 1 or not 1 <= args.concurrency <= 5:
        print("--urls and --chunk must be ≥ 1, --concurrency 1-5", file=sys.stderr)
        return 2
    default_level = psdata.get_max_concurrent_contexts()
    clock = common.Clock()
    runs = []
    with common.serve_pages() as site:
        for run in range(1, max(1, args.repeat) + 1):
            runs.append(one_run(soak_urls(site, args.urls, run), args, clock, run))
    psdata.set_max_concurrent_contexts(default_level)

    print(f"\n=== soak summary ({len(runs)} run(s); medians) {clock()} ===")
    ratio = common.median(r["memory_ratio_final_to_baseline"] for r in runs)
    rows = [
        ["URLs per run", str(args.urls)],
        [
            f"chromium MB, median over URLs 1-{args.baseline_after}",
            fmt(common.median((r["memory_baseline_bytes"] or 0) / MB for r in runs)),
        ],
        [
            "chromium MB, median over the last chunk",
            fmt(common.median((r["memory_final_bytes"] or 0) / MB for r in runs)),
        ],
        [
            "chromium peak MB (0.2 s samples)",
            fmt(common.median(r["peak_browser_memory_bytes"] / MB for r in runs)),
        ],
        [f"last chunk / first {args.baseline_after} (chromium medians)", fmt(ratio, 2)],
        [
            f"final / after-{args.baseline_after} (chunk peaks)",
            fmt(common.median(r["chunk_peak_ratio_final_to_baseline"] for r in runs), 2),
        ],
        [
            f"final / after-{args.baseline_after} (python)",
            fmt(common.median(r["python_ratio_final_to_baseline"] for r in runs), 2),
        ],
        ["rows scored", fmt(common.median(r["scored"] for r in runs))],
        ["errors", "; ".join(f"run {i}: {r['errors'] or 0}" for i, r in enumerate(runs, 1))],
        ["URLs/hour", fmt(common.median(r["urls_per_hour"] for r in runs))],
    ]
    print(common.table(["measure", "value"], rows))
    print(
        "note: memory is compared by the median of the 0.2 s samples within a chunk: "
        "psdata retires its browser after 200 pages and closes it in the background, "
        "so a single reading at a chunk's end can catch two browsers or none. The "
        "checkpoint column is read once a retired browser has exited (waiting at most "
        f"{SETTLE_LIMIT_S:g} s; (r): no browser running, last sample shown)."
    )
    targets = [
        common.target_row(
            f"chromium memory, last chunk / first {args.baseline_after} URLs (medians)",
            ratio,
            "<=",
            TARGET_GROWTH,
            fmt(ratio, 2),
        )
    ]
    common.print_targets(targets)
    path = common.write_json(
        "soak" + ("-quick" if args.quick else ""),
        {
            "benchmark": "soak",
            "environment": common.environment(),
            "args": vars(args),
            "pages": common.select_pages(quick_only=True),
            "targets": targets,
            "runs": runs,
        },
    )
    print(f"\nraw numbers: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
