"""The package layout is the architecture: each package imports only the layers below it
(docs/architecture.md draws the same picture). Function-level imports count too."""

from __future__ import annotations

import ast
from pathlib import Path

import docparse

ROOT = Path(docparse.__file__).parent
BASE = {"document", "errors", "settings"}
# package (or top-level module) -> what it may import besides itself
ALLOWED: dict[str, set[str]] = {
    "document": set(),
    "errors": set(),
    "settings": set(),
    "io": BASE,
    "tables": BASE,
    "layout": BASE,
    "structure": BASE | {"layout"},
    "engines": BASE | {"layout", "structure", "tables"},
    "export": BASE | {"structure", "layout"},
    "pipeline": BASE | {"io", "engines", "layout", "structure", "tables"},
    "jobs": BASE | {"io", "pipeline", "export"},
    "api": BASE | {"io", "pipeline", "engines", "export", "jobs"},
    "ops": BASE | {"io", "pipeline", "engines", "layout", "structure", "tables", "export", "jobs"},
    "testing": set(),  # a leaf: the stand-in server knows nothing of docparse
    "client": set(),  # a leaf: httpx only, cheap to import beside someone else's code
}
TOP = {"cli", "__init__", "__main__"}  # the entry points may import anything


def layer(module: Path) -> str:
    parts = module.relative_to(ROOT).with_suffix("").parts
    return parts[0]


def imported_layers(module: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.level == 0
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        for name in names:
            parts = name.split(".")
            if parts[0] == "docparse" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_import_points_down() -> None:
    wrong = []
    for module in sorted(ROOT.rglob("*.py")):
        own = layer(module)
        if own in TOP:
            continue
        assert own in ALLOWED, f"{module.relative_to(ROOT)}: a package with no place"
        for target in imported_layers(module) - {own} - ALLOWED[own]:
            wrong.append(f"{module.relative_to(ROOT)} imports docparse.{target}")
    assert not wrong, "\n".join(wrong)


def test_ops_and_testing_are_leaves() -> None:
    for module in ROOT.rglob("*.py"):
        own = layer(module)
        if own in TOP or own in ("ops", "testing"):
            continue
        assert not imported_layers(module) & {"ops", "testing"}, module


def test_top_level_stays_small() -> None:
    modules = [p for p in ROOT.glob("*.py")]
    assert len(modules) <= 8, sorted(p.name for p in modules)


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from docparse.api.app import create_app\n")
    assert "api" in imported_layers(probe)
    assert "api" not in ALLOWED["pipeline"]
