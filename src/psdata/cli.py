"""The ``psdata`` command: a thin layer over the Python API.

Every option of ``psdata analyze`` is a keyword of :func:`psdata.analyze`, with the same
name and default: its flag is built from the option's declaration (:mod:`psdata._options`).
Exit status: 0 when every row was scored, 1 when some rows failed (their errors are in
the output file) or, with assertions (``psdata check``, ``analyze --assertions``), when an
``error`` assertion failed, 2 for a usage or configuration error (bad option, unreadable
input or assertions, no usable Chromium, a login that failed), with the message on stderr.
Secrets (the PageSpeed Insights key, headers, cookies, HTTP credentials) are read from a
file (``--psi-key-file``, ``--headers-file``...) or the environment (``PSDATA_PSI_KEY``,
``PSDATA_HEADERS``...), never from a plain argument, which would land in the shell's
history.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

# The public API only (``psdata.*``), plus the options' declaration, the tables of names and
# the assertions' reader (a bad file fails before anything is measured).
from . import (
    AnalysisError,
    PsdataError,
    SitemapWarning,
    analyze,
    cache_info,
    check,
    check_report,
    clear_cache,
    demo_urls,
    report,
    sample,
    serve_demo_site,
    sitemap_urls,
    to_parquet,
)
from ._lighthouse import CATEGORIES
from ._options import DECLARED, Option, resolved_path, seconds
from .analysis.check_report import error_failures
from .analysis.lhci_config import load_assertions

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
  psdata check scores.parquet --assertions lighthouserc.json
  psdata report scores.parquet -o report.html
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
  psdata analyze urls.txt --storage-state state.json --login-url /login -o scores.parquet
  psdata analyze urls.txt --login mysite.auth:login --headers-file headers.txt -o out.parquet
  psdata analyze urls.txt --blocked-url-patterns '*google-analytics.com*' '*.mp4' -o out.csv
  psdata analyze urls.parquet --scheduler tcp://scheduler:8786 -o out/   # on a dask cluster
  psdata analyze urls.txt --assertions lighthouserc.json --junit checks.xml -o scores.parquet
  psdata analyze --sitemap https://example.com --per-template 5 -o scores.parquet

exit status: 0 every row scored, 1 some rows failed (see the error column) or an error
assertion failed, 2 usage error
"""
CHECK_EXAMPLES = """examples:
  psdata check scores.parquet --assertions lighthouserc.json
  psdata check scores.parquet --assertions budget.json --junit checks.xml
  psdata check scores.parquet --assertions lighthouserc.json --summary "$GITHUB_STEP_SUMMARY"

exit status: 0 no error assertion failed, 1 one did, 2 usage error (unreadable file, bad
assertions); warnings and assertions that could not be checked are printed, not fatal
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
REPORT_EXAMPLES = """examples:
  psdata report scores.parquet -o report.html
  psdata report scores.parquet -o report.html --title "Shop, mobile, March"
  psdata report scores.parquet -o report.html --cache-dir ./psdata-cache

The page needs no network: open it in a browser, click a URL for its Lighthouse report.
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


def default(keyword: str) -> Any:
    """The default of :func:`psdata.analyze`'s *keyword* (the CLI never restates one).

    >>> default("strategy")
    'mobile'
    """
    return DECLARED[keyword].default


def sitemap_default(keyword: str) -> Any:
    """The default of :func:`psdata.sitemap_urls`'s *keyword*.

    >>> sitemap_default("max_sitemaps")
    200
    """
    return inspect.signature(sitemap_urls).parameters[keyword].default


def read_urls(path: Path, column: str | None) -> pd.Series | pd.DataFrame:
    """URLs from a text file (one per line, ``#`` comments), a CSV or a Parquet file.

    A file with a ``template`` column (``psdata sitemap -o``'s) gives a frame: ``url``,
    ``template`` and ``lastmod`` if there, so the scores keep each URL's template.

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
        if "template" in frame.columns:
            kept = [c for c in ("template", "lastmod") if c in frame.columns]
            return frame[[name, *kept]].rename(columns={name: "url"})
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


class _RefuseSecret(argparse.Action):
    """``--psi-key VALUE`` (or ``--headers``...) is refused without echoing VALUE (it would be
    in shell history)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        env, flag = self.const
        parser.error(
            f"{self.option_strings[0]} is never a command-line argument (it would stay in "
            f"your shell history): set {env} or use {flag} PATH"
        )


