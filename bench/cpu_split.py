"""Where the CPU time goes per URL: Python, each kind of Chromium process, and Node.

Measures one psdata batch on local benchmark pages and samples, every 50 ms, the CPU
time of every process this Python process started: Chromium's by ``--type`` (renderer,
including those forked from the zygote, gpu-process, utility, or the browser itself),
Playwright's driver and the Lantern worker (both Node), plus this Python process.
Renderers exit with their context, so a sampled total slightly undercounts them (by at
most 50 ms of work each). Parts inside a process (axe in the renderer, the trace's
recording) show as the difference between runs: ``--categories performance`` against
all four, ``--no-trace`` against traced.

It also prints the share of the cores busy: with psdata's own processes (their CPU over
wall time × cores; robust to other load on the machine) and with everything
(``/proc/stat``: whole-machine CPU seconds per URL, which include whatever else runs,
so read them with the load averages printed beside them).

Example: ``.venv/bin/python bench/cpu_split.py --concurrency 3 --throttling simulate``
(``--quick``: 8 pages, about a minute)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any

import common
import psutil

from psdata.engines import ENGINES
from psdata.engines.lab.browser import is_browser_process

KINDS = ("renderer", "gpu-process", "utility", "zygote")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=3)
    lab = ENGINES["lab"]
    parser.add_argument("--throttling", choices=lab.throttling, default=lab.default_throttling)
    parser.add_argument(
        "--categories", nargs="+", default=None, help="Lighthouse categories (default: all four)"
    )
    parser.add_argument("--pages", type=int, default=24, help="how many manifest pages")
    parser.add_argument("--quick", action="store_true", help="8 pages")
    parser.add_argument("--quiet-window-ms", type=float, default=None)
    parser.add_argument(
        "--no-trace",
        action="store_true",
        help="measure without the browser-wide trace (in-page observers only), for its cost",
    )
    return parser.parse_args(argv)


class CPUSampler(common.PeriodicSampler):
    """CPU seconds per Chromium process kind, sampled in a daemon thread."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(interval)
        self.last: dict[int, tuple[str, float]] = {}
        self.names: dict[int, str] = {}

    def sample(self) -> None:
        for process in psutil.Process().children(recursive=True):
            try:
                # A child seen between its fork and its exec still has its parent's
                # command line: its kind is decided again once its name changes.
                name = process.name()
                known = self.last.get(process.pid)
                same = known is not None and self.names.get(process.pid) == name
                kind = known[0] if known is not None and same else _kind(process)
                self.names[process.pid] = name
                times = process.cpu_times()
                self.last[process.pid] = (kind, times.user + times.system)
            except psutil.Error:
                continue

    def totals(self) -> dict[str, float]:
        """CPU seconds per process kind since the sampler started."""
        found: dict[str, float] = {}
        for kind, seconds in self.last.values():
            found[kind] = found.get(kind, 0.0) + seconds
        return found


def _epoch_stats() -> dict[str, Any]:
    """The shared pool's trace epochs: how many, failed, median seconds to end one."""
    from psdata._loop import run_sync
    from psdata.engines.lab.runtime import get_pool
    from psdata.engines.lab.trace import TraceEpochs

    async def read() -> dict[str, Any]:
        return TraceEpochs.for_pool(get_pool()).stats()

    stats: dict[str, Any] = run_sync(read())
    return stats if stats["epochs"] else {}


def _kind(process: psutil.Process) -> str:
    command = " ".join(process.cmdline())
    if "worker.mjs" in command:
        return "lantern (node)"
    if "run-driver" in command:
        return "playwright driver (node)"
    if not is_browser_process(process):
        return "other: " + process.name()
    kind = next((k for k in KINDS if f"--type={k}" in command), "browser")
    # Renderers forked from the zygote keep its command line: count them as renderers.
    return "renderer" if kind == "zygote" else kind


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import psdata

    if args.no_trace:
        common.without_trace()

    psdata.shutdown()  # a fresh browser: its CPU so far is this run's
    with common.serve_pages() as site, tempfile.TemporaryDirectory(prefix="psdata-cpu-") as tmp:
        count = 8 if args.quick else args.pages
        paths = common.select_pages(skip_never_quiet=True, include_errors=False)[:count]
        urls = [common.with_query(site.url(p), "cpu", time.time_ns()) for p in paths]
        options: dict[str, Any] = {
            "throttling": args.throttling,
            "categories": args.categories,
            "quiet_window_ms": args.quiet_window_ms,
            "skip_cache": True,
            "cache_dir": tmp,  # not the user's cache
            "progress": False,
        }
        me = psutil.Process()
        load_before = list(psutil.getloadavg())
        before = me.cpu_times()
        with CPUSampler() as sampler, common.MachineCPU() as machine_cpu:
            start = time.perf_counter()
            frame = psdata.analyze(urls, concurrency=args.concurrency, **options)
            wall = time.perf_counter() - start
        after = me.cpu_times()
        load_after = list(psutil.getloadavg())
    n = len(urls)
    python = after.user + after.system - before.user - before.system
    split = {"python": python, **sampler.totals()}
    rows = [[kind, common.fmt(seconds / n, 2)] for kind, seconds in split.items()]
    rows.append(["total", common.fmt(sum(split.values()) / n, 2)])
    print(
        f"{n} URLs, concurrency {args.concurrency}, {args.throttling} throttling, "
        f"categories {args.categories or 'all'}: "
        f"{wall / n:.2f} s of wall time per URL, "
        f"{int(frame['performance'].notna().sum())} scored"
    )
    print(common.table(["process", "CPU s per URL"], rows))
    cores = machine_cpu.cores
    machine = machine_cpu.busy_s
    busy = {
        "psdata_cores_busy": sum(split.values()) / (wall * cores),
        "machine_cores_busy": machine_cpu.cores_busy,
        "machine_cpu_s_per_url": machine / n,
        "load_before": load_before,
        "load_after": load_after,
    }
    print(
        f"cores busy: {busy['psdata_cores_busy']:.0%} with psdata's processes, "
        f"{busy['machine_cores_busy']:.0%} in all ({machine / n:.2f} CPU s per URL, "
        f"whole machine); load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    epochs = _epoch_stats()
    if epochs:
        print(f"trace epochs: {epochs}")
    pool = psdata.pool_stats()
    spares = {k: pool.get(k) for k in ("spares_used", "spares_wasted")}
    print(f"pages opened ahead: {spares['spares_used']} used, {spares['spares_wasted']} wasted")
    path = common.write_json(
        "cpu_split",
        {"args": vars(args), "urls": n, "wall_s": wall, "cpu_s": split, **busy,
         "trace_epochs": epochs, "spares": spares, "environment": common.environment()},
    )  # fmt: skip
    print(f"raw numbers: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
