"""The figures' SQL is one text for SQLite and PostgreSQL: standard constructs only, the
dialect changing nothing but how parameters are written, and a centre column for the central
copy."""

from __future__ import annotations

import re
import subprocess
import sys

from shared.reports.dialect import POSTGRES, SQLITE
from shared.reports.figures import Scope, counter_figures, ticket_figures, visit_figures

SQLITE_ONLY = re.compile(r"\b(json_\w+|strftime|julianday|unixepoch|ifnull|iif|group_concat|"
                         r"printf|instr|total|glob|datetime|date)\s*\(|INDEXED BY|\|\|", re.I)


class Recorder:
    """A cursor that keeps the statements it is given and returns no rows."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, list]] = []

    def execute(self, sql: str, params=()):
        self.statements.append((sql, list(params)))
        return self

    def fetchall(self) -> list:
        return []


def _all_statements(dialect, scope: Scope) -> list[tuple[str, list]]:
    rec = Recorder()
    for by in ("all", "service", "category", "priority", "hour", "weekday", "day", "weekday_hour"):
        ticket_figures(rec, scope, by, dialect)
    for by in ("all", "service", "counter", "staff", "hour"):
        visit_figures(rec, scope, by, dialect)
    for by in ("counter", "staff"):
        counter_figures(rec, scope, by, dialect)
    return rec.statements


def test_figures_use_only_portable_sql():
    """No SQLite-only function or syntax in any figure's statement, with every filter on."""
    scope = Scope("2026-11-01", "2026-11-30", services=("a",), categories=("c",),
                  priorities=("none",), counters=("1",), staff=("s",))
    found = [sql for sql, _ in _all_statements(SQLITE, scope) if SQLITE_ONLY.search(sql)]
    assert found == []


def test_postgres_dialect_changes_only_the_placeholders():
    """For PostgreSQL the statements are the same text with %s for each ? (same parameters),
    and a centre column adds the centre to every statement."""
    scope = Scope("2026-11-01", "2026-11-30", counters=("1",), centre_column="centre_id",
                  centre="dost-abseron")
    lite, pg = _all_statements(SQLITE, scope), _all_statements(POSTGRES, scope)
    assert [(s.replace("?", "%s"), p) for s, p in lite] == pg
    assert all("centre_id = " in s and "dost-abseron" in p for s, p in pg)
    assert not any("?" in s for s, _ in pg)


def test_the_report_modules_import_without_a_database():
    """shared.reports imports alone (no database, no web framework): the central copy reuses it."""
    code = ("import sys; import shared.reports.figures, shared.reports.report, "
            "shared.reports.fold, shared.reports.request, shared.reports.export, "
            "shared.reports.charts; "
            "bad = [m for m in ('fastapi', 'PySide6', 'server') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
