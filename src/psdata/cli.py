"""The ``psdata`` command: a thin layer over the Python API.

Every option of ``psdata analyze`` is a keyword of :func:`psdata.analyze`, with the same
name and default: its flag is built from the option's declaration (:mod:`psdata._options`).
Exit status: 0 when every row was scored, 1 when some rows failed (their errors are in
the output file), 2 for a usage or configuration error (bad option, unreadable input, no
usable Chromium), with the message on stderr. The PageSpeed Insights key is read from
``PSDATA_PSI_KEY`` or ``--psi-key-file``, never from a plain argument (which would land in
the shell's history).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

# The public API only (``psdata.*``), plus the options' declaration and the tables of names.
from . import (
    AnalysisError,
    PsdataError,
    analyze,
    cache_info,
    clear_cache,
    demo_urls,
    serve_demo_site,
    to_parquet,
)
from ._lighthouse import CATEGORIES
from ._options import DECLARED, Option, resolved_path, seconds

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

exit status: 0 every row scored, 1 some rows failed (see the error column), 2 usage error
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


def default(keyword: str) -> Any:
    """The default of :func:`psdata.analyze`'s *keyword* (the CLI never restates one).

    >>> default("strategy")
    'mobile'
    """
    return DECLARED[keyword].default


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
    """``--psi-key VALUE`` is refused without echoing VALUE (it would be in shell history)."""

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
            help=flag.help,
        )
        if flag.secret_env is not None:  # --psi-key VALUE is refused, VALUE unechoed
            instead = (flag.secret_env, _flag_name(name, option))
            plain = f"--{name.replace('_', '-')}"
            group.add_argument(plain, action=_RefuseSecret, const=instead, help=argparse.SUPPRESS)


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

    analyze = _command(commands, "analyze", "score the URLs of a file", ANALYZE_EXAMPLES)
    analyze.add_argument("input", type=Path, help="a .txt (one URL per line), .csv or .parquet")
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
            options[name] = _secret(getattr(args, name), flag.secret_env, _flag_name(name, option))
        else:
            value = getattr(args, name)
            options[name] = value if flag.read is None else flag.read(value)
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


def run_analyze(args: argparse.Namespace) -> int:
    """``psdata analyze``: read the URLs, score them, print a summary, write the output."""
    options = analyze_options(args)
    try:
        urls = read_urls(args.input, args.column)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {args.input}: {exc}") from None
    if args.scheduler is not None:  # the workers measure: this machine needs no Chromium
        from .dask import analyze_on_cluster

        if args.output is None:
            raise UsageError("--scheduler needs -o DIRECTORY for the Parquet dataset.")
        options["progress"] = False
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
    return _status(frame)


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
    runners = {"analyze": run_analyze, "demo": run_demo, "cache": run_cache}
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
