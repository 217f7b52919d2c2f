"""psdata on a real dask cluster: LocalCluster with 2 worker processes, real Chromium.

The workers measure the core test pages served on 127.0.0.1; every worker process runs
its own psdata runtime (loop thread, Chromium, context slots, result store).
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import distributed
import pandas as pd
import psutil
import pytest

import psdata
from conftest import FAST
from psdata import cli
from psdata._frame import worker_id
from psdata.demo.server import ServedSite
from psdata.engines.lab.browser import is_browser_process

GOOD_PAGES = ("simple", "storage", "late-lcp")
#: Columns that do not depend on timing: the same on every run of the same URL.
STABLE = ["url", "final_url", "strategy", "engine", "throttling", "status", "error_type"]
TAG_VAR = "PSDATA_TEST_CLUSTER_TAG"
#: FAST with a generous per-URL timeout: two worker browsers share the machine with the
#: test process's own, and a timed-out page would differ from the pandas path's row.
SLOW_OK = {**FAST, "timeout": 90.0}


def _urls(site: ServedSite) -> list[Any]:
    """24 inputs: good pages (each five times), a 404 three times, bad or missing values."""
    good = [site.url(f"{name}.html") for name in GOOD_PAGES]
    missing = site.url("missing.html")
    bad = ["not a url", None, "ftp://example.com/x", "", "javascript:alert(1)", "   "]
    return [
        *good,
        missing,
        bad[0],
        *good,
        bad[1],
        missing,
        bad[2],
        *good,
        *bad[3:],
        *good,
        missing,
        *good,
    ]


def _chromium_with_tag(tag: str) -> list[psutil.Process]:
    """Chromium processes started under the test cluster (its tag in their environment).

    The tag survives re-parenting, so an orphaned browser of a killed worker is found too.
    """
    found = []
    for process in psutil.process_iter():
        try:
            if is_browser_process(process) and process.environ().get(TAG_VAR) == tag:
                found.append(process)
        except psutil.Error:
            continue
    return found


class Cluster:
    """A LocalCluster with 2 worker processes, its client, its cache dir and tag.

    The tests run in random order (pytest-randomly): none of them closes the shared one.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.tag = uuid.uuid4().hex
        self.cache_dir = cache_dir
        self.cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            env={"PSDATA_CACHE_DIR": str(cache_dir), TAG_VAR: self.tag},
        )
        self.client = distributed.Client(self.cluster)

    def worker_pids(self) -> dict[str, int]:
        pids: dict[str, int] = self.client.run(os.getpid)
        return pids

    def close(self) -> None:
        self.client.close()
        self.cluster.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("cluster-cache"))
    try:
        yield running
    finally:
        running.close()


