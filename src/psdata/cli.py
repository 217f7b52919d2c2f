"""The ``psdata`` command: a thin layer over the Python API."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import _api, _results
from ._errors import PsdataError
from ._frame import CATEGORIES, to_parquet

SUMMARY_COLUMNS = [
    "url",
    "status",
    *CATEGORIES,
    "fcp_ms",
    "lcp_ms",
    "speed_index_ms",
    "tbt_ms",
    "cls",
    "error_type",
]

ANALYZE_EXAMPLES = """examples:
  psdata analyze urls.txt -o scores.parquet
  psdata analyze sites.csv --column page --strategy both --concurrency 3 -o scores.csv
  psdata analyze urls.parquet --categories performance seo --throttling provided -o out.parquet
  psdata analyze urls.parquet --scheduler tcp://scheduler:8786 -o out/   # a dask cluster
"""
DEMO_EXAMPLES = """examples:
  psdata demo
  psdata demo --strategy desktop -o demo.parquet
"""
CACHE_EXAMPLES = """examples:
  psdata cache info
  psdata cache clear --failures-only
"""


def read_urls(path: Path, column: str | None) -> pd.Series:
    """URLs from a text file (one per line), a CSV or a Parquet file.

    >>> read_urls(Path("urls.txt"), None)  # doctest: +SKIP
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet", ".pq"):
        frame = pd.read_parquet(path) if suffix != ".csv" else pd.read_csv(path)
        name = column or ("url" if "url" in frame.columns else None)
        if name is None or name not in frame.columns:
            raise PsdataError(
                f"{path} has no column {name or 'url'!r}; choose one with --column "
                f"(columns: {', '.join(map(str, frame.columns))})."
            )
        return frame[name]
    lines = path.read_text(encoding="utf-8").splitlines()
    return pd.Series([line for line in lines if line.strip() and not line.startswith("#")])


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write results as Parquet (with psdata metadata) or CSV, by the file's suffix."""
    if path.suffix.lower() == ".csv":
        frame.to_csv(path)
    else:
        to_parquet(frame, path)


def _strategy(value: str) -> str | list[str]:
    return ["mobile", "desktop"] if value == "both" else value


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strategy", choices=["mobile", "desktop", "both"], default="mobile")
    parser.add_argument("--concurrency", type=int, default=None, help="pages measured at once")
    parser.add_argument("--categories", nargs="+", choices=list(CATEGORIES), default=None)
    parser.add_argument("--throttling", choices=["devtools", "provided"], default="devtools")
    parser.add_argument("--timeout", type=float, default=_api.DEFAULT_TIMEOUT_S, help="s/URL")
    parser.add_argument(
        "--quiet-window-ms", type=float, default=None, help="wait thresholds after load (ms)"
    )
    parser.add_argument("--skip-cache", action="store_true", help="measure everything again")
    parser.add_argument("--force-retry", action="store_true", help="retry stored failures")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``psdata`` command."""
    parser = argparse.ArgumentParser(
        prog="psdata",
        description="Lighthouse-style scores for many URLs, as a table.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="run 'psdata COMMAND --help' for a command's options and examples",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    analyze = commands.add_parser(
        "analyze", help="score the URLs of a file", epilog=ANALYZE_EXAMPLES, formatter_class=raw
    )
    analyze.add_argument("input", type=Path, help="a .txt (one URL per line), .csv or .parquet")
    analyze.add_argument("--column", default=None, help="the URL column of a CSV/Parquet input")
    analyze.add_argument("-o", "--output", type=Path, required=True, help=".parquet or .csv")
    analyze.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on this dask scheduler (pip install 'psdata[dask]'); -o is then a "
        "directory that receives a Parquet dataset",
    )
    _add_run_options(analyze)

    demo = commands.add_parser(
        "demo",
        help="serve the bundled demo site locally and score it",
        epilog=DEMO_EXAMPLES,
        formatter_class=raw,
    )
    demo.add_argument("-o", "--output", type=Path, default=Path("psdata-demo.parquet"))
    _add_run_options(demo)

    cache = commands.add_parser(
        "cache", help="show or clear the result store", epilog=CACHE_EXAMPLES, formatter_class=raw
    )
    cache.add_argument("action", choices=["info", "clear"])
    cache.add_argument("--failures-only", action="store_true")
    cache.add_argument("--older-than", type=float, default=None, help="seconds")
    return parser


def _analyze(urls: pd.Series, args: argparse.Namespace) -> pd.DataFrame:
    return _api.analyze(
        urls,
        strategy=_strategy(args.strategy),
        categories=args.categories,
        throttling=args.throttling,
        concurrency=args.concurrency,
        timeout=args.timeout,
        quiet_window_ms=args.quiet_window_ms,
        skip_cache=args.skip_cache,
        force_retry=args.force_retry,
        progress=not args.no_progress,
    )


def print_summary(frame: pd.DataFrame) -> None:
    """Print the main columns of a result, one line per URL."""
    columns = [c for c in SUMMARY_COLUMNS if c in frame.columns]
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(frame[columns].round(3).to_string())
    scored = int(frame["error"].isna().sum())
    print(f"\n{scored} of {len(frame)} rows scored; {len(frame) - scored} with an error.")


def run_demo(args: argparse.Namespace) -> None:
    """Serve the demo site on 127.0.0.1, score it, print it, save it and read it back."""
    from ._server import demo_site_root, demo_urls, serve_directory

    with serve_directory(demo_site_root()) as site:
        print(f"Serving the demo site at {site.base_url}")
        frame = _analyze(pd.Series(demo_urls(site), name="url"), args)
    print_summary(frame)
    write_frame(frame, args.output)
    back = pd.read_parquet(args.output)
    same = back.dtypes.equals(frame.dtypes) and back.index.equals(frame.index)
    print(f"Wrote {args.output} ({'dtypes and index round-trip' if same else 'DTYPES DIFFER'}).")
    if not same:
        raise PsdataError("The Parquet file did not round-trip; please report this.")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``psdata`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            run_demo(args)
        elif args.command == "analyze" and args.scheduler:
            from ._dask import analyze_on_cluster

            options = {k: v for k, v in vars(args).items() if k in _api._DEFAULTS}
            options.update(strategy=_strategy(args.strategy), progress=False)
            rows = analyze_on_cluster(
                read_urls(args.input, args.column), args.scheduler, args.output, **options
            )
            print(f"Wrote {rows} rows to the Parquet dataset {args.output}")
        elif args.command == "analyze":
            frame = _analyze(read_urls(args.input, args.column), args)
            write_frame(frame, args.output)
            print_summary(frame)
            print(f"Wrote {args.output}")
        elif args.action == "info":
            for key, value in _results.cache_info().items():
                print(f"{key}: {value}")
        else:
            removed = _results.clear_cache(
                older_than=args.older_than, failures_only=args.failures_only
            )
            print(f"Removed {removed} stored results.")
    except PsdataError as exc:
        print(f"psdata: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
