"""Soak test: over a long batch with faults mixed in, is every row back, does psdata's
memory stay flat, and is no process left over?

Serves ``bench/pages`` and the fault corpus (:mod:`psdata.demo.faults`) on 127.0.0.1 and
scores N (default 1000) unique URLs (the manifest's quick pages in turn, every 20th a
page of the fault corpus, each with a unique ``?soak=`` query string) through
``psdata.analyze`` in chunks of 100, all with one cache directory: by default all four
categories with psdata's default throttling (simulate), waits and timeout, concurrency
3; and the Lantern worker is killed (SIGKILL) every 200 pages. After every chunk it
prints Chromium's total memory (``browser_memory_bytes``), this process's memory, browser
launches, rows back, good pages scored, fault pages as expected, and Lantern kills; at
the end the targets: every row back, every good page scored, every fault page with one
of its outcomes, the ratio of the last chunk's memory to the first 100 URLs' (≤ 1.5),
and no process of psdata's left after ``psdata.shutdown()``.

    .venv/bin/python bench/soak.py --quick            # 100 URLs in chunks of 25, ~5 min
    .venv/bin/python bench/soak.py                    # 1000 URLs

All raw numbers go to ``bench/out/soak-*.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
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
QUICK_KILL_EVERY = 40
SETTLE_LIMIT_S = 15.0
FAULT_EVERY = 20
KILL_LANTERN_EVERY = 200
#: How long psdata's processes may take to exit after psdata.shutdown().
EXIT_LIMIT_S = 15.0


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
        f"the first chunk, Lantern killed every {QUICK_KILL_EVERY} pages (~5 min)",
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
    parser.add_argument(
        "--fault-every",
        type=int,
        default=FAULT_EVERY,
        help=f"every Nth URL is a page of the fault corpus (default {FAULT_EVERY}; 0: none)",
    )
    parser.add_argument(
        "--kill-lantern-every",
        type=int,
        default=KILL_LANTERN_EVERY,
        help=f"SIGKILL the Lantern worker every N pages (default {KILL_LANTERN_EVERY}; 0: never)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="soak runs; medians are reported")
    return parser.parse_args(argv)


def soak_urls(
    site: Any, fault_site: Any, n: int, run: int, fault_every: int
) -> list[tuple[str, str | None]]:
    """N unique URLs cycling through the manifest's quick pages, every *fault_every*-th
    through the fault corpus instead; each with its fault path (None: a good page)."""
    from psdata.demo.faults import FAULT_PAGES

    pages = itertools.cycle(common.select_pages(quick_only=True))
    faults = itertools.cycle(FAULT_PAGES)
    urls: list[tuple[str, str | None]] = []
    for i in range(n):
        fault = next(faults) if fault_every and (i + 1) % fault_every == 0 else None
        url = fault_site.url(fault) if fault else site.url(next(pages))
        urls.append((common.with_query(url, "soak", f"{run}-{i}"), fault))
    return urls


class LanternKiller(threading.Thread):
    """Kill the Lantern worker (SIGKILL) each time *every* more soak pages were requested
    from *sites*; ``kills`` records when, and which process."""

    def __init__(self, sites: Sequence[Any], every: int) -> None:
        super().__init__(daemon=True)
        self.sites = sites
        self.every = every
        self.kills: list[dict[str, int]] = []
        self.stopping = threading.Event()

    def requested(self) -> int:
        """Soak pages requested so far (their documents carry the ``soak`` query)."""
        return sum(1 for site in self.sites for r in site.requests if "soak=" in r.path)

    def run(self) -> None:
        import os

        from psdata.engines.lab.lantern import get_worker

        due = self.every
        while self.every and not self.stopping.wait(0.2):
            pages = self.requested()
            pid = get_worker().pid
            if pages >= due and pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    self.kills.append({"pages": pages, "pid": pid})
                due += self.every

    def __enter__(self) -> LanternKiller:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self.join()


def check_rows(frame: Any, urls: Sequence[tuple[str, str | None]]) -> dict[str, Any]:
    """What a chunk gave: rows back, good pages scored (and why not), fault pages with one
    of their outcomes (and the others), rows warned about Lantern or the trace."""
    import pandas as pd

    from psdata.demo.faults import FAULT_PAGES

    found: dict[str, Any] = {"rows": len(frame), "good": 0, "good_scored": 0, "faults": 0}
    found |= {"faults_as_expected": 0, "lantern_warnings": 0, "trace_warnings": 0}
    found |= {"unscored": [], "unexpected": []}
    for (_, row), (url, fault) in zip(frame.iterrows(), urls, strict=True):
        warnings = row["warnings"] if isinstance(row["warnings"], str) else ""
        found["lantern_warnings"] += "Lantern" in warnings
        found["trace_warnings"] += "main-thread trace" in warnings.lower()
        error_type = None if pd.isna(row["error_type"]) else str(row["error_type"])
        if fault is None:
            found["good"] += 1
            if error_type is None and pd.notna(row["performance"]):
                found["good_scored"] += 1
            else:
                why = row["error"] if error_type else warnings
                found["unscored"].append({"url": url, "why": why})
        else:
            found["faults"] += 1
            if error_type in FAULT_PAGES[fault]:
                found["faults_as_expected"] += 1
            else:
                found["unexpected"].append({"url": url, "fault": fault, "got": error_type})
    return found


def processes_left(limit_s: float = EXIT_LIMIT_S) -> list[int]:
    """This process's children still alive *limit_s* after psdata.shutdown()."""
    import psdata

    children = psutil.Process().children(recursive=True)
    psdata.shutdown()
    _, alive = psutil.wait_procs(children, timeout=limit_s)
    return [p.pid for p in alive]


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


