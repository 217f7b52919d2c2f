"""Measure what simulated throttling costs: worker start-up, and one page's simulation.

For each Lantern fixture (tests/fixtures/lantern/): the Python split of the trace, then
``simulate()`` repeated; prints the median wall and CPU time of each part (``python
CPU`` covers the split, pruning, JSON encoding and the pipe; the worker reports its own
CPU: parsing, the graph, the simulations). ``events``/``MB``: the page's main-thread
events; ``sent``: those Lantern reads.

    .venv/bin/python scripts/lantern_cost.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import psutil

from psdata.engines.lab.lantern import LanternWorker, lantern_events, simulate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.lantern_fixtures import CASES, load, split_page


def worker_start_cost(runs: int) -> list[tuple[float, float]]:
    """(wall ms, worker CPU ms) from starting a worker to its first answer."""
    out = []
    for _ in range(runs):
        worker = LanternWorker()
        start = time.perf_counter()
        asyncio.run(worker.request("ping"))
        wall = (time.perf_counter() - start) * 1000
        pid = worker.pid
        assert pid is not None
        times = psutil.Process(pid).cpu_times()
        out.append((wall, (times.user + times.system) * 1000))
        worker.close()
    return out


async def page_cost(name: str, worker: LanternWorker, repeat: int) -> dict[str, float]:
    events, devtools_log, expected = load(name)
    rows: dict[str, list[float]] = {k: [] for k in ("split", "wall", "py_cpu", "node_cpu")}
    for _ in range(repeat):
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        page = split_page(events, expected["main_frame_id"])
        t1 = time.perf_counter()
        metrics = await simulate(
            page.events,
            devtools_log,
            url=expected["requested_url"],
            frame_id=page.frame_id,
            strategy=expected["form_factor"],
            observed_speed_index_ms=expected["observed_speed_index_ms"],
            worker=worker,
        )
        t2 = time.perf_counter()
        rows["split"].append((t1 - t0) * 1000)
        rows["wall"].append((t2 - t1) * 1000)
        rows["py_cpu"].append((time.process_time() - cpu0) * 1000)
        rows["node_cpu"].append(metrics.cpu_ms)
    result = {k: statistics.median(v) for k, v in rows.items()}
    result["events"] = len(page.events)
    result["trace_mb"] = sum(len(json.dumps(e)) for e in page.events) / 1e6
    result["sent"] = len(lantern_events(page.events))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    starts = worker_start_cost(args.repeat)
    print(
        f"worker start-up to first answer: wall {statistics.median(s[0] for s in starts):.0f} ms,"
        f" worker CPU {statistics.median(s[1] for s in starts):.0f} ms (median of {args.repeat})"
    )
    worker = LanternWorker()
    asyncio.run(worker.request("ping"))
    print(
        f"{'fixture':26} {'events':>7} {'MB':>5} {'sent':>5} {'split ms':>9} {'simulate wall':>14}"
        f" {'python CPU':>11} {'node CPU':>9}"
    )
    for name in CASES:
        r = asyncio.run(page_cost(name, worker, args.repeat))
        print(
            f"{name:26} {r['events']:7.0f} {r['trace_mb']:5.1f} {r['sent']:5.0f} {r['split']:9.1f}"
            f" {r['wall']:14.1f} {r['py_cpu']:11.1f} {r['node_cpu']:9.1f}"
        )
    worker.close()


if __name__ == "__main__":
    main()
