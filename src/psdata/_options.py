"""The options of psdata's entry points, each declared once.

:class:`Options` lists them. A key's type is what a caller may pass: type checkers read
every entry point's keywords from it (``**options: Unpack[Options]``, PEP 692). Its
:class:`Option` annotation says the rest: the default, the documentation, the check, the
command-line flag, and whether the option changes results (the cache key). From this
declaration follow the entry points' keyword-only signatures and docs
(:func:`entry_point`), their defaults (:func:`complete`), the checks (:func:`check`), the
CLI's flags (:mod:`psdata.cli`), the keywords each dask partition is measured with
(:mod:`psdata.dask`) and the cache key (:func:`psdata._batch.result_settings`). Adding an
option is one entry here plus its use.

>>> OPTIONS[:3]
('strategy', 'engine', 'categories')
>>> DECLARED["timeout"].default, DECLARED["timeout"].flag.help
(120.0, 'per URL and attempt (default: %(default)s)')
"""

import argparse
import inspect
import math
import numbers
import os
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict, TypeVar, cast, get_args, get_type_hints

from . import _auth as auth
from ._errors import ConfigurationError
from ._frame import STRATEGIES, validate_categories
from ._lighthouse import CATEGORIES, MAX_CONTEXTS, MAX_RUNS, MIN_RUNS, WAITS
from .engines import ENGINES

F = TypeVar("F", bound=Callable[..., Any])

#: Where an option's value goes besides its own use: ``"value"``, into every cache key
#: as its checked value; ``"engine"``, into the cache key by way of the engine's
#: settings (or the key's own strategy and engine); ``"secret"``, into the cache key as a
#: keyed hash only (the result's settings name the option, never its value); ``None``,
#: nowhere (it does not change results).
CacheKey = Literal["value", "engine", "secret"] | None

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0}


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


def _both_strategies(value: str) -> str | list[str]:
    return list(STRATEGIES) if value == "both" else value


def resolved_path(path: Path | None) -> Path | None:
    """*path* made absolute, ``~`` expanded (a ``--cache-dir`` as the API gets it).

    >>> resolved_path(Path("~")) == Path.home().resolve(), resolved_path(None)
    (True, None)
    """
    return None if path is None else path.expanduser().resolve()


@dataclass(frozen=True)
class Flag:
    """An option on the command line (``psdata analyze``, and ``psdata demo`` if *demo*).

    The flag is ``--name`` with dashes for underscores (``--no-name`` for a boolean that
    defaults to true). A secret is never a plain argument, since it would stay in the
    shell's history: ``--name-file`` names a file holding it (else the environment
    variable *secret_env* is read; *read* turns its text into the value) and ``--name``
    is refused.
    """

    group: str
    help: str
    metavar: str | None = None
    choices: Sequence[str] | None = None
    #: The flag's text → its value (argparse's ``type``).
    parse: Callable[[str], Any] | None = None
    #: The flag's value (a secret's text) → the option's value; not called on ``None``.
    read: Callable[[Any], Any] | None = None
    demo: bool = True
    secret_env: str | None = None
    #: argparse's ``nargs`` (``"+"``: one or more values, as a list).
    nargs: str | None = None


@dataclass(frozen=True)
class Option:
    """Everything about one option besides its name and type (see the module docstring)."""

    default: Any
    #: The numpydoc type line and description of the option (in :func:`psdata.analyze`).
    kind: str
    doc: str
    flag: Flag
    #: The option's value → its checked value; a bad value raises ConfigurationError.
    check: Callable[[Any], Any] | None = None
    cache_key: CacheKey = None
    #: Only engines that load pages in psdata's own browser take it (``Engine.browser``);
    #: the others refuse it.
    browser_only: bool = False


def _strategies(strategy: str | Sequence[str]) -> tuple[str, ...]:
    names = (strategy,) if isinstance(strategy, str) else tuple(strategy)
    if not names or any(s not in STRATEGIES for s in names) or len(set(names)) != len(names):
        raise ConfigurationError(f"strategy must be 'mobile', 'desktop' or both, got {strategy!r}.")
    return names


