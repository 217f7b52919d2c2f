"""A regular (non-editable) install has every file the package reads at run time.

The wheel is built from the sdist (as ``python -m build`` does) of a clean copy of the
sources (a checkout's leftover ``*.egg-info`` would otherwise list files a fresh clone's
build misses), so a file missing from either fails here. The package is then imported
from the unpacked wheel alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "psdata"


def package_files() -> set[str]:
    """Every file under src/psdata but Python's caches, as ``psdata/...`` paths."""
    return {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The sdist and the wheel built from it, in a temporary folder."""
    out, clean = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("clean")
    shutil.copy(ROOT / "pyproject.toml", clean)
    shutil.copy(ROOT / "README.md", clean)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "src", clean / "src", ignore=ignore)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(clean)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    yield {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


def test_the_package_has_data_files_to_check() -> None:
    data = {name for name in package_files() if not name.endswith(".py")}
    assert {
        "psdata/engines/lab/observer.js",
        "psdata/py.typed",
        "psdata/demo/site/index.html",
    } <= data


def test_the_wheel_holds_every_file_of_the_package(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = {name for name in wheel.namelist() if name.startswith("psdata/")}
    missing = package_files() - names
    assert not missing, f"missing from the wheel: {sorted(missing)}"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_sdist_holds_every_file_of_the_package(built: dict[str, Path]) -> None:
    with tarfile.open(built["sdist"]) as sdist:
        names = {name.split("/src/", 1)[1] for name in sdist.getnames() if "/src/psdata/" in name}
    missing = package_files() - names
    assert not missing, f"missing from the sdist: {sorted(missing)}"


def test_the_unpacked_wheel_imports_and_finds_its_files(
    built: dict[str, Path], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(built["wheel"]) as wheel:
        wheel.extractall(site)
    script = (
        "import psdata, pathlib; from psdata.demo.server import demo_site_root\n"
        "print(pathlib.Path(psdata.__file__).parent)\n"
        "assert (demo_site_root() / 'index.html').is_file()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip().splitlines()[-1]) == site / "psdata"