def _flag_name(name: str, option: Option) -> str:
    """``--name``; ``--no-name`` for a boolean that defaults to true; ``--name-file``."""
    dashed = name.replace("_", "-")
    if option.flag.secret_env is not None:
        return f"--{dashed}-file"
    return f"--no-{dashed}" if option.default is True else f"--{dashed}"


def _add_run_options(parser: argparse.ArgumentParser, *, engines: bool) -> None:
    """One flag per declared option, in its group (the demo: only the lab engine's)."""
    groups: dict[str, Any] = {}
    for name, option in DECLARED.items():
        flag = option.flag
        if not (engines or flag.demo):
            continue
        if flag.group not in groups:
            groups[flag.group] = parser.add_argument_group(flag.group)
        group = groups[flag.group]
        if isinstance(option.default, bool):
            action = "store_false" if option.default else "store_true"
            group.add_argument(_flag_name(name, option), dest=name, action=action, help=flag.help)
            continue
        group.add_argument(
            _flag_name(name, option),
            dest=name,
            type=flag.parse,
            choices=flag.choices,
            default=None if flag.secret_env else option.default,
            metavar=flag.metavar,
            nargs=flag.nargs,
            help=flag.help,
        )
        if flag.secret_env is not None:  # --psi-key VALUE is refused, VALUE unechoed
            instead = (flag.secret_env, _flag_name(name, option))
            plain = f"--{name.replace('_', '-')}"
            group.add_argument(plain, action=_RefuseSecret, const=instead, help=argparse.SUPPRESS)


def _add_assertion_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_argument_group("assertions (Lighthouse CI's, or a budget.json)")
    group.add_argument(
        "--assertions",
        type=Path,
        required=required,
        default=None,
        metavar="FILE",
        help="a lighthouserc (.json, .yaml) or budget.json to judge the results with",
    )
    group.add_argument(
        "--junit", type=Path, default=None, metavar="FILE", help="write JUnit XML for CI systems"
    )
    group.add_argument(
        "--summary",
        type=Path,
        default=None,
        metavar="FILE",
        help="write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)",
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
    _add_assertion_options(analyze, required=False)

    judge = _command(
        commands,
        "check",
        "judge a results file with Lighthouse CI assertions or a budget.json",
        CHECK_EXAMPLES,
    )
    judge.add_argument("results", type=Path, help="a .parquet file psdata analyze wrote")
    judge.add_argument(
        "--cache-dir", type=Path, default=None, help="the result store, if not the results' own"
    )
    _add_assertion_options(judge, required=True)

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

    page = _command(
        commands,
        "report",
        "write one HTML page: the batch's summary and each row's Lighthouse report",
        REPORT_EXAMPLES,
    )
    page.add_argument("input", type=Path, help="a result file of psdata analyze (.parquet)")
    page.add_argument(
        "-o", "--output", type=Path, default=Path("psdata-report.html"), help="the HTML file"
    )
    page.add_argument("--title", default=None, help="the page's title")
    page.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="the result store holding the rows' audits, if not the one the file was made with",
    )

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


def _secret(path: Path | None, env: str, flag: str) -> str | None:
    """A secret from the file at *path* (given by *flag*), else from the variable *env*."""
    if path is None:
        return os.environ.get(env) or None
    try:
        key = path.expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UsageError(f"cannot read {flag} {path}: {exc.strerror}") from None
    if not key:
        raise UsageError(f"{flag} {path} is empty.")
    return key


def _cache_dir(args: argparse.Namespace) -> Path | None:
    return resolved_path(args.cache_dir)


