"""The ``psdata`` command: a thin layer over the Python API.

Every option of ``psdata analyze`` is a keyword of :func:`psdata.analyze`, with the same
name and default (read from its signature). Exit status: 0 when every row was scored, 1
when some rows failed (their errors are in the output file), 2 for a usage or
configuration error (bad option, unreadable input, no Chromium), with the message on
stderr. The PageSpeed Insights key is read from ``PSDATA_PSI_KEY`` or ``--psi-key-file``,
never from a plain argument (which would land in the shell's history).
"""

from __future__ import annotations

import argparse
import inspect
import math
import os
import sys
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

# The public API only (``psdata.*``), plus the tables of names the options offer.
from . import (
    AnalysisError,
    PsdataError,
    SitemapWarning,
    analyze,
    cache_info,
    clear_cache,
    demo_urls,
    find_chromium,
    sample,
    serve_demo_site,
    sitemap_urls,
    to_parquet,
)
from ._frame import CATEGORIES
from .engines import ENGINES

EXIT_OK, EXIT_FAILED_ROWS, EXIT_USAGE = 0, 1, 2

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

MAIN_EXAMPLES = """examples:
  psdata analyze urls.txt -o scores.parquet
  psdata sitemap https://example.com -o urls.csv --per-template 5
  psdata demo
  psdata cache info
"""
ANALYZE_EXAMPLES = """examples:
  psdata analyze urls.txt -o scores.parquet
  psdata analyze sites.csv --column page --strategy both --concurrency 3 -o scores.csv
  psdata analyze urls.parquet --categories performance,seo --throttling provided -o out.parquet
  psdata analyze urls.txt --quiet-window-ms 3000 --max-age 7d --errors raise -o scores.parquet
  PSDATA_PSI_KEY=... psdata analyze urls.txt --engine psi -o psi.parquet
  psdata analyze urls.txt --engine psi --psi-key-file ~/.config/psi-key -o psi.parquet
  psdata analyze urls.parquet --scheduler tcp://scheduler:8786 -o out/   # on a dask cluster
  psdata analyze --sitemap https://example.com --per-template 5 -o scores.parquet

exit status: 0 every row scored, 1 some rows failed (see the error column), 2 usage error
"""
SITEMAP_EXAMPLES = """examples:
  psdata sitemap https://example.com -o urls.csv
  psdata sitemap https://example.com -o urls.csv --per-template 5 --seed 1
  psdata sitemap https://example.com/sitemap_index.xml --max-urls 5000 -o urls.parquet

Reads robots.txt's Sitemap: lines (or /sitemap.xml), sitemap indexes, gzipped, text,
RSS and Atom sitemaps; writes url, lastmod, sitemap and template (the page type).
Needs the sitemaps extra: pip install 'psdata[sitemaps]'.

exit status: 0 URLs found (problems with some sitemaps are warnings on stderr),
2 usage error or no URL found
"""
DEMO_EXAMPLES = """examples:
  psdata demo
  psdata demo --strategy desktop -o demo.csv
  psdata demo --categories performance --quiet-window-ms 1000 -o demo.parquet
"""
CACHE_EXAMPLES = """examples:
  psdata cache info
  psdata cache clear --failures-only
  psdata cache clear --older-than 30d --cache-dir ./psdata-cache
"""
CACHE_INFO_EXAMPLES = """examples:
  psdata cache info
  psdata cache info --cache-dir ./psdata-cache
"""
CACHE_CLEAR_EXAMPLES = """examples:
  psdata cache clear                                  # everything
  psdata cache clear --url https://example.com/       # one URL
  psdata cache clear --older-than 7d --failures-only  # old failures
"""

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0}


def default(keyword: str) -> Any:
    """The default of :func:`psdata.analyze`'s *keyword* (the CLI never restates one).

    >>> default("strategy")
    'mobile'
    """
    return inspect.signature(analyze).parameters[keyword].default


def sitemap_default(keyword: str) -> Any:
    """The default of :func:`psdata.sitemap_urls`'s *keyword*.

    >>> sitemap_default("max_sitemaps")
    200
    """
    return inspect.signature(sitemap_urls).parameters[keyword].default


