"""Where psdata finds Chromium, in the README's order: ``psdata.set_chromium_path``,
``PSDATA_CHROMIUM`` / ``CHROME_PATH``, Playwright's downloaded Chromium, then
``chromium``, ``chromium-browser``, ``google-chrome`` on ``PATH``; with none, an error
that names the commands that install one. And what a call does without a usable one.

Fake executables in a temporary directory stand in for the browsers, with ``PATH`` and
Playwright's browser folder pointed there: for the lookup, and as a Chromium that does
not start.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import psdata
from psdata.demo.server import ServedSite

#: The names looked up on PATH, first found first.
ON_PATH = ("chromium", "chromium-browser", "google-chrome")


def executable(path: Path) -> str:
    """Create an executable file at *path*; return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def no_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with no Chromium: psdata's variables unset, Playwright's browser folder
    empty, and ``PATH`` two empty directories of *tmp_path* (``bin1`` before ``bin2``)."""
    for variable in ("PSDATA_CHROMIUM", "CHROME_PATH"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin1'}:{tmp_path / 'bin2'}")
    psdata.set_chromium_path(None)
    return tmp_path


def test_each_source_wins_over_the_ones_after_it(
    no_chromium: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # google-chrome comes first on PATH, yet the names are tried in the README's order.
    system = {
        "google-chrome": executable(no_chromium / "bin1" / "google-chrome"),
        "chromium-browser": executable(no_chromium / "bin2" / "chromium-browser"),
        "chromium": executable(no_chromium / "bin2" / "chromium"),
    }
    playwright = executable(
        no_chromium / "ms-playwright" / "chromium-1140" / "chrome-linux" / "chrome"
    )
    chosen = executable(no_chromium / "chosen" / "chrome")
    monkeypatch.setenv("PSDATA_CHROMIUM", executable(no_chromium / "psdata-env" / "chrome"))
    monkeypatch.setenv("CHROME_PATH", executable(no_chromium / "chrome-path" / "chrome"))
    psdata.set_chromium_path(chosen)

    assert psdata.find_chromium() == chosen
    psdata.set_chromium_path(None)
    assert psdata.find_chromium() == str(no_chromium / "psdata-env" / "chrome")
    monkeypatch.delenv("PSDATA_CHROMIUM")
    assert psdata.find_chromium() == str(no_chromium / "chrome-path" / "chrome")
    monkeypatch.delenv("CHROME_PATH")
    assert psdata.find_chromium() == playwright
    shutil.rmtree(no_chromium / "ms-playwright")
    for name in ON_PATH:
        assert psdata.find_chromium() == system[name]
        Path(system[name]).unlink()
    with pytest.raises(psdata.BrowserNotFoundError) as caught:
        psdata.find_chromium()
    message = str(caught.value)
    assert "python -m playwright install chromium" in message
    assert "apt-get install -y chromium" in message
    assert "PSDATA_CHROMIUM" in message and "set_chromium_path" in message


def test_a_named_chromium_that_is_not_executable_is_an_error_not_skipped(
    no_chromium: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executable(no_chromium / "bin1" / "chromium")  # would be found if the error fell through
    not_a_browser = no_chromium / "notes.txt"
    not_a_browser.write_text("not a browser", encoding="utf-8")
    with pytest.raises(psdata.BrowserNotFoundError, match="set_chromium_path"):
        psdata.set_chromium_path(not_a_browser)
    monkeypatch.setenv("PSDATA_CHROMIUM", str(not_a_browser))
    with pytest.raises(psdata.BrowserNotFoundError, match=r"\$PSDATA_CHROMIUM"):
        psdata.find_chromium()
    monkeypatch.delenv("PSDATA_CHROMIUM")
    monkeypatch.setenv("CHROME_PATH", str(no_chromium / "missing"))
    with pytest.raises(psdata.BrowserNotFoundError, match=r"\$CHROME_PATH"):
        psdata.find_chromium()


@pytest.fixture(scope="module")
def real_chromium() -> str:
    """The machine's Chromium (found before a test hides it)."""
    return psdata.find_chromium()


#: Every entry point, called on one URL with quick settings.
QUICK: dict[str, Any] = {"categories": ["seo"], "progress": False, "quiet_window_ms": 200}
ENTRY_POINTS: dict[str, Callable[[str], Any]] = {
    "analyze": lambda url: psdata.analyze([url], **QUICK),
    "analyze_async": lambda url: asyncio.run(psdata.analyze_async([url], **QUICK)),
    "run_analysis": lambda url: psdata.run_analysis(url, **QUICK),
    "run_analysis_batch": lambda url: asyncio.run(psdata.run_analysis_batch([url], **QUICK)),
}


def does_not_start(directory: Path) -> str:
    """A "Chromium" that exits at once with an error of its own (a broken install)."""
    path = directory / "broken" / "chromium"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\necho 'chromium: error while loading shared libraries: libnss3.so' >&2\n"
        "exit 127\n",
        encoding="utf-8",
    )
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("chromium", ["missing", "does not start"])
def test_without_a_usable_chromium_every_entry_point_raises_at_once(
    entry: str,
    chromium: str,
    real_chromium: str,
    no_chromium: Path,
    site: ServedSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A setup error, not a failure per row: BrowserNotFoundError before anything is
    measured, with the fix (and the browser's own error, not Playwright's launch log),
    nothing stored, no traceback logged. Once fixed, the same call measures."""
    psdata.shutdown()  # the next call launches a browser: the one this test sets up
    if chromium == "does not start":
        psdata.set_chromium_path(does_not_start(no_chromium))
    url = site.url(f"/simple.html?{entry}-{chromium.replace(' ', '-')}")
    with (
        caplog.at_level(logging.DEBUG, logger="psdata"),
        pytest.raises(psdata.BrowserNotFoundError) as caught,
    ):
        ENTRY_POINTS[entry](url)
    message = str(caught.value)
    if chromium == "missing":
        assert "python -m playwright install chromium" in message
    else:
        assert "did not start: chromium: error while loading shared libraries" in message
        assert "Call log" not in message and "--headless" not in message.splitlines()[0]
    assert "set_chromium_path" in message
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a setup error"
    assert psdata.cache_info()["rows"] == 0
    psdata.set_chromium_path(real_chromium)
    row = first_row(ENTRY_POINTS[entry](url))
    assert pd.isna(row["error"]) and pd.notna(row["seo"]), row["error"]


def first_row(result: Any) -> dict[str, Any]:
    """The first row of any entry point's result (a frame, a record, a list of them)."""
    if isinstance(result, pd.DataFrame):
        return dict(result.iloc[0])
    return dict(result[0] if isinstance(result, list) else result)


def test_a_call_with_nothing_to_measure_needs_no_chromium(no_chromium: Path) -> None:
    psdata.shutdown()
    rows = psdata.analyze(["not a url", None], **QUICK)
    assert rows["error_type"].tolist() == ["invalid_url", "invalid_url"]
