"""Make tests/fixtures/lighthouse-12.2.3-display-modes.json: the score display modes
Lighthouse 12.2.3 gave each audit of its four categories over the benchmark pages.

It reads the reports ``bench/compare_lighthouse.py`` cached (``bench/out/lighthouse/
*.lhr.json.gz``, Lighthouse's own LHRs) and keeps, per audit id, the set of
``scoreDisplayMode`` values seen: what ``tests/test_audit_coverage.py`` holds psdata's
rows to. Run from the repository root after a comparison run::

    .venv/bin/python scripts/make_display_modes_fixture.py
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "out" / "lighthouse"
OUT = ROOT / "tests" / "fixtures" / "lighthouse-12.2.3-display-modes.json"
sys.path.insert(0, str(ROOT / "src"))

from psdata._lighthouse import CATEGORY_IDS, LIGHTHOUSE_VERSION  # noqa: E402


def main() -> int:
    modes: dict[str, set[str]] = {}
    settings: set[tuple[str, str]] = set()
    reports = 0
    for path in sorted(CACHE.glob("*.lhr.json.gz")):
        report = json.loads(gzip.decompress(path.read_bytes()))
        if report.get("lighthouseVersion") != LIGHTHOUSE_VERSION:
            continue
        reports += 1
        config = report["configSettings"]
        settings.add((config["formFactor"], config["throttlingMethod"]))
        for lighthouse_id in CATEGORY_IDS.values():
            for ref in report["categories"][lighthouse_id]["auditRefs"]:
                mode = report["audits"][ref["id"]]["scoreDisplayMode"]
                modes.setdefault(ref["id"], set()).add(mode)
    fixture = {
        "lighthouseVersion": LIGHTHOUSE_VERSION,
        "reports": reports,
        "settings": sorted(f"{ff}/{method}" for ff, method in settings),
        "modes": {audit_id: sorted(found) for audit_id, found in sorted(modes.items())},
    }
    OUT.write_text(json.dumps(fixture, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(modes)} audits from {reports} reports")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
