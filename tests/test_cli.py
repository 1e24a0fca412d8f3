"""The command line lives in bot/cli.py: every subcommand there, none in the areas' modules."""

from __future__ import annotations

import ast
import shlex
from pathlib import Path

import pytest

from bot import cli

BOT = Path(cli.__file__).resolve().parent
ROOT = BOT.parent


def _modules() -> list[Path]:
    return [p for p in sorted(BOT.rglob("*.py")) if p.name not in ("cli.py", "__main__.py")]


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(BOT)))
def test_areas_neither_parse_arguments_nor_print(path: Path) -> None:
    """Arguments and printed lines belong to bot/cli.py; the other modules compute and render."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert "argparse" not in _imports(tree)
    calls = [node.func for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert [f.lineno for f in calls if isinstance(f, ast.Name) and f.id == "print"] == []


def test_the_hoax_registry_does_not_import_its_search() -> None:
    """bot/hoax_search.py builds on bot/hoaxes.py, never the other way round (no import circle)."""
    tree = ast.parse((BOT / "hoaxes.py").read_text(encoding="utf-8"))
    assert not any("hoax_search" in name for name in _imports(tree))


def test_every_documented_command_parses() -> None:
    """Each `kim-bot ...` line of the README parses, and each offline command has its runner."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [
        line.split("#", 1)[0].split("<", 1)[0].removeprefix(".venv/bin/kim-bot")
        for line in readme.splitlines()
        if line.startswith(".venv/bin/kim-bot ")
    ]
    assert len(lines) >= 15
    for line in lines:
        args = cli.parser().parse_args(shlex.split(line))
        if args.name not in ("run", "migrate", "check-config"):
            assert callable(args.command), line
