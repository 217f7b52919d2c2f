"""Repeated runs and before/after comparisons: stability, cost, agreement, A/A and A/B.

Serves ``bench/pages`` on 127.0.0.1 and measures, with psdata's defaults (mobile, all
four categories, Lighthouse's waits, the default concurrency), ``skip_cache=True`` and a
private result store per batch:

stability
    10 repeats (``--repeats``) of ``runs=5`` on a set of pages, in simulate and devtools
    throttling: per page the standard deviation over the repeats of the row's
    performance and LCP (the representative run's), against that of ``runs=1``. The
    ``runs=1`` repeats are run 1 of each ``runs=5`` repeat: the same measurement (a
    ``runs=1`` batch measures exactly run 1, in the same first round), so the section
    costs 50 measurements per page and mode, not 60. Target: the median over pages of
    the ratio is at most 0.6.
cost
    The pages once with ``runs=1`` and once with ``runs=5``, timed in the same run of
    the benchmark (the other categories are judged in run 1 only). Target: at most
    3.5× the wall time.
agreement
    The ``runs=5`` row's performance against the median of 5 Lighthouse 12.2.3 runs
    (simulate, mobile; cached per run in ``bench/out/lighthouse/`` as
    ``compare_lighthouse.py --lighthouse-runs`` caches them). Target: median |Δ| ≤ 2,
    worst ≤ 6.
A/A
    A second ``runs=5`` batch of the same pages, compared with the first
    (:func:`psdata.compare`, its defaults). Target: at most 5 % of (page, metric) pairs
    flagged.
A/B
    Pages measured in one batch next to the same pages served ``--delay-ms`` later
    (a server-side delay: the known shift of TTFB). Target: each slowed page flagged
    worse on TTFB, with the known shift inside the interval.

    .venv/bin/python bench/runs.py --quick        # 2 pages, 3 repeats, simulate: ~5 min
    .venv/bin/python bench/runs.py --sections stability --short   # ~30 min on 2 cores
    .venv/bin/python bench/runs.py --sections cost agreement aa ab
    .venv/bin/python bench/runs.py                # everything (hours; Lighthouse cached)

All raw numbers go to ``bench/out/runs-*.json``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import compare_lighthouse
from common import fmt

SECTIONS = ("stability", "cost", "agreement", "aa", "ab")
#: Pages of the stability section: one of each kind the benchmark pages exercise.
STABILITY_PAGES = (
    "baseline/article.html",
    "cls/banner-insert.html",
    "tbt/tbt-150.html",
    "tbt/tbt-600.html",
    "lcp/image-late.html",
    "lcp/text-late.html",
    "js/heavy-js.html",
    "thirdparty/requests/index.html",
)
#: ``--short``: pages per throttling method (devtools waits 5.25 s per quiet window and
#: measures one page per 2 cores: about 10 s a run on 2 cores).
SHORT_PAGES = {"simulate": 4, "devtools": 2}
QUICK_PAGES = ("baseline/article.html", "tbt/tbt-150.html")
#: Pages slowed in the A/B section.
AB_PAGES = ("baseline/minimal.html", "baseline/article.html")
RUNS = 5
TARGETS = {
    "stability": 0.6,
    "cost": 3.5,
    "agreement_median": 2.0,
    "agreement_worst": 6.0,
    "aa_flagged": 0.05,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Repeated runs (runs=5) and psdata.compare on the benchmark pages: "
        "stability, cost, agreement with Lighthouse, A/A and A/B tests.",
        epilog="Example: .venv/bin/python bench/runs.py --quick",
    )
    parser.add_argument("--quick", action="store_true", help="2 pages, 3 repeats, simulate")
    parser.add_argument(
        "--short",
        action="store_true",
        help="stability on a subset: "
        + ", ".join(f"{n} pages {m}" for m, n in SHORT_PAGES.items())
        + " (about 30 min on 2 cores)",
    )
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=SECTIONS)
    parser.add_argument(
        "--pages", nargs="*", default=(), help="only pages whose path contains one of these"
    )
    parser.add_argument("--limit", type=int, default=None, help="at most N pages")
    parser.add_argument("--repeats", type=int, default=10, help="stability repeats (10)")
    parser.add_argument(
        "--stability-throttling",
        nargs="+",
        choices=("simulate", "devtools"),
        default=("simulate", "devtools"),
    )
    parser.add_argument("--delay-ms", type=int, default=500, help="the A/B slowdown (500)")
    parser.add_argument("--concurrency", type=int, default=None, help="default: psdata's")
    parser.add_argument(
        "--fresh-lighthouse", action="store_true", help="run Lighthouse instead of its cache"
    )
    parser.add_argument(
        "--lighthouse-timeout", type=float, default=180.0, help="seconds per Lighthouse run"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.stability_throttling = min(args.repeats, 3), ("simulate",)
    return args


def analyze(urls: Any, tmp: Path, name: str, args: argparse.Namespace, **options: Any) -> Any:
    """One psdata batch with the benchmark's settings, in a store of its own."""
    import psdata

    return psdata.analyze(
        urls,
        runs=RUNS,
        concurrency=args.concurrency,
        skip_cache=True,
        cache_dir=tmp / name,
        progress=False,
        **options,
    )