def test_importing_psdata_never_imports_dask() -> None:
    code = (
        "import sys, psdata; "
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules)); "
        "print(psdata.get_max_concurrent_contexts())"
    )
    env = {**os.environ, "PSDATA_MAX_CONTEXTS": "2"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split("\n")[:2] == ["[]", "2"]
    env["PSDATA_MAX_CONTEXTS"] = "9"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0
    assert "PSDATA_MAX_CONTEXTS must be an integer from 1 to 5, got '9'" in bad.stderr


def test_the_lazy_frame_keeps_partitions_index_and_schema(site: ServedSite) -> None:
    series = pd.Series(_urls(site), index=pd.RangeIndex(100, 124, name="row"), name="url")
    ddf = dd.from_pandas(series.to_frame(), npartitions=6)
    lazy = psdata.analyze(ddf.url, **FAST)
    assert type(lazy).__module__.startswith("dask")
    assert lazy.npartitions == 6 and lazy.divisions == ddf.divisions
    assert lazy._meta.dtypes.equals(psdata.build_frame([]).dtypes)
    assert lazy._meta.index.name == "row"
    assert list(lazy.columns) == list(psdata.COLUMNS)
    # A one-column dask DataFrame is accepted like a one-column pandas DataFrame.
    assert psdata.analyze(ddf, **FAST).npartitions == 6
    with pytest.raises(psdata.ConfigurationError, match="strategy"):
        psdata.analyze(ddf.url, strategy="tablet")


def test_dask_without_distributed_runs_partitions_in_this_process() -> None:
    bad = pd.Series(["not a url", None, "ftp://example.com/x"], index=[5, 6, 7], name="url")
    lazy = psdata.analyze(
        dd.from_pandas(bad, npartitions=2), **FAST, strategy=["mobile", "desktop"]
    )
    got = lazy.compute(scheduler="sync")
    assert list(got.index) == [5, 5, 6, 6, 7, 7]
    assert got["error_type"].eq("invalid_url").all() and got["attempts"].eq(0).all()
    assert set(got["worker"]) == {worker_id()}
    assert got.dtypes.equals(psdata.build_frame([]).dtypes)


def test_analyze_async_returns_the_lazy_frame(site: ServedSite) -> None:
    ddf = dd.from_pandas(pd.Series(_urls(site)[:4], name="url"), npartitions=2)
    lazy = asyncio.run(psdata.analyze_async(ddf, strategy="desktop", progress=False))
    assert lazy.npartitions == 2
    assert list(lazy.columns) == list(psdata.COLUMNS)


def test_cluster_rows_equal_the_pandas_path(
    cluster: Cluster, site: ServedSite, tmp_path: Path
) -> None:
    series = pd.Series(_urls(site), index=pd.RangeIndex(100, 124, name="row"), name="url")
    expected = psdata.analyze(series, **SLOW_OK)
    assert set(expected["worker"]) == {worker_id()}  # the pandas path names its process too

    lazy = psdata.analyze(dd.from_pandas(series, npartitions=6), **SLOW_OK, skip_cache=True)
    persisted = cluster.client.persist(lazy)
    got = persisted.compute()

    good = got["url"].isin([site.url(f"{name}.html") for name in GOOD_PAGES])
    assert good.sum() == 15
    assert got.loc[good, "performance"].notna().all(), got.loc[good, ["url", "error"]]
    assert expected.loc[good, "performance"].notna().all(), expected.loc[good, "error"]
    assert got.index.equals(expected.index)
    assert got.dtypes.equals(expected.dtypes)
    pd.testing.assert_frame_equal(got[STABLE], expected[STABLE])
    assert got["from_cache"].eq(False).all()
    workers = {f"{socket.gethostname()}:{pid}" for pid in cluster.worker_pids().values()}
    assert got["worker"].notna().all() and set(got["worker"]) <= workers

    stats = psdata.pool_stats(cluster.client)
    assert {s["worker"] for s in stats.values()} == workers
    assert sum(s["browser_pages"] for s in stats.values()) >= 12
    assert isinstance(psdata.pool_stats(), dict) and "mode" in psdata.pool_stats()

    # The result as a Parquet dataset, written by the workers, read back by pandas.
    out = tmp_path / "scores"
    persisted.to_parquet(str(out))
    back = pd.read_parquet(out).rename_axis("row")
    assert back.dtypes.equals(expected.dtypes)
    pd.testing.assert_frame_equal(back[STABLE], expected[STABLE])
    meta = psdata.read_parquet_metadata(out)
    assert meta["engine"] == "lab" and meta["version"] == psdata.__version__
    assert meta["settings"]["waits"]["cpu_quiet_ms"] == FAST["quiet_window_ms"]


def test_both_strategies_keep_the_index_with_a_strategy_column(
    cluster: Cluster, site: ServedSite
) -> None:
    urls = [site.url("simple.html"), "not a url", site.url("shift.html")]
    series = pd.Series(urls, index=pd.Index([7, 8, 9], name="row"))
    both = ["mobile", "desktop"]
    expected = psdata.analyze(series, **FAST, strategy=both, cache_dir=cluster.cache_dir)
    lazy = psdata.analyze(
        dd.from_pandas(series, npartitions=2), **FAST, strategy=both, cache_dir=cluster.cache_dir
    )
    got = lazy.compute()
    assert list(got.index) == [7, 7, 8, 8, 9, 9] and got.index.name == "row"
    assert list(got["strategy"]) == both * 3
    flat = expected.reset_index("strategy", drop=True)
    pd.testing.assert_frame_equal(got[STABLE], flat[STABLE])
    assert got["from_cache"].iloc[[0, 1, 4, 5]].all()  # the same store as the pandas run


def test_a_killed_worker_loses_no_row_and_leaves_no_chromium(
    site: ServedSite, tmp_path: Path
) -> None:
    """SIGKILL a worker process mid-partition (from outside), then close the cluster."""
    own = Cluster(tmp_path / "cache")  # its own: the test ends by closing it
    try:
        pages = [site.url(f"{name}.html") for name in (*GOOD_PAGES, "shift")]
        series = pd.Series([*pages, *pages], name="url")
        options = {**SLOW_OK, "quiet_window_ms": 1500}
        lazy = psdata.analyze(dd.from_pandas(series, npartitions=4), **options, skip_cache=True)
        future = own.client.compute(lazy)
        pids = own.worker_pids()
        deadline = time.monotonic() + 60
        busy: list[str] = []
        while time.monotonic() < deadline and not busy:
            busy = [addr for addr, keys in own.client.processing().items() if keys]
            time.sleep(0.2)
        assert busy, "no worker started a partition"
        time.sleep(4)  # into the measurement: the browser is up and pages are loading
        victim = pids[busy[0]]
        os.kill(victim, signal.SIGKILL)

        got = future.result(timeout=240)
        assert len(got) == 8 and got.index.equals(series.index)
        assert got["url"].tolist() == series.tolist()
        assert got["performance"].notna().all(), got[["url", "error"]]
        assert (got["worker"] != f"{socket.gethostname()}:{victim}").all()
        assert got["attempts"].max() >= 2  # the rerun partition's rows count the lost run
        assert got["attempts"].min() >= 1

        # The killed worker's browser does not outlive it: every Chromium process of the
        # cluster descends from a live worker (but the crash handlers, which Chromium
        # always re-parents to init; they are counted at the end).
        deadline = time.monotonic() + 15  # the driver notices its parent's death
        while True:
            live = set(own.worker_pids().values()) - {victim}
            orphans = [
                p
                for p in _chromium_with_tag(own.tag)
                if "crashpad" not in p.name() and not {q.pid for q in p.parents()} & live
            ]
            if not orphans or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert not orphans, [(p.pid, p.name()) for p in orphans]
        browsers = _chromium_with_tag(own.tag)
        assert browsers, "the live workers should have a Chromium running"
    finally:
        own.close()
    _, alive = psutil.wait_procs(browsers, timeout=15)
    assert not alive, [p.pid for p in alive]
    assert not _chromium_with_tag(own.tag)


def test_a_worker_without_chromium_fails_its_partition(tmp_path: Path) -> None:
    not_executable = tmp_path / "chrome"
    not_executable.write_text("not a browser")
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            env={"PSDATA_CHROMIUM": str(not_executable), "PSDATA_CACHE_DIR": str(tmp_path)},
        ) as small,
        distributed.Client(small) as client,
    ):
        series = pd.Series(["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"], name="url")
        lazy = psdata.analyze(dd.from_pandas(series, npartitions=1), **FAST)
        with pytest.raises(psdata.BrowserNotFoundError) as caught:  # the partition, not rows
            client.compute(lazy).result(timeout=60)
    message = str(caught.value)
    assert str(not_executable) in message and "PSDATA_CHROMIUM" in message
    assert "PsdataWorkerPlugin(chromium_path=" in message and "apt-get install chromium" in message


