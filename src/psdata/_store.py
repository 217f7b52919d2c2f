"""SQLite store of finished results: the cache that lets long batches resume.

Every finished URL is written at once, one committed transaction per :meth:`ResultStore.put`,
so a batch that is interrupted (Ctrl-C, kernel restart, ``kill -9``) loses nothing it had
reported as done, and running it again skips what is already stored. The file is in WAL
mode with a busy timeout, so several threads and processes can read and write it at once.

Rows are keyed by :meth:`ResultStore.key`, a hash of the URL, strategy, engine and the
settings that change results. Records are stored as JSON (datetimes as ISO strings, which
the caller converts back); the engine's bulky *details* as zlib-compressed JSON.

A result measured again replaces the stored one, whose record (not its details) is kept
in the ``superseded`` table: a frame made before the new measurement still reads the
results it was made from (``as_of`` in :meth:`ResultStore.get_many`), so
``psdata.runs(before)`` is right after ``before``'s URLs were measured again.

Secret settings (a login's cookies, headers, passwords) enter a key only through
:func:`keyed_hash`, an HMAC with a random key kept beside the store
(``results.sqlite3.key``, readable by its owner only): the store, or a copy of it, can
be neither searched for a secret nor used to test a guess.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from ._errors import PsdataError

log = logging.getLogger("psdata")
T = TypeVar("T")

#: Environment variable naming the directory of the default store.
CACHE_DIR_ENV = "PSDATA_CACHE_DIR"
FILENAME = "results.sqlite3"
#: The suffix of the file holding the store's key for :func:`keyed_hash`.
KEY_SUFFIX = ".key"
SCHEMA_VERSION = 2
BUSY_TIMEOUT_S = 30.0
#: Keys per ``IN (...)`` query, well under SQLite's bound-variable limit.
_CHUNK = 500

#: What each schema version adds to the one before (version 1: the results).
_SUPERSEDED = (
    """CREATE TABLE superseded (
        key         TEXT NOT NULL,
        url         TEXT,
        ok          INTEGER NOT NULL,
        finished_at REAL NOT NULL,
        record      TEXT NOT NULL
    )""",
    "CREATE INDEX superseded_key ON superseded (key, finished_at)",
)
_SCHEMA = (
    """CREATE TABLE results (
        key         TEXT PRIMARY KEY,
        url         TEXT,
        strategy    TEXT,
        engine      TEXT,
        ok          INTEGER NOT NULL,
        finished_at REAL NOT NULL,
        record      TEXT NOT NULL,
        details     BLOB
    )""",
    "CREATE INDEX results_url ON results (url)",
    "CREATE INDEX results_finished_at ON results (finished_at)",
)
_MIGRATIONS: dict[int, tuple[str, ...]] = {0: _SCHEMA + _SUPERSEDED, 1: _SUPERSEDED}


def _json_default(value: object) -> Any:
    """JSON for the non-JSON values records hold: datetimes, numpy scalars."""
    if isinstance(value, date):
        return value.isoformat()
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"cannot store a {type(value).__name__} as JSON: {value!r}")


def _dumps(value: object) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL mode (once per file; it persists).

    On a file already in WAL mode the switch is a no-op that takes no lock. SQLite fails
    the switch at once, without waiting, while another process is switching the same new
    file (an error, or the old mode as the answer), so it is retried until the busy
    timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("the file could not be switched to WAL mode")
        time.sleep(0.01)


def _marks(values: Sequence[object]) -> str:
    """The ``?, ?, ...`` of an ``IN (...)`` over *values*."""
    return ",".join("?" * len(values))


def default_path() -> Path:
    """The default store file: ``$PSDATA_CACHE_DIR`` or the user cache dir, + ``results.sqlite3``.

    >>> default_path().name
    'results.sqlite3'
    """
    directory = os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir("psdata")
    return Path(directory).expanduser() / FILENAME


def store_path(cache_dir: str | os.PathLike[str] | None = None) -> str:
    """The store file in *cache_dir*, or :func:`default_path` when it is None.

    >>> store_path("/tmp/x")
    '/tmp/x/results.sqlite3'
    """
    if cache_dir is None:
        return str(default_path())
    return os.path.join(cache_dir, FILENAME)


def keyed_hash(store: str | os.PathLike[str], material: bytes) -> str:
    """HMAC-SHA256 (hex) of *material* with the random key of the store at *store*.

    The key is created with the store's first keyed hash, beside it (``results.sqlite3.key``,
    readable by its owner only); every process using the store shares it.

    >>> import tempfile
    >>> path = tempfile.mkdtemp() + "/results.sqlite3"
    >>> a = keyed_hash(path, b"secret")
    >>> len(a), a == keyed_hash(path, b"secret"), a == hashlib.sha256(b"secret").hexdigest()
    (64, True, False)
    """
    path = Path(store).with_name(Path(store).name + KEY_SUFFIX)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a name of its own, then linked into place: a process that
        # loses the race reads the winner's key, never a half-written one.
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return hmac.new(path.read_bytes(), material, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class StoredResult:
    """One stored result: the record, whether it succeeded, when, and its details.

    >>> result = StoredResult(record={"url": "https://example.com"}, ok=True, finished_at=0.0)
    >>> result.record["url"], result.details()
    ('https://example.com', None)
    """

    record: dict[str, Any]
    ok: bool
    finished_at: float
    details_blob: bytes | None = field(default=None, repr=False)

    def details(self) -> dict[str, Any] | None:
        """The engine's details, decompressed on demand (``None`` if none were stored).

        >>> blob = zlib.compress(b'{"trace": []}')
        >>> StoredResult(record={}, ok=True, finished_at=0.0, details_blob=blob).details()
        {'trace': []}
        """
        if self.details_blob is None:
            return None
        return dict(json.loads(zlib.decompress(self.details_blob)))


class ResultStore:
    """A SQLite file of finished results, safe across threads and processes.

    Each thread gets its own connection, opened on first use; :meth:`close` closes them all
    (the store reopens on next use). Usable as a context manager.

    Parameters
    ----------
    path
        The database file; parent directories are created. Default: :func:`default_path`.

    Examples
    --------
    >>> import tempfile
    >>> with ResultStore(tempfile.mkdtemp() + "/results.sqlite3") as store:
    ...     key = ResultStore.key("https://example.com", "mobile", "lab", {})
    ...     store.put(key, {"url": "https://example.com", "performance": 97}, None, ok=True)
    ...     store.get_many([key])[key].record["performance"]
    97
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._connections: dict[int, sqlite3.Connection] = {}
        self._pid = os.getpid()
        self._init_schema()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened (WAL, busy timeout) on first use."""
        with self._lock:
            if os.getpid() != self._pid:  # forked: the parent's connections are not ours
                self._connections, self._pid = {}, os.getpid()
            conn = self._connections.get(threading.get_ident())
            if conn is None:
                conn = self._open()
                self._connections[threading.get_ident()] = conn
            return conn

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            _enable_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            raise PsdataError(f"cannot open the result store {self.path}: {exc}") from exc
        return conn

    def _init_schema(self) -> None:
        """Create or migrate the tables; a store already at this schema takes no write
        lock, so opening it does not hold up another process's writes."""
        conn = self._connection()
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise PsdataError(
                    f"the result store {self.path} has schema version {version}, newer than "
                    f"this psdata's {SCHEMA_VERSION}; upgrade psdata or use another path"
                )
            if version < SCHEMA_VERSION:
                for statement in _MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def key(
        url: str, strategy: str, engine: str, settings: Mapping[str, Any], *, run: int = 1
    ) -> str:
        """A stable hash (sha256 hex) of what determines a result.

        Parameters
        ----------
        url, strategy, engine
            What was measured, and how.
        settings
            The options that change results (throttling, categories, psdata version...),
            canonicalised as JSON with sorted keys: their order does not matter.
        run
            Which of repeated runs (``runs=N``) of the URL this is; run 1's key is the key
            of a single run.

        Returns
        -------
        str
            64 hex digits, the same in every process and Python version.

        Examples
        --------
        >>> k = ResultStore.key("https://example.com", "mobile", "lab", {"throttling": "devtools"})
        >>> len(k), k == ResultStore.key("https://example.com", "mobile", "lab", {})
        (64, False)
        >>> k == ResultStore.key("https://example.com", "mobile", "lab",
        ...                      {"throttling": "devtools"}, run=2)
        False
        """
        parts: list[Any] = [url, strategy, engine, settings]
        payload = json.dumps(
            parts if run == 1 else [*parts, run],
            default=_json_default,
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def put(
        self,
        key: str,
        record: Mapping[str, Any],
        details: Mapping[str, Any] | None,
        *,
        ok: bool,
    ) -> None:
        """Store (or replace) one result and commit it before returning.

        Parameters
        ----------
        key
            From :meth:`key`; an existing row with this key is replaced.
        record
            The result's columns. Its ``url``, ``strategy`` and ``engine`` are also kept as
            columns for listing and :meth:`clear`; datetimes are stored as ISO strings.
        details
            The engine's bulky extras (requests, audits), stored zlib-compressed, or ``None``.
        ok
            Whether the URL was scored (``False``: a failure recorded as data).

        Examples
        --------
        >>> import tempfile
        >>> store = ResultStore(tempfile.mkdtemp() + "/results.sqlite3")
        >>> store.put("k1", {"url": "https://example.com"}, {"trace": []}, ok=True)
        >>> store.info()["rows"]
        1
        """
        blob = None if details is None else zlib.compress(_dumps(details).encode())
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT INTO superseded (key, url, ok, finished_at, record)"
                " SELECT key, url, ok, finished_at, record FROM results WHERE key = ?",
                (key,),
            )
            conn.execute(
                "INSERT OR REPLACE INTO results"
                " (key, url, strategy, engine, ok, finished_at, record, details)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    record.get("url"),
                    record.get("strategy"),
                    record.get("engine"),
                    ok,
                    time.time(),
                    _dumps(dict(record)),
                    blob,
                ),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def get_many(
        self,
        keys: Sequence[str],
        *,
        max_age: float | None = None,
        include_failures: bool = False,
        as_of: float | None = None,
    ) -> dict[str, StoredResult]:
        """The stored results for *keys* that are usable, by key, in the order asked.

        Parameters
        ----------
        keys
            From :meth:`key`; any number (queried in chunks), duplicates allowed.
        max_age
            Leave out results finished more than this many seconds ago; ``None``: any age.
        include_failures
            Also return failed results (``ok=False``); by default they are left out, so
            they are retried.
        as_of
            The store as it was at this time (UTC epoch seconds): a result finished later
            gives way to the one it replaced (its record only, without details); one that
            replaced none is read as it is (a frame made of several batches' frames).
            ``None``: the store as it is.

        Returns
        -------
        dict of str to StoredResult
            Only the keys found and usable.

        Examples
        --------
        >>> import tempfile
        >>> store = ResultStore(tempfile.mkdtemp() + "/results.sqlite3")
        >>> store.put("good", {"url": "https://a.example"}, None, ok=True)
        >>> store.put("bad", {"url": "https://b.example"}, None, ok=False)
        >>> list(store.get_many(["good", "bad", "missing"], max_age=3600))
        ['good']
        >>> list(store.get_many(["good", "bad"], include_failures=True))
        ['good', 'bad']
        >>> time.sleep(0.01); before = time.time(); time.sleep(0.01)
        >>> store.put("good", {"url": "https://a.example", "run": 2}, None, ok=True)
        >>> store.get_many(["good"], as_of=before)["good"].record
        {'url': 'https://a.example'}
        """
        cutoff = None if max_age is None else time.time() - max_age

        def usable(ok: bool, finished_at: float) -> bool:
            return (ok or include_failures) and (cutoff is None or finished_at >= cutoff)

        conn = self._connection()
        found: dict[str, StoredResult] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            stored = conn.execute(
                f"SELECT key, ok, finished_at FROM results WHERE key IN ({_marks(chunk)})", chunk
            ).fetchall()
            later = [key for key, _, at in stored if as_of is not None and at > as_of]
            replaced = set()
            if later:
                older = conn.execute(
                    "SELECT key, record, ok, max(finished_at) FROM superseded"
                    f" WHERE key IN ({_marks(later)}) AND finished_at <= ? GROUP BY key",
                    [*later, as_of],
                )
                for key, record, ok, finished_at in older:
                    replaced.add(key)
                    if usable(ok, finished_at):
                        found[key] = StoredResult(json.loads(record), bool(ok), finished_at)
            wanted = [key for key, ok, at in stored if key not in replaced and usable(ok, at)]
            rows = conn.execute(
                "SELECT key, record, ok, finished_at, details FROM results"
                f" WHERE key IN ({_marks(wanted)})",
                wanted,
            )
            for key, record, ok, finished_at, details in rows:
                found[key] = StoredResult(json.loads(record), bool(ok), finished_at, details)
        return {key: found[key] for key in unique if key in found}

    def info(self) -> dict[str, Any]:
        """What the store holds: path, size on disk, row counts and finish-time range.

        Returns
        -------
        dict
            ``path``, ``size_bytes`` (database file and its write-ahead log), ``rows``,
            ``ok_rows``, ``failed_rows``, ``oldest_finished_at`` and ``newest_finished_at``
            (UTC epoch seconds, ``None`` when the store is empty).

        Examples
        --------
        >>> import tempfile
        >>> store = ResultStore(tempfile.mkdtemp() + "/results.sqlite3")
        >>> info = store.info()
        >>> info["rows"], info["ok_rows"], info["failed_rows"], info["newest_finished_at"]
        (0, 0, 0, None)
        """
        rows, ok_rows, oldest, newest = (
            self._connection()
            .execute(
                "SELECT count(*), coalesce(sum(ok), 0), min(finished_at), max(finished_at)"
                " FROM results"
            )
            .fetchone()
        )
        files = (self.path, self.path.with_name(self.path.name + "-wal"))
        return {
            "path": str(self.path),
            "size_bytes": sum(f.stat().st_size for f in files if f.exists()),
            "rows": rows,
            "ok_rows": ok_rows,
            "failed_rows": rows - ok_rows,
            "oldest_finished_at": oldest,
            "newest_finished_at": newest,
        }

    def clear(
        self,
        *,
        older_than: float | None = None,
        failures_only: bool = False,
        url: str | None = None,
    ) -> int:
        """Delete stored results; with no arguments, all of them.

        Parameters
        ----------
        older_than
            Only results finished more than this many seconds ago.
        failures_only
            Only failed results.
        url
            Only results for this exact input URL.

        Returns
        -------
        int
            How many results were removed (their superseded records go too). The
            filters combine (AND).

        Examples
        --------
        >>> import tempfile
        >>> store = ResultStore(tempfile.mkdtemp() + "/results.sqlite3")
        >>> store.put("good", {"url": "https://a.example"}, None, ok=True)
        >>> store.put("bad", {"url": "https://a.example"}, None, ok=False)
        >>> store.clear(failures_only=True), store.clear(url="https://a.example")
        (1, 1)
        """
        conditions = ["1"]
        params: list[object] = []
        if older_than is not None:
            conditions.append("finished_at < ?")
            params.append(time.time() - older_than)
        if failures_only:
            conditions.append("ok = 0")
        if url is not None:
            conditions.append("url = ?")
            params.append(url)
        where = " AND ".join(conditions)
        conn = self._connection()
        conn.execute(f"DELETE FROM superseded WHERE {where}", params)
        return conn.execute(f"DELETE FROM results WHERE {where}", params).rowcount

    def close(self) -> None:
        """Close every thread's connection; the store reopens on its next use.

        >>> import tempfile
        >>> store = ResultStore(tempfile.mkdtemp() + "/results.sqlite3")
        >>> store.close()
        >>> store.info()["rows"]
        0
        """
        with self._lock:
            connections, self._connections = list(self._connections.values()), {}
        for conn in connections:
            conn.close()


