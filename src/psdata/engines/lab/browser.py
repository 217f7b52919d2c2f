"""Finding a Chromium executable, the options psdata launches it with, its processes.

Order of search: an explicit path (keyword or ``PSDATA_CHROMIUM`` / ``CHROME_PATH``),
then Playwright's own downloaded Chromium, then a system Chromium on ``PATH``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import psutil

from ..._errors import BrowserNotFoundError

ENV_VARS: tuple[str, ...] = ("PSDATA_CHROMIUM", "CHROME_PATH")
SYSTEM_NAMES: tuple[str, ...] = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)

#: Flags for quiet, comparable measurements: no background traffic to Google, no
#: throttling of background tabs (several contexts measure at once), no first-run UI.
#: The disabled features are Lighthouse's (chrome-launcher's) plus Chromium's WebUI
#: omnibox popups: headless Chromium preloads them in every window, that is for every
#: measured page, in a renderer of their own (about 270 files, 1.7 s of main-thread
#: work while the page loads; ``bench/cpu_split.py``: 2.6 → 2.1 CPU-seconds per URL).
LAUNCH_ARGS: tuple[str, ...] = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-ipc-flooding-protection",
    "--disable-hang-monitor",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--password-store=basic",
    "--use-mock-keychain",
    "--mute-audio",
    "--disable-features=Translate,MediaRouter,OptimizationHints,InterestFeedContentSuggestions,"
    "CalculateNativeWinOcclusion,AutofillServerCommunication,CertificateTransparencyComponentUpdater,"
    "WebUIOmniboxPopup,WebUIOmniboxAimPopup",
)

#: Playwright's default flags that psdata drops: Lighthouse's Chrome shows classic
#: scrollbars on desktop, so a page that grows past the viewport reflows by their width,
#: a layout shift Lighthouse counts (mobile emulation uses overlay scrollbars either way).
#: Playwright's ``--blink-settings`` make headless Chromium report a mouse (``(hover:
#: hover)``, a fine pointer); Lighthouse's headless Chrome reports no hover, and a page's
#: CSS may depend on it. Playwright turns the back/forward cache off; Lighthouse's
#: ``bf-cache`` audit asks whether it restores the page (:mod:`.bfcache`).
#: (No flag or context option keeps headless Chromium from requesting a page's favicon:
#: it asks for it, unless the browser remembers that it failed before, see
#: :mod:`.favicons`.)
IGNORED_DEFAULT_ARGS: tuple[str, ...] = (
    "--disable-back-forward-cache",
    "--hide-scrollbars",
    "--blink-settings=primaryHoverType=2,availableHoverTypes=2,"
    "primaryPointerType=4,availablePointerTypes=4",
)

HOW_TO_FIX = (
    "No Chromium found for psdata. Fix it with one of:\n"
    "  python -m playwright install chromium        # Playwright's own build (needs internet)\n"
    "  sudo apt-get install -y chromium             # Debian/Ubuntu system package\n"
    "or point psdata at an existing Chrome/Chromium: "
    "psdata.set_chromium_path('/path/to/chrome') or PSDATA_CHROMIUM=/path/to/chrome."
)

#: Lines of the browser's own error output kept in a launch failure's message.
_LAUNCH_ERROR_LINES = 3
_LAUNCH_ERROR_LINE = re.compile(r"^\[pid=\d+\]\[err\] (.+)$", re.MULTILINE)

_explicit_path: str | None = None


def set_chromium_path(path: str | os.PathLike[str] | None) -> None:
    """Use this Chromium/Chrome executable for every new browser (``None`` to reset).

    >>> import psdata
    >>> psdata.set_chromium_path("/usr/bin/chromium")  # doctest: +SKIP
    """
    global _explicit_path
    _explicit_path = None if path is None else _checked(Path(path), "set_chromium_path()")


def _checked(path: Path, source: str) -> str:
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise BrowserNotFoundError(
            f"{source} names {str(path)!r}, which is not an executable file."
        )
    return str(path)


def playwright_chromium() -> str | None:
    """The path of Playwright's downloaded Chromium, if it is installed."""
    registry = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    default_root = Path.home() / ".cache" / "ms-playwright"
    root = Path(registry) if registry and registry != "0" else default_root
    if not root.exists():
        return None
    for pattern in (
        "chromium-*/chrome-linux*/chrome",
        "chromium_headless_shell-*/*/headless_shell",
    ):
        for candidate in sorted(root.glob(pattern), reverse=True):
            if os.access(candidate, os.X_OK):
                return str(candidate)
    return None