def _engine(name: str) -> str:
    if name not in ENGINES:
        raise ConfigurationError(f"engine must be one of {', '.join(ENGINES)}, got {name!r}.")
    return name


def _categories(categories: Iterable[str] | None) -> tuple[str, ...]:
    return validate_categories(CATEGORIES if categories is None else list(categories))


def _runs(runs: int) -> int:
    if isinstance(runs, bool) or not isinstance(runs, int) or not MIN_RUNS <= runs <= MAX_RUNS:
        raise ConfigurationError(
            f"runs must be an integer from {MIN_RUNS} to {MAX_RUNS}, got {runs!r}."
        )
    return runs


def _timeout(timeout: float) -> float:
    if not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    return float(timeout)


def _errors(errors: str) -> str:
    if errors not in ("coerce", "raise"):
        raise ConfigurationError(f"errors must be 'coerce' or 'raise', got {errors!r}.")
    return errors


def _quiet_window(quiet: object) -> float | None:
    """A whole number of ms as an int, so ``200``, ``200.0`` (the CLI's) and Lighthouse's
    own waits (ints) give the same cache key.

    >>> _quiet_window(200.0), _quiet_window(200), _quiet_window(12.5), _quiet_window(None)
    (200, 200, 12.5, None)
    """
    if quiet is None:
        return None
    if (
        isinstance(quiet, bool)
        or not isinstance(quiet, numbers.Real)
        or not 0 <= float(quiet) <= 60_000
    ):
        raise ConfigurationError(f"quiet_window_ms must be between 0 and 60000, got {quiet!r}.")
    value = float(quiet)
    return int(value) if value.is_integer() else value


#: Lighthouse's wait thresholds per throttling method, as the CLI's help states them.
_LIGHTHOUSE_WAITS = ", ".join(f"{w.cpu_quiet_ms:g} {method}" for method, w in WAITS.items())
#: The CLI's groups of flags.
MEASURE, RUN, STORE = "what to measure", "how to run", "result store"
REMOTE = "PageSpeed Insights / CrUX"
AUTH = "logged-in pages and requests (lab engine; see docs/auth.md)"


