"""The report facts of every centre in the central PostgreSQL: each centre's shipped events folded
by the very fold a centre uses (shared/reports/fold.py), with that centre's config as it shipped
it (time zone, reset hour, categories, counters, targets: shared/config/versions.py), into
novbe.report_* tables that carry the centre — so the figures of shared/reports/figures.py run
over them unchanged (dialect POSTGRES, centre column `centre_id`).

Refreshing is incremental, like a centre's fact store: the service days that events newer than
the last folded one touched are folded again. It needs the owner's rights (the facts are a
derived cache; readers only read them).

Only the centre's current generation is folded (a restored centre's new history; the old one
stays in `events`, apart). Every new event is screened first (central/screening.py): one that
cannot be counted is set aside with its reason (`novbe.set_aside`) and left out of the fold.
Each centre is refreshed in a transaction of its own and a failure is recorded for that centre
(`report_progress.problem`) — the next centre refreshes all the same."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from central.health import ConfigChoice, config_choice, current_generation
from central.schema import READERS_ROLE, SCHEMA, CentralError
from central.screening import ShippedEvent, event_problem
from server.shipping.link import first_line
from shared.core.service_day import ServiceDays
from shared.reports import columns as rollups
from shared.reports.facts import (
    COUNTER_FIELDS,
    PROFILE_CALL_FIELDS,
    TICKET_FIELDS,
    VISIT_FIELDS,
)
from shared.reports.figures import TICKET_SUMS, VISIT_SUMS
from shared.reports.fold import EventRow, fold_day

EVENT_COLUMNS = "id, at, kind, ticket_id, service, counter, staff, details"
FACT_TABLES = ("report_tickets", "report_visits", "report_counters", "report_targets",
               "report_profile_calls")
ROLLUP_TABLES = ("report_ticket_sums", "report_visit_sums", "report_day_columns")
CENTRE_SETTING = "novbe.centre"     # the centre whose rollups a refresh is writing
SCREEN = f"""
SELECT e.id, e.at, e.kind, e.ticket_id, e.service, e.details,
       extract(epoch FROM e.shipped_at)::float8, i.id, i.at
FROM {SCHEMA}.events e LEFT JOIN LATERAL (
    SELECT f.id, f.at FROM {SCHEMA}.events f
    WHERE e.ticket_id IS NOT NULL AND f.centre_id = e.centre_id AND f.generation = e.generation
      AND f.ticket_id = e.ticket_id AND f.kind = 'issued' ORDER BY f.id LIMIT 1) i ON true
WHERE e.centre_id = %s AND e.generation = %s AND e.id > %s AND e.id <= %s ORDER BY e.id"""

log = logging.getLogger(__name__)


class QmarkCursor:
    """shared.reports' SQL (written with ? parameters, the same text for both databases) run
    on a psycopg connection."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def execute(self, text: str, params: Any = ()) -> Any:
        statement = text.replace("%", "%%").replace("?", "%s")
        if text.lstrip().startswith("SELECT") and "FROM report_day_columns" in text:
            # a year of packed columns: fetched in binary (bytea as is, not as hex text)
            return self.conn.cursor(binary=True).execute(statement, params)
        return self.conn.execute(statement, params)


def _rollup_columns() -> dict[str, list[str]]:
    return {"report_ticket_sums": ["service_day", "dim", "key", *[n for n, _ in TICKET_SUMS]],
            "report_visit_sums": ["service_day", "dim", "key", *[n for n, _ in VISIT_SUMS]],
            "report_day_columns": ["service_day", "words", "tickets", "visits"]}


def rollups_ready(conn: psycopg.Connection) -> bool:
    """Whether the daily rollups exist with the columns this version's figures sum."""
    found: dict[str, list[str]] = {}
    for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE "
            "table_schema = %s AND table_name = ANY(%s) AND column_name <> 'centre_id' "
            "ORDER BY table_name, ordinal_position", (SCHEMA, list(ROLLUP_TABLES))):
        found.setdefault(table, []).append(column)
    return found == _rollup_columns()


