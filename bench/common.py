"""Helpers shared by the benchmark scripts (compare_lighthouse, throughput, soak).

Nothing here runs on import: serving pages, sampling memory and writing results happen
only when a script's ``main()`` asks for them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import psutil

from psdata._lighthouse import CATEGORIES

BENCH_DIR = Path(__file__).resolve().parent
PAGES_DIR = BENCH_DIR / "pages"
OUT_DIR = BENCH_DIR / "out"
MANIFEST = PAGES_DIR / "MANIFEST.json"

#: Pages whose network never goes quiet: each one waits until the load cap (45 s).
NEVER_QUIET = frozenset({"network-never-idle"})
#: Exercises that make a page slow on purpose (server delays, wait limits).
SLOW = frozenset({"network-never-idle", "timeouts", "server-delay"})
#: Lab metrics, as psdata's columns name them.
METRICS = ("fcp_ms", "lcp_ms", "speed_index_ms", "tbt_ms", "cls", "ttfb_ms")
METRIC_LABELS = {
    "fcp_ms": "FCP",
    "lcp_ms": "LCP",
    "speed_index_ms": "SI",
    "tbt_ms": "TBT",
    "cls": "CLS",
    "ttfb_ms": "TTFB",
}
#: Denominator floor (ms) of a relative error, so that near-zero references (TBT 0 ms,
#: local TTFB of 3 ms) do not turn a few milliseconds into a huge percentage.
REL_FLOOR_MS = {
    "fcp_ms": 100.0,
    "lcp_ms": 100.0,
    "speed_index_ms": 100.0,
    "tbt_ms": 50.0,
    "ttfb_ms": 20.0,
}
PHASES = ("context", "setup", "load", "read", "quiet_wait", "audits", "bf_cache", "metrics")


# --------------------------------------------------------------------------- pages


def manifest_pages() -> list[dict[str, Any]]:
    """The benchmark pages of ``bench/pages/MANIFEST.json`` (``path``, ``exercises``…)."""
    return list(json.loads(MANIFEST.read_text(encoding="utf-8"))["pages"])


def select_pages(
    *,
    skip_never_quiet: bool = False,
    quick_only: bool = False,
    include_errors: bool = True,
    patterns: Sequence[str] = (),
    limit: int | None = None,
) -> list[str]:
    """Paths of manifest pages, filtered.

    ``quick_only`` drops pages that are slow on purpose (never quiet, server delays) and
    the status/redirect endpoints; ``patterns`` keeps paths containing any of the given
    substrings; ``limit`` keeps the first N.
    """
    paths = []
    for page in manifest_pages():
        path, exercises = page["path"], set(page.get("exercises", ()))
        if skip_never_quiet and exercises & NEVER_QUIET:
            continue
        if quick_only and (exercises & SLOW or "delay=" in path or path.startswith("__")):
            continue
        if not include_errors and path.startswith("__status/"):
            continue
        if patterns and not any(p in path for p in patterns):
            continue
        paths.append(path)
    return paths[:limit] if limit else paths


def pages_tag() -> str:
    """A short hash of every file under ``bench/pages`` (keys Lighthouse's cache)."""
    digest = hashlib.sha256()
    for path in sorted(PAGES_DIR.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(PAGES_DIR)).encode())
            digest.update(path.read_bytes())
    return "pages-" + digest.hexdigest()[:12]


@contextlib.contextmanager
def serve_pages(record_requests: bool = False) -> Iterator[Any]:
    """Serve ``bench/pages`` on 127.0.0.1 (a random port) for the duration
    (*record_requests*: keep every request in ``site.requests``)."""
    from psdata.demo.server import serve_directory

    site = serve_directory(PAGES_DIR, host="127.0.0.1", record_requests=record_requests)
    try:
        yield site
    finally:
        site.close()


def with_query(url: str, name: str, value: object) -> str:
    """``url`` with ``name=value`` appended to its query string."""
    return f"{url}{'&' if '?' in url else '?'}{name}={value}"