class Options(TypedDict, total=False):
    """The options every entry point takes besides the URLs (see the module docstring)."""

    strategy: Annotated[str | Sequence[str], Option(
        "mobile",
        '{"mobile", "desktop"} or both as a list',
        "Lighthouse's form factor. With both, the index gains a ``strategy`` level.",
        Flag(MEASURE, "Lighthouse's form factor (default: %(default)s)",
             choices=(*STRATEGIES, "both"), read=_both_strategies),
        check=_strategies,
        cache_key="engine",
    )]  # fmt: skip
    engine: Annotated[str, Option(
        "lab",
        "{" + ", ".join(f'"{name}"' for name in ENGINES) + "}",
        "``lab`` measures locally in Chromium; ``psi`` asks PageSpeed Insights (needs the "
        "internet); ``crux`` fetches field data only.",
        Flag(MEASURE, "lab: local Chromium; psi: PageSpeed Insights API; crux: field data only",
             choices=tuple(ENGINES), demo=False),
        check=_engine,
        cache_key="engine",
    )]  # fmt: skip
    categories: Annotated[Iterable[str] | None, Option(
        None,
        "iterable of str, optional",
        f"Subset of {', '.join(CATEGORIES)} (default all four).",
        Flag(MEASURE, f"comma-separated subset of {','.join(CATEGORIES)} (default: all)",
             metavar="LIST", parse=category_list),
        check=_categories,
        cache_key="value",
    )]  # fmt: skip
    throttling: Annotated[str | None, Option(
        None,
        "str, optional",
        "The engine's throttling method (default: the engine's own). Lab: ``\"simulate\"`` "
        "(the default: Lighthouse's simulated throttling, as PageSpeed Insights and a plain "
        "``lighthouse`` run: an unthrottled load, then Lantern's estimate for a slow "
        "phone), ``\"devtools\"`` (Lighthouse's applied throttling) or ``\"provided\"`` "
        "(none).",
        Flag(MEASURE, "lab engine: simulate (Lantern, as PSI; default), devtools (applied),"
             " provided (none)", choices=ENGINES["lab"].throttling),
        cache_key="engine",
    )]  # fmt: skip
    runs: Annotated[int, Option(
        1,
        "int",
        f"Measurements of each URL and strategy ({MIN_RUNS}–{MAX_RUNS}). The row is then the "
        "representative run, chosen as Lighthouse does (nearest the median FCP and TTI); "
        "``runs`` counts the runs that succeeded and the ``*_iqr`` columns give the spread "
        "over them. Accessibility, best practices and SEO are judged in the first run, the "
        "later runs measure performance; every run is stored, and "
        ":func:`psdata.runs` gives them all.",
        Flag(MEASURE, f"measurements of each URL ({MIN_RUNS}-{MAX_RUNS}); the row is the"
             " representative run (default: %(default)s)", metavar="N", parse=int),
        check=_runs,
    )]  # fmt: skip
    concurrency: Annotated[int | None, Option(
        None,
        "int, optional",
        "Pages measured at once. Default: the pool's context limit (see "
        ":func:`set_max_concurrent_contexts`); under devtools throttling at most one page "
        "per 2 CPU cores, since each throttled page keeps a core busy and more pages skew "
        f"each other's paint timings. More than the limit (at most {MAX_CONTEXTS}) grows the "
        "pool for this call, so no page waits for a context while its timeout runs.",
        Flag(RUN, "pages measured at once", parse=int),
    )]  # fmt: skip
    timeout: Annotated[float, Option(
        120.0,
        "float",
        "Seconds allowed for one URL's measurement (one attempt), from the moment it has "
        "a browser context. Under 25 s a page is measured without the main-thread trace, "
        "so simulated throttling gives no FCP/LCP/SI/TBT or performance score (the row's "
        "``warnings`` says why).",
        Flag(RUN, "per URL and attempt (default: %(default)s)", metavar="SECONDS", parse=float),
        check=_timeout,
        cache_key="engine",
    )]  # fmt: skip
    errors: Annotated[Literal["coerce", "raise"], Option(
        "coerce",
        '{"coerce", "raise"}',
        "``coerce`` puts failures in the ``error`` column; ``raise`` raises the first.",
        Flag(RUN, "coerce: failures in the error column; raise: stop at the first (exit 1)",
             choices=("coerce", "raise")),
        check=_errors,
    )]  # fmt: skip
    progress: Annotated[bool, Option(
        True, "bool", "Show a progress bar.", Flag(RUN, "hide the progress bar"),
    )]  # fmt: skip
    max_age: Annotated[float | None, Option(
        86_400.0,
        "float or None",
        "Reuse stored successes younger than this many seconds (None: any age).",
        Flag(STORE, "reuse stored successes younger than AGE (e.g. 3600, 12h, 7d, none;"
             " default 1d)", metavar="AGE", parse=seconds),
    )]  # fmt: skip
    skip_cache: Annotated[bool, Option(
        False, "bool", "Measure everything again.", Flag(STORE, "measure everything again"),
    )]  # fmt: skip
    force_retry: Annotated[bool, Option(
        False, "bool", "Retry stored failures.", Flag(STORE, "retry stored failures"),
    )]  # fmt: skip
    quiet_window_ms: Annotated[float | None, Option(
        None,
        "float, optional",
        "Lab only: each threshold of Lighthouse's two-stage wait (pause after load and "
        "FCP, network quiet, then CPU quiet; default Lighthouse's for the throttling "
        "method: 1,000 ms each under simulate, 5,250 ms under devtools and provided, so a "
        "quiet page is observed about 2 s or 10.5 s after load). Shorter is faster but "
        "can miss late layout shifts, long tasks and late LCP.",
        Flag(MEASURE, "lab engine: each threshold of the wait after load (default: Lighthouse's"
             f" for the throttling: {_LIGHTHOUSE_WAITS})", metavar="MS", parse=float),
        check=_quiet_window,
        cache_key="engine",
    )]  # fmt: skip
    storage_state: Annotated[str | os.PathLike[str] | Mapping[str, Any] | None, Option(
        None,
        "path or dict, optional",
        "Lab only: a Playwright storage state (cookies and localStorage), as "
        "``context.storage_state(path=...)`` saves it, given to every page's fresh context.",
        Flag(AUTH, "a Playwright storage-state JSON file (cookies, localStorage)",
             metavar="PATH", parse=Path, demo=False),
        check=auth.check_storage_state,
        cache_key="secret",
        browser_only=True,
    )]  # fmt: skip
    login: Annotated[auth.Login | None, Option(
        None,
        "async function, optional",
        "Lab only: ``async def login(page)`` logs in; psdata runs it once per batch (once "
        "per dask worker), not measured, and gives every measured page its cookies and "
        "localStorage. Results are told apart by the function's name. On dask it must "
        "pickle: a module-level function, not a closure over a page or a lock.",
        Flag(AUTH, "an async login(page) function, as MODULE:FUNCTION (the current directory"
             " is importable)", metavar="MODULE:FUNCTION", read=auth.import_login, demo=False),
        check=auth.check_login,
        cache_key="secret",
        browser_only=True,
    )]  # fmt: skip
    headers: Annotated[Mapping[str, str] | None, Option(
        None,
        "dict, optional",
        "Lab only: extra HTTP headers for every request (Lighthouse's ``--extra-headers``).",
        Flag(AUTH, "a file of 'Name: value' lines or a JSON object (default: $PSDATA_HEADERS)",
             metavar="PATH", parse=Path, read=auth.headers_from_text, demo=False,
             secret_env="PSDATA_HEADERS"),
        check=auth.check_headers,
        cache_key="secret",
        browser_only=True,
    )]  # fmt: skip
    cookies: Annotated[str | Sequence[Mapping[str, Any]] | None, Option(
        None,
        "str or list of dict, optional",
        "Lab only: cookies for every page: ``\"name=value; ...\"`` for each page's own "
        "host, or Playwright cookie dicts (with ``url``, or ``domain`` and ``path``).",
        Flag(AUTH, "a file with 'name=value; ...' or a JSON list of cookie dicts (default:"
             " $PSDATA_COOKIES)", metavar="PATH", parse=Path, read=auth.cookies_from_text,
             demo=False, secret_env="PSDATA_COOKIES"),
        check=auth.check_cookies,
        cache_key="secret",
        browser_only=True,
    )]  # fmt: skip
    http_credentials: Annotated[tuple[str, str] | Mapping[str, str] | None, Option(
        None,
        "(user, password) or dict, optional",
        "Lab only: HTTP basic authentication for each page's origin (a dict with "
        "``origin`` names another).",
        Flag(AUTH, "a file with user:password (default: $PSDATA_HTTP_CREDENTIALS)",
             metavar="PATH", parse=Path, read=auth.credentials_from_text, demo=False,
             secret_env="PSDATA_HTTP_CREDENTIALS"),
        check=auth.check_credentials,
        cache_key="secret",
        browser_only=True,
    )]  # fmt: skip
    blocked_url_patterns: Annotated[str | Sequence[str] | None, Option(
        None,
        "str or list of str, optional",
        "Lab only: requests to leave out (Lighthouse's ``--blocked-url-patterns``): ``*`` "
        "matches any text and a pattern matches anywhere in the URL.",
        Flag(AUTH, "block requests whose URL matches (e.g. '*google-analytics.com*')",
             metavar="PATTERN", demo=False, nargs="+"),
        check=auth.check_blocked,
        cache_key="value",
        browser_only=True,
    )]  # fmt: skip
    login_url: Annotated[str | Sequence[str] | None, Option(
        None,
        "str or list of str, optional",
        "Lab only: the login page (a URL, a path such as ``/login``, or a ``*`` pattern, "
        "query aside): a page that ends there is an ``auth`` error.",
        Flag(AUTH, "a page that ends on this URL, path or * pattern is an auth error",
             metavar="URL", demo=False),
        check=auth.check_login_url,
        cache_key="value",
        browser_only=True,
    )]  # fmt: skip
    cache_dir: Annotated[str | os.PathLike[str] | None, Option(
        None,
        "path, optional",
        "Where the result store lives (default: ``PSDATA_CACHE_DIR`` or the user cache).",
        Flag(STORE, "default: $PSDATA_CACHE_DIR or user cache", parse=Path,
             read=resolved_path),
    )]  # fmt: skip
    psi_key: Annotated[str | None, Option(
        None,
        "str, optional",
        "PageSpeed Insights / CrUX API key (default ``PSDATA_PSI_KEY``).",
        Flag(REMOTE, "a file holding the API key (default: $PSDATA_PSI_KEY); never pass the"
             " key itself", metavar="PATH", parse=Path, demo=False, secret_env="PSDATA_PSI_KEY"),
    )]  # fmt: skip
    psi_endpoint: Annotated[str | None, Option(
        None,
        "str, optional",
        "The PageSpeed Insights API's URL (default: Google's v5).",
        Flag(REMOTE, "default: Google's PSI API v5", metavar="URL", demo=False),
    )]  # fmt: skip
    crux_endpoint: Annotated[str | None, Option(
        None,
        "str, optional",
        "The CrUX API's URL (default: Google's).",
        Flag(REMOTE, "default: Google's CrUX API", metavar="URL", demo=False),
    )]  # fmt: skip


