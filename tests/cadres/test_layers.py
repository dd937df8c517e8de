"""Cadres sit above the domain apps (DESIGN §4): they read published assessment results, and
nothing below them imports them. org in particular keeps no cadre code (only its historical
migrations name the models it once held)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "duibiao"
BELOW = ("engine", "schemes", "audit", "accounts", "org", "assessment", "projects", "inspections")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_lower_layer_imports_cadres():
    offenders = [
        f"{path.relative_to(SRC)}: {name}"
        for app in BELOW if (SRC / app).is_dir()
        for path in sorted((SRC / app).rglob("*.py"))
        for name in sorted(_imports(path))
        if name == "duibiao.cadres" or name.startswith("duibiao.cadres.")
    ]
    assert not offenders, "\n".join(offenders)


def test_org_holds_no_cadre_code():
    leftovers = [
        str(path.relative_to(SRC))
        for path in sorted((SRC / "org").rglob("*"))
        if path.is_file() and "migrations" not in path.parts and path.suffix in {".py", ".html"}
        and "cadre" in path.read_text(encoding="utf-8").lower() + path.name.lower()
    ]
    assert not leftovers, leftovers


def test_cadres_read_assessment_results_at_module_level():
    """The old function-level import (a cycle org → assessment) is gone: cadres import the
    assessment selectors at the top of the module, as a higher layer may."""
    imports = _imports(SRC / "cadres" / "selectors.py")
    assert "duibiao.assessment.selectors.results" in imports
    tree = ast.parse((SRC / "cadres" / "selectors.py").read_text(encoding="utf-8"))
    nested = [n for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
              for n in ast.walk(f) if isinstance(n, ast.ImportFrom) and "assessment" in (n.module or "")]
    assert not nested
