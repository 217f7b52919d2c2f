"""The Lantern worker under faults, on the default path (simulated throttling, traced).

The worker is the real Node process, broken from outside as it breaks in the field:
killed (SIGKILL) mid-batch, stopped so that it hangs (SIGSTOP), or replaced by a
program that answers garbage (``PSDATA_NODE``, the variable that names another Node).
Each page whose simulation failed keeps its row, its observed metrics (CLS and TTFB in
the row, the rest in the record's details) and a warning naming what failed; no page
gets a score from anything but Lantern; the worker is started again for the next pages;
no Node process is left over.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import pytest

import psdata
from conftest import lantern_workers
from psdata._errors import InternalError
from psdata.demo.server import ServedSite
from psdata.engines.lab.budget import BUDGET
from psdata.engines.lab.lantern import LanternWorker, close_worker, simulate

#: The default path, quicker: simulate, traced (a timeout over the budget's
#: ``min_traced_s``), the performance category, short quiet windows.
SIMULATE: dict[str, Any] = {
    "throttling": "simulate",
    "categories": ["performance"],
    "timeout": BUDGET.min_traced_s + 5,
    "quiet_window_ms": 200,
    "progress": False,
    "skip_cache": True,
}
SIMULATED = ["fcp_ms", "lcp_ms", "speed_index_ms", "tbt_ms"]
OBSERVED = ["cls", "ttfb_ms"]

#: What a fake Node answers to each request line (``{id}`` is the request's id).
GARBAGE = {
    "not json": "<html>502 Bad Gateway</html>",
    "not a reply": '{{"id": {id}, "ok": true, "result": "garbage"}}',
    "unreadable result": '{{"id": {id}, "ok": true, "result": {{"metrics": {{"fcp": 1}}}}}}',
}


def pages(site: ServedSite, tag: str, n: int = 2) -> list[str]:
    """*n* distinct URLs of a light page with a paint, an LCP and a long task."""
    return [site.url(f"/longtask.html?{tag}-{i}") for i in range(n)]


def records(urls: list[str], **options: Any) -> list[dict[str, Any]]:
    """Each URL's record with its details (run_analysis_batch); none may have failed."""

    async def batch() -> list[Any]:
        return await psdata.run_analysis_batch(urls, **{**SIMULATE, **options})

    found = asyncio.run(batch())
    assert all(isinstance(r, dict) for r in found), found
    return found


def assert_simulated(rows: pd.DataFrame) -> None:
    """Every row scored from Lantern's estimates, with no warning."""
    assert rows["error"].isna().all(), rows["error"].tolist()
    assert rows["warnings"].isna().all(), rows["warnings"].tolist()
    assert rows[["performance", *SIMULATED, *OBSERVED]].notna().all().all()


def assert_observed_only(record: dict[str, Any], failure: str) -> None:
    """A page whose simulation failed: its row, no simulated metric and no score, its
    observed metrics, and a warning naming *failure*."""
    assert record["error"] is None, record["error"]
    assert record["performance"] is None
    assert all(record[name] is None for name in SIMULATED), [record[n] for n in SIMULATED]
    assert all(record[name] is not None for name in OBSERVED)
    observed = record["details"]["simulation"]["observed"]
    assert observed["fcp_ms"] is not None and observed["lcp_ms"] is not None
    assert "Simulated throttling failed" in record["warnings"], record["warnings"]
    assert failure in record["warnings"], record["warnings"]


@pytest.fixture
def fresh_worker() -> Iterator[None]:
    """The process-wide worker closed before and after the test (its next request starts
    a new Node), so a broken one never reaches another test."""
    close_worker()
    yield
    close_worker()


def running_worker(site: ServedSite) -> psutil.Process:
    """The Lantern worker, started by measuring a page."""
    assert_simulated(psdata.analyze(pages(site, f"warm-{time.monotonic_ns()}", 1), **SIMULATE))
    (worker,) = lantern_workers()
    return worker


def test_a_worker_killed_mid_batch_is_started_again_and_no_page_notices(
    site: ServedSite, fresh_worker: None
) -> None:
    """SIGKILL while pages are being simulated: the requests it held are sent again to a
    new worker, so every page gets its simulated metrics."""
    first = running_worker(site)
    idle = sum(first.cpu_times()[:2])
    killed: list[int] = []

    def killer() -> None:  # as soon as the worker starts simulating a page
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(psutil.Error):
                if sum(first.cpu_times()[:2]) > idle:
                    first.send_signal(signal.SIGKILL)
                    killed.append(first.pid)
                    return
            time.sleep(0.005)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        rows = psdata.analyze(pages(site, "killed", 4), concurrency=2, **SIMULATE)
    finally:
        thread.join()
    assert killed == [first.pid]
    assert_simulated(rows)
    (second,) = lantern_workers()
    assert second.pid != first.pid and not psutil.pid_exists(first.pid)