_HINTS = get_type_hints(Options, include_extras=True)
#: Each option's declaration, by name, in signature order.
DECLARED: dict[str, Option] = {name: get_args(hint)[1] for name, hint in _HINTS.items()}
#: The options every entry point takes besides the URLs, in signature order.
OPTIONS: tuple[str, ...] = tuple(DECLARED)


def complete(given: Mapping[str, Any], caller: str) -> Options:
    """*given* with every option present, the defaults filled in.

    An unknown name raises :class:`TypeError`, as Python does for an unknown keyword.

    >>> complete({"timeout": 30}, "analyze")["timeout"], complete({}, "analyze")["engine"]
    (30, 'lab')
    """
    for name in given:
        if name not in DECLARED:
            raise TypeError(f"{caller}() got an unexpected keyword argument {name!r}")
    return cast(Options, {name: given.get(name, o.default) for name, o in DECLARED.items()})


def check(options: Options) -> Options:
    """Each option's checked value (a bad one raises :class:`ConfigurationError`).

    Checks that depend on the engine (its throttling methods, its concurrency) are the
    entry points' (:func:`psdata._api.analyze`).

    >>> check(complete({"strategy": "desktop"}, "analyze"))["strategy"]
    ('desktop',)
    """
    checked = {
        name: value if (test := DECLARED[name].check) is None else test(value)
        for name, value in options.items()
    }
    return cast(Options, checked)