def spread(values: list[Any]) -> float | None:
    """Sample standard deviation of the finite values (None with fewer than two)."""
    numbers = [float(v) for v in values if common._num(v)]
    return statistics.stdev(numbers) if len(numbers) > 1 else None


# --------------------------------------------------------------------------- sections


def stability(
    site: Any, paths: list[str], throttling: str, args: argparse.Namespace, tmp: Path, clock: Any
) -> dict[str, Any]:
    """Std over repeats of the row (runs=5) and of run 1 (runs=1), per page and metric."""
    import pandas as pd

    import psdata

    urls = pd.Series([site.url(p) for p in paths], index=paths)
    values: dict[str, dict[str, dict[str, list[Any]]]] = {}
    for repeat in range(args.repeats):
        frame = analyze(urls, tmp, f"stability-{throttling}-{repeat}", args, throttling=throttling)
        first = psdata.runs(frame)
        first = first[first["run"] == 1]
        for path in paths:
            for metric in ("performance", "lcp_ms"):
                page = values.setdefault(path, {}).setdefault(metric, {"runs5": [], "runs1": []})
                page["runs5"].append(common.jsonable(frame.loc[path, metric]))
                page["runs1"].append(common.jsonable(first.loc[path, metric]))
        print(f"{clock()} stability {throttling}: repeat {repeat + 1}/{args.repeats}", flush=True)
    ratios: dict[str, list[float]] = {"performance": [], "lcp_ms": []}
    table = []
    for path, metrics in values.items():
        row = [path]
        for metric, series in metrics.items():
            five, one = spread(series["runs5"]), spread(series["runs1"])
            ratio = five / one if five is not None and one else None
            if ratio is not None:
                ratios[metric].append(ratio)
            row += [fmt(one, 1), fmt(five, 1), fmt(ratio, 2)]
        table.append(row)
    print(f"\n=== stability, {throttling}: std over {args.repeats} repeats ===")
    headers = ["page", "perf sd 1", "perf sd 5", "ratio", "LCP sd 1", "LCP sd 5", "ratio"]
    print(common.table(headers, table))
    medians = {metric: common.median(r) for metric, r in ratios.items()}
    return {"values": values, "ratios": ratios, "median_ratio": medians}


