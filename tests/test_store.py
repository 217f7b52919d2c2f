"""The result store: round trips, filtering, keys, and real concurrency and crash safety."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from psdata import _store
from psdata._errors import PsdataError
from psdata._store import ResultStore, StoredResult

URL = "https://example.com/"
SETTINGS = {"throttling": "devtools", "categories": ["performance", "seo"], "version": "0.1.0"}

#: Waits for a "go" file, then puts argv[3] rows keyed "<argv[2]>-<i>", printing each key
#: after put returns (so every printed key is committed).
WRITER = """
import sys, time, pathlib
from psdata._store import ResultStore
path, prefix, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), pathlib.Path(sys.argv[4])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
store = ResultStore(path)
for i in range(count):
    key = f"{prefix}-{i}"
    store.put(key, {"url": f"https://{prefix}.example/{i}"}, {"blob": "x" * 2000}, ok=True)
    print(key, flush=True)
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ResultStore]:
    with ResultStore(tmp_path / "results.sqlite3") as result_store:
        yield result_store


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The store's clock, as a one-item list the test moves forward."""
    now = [1_700_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def start_writer(path: Path, prefix: str, count: int, go: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), prefix, str(count), str(go)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    return proc


def test_round_trip(store: ResultStore) -> None:
    started = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    record = {"url": URL, "strategy": "mobile", "engine": "lab", "performance": 97,
              "cls": 0.01, "error": None, "started_at": started}  # fmt: skip
    details = {"requests": [{"url": URL, "bytes": 1234}] * 100}
    key = ResultStore.key(URL, "mobile", "lab", SETTINGS)
    store.put(key, record, details, ok=True)

    result = store.get_many([key])[key]
    assert result.ok is True
    assert result.record == {**record, "started_at": "2024-01-02T03:04:05+00:00"}
    assert result.details() == details
    assert isinstance(result.finished_at, float)
    with pytest.raises(AttributeError):
        result.ok = False  # type: ignore[misc]


def test_put_upserts_and_stores_no_details(store: ResultStore) -> None:
    store.put("k", {"url": URL, "performance": 10}, {"a": 1}, ok=False)
    store.put("k", {"url": URL, "performance": 90}, None, ok=True)
    result = store.get_many(["k"])["k"]
    assert (result.record["performance"], result.ok, result.details()) == (90, True, None)
    assert store.info()["rows"] == 1


def test_numpy_scalars_stored_and_unknown_objects_refused(store: ResultStore) -> None:
    import numpy as np  # a dependency of psdata: never skipped

    store.put("k", {"total_bytes": np.int64(5), "cls": np.float32(0.5)}, None, ok=True)
    assert store.get_many(["k"])["k"].record == {"total_bytes": 5, "cls": 0.5}
    with pytest.raises(TypeError, match="object"):
        store.put("bad", {"x": object()}, None, ok=True)


def test_get_many_order_missing_duplicates_and_chunking(store: ResultStore) -> None:
    keys = [f"k{i}" for i in range(1_200)]  # more than one IN (...) chunk
    for key in keys:
        store.put(key, {"url": key}, None, ok=True)
    asked = [*reversed(keys), "missing", "k0"]
    got = store.get_many(asked)
    assert list(got) == list(reversed(keys))
    assert all(got[key].record == {"url": key} for key in keys)
    assert store.get_many([]) == {}


def test_max_age(store: ResultStore, clock: list[float]) -> None:
    store.put("old", {"url": "old"}, None, ok=True)
    clock[0] += 100
    store.put("new", {"url": "new"}, None, ok=True)
    clock[0] += 10
    assert list(store.get_many(["old", "new"], max_age=None)) == ["old", "new"]
    assert list(store.get_many(["old", "new"], max_age=50)) == ["new"]
    assert list(store.get_many(["old", "new"], max_age=5)) == []
    assert store.get_many(["new"])["new"].finished_at == clock[0] - 10


def test_failures_excluded_unless_asked(store: ResultStore, clock: list[float]) -> None:
    store.put("bad", {"url": URL, "error": "timeout"}, None, ok=False)
    store.put("good", {"url": URL}, None, ok=True)
    assert list(store.get_many(["bad", "good"])) == ["good"]
    got = store.get_many(["bad", "good"], include_failures=True)
    assert list(got) == ["bad", "good"]
    assert got["bad"].ok is False and got["bad"].record["error"] == "timeout"
    clock[0] += 100
    assert store.get_many(["bad"], max_age=50, include_failures=True) == {}


def test_key_is_stable_and_order_insensitive() -> None:
    key = ResultStore.key(URL, "mobile", "lab", SETTINGS)
    assert key == "5a789ec5517e9c1707deac206dedf0789e5113c20b3046fd3bcee8394ffff105"
    assert key == ResultStore.key(URL, "mobile", "lab", dict(reversed(SETTINGS.items())))
    as_tuple = {**SETTINGS, "categories": ("performance", "seo")}
    assert key == ResultStore.key(URL, "mobile", "lab", as_tuple)


@pytest.mark.parametrize(
    ("url", "strategy", "engine", "settings"),
    [
        ("https://example.com/other", "mobile", "lab", SETTINGS),
        (URL, "desktop", "lab", SETTINGS),
        (URL, "mobile", "psi", SETTINGS),
        (URL, "mobile", "lab", {**SETTINGS, "throttling": "provided"}),
        (URL, "mobile", "lab", {**SETTINGS, "categories": ["performance"]}),
        (URL, "mobile", "lab", {**SETTINGS, "categories": ["seo", "performance"]}),
        (URL, "mobile", "lab", {**SETTINGS, "version": "0.2.0"}),
        (URL, "mobile", "lab", {**SETTINGS, "cpu_slowdown": 4}),
        (URL, "mobile", "lab", {k: v for k, v in SETTINGS.items() if k != "version"}),
    ],
)
def test_key_changes_with_each_input(
    url: str, strategy: str, engine: str, settings: dict[str, object]
) -> None:
    assert ResultStore.key(url, strategy, engine, settings) != ResultStore.key(
        URL, "mobile", "lab", SETTINGS
    )


def test_put_is_committed_and_visible_to_new_connections(store: ResultStore) -> None:
    store.put("k", {"url": URL, "strategy": "mobile", "engine": "lab"}, None, ok=True)
    with sqlite3.connect(store.path) as raw:
        row = raw.execute("SELECT url, strategy, engine, ok FROM results WHERE key = 'k'")
        assert row.fetchone() == (URL, "mobile", "lab", 1)
    with ResultStore(store.path) as other:
        assert other.get_many(["k"])["k"].record["url"] == URL


def test_opening_a_store_takes_no_write_lock(
    store: ResultStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process (a notebook's ``cache_info()``, a test polling a batch) opens and
    reads the store while a batch holds its write lock: it neither waits for the lock
    nor holds up the batch's next write."""
    store.put("k", {"url": URL}, None, ok=True)
    monkeypatch.setattr(_store, "BUSY_TIMEOUT_S", 0.2)  # a wait for the lock would fail
    writer = sqlite3.connect(store.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with ResultStore(store.path) as reader:
            assert reader.info()["rows"] == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_file_settings(store: ResultStore) -> None:
    with sqlite3.connect(store.path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("PRAGMA user_version").fetchone() == (_store.SCHEMA_VERSION,)
    conn = store._connection()
    assert conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    assert conn.execute("PRAGMA busy_timeout").fetchone() == (30_000,)


def test_newer_schema_and_non_database_files_are_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as raw:
        raw.execute("PRAGMA user_version = 99")
    with pytest.raises(PsdataError, match="schema version 99"):
        ResultStore(newer)
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database" * 100)
    with pytest.raises(PsdataError, match="cannot open"):
        ResultStore(garbage)


def test_a_replaced_result_is_read_as_of_an_earlier_time(
    store: ResultStore, clock: list[float]
) -> None:
    """A frame made before its URLs were measured again reads what the store held then."""
    store.put("k", {"url": URL, "performance": 40}, {"run": "first"}, ok=True)
    made = clock[0] = clock[0] + 10
    clock[0] += 10
    store.put("k", {"url": URL, "performance": 90}, {"run": "second"}, ok=True)
    store.put("new", {"url": URL, "performance": 50}, None, ok=True)
    then = store.get_many(["k", "new"], as_of=made)
    # "new" replaced nothing: read as it is (frames of several batches concatenated).
    assert list(then) == ["k", "new"] and then["new"].record["performance"] == 50
    assert (then["k"].record["performance"], then["k"].details()) == (40, None)
    now = store.get_many(["k"])["k"]
    assert (now.record["performance"], now.details()) == (90, {"run": "second"})
    assert store.get_many(["k"], as_of=clock[0])["k"].record["performance"] == 90


def test_as_of_keeps_the_failure_and_age_rules(store: ResultStore, clock: list[float]) -> None:
    store.put("k", {"url": URL, "error": "refused"}, None, ok=False)
    made = clock[0] = clock[0] + 10
    clock[0] += 10
    store.put("k", {"url": URL, "performance": 90}, None, ok=True)
    assert store.get_many(["k"], as_of=made) == {}
    assert store.get_many(["k"], as_of=made, include_failures=True)["k"].ok is False
    assert store.get_many(["k"], as_of=made, include_failures=True, max_age=5) == {}


def test_clear_removes_superseded_records_too(store: ResultStore, clock: list[float]) -> None:
    store.put("k", {"url": URL, "performance": 40}, None, ok=True)
    made = clock[0] = clock[0] + 10
    store.put("k", {"url": URL, "performance": 90}, None, ok=True)
    assert store.clear(url=URL) == 1
    assert store.get_many(["k"], as_of=made) == {}


def test_a_version_1_store_is_upgraded_keeping_its_results(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute(
            "CREATE TABLE results (key TEXT PRIMARY KEY, url TEXT, strategy TEXT, engine TEXT,"
            " ok INTEGER NOT NULL, finished_at REAL NOT NULL, record TEXT NOT NULL, details BLOB)"
        )
        raw.execute(
            "INSERT INTO results VALUES ('k', ?, 'mobile', 'lab', 1, 1.0, '{}', NULL)", [URL]
        )
        raw.execute("PRAGMA user_version = 1")
    with ResultStore(path) as store:
        assert list(store.get_many(["k"])) == ["k"]
        store.put("k", {"url": URL}, None, ok=True)
        assert store.get_many(["k"], as_of=2.0)["k"].finished_at == 1.0
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (_store.SCHEMA_VERSION,)


def test_each_run_has_its_own_key_and_run_1_is_a_single_runs() -> None:
    single = ResultStore.key(URL, "mobile", "lab", SETTINGS)
    runs = [ResultStore.key(URL, "mobile", "lab", SETTINGS, run=n) for n in (1, 2, 3)]
    assert runs[0] == single and len(set(runs)) == 3


def test_threads_share_a_store(store: ResultStore) -> None:
    def write(i: int) -> int:
        store.put(f"k{i}", {"url": URL}, None, ok=True)
        return threading.get_ident()

    with ThreadPoolExecutor(8) as pool:
        idents = set(pool.map(write, range(400)))
    assert len(store.get_many([f"k{i}" for i in range(400)])) == 400
    assert len(store._connections) == len(idents) + 1  # + the test thread's
    store.close()
    assert store._connections == {}
    assert store.info()["rows"] == 400  # reopens on use


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    path, go = tmp_path / "shared" / "results.sqlite3", tmp_path / "go"
    writers = [start_writer(path, prefix, 300, go) for prefix in ("a", "b")]
    go.touch()  # both are waiting: they create the store and write at the same time
    outputs = [proc.communicate(timeout=120) for proc in writers]
    for proc, (_, stderr) in zip(writers, outputs, strict=True):
        assert proc.returncode == 0, stderr
        assert "locked" not in stderr
    keys = [f"{prefix}-{i}" for prefix in ("a", "b") for i in range(300)]
    with ResultStore(path) as store:
        got = store.get_many(keys)
        assert len(got) == 600
        assert got["b-299"].record == {"url": "https://b.example/299"}
        assert got["a-7"].details() == {"blob": "x" * 2000}
        assert store.info()["rows"] == 600


def test_kill_9_keeps_every_committed_row(tmp_path: Path) -> None:
    path, go = tmp_path / "results.sqlite3", tmp_path / "go"
    go.touch()
    proc = start_writer(path, "w", 1_000_000, go)
    assert proc.stdout is not None
    committed = [proc.stdout.readline() for _ in range(200)]
    proc.send_signal(signal.SIGKILL)  # mid-way: it keeps writing until the signal lands
    committed += proc.stdout.readlines()
    proc.wait(timeout=30)
    proc.stderr.close()  # type: ignore[union-attr]
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    keys = [line.strip() for line in committed if line.endswith("\n")]
    assert len(keys) >= 200

    with ResultStore(path) as store:
        assert store._connection().execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert len(store.get_many(keys)) == len(keys)
        store.put("after", {"url": URL}, None, ok=True)  # and it is writable
        assert "after" in store.get_many(["after"])


def test_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_store.CACHE_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    with ResultStore() as store:
        assert store.path == tmp_path / "xdg" / "psdata" / "results.sqlite3"
        assert store.path.exists()


def test_env_var_overrides_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_store.CACHE_DIR_ENV, str(tmp_path / "deep" / "cache"))
    with ResultStore() as store:
        store.put("k", {"url": URL}, None, ok=True)
        assert store.path == tmp_path / "deep" / "cache" / "results.sqlite3"
        assert store.info()["path"] == str(store.path)
    assert store.path.exists()


def test_explicit_path_creates_parents(tmp_path: Path) -> None:
    with ResultStore(str(tmp_path / "a" / "b" / "r.db")) as store:
        assert store.path.exists()


def fill(store: ResultStore, clock: list[float]) -> None:
    """Four rows: a and b for URL (b failed), c and d (d failed) 100 s later."""
    store.put("a", {"url": URL}, None, ok=True)
    store.put("b", {"url": URL}, None, ok=False)
    clock[0] += 100
    store.put("c", {"url": "https://c.example/"}, None, ok=True)
    store.put("d", {"url": "https://d.example/"}, None, ok=False)
    clock[0] += 10


@pytest.mark.parametrize(
    ("options", "removed"),
    [
        ({}, {"a", "b", "c", "d"}),
        ({"failures_only": True}, {"b", "d"}),
        ({"older_than": 50}, {"a", "b"}),
        ({"older_than": 5}, {"a", "b", "c", "d"}),
        ({"older_than": 500}, set()),
        ({"url": URL}, {"a", "b"}),
        ({"url": "https://nowhere.example/"}, set()),
        ({"failures_only": True, "older_than": 50}, {"b"}),
        ({"failures_only": True, "url": "https://d.example/"}, {"d"}),
    ],
)
def test_clear(
    store: ResultStore, clock: list[float], options: dict[str, object], removed: set[str]
) -> None:
    fill(store, clock)
    assert store.clear(**options) == len(removed)  # type: ignore[arg-type]
    left = store.get_many(["a", "b", "c", "d"], include_failures=True)
    assert set(left) == {"a", "b", "c", "d"} - removed


def test_info(store: ResultStore, clock: list[float]) -> None:
    assert store.info() == {
        "path": str(store.path),
        "size_bytes": store.info()["size_bytes"],
        "rows": 0,
        "ok_rows": 0,
        "failed_rows": 0,
        "oldest_finished_at": None,
        "newest_finished_at": None,
    }
    start = clock[0]
    fill(store, clock)
    info = store.info()
    assert (info["rows"], info["ok_rows"], info["failed_rows"]) == (4, 2, 2)
    assert (info["oldest_finished_at"], info["newest_finished_at"]) == (start, start + 100)
    assert info["size_bytes"] > 0


def test_stored_result_details_are_lazy() -> None:
    result = StoredResult(record={}, ok=True, finished_at=0.0, details_blob=b"not zlib")
    assert result.record == {}  # nothing decompressed yet
    with pytest.raises(zlib.error):
        result.details()
