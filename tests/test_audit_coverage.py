"""Every audit of Lighthouse 12.2.3's four categories is in psdata's rows, as Lighthouse
lists it (id, category, order, display mode), or listed as not produced (and then not
applicable in every row, never absent)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import psdata
from conftest import fixture_names, load_fixture
from psdata._lighthouse import CATEGORY_IDS, ERROR, MANUAL, NOT_APPLICABLE
from psdata.demo.server import ServedSite
from psdata.engines.lab.catalogue import NOT_PRODUCED, audit_ids

REPORTS = fixture_names("lighthouse-12.2.3-mobile-*.json.gz")
#: Display modes Lighthouse gave each audit over the benchmark pages (see its README).
MODES = "lighthouse-12.2.3-display-modes.json"
AUDITS_DOC = Path(__file__).resolve().parents[1] / "docs" / "audits.md"


@pytest.mark.parametrize("report", REPORTS)
def test_psdata_lists_every_audit_of_lighthouses_categories(report: str) -> None:
    lhr = load_fixture(report)
    ours = audit_ids()
    for name, lighthouse_id in CATEGORY_IDS.items():
        refs = [ref["id"] for ref in lhr["categories"][lighthouse_id]["auditRefs"]]
        neither = [a for a in refs if a not in ours[name]]
        assert not neither, f"{name}: psdata neither produces nor lists {neither}"
        assert list(ours[name]) == refs, name  # the same audits, in Lighthouse's order


def test_every_audit_psdata_lists_is_in_the_docs_and_those_not_produced_say_why() -> None:
    text = AUDITS_DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z0-9-]+)`", text))
    missing = {a for ids in audit_ids().values() for a in ids} - documented
    assert not missing, f"docs/audits.md does not name {sorted(missing)}"
    section = text.split("## Not produced", 1)[1].split("\n## ", 1)[0]
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([a-z-]+)` \|[^|]+\| ([^|]+) \|", section, re.M)
    }
    assert set(rows) == set(NOT_PRODUCED)
    for audit_id, why in NOT_PRODUCED.items():
        # The row's explanation and the docs give the same reason.
        assert rows[audit_id].strip() == why, audit_id
    assert NOT_PRODUCED.keys() <= set(audit_ids()["performance"])


@pytest.fixture(scope="module")
def measured(site: ServedSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[pd.DataFrame]:
    frame = psdata.analyze(
        [site.url("/simple.html"), site.url("/opp/waste.html")],
        progress=False,
        cache_dir=tmp_path_factory.mktemp("coverage-cache"),
    )
    assert frame["error"].isna().all(), frame["error"].tolist()
    yield psdata.audits(frame)


def test_a_row_has_every_audit_in_every_category(measured: pd.DataFrame) -> None:
    for url, page in measured.groupby("url"):
        for category, ids in audit_ids().items():
            found = page[page.category == category].audit_id.tolist()
            assert found == list(ids), (url, category)
        produced = page[page.audit_id.isin(list(NOT_PRODUCED))]
        assert produced.display_mode.eq(NOT_APPLICABLE).all()


def test_display_modes_are_those_lighthouse_gives(measured: pd.DataFrame) -> None:
    """An audit's mode in psdata's rows is one Lighthouse gave that audit in its recorded
    reports (two here, about a hundred over the benchmark pages), or not applicable, or
    undecided. Audits Lighthouse never decided in those reports are not checked."""
    seen: dict[str, set[str]] = {
        audit_id: set(modes) for audit_id, modes in load_fixture(MODES)["modes"].items()
    }
    for report in REPORTS:
        for audit_id, audit in load_fixture(report)["audits"].items():
            seen.setdefault(audit_id, set()).add(audit["scoreDisplayMode"])
    wrong: list[tuple[Any, ...]] = []
    for row in measured.itertuples():
        lighthouse = seen.get(row.audit_id, set()) - {NOT_APPLICABLE, ERROR}
        if not lighthouse or row.display_mode in (NOT_APPLICABLE, ERROR):
            continue
        if row.display_mode not in lighthouse:
            wrong.append((row.audit_id, row.display_mode, sorted(lighthouse)))
    assert not wrong, sorted(set(wrong))
    manual = measured[measured.display_mode == MANUAL].audit_id.unique()
    assert set(manual) == {a for a, modes in seen.items() if modes == {MANUAL}} & set(manual)
