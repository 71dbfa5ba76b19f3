"""The `novbe` command table: which module owns each role command, so that a command's start-up
imports only the module it runs."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

from novbe.cli import CORE_COMMANDS, ROLE_MODULES, build_parser

ROOT = Path(__file__).resolve().parents[2]


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def test_each_role_module_registers_exactly_the_commands_the_table_gives_it():
    """ROLE_MODULES names, for every command a role module adds, that module — and nothing
    else — so a new command cannot be missed by a start-up that loads its owner only."""
    for module in dict.fromkeys(ROLE_MODULES.values()):
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        importlib.import_module(module).register(sub)
        assert set(sub.choices) == {c for c, m in ROLE_MODULES.items() if m == module}, module


def test_a_role_command_line_has_the_core_commands_and_its_own_module_only():
    """`novbe staff …` builds the core commands and the server's; help builds them all."""
    assert _commands(build_parser(command="staff")) == (
        set(CORE_COMMANDS) | {c for c, m in ROLE_MODULES.items() if m == "server.cli"})
    assert _commands(build_parser()) == set(CORE_COMMANDS) | set(ROLE_MODULES)


def test_a_role_command_imports_no_other_role():
    """A fresh process parsing `novbe device list` imports neither the national side's
    PostgreSQL driver nor the reports, planner or kiosk."""
    probe = ("import sys; from novbe.cli import build_parser; "
             "build_parser(command='device').parse_args(['device', 'list']); "
             "print(' '.join(m for m in ('psycopg', 'central.cli', 'novbe.report_cli', "
             "'planning.cli', 'kiosk.cli', 'board.cli') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip() == ""