class AsyncResultStore:
    """A :class:`ResultStore` used from the event loop, on a thread of its own.

    SQLite waits up to its busy timeout while another process holds the write lock; on
    the loop thread that would stall every page in flight (late polls, late event
    timestamps). Here every call runs on one worker thread: reads are awaited, writes
    are queued by :meth:`put_soon` and all committed before the context exits.

    >>> async def demo(path: str) -> int:
    ...     async with AsyncResultStore(path) as store:
    ...         store.put_soon("k", {"url": "https://example.com"}, None, ok=True)
    ...     async with AsyncResultStore(path) as store:
    ...         return len(await store.get_many(["k"]))
    >>> import tempfile
    >>> asyncio.run(demo(tempfile.mkdtemp() + "/results.sqlite3"))
    1
    """

    key = staticmethod(ResultStore.key)

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="psdata-store")
        self._store: ResultStore | None = None
        self._writes: list[asyncio.Future[None]] = []

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def __aenter__(self) -> AsyncResultStore:
        self._store = await self._call(ResultStore, self.path)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            for result in await asyncio.gather(*self._writes, return_exceptions=True):
                if isinstance(result, Exception):
                    log.error("psdata could not store a result in %s: %s", self.path, result)
        finally:  # queued after every write (one thread, in order), even when cancelled
            store, self._store = self._store, None
            if store is not None:
                self._executor.submit(store.close)
            self._executor.shutdown(wait=False)

    def _opened(self) -> ResultStore:
        if self._store is None:
            raise PsdataError("The result store is not open.")
        return self._store

    async def get_many(
        self, keys: Sequence[str], *, max_age: float | None = None, include_failures: bool = False
    ) -> dict[str, StoredResult]:
        """:meth:`ResultStore.get_many`, on the store's thread."""
        store = self._opened()
        return await self._call(
            lambda: store.get_many(keys, max_age=max_age, include_failures=include_failures)
        )

    def put_soon(
        self, key: str, record: Mapping[str, Any], details: Mapping[str, Any] | None, *, ok: bool
    ) -> None:
        """Queue :meth:`ResultStore.put` on the store's thread; committed before exit."""
        store = self._opened()
        loop = asyncio.get_running_loop()
        write = loop.run_in_executor(self._executor, lambda: store.put(key, record, details, ok=ok))
        self._writes.append(write)