def one_run(
    urls: list[tuple[str, str | None]],
    args: argparse.Namespace,
    sites: Sequence[Any],
    run: int,
) -> dict[str, Any]:
    import psdata
    from psdata.engines.lab.browser import browser_memory_bytes

    psdata.shutdown()  # start from a fresh browser
    psdata.set_max_concurrent_contexts(args.concurrency)
    me = psutil.Process()
    checkpoints: list[dict[str, Any]] = []
    errors: Counter[str] = Counter()
    checked: Counter[str] = Counter()
    unscored: list[dict[str, Any]] = []
    unexpected: list[dict[str, Any]] = []
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
        "rows",
        "good scored",
        "faults ok",
        "kills",
    ]
    print(
        f"\n=== soak run {run}: {len(urls)} URLs, concurrency {args.concurrency}, "
        f"quiet window {args.quiet_window_ms or 'default'} ms, {', '.join(args.categories)}, "
        f"a fault every {args.fault_every or '-'} URLs, Lantern killed every "
        f"{args.kill_lantern_every or '-'} pages ==="
    )
    sampler = common.MemorySampler(browser_memory_bytes, interval=0.2)
    killer = LanternKiller(sites, args.kill_lantern_every)
    with tempfile.TemporaryDirectory(prefix="psdata-soak-") as cache_dir, sampler, killer:
        for offset in range(0, len(urls), args.chunk):
            chunk = urls[offset : offset + args.chunk]
            first_sample = len(sampler.samples)
            frame = psdata.analyze(
                [url for url, _ in chunk],
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
            rows = check_rows(frame, chunk)
            unscored += rows.pop("unscored")
            unexpected += rows.pop("unexpected")
            checked.update(rows)
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
                **checked,
                "lantern_kills": len(killer.kills),
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
                f"{checked['rows']}/{done}",
                f"{checked['good_scored']}/{checked['good']}",
                f"{checked['faults_as_expected']}/{checked['faults']}",
                str(len(killer.kills)),
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
    left = processes_left()
    return {
        "urls": len(urls),
        "rows_back": checked["rows"],
        "good_pages": checked["good"],
        "good_scored": checked["good_scored"],
        "unscored": unscored,
        "fault_pages": checked["faults"],
        "faults_as_expected": checked["faults_as_expected"],
        "unexpected": unexpected,
        "lantern_warnings": checked["lantern_warnings"],
        "trace_warnings": checked["trace_warnings"],
        "lantern_kills": killer.kills,
        "processes_left": left,
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


def each(runs: Sequence[dict[str, Any]], key: str, total: str | None = None) -> str:
    """Each run's *key* (out of its *total*), separated by semicolons."""
    return "; ".join(f"{r[key]}/{r[total]}" if total else str(r[key]) for r in runs)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import psdata

    if args.quick:
        args.urls, args.chunk, args.baseline_after = QUICK_URLS, QUICK_CHUNK, QUICK_CHUNK
        args.kill_lantern_every = min(args.kill_lantern_every, QUICK_KILL_EVERY)
    if args.chunk < 1 or args.urls < 1 or not 1 <= args.concurrency <= 5:
        print("--urls and --chunk must be ≥ 1, --concurrency 1-5", file=sys.stderr)
        return 2
    from psdata.demo.faults import fault_routes
    from psdata.demo.server import serve_directory

    default_level = psdata.get_max_concurrent_contexts()
    clock = common.Clock()
    runs = []
    with (
        common.serve_pages(record_requests=True) as site,
        tempfile.TemporaryDirectory(prefix="psdata-faults-") as empty,
        serve_directory(Path(empty), routes=fault_routes(), record_requests=True) as faults,
    ):
        for run in range(1, max(1, args.repeat) + 1):
            urls = soak_urls(site, faults, args.urls, run, args.fault_every)
            runs.append(one_run(urls, args, (site, faults), run))
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
        ["rows back", each(runs, "rows_back", "urls")],
        ["good pages scored", each(runs, "good_scored", "good_pages")],
        ["fault pages with one of their outcomes", each(runs, "faults_as_expected", "fault_pages")],
        ["rows warning about Lantern", each(runs, "lantern_warnings")],
        ["rows warning about the main-thread trace", each(runs, "trace_warnings")],
        ["Lantern worker kills", "; ".join(str(len(r["lantern_kills"])) for r in runs)],
        ["processes left after shutdown", "; ".join(str(r["processes_left"]) for r in runs)],
        ["URLs/hour", fmt(common.median(r["urls_per_hour"] for r in runs))],
    ]
    print(common.table(["measure", "value"], rows))
    for i, r in enumerate(runs, 1):
        for problem in [*r["unscored"], *r["unexpected"]][:10]:
            print(f"run {i}: {problem}")
    print(
        "note: memory is compared by the median of the 0.2 s samples within a chunk: "
        "psdata retires its browser after 200 pages and closes it in the background, "
        "so a single reading at a chunk's end can catch two browsers or none. The "
        "checkpoint column is read once a retired browser has exited (waiting at most "
        f"{SETTLE_LIMIT_S:g} s; (r): no browser running, last sample shown)."
    )
    missing = max(r["urls"] - r["rows_back"] for r in runs)
    unscored = max(len(r["unscored"]) for r in runs)
    unexpected = max(len(r["unexpected"]) for r in runs)
    left = max(len(r["processes_left"]) for r in runs)
    targets = [
        common.target_row("rows missing (worst run)", missing, "<=", 0, str(missing)),
        common.target_row("good pages not scored (worst run)", unscored, "<=", 0, str(unscored)),
        common.target_row(
            "fault pages without one of their outcomes (worst run)",
            unexpected,
            "<=",
            0,
            str(unexpected),
        ),
        common.target_row(
            f"chromium memory, last chunk / first {args.baseline_after} URLs (medians)",
            ratio,
            "<=",
            TARGET_GROWTH,
            fmt(ratio, 2),
        ),
        common.target_row(
            "processes left after psdata.shutdown() (worst run)", left, "<=", 0, str(left)
        ),
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
