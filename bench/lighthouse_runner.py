"""Run the Lighthouse CLI on URLs and return its results as plain dicts.

Lighthouse is the reference psdata's lab scores are compared with. This module installs
the pinned version on demand (``npm ci`` in ``bench/``), runs it one page after another
with the same Chromium psdata uses, and caches each parsed result as JSON under
``bench/out/lighthouse/`` keyed by URL and settings, so re-running a benchmark does not
redo Lighthouse.

>>> from lighthouse_runner import LighthouseSettings, run_lighthouse  # doctest: +SKIP
>>> results = run_lighthouse(["http://127.0.0.1:8765/baseline/minimal.html"],
...                          LighthouseSettings(throttling_method="devtools"))  # doctest: +SKIP
>>> results[0]["scores"]["performance"], results[0]["metrics"]["lcp_ms"]  # doctest: +SKIP
(100, 1031.2)

Command line: ``python bench/lighthouse_runner.py URL... [--desktop] [--devtools]``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import psutil

from psdata._lighthouse import CATEGORY_IDS, LIGHTHOUSE_VERSION, SCORED_MODES

BENCH_DIR = Path(__file__).resolve().parent
LIGHTHOUSE_CLI = BENCH_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CACHE_DIR = BENCH_DIR / "out" / "lighthouse"

#: Result keys for the metrics and the audit ids they come from.
METRICS: dict[str, str] = {
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "speed_index_ms": "speed-index",
    "tbt_ms": "total-blocking-time",
    "cls": "cumulative-layout-shift",
}
#: Observed (unthrottled-trace) values from the ``metrics`` audit, useful with ``simulate``.
OBSERVED: dict[str, str] = {
    "fcp_ms": "observedFirstContentfulPaint",
    "lcp_ms": "observedLargestContentfulPaint",
    "speed_index_ms": "observedSpeedIndex",
    "cls": "observedCumulativeLayoutShift",
    "dom_content_loaded_ms": "observedDomContentLoaded",
    "load_ms": "observedLoad",
}
CHROME_FLAGS: tuple[str, ...] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
)
#: An inert switch added to Lighthouse's Chromium command line to find it afterwards.
RUN_MARKER = "--psdata-bench-run="
_LOOPBACK_ORIGIN = re.compile(r"^http://(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+")


@dataclass(frozen=True)
class LighthouseSettings:
    """How Lighthouse is run; every field is part of the cache key.

    Attributes
    ----------
    form_factor : {"mobile", "desktop"}
        ``desktop`` adds ``--preset=desktop`` (desktop emulation and throttling).
    throttling_method : {"simulate", "devtools", "provided"}
        Lighthouse's ``--throttling-method``; ``simulate`` is its default.
    timeout_s : float
        Wall-clock limit for one page (not part of the cache key).
    """

    form_factor: Literal["mobile", "desktop"] = "mobile"
    throttling_method: Literal["simulate", "devtools", "provided"] = "simulate"
    categories: tuple[str, ...] = tuple(CATEGORY_IDS.values())
    timeout_s: float = dataclasses.field(default=180.0, compare=False)

    def key_fields(self) -> dict[str, Any]:
        """The settings that change Lighthouse's output (used in the cache key)."""
        return {
            "lighthouse": LIGHTHOUSE_VERSION,
            "form_factor": self.form_factor,
            "throttling_method": self.throttling_method,
            "categories": list(self.categories),
        }


def ensure_lighthouse(*, quiet: bool = True) -> Path:
    """Install the pinned Lighthouse with ``npm ci`` if needed; return the CLI path.

    >>> ensure_lighthouse()  # doctest: +SKIP
    PosixPath('.../bench/node_modules/lighthouse/cli/index.js')
    """
    if _installed_version() != LIGHTHOUSE_VERSION:
        cmd = ["npm", "ci", "--no-audit", "--no-fund"] + (["--silent"] if quiet else [])
        subprocess.run(cmd, cwd=BENCH_DIR, check=True)
        found = _installed_version()
        if found != LIGHTHOUSE_VERSION:
            raise RuntimeError(f"npm ci installed lighthouse {found}, not {LIGHTHOUSE_VERSION}")
    return LIGHTHOUSE_CLI


