"""The defaults the README states, read back from what a call reports.

The options: mobile, the lab engine, all four categories, Lighthouse's simulated
throttling with its 1 s wait thresholds (5,250 ms for the applied methods), the whole
wait capped at 45 s, a 120 s timeout per URL, stored results reused for a day.

The concurrency rule: the context limit (``get_max_concurrent_contexts()``) is the CPU
cores + 1, at most 5; a call uses it in full, but under devtools throttling measures one
page per 2 cores. Each case runs in a fresh interpreter told it has N cores
(``os.sched_getaffinity`` and ``os.cpu_count`` answer N before psdata is imported) and
reports what psdata does through its public API: the limit, and the rows of real
calls, whose start times and durations show how many pages each call measured at once.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import psdata
from conftest import most_at_once
from psdata.demo.server import ServedSite

#: psdata's categories, in its column order.
CATEGORIES = ["performance", "accessibility", "best_practices", "seo"]


def settings_of(**options: Any) -> dict[str, Any]:
    """The settings a call with *options* reports in its frame's metadata (no page is
    measured: the one input is not a URL)."""
    frame = psdata.analyze(["not a url"], progress=False, **options)
    assert frame["error_type"].tolist() == ["invalid_url"]
    assert frame.attrs["psdata"]["engine"] == "lab"
    settings: dict[str, Any] = frame.attrs["psdata"]["settings"]
    return settings


def thresholds(settings: dict[str, Any]) -> set[float]:
    """The wait's thresholds (every wait but its cap), as a set."""
    waits = settings["waits"]
    return {v for k, v in waits.items() if k.endswith("_ms") and k != "max_wait_for_load_ms"}


def test_a_call_without_options_uses_the_documented_defaults() -> None:
    defaults = {n: p.default for n, p in inspect.signature(psdata.analyze).parameters.items()}
    assert (defaults["strategy"], defaults["engine"]) == ("mobile", "lab")
    assert defaults["timeout"] == 120 and defaults["max_age"] == 24 * 3600
    settings = settings_of()
    assert list(settings["categories"]) == CATEGORIES
    assert settings["throttling"] == "simulate"
    assert thresholds(settings) == {1000}
    assert settings["waits"]["max_wait_for_load_ms"] == 45_000


@pytest.mark.parametrize("throttling", ["devtools", "provided"])
def test_the_applied_methods_wait_lighthouses_5250_ms(throttling: str) -> None:
    settings = settings_of(throttling=throttling)
    assert settings["throttling"] == throttling
    assert thresholds(settings) == {5250}
    assert settings["waits"]["max_wait_for_load_ms"] == 45_000


CHILD = textwrap.dedent(
    """
    import json, os, sys

    cores = int(sys.argv[1])
    os.sched_getaffinity = lambda pid: set(range(cores))
    os.cpu_count = lambda: cores
    os.process_cpu_count = lambda: cores
    import psdata

    report = {"limit": psdata.get_max_concurrent_contexts()}
    for throttling in sys.argv[3:]:
        frame = psdata.analyze(
            json.loads(sys.argv[2]), throttling=throttling, categories=["performance"],
            quiet_window_ms=200, timeout=60, progress=False, skip_cache=True,
        )
        report[throttling] = {
            "errors": frame["error"].dropna().tolist(),
            "spans": [
                [start.timestamp(), start.timestamp() + duration]
                for start, duration in zip(frame["started_at"], frame["duration_s"])
            ],
        }
    print(json.dumps(report))
    """
)


def told_cores(cores: int, cache: Path, urls: Sequence[str] = (), *methods: str) -> dict[str, Any]:
    """Run :data:`CHILD` as a machine of *cores* cores: the limit, and for each throttling
    method in *methods* a call's errors and row spans over *urls*."""
    env = {k: v for k, v in os.environ.items() if k != "PSDATA_MAX_CONTEXTS"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(cores), json.dumps(list(urls)), *methods],
        env={**env, "PSDATA_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize(("cores", "limit"), [(1, 2), (2, 3), (3, 4), (4, 5), (16, 5)])
def test_the_context_limit_is_the_cores_plus_one_at_most_5(
    tmp_path: Path, cores: int, limit: int
) -> None:
    assert told_cores(cores, tmp_path)["limit"] == limit


@pytest.mark.parametrize(("cores", "limit", "devtools"), [(2, 3, 1), (8, 5, 4)])
def test_a_call_uses_the_limit_but_devtools_one_page_per_2_cores(
    site: ServedSite, tmp_path: Path, cores: int, limit: int, devtools: int
) -> None:
    # One page more than the limit, each slow enough that the first ones overlap.
    urls = [site.url(f"/simple.html?delay=300&cores={cores}&n={i}") for i in range(limit + 1)]
    report = told_cores(cores, tmp_path, urls, "simulate", "devtools")
    assert report["limit"] == limit
    for method, at_once in (("simulate", limit), ("devtools", devtools)):
        assert report[method]["errors"] == [], method
        assert most_at_once(map(tuple, report[method]["spans"])) == at_once, method
