"""Every docstring example in the package runs and shows what it says.

Examples marked ``+SKIP`` need a browser, a network or a user's data and are not run.
Examples write only to temporary folders: they run in this test's own ``tmp_path``, with
the result store there too (``conftest.isolated_store``).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import psdata

MODULES = sorted(m.name for m in pkgutil.walk_packages(psdata.__path__, "psdata."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
