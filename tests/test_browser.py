"""Where psdata finds Chromium, in the README's order: ``psdata.set_chromium_path``,
``PSDATA_CHROMIUM`` / ``CHROME_PATH``, Playwright's downloaded Chromium, then
``chromium``, ``chromium-browser``, ``google-chrome`` on ``PATH``; with none, an error
that names the commands that install one.

Fake executables in a temporary directory stand in for the browsers (only the lookup
runs, nothing is launched), with ``PATH`` and Playwright's browser folder pointed there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import psdata

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
