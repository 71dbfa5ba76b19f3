"""National reports: the reports of a centre (shared/reports/report.py, figures defined once in
shared/reports/figures.py) computed over the central PostgreSQL for one centre, several or all
of them, and the centres side by side (visitors, waits, % within target, satisfaction, truth of
the printed wait) — the same functions, dialect POSTGRES, centre column `centre_id`."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.adapt import Loader

from central.bookings.report import bookings_tables
from central.facts import (
    QmarkCursor,
    can_refresh,
    known_centres,
    only_centres,
    refresh,
    rollups_ready,
)
from central.health import CentreHealth, centre_config, centre_name, health
from central.profile_report import centre_configs, profile_tables
from central.schema import SCHEMA, CentralError, connect
from shared.config.centre import CentreConfig
from shared.i18n import ntr, tr
from shared.reports.columns import FastFigures
from shared.reports.dialect import POSTGRES
from shared.reports.figures import ticket_figures
from shared.reports.report import Column, Report, Table, build_report
from shared.reports.request import ReportRequest

CENTRE_COLUMN = "centre_id"
COMPARISON = [
    ("issued", "Issued", "count"), ("served", "Served", "count"),
    ("wait_mean_s", "Wait, mean", "seconds"), ("wait_median_s", "Wait, median", "seconds"),
    ("wait_p90_s", "Wait, p90", "seconds"), ("within_target_pct", "Within target", "percent"),
    ("rating_mean", "Mean score", "score"), ("satisfied_pct", "Satisfied (4–5)", "percent"),
    ("estimate_abs_error_median_s", "Median absolute error", "seconds"),
    ("estimate_within5_pct", "Within 5 min", "percent"),
]


class _Remembered:
    """A cursor that answers a query it has run before from memory: one report asks some
    figures twice (by service, by hour), and over a year of seven centres each ask is a scan."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        self.seen: dict[tuple[str, tuple[Any, ...]], list[Any]] = {}

    def execute(self, sql: str, params: Any = ()) -> _Remembered._Rows:
        key = (sql, tuple(params or ()))
        if key not in self.seen:
            self.seen[key] = list(self.conn.execute(sql, params).fetchall())
        return self._Rows(self.seen[key])

    @dataclass
    class _Rows:
        rows: list[Any]

        def fetchall(self) -> list[Any]:
            return self.rows


