"""What collecting the performance opportunities costs per URL (#18).

Serves ``bench/pages`` on 127.0.0.1 and measures the same pages with the opportunities
collected and without (``LabSettings.opportunities``, not yet a public keyword: set
here by wrapping ``LabSettings.from_request``), alternating the two one page at a time
so load on the machine hits both alike, at default settings (mobile, devtools
throttling, all categories, Lighthouse's quiet windows; ``--quiet-window-ms`` to
shorten). Prints per page the wall time of both, the time of the ``opportunities``
phase, and the median overhead against the 10 % target.

    .venv/bin/python bench/opportunities_cost.py --pages baseline blocking --repeat 2

Raw numbers go to ``bench/out/opportunities_cost-*.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
from common import fmt

TARGET = 0.10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="*", default=(), help="pages whose path contains these")
    parser.add_argument("--limit", type=int, default=8, help="at most N pages")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (medians are reported)")
    parser.add_argument("--quiet-window-ms", type=float, default=None)
    return parser.parse_args(argv)


def _switch(enabled: bool) -> None:
    """Make every lab call of this process collect the opportunities or not."""
    from psdata.engines.lab import engine

    original = engine.LabSettings.__dict__["from_request"].__func__
    engine.LabSettings.from_request = classmethod(  # type: ignore[method-assign]
        lambda cls, request: dataclasses.replace(original(cls, request), opportunities=enabled)
    )
    engine.LabSettings._psdata_original = original  # type: ignore[attr-defined]


def _restore() -> None:
    from psdata.engines.lab import engine

    original = getattr(engine.LabSettings, "_psdata_original", None)
    if original is not None:
        engine.LabSettings.from_request = classmethod(original)  # type: ignore[method-assign]


def measure(url: str, enabled: bool, args: argparse.Namespace, cache: Path) -> dict[str, Any]:
    import psdata

    _switch(enabled)
    try:
        frame = psdata.analyze(
            [url],
            quiet_window_ms=args.quiet_window_ms,
            skip_cache=True,
            cache_dir=cache,
            progress=False,
        )
    finally:
        _restore()
    row = frame.iloc[0]
    details = common.read_details(frame)[0] or {}
    timings = details.get("timings_ms", {})
    return {
        "total_ms": float(row["duration_s"]) * 1000,
        "load_ms": timings.get("load"),
        "opportunities_ms": timings.get("opportunities", 0.0),
        "performance": common.jsonable(row["performance"]),
        "error": common.jsonable(row["error"]),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    paths = common.select_pages(skip_never_quiet=True, patterns=args.pages, limit=args.limit)
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with common.serve_pages() as site, tempfile.TemporaryDirectory(prefix="psdata-opp-") as tmp:
        common.warm_up(common.with_query(site.url("baseline/minimal.html"), "warmup", 1), tmp)
        for r in range(max(1, args.repeat)):
            for i, path in enumerate(paths):
                order = (True, False) if (i + r) % 2 == 0 else (False, True)
                for enabled in order:
                    run = measure(site.url(path), enabled, args, Path(tmp) / f"{r}-{enabled}")
                    key = "with" if enabled else "without"
                    results.setdefault(path, {}).setdefault(key, []).append(run)
                    print(f"{path} {key}: {run['total_ms']:,.0f} ms", flush=True)
    rows = []
    overheads = []
    for path, runs in results.items():
        on = common.median(r["total_ms"] for r in runs["with"])
        off = common.median(r["total_ms"] for r in runs["without"])
        phase = common.median(r["opportunities_ms"] for r in runs["with"])
        load_on = common.median(r["load_ms"] for r in runs["with"])
        load_off = common.median(r["load_ms"] for r in runs["without"])
        extra = None if not on or not off else on / off - 1
        if extra is not None:
            overheads.append(extra)
        rows.append(
            [
                path,
                fmt(off),
                fmt(on),
                fmt(phase),
                fmt(load_off),
                fmt(load_on),
                fmt(extra, 1, pct=True),
            ]
        )
    print("\n=== opportunities: per-URL wall time without / with (median ms) ===")
    print(
        common.table(
            ["page", "without", "with", "opp. phase", "load w/o", "load with", "overhead"], rows
        )
    )
    median = common.median(overheads)
    phase_share = common.median(
        r["opportunities_ms"] / r["total_ms"] for runs in results.values() for r in runs["with"]
    )
    targets = [
        common.target_row(
            "median per-URL overhead", median, "<=", TARGET, fmt(median, 1, pct=True), pct=True
        ),
        ["opportunities phase / URL time (median)", fmt(phase_share, 1, pct=True), "-", "-"],
    ]
    common.print_targets(targets)
    path = common.write_json(
        "opportunities_cost", {"args": vars(args), "results": results, "targets": targets}
    )
    print(f"\nraw numbers: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
