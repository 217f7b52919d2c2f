"""README.md stays short and for users; ``docs/`` holds the depth, and every link resolves.

README's two commands are the ones CI runs: ``.ci/run`` runs README's test command as
written, so each stays in a code block under a heading that says which is which.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CI = ROOT / ".ci" / "run"
MAX_README_LINES = 150
DEMO_COMMAND = "bash scripts/setup.sh && .venv/bin/psdata demo"
TEST_COMMAND = "bash scripts/setup.sh && .venv/bin/python -m pytest -q"
#: The Markdown files whose links are checked: README's own pages and bench's pointer.
PAGES = sorted([README, ROOT / "bench" / "README.md", *DOCS.glob("*.md")])

#: An inline Markdown link's target: ``[text](target)``.
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = "```"


def relative_links(page: Path) -> list[str]:
    """The link targets in *page* that point into the repository (no URLs, no mail)."""
    targets = LINK.findall(page.read_text(encoding="utf-8"))
    return [target for target in targets if not re.match(r"[a-z]+:", target)]


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces → ``-``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def headings(page: Path) -> list[str]:
    """The headings of *page*, outside code blocks."""
    found, in_code = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith(FENCE):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.append(line.lstrip("#").strip())
    return found


def code_under_headings(page: Path) -> dict[str, list[str]]:
    """Each heading of *page* with the lines of the code blocks in its section."""
    sections: dict[str, list[str]] = {}
    current, in_code = "", False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith(FENCE):
            in_code = not in_code
        elif in_code:
            sections.setdefault(current, []).append(line.strip())
        elif line.startswith("#"):
            current = line.lstrip("#").strip()
    return sections


def test_links_and_anchors_are_read_as_github_reads_them(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Where a URL's CPU goes\n```\n# not a heading\n```\n"
        "[a](docs/a.md#b) [c](https://e.org) [d](#where-a-urls-cpu-goes) [m](mailto:x@y.z)\n",
        encoding="utf-8",
    )
    assert relative_links(page) == ["docs/a.md#b", "#where-a-urls-cpu-goes"]
    assert headings(page) == ["Where a URL's CPU goes"]
    assert anchor("Throttling: simulate, devtools, provided") == (
        "throttling-simulate-devtools-provided"
    )
    assert anchor(headings(page)[0]) == "where-a-urls-cpu-goes"
    assert code_under_headings(page) == {"Where a URL's CPU goes": ["# not a heading"]}


def test_readme_is_at_most_150_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines; keep it under {MAX_README_LINES} and move "
        "depth to docs/"
    )


def test_every_docs_link_in_the_readme_resolves_to_a_file() -> None:
    targets = [t for t in relative_links(README) if t.startswith("docs/")]
    assert targets, "README.md links to no page of docs/"
    missing = [t for t in targets if not (ROOT / t.split("#", 1)[0]).is_file()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_the_readme_links_every_page_of_the_docs() -> None:
    linked = {t.split("#", 1)[0] for t in relative_links(README)}
    pages = {f"docs/{p.name}" for p in DOCS.glob("*.md") if p.name != "README.md"}
    assert pages, "docs/ has no pages"
    assert not pages - linked, f"pages README.md does not link: {sorted(pages - linked)}"


def resolves(page: Path, target: str) -> bool:
    """Whether *target*, a link in *page*, names an existing file (and heading, if any)."""
    path, _, fragment = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    if not file.exists():
        return False
    return not fragment or file.suffix != ".md" or fragment in map(anchor, headings(file))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve_to_files_and_headings(page: Path) -> None:
    broken = [target for target in relative_links(page) if not resolves(page, target)]
    assert not broken, f"{page.relative_to(ROOT)}: broken links {broken}"


def test_the_readme_gives_the_demo_and_the_test_command_under_their_headings() -> None:
    sections = code_under_headings(README)
    demo = [code for title, code in sections.items() if "demo" in title.lower()]
    tests = [code for title, code in sections.items() if "test" in title.lower()]
    assert any(DEMO_COMMAND in code for code in demo), "no demo command under a demo heading"
    assert any(TEST_COMMAND in code for code in tests), "no test command under a test heading"


def test_ci_runs_the_readmes_test_command_as_written() -> None:
    ci_lines = [line.strip() for line in CI.read_text(encoding="utf-8").splitlines()]
    assert TEST_COMMAND in ci_lines