def lighthouse_median(
    site: Any, paths: list[str], args: argparse.Namespace, clock: Any
) -> dict[str, dict[str, Any]]:
    """Per page, Lighthouse's 5 performance scores (simulate, mobile) and their median."""
    results: dict[str, list[Any]] = {path: [] for path in paths}
    for run in range(1, RUNS + 1):
        side = compare_lighthouse.run_lighthouse_side(
            site,
            paths,
            "mobile",
            throttling="simulate",
            fresh=args.fresh_lighthouse,
            timeout=args.lighthouse_timeout,
            clock=clock,
            run=run,
        )
        for path, result in side.items():
            if not result.get("error"):
                results[path].append(result["scores"].get("performance"))
    return {p: {"scores": s, "median": common.median(s)} for p, s in results.items()}


def a_b(
    site: Any, paths: list[str], args: argparse.Namespace, tmp: Path
) -> tuple[Any, list[list[str]], dict[str, Any]]:
    """The pages next to themselves served ``--delay-ms`` later, in one batch."""
    import pandas as pd

    import psdata

    slowed = [common.with_query(site.url(p), "delay", args.delay_ms) for p in paths]
    urls = pd.Series(
        [site.url(p) for p in paths] + slowed, index=[*paths, *(f"{p}~" for p in paths)]
    )
    frame = analyze(urls, tmp, "ab", args)
    before, after = frame.loc[paths], frame.loc[[f"{p}~" for p in paths]]
    after = after.set_axis(paths)
    after.attrs = before.attrs = frame.attrs
    result = psdata.compare(before, after, on="index")
    ttfb = result[result["metric"] == "ttfb_ms"]
    rows, found = [], {}
    for path, row in ttfb.iterrows():
        inside = row["ci_low"] <= args.delay_ms <= row["ci_high"]
        found[path] = {"flagged": row["verdict"] == "worse", "inside": bool(inside)}
        rows.append(
            [path, fmt(row["shift"]), f"{fmt(row['ci_low'])}–{fmt(row['ci_high'])}",
             f"{row['p_value']:.4f}", str(row["verdict"]), "yes" if inside else "NO"]
        )  # fmt: skip
    return result, rows, found


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import pandas as pd

    import psdata

    clock = common.Clock()
    patterns = QUICK_PAGES if args.quick and not args.pages else args.pages
    paths = common.select_pages(
        patterns=patterns, limit=args.limit, quick_only=True, include_errors=False
    )
    output: dict[str, Any] = {
        "benchmark": "runs",
        "environment": common.environment(),
        "args": vars(args),
        "paths": paths,
    }
    targets: list[list[str]] = []
    with common.serve_pages() as site, tempfile.TemporaryDirectory(prefix="psdata-runs-") as tmp:
        folder = Path(tmp)
        common.warm_up(common.with_query(site.url("baseline/minimal.html"), "warmup", 1), folder)
        if "stability" in args.sections:
            chosen = [p for p in STABILITY_PAGES if p in paths] if not args.quick else paths
            for throttling in args.stability_throttling:
                subset = chosen[: SHORT_PAGES[throttling]] if args.short else chosen
                found = stability(site, subset, throttling, args, folder, clock)
                output[f"stability_{throttling}"] = found
                for metric, label in (("performance", "performance"), ("lcp_ms", "LCP")):
                    ratio = found["median_ratio"][metric]
                    targets.append(
                        common.target_row(
                            f"stability {throttling}: sd {label} runs=5 / runs=1 (median"
                            f" of {len(found['ratios'][metric])} pages)",
                            ratio, "<=", TARGETS["stability"], fmt(ratio, 2),
                        )
                    )  # fmt: skip
        urls = pd.Series([site.url(p) for p in paths], index=paths)
        frames: dict[str, Any] = {}
        if {"cost", "agreement", "aa"} & set(args.sections):
            start = time.perf_counter()
            once = psdata.analyze(
                urls, runs=1, concurrency=args.concurrency, skip_cache=True,
                cache_dir=folder / "cost-1", progress=False,
            )  # fmt: skip
            wall_1 = time.perf_counter() - start
            start = time.perf_counter()
            frames["a"] = analyze(urls, folder, "cost-5", args)
            wall_5 = time.perf_counter() - start
            print(f"{clock()} runs=1: {wall_1:.1f} s, runs=5: {wall_5:.1f} s", flush=True)
            output["cost"] = {"wall_runs_1_s": wall_1, "wall_runs_5_s": wall_5}
            output["rows_runs_1"] = common.frame_records(once)
            output["rows_runs_5"] = common.frame_records(frames["a"])
            if "cost" in args.sections:
                ratio = wall_5 / wall_1
                shown = f"{ratio:.2f} ({wall_5:.0f} s / {wall_1:.0f} s, {len(paths)} pages)"
                targets.append(
                    common.target_row(
                        "cost: wall time runs=5 / runs=1", ratio, "<=", TARGETS["cost"], shown
                    )
                )
        if "agreement" in args.sections:
            lighthouse = lighthouse_median(site, paths, args, clock)
            output["lighthouse"] = lighthouse
            deltas, table = [], []
            for path in paths:
                ours, theirs = frames["a"].loc[path, "performance"], lighthouse[path]["median"]
                delta = common.abs_diff(common.jsonable(ours), theirs)
                if delta is not None:
                    deltas.append(delta)
                scores = " ".join(str(s) for s in lighthouse[path]["scores"])
                table.append([path, fmt(common.jsonable(ours)), scores, fmt(theirs), fmt(delta)])
            print("\n=== agreement: psdata's representative run vs the median of 5 Lighthouse runs")
            print(common.table(["page", "psdata", "Lighthouse runs", "median", "|Δ|"], table))
            median, worst = common.median(deltas), common.worst(deltas)
            targets.append(
                common.target_row(
                    "agreement: median |Δ performance| (simulate, mobile)",
                    median, "<=", TARGETS["agreement_median"], fmt(median, 1),
                )
            )  # fmt: skip
            targets.append(
                common.target_row(
                    "agreement: worst |Δ performance|",
                    worst, "<=", TARGETS["agreement_worst"], fmt(worst, 1),
                )
            )  # fmt: skip
        if "aa" in args.sections:
            frames["b"] = analyze(urls, folder, "aa", args)
            result = psdata.compare(frames["a"], frames["b"])
            flagged = result[result["verdict"].isin(["worse", "better"])]
            judged = result[result["verdict"] != "not enough runs"]
            share = len(flagged) / len(judged) if len(judged) else None
            print(f"\n=== A/A: the same {len(paths)} pages twice, runs={RUNS}")
            print(flagged[["url", "metric", "before", "after", "shift", "p_value"]].to_string())
            output["aa"] = common.frame_records(result.reset_index(drop=True))
            shown = f"{fmt(share, 1, pct=True)} ({len(flagged)} of {len(judged)} pairs)"
            targets.append(
                common.target_row(
                    "A/A: (page, metric) pairs flagged", share, "<=", TARGETS["aa_flagged"], shown,
                    pct=True,
                )
            )  # fmt: skip
        if "ab" in args.sections:
            chosen = [p for p in AB_PAGES if p in common.select_pages()]
            result, rows, found = a_b(site, chosen, args, folder)
            print(f"\n=== A/B: pages served {args.delay_ms} ms later (TTFB), runs={RUNS}")
            headers = ["page", "shift", "interval", "p", "verdict", "known shift inside"]
            print(common.table(headers, rows))
            output["ab"] = common.frame_records(result.reset_index(drop=True))
            flagged = sum(f["flagged"] for f in found.values())
            inside = sum(f["inside"] for f in found.values())
            for name, count in (("flagged worse (TTFB)", flagged), ("known shift inside", inside)):
                targets.append(
                    common.target_row(
                        f"A/B: slowed pages {name}", count, ">=", len(found),
                        f"{count} of {len(found)}",
                    )
                )  # fmt: skip
    common.print_targets(targets)
    output["targets"] = targets
    path = common.write_json("runs-quick" if args.quick else "runs", output)
    print(f"\n{clock()} raw numbers: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