def test_pages_whose_worker_keeps_dying_keep_their_observed_metrics_with_a_warning(
    site: ServedSite, fresh_worker: None
) -> None:
    """Every worker killed as soon as it starts: each page's simulation fails twice, the
    page keeps what was observed and says so; once the killing stops, pages score."""
    stop = threading.Event()

    def killer() -> None:
        while not stop.is_set():
            for process in lantern_workers():
                with contextlib.suppress(psutil.Error):
                    process.send_signal(signal.SIGKILL)
            time.sleep(0.005)

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        found = records(pages(site, "dying"), concurrency=2)
    finally:
        stop.set()
        thread.join()
    for record in found:
        assert_observed_only(record, "the Lantern worker")
    assert_simulated(psdata.analyze(pages(site, "after-dying"), **SIMULATE))


def test_a_hung_worker_costs_its_page_the_simulation_not_the_row(
    site: ServedSite, fresh_worker: None
) -> None:
    """The worker stopped (SIGSTOP): the request waits what the per-URL timeout leaves,
    then the worker is killed; the page warns, the next pages get a new worker."""
    hung = running_worker(site)
    hung.send_signal(signal.SIGSTOP)
    try:
        (record,) = records(pages(site, "hung", 1))
    finally:
        with contextlib.suppress(psutil.Error):
            hung.send_signal(signal.SIGCONT)
    assert_observed_only(record, "the Lantern worker did not answer within")
    psutil.wait_procs([hung], timeout=10)
    assert not psutil.pid_exists(hung.pid)
    assert_simulated(psdata.analyze(pages(site, "after-hung"), **SIMULATE))


def fake_node(directory: Path, garbage: str) -> str:
    """An executable that stands in for Node and answers *garbage* to every request."""
    path = directory / "node"
    path.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import json, sys
            for line in sys.stdin:
                request_id = json.loads(line)["id"]
                print({garbage!r}.format(id=request_id), flush=True)
            """
        ),
        encoding="utf-8",
    )
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_a_worker_answering_garbage_is_an_error_not_a_crash(kind: str, tmp_path: Path) -> None:
    """Garbage kills the worker and the request goes once to a new one; garbage again
    is an InternalError naming it (a result it cannot read, too), never another error."""
    worker = LanternWorker(node=fake_node(tmp_path, GARBAGE[kind]))
    simulating = simulate([], [], url="http://127.0.0.1/", frame_id="F", worker=worker, timeout=20)
    try:
        with pytest.raises(InternalError) as caught:
            asyncio.run(simulating)
        pids = [p.pid for p in lantern_fakes(tmp_path)]
    finally:
        worker.close()
    if kind == "unreadable result":
        assert "the Lantern worker's answer could not be read" in str(caught.value)
        assert worker.stats["starts"] == 1
    else:
        assert "the Lantern worker answered garbage" in str(caught.value)
        assert worker.stats["starts"] == 2  # the request was sent again to a new worker
        assert not pids  # each garbage-answering worker was killed at once
    assert worker.pid is None and not lantern_fakes(tmp_path)


def lantern_fakes(directory: Path) -> list[psutil.Process]:
    """Running fake workers started from *directory*."""
    found = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            started_here = any(arg.startswith(str(directory)) for arg in child.cmdline())
            if started_here and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
    return found


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_pages_whose_worker_answers_garbage_keep_their_observed_metrics(
    kind: str,
    site: ServedSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_worker: None,
) -> None:
    monkeypatch.setenv("PSDATA_NODE", fake_node(tmp_path, GARBAGE[kind]))
    tag = kind.replace(" ", "-")
    found = records(pages(site, f"garbage-{tag}"), concurrency=2)
    failure = "could not be read" if kind == "unreadable result" else "answered garbage"
    for record in found:
        assert_observed_only(record, failure)
    monkeypatch.delenv("PSDATA_NODE")
    close_worker()  # the next request starts Node itself
    assert_simulated(psdata.analyze(pages(site, f"after-garbage-{tag}"), **SIMULATE))


def test_no_worker_is_left_at_interpreter_exit_even_a_hung_one(
    site: ServedSite, tmp_path: Path
) -> None:
    script = textwrap.dedent(
        f"""
        import json, os, signal, psdata
        from psdata.engines.lab.lantern import get_worker
        rows = psdata.analyze([{site.url("/longtask.html?exit")!r}], cache_dir={str(tmp_path)!r},
                              **{SIMULATE!r})
        assert rows["performance"].notna().all(), rows["warnings"].tolist()
        pid = get_worker().pid
        os.kill(pid, signal.SIGSTOP)  # hung at exit: closing it must not wait forever
        print(json.dumps(pid), flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    pid = json.loads(done.stdout.strip().splitlines()[-1])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and psutil.pid_exists(pid):
        time.sleep(0.1)
    assert not psutil.pid_exists(pid)