def _installed_version() -> str | None:
    package = LIGHTHOUSE_CLI.parent.parent / "package.json"
    if not package.is_file():
        return None
    return str(json.loads(package.read_text(encoding="utf-8")).get("version"))


def cache_key(url: str, settings: LighthouseSettings, tag: str = "") -> str:
    """Hash of URL + settings (+ ``tag``); the port of a loopback URL is ignored.

    Local benchmark servers pick a new port on every run, so
    ``http://127.0.0.1:PORT/x`` is keyed as ``http://loopback/x``; pass ``tag`` (for
    example a hash of the served files) to keep results of different page sets apart.

    >>> cache_key("http://127.0.0.1:4000/a", LighthouseSettings()) == cache_key(
    ...     "http://127.0.0.1:5000/a", LighthouseSettings())
    True
    """
    fields = {"url": _LOOPBACK_ORIGIN.sub("http://loopback", url), "tag": tag}
    fields |= settings.key_fields()
    blob = json.dumps(fields, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def run_lighthouse(
    urls: Iterable[str],
    settings: LighthouseSettings | None = None,
    *,
    chromium: str | None = None,
    use_cache: bool = True,
    cache_tag: str = "",
    progress: Callable[[str], None] | None = print,
) -> list[dict[str, Any]]:
    """Run Lighthouse on each URL in turn and return one parsed result dict per URL.

    Parameters
    ----------
    urls : iterable of str
        Pages to test, in order. Runs are sequential: Lighthouse warns that parallel
        runs on one machine skew its numbers.
    settings : LighthouseSettings, optional
        Form factor, throttling method, categories and per-page timeout.
    chromium : str, optional
        Chromium executable; by default ``psdata.engines.lab.browser.find_chromium()``.
    use_cache : bool, default True
        Reuse results stored under ``bench/out/lighthouse/`` (errors are never cached).
        Each stored result ``KEY.json`` has its full report next to it as
        ``KEY.lhr.json.gz``.
    cache_tag : str
        Extra text in the cache key (see :func:`cache_key`).
    progress : callable, optional
        Called with one line per URL; ``None`` for silence.

    Returns
    -------
    list of dict
        See :func:`parse_report`; plus ``wall_time_s``, ``cached`` and ``error``
        (``None``, or why there is no report: timeout, exit status, stderr tail).

    Examples
    --------
    >>> run_lighthouse(["http://127.0.0.1:8765/"], progress=None)  # doctest: +SKIP
    [{'url': 'http://127.0.0.1:8765/', 'scores': {'performance': 100, ...}, ...}]
    """
    settings = settings or LighthouseSettings()
    results = []
    for url in urls:
        key = cache_key(url, settings, cache_tag)
        path = CACHE_DIR / f"{key}.json"
        if use_cache and path.is_file():
            result = json.loads(path.read_text(encoding="utf-8"))
            result.update(url=url, cached=True)
            full = CACHE_DIR / f"{key}.lhr.json.gz"
            if full.is_file():  # parsed again, so a change to parse_report applies
                with gzip.open(full, "rt", encoding="utf-8") as f:
                    result |= parse_report(json.load(f))
        else:
            result = run_one(url, settings, chromium=chromium)
            result["cached"] = False
            report = result.pop("report", None)
            if result["error"] is None:
                CACHE_DIR.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(result, indent=1), encoding="utf-8")
                if report is not None:  # the full LHR, for digging into a difference later
                    with gzip.open(CACHE_DIR / f"{key}.lhr.json.gz", "wt", encoding="utf-8") as f:
                        json.dump(report, f)
        results.append(result)
        if progress is not None:
            progress(summary_line(result))
    return results