def seconds(text: str) -> float | None:
    """A duration: seconds, or a number with ``s``, ``m``, ``h`` or ``d``; ``none``: no limit.

    >>> seconds("90"), seconds("2h"), seconds("1d"), seconds("none")
    (90.0, 7200.0, 86400.0, None)
    """
    value = text.strip().lower()
    if value in ("none", "any", "inf"):
        return None
    factor = _UNITS.get(value[-1:])
    number = value[:-1] if factor is not None else value
    try:
        result = float(number) * (factor or 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a duration: {text!r} (e.g. 3600, 90m, 12h, 7d or none)"
        ) from None
    if not math.isfinite(result) or result < 0:
        raise argparse.ArgumentTypeError(f"a duration must be 0 or more, got {text!r}")
    return result


def category_list(text: str) -> list[str]:
    """Comma-separated categories (``performance,seo``); ``best-practices`` is accepted.

    >>> category_list("performance, best-practices")
    ['performance', 'best_practices']
    """
    names = [part.strip().replace("-", "_") for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in CATEGORIES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown category {', '.join(unknown) or text!r}; choose from {', '.join(CATEGORIES)}"
        )
    return names


def read_urls(path: Path, column: str | None) -> pd.Series:
    """URLs from a text file (one per line, ``#`` comments), a CSV or a Parquet file.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "urls.txt")
    ...     _ = path.write_text("# my pages\\nexample.com\\n\\nhttps://example.org/\\n")
    ...     read_urls(path, None).tolist()
    ['example.com', 'https://example.org/']
    """
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet", ".pq"):
        frame = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
        name = column or ("url" if "url" in frame.columns else None)
        if name is None or name not in frame.columns:
            raise UsageError(
                f"{path} has no column {name or 'url'!r}; choose one with --column "
                f"(columns: {', '.join(map(str, frame.columns))})."
            )
        return frame[name]
    lines = path.read_text(encoding="utf-8").splitlines()
    return pd.Series([line.strip() for line in lines if line.strip() and not line.startswith("#")])


def positive(text: str) -> int:
    """A positive integer (``--per-template``, ``--max-urls``...).

    >>> positive("5")
    5
    """
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return number


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write results as Parquet (with psdata metadata) or CSV, by the file's suffix."""
    try:
        if path.suffix.lower() == ".csv":
            frame.to_csv(path)
        else:
            to_parquet(frame, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def read_frame(path: Path) -> pd.DataFrame:
    """Read back what :func:`write_frame` wrote, by the file's suffix."""
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path)
    return pd.read_parquet(path)


class UsageError(PsdataError):
    """A problem with the command line or its input files (exit status 2)."""