def find_chromium(explicit: str | os.PathLike[str] | None = None) -> str:
    """Return the path of the Chromium executable psdata will launch.

    Raises :class:`BrowserNotFoundError` naming the commands that fix it when none is found.

    >>> import psdata
    >>> psdata.find_chromium()  # doctest: +SKIP
    '/usr/bin/chromium'
    """
    if explicit is not None:
        return _checked(Path(explicit), "chromium_path")
    if _explicit_path is not None:
        return _explicit_path
    for var in ENV_VARS:
        value = os.environ.get(var)
        if value:
            return _checked(Path(value), f"${var}")
    found = playwright_chromium()
    if found:
        return found
    for name in SYSTEM_NAMES:
        on_path = shutil.which(name)
        if on_path:
            return on_path
    raise BrowserNotFoundError(HOW_TO_FIX)


def launch_failure(path: str, error: BaseException, timeout: float) -> str:
    """Why the Chromium at *path* did not start, in a few lines, and how to fix it.

    From Playwright's launch error it keeps the browser's own error output (its
    ``[pid=N][err]`` lines, the last three), not the whole launch log.

    >>> log = ("BrowserType.launch: Target page, context or browser has been closed\\n"
    ...        "Browser logs:\\n<launching> /opt/chrome --headless\\n"
    ...        "[pid=7][err] /opt/chrome: cannot open shared object file libnss3.so\\n"
    ...        "Call log:\\n  - <launching> /opt/chrome --headless")
    >>> print(launch_failure("/opt/chrome", Exception(log), 60))
    Chromium (/opt/chrome) did not start: /opt/chrome: cannot open shared object file libnss3.so
    Check that it runs (/opt/chrome --headless --version), or point psdata at another ...
    >>> print(launch_failure("/opt/chrome", TimeoutError(), 60).splitlines()[0])
    Chromium (/opt/chrome) did not start within 60 s.
    """
    if isinstance(error, TimeoutError):
        why = f" within {timeout:g} s."
    else:
        message = str(error)
        lines = [line.strip()[:200] for line in _LAUNCH_ERROR_LINE.findall(message)]
        lines = [line for line in lines if line][-_LAUNCH_ERROR_LINES:]
        first = message.strip().splitlines()[0] if message.strip() else type(error).__name__
        why = ": " + "\n  ".join(lines or [first.removeprefix("BrowserType.launch: ")])
    return (
        f"Chromium ({path}) did not start{why}\n"
        f"Check that it runs ({path} --headless --version), or point psdata at another "
        "Chromium: psdata.set_chromium_path('/path/to/chrome') or PSDATA_CHROMIUM=/path/to/chrome."
    )


def is_browser_process(process: psutil.Process) -> bool:
    """Whether *process* is a Chromium process (raises :class:`psutil.Error` if gone).

    >>> is_browser_process(psutil.Process())
    False
    """
    name = process.name()
    return "chrom" in name.lower() or "headless_shell" in name


def browser_processes() -> list[psutil.Process]:
    """Chromium processes started by this Python process (through Playwright's driver)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if is_browser_process(child):
                found.append(child)
        except psutil.Error:
            continue
    return found


def renderer_pids(browser_pid: int, known: dict[int, bool]) -> set[int]:
    """The renderer processes of the Chromium whose browser process is *browser_pid*.

    *known* caches, per pid, whether it is a renderer (a process's command line is read
    once). A browser that is gone has none.

    >>> renderer_pids(2**22 + 1, {})  # no such process
    set()
    """
    try:
        children = psutil.Process(browser_pid).children(recursive=True)
    except psutil.Error:
        return set()
    found = set()
    for child in children:
        if child.pid not in known:
            try:
                known[child.pid] = "--type=renderer" in child.cmdline()
            except psutil.Error:
                continue
        if known[child.pid]:
            found.add(child.pid)
    return found


def browser_memory_bytes() -> int:
    """Resident memory of every browser process of this Python process, in bytes."""
    total = 0
    for process in browser_processes():
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total