# --------------------------------------------------------------------------- psdata


def read_details(frame: Any) -> list[dict[str, Any] | None]:
    """The stored ``details`` of each row of an ``analyze()`` frame (None where absent).

    Reads the result store the frame was written to, with the same key as
    :func:`psdata.audits` uses.
    """
    import pandas as pd

    from psdata._store import ResultStore
    from psdata._urls import normalize_url

    meta = frame.attrs.get("psdata", {})
    out: list[dict[str, Any] | None] = []
    store = ResultStore(meta["store"])
    try:
        for _, row in frame.iterrows():
            if pd.isna(row["url"]):
                out.append(None)
                continue
            key = store.key(
                normalize_url(row["url"]),
                str(row["strategy"]),
                str(row["engine"]),
                meta["settings"],
            )
            found = store.get_many([key], max_age=None, include_failures=True).get(key)
            out.append(found.details() if found else None)
    finally:
        store.close()
    return out


def phase_rows(frame: Any) -> list[dict[str, Any]]:
    """Per scored URL (named by ``url``, so rows pair with the page list although error
    rows have none): each phase's ms, ``total`` (= duration_s) and two overheads.

    ``overhead`` is ``total − load − quiet_wait``: the time psdata spends on a URL
    besides loading the page and waiting for it to go quiet. ``engine_overhead`` leaves
    out the accessibility / best practices / SEO audits and the back/forward cache's
    navigation away and back (``bf_cache``, after the timed window) too (their costs are
    reported on their own): what the performance measurement itself adds.
    """
    rows = []
    for (_, row), details in zip(frame.iterrows(), read_details(frame), strict=True):
        timings = (details or {}).get("timings_ms")
        if not timings:
            continue
        phases = {name: float(timings.get(name, 0.0)) for name in PHASES}
        phases |= {k: float(v) for k, v in timings.items() if k not in phases}
        total = float(row["duration_s"]) * 1000 if _num(row["duration_s"]) else sum(phases.values())
        phases["sum_of_phases"] = sum(timings.values())
        phases["total"] = total
        phases["overhead"] = total - phases["load"] - phases["quiet_wait"]
        phases["engine_overhead"] = phases["overhead"] - phases["audits"] - phases["bf_cache"]
        rows.append({"url": row["url"], **phases})
    return rows


def phase_medians(rows: Iterable[dict[str, Any]]) -> dict[str, float | None]:
    """Median of each phase over URLs."""
    rows = list(rows)
    keys = [*PHASES, "total", "overhead", "engine_overhead"]
    return {k: median([r.get(k) for r in rows]) for k in keys}


def warm_up(url: str, cache_dir: str | Path) -> None:
    """Score one URL quickly so the browser launch falls outside the timed runs."""
    import psdata

    psdata.analyze(
        [url],
        categories=["performance"],
        quiet_window_ms=0,
        skip_cache=True,
        cache_dir=Path(cache_dir) / "warmup",
        progress=False,
    )


def frame_records(frame: Any, columns: Sequence[str] = ()) -> list[dict[str, Any]]:
    """JSON-safe records of a psdata frame (selected columns, all by default)."""
    cols = list(columns) or list(frame.columns)
    records = []
    for _, row in frame[cols].iterrows():
        records.append({c: jsonable(row[c]) for c in cols})
    return records


def scored_rows(frame: Any) -> dict[str, dict[str, Any]]:
    """{url: {score and metric columns, error}} of a psdata frame."""
    out = {}
    for record in frame_records(frame, ["url", *CATEGORIES, *METRICS, "error", "error_type"]):
        out[record["url"]] = record
    return out


# --------------------------------------------------------------------------- memory


