"""The shape docs/ARCHITECTURE.md promises, checked on the source: imports flow index -> assistant -> ui
(the CLI alone may start the server lazily), and no module grows past 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .helpers import ROOT

PACKAGES = ("index", "assistant", "ui", "prompts")
LAYER = {"prompts": 0, "index": 0, "assistant": 1, "ui": 2}
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def imported(path: Path) -> list[tuple[str, bool]]:
    """(top-level package, imported inside a function) for every import of the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
              for n in ast.walk(f) if n is not f}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], id(node) in nested) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], id(node) in nested))
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_upward_import(path):
    package = path.relative_to(ROOT).parts[0]
    for target, lazily in imported(path):
        if target not in LAYER or target == package:
            continue
        if path.relative_to(ROOT).as_posix() == "assistant/cli.py" and target == "ui" and lazily:
            continue  # `assistant serve` starts the server; nothing else in assistant/ knows ui/
        assert LAYER[target] <= LAYER[package], f"{path.relative_to(ROOT)} imports {target} (upward)"


def test_ui_uses_the_assistant_api_not_the_index():
    for path in (ROOT / "ui").rglob("*.py"):
        assert "index" not in {target for target, _ in imported(path)}, path
        assert ".store." not in path.read_text(encoding="utf-8"), f"{path} reaches into the assistant's store"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by what its parts do"