class _RefuseKey(argparse.Action):
    """``--psi-key VALUE`` is refused without echoing VALUE (it would be in shell history)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        parser.error(
            "the PageSpeed Insights key is never a command-line argument (it would stay in "
            "your shell history): set PSDATA_PSI_KEY or use --psi-key-file PATH"
        )


def _add_run_options(parser: argparse.ArgumentParser, *, engines: bool) -> None:
    run = parser.add_argument_group("what to measure")
    run.add_argument(
        "--strategy",
        choices=["mobile", "desktop", "both"],
        default=default("strategy"),
        help="Lighthouse's form factor (default: %(default)s)",
    )
    run.add_argument(
        "--categories",
        type=category_list,
        default=None,
        metavar="LIST",
        help=f"comma-separated subset of {','.join(CATEGORIES)} (default: all)",
    )
    if engines:
        run.add_argument(
            "--engine",
            choices=list(ENGINES),
            default=default("engine"),
            help="lab: local Chromium; psi: PageSpeed Insights API; crux: field data only",
        )
    run.add_argument(
        "--throttling",
        choices=ENGINES["lab"].throttling,
        default=default("throttling"),
        help="lab engine: simulate (Lantern, as PSI; default), devtools (applied), provided (none)",
    )
    run.add_argument(
        "--quiet-window-ms",
        type=float,
        default=default("quiet_window_ms"),
        metavar="MS",
        help="lab engine: each threshold of the wait after load (default: Lighthouse's for the"
        " throttling: 1000 simulate, 5250 devtools/provided)",
    )
    how = parser.add_argument_group("how to run")
    how.add_argument(
        "--concurrency", type=int, default=default("concurrency"), help="pages measured at once"
    )
    how.add_argument(
        "--timeout",
        type=float,
        default=default("timeout"),
        metavar="SECONDS",
        help="per URL and attempt (default: %(default)s)",
    )
    how.add_argument(
        "--errors",
        choices=["coerce", "raise"],
        default=default("errors"),
        help="coerce: failures in the error column; raise: stop at the first (exit 1)",
    )
    how.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    cache = parser.add_argument_group("result store")
    cache.add_argument(
        "--cache-dir", type=Path, default=None, help="default: $PSDATA_CACHE_DIR or user cache"
    )
    cache.add_argument(
        "--max-age",
        type=seconds,
        default=default("max_age"),
        metavar="AGE",
        help="reuse stored successes younger than AGE (e.g. 3600, 12h, 7d, none; default 1d)",
    )
    cache.add_argument("--skip-cache", action="store_true", help="measure everything again")
    cache.add_argument("--force-retry", action="store_true", help="retry stored failures")
    if engines:
        psi = parser.add_argument_group("PageSpeed Insights / CrUX")
        psi.add_argument(
            "--psi-key-file",
            type=Path,
            default=None,
            metavar="PATH",
            help="a file holding the API key (default: $PSDATA_PSI_KEY); never pass the key itself",
        )
        psi.add_argument("--psi-key", action=_RefuseKey, help=argparse.SUPPRESS)
        psi.add_argument(
            "--psi-endpoint", default=None, metavar="URL", help="default: Google's PSI API v5"
        )
        psi.add_argument(
            "--crux-endpoint", default=None, metavar="URL", help="default: Google's CrUX API"
        )


def _command(commands: Any, name: str, help_text: str, examples: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        allow_abbrev=False,
        help=help_text,
        description=help_text,
        epilog=examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``psdata`` command.

    >>> build_parser().parse_args(["cache", "clear", "--older-than", "7d"]).older_than
    604800.0
    """
    parser = argparse.ArgumentParser(
        prog="psdata",
        allow_abbrev=False,
        description="Lighthouse-style scores for many URLs, as a table.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=MAIN_EXAMPLES + "\nrun 'psdata COMMAND --help' for a command's options",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    analyze = _command(
        commands, "analyze", "score the URLs of a file or of a site's sitemaps", ANALYZE_EXAMPLES
    )
    analyze.add_argument(
        "input", type=Path, nargs="?", help="a .txt (one URL per line), .csv or .parquet"
    )
    analyze.add_argument(
        "--sitemap",
        default=None,
        metavar="URL",
        help="score the pages a site's sitemaps list instead of a file (see psdata sitemap)",
    )
    analyze.add_argument(
        "--per-template",
        type=positive,
        default=None,
        metavar="K",
        help="K pages per page template (with --sitemap, the most recently modified first)",
    )
    analyze.add_argument("--column", default=None, help="the URL column of a CSV/Parquet input")
    analyze.add_argument(
        "-o", "--output", type=Path, default=None, help=".parquet or .csv (default: print only)"
    )
    analyze.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="measure on the dask cluster of this scheduler (pip install 'psdata[dask]'); "
        "-o is then a new directory that receives a Parquet dataset",
    )
    _add_run_options(analyze, engines=True)

    sitemap = _command(
        commands, "sitemap", "list the page URLs of a site's sitemaps", SITEMAP_EXAMPLES
    )
    sitemap.add_argument("site", help="a site (https://example.com), robots.txt or sitemap URL")
    sitemap.add_argument(
        "-o", "--output", type=Path, default=None, help=".csv or .parquet (default: print only)"
    )
    sitemap.add_argument(
        "--per-template",
        type=positive,
        default=None,
        metavar="K",
        help="keep K URLs per page template, most recently modified first (default: all)",
    )
    sitemap.add_argument(
        "--seed", type=int, default=0, help="random order of ties in --per-template (default: 0)"
    )
    sitemap.add_argument(
        "--max-urls",
        type=positive,
        default=sitemap_default("max_urls"),
        metavar="N",
        help="stop after N URLs (default: %(default)s)",
    )
    sitemap.add_argument(
        "--max-sitemaps",
        type=positive,
        default=sitemap_default("max_sitemaps"),
        metavar="N",
        help="read at most N sitemaps (default: %(default)s)",
    )
    sitemap.add_argument(
        "--timeout",
        type=float,
        default=sitemap_default("timeout"),
        metavar="SECONDS",
        help="for the whole reading (default: %(default)s)",
    )

    demo = _command(
        commands, "demo", "serve the bundled demo site on 127.0.0.1 and score it", DEMO_EXAMPLES
    )
    demo.add_argument(
        "-o", "--output", type=Path, default=Path("psdata-demo.parquet"), help=".parquet or .csv"
    )
    _add_run_options(demo, engines=False)

    cache = _command(commands, "cache", "show or clear the result store", CACHE_EXAMPLES)
    actions = cache.add_subparsers(dest="action", required=True, metavar="ACTION")
    info = _command(actions, "info", "where the result store is and what it holds",
                    CACHE_INFO_EXAMPLES)  # fmt: skip
    info.add_argument("--cache-dir", type=Path, default=None)
    clear = _command(actions, "clear", "remove stored results", CACHE_CLEAR_EXAMPLES)
    clear.add_argument("--cache-dir", type=Path, default=None)
    clear.add_argument("--url", default=None, help="only this URL")
    clear.add_argument(
        "--older-than", type=seconds, default=None, metavar="AGE", help="e.g. 3600, 12h, 7d"
    )
    clear.add_argument("--failures-only", action="store_true", help="only stored failures")
    return parser