def ensure_rollups(conn: psycopg.Connection) -> bool:
    """Create the daily rollup tables of shared/reports/columns.py (with a centre column) if
    they are missing or were made by a version that summed other figures (then every centre
    is folded again). Returns True when they were (re)made."""
    if rollups_ready(conn):
        return False
    centre = f"centre_id text NOT NULL DEFAULT current_setting('{CENTRE_SETTING}')"
    for table in ROLLUP_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{table}")
    for table, names in _rollup_columns().items():
        if table == "report_day_columns":
            conn.execute(f"CREATE TABLE {SCHEMA}.{table} ({centre}, service_day text NOT NULL, "
                         "words text, tickets bytea, visits bytea, "
                         "PRIMARY KEY (centre_id, service_day))")
        else:
            sums = ", ".join(f"{n} bigint" for n in names[3:])
            conn.execute(f"CREATE TABLE {SCHEMA}.{table} ({centre}, service_day text NOT NULL, "
                         f"dim text NOT NULL, key text, {sums})")
            conn.execute(f"CREATE INDEX ON {SCHEMA}.{table} (dim, service_day, centre_id)")
        conn.execute(f"GRANT SELECT ON {SCHEMA}.{table} TO {READERS_ROLE}")
    conn.execute(f"DELETE FROM {SCHEMA}.report_progress")
    return True


@contextmanager
def only_centres(conn: psycopg.Connection, centres: Iterable[str]) -> Iterator[None]:
    """Inside, the report tables named without a schema hold only these centres' rows
    (temporary views, first on the search path), so shared.reports' statements — which know
    nothing of centres — read and write one centre's or several centres' facts."""
    ids = sql.Literal(list(centres))
    made = []
    try:
        for table in (*FACT_TABLES, *ROLLUP_TABLES):
            conn.execute(sql.SQL("CREATE OR REPLACE TEMP VIEW {} AS SELECT * FROM {}.{} "
                                 "WHERE centre_id = ANY({}::text[])").format(
                sql.Identifier(table), sql.Identifier(SCHEMA), sql.Identifier(table), ids))
            made.append(table)
        yield
    finally:
        for table in made:
            conn.execute(sql.SQL("DROP VIEW IF EXISTS pg_temp.{}").format(sql.Identifier(table)))


def known_centres(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(f"SELECT centre_id FROM {SCHEMA}.centres ORDER BY 1")]