def test_cli_runs_on_a_scheduler_and_writes_a_dataset(
    cluster: Cluster, site: ServedSite, tmp_path: Path
) -> None:
    urls = pd.DataFrame({"url": [site.url("simple.html"), "not a url", site.url("shift.html")]})
    source = tmp_path / "urls.parquet"
    urls.to_parquet(source)
    out = tmp_path / "out"
    argv = [
        "analyze",
        str(source),
        "-o",
        str(out),
        "--scheduler",
        cluster.cluster.scheduler_address,
    ]
    argv += ["--quiet-window-ms", "200", "--timeout", "30", "--strategy", "desktop"]
    assert cli.main(argv) == 1  # 1: some rows failed ("not a url")
    back = pd.read_parquet(out)
    assert len(back) == 3 and list(back["url"].fillna("")) == list(urls["url"])
    assert back.dtypes.equals(psdata.build_frame([]).dtypes)
    assert back["strategy"].eq("desktop").all()
    assert back["performance"].notna().sum() == 2
    assert psdata.read_parquet_metadata(out)["engine"] == "lab"
    assert cli.main(argv) == 2  # refuses to mix a new run into an existing dataset


def test_worker_plugin_sets_each_workers_settings(cluster: Cluster, tmp_path: Path) -> None:
    client = cluster.client
    plugin = psdata.PsdataWorkerPlugin(max_contexts=2, cache_dir=cluster.cache_dir)
    client.register_plugin(plugin)
    try:
        stats = psdata.pool_stats(client)
        assert [s["max_concurrent_contexts"] for s in stats.values()] == [2, 2]
        env = client.run(lambda: json.dumps(dict(os.environ)))
        for dumped in env.values():
            assert json.loads(dumped)["PSDATA_MAX_CONTEXTS"] == "2"
    finally:
        client.run(psdata.set_max_concurrent_contexts, 3)