class _Number(Loader):
    """PostgreSQL's numeric (what SUM of bigint and AVG return) as the int or float SQLite
    would give, so the shared figures' arithmetic is the same on both."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return int(text) if text.lstrip("-").isdigit() else float(text)


@contextmanager
def central_reader(url: str, refresh_facts: bool = True) -> Any:
    """A connection for reports (search_path = novbe, so the figures' table names resolve);
    the facts are refreshed first when this login may write them."""
    conn = connect(url, app="novbe-national-reports")
    conn.adapters.register_loader("numeric", _Number)
    try:
        conn.execute(f"SET search_path TO {SCHEMA}")
        conn.commit()
        if refresh_facts and can_refresh(conn):
            refresh(conn)
        conn.commit()
        yield conn
    finally:
        conn.close()


def pick_centres(conn: psycopg.Connection, wanted: str | Sequence[str]) -> tuple[str, ...]:
    """`all`, or a list / comma-separated string of centre ids, each checked to exist."""
    known = known_centres(conn)
    if isinstance(wanted, str):
        wanted = [] if wanted.strip() in ("", "all") else [w.strip() for w in wanted.split(",")]
    chosen = tuple(dict.fromkeys(w for w in wanted if w)) or tuple(known)
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise CentralError(f"unknown centre {unknown[0]!r} (known: {', '.join(known) or 'none'})")
    if not chosen:
        raise CentralError("the central database has no centres yet")
    return chosen


def template_config(conn: psycopg.Connection, centres: Sequence[str]) -> CentreConfig:
    """The config a report over these centres names services and counters by: the first of
    them that has a usable one (a centre whose config versions were all refused has none)."""
    for centre in centres:
        try:
            return centre_config(conn, centre)
        except CentralError:
            continue
    raise CentralError(f"none of the centres {', '.join(centres)} has shipped a usable config "
                       "(novbe central status URL says why)")


def incompleteness(conn: psycopg.Connection, centres: Sequence[str],
                   lang: str) -> dict[str, str]:
    """The centres among these whose figures are not whole, each with why in a few words."""
    return incomplete_lines(health(conn, centres, shown=0), lang)


def history_notes(healths: Sequence[CentreHealth], lang: str) -> dict[str, str]:
    """For each centre that has shipped more than one history (a restore): which one the
    figures count."""
    return {h.centre_id: tr(lang, "current history {id} ({n} older kept apart)",
                            id=h.generation[:8] or "—", n=h.generations - 1)
            for h in healths if h.generations > 1}


def incomplete_lines(healths: Sequence[CentreHealth], lang: str) -> dict[str, str]:
    """Why each of these centres' figures are not whole (the whole ones left out)."""
    out = {}
    for h in healths:
        if h.complete:
            continue
        parts = []
        if h.problem:
            parts.append(tr(lang, "its last refresh failed"))
        aside = sum(h.set_aside.values())
        if aside:
            parts.append(ntr(lang, "{n} row set aside", "{n} rows set aside", aside))
        alerts = sum(h.alerts.values())
        if alerts:
            parts.append(ntr(lang, "{n} event differs from the centre's own",
                             "{n} events differ from the centre's own", alerts))
        out[h.centre_id] = "; ".join(parts)
    return out


def mark_incomplete(report: Report, incomplete: dict[str, str], names: dict[str, str],
                    lang: str) -> None:
    """Say in the report itself (page, table, CSV, XLSX, JSON name it) which centres' figures
    are incomplete."""
    if incomplete:
        which = ", ".join(names.get(c, c) for c in incomplete)
        report.centre = f"{report.centre} ({tr(lang, 'incomplete figures')}: {which})"


def national_report(conn: psycopg.Connection, request: ReportRequest, centres: Sequence[str],
                    lang: str = "az") -> Report:
    """The centre report over these centres together (one centre: that centre's report)."""
    centres = tuple(centres)
    config = template_config(conn, centres)   # names and order of services, counters…
    if _fast(conn, request):
        # Unfiltered: the daily rollups, read as a centre reads its own (only these centres'
        # rows visible), so build_report takes the very path a centre's report takes.
        with conn.transaction(force_rollback=True), only_centres(conn, centres):
            report = build_report(QmarkCursor(conn), config, request, lang)
    else:
        centre: str | tuple[str, ...] = centres[0] if len(centres) == 1 else centres
        report = build_report(_Remembered(conn), config, request, lang, dialect=POSTGRES,
                              centre_column=CENTRE_COLUMN, centre=centre)  # type: ignore[arg-type]
    summary = report.table("summary")
    if not summary.rows:      # nothing in the period (a month just begun): a row of nothing
        summary.rows.append({c.key: None for c in summary.columns} | {
            "key": "all", "label": report.centre, "issued": 0, "served": 0})
    report.tables += bookings_tables(conn, request, centres, lang)
    report.tables += profile_tables(conn, request, centres, lang, centre_configs(conn, centres))
    if len(centres) > 1:
        report.centre = tr(lang, "{n} centres", n=len(centres))
        for table in report.tables:          # the "whole centre" rows are all the centres here
            for row in table.rows:
                if row.get("key") == "all":
                    row["label"] = report.centre
    return report


def _fast(conn: psycopg.Connection, request: ReportRequest) -> bool:
    """Whether the daily rollups can answer: an unfiltered request, rollups made."""
    return not request.scope().filtered and rollups_ready(conn)


@dataclass
class Comparison:
    """The centres side by side, and all of them together in the last row."""

    table: Table
    centres: tuple[str, ...]


def compare_centres(conn: psycopg.Connection, request: ReportRequest, centres: Sequence[str],
                    lang: str = "az", together: dict[str, Any] | None = None) -> Comparison:
    """One row per centre, then the centres together: the agency's headline figures.
    `together`: the national report's summary over the same centres, when already made."""
    centres = tuple(centres)
    columns = [Column("label", tr(lang, "Centre"), "text"),
               *[Column(k, tr(lang, label), kind) for k, label, kind in COMPARISON]]
    rows = []
    groups: list[tuple[str, tuple[str, ...], str]] = [
        (cid, (cid,), centre_name(conn, cid, lang)) for cid in centres]
    if len(centres) > 1:
        groups.append(("*", centres, tr(lang, "All together")))
    fast = _fast(conn, request)
    for key, ids, name in groups:
        if key == "*" and together is not None:
            rows.append({**together, "key": key, "label": name})
            continue
        if fast:
            with conn.transaction(force_rollback=True), only_centres(conn, ids):
                figures = FastFigures(QmarkCursor(conn), request.scope()).tickets("all")
        else:
            centre = ids[0] if len(ids) == 1 else ids
            figures = ticket_figures(conn, request.scope(CENTRE_COLUMN, centre),
                                     "all", POSTGRES)
        empty = {k: None for k, _, _ in COMPARISON} | {"issued": 0, "served": 0}
        rows.append({"key": key, "label": name, **empty, **figures.get("all", {})})
    title = tr(lang, "Centres side by side")
    return Comparison(Table("centres", title, columns, rows), centres)


def facts_as_of(conn: psycopg.Connection, centres: Sequence[str]) -> dict[str, datetime | None]:
    """When each centre's report facts were last refreshed (None: never)."""
    found = {r[0]: r[1] for r in conn.execute(
        f"SELECT centre_id, refreshed_at FROM {SCHEMA}.report_progress")}
    return {c: (found[c].astimezone(UTC) if c in found else None) for c in centres}
