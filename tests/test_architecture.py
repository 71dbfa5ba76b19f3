"""The layout rules of docs/architecture.md: roles depend on shared only, shared on no UI or web framework;
the import-linter contracts in pyproject.toml are kept and ruff is clean."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROLES = ("kiosk", "board", "server")
SHARED_FORBIDDEN = ("kiosk", "board", "server", "novbe", "qtcommon", "planning", "PySide6", "fastapi",
                    "uvicorn", "starlette")
PLANNING_FORBIDDEN = ("kiosk", "board", "server", "novbe", "qtcommon", "PySide6", "fastapi", "uvicorn",
                      "starlette")


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed next to {sys.executable}")
    return str(path)


def _imports(package: str) -> list[tuple[Path, int, str]]:
    """(file, line, top-level module) for every import in a package, relative ones resolved."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, node.lineno, a.name.split(".")[0]) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                top = package if node.level else (node.module or "").split(".")[0]
                found.append((path, node.lineno, top))
    return found


def test_import_linter_contracts_are_kept():
    """`lint-imports` passes every contract declared in pyproject.toml."""
    done = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_ruff_is_clean():
    """`ruff check .` finds nothing."""
    done = subprocess.run([_tool("ruff"), "check", ".", "--output-format", "concise"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


TYPED = ("shared", "server", "qtcommon", "planning")


def test_mypy_is_clean():
    """`mypy` finds nothing in the packages held to it (the queue core and the planning package)."""
    done = subprocess.run([_tool("mypy"), *TYPED], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_shared_imports_no_role_and_no_framework():
    """Nothing in shared/ imports a role, the CLI, Qt or the web stack (checked on the source)."""
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod}" for p, line, mod in _imports("shared")
           if mod in SHARED_FORBIDDEN]
    assert bad == []


def test_planning_imports_shared_only():
    """planning/ (simulator, planner, chart) imports no role, no CLI, no Qt, no web stack: a
    manager page may use it, it uses none of them."""
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod}" for p, line, mod in _imports("planning")
           if mod in PLANNING_FORBIDDEN]
    assert bad == []


@pytest.mark.parametrize("role", ROLES)
def test_roles_do_not_import_each_other(role):
    """kiosk, board and server depend on shared, never on one another."""
    others = set(ROLES) - {role}
    bad = [f"{p.relative_to(ROOT)}:{line} imports {mod}" for p, line, mod in _imports(role)
           if mod in others]
    assert bad == []


def test_errors_carry_no_http_status_or_exit_code():
    """No named error defines an HTTP status or exit code: the server and CLIs map them."""
    found = []
    for package in ("shared", "server", "kiosk", "board", "novbe", "planning"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.Assign) and any(
                                isinstance(t, ast.Name) and t.id in ("http_status", "exit_code")
                                for t in item.targets):
                            found.append(f"{path.relative_to(ROOT)}:{item.lineno} {node.name}")
    assert not found, found