class CentreFold:
    """Folding one centre's shipped events (of one generation) into the central report facts."""

    def __init__(self, conn: psycopg.Connection, centre_id: str, generation: str,
                 choice: ConfigChoice):
        if choice.config is None:
            raise CentralError(f"centre {centre_id!r} has no usable config in its current "
                               "history: its figures cannot be made")
        self.conn = conn
        self.centre_id = centre_id
        self.generation = generation
        self.key = (centre_id, generation)
        self.choice = choice
        self.config = choice.config
        self.categories = {s.id: s.category for s in self.config.services.values()}
        self.counter_services = {c.id: c.services for c in self.config.counters}
        self.days = ServiceDays(self.config.tz, self.config.day_reset_hour)
        self.aside = {int(r[0]) for r in conn.execute(
            f"SELECT ref FROM {SCHEMA}.set_aside WHERE centre_id = %s AND generation = %s AND "
            "what = 'event'", self.key)}

    def note_refused_configs(self) -> None:
        """Set aside the config versions that do not parse (with the reason)."""
        self._set_aside("config", self.choice.refused.items())

    def screen(self, after: int, top: int) -> int:
        """Check the events after..top; set aside those that cannot be counted. Returns how
        many were set aside now."""
        found = []
        with self.conn.cursor(name="novbe_screen") as cur:
            cur.itersize = 20_000
            cur.execute(SCREEN, (*self.key, after, top))
            for row in cur:
                why = event_problem(ShippedEvent(*row), self.choice.versions)
                if why is not None:
                    found.append((str(row[0]), why))
        self._set_aside("event", found)
        self.aside.update(int(ref) for ref, _ in found)
        return len(found)

    def _set_aside(self, what: str, rows: Iterable[tuple[str, str]]) -> None:
        rows = list(rows)
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {SCHEMA}.set_aside (centre_id, generation, what, ref, reason) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (centre_id, generation, what, ref) "
                    "DO UPDATE SET reason = excluded.reason",
                    [(*self.key, what, ref, why) for ref, why in rows])

    def touched_days(self, after: int, top: int) -> set[str]:
        """The service days of the events after..top (a late event counts for its ticket's day)."""
        days: set[str] = set()
        issued: dict[int, str] = {}
        unknown: set[int] = set()
        with self.conn.cursor(name="novbe_touched") as cur:
            cur.itersize = 20_000
            cur.execute(f"SELECT id, at, kind, ticket_id FROM {SCHEMA}.events WHERE "
                        "centre_id = %s AND generation = %s AND id > %s AND id <= %s ORDER BY id",
                        (*self.key, after, top))
            for eid, at, kind, tid in cur:
                if eid in self.aside:
                    continue
                if kind == "issued" and tid is not None:
                    issued[tid] = day = self.days.day_of(at)
                    days.add(day)
                elif tid is None:
                    days.add(self.days.day_of(at))
                elif tid in issued:
                    days.add(issued[tid])
                else:
                    unknown.add(tid)
        for tid in unknown:
            row = self.conn.execute(
                f"SELECT service_day FROM {SCHEMA}.report_tickets WHERE centre_id = %s AND "
                "ticket_id = %s", (self.centre_id, tid)).fetchone()
            if row is None:
                found = [r for r in self.conn.execute(
                    f"SELECT id, at FROM {SCHEMA}.events WHERE centre_id = %s AND generation = %s "
                    "AND ticket_id = %s AND kind = 'issued' ORDER BY id", (*self.key, tid))
                    if r[0] not in self.aside]
                row = (self.days.day_of(found[0][1]),) if found else None
            if row is not None:
                days.add(row[0])
        return days

    def rebuild_day(self, day: str, now: float) -> None:
        start, end = self.days.bounds(day)
        rows = self.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM {SCHEMA}.events WHERE centre_id = %s AND "
            "generation = %s AND at >= %s AND at < %s ORDER BY id",
            (*self.key, start, end)).fetchall()
        rows = [r for r in rows if r[0] not in self.aside]
        issued = [r[3] for r in rows if r[2] == "issued" and r[3] is not None]
        if issued:   # ticket ids grow with time: the day's tickets are one id range
            rows += [r for r in self.conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM {SCHEMA}.events WHERE centre_id = %s AND "
                "generation = %s AND ticket_id BETWEEN %s AND %s AND at >= %s",
                (*self.key, min(issued), max(issued), end)).fetchall() if r[0] not in self.aside]
        facts = fold_day(day, (EventRow.from_row(r) for r in rows), start=start, end=end,
                         until=now, tz=self.config.tz, categories=self.categories,
                         counter_services=self.counter_services)
        for table in ("report_tickets", "report_visits", "report_counters",
                      "report_profile_calls"):
            self.conn.execute(f"DELETE FROM {SCHEMA}.{table} WHERE centre_id = %s AND "
                              "service_day = %s", (self.centre_id, day))
        self._copy("report_tickets", TICKET_FIELDS,
                   ((*_values(t), t.estimate_error_s) for t in facts.tickets))
        self._copy("report_visits", VISIT_FIELDS, (_values(v) for v in facts.visits))
        self._copy("report_counters", COUNTER_FIELDS, (_values(c) for c in facts.counters))
        self._copy("report_profile_calls", PROFILE_CALL_FIELDS,
                   (_values(p) for p in facts.profile_calls))

    def write_targets(self) -> None:
        self.conn.execute(f"DELETE FROM {SCHEMA}.report_targets WHERE centre_id = %s",
                          (self.centre_id,))
        self._copy("report_targets", ("service", "target_s"),
                   ((s.id, int(round(s.target_wait_min * 60)))
                    for s in self.config.services.values()))

    def _copy(self, table: str, fields: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
        columns = ", ".join(("centre_id", *fields))
        with self.conn.cursor() as cur, cur.copy(
                f"COPY {SCHEMA}.{table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((self.centre_id, *row))


def _values(fact: Any) -> tuple[Any, ...]:
    return tuple(fact.__dict__.values())


@dataclass
class CentreRefreshed:
    """What one refresh did for one centre."""

    days: int = 0              # service days folded again
    set_aside: int = 0         # rows of its current history set aside (all so far)
    problem: str | None = None  # why it could not be refreshed (the others were)


def refresh(conn: psycopg.Connection, centres: Iterable[str] | None = None,
            now: float | None = None) -> dict[str, CentreRefreshed]:
    """Fold every centre's (or these centres') new events into the report facts, one
    transaction per centre; a centre that fails is recorded as failed and the next one goes on."""
    now = datetime.now(UTC).timestamp() if now is None else now
    out: dict[str, CentreRefreshed] = {}
    with conn.transaction():
        ensure_rollups(conn)
    for centre in (list(centres) if centres is not None else known_centres(conn)):
        try:
            with conn.transaction():
                out[centre] = _refresh_centre(conn, centre, now)
        except Exception as exc:     # isolation: one centre's rows never stop the next centre
            if conn.broken or conn.closed:
                raise
            why = first_line(exc)
            if isinstance(exc, CentralError):
                log.warning("central refresh: centre %s: %s", centre, why)
            else:
                log.exception("central refresh: centre %s failed", centre)
            with conn.transaction():
                conn.execute(f"INSERT INTO {SCHEMA}.report_progress (centre_id, last_event_id, "
                             "problem) VALUES (%s, 0, %s) ON CONFLICT (centre_id) DO UPDATE SET "
                             "problem = excluded.problem, refreshed_at = now()", (centre, why))
            out[centre] = CentreRefreshed(problem=why)
    return out


def _refresh_centre(conn: psycopg.Connection, centre: str, now: float) -> CentreRefreshed:
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("novbe-facts:" + centre,))
    generation = current_generation(conn, centre)
    row = conn.execute(f"SELECT last_event_id, generation, problem FROM {SCHEMA}.report_progress "
                       "WHERE centre_id = %s", (centre,)).fetchone()
    same = row is not None and row[1] == generation and row[2] is None
    if row is not None and not same:
        forget_centre(conn, centre)   # a new history, or a failed refresh: folded from scratch
    after = int(row[0]) if same and row else 0
    found = conn.execute(f"SELECT coalesce(max(id), 0) FROM {SCHEMA}.events WHERE "
                         "centre_id = %s AND generation = %s", (centre, generation)).fetchone()
    top = int(found[0]) if found else 0
    if top == 0 or (top <= after and same):
        return CentreRefreshed(0, _aside_count(conn, centre, generation))
    fold = CentreFold(conn, centre, generation, config_choice(conn, centre, generation))
    fold.note_refused_configs()
    fold.screen(after, top)
    days = fold.touched_days(after, top)
    fold.write_targets()
    for day in sorted(days):
        fold.rebuild_day(day, now)
    write_rollups(conn, centre, sorted(days))
    aside = _aside_count(conn, centre, generation)
    conn.execute(f"INSERT INTO {SCHEMA}.report_progress (centre_id, last_event_id, generation, "
                 "problem, set_aside) VALUES (%s, %s, %s, NULL, %s) ON CONFLICT (centre_id) DO "
                 "UPDATE SET last_event_id = excluded.last_event_id, generation = "
                 "excluded.generation, problem = NULL, set_aside = excluded.set_aside, "
                 "refreshed_at = now()", (centre, top, generation, aside))
    return CentreRefreshed(len(days), aside)


def _aside_count(conn: psycopg.Connection, centre: str, generation: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM {SCHEMA}.set_aside WHERE centre_id = %s AND "
                       "generation = %s", (centre, generation)).fetchone()
    return int(row[0]) if row else 0


def forget_centre(conn: psycopg.Connection, centre: str) -> None:
    """Empty one centre's report facts and rollups (folded again by the next refresh)."""
    for table in (*FACT_TABLES, *ROLLUP_TABLES):   # the rollups exist after a first refresh
        found = conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.{table}",)).fetchone()
        if found and found[0] is not None:
            conn.execute(f"DELETE FROM {SCHEMA}.{table} WHERE centre_id = %s", (centre,))
    conn.execute(f"DELETE FROM {SCHEMA}.report_progress WHERE centre_id = %s", (centre,))


def write_rollups(conn: psycopg.Connection, centre: str, days: Iterable[str]) -> None:
    """The long reports' daily rollups of these days of one centre, made as a centre makes
    its own (shared/reports/columns.py), inside the caller's transaction."""
    conn.execute("SELECT set_config(%s, %s, true)", (CENTRE_SETTING, centre))
    with only_centres(conn, [centre]):
        for day in days:
            rollups.write_day(QmarkCursor(conn), day)   # type: ignore[arg-type]


def can_refresh(conn: psycopg.Connection) -> bool:
    """Whether this login may write the report facts (the owner may; readers may not)."""
    row = conn.execute("SELECT has_table_privilege(%s, 'INSERT')",
                       (f"{SCHEMA}.report_tickets",)).fetchone()
    return bool(row and row[0])