def test_worker_plugin_chromium_path_is_launched_and_teardown_closes_the_browser(
    site: ServedSite, tmp_path: Path
) -> None:
    """A worker launches the plugin's ``chromium_path``; removing the plugin (its
    ``teardown``) closes that browser while the worker lives on."""
    launched = tmp_path / "launched"
    wrapper = tmp_path / "bin" / "chromium-for-psdata"
    wrapper.parent.mkdir()
    wrapper.write_text(  # notes its pid, then becomes the real Chromium (same pid)
        f"#!/bin/sh\necho $$ >> {shlex.quote(str(launched))}\n"
        f'exec {shlex.quote(psdata.find_chromium())} "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    tag = uuid.uuid4().hex
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            env={"PSDATA_CACHE_DIR": str(tmp_path / "cache"), TAG_VAR: tag},
        ) as small,
        distributed.Client(small) as client,
    ):
        client.register_plugin(psdata.PsdataWorkerPlugin(chromium_path=wrapper))
        assert list(client.run(psdata.find_chromium).values()) == [str(wrapper)]
        series = pd.Series([site.url("simple.html")], name="url")
        got = psdata.analyze(dd.from_pandas(series, npartitions=1), **FAST).compute()
        assert got["performance"].notna().all(), got["error"].tolist()
        browsers = _chromium_with_tag(tag)
        launches = [int(pid) for pid in launched.read_text().split()]
        assert len(launches) == 1 and launches[0] in {p.pid for p in browsers}
        (worker,) = client.run(os.getpid).values()

        client.unregister_worker_plugin(psdata.PsdataWorkerPlugin.name)
        _, alive = psutil.wait_procs(browsers, timeout=15)
        assert not alive, [p.pid for p in alive]
        assert list(client.run(os.getpid).values()) == [worker]  # the same worker, alive


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_a_remote_scheduler_with_workers_set_up_by_environment(
    site: ServedSite, tmp_path: Path
) -> None:
    """``dask scheduler`` and ``dask worker`` processes, as on real machines."""
    dask_cli = str(Path(sys.executable).parent / "dask")
    port = str(_free_port())
    address = f"tcp://127.0.0.1:{port}"
    tag = uuid.uuid4().hex
    env = {
        **os.environ,
        "PSDATA_MAX_CONTEXTS": "2",
        "PSDATA_CACHE_DIR": str(tmp_path / "worker-cache"),
        TAG_VAR: tag,
    }
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
        **quiet,
    )
    worker = subprocess.Popen(
        [dask_cli, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
        env=env,
        **quiet,
    )
    try:
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
            series = pd.Series([site.url("simple.html"), "not a url"], name="url")
            got = psdata.analyze(dd.from_pandas(series, npartitions=1), **FAST).compute()
            assert got["performance"].notna().tolist() == [True, False]
            (pid,) = client.run(os.getpid).values()
            assert set(got["worker"]) == {f"{socket.gethostname()}:{pid}"}
            (stats,) = psdata.pool_stats(client).values()
            assert stats["max_concurrent_contexts"] == 2  # PSDATA_MAX_CONTEXTS at import
            assert stats["browser_pages"] >= 1
            assert (tmp_path / "worker-cache" / "results.sqlite3").exists()
            browsers = _chromium_with_tag(tag)
            assert browsers
    finally:
        worker.terminate()  # SIGTERM: the worker closes, psdata's exit hook closes Chromium
        worker.wait(timeout=60)
        scheduler.terminate()
        scheduler.wait(timeout=30)
    _, alive = psutil.wait_procs(browsers, timeout=15)
    assert not alive and not _chromium_with_tag(tag)
