"""Shared fixtures: a real local HTTP server, an isolated result store, no orphan browsers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

import psdata
from psdata._runtime import browser_processes
from psdata._server import ServedSite, serve_directory

PAGES = Path(__file__).parent / "pages" / "core"

#: Fast waits for tests: the quiet windows matter for accuracy, not for correctness.
FAST = {"quiet_window_ms": 200, "progress": False, "timeout": 30.0}


@pytest.fixture(scope="session")
def site() -> Iterator[ServedSite]:
    """The core test pages, served on 127.0.0.1 for the whole session."""
    with serve_directory(PAGES) as served:
        yield served


@pytest.fixture(autouse=True)
def isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own result store, so nothing is served from an earlier test."""
    store = tmp_path / "cache"
    monkeypatch.setenv("PSDATA_CACHE_DIR", str(store))
    return store


@pytest.fixture(scope="session", autouse=True)
def no_orphan_browsers() -> Iterator[None]:
    """After the session, psdata.shutdown() must leave no Chromium process behind."""
    yield
    before = browser_processes()
    psdata.shutdown()
    _, alive = psutil.wait_procs(before, timeout=10)
    assert not alive, f"Chromium processes left after shutdown: {[p.pid for p in alive]}"
