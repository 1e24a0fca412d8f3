"""The house rules of the code, checked so they stay true: each layer imports only the
layers below it, and no product function or module grows past what one reads at once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "broadcasts", "handlers")  # each may import only those before it
# The composition root and the command line see everything.
ROOTS = {"bot/app.py", "bot/cli.py", "bot/__main__.py"}
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 450


def _modules() -> list[Path]:
    return sorted(p for layer in LAYERS for p in (ROOT / layer).rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imported(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_a_layer_imports_only_the_layers_below_it(path: Path) -> None:
    """bot/ never imports broadcasts/ or handlers/, broadcasts/ never imports handlers/."""
    if _name(path) in ROOTS:
        return
    layer = _name(path).split("/")[0]
    above = set(LAYERS[LAYERS.index(layer) + 1 :])
    assert not _imported(ast.parse(path.read_text())) & above


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_functions_and_modules_stay_short(path: Path) -> None:
    """No function over 60 lines, no module over 450."""
    source = path.read_text()
    assert source.count("\n") <= MAX_MODULE_LINES
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long
