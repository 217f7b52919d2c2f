"""One path from the API to the engines: same options everywhere, the store off the loop."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

import psdata
from conftest import FAST
from psdata._loop import run_sync
from psdata._options import OPTIONS
from psdata._store import ResultStore, store_path
from psdata.demo.server import ServedSite

#: Columns that do not depend on timing: equal whichever entry point measured the page.
#: (Not best practices: a browser asks for a missing favicon only once, and the first page
#: to see that 404 logs a console error.)
STABLE = ["url", "final_url", "status", "accessibility", "seo", "error_type"]


def _options(function: object) -> list[inspect.Parameter]:
    return list(inspect.signature(function).parameters.values())[1:]  # type: ignore[arg-type]


def test_entry_points_take_the_same_options_with_the_same_defaults() -> None:
    reference = _options(psdata.analyze)
    assert [p.name for p in reference] == list(OPTIONS)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in reference)
    for function in (psdata.analyze_async, psdata.run_analysis, psdata.run_analysis_async):
        assert _options(function) == reference, function.__name__
    batch = inspect.signature(psdata.run_analysis_batch).parameters
    head = [(p.name, p.default, p.kind) for p in list(batch.values())[:5]]
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert head == [
        ("urls", inspect.Parameter.empty, positional),
        ("concurrency", 2, positional),
        ("timeout", 600, positional),
        ("skip_cache", False, positional),
        ("force_retry", False, positional),
    ]
    rest = {p.name: (p.default, p.annotation) for p in list(batch.values())[5:]}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(batch.values())[5:])
    expected = {p.name: (p.default, p.annotation) for p in reference}
    assert set(rest) | {"concurrency", "timeout", "skip_cache", "force_retry"} == set(OPTIONS)
    assert rest == {name: expected[name] for name in rest}


def test_every_entry_point_gives_the_same_rows(site: ServedSite, tmp_path: Path) -> None:
    urls = [site.url("/simple.html"), "ftp://nowhere", site.url("/shift.html")]
    options = {**FAST, "skip_cache": True, "cache_dir": tmp_path}
    frame = psdata.analyze(urls, **options)

    async def awaited() -> tuple[pd.DataFrame, list[object], dict[str, object]]:
        return (
            await psdata.analyze_async(urls, **options),
            await psdata.run_analysis_batch(urls, **options),
            await psdata.run_analysis_async(urls[2], **options),
        )

    from_async, from_batch, one_async = asyncio.run(awaited())
    one = psdata.run_analysis(urls[0], **options)
    expected = frame[STABLE].to_dict("records")
    assert from_async[STABLE].to_dict("records") == expected
    batch_rows = psdata.build_frame(
        [r if isinstance(r, dict) else {"url": urls[1], "error_type": r.error_type}
         for r in from_batch]
    )  # fmt: skip
    assert batch_rows[STABLE].to_dict("records") == expected
    for record, row in ((one, expected[0]), (one_async, expected[2])):
        assert {k: record[k] for k in STABLE if k != "error_type"} == {
            k: row[k] for k in STABLE if k != "error_type"
        }
        assert "details" in record


LOCKER = textwrap.dedent(
    """
    import sqlite3, sys, time
    from pathlib import Path
    path, marks, hold = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until psdata has created the store's table
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            conn.execute("SELECT 1 FROM results LIMIT 1")
            break
        except sqlite3.OperationalError:
            time.sleep(0.01)
    conn.execute("BEGIN IMMEDIATE")  # the write lock: no other writer until COMMIT
    (marks / "locked").write_text(str(time.time()))
    time.sleep(hold)
    (marks / "released").write_text(str(time.time()))
    conn.execute("COMMIT")
    """
)


@contextlib.contextmanager
def loop_latencies() -> Iterator[list[float]]:
    """How long the loop thread takes to run a trivial coroutine, sampled meanwhile."""
    latencies: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            start = time.monotonic()
            run_sync(asyncio.sleep(0))
            latencies.append(time.monotonic() - start)
            time.sleep(0.05)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        yield latencies
    finally:
        stop.set()
        prober.join()


def test_a_locked_store_never_stalls_the_loop_and_loses_no_row(
    site: ServedSite, tmp_path: Path
) -> None:
    """Another process holds the store's write lock for 5 s while a batch runs."""
    hold_s = 5
    urls = [site.url(f"/simple.html?locked={i}") for i in range(4)]
    options = {**FAST, "categories": ["performance"], "concurrency": 2}
    with loop_latencies() as baseline:  # the same batch, nothing holding the lock
        undisturbed = psdata.analyze(urls, cache_dir=tmp_path / "quiet", **options)
    cache, marks = tmp_path / "disturbed", tmp_path / "marks"
    marks.mkdir()
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, store_path(cache), str(marks), str(hold_s)]
    )
    try:
        with loop_latencies() as latencies:
            locked = psdata.analyze(urls, cache_dir=cache, **options)
            returned_at = time.time()
    finally:
        assert locker.wait(60) == 0
    assert (marks / "locked").exists(), "the lock was never taken"
    assert returned_at >= float((marks / "released").read_text())
    # A write waiting for the lock on the loop thread would stall it for most of the
    # hold; the loop answers as it does in the undisturbed batch.
    worst = (max(baseline), max(latencies))
    assert worst[1] - worst[0] < hold_s / 2, f"loop latency {worst} s (undisturbed, locked)"
    assert locked["error"].isna().all()
    columns = ["url", "final_url", "status"]
    assert locked[columns].equals(undisturbed[columns])
    with ResultStore(store_path(cache)) as store:
        assert store.info()["ok_rows"] == len(urls)
