"""DESIGN §4: a function fits on one screen. No function in the engine is longer than 80 lines,
so each step of the scoring order (DESIGN §6) can be read, and reviewed, on its own."""

from __future__ import annotations

import ast
from pathlib import Path

import duibiao.engine

ENGINE = Path(duibiao.engine.__file__).resolve().parent
LIMIT = 80


def long_functions(source: str, limit: int = LIMIT) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function or method over ``limit`` lines,
    decorators and docstring included, nested functions counted on their own too."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > limit:
                out.append((node.name, first, length))
    return out


def test_no_engine_function_is_longer_than_80_lines() -> None:
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) >= 15  # the walk really reads the engine
    too_long = [
        f"{path.relative_to(ENGINE.parent)}:{line} {name}() is {length} lines"
        for path in files
        for name, line, length in long_functions(path.read_text(encoding="utf-8"))
    ]
    assert not too_long, (
        f"engine functions over {LIMIT} lines (split them into steps): " + "; ".join(too_long)
    )


def test_the_walk_finds_a_long_function_and_a_long_method() -> None:
    def body(indent: str) -> str:  # LIMIT statements: with the def line, LIMIT + 1 lines
        return "\n".join(f"{indent}x{i} = {i}" for i in range(LIMIT))

    source = (
        f"def long():\n{body('    ')}\n\n\n"
        f"class C:\n    @staticmethod\n    def m():\n{body('        ')}\n"
    )
    found = {name: length for name, _, length in long_functions(source)}
    assert found == {"long": LIMIT + 1, "m": LIMIT + 2}  # the decorator line counts
    assert long_functions(f"def fits():\n{body('    ')}\n", LIMIT + 1) == []  # at the limit
