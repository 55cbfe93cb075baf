"""The size guard: no function in logbook/ is longer than a screen (80 lines, nested functions and
classes counted inside the function that holds them), so that each one can be read whole."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "logbook"
MOST_LINES = 80


def long_functions(folder: Path, most: int = MOST_LINES) -> list[str]:
    """``path:line name (N lines)`` for every function of the modules under *folder* over *most* lines."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > most:
                    found.append(f"{path.relative_to(folder.parent)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_in_logbook_is_over_80_lines():
    assert long_functions(PACKAGE) == []


def test_the_guard_counts_a_nested_function_inside_its_parent(tmp_path):
    body = "\n".join(f"        x{n} = {n}" for n in range(80))
    (tmp_path / "mod.py").write_text(f"def outer():\n    def inner():\n{body}\n    return inner\n")
    assert long_functions(tmp_path) == [
        f"{tmp_path.name}/mod.py:1 outer (83 lines)",
        f"{tmp_path.name}/mod.py:2 inner (81 lines)",
    ]
    (tmp_path / "mod.py").write_text("def short():\n    return 1\n")
    assert long_functions(tmp_path) == []