def run_one(
    url: str, settings: LighthouseSettings, *, chromium: str | None = None
) -> dict[str, Any]:
    """Run the Lighthouse CLI once on ``url``; never leaves a Chromium behind.

    Returns the :func:`parse_report` fields plus ``wall_time_s``, ``error`` and
    ``report`` (the full Lighthouse JSON, or ``None``).
    """
    cli = ensure_lighthouse()
    if chromium is None:
        from psdata.engines.lab.browser import find_chromium

        chromium = find_chromium()
    marker = f"{RUN_MARKER}{uuid.uuid4().hex}"  # finds this run's Chromium later
    flags = " ".join((*CHROME_FLAGS, marker))
    with tempfile.TemporaryDirectory(prefix="psdata-lh-") as tmp:
        report_path = Path(tmp) / "report.json"
        cmd = [
            "node",
            str(cli),
            url,
            "--output=json",
            f"--output-path={report_path}",
            "--quiet",
            f"--chrome-flags={flags}",
            f"--throttling-method={settings.throttling_method}",
            f"--only-categories={','.join(settings.categories)}",
        ]
        if settings.form_factor == "desktop":
            cmd.append("--preset=desktop")
        env = {**os.environ, "CHROME_PATH": chromium}
        error: str | None = None
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=BENCH_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _, stderr = proc.communicate(timeout=settings.timeout_s)
            if proc.returncode != 0:
                error = f"lighthouse exited with {proc.returncode}: {stderr.strip()[-500:]}"
        except subprocess.TimeoutExpired:
            _kill_tree(proc.pid)
            proc.communicate()
            error = f"timeout after {settings.timeout_s:g} s"
        finally:
            wall = time.perf_counter() - start
            _kill_marked_chromium(marker)
        report = None
        if error is None:
            try:
                report = json.loads(report_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                error = f"no readable report: {exc}"
    result: dict[str, Any] = {"url": url, "settings": settings.key_fields()}
    if report is not None:
        result |= parse_report(report)
    result |= {"wall_time_s": round(wall, 2), "error": error, "report": report}
    return result


def parse_report(report: dict[str, Any]) -> dict[str, Any]:
    """Reduce a Lighthouse JSON report (LHR) to scores, metrics and audit scores.

    Returns a dict with ``final_url``, ``lighthouse_version``, ``fetch_time``,
    ``runtime_error`` (Lighthouse's own, e.g. ``NO_FCP``), ``run_warnings``, ``scores``
    (category → 0–100 or ``None``), ``metrics`` (``fcp_ms``, ``lcp_ms``,
    ``speed_index_ms``, ``tbt_ms``, ``cls``, ``ttfb_ms``), ``observed`` (trace values
    before simulation), ``audits`` (category → {audit id: score 0–1, or ``None`` when
    the audit is not scored: not applicable, informative, manual, error}) and
    ``audit_modes`` (category → {audit id: its ``scoreDisplayMode``}).

    >>> fixture = BENCH_DIR.parents[1] / "shared/fixtures/lighthouse-12.2.3-mobile-devtools.json"
    >>> parse_report(json.loads(fixture.read_text()))["scores"]
    {'performance': 99, 'accessibility': 92, 'best_practices': 89, 'seo': 90}
    """
    audits = report.get("audits", {})
    categories = report.get("categories", {})

    def scored(audit_id: str) -> float | None:
        """The audit's score when it counts (informative and manual audits carry a 1)."""
        audit = audits.get(audit_id, {})
        return audit.get("score") if audit.get("scoreDisplayMode") in SCORED_MODES else None

    def numeric(audit_id: str) -> float | None:
        value = audits.get(audit_id, {}).get("numericValue")
        return None if value is None else float(value)

    scores: dict[str, int | None] = {}
    audit_scores: dict[str, dict[str, float | None]] = {}
    audit_modes: dict[str, dict[str, str | None]] = {}
    for name, lh_id in CATEGORY_IDS.items():
        category = categories.get(lh_id)
        if category is None:
            continue
        score = category.get("score")
        scores[name] = None if score is None else round(score * 100)
        audit_scores[name] = {ref["id"]: scored(ref["id"]) for ref in category["auditRefs"]}
        audit_modes[name] = {
            ref["id"]: audits.get(ref["id"], {}).get("scoreDisplayMode")
            for ref in category["auditRefs"]
        }
    items = (audits.get("metrics", {}).get("details") or {}).get("items") or [{}]
    timing = items[0]
    metrics: dict[str, float | None] = {name: numeric(a) for name, a in METRICS.items()}
    ttfb = timing.get("timeToFirstByte")
    metrics["ttfb_ms"] = float(ttfb) if ttfb is not None else numeric("server-response-time")
    runtime_error = report.get("runtimeError")
    return {
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl"),
        "lighthouse_version": report.get("lighthouseVersion"),
        "fetch_time": report.get("fetchTime"),
        "runtime_error": runtime_error.get("code") if runtime_error else None,
        "run_warnings": report.get("runWarnings", []),
        "scores": scores,
        "metrics": metrics,
        "observed": {name: timing.get(key) for name, key in OBSERVED.items()},
        "audits": audit_scores,
        "audit_modes": audit_modes,
        "opportunities": opportunity_values(report),
        "lighthouse_total_ms": (report.get("timing") or {}).get("total"),
    }


def opportunity_values(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The performance category's opportunities and diagnostics (weight 0, not hidden):
    per audit id its ``score``, ``mode`` (scoreDisplayMode), ``savings_ms`` and
    ``savings_bytes`` (the opportunity's overall savings, ``None`` when it has none) and
    ``metric_savings``."""
    audits = report.get("audits", {})
    refs = (report.get("categories", {}).get("performance") or {}).get("auditRefs", [])
    found: dict[str, dict[str, Any]] = {}
    for ref in refs:
        if ref.get("weight") or ref.get("group") in ("metrics", "hidden"):
            continue
        audit = audits.get(ref["id"], {})
        details = audit.get("details") or {}
        ms = details.get("overallSavingsMs")
        size = details.get("overallSavingsBytes")
        if size is None and audit.get("numericUnit") == "byte" and details.get("wastedBytes"):
            size = details.get("wastedBytes")
        found[ref["id"]] = {
            "score": audit.get("score"),
            "mode": audit.get("scoreDisplayMode"),
            "savings_ms": None if ms is None else float(ms),
            "savings_bytes": None if size is None else float(size),
            "metric_savings": audit.get("metricSavings") or {},
        }
    return found


def summary_line(result: dict[str, Any]) -> str:
    """One line describing a result: scores, metrics and wall time."""
    if result.get("error"):
        return f"{result['url']}: ERROR {result['error']} ({result['wall_time_s']} s)"
    s, m = result["scores"], result["metrics"]

    def num(name: str, digits: int = 0) -> str:
        value = m.get(name)
        return "-" if value is None else f"{value:.{digits}f}"

    cached = " cached" if result.get("cached") else ""
    problem = f" [{result['runtime_error']}]" if result.get("runtime_error") else ""
    return (
        f"{result['url']}: perf {s.get('performance')} a11y {s.get('accessibility')} "
        f"bp {s.get('best_practices')} seo {s.get('seo')} | FCP {num('fcp_ms')} "
        f"LCP {num('lcp_ms')} SI {num('speed_index_ms')} TBT {num('tbt_ms')} "
        f"CLS {num('cls', 3)} TTFB {num('ttfb_ms')}{problem} | {result['wall_time_s']} s{cached}"
    )


def _kill_tree(pid: int) -> None:
    """Kill a process and all its descendants (by pid)."""
    try:
        root = psutil.Process(pid)
        procs = [*root.children(recursive=True), root]
    except psutil.NoSuchProcess:
        return
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(procs, timeout=5)


def _kill_marked_chromium(marker: str) -> None:
    """Kill the Chromium this run started (it carries ``marker`` on its command line).

    chrome-launcher starts Chromium detached from Node's process group, so a Lighthouse
    killed on timeout (or one that crashed) can leave it running.
    """
    for pid in leftover_chromium(marker):
        _kill_tree(pid)


def leftover_chromium(marker: str = RUN_MARKER) -> list[int]:
    """Pids of Chromium processes started by this module that are still running.

    >>> leftover_chromium()
    []
    """
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if any(arg.startswith(marker) for arg in proc.info.get("cmdline") or []):
                found.append(proc.info["pid"])
    return found


def main(argv: list[str] | None = None) -> int:
    """Command line: run Lighthouse on URLs and print one summary line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--desktop", action="store_true", help="desktop preset")
    parser.add_argument("--devtools", action="store_true", help="applied throttling")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per page")
    args = parser.parse_args(argv)
    settings = LighthouseSettings(
        form_factor="desktop" if args.desktop else "mobile",
        throttling_method="devtools" if args.devtools else "simulate",
        timeout_s=args.timeout,
    )
    results = run_lighthouse(args.urls, settings, use_cache=not args.no_cache)
    return 1 if any(r["error"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