def analyze_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of :func:`psdata.analyze` that *args* give (defaults where no flag)."""
    options = {}
    for name, option in DECLARED.items():
        flag = option.flag
        if not hasattr(args, name):  # not a flag of this command
            options[name] = option.default
        elif flag.secret_env is not None:
            text = _secret(getattr(args, name), flag.secret_env, _flag_name(name, option))
            options[name] = text if text is None or flag.read is None else flag.read(text)
        else:
            value = getattr(args, name)
            options[name] = value if value is None or flag.read is None else flag.read(value)
    return options


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
    if args.assertions is not None:
        load_assertions(args.assertions)  # a bad file fails before anything is measured
    elif args.junit is not None or args.summary is not None:
        raise UsageError("--junit and --summary report on --assertions FILE; give it.")
    urls = analyze_input(args)
    if args.scheduler is not None:  # the workers measure: this machine needs no Chromium
        from .dask import analyze_on_cluster

        if args.output is None:
            raise UsageError("--scheduler needs -o DIRECTORY for the Parquet dataset.")
        if args.assertions is not None:
            raise UsageError(
                "--assertions does not work with --scheduler: the details assertions read"
                " stay in the workers' result stores."
            )
        options["progress"] = False
        if isinstance(urls, pd.DataFrame):  # the URLs only: no template column in the dataset
            urls = urls["url"]
        rows, failed = analyze_on_cluster(
            urls, args.scheduler, args.output, lambda series: analyze(series, **options)
        )
        print(f"Wrote {rows} rows ({failed} with an error) to the Parquet dataset {args.output}")
        return EXIT_OK if failed == 0 else EXIT_FAILED_ROWS
    frame = analyze(urls, **options)  # no usable Chromium raises at once: exit 2
    print_summary(frame)
    if args.output is not None:
        write_frame(frame, args.output)
        print(f"Wrote {args.output}")
    status = _status(frame)
    if args.assertions is not None:
        print()
        status = max(status, report_checks(check(frame, args.assertions), args))
    return status


def run_check(args: argparse.Namespace) -> int:
    """``psdata check``: judge a results file, print the failures, write the reports."""
    try:
        frame = pd.read_parquet(args.results)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {args.results} as Parquet: {exc}") from None
    return report_checks(check(frame, args.assertions, cache_dir=_cache_dir(args)), args)


def report_checks(checks: pd.DataFrame, args: argparse.Namespace) -> int:
    """Print the text report, write ``--junit`` / ``--summary``; 1 if an error assertion failed."""
    print(check_report(checks), end="")
    for path, form in ((args.junit, "junit"), (args.summary, "markdown")):
        if path is not None:
            try:
                path.write_text(check_report(checks, form), encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
            print(f"Wrote {path}")
    return EXIT_FAILED_ROWS if error_failures(checks) else EXIT_OK


def run_demo(args: argparse.Namespace) -> int:
    """Serve the demo site on 127.0.0.1, score it, print it, save it and read it back."""
    options = analyze_options(args)
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


def run_report(args: argparse.Namespace) -> int:
    """``psdata report``: one HTML page of a result file, with each row's Lighthouse report."""
    if not args.input.is_file():
        raise UsageError(f"cannot read {args.input}: no such file")
    try:
        frame = read_frame(args.input)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {args.input}: {exc}") from None
    missing = [name for name in ("url", "strategy", "error") if name not in frame.columns]
    if missing:
        raise UsageError(
            f"{args.input} is not a psdata result (no column {', '.join(missing)}); "
            "write one with psdata analyze -o FILE.parquet"
        )
    path = report(frame, args.output, title=args.title, cache_dir=_cache_dir(args))
    print(f"Wrote {path} ({len(frame)} rows): open it in a browser.")
    return EXIT_OK


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
        "check": run_check,
        "sitemap": run_sitemap,
        "demo": run_demo,
        "report": run_report,
        "cache": run_cache,
    }
    try:
        return runners[args.command](args)
    except AnalysisError as exc:  # errors="raise": the first failed row
        print(f"psdata: error: {exc}", file=sys.stderr)
        return EXIT_FAILED_ROWS
    except PsdataError as exc:  # configuration, no Chromium, unreadable input, login failed
        print(f"psdata: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("psdata: interrupted; finished URLs are kept in the result store.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