class PeriodicSampler:
    """Calls :meth:`sample` in a daemon thread every ``interval`` seconds, first at once,
    while used as a context manager."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"bench-{type(self).__name__}", daemon=True
        )

    def sample(self) -> None:
        """Take one sample (subclasses)."""
        raise NotImplementedError

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class MachineCPU:
    """Whole-machine CPU over a block, from ``/proc/stat``: busy CPU seconds and the
    share of the cores busy (whatever else runs on the machine counts too).

    >>> with MachineCPU() as cpu:
    ...     _ = sum(range(1000))
    >>> cpu.busy_s >= 0 and 0 <= cpu.cores_busy <= 1.01
    True
    """

    #: Working time in ``/proc/stat`` (guest time is inside user time).
    PARTS = ("user", "nice", "system", "irq", "softirq", "steal")

    def __init__(self) -> None:
        self.busy_s = 0.0
        self.wall_s = 0.0
        self.cores = psutil.cpu_count() or 1

    @classmethod
    def _busy(cls) -> float:
        times = psutil.cpu_times()
        return float(sum(getattr(times, part, 0.0) for part in cls.PARTS))

    def __enter__(self) -> Self:
        self._start = (self._busy(), time.perf_counter())
        return self

    def __exit__(self, *exc: object) -> None:
        busy, start = self._start
        self.busy_s = self._busy() - busy
        self.wall_s = time.perf_counter() - start

    @property
    def cores_busy(self) -> float:
        return self.busy_s / (self.wall_s * self.cores) if self.wall_s else 0.0


class MemorySampler(PeriodicSampler):
    """Sample ``probe()`` (bytes) in a daemon thread every ``interval`` seconds.

    >>> with MemorySampler(lambda: 5, interval=0.01) as sampler:
    ...     time.sleep(0.05)
    >>> sampler.peak
    5
    """

    def __init__(self, probe: Callable[[], int], interval: float = 0.2) -> None:
        super().__init__(interval)
        self.probe = probe
        self.peak = 0
        self.samples: list[int] = []

    def sample(self) -> None:
        try:
            value = int(self.probe())
        except Exception:  # a process vanished mid-read: skip this sample
            value = 0
        self.samples.append(value)
        self.peak = max(self.peak, value)


class MarkedChromiumMemory:
    """RSS of the Chromium tree that carries ``marker`` on its command line (Lighthouse's).

    The Lighthouse runner adds an inert ``--psdata-bench-run=…`` switch to the Chromium
    it launches; only the browser process has it, so its children are added.
    """

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self._root: psutil.Process | None = None

    def __call__(self) -> int:
        root = self._root
        if root is None or not root.is_running():
            root = self._root = self._find()
        if root is None:
            return 0
        total = 0
        with contextlib.suppress(psutil.Error):
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += proc.memory_info().rss
        return total

    def _find(self) -> psutil.Process | None:
        for proc in psutil.process_iter(["cmdline"]):
            with contextlib.suppress(psutil.Error):
                if any(a.startswith(self.marker) for a in proc.info.get("cmdline") or []):
                    return proc
        return None


# --------------------------------------------------------------------------- statistics


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def median(values: Iterable[Any]) -> float | None:
    """Median of the finite numbers in ``values`` (None when there are none)."""
    nums = [float(v) for v in values if _num(v)]
    return statistics.median(nums) if nums else None


def worst(values: Iterable[Any]) -> float | None:
    """Largest finite number in ``values`` (None when there are none)."""
    nums = [float(v) for v in values if _num(v)]
    return max(nums) if nums else None


def abs_diff(a: Any, b: Any) -> float | None:
    """|a − b|, or None when either is missing."""
    return abs(float(a) - float(b)) if _num(a) and _num(b) else None


def nearest_in_range(value: Any, bounds: Sequence[Any]) -> float | None:
    """The point of the range ``(low, high)`` nearest to ``value``: the value itself when
    inside, else the bound it passed (None when any is missing).

    >>> nearest_in_range(5, (1, 9)), nearest_in_range(12, (1, 9)), nearest_in_range(0, (1, 9))
    (5.0, 9.0, 1.0)
    """
    if not (_num(value) and all(_num(b) for b in bounds)):
        return None
    low, high = bounds
    return min(max(float(value), float(low)), float(high))


def rel_diff(value: Any, reference: Any, metric: str) -> float | None:
    """|value − reference| / max(|reference|, floor of ``metric``), or None."""
    if not (_num(value) and _num(reference)):
        return None
    floor = REL_FLOOR_MS.get(metric, 0.0)
    denominator = max(abs(float(reference)), floor)
    if denominator == 0:
        return 0.0 if float(value) == 0 else math.inf
    return abs(float(value) - float(reference)) / denominator


def median_of_runs(runs: Sequence[dict[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    """Per key, the median over several runs' values (None when none is a number)."""
    return {k: median(run.get(k) for run in runs) for k in keys}


def jsonable(value: Any) -> Any:
    """A value JSON can hold (NaN/NA → None, numpy scalars → Python, datetimes → ISO)."""
    if value is None or isinstance(value, str | bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        with contextlib.suppress(ValueError, TypeError):
            value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


# --------------------------------------------------------------------------- output


def fmt(value: Any, digits: int = 0, *, pct: bool = False) -> str:
    """A number for a table cell ('-' when missing)."""
    if not _num(value):
        return "-"
    if pct:
        return f"{100 * float(value):.{digits}f}%"
    return f"{float(value):,.{digits}f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain-text table, columns right-aligned except the first."""
    text_rows = [[str(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        )

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(row) for row in text_rows]
    return "\n".join(out)


def verdict(value: Any, op: str, target: float) -> str:
    """'PASS' / 'FAIL' / 'n/a' for ``value op target`` (op: '<=', '<', '>=')."""
    if not _num(value):
        return "n/a"
    ok = {"<=": value <= target, "<": value < target, ">=": value >= target}[op]
    return "PASS" if ok else "FAIL"


def target_row(
    name: str, value: Any, op: str, target: float, shown: str, *, pct: bool = False
) -> list[str]:
    """A row of a targets table: name, measured value, target and verdict."""
    goal = f"{op} {100 * target:g}%" if pct else f"{op} {target:g}"
    return [name, shown, goal, verdict(value, op, target)]


def print_targets(targets: Sequence[Sequence[Any]]) -> None:
    """Print the targets table (target, measured, goal, verdict) of a benchmark."""
    print("\n=== targets ===")
    print(table(["target", "measured", "goal", "verdict"], targets))


def write_json(name: str, data: dict[str, Any]) -> Path:
    """Write ``data`` to ``bench/out/NAME-YYYYmmdd-HHMMSS.json``; return the path."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = OUT_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(data, indent=1, default=jsonable), encoding="utf-8")
    return path


def environment() -> dict[str, Any]:
    """Machine and version facts recorded with every result file."""
    import platform

    import psdata

    load = None
    with contextlib.suppress(OSError, AttributeError):
        load = list(psutil.getloadavg())
    return {
        "psdata": psdata.__version__,
        "python": platform.python_version(),
        "cpus": psutil.cpu_count(),
        "memory_bytes": psutil.virtual_memory().total,
        "load_average_at_start": load,
        "chromium": _chromium(),
        "started_at": datetime.now(UTC).isoformat(),
    }


def _chromium() -> str | None:
    with contextlib.suppress(Exception):
        import psdata

        return str(psdata.find_chromium())
    return None


class Clock:
    """Seconds since creation, for progress lines."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self) -> str:
        return f"[{time.perf_counter() - self.start:7.1f} s]"


def without_trace() -> None:
    """Make every lab request of this process measure without the browser-wide trace.

    For benchmarks only (the cost of the trace, the in-page observers' numbers): TBT and
    long tasks then come from the pages' own Long Tasks observers, as before the trace.
    """
    import dataclasses

    from psdata.engines.lab.engine import LabSettings

    from_request = LabSettings.from_request.__func__  # type: ignore[attr-defined]

    def untraced(cls: type[LabSettings], request: Any) -> LabSettings:
        return dataclasses.replace(from_request(cls, request), trace=False)

    LabSettings.from_request = classmethod(untraced)  # type: ignore[method-assign,assignment]
