"""Layers that point one way: an AST walk over every import of src/psdata.

Every import counts: at the top of a module, inside a function (lazy), under
``if TYPE_CHECKING:``. No import cycle; no module imports another module's private name
(``from m import _x``, or ``m._x`` on an imported module), and a package's private
module (``p._m``) is imported only from inside ``p``. The analysis helpers, the reports
and the plots take frames and import nothing of the engines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psdata

SOURCE = Path(psdata.__file__).parent


@dataclass(frozen=True)
class Import:
    """One module importing another (``name``: the name it takes from it, if any)."""

    importer: str
    module: str
    name: str | None
    line: int


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package at *root*, by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(root: Path) -> Iterator[Import]:
    """Every import of a module of *root*'s package by another, lazy ones included."""
    known = modules(root)
    package = root.name
    for importer, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        here = importer.split(".") if path.name == "__init__.py" else importer.split(".")[:-1]
        bound: dict[str, str] = {}  # local name → imported module
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == package:
                        yield Import(importer, alias.name, None, node.lineno)
                        if alias.asname:
                            bound[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                if module.split(".")[0] != package:
                    continue
                for alias in node.names:
                    submodule = f"{module}.{alias.name}"
                    if submodule in known:
                        yield Import(importer, submodule, None, node.lineno)
                        bound[alias.asname or alias.name] = submodule
                    else:
                        yield Import(importer, module, alias.name, node.lineno)
        for node in ast.walk(tree):  # module._name on a module imported above
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                module = bound.get(node.value.id)
                if module is not None and node.attr not in known:
                    yield Import(importer, module, node.attr, node.lineno)


def cycles(root: Path) -> list[list[str]]:
    """The import cycles among *root*'s modules, each as the modules it passes through."""
    graph: dict[str, set[str]] = {}
    for found in imports(root):
        if found.module != found.importer:
            graph.setdefault(found.importer, set()).add(found.module)
    done: set[str] = set()
    found_cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            found_cycles.append([*path[path.index(module) :], module])
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return found_cycles


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_imports(root: Path) -> set[tuple[str, str]]:
    """(importer, name) of every private name a module takes from another module, and of
    every private module it imports from outside that module's package."""
    found = set()
    for imported in imports(root):
        if imported.module == imported.importer:
            continue
        if imported.name is not None and _private(imported.name):
            found.add((imported.importer, imported.name))
        parts = imported.module.split(".")
        for at, part in enumerate(parts[1:], start=1):
            package = ".".join(parts[:at])
            inside = imported.importer == package or imported.importer.startswith(package + ".")
            if _private(part) and not inside:
                found.add((imported.importer, ".".join(parts[: at + 1])))
    return found


#: The layers that take result frames and know nothing of engines.
FRAME_LAYERS = ("psdata.analysis", "psdata.reporting", "psdata.plotting")


def engine_imports(root: Path, layers: tuple[str, ...]) -> set[tuple[str, str]]:
    """(importer, module) of every import of an engine module by a module of *layers*."""
    engines = f"{root.name}.engines"
    return {
        (found.importer, found.module)
        for found in imports(root)
        if any(
            found.importer == layer or found.importer.startswith(layer + ".") for layer in layers
        )
        and (found.module == engines or found.module.startswith(engines + "."))
    }


def test_no_import_cycle_lazy_or_not() -> None:
    assert cycles(SOURCE) == []


def test_no_module_imports_a_private_name_of_another() -> None:
    assert private_imports(SOURCE) == set()


def test_frame_layers_know_nothing_of_engines() -> None:
    assert engine_imports(SOURCE, FRAME_LAYERS) == set()


def test_the_walk_finds_cycles_and_private_names_wherever_they_are(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "engines").mkdir()
    files = {
        "__init__.py": "",
        "a.py": "from .b import VALUE\n",
        "b.py": "def f():\n    from .sub import c\n    return c\n",
        "sub/__init__.py": "",
        "view.py": "def f():\n    from .engines.lab import x\n",
        "engines/__init__.py": "",
        "engines/lab.py": "x = 1\n",
        "sub/_inner.py": "",
        "sub/d.py": "from . import _inner\n",  # its own package's private module: fine
        "e.py": "from .sub._inner import *\n",
        "sub/c.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from ..a import Thing\n"
            "from .. import a as other\nother._hidden\n"
            "from pkg.a import _secret\n"
        ),
    }
    for name, text in files.items():
        (root / name).write_text(text)
    assert cycles(root) == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]]
    assert private_imports(root) == {
        ("pkg.sub.c", "_hidden"),
        ("pkg.sub.c", "_secret"),
        ("pkg.e", "pkg.sub._inner"),
    }
    assert engine_imports(root, ("pkg.view", "pkg.sub")) == {("pkg.view", "pkg.engines.lab")}
