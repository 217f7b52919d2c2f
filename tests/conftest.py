"""Shared fixtures: real local HTTP servers, an isolated result store, no orphan browsers,
global settings restored after every test, and the recorded fixtures of ``tests/fixtures``.

Every page a test loads is served by :func:`psdata.demo.server.serve_directory` on
127.0.0.1: the core pages by ``site``, a test's own files and routes by ``serve``.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import psutil
import pytest

import psdata
from psdata.demo.server import Received, Route, ServedSite, serve_directory
from psdata.engines.lab import browser as _browser
from psdata.engines.lab.browser import browser_processes

PAGES = Path(__file__).parent / "pages" / "core"
#: Recorded reports and API answers (see fixtures/README.md); tests read nothing else.
FIXTURES = Path(__file__).parent / "fixtures"
#: Environment variables that change what psdata does; restored after every test.
PSDATA_ENV = ("PSDATA_CACHE_DIR", "PSDATA_CHROMIUM", "CHROME_PATH", "PSDATA_PSI_KEY")

#: Fast waits for tests: the quiet windows matter for accuracy, not for correctness.
FAST = {"quiet_window_ms": 200, "progress": False, "timeout": 30.0}


def unexpected_warnings(warnings: str | None) -> list[str]:
    """A row's warnings but the missing time to interactive, which short waits (FAST's)
    cause under devtools and provided: the trace ends a few hundred ms after the page
    goes quiet, before the 5 s quiet window TTI needs."""
    lines = [] if warnings is None or pd.isna(warnings) else warnings.splitlines()
    return [line for line in lines if not line.startswith("Time to interactive not found")]


def load_fixture(name: str) -> Any:
    """The JSON fixture *name* from ``tests/fixtures`` (``name.gz`` when it is compressed).

    A missing fixture raises ``FileNotFoundError``: the test fails, it is never skipped.
    """
    path = FIXTURES / name
    if not path.exists() and (FIXTURES / f"{name}.gz").exists():
        path = FIXTURES / f"{name}.gz"
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def fixture_names(pattern: str) -> list[str]:
    """Names (without ``.gz``) of the fixtures matching *pattern*; at least one must exist."""
    names = sorted(p.name.removesuffix(".gz") for p in FIXTURES.glob(pattern))
    if not names:
        raise FileNotFoundError(f"no fixture matches {pattern!r} in {FIXTURES}")
    return names


@pytest.fixture(scope="session")
def site() -> Iterator[ServedSite]:
    """The core test pages, served on 127.0.0.1 for the whole session."""
    with serve_directory(PAGES) as served:
        yield served


class Serve(Protocol):
    """The ``serve`` fixture: start a site of *files* and *routes* (see :func:`serve`)."""

    def __call__(
        self,
        files: Mapping[str, str | bytes] | None = None,
        routes: Mapping[str, Route] | None = None,
    ) -> ServedSite: ...


@pytest.fixture(scope="session")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    """Start a site on 127.0.0.1 for a test: *files* (relative path -> text or bytes)
    written to a fresh directory, *routes* answered before them (a fixed ``Response``, a
    function of the request, ``None`` to hang: see :mod:`psdata.demo.server`), every
    request kept in ``site.requests``. Each site closes with the session, or earlier with
    ``site.close()``."""
    started: list[ServedSite] = []

    def start(
        files: Mapping[str, str | bytes] | None = None,
        routes: Mapping[str, Route] | None = None,
    ) -> ServedSite:
        root = tmp_path_factory.mktemp("served")
        for name, content in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        site = serve_directory(root, routes=routes, record_requests=True)
        started.append(site)
        return site

    yield start
    for site in started:
        site.close()


def most_at_once(spans: Iterable[tuple[float, float | None]]) -> int:
    """The most of the (start, end) *spans* that overlap (``None``: no end yet)."""
    events: list[tuple[float, int]] = []
    for start, end in spans:
        events.append((start, 1))
        if end is not None:
            events.append((end, -1))
    most = current = 0
    for _, change in sorted(events):  # an end before a start at the same time
        current += change
        most = max(most, current)
    return most


def most_in_flight(requests: Iterable[Received]) -> int:
    """The most of *requests* a server was answering at the same time."""
    return most_at_once((r.started, r.finished) for r in requests)


@pytest.fixture(autouse=True)
def isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own result store, so nothing is served from an earlier test."""
    store = tmp_path / "cache"
    monkeypatch.setenv("PSDATA_CACHE_DIR", str(store))
    return store


@pytest.fixture(autouse=True)
def restore_global_settings() -> Iterator[None]:
    """Whatever a test sets process-wide (context limit, Chromium path, psdata's environment
    variables) is put back afterwards, so tests pass in any order and alone."""
    limit = psdata.get_max_concurrent_contexts()
    chromium = _browser._explicit_path
    env = {name: os.environ.get(name) for name in PSDATA_ENV}
    yield
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _browser._explicit_path = chromium
    if psdata.get_max_concurrent_contexts() != limit:
        psdata.set_max_concurrent_contexts(limit)


def opportunity_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The weight-0 performance audits of *frame* but the hidden metrics (Lighthouse's
    opportunities and diagnostics), one row per page and audit, indexed as *frame*."""
    audits = psdata.audits(frame)
    metrics = {"interactive", "max-potential-fid"}
    return audits[
        (audits.category == "performance") & (audits.weight == 0) & ~audits.audit_id.isin(metrics)
    ]


def audit_of(table: pd.DataFrame, page: str, audit_id: str) -> pd.Series:
    """The row of one page's audit in an :func:`opportunity_table`."""
    rows = table.loc[[page]]
    return rows[rows.audit_id == audit_id].iloc[0]


@pytest.fixture
def earlier_browsers() -> set[int]:
    """Browser processes that were there before the test (e.g. psdata's shared pool's):
    the test neither kills nor counts them."""
    return {p.pid for p in browser_processes()}


@pytest.fixture
def kill_own_browsers(earlier_browsers: set[int]) -> Callable[[], list[int]]:
    """Kill the browser processes the test started; returns their pids. A process that
    is already gone (a child dies with its browser) is skipped, not an error."""

    def kill() -> list[int]:
        killed = []
        for process in browser_processes():
            if process.pid not in earlier_browsers:
                try:
                    process.kill()
                except psutil.NoSuchProcess:
                    continue
                killed.append(process.pid)
        return killed

    return kill


def lantern_workers() -> list[psutil.Process]:
    """The Lantern worker processes (Node running ``worker.mjs``) of this Python process."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if any(arg.endswith("worker.mjs") for arg in child.cmdline()):
                found.append(child)
        except psutil.Error:  # gone meanwhile
            continue
    return found


@pytest.fixture(scope="session", autouse=True)
def no_orphan_browsers() -> Iterator[None]:
    """After the session, psdata.shutdown() must leave no Chromium process and no Lantern
    worker behind."""
    yield
    before = browser_processes() + lantern_workers()
    psdata.shutdown()
    _, alive = psutil.wait_procs(before, timeout=10)
    assert not alive, f"processes left after shutdown: {[p.pid for p in alive]}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Print pytest-randomly's seed even under ``-q`` (which hides the header), so a
    failure in a random order can be replayed."""
    seed = getattr(session.config.option, "randomly_seed", None)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if isinstance(seed, int) and reporter is not None:
        reporter.write_line(
            f"random test order: replay with `python -m pytest -p randomly --randomly-seed={seed}`"
        )
