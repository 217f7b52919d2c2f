"""The lab engine's one time budget: bounds derived from the user's timeout, none elsewhere."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

from psdata._deadline import deadline
from psdata.engines.lab import budget
from psdata.engines.lab.budget import BUDGET

LAB = Path(budget.__file__).parent
#: Calls whose argument or keyword bounds a wait, by name: (positional index, keywords).
BOUNDING_CALLS = {
    "wait_for": (1, {"timeout"}),
    "bounded": (1, set()),
    "timeout": (0, set()),
    "wait": (None, {"timeout"}),
    "new_page": (None, {"timeout"}),
    "request": (None, {"timeout"}),
    "events": (None, {"timeout"}),
}


def _literal_bounds(path: Path) -> list[str]:
    """``file:line`` of every wait in *path* bounded by a number written in place."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", None))
        if name not in BOUNDING_CALLS:
            continue
        index, keywords = BOUNDING_CALLS[name]
        bounds = [k.value for k in node.keywords if k.arg in keywords]
        if index is not None and len(node.args) > index:
            bounds.append(node.args[index])
        if any(isinstance(b, ast.Constant) and isinstance(b.value, int | float) for b in bounds):
            found.append(f"{path.relative_to(LAB)}:{node.lineno}")
    return found


def test_no_wait_of_the_lab_engine_is_bounded_by_a_number_of_its_own() -> None:
    assert [hit for path in sorted(LAB.rglob("*.py")) for hit in _literal_bounds(path)] == []


def test_the_load_cap_leaves_time_after_the_load() -> None:
    assert BUDGET.load_cap_s(120, 45) == 45  # Lighthouse's cap fits
    assert BUDGET.load_cap_s(40, 45) == 40 - BUDGET.after_load_s
    assert BUDGET.load_cap_s(20, 45) == 10  # half the timeout at least


def test_shared_waits_follow_the_time_left_of_the_timeout() -> None:
    async def within(seconds: float) -> tuple[bool, float, float, float, float]:
        async with deadline(seconds):
            return (
                BUDGET.traced(),
                BUDGET.gate_wait(),
                BUDGET.trace_wait(),
                BUDGET.lantern_wait(),
                BUDGET.savings_budget(),
            )

    traced, gate, trace, lantern, savings = asyncio.run(within(12.0))
    assert not traced  # under min_traced_s: measured without the trace
    assert gate == pytest.approx(12.0 / 3, abs=0.5)
    assert trace == pytest.approx(12.0 - BUDGET.record_margin_s, abs=0.5)
    assert lantern == pytest.approx(12.0 - BUDGET.record_margin_s, abs=0.5)
    assert savings == pytest.approx(12.0 - BUDGET.savings_margin_s, abs=0.5)
    traced, gate, trace, lantern, savings = asyncio.run(within(600.0))
    assert traced and (gate, trace, lantern, savings) == (
        BUDGET.gate_wait_s,
        BUDGET.trace_wait_s,
        BUDGET.lantern_simulate_s,
        BUDGET.savings_s,
    )
