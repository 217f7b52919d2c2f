"""The Lantern fixtures (``tests/fixtures/lantern/``) as the tests and ``scripts/`` read them.

Each case is Lighthouse 12.2.3's own trace and devtools log of one page, with the
numbers Lighthouse computed from them and the main frame and main thread(s) Lighthouse's
trace processor found (see the fixtures' README). The page's main thread is cut out of
the trace by psdata's one splitter, :func:`psdata.engines.lab.trace.split_events`, as
in production; :func:`lighthouse_main_thread` is Lighthouse's own answer, the reference.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

from psdata.engines.lab.trace import MissingTrace, PageTrace, PageWindow, split_events

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lantern"
CASES = sorted(p.name.removesuffix(".expected.json") for p in FIXTURES.glob("*.expected.json"))


def load(name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """(trace events, devtools log, expected values) of one fixture."""
    with gzip.open(FIXTURES / f"{name}.trace.json.gz", "rt") as f:
        trace = json.load(f)
    with gzip.open(FIXTURES / f"{name}.devtoolslog.json.gz", "rt") as f:
        devtools_log = json.load(f)
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text())
    return trace["traceEvents"], devtools_log, expected


def split_page(events: list[dict[str, Any]], frame_id: str) -> PageTrace:
    """The page of *frame_id*, cut out by psdata's splitter with the whole trace as window.

    A trace of Lighthouse holds one page (a browser-wide trace may hold several: each
    is found by its own frame id).
    """
    found = split_events(events, [PageWindow(0, frame_id, -math.inf, math.inf)])[0]
    if isinstance(found, MissingTrace):
        raise ValueError(found.reason)
    return found


def lighthouse_main_thread(
    events: list[dict[str, Any]], expected: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every event of the main thread(s) Lighthouse found, in trace order.

    What Lighthouse's trace processor hands Lantern (its ``mainThreadEvents``): the
    fixture's ``renderer_main_threads`` come from it, and so does the count checked here.
    """
    threads = {int(pid): tid for pid, tid in expected["renderer_main_threads"].items()}
    found = [e for e in events if threads.get(e.get("pid")) == e.get("tid")]
    if len(found) != expected["lighthouse_main_thread_events"]:
        raise ValueError(f"{len(found)} main-thread events; Lighthouse found another number")
    return found
