"""CPU priority of the work that runs beside the pages' timing windows.

Under simulated throttling a page's metrics come from the durations of its main-thread
tasks, multiplied by Lantern's CPU slowdown, so a task that waited for a core behind
other work counts as a slower page. psdata keeps the measuring pages' renderers at the
browser's priority and lowers everything that is not timed: a renderer once its page's
window is over (its audits), psdata's background threads (parsing traces, Speed Index,
records) and the Lantern worker. When the cores are contended, Linux then runs the
timed work first; when they are not, the background work runs at full speed.

Lowering a priority (raising the *nice* value) needs no privilege, raising it back does:
only work that stays in the background is lowered (a renderer's context closes with its
measurement). Niceness is per thread on Linux; elsewhere these functions do nothing.

>>> background_nice() >= os.getpriority(os.PRIO_PROCESS, os.getpid())
True
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

#: How much lower (in nice levels) the background runs than psdata's own process. At
#: +10 a background thread gets about a tenth of a core it shares with a timed one.
BACKGROUND_STEP = 10
MAX_NICE = 19
#: Per-thread priorities: Linux only (``setpriority`` on a thread id).
SUPPORTED = sys.platform.startswith("linux")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def background_nice() -> int:
    """The nice value of background work: the process's own plus :data:`BACKGROUND_STEP`.

    (The process's own is its main thread's, whichever thread asks.)
    """
    return min(MAX_NICE, os.getpriority(os.PRIO_PROCESS, os.getpid()) + BACKGROUND_STEP)


def lower_process(pid: int) -> bool:
    """Move every thread of process *pid* to :func:`background_nice` (never higher).

    Returns False when the process is gone or may not be changed.

    >>> lower_process(2**22 + 1)  # no such process
    False
    """
    if not SUPPORTED:
        return False
    target = background_nice()
    try:
        threads = [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return False
    lowered = False
    for tid in threads:
        with contextlib.suppress(OSError):  # a thread that just ended
            if os.getpriority(os.PRIO_PROCESS, tid) < target:
                os.setpriority(os.PRIO_PROCESS, tid, target)
            lowered = True
    return lowered


def lower_this_thread() -> None:
    """Move the calling thread to :func:`background_nice` (Linux; a no-op elsewhere)."""
    if SUPPORTED:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), background_nice())


def background_command(command: Sequence[str]) -> list[str]:
    """*command* started through ``nice`` at the background step, where ``nice`` exists.

    >>> background_command(["node", "worker.mjs"])[-2:]
    ['node', 'worker.mjs']
    """
    nice = shutil.which("nice") if SUPPORTED else None
    return [nice, "-n", str(BACKGROUND_STEP), *command] if nice else list(command)


def executor() -> ThreadPoolExecutor:
    """The threads psdata's background work runs in, at the background priority."""
    global _executor
    with _executor_lock:
        if _executor is None:
            workers = max(2, len(os.sched_getaffinity(0)) if SUPPORTED else os.cpu_count() or 2)
            _executor = ThreadPoolExecutor(
                workers, thread_name_prefix="psdata-background", initializer=lower_this_thread
            )
        return _executor


async def in_background(function: Callable[..., T], *args: object) -> T:
    """Run ``function(*args)`` in a background thread (see :func:`executor`).

    >>> asyncio.run(in_background(sum, [1, 2]))
    3
    """
    return await asyncio.get_running_loop().run_in_executor(executor(), function, *args)