def _psi_key(args: argparse.Namespace) -> str | None:
    path: Path | None = getattr(args, "psi_key_file", None)
    if path is None:
        return os.environ.get("PSDATA_PSI_KEY") or None
    try:
        key = path.expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UsageError(f"cannot read --psi-key-file {path}: {exc.strerror}") from None
    if not key:
        raise UsageError(f"--psi-key-file {path} is empty.")
    return key


def _cache_dir(args: argparse.Namespace) -> Path | None:
    path: Path | None = args.cache_dir
    return None if path is None else path.expanduser().resolve()


def analyze_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of :func:`psdata.analyze` that *args* give."""
    engine = getattr(args, "engine", "lab")
    return {
        "strategy": ["mobile", "desktop"] if args.strategy == "both" else args.strategy,
        "engine": engine,
        "categories": args.categories,
        "throttling": args.throttling,
        "concurrency": args.concurrency,
        "timeout": args.timeout,
        "errors": args.errors,
        "progress": not args.no_progress,
        "max_age": args.max_age,
        "skip_cache": args.skip_cache,
        "force_retry": args.force_retry,
        "quiet_window_ms": args.quiet_window_ms,
        "cache_dir": _cache_dir(args),
        "psi_key": _psi_key(args),
        "psi_endpoint": getattr(args, "psi_endpoint", None),
        "crux_endpoint": getattr(args, "crux_endpoint", None),
    }


def print_summary(frame: pd.DataFrame) -> None:
    """Print the main columns of a result, one line per URL."""
    columns = [c for c in SUMMARY_COLUMNS if c in frame.columns]
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(frame[columns].round(3).to_string())
    scored = int(frame["error"].isna().sum())
    print(f"\n{scored} of {len(frame)} rows scored; {len(frame) - scored} with an error.")


def _status(frame: pd.DataFrame) -> int:
    return EXIT_OK if frame["error"].isna().all() else EXIT_FAILED_ROWS


def read_site(site: str, per_template: int | None, seed: int = 0, **limits: Any) -> pd.DataFrame:
    """The URLs of *site*'s sitemaps (*per_template* of each template, if given); every
    sitemap's problem is printed on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SitemapWarning)
        urls = sitemap_urls(site, **limits)
    for warning in caught:
        print(f"psdata: warning: {warning.message}", file=sys.stderr)
    found = len(urls)
    if per_template is not None:
        urls = sample(urls, per_template=per_template, seed=seed)
    templates = urls["template"].nunique()
    print(f"{found} URLs in the sitemaps of {site}; {len(urls)} kept, {templates} templates.")
    return urls


def run_sitemap(args: argparse.Namespace) -> int:
    """``psdata sitemap``: list a site's page URLs and templates; write them."""
    urls = read_site(
        args.site,
        args.per_template,
        args.seed,
        max_urls=args.max_urls,
        max_sitemaps=args.max_sitemaps,
        timeout=args.timeout,
    )
    with pd.option_context("display.width", 200, "display.max_colwidth", 80):
        print(urls["template"].value_counts().rename("urls").to_string())
    if args.output is not None:
        write_frame(urls, args.output)
        print(f"Wrote {args.output}")
    return EXIT_OK