def entry_point(function: F) -> F:
    """Give *function* (``def f(urls, **options: Unpack[Options])``) its options' signature.

    ``inspect.signature`` (``help()``, Jupyter, IDEs that read it) then shows every
    option as a keyword-only parameter with its default (after the parameters *function*
    names itself), and ``%(options)s`` in its docstring becomes the options' numpydoc.
    """
    signature = inspect.signature(function)
    own = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    named = {p.name for p in own}
    keywords = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=option.default,
            annotation=get_args(_HINTS[name])[0],
        )
        for name, option in DECLARED.items()
        if name not in named
    ]
    function.__signature__ = signature.replace(parameters=[*own, *keywords])  # type: ignore[attr-defined]
    if function.__doc__ and "%(options)s" in function.__doc__:
        function.__doc__ = _with_docs(function.__doc__)
    return function


def _with_docs(docstring: str) -> str:
    """*docstring* with its ``%(options)s`` line replaced by the options' numpydoc."""
    lines = docstring.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "%(options)s")
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    entries = []
    for name, option in DECLARED.items():
        entries.append(f"{indent}{name} : {option.kind}")
        entries += textwrap.wrap(
            option.doc, 88 - len(indent), initial_indent=indent + "    ",
            subsequent_indent=indent + "    ", break_on_hyphens=False,
        )  # fmt: skip
    return "\n".join([*lines[:at], *entries, *lines[at + 1 :]])
