"""The Node process that runs Lantern: started lazily, one JSON line per request.

Lantern is JavaScript. psdata runs it in the Node executable that ships inside the
``playwright`` package (no other Node needed), as one long-lived worker process speaking
JSON lines over stdin/stdout (``worker.mjs``). Requests are pipelined and answered in
order; each has a time limit. A worker that dies (killed, out of memory) or answers
anything but a reply (garbage on stdout) is killed and started again on the next
request, and the requests it held are sent again once to the new worker; a request
that runs out of time kills the worker (a JavaScript loop cannot be interrupted
otherwise). Whatever still fails raises an :class:`~psdata.AnalysisError` naming what
went wrong, which the engine turns into the page's warning. The worker is closed at
interpreter exit, by psdata's shutdown and by :func:`close_worker`.

The work that does not need the event loop (encoding the request as JSON, writing it to
the pipe) runs in a thread, so a large trace does not stall other pages.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import concurrent.futures
import contextlib
import itertools
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar

from psdata._errors import InternalError, PageTimeoutError
from psdata._loop import close_at_shutdown
from psdata.engines.lab.budget import BUDGET
from psdata.engines.lab.priority import background_command, in_background

__all__ = [
    "LanternWorker",
    "close_worker",
    "get_worker",
    "node_executable",
    "read_reply",
    "request_cost",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

WORKER_SCRIPT = Path(__file__).with_name("worker.mjs")
#: Environment variable naming another Node executable (>= 18) to run Lantern with.
NODE_ENV = "PSDATA_NODE"
#: Lines of the worker's stderr kept for error messages.
_STDERR_LINES = 40
#: Characters of a garbage line quoted in the error.
_EXCERPT = 80


def request_cost(result: Mapping[str, Any]) -> tuple[float, float]:
    """The worker's CPU and wall milliseconds for the request that gave *result*.

    >>> request_cost({"_cost": {"cpuMs": 12, "wallMs": 15.5}})
    (12.0, 15.5)
    """
    cost = result.get("_cost") or {}
    return float(cost.get("cpuMs") or 0.0), float(cost.get("wallMs") or 0.0)


def read_reply(build: Callable[..., T], *args: Any) -> T:
    """``build(*args)`` on a worker's result; a result it cannot read is an
    :class:`InternalError` saying so (a worker answering nonsense), not a crash.

    >>> read_reply(float, "12.5")
    12.5
    >>> read_reply(float, "garbage")
    Traceback (most recent call last):
    psdata._errors.InternalError: the Lantern worker's answer could not be read (ValueError: ...)
    """
    try:
        return build(*args)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        message = f"the Lantern worker's answer could not be read ({type(exc).__name__}: {exc})"
        raise InternalError(message) from None


def node_executable() -> str:
    """The Node executable Lantern runs in: ``$PSDATA_NODE`` or playwright's own.

    >>> Path(node_executable()).name.startswith("node")
    True
    """
    override = os.environ.get(NODE_ENV)
    if override:
        return override
    from playwright._impl._driver import compute_driver_executable

    found: Any = compute_driver_executable()
    if isinstance(found, tuple):  # playwright >= 1.39: (node, cli.js)
        return str(found[0])
    return str(Path(found).with_name("node"))  # older: the driver script beside node


class _Process:
    """One running worker: the process, its reader thread and the requests in flight."""

    def __init__(self, node: str) -> None:
        self.popen = subprocess.Popen(
            background_command([node, "--max-old-space-size=4096", str(WORKER_SCRIPT)]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=str(WORKER_SCRIPT.parent),
        )
        self.pending: dict[int, concurrent.futures.Future[dict[str, Any]]] = {}
        self.lock = threading.Lock()  # pending and dead (held briefly: the reader needs it)
        self.write_lock = threading.Lock()  # one request line at a time on stdin
        self.stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES)
        self.dead: str | None = None
        assert self.popen.stdout is not None and self.popen.stderr is not None
        for target, stream in ((self._read, self.popen.stdout), (self._drain, self.popen.stderr)):
            threading.Thread(target=target, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            try:
                reply = json.loads(line)
            except ValueError:
                reply = None
            if not isinstance(reply, dict) or not isinstance(reply.get("id"), int):
                self.kill(f"the Lantern worker answered garbage: {_excerpt(line)}")
                break
            with self.lock:
                future = self.pending.pop(reply["id"], None)
            if future is not None and not future.done():
                future.set_result(reply)
        self._fail(_exit_reason(self.popen.wait()))

    def _drain(self, stream: IO[bytes]) -> None:
        for line in stream:
            self.stderr.append(line.decode(errors="replace").rstrip())

    def _fail(self, reason: str) -> None:
        tail = "\n".join(self.stderr)
        with self.lock:
            self.dead = self.dead or (f"{reason}: {tail}" if tail else reason)
            pending, self.pending = self.pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(_WorkerDied(self.dead))

    def send(self, request_id: int, message: dict[str, Any]) -> concurrent.futures.Future[Any]:
        """Write one request (blocking: call from a thread); its reply future."""
        line = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        future: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()
        with self.lock:
            if self.dead is not None:
                raise _WorkerDied(self.dead)
            self.pending[request_id] = future
        assert self.popen.stdin is not None
        try:
            with self.write_lock:  # blocks while the worker is busy and the pipe is full
                self.popen.stdin.write(line)
                self.popen.stdin.flush()
        except (OSError, ValueError) as exc:  # ValueError: stdin closed by close()
            with self.lock:
                self.pending.pop(request_id, None)
            raise _WorkerDied(f"the Lantern worker is gone ({exc})") from exc
        return future

    def kill(self, reason: str) -> None:
        """Fail the requests in flight with *reason*, then kill the worker and reap it
        (SIGKILL ends it within milliseconds). The reason comes first: the reader, seeing
        the pipe close, would otherwise name the SIGKILL instead."""
        self._fail(reason)
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.popen.kill()
            self.popen.wait(BUDGET.lantern_kill_s)

    def close(self, timeout: float = BUDGET.lantern_close_s) -> None:
        """Close stdin (the worker exits), then kill it if it lingers."""
        with contextlib.suppress(OSError):
            assert self.popen.stdin is not None
            self.popen.stdin.close()
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout)
        self._fail("the Lantern worker was closed")


class _WorkerDied(Exception):
    """The worker process ended while a request was queued or running."""


def _result(process: _Process, reply: dict[str, Any]) -> dict[str, Any]:
    """The ``result`` of a reply; a reply that is not one kills the worker.

    Raises :class:`InternalError` when Lantern failed on the request, :class:`_WorkerDied`
    when the reply is garbage.
    """
    result = reply.get("result")
    if reply.get("ok") is False and isinstance(reply.get("error"), str):
        raise InternalError(f"Lantern failed: {reply['error']}")
    if reply.get("ok") is not True or not isinstance(result, dict):
        reason = f"the Lantern worker answered garbage: {_excerpt(json.dumps(reply).encode())}"
        process.kill(reason)
        raise _WorkerDied(reason)
    result.setdefault("_cost", {"cpuMs": reply.get("cpuMs"), "wallMs": reply.get("wallMs")})
    return result


def _exit_reason(code: int) -> str:
    """Why the worker ended, from its exit status.

    >>> _exit_reason(-9), _exit_reason(1)
    ('the Lantern worker was killed (SIGKILL)', 'the Lantern worker exited with status 1')
    """
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"the Lantern worker was killed ({signal.Signals(-code).name})"
    return f"the Lantern worker exited with status {code}"


def _excerpt(line: bytes) -> str:
    """A garbage line, quoted and cut short.

    >>> _excerpt(b"<html>not a reply</html>")
    "'<html>not a reply</html>'"
    >>> len(_excerpt(b"x" * 1000))
    83
    """
    text = line.decode(errors="replace").strip()
    return repr(text[:_EXCERPT] + ("…" if len(text) > _EXCERPT else ""))


class LanternWorker:
    """A lazily started Node worker running Lantern (one per Python process).

    Examples
    --------
    >>> import asyncio
    >>> worker = LanternWorker()
    >>> asyncio.run(worker.request("ping"))["lantern"]
    '@paulirish/trace_engine 0.0.32'
    >>> worker.close()
    """

    def __init__(self, node: str | None = None) -> None:
        self._node = node
        self._process: _Process | None = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        #: Counters: worker starts, requests answered, time spent starting workers.
        self.stats: dict[str, float] = {"starts": 0, "requests": 0, "start_s": 0.0}

    def _running(self) -> _Process:
        with self._lock:
            process = self._process
            if process is None or process.dead is not None:
                start = time.perf_counter()
                process = self._process = _Process(self._node or node_executable())
                self.stats["starts"] += 1
                self.stats["start_s"] += time.perf_counter() - start
            return process

    async def request(
        self,
        op: str,
        payload: dict[str, Any] | None = None,
        *,
        timeout: float = BUDGET.lantern_simulate_s,
    ) -> dict[str, Any]:
        """Send one request and await its result (the worker's ``result`` object).

        Raises
        ------
        PageTimeoutError
            No answer within ``timeout`` seconds (the worker is killed).
        InternalError
            The worker failed: an exception in the glue, or the process died (or answered
            garbage) twice; the message says which.
        """
        deadline = time.monotonic() + timeout
        for attempt in (1, 2):
            process = self._running()
            request_id = next(self._ids)
            message = {"id": request_id, "op": op, "request": payload}
            try:
                sending = in_background(process.send, request_id, message)
                future = await asyncio.wait_for(sending, max(0.0, deadline - time.monotonic()))
                remaining = max(0.0, deadline - time.monotonic())
                reply = await asyncio.wait_for(asyncio.wrap_future(future), remaining)
                self.stats["requests"] += 1
                return _result(process, reply)
            except TimeoutError:
                process.kill(f"a Lantern request took longer than {timeout:.1f} s")
                raise PageTimeoutError(
                    f"the Lantern worker did not answer within {timeout:.1f} s"
                ) from None
            except _WorkerDied as exc:
                if attempt == 2 or time.monotonic() >= deadline:
                    raise InternalError(str(exc)) from None
                log.warning("%s; sending the request again to a new worker", exc)
        raise AssertionError("unreachable")

    def start(self) -> None:
        """Start the Node process now (it loads Lantern while the first page loads).

        Idempotent; requests start it anyway.
        """
        self._running()

    @property
    def pid(self) -> int | None:
        """The running worker's process id (``None`` when none runs)."""
        process = self._process
        return None if process is None or process.dead else process.popen.pid

    def close(self) -> None:
        """Stop the worker (it starts again on the next request). Idempotent."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            process.close()


_worker: LanternWorker | None = None
_worker_lock = threading.Lock()


def get_worker() -> LanternWorker:
    """The process-wide Lantern worker (its Node process starts on first request)."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = LanternWorker()
        return _worker


def close_worker() -> None:
    """Stop the process-wide worker's Node process, if any (also run at exit)."""
    with _worker_lock:
        worker = _worker
    if worker is not None:
        worker.close()


atexit.register(close_worker)
close_at_shutdown(close_worker)  # whichever thread started it