def analyze_input(args: argparse.Namespace) -> pd.Series | pd.DataFrame:
    """What ``psdata analyze`` scores: its input file's URLs or the ``--sitemap``'s (with
    their templates), ``--per-template`` of each template if given."""
    if (args.input is None) == (args.sitemap is None):
        raise UsageError("give an input file or --sitemap URL (one of them).")
    if args.sitemap is not None:
        return read_site(args.sitemap, args.per_template)
    try:
        urls = read_urls(args.input, args.column)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {args.input}: {exc}") from None
    return urls if args.per_template is None else sample(urls, per_template=args.per_template)


def run_analyze(args: argparse.Namespace) -> int:
    """``psdata analyze``: read the URLs, score them, print a summary, write the output."""
    options = analyze_options(args)
    urls = analyze_input(args)
    if args.scheduler is not None:  # the workers measure: this machine needs no Chromium
        from .dask import analyze_on_cluster

        if args.output is None:
            raise UsageError("--scheduler needs -o DIRECTORY for the Parquet dataset.")
        options["progress"] = False
        if isinstance(urls, pd.DataFrame):  # the URLs only: no template column in the dataset
            urls = urls["url"]
        rows, failed = analyze_on_cluster(urls, args.scheduler, args.output, **options)
        print(f"Wrote {rows} rows ({failed} with an error) to the Parquet dataset {args.output}")
        return EXIT_OK if failed == 0 else EXIT_FAILED_ROWS
    if options["engine"] == "lab":
        find_chromium()  # no Chromium is a setup error (exit 2), not a failure per row
    frame = analyze(urls, **options)
    print_summary(frame)
    if args.output is not None:
        write_frame(frame, args.output)
        print(f"Wrote {args.output}")
    return _status(frame)


def run_demo(args: argparse.Namespace) -> int:
    """Serve the demo site on 127.0.0.1, score it, print it, save it and read it back."""
    options = analyze_options(args)
    find_chromium()
    with serve_demo_site() as site:
        print(f"Serving the demo site at {site.base_url}")
        frame = analyze(pd.Series(demo_urls(site), name="url"), **options)
    print_summary(frame)
    write_frame(frame, args.output)
    back = read_frame(args.output)
    if args.output.suffix.lower() == ".csv":
        same = len(back) == len(frame)
        print(f"Wrote {args.output} ({len(back)} rows).")
    else:
        same = back.dtypes.equals(frame.dtypes) and back.index.equals(frame.index)
        print(
            f"Wrote {args.output} ({'dtypes and index round-trip' if same else 'DTYPES DIFFER'})."
        )
    if not same:
        raise PsdataError(f"{args.output} did not read back as written; please report this.")
    return _demo_status(frame)


def _demo_status(frame: pd.DataFrame) -> int:
    """0 when the demo went as designed: every page scored but the last, a deliberate 404."""
    is_last = frame["url"].eq(frame["url"].iloc[-1]).to_numpy()  # one row per strategy
    last, others = frame[is_last], frame[~is_last]
    as_designed = bool(others["error"].isna().all() and last["error_type"].eq("http").all())
    if as_designed:
        print("The last page is missing on purpose: its row shows what a failure looks like.")
    return EXIT_OK if as_designed else EXIT_FAILED_ROWS


def run_cache(args: argparse.Namespace) -> int:
    """``psdata cache info`` / ``psdata cache clear``."""
    if args.action == "info":
        for key, value in cache_info(cache_dir=_cache_dir(args)).items():
            if key.endswith("_at") and isinstance(value, int | float):
                value = datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")
            print(f"{key}: {value}")
        return EXIT_OK
    removed = clear_cache(
        older_than=args.older_than,
        failures_only=args.failures_only,
        url=args.url,
        cache_dir=_cache_dir(args),
    )
    print(f"Removed {removed} stored results.")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``psdata`` command; returns the exit status.

    >>> main(["cache", "info", "--cache-dir", "/nonexistent/psdata"])  # doctest: +SKIP
    """
    args = build_parser().parse_args(argv)  # usage errors exit with status 2
    runners = {
        "analyze": run_analyze,
        "sitemap": run_sitemap,
        "demo": run_demo,
        "cache": run_cache,
    }
    try:
        return runners[args.command](args)
    except AnalysisError as exc:  # errors="raise": the first failed row
        print(f"psdata: error: {exc}", file=sys.stderr)
        return EXIT_FAILED_ROWS
    except PsdataError as exc:  # configuration, no Chromium, unreadable input
        print(f"psdata: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("psdata: interrupted; finished URLs are kept in the result store.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
