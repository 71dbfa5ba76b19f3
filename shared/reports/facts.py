"""The report facts: per ticket, per visit and per counter-day rows derived from the event log
(shared.reports.fold), kept in a file of their own beside the queue's (`<queue>.reports`), so
building them never takes the queue's write lock. They are a cache: a missing file is rebuilt
from the events by the next report, and a damaged one is moved aside (store.set_aside) and
rebuilt the same way; each refresh folds again every service day that new events (by event id)
touched.

Measured need (bench/reports.py): a year of the busiest centre is ≈ 2 million events;
aggregating them directly takes seconds, the facts below answer a year in well under one."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.config.centre import CentreConfig
from shared.core.errors import DamagedDatabase
from shared.core.service_day import ServiceDays
from shared.reports import columns
from shared.reports.dialect import SQLITE, Dialect
from shared.reports.fold import DayFacts, DayFold, EventRow
from shared.store import database as store
from shared.store import identity

log = logging.getLogger(__name__)

FACTS_SUFFIX = ".reports"
SCHEMA_VERSION = "2"     # 2: the work-profile facts (profile calls, idle by hour)

TICKET_FIELDS = ("ticket_id", "service_day", "issued_at", "hour", "weekday", "service",
                 "category", "priority", "estimate_min", "ahead", "called_at", "wait_s",
                 "outcome", "ended_at", "left_uncalled_s", "transferred", "rating",
                 "estimate_error_s")
VISIT_FIELDS = ("ticket_id", "seq", "service_day", "service", "category", "priority", "counter",
                "staff", "hour", "called_at", "started_at", "ended_at", "end_kind", "walkup_s",
                "service_s")
COUNTER_FIELDS = ("service_day", "counter", "staff", "open_s", "idle_waiting_s")
PROFILE_CALL_FIELDS = ("ticket_id", "seq", "service_day", "counter", "profile", "level")
IDLE_HOUR_FIELDS = ("service_day", "counter", "hour", "idle_waiting_s")

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS report_tickets (ticket_id INTEGER PRIMARY KEY,
        service_day TEXT NOT NULL, issued_at FLOAT NOT NULL, hour INTEGER, weekday INTEGER,
        service TEXT, category TEXT, priority TEXT, estimate_min INTEGER, ahead INTEGER,
        called_at FLOAT, wait_s INTEGER, outcome TEXT, ended_at FLOAT, left_uncalled_s INTEGER,
        transferred INTEGER, rating INTEGER, estimate_error_s INTEGER)""",
    "CREATE INDEX IF NOT EXISTS idx_report_tickets_day ON report_tickets(service_day)",
    """CREATE TABLE IF NOT EXISTS report_visits (ticket_id INTEGER NOT NULL, seq INTEGER NOT NULL,
        service_day TEXT NOT NULL, service TEXT, category TEXT, priority TEXT, counter TEXT,
        staff TEXT, hour INTEGER, called_at FLOAT, started_at FLOAT, ended_at FLOAT,
        end_kind TEXT, walkup_s INTEGER, service_s INTEGER, PRIMARY KEY (ticket_id, seq))""",
    "CREATE INDEX IF NOT EXISTS idx_report_visits_day ON report_visits(service_day)",
    """CREATE TABLE IF NOT EXISTS report_counters (service_day TEXT NOT NULL, counter TEXT NOT NULL,
        staff TEXT, open_s INTEGER, idle_waiting_s INTEGER)""",
    "CREATE INDEX IF NOT EXISTS idx_report_counters_day ON report_counters(service_day)",
    """CREATE TABLE IF NOT EXISTS report_profile_calls (ticket_id INTEGER NOT NULL,
        seq INTEGER NOT NULL, service_day TEXT NOT NULL, counter TEXT, profile TEXT,
        level TEXT, PRIMARY KEY (ticket_id, seq))""",
    "CREATE INDEX IF NOT EXISTS idx_report_profile_calls_day ON report_profile_calls(service_day)",
    """CREATE TABLE IF NOT EXISTS report_idle_hours (service_day TEXT NOT NULL,
        counter TEXT NOT NULL, hour INTEGER NOT NULL, idle_waiting_s INTEGER)""",
    "CREATE INDEX IF NOT EXISTS idx_report_idle_hours_day ON report_idle_hours(service_day)",
    "CREATE TABLE IF NOT EXISTS report_targets (service TEXT PRIMARY KEY, target_s INTEGER)",
    "CREATE TABLE IF NOT EXISTS report_meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS report_pending (service_day TEXT PRIMARY KEY)",
)
EVENT_SELECT = "SELECT id, at, kind, ticket_id, service, counter, staff, details FROM events"


def facts_path(queue_path: str | Path) -> Path:
    """Where the report facts of a queue file live."""
    queue_path = Path(queue_path)
    return queue_path.with_name(queue_path.name + FACTS_SUFFIX)


def open_queue_reader(queue_path: str | Path) -> sqlite3.Connection:
    """A read-only connection to the queue's file (WAL: it never waits behind a write)."""
    conn = sqlite3.connect(f"file:{Path(queue_path)}?mode=ro", uri=True, timeout=10,
                           isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA query_only = 1")
    return conn


def facts_damaged(path: str | Path) -> bool:
    """Whether a facts file fails SQLite's quick check or is no database at all (a damaged
    page shows only to a connection that reads it, so "malformed" alone does not say which
    file it was)."""
    try:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return True
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    except sqlite3.DatabaseError as exc:
        return store.is_corrupt(exc)
    finally:
        conn.close()


def set_damaged_aside(path: Path, exc: BaseException) -> Path:
    """Move damaged facts aside (they are rebuilt from the events), saying so in the log."""
    aside = store.set_aside(path)
    log.warning("the report facts %s were damaged (%s); moved to %s and rebuilt from "
                "the queue's events", path, str(exc).split("\n", 1)[0], aside)
    return aside


class FactStore:
    """The facts of one centre in SQLite, refreshed from its queue file's events."""

    dialect: Dialect = SQLITE

    def __init__(self, queue_path: str | Path, config: CentreConfig,
                 path: str | Path | None = None):
        self.queue_path = Path(queue_path)
        self.config = config
        self.path = Path(path) if path else facts_path(self.queue_path)
        self._lock = threading.RLock()
        try:
            self.conn = self._connect()
        except (sqlite3.DatabaseError, DamagedDatabase) as exc:
            if isinstance(exc, sqlite3.Error) and not store.is_corrupt(exc):
                raise       # a full disk, too many open files, a lock: not the file's fault
            set_damaged_aside(self.path, exc)
            self.conn = self._connect()
        with self._lock:
            targets = json.dumps(sorted(self._targets()))
            if self._meta("schema") not in (None, SCHEMA_VERSION) or \
                    self._meta("targets") not in (None, targets):
                self._clear()          # the sums count within-target by the targets: fold again
            self._set_meta("schema", SCHEMA_VERSION)
            self._set_meta("targets", targets)
        self._categories = {s.id: s.category for s in config.services.values()}
        self._counter_services = {c.id: c.services for c in config.counters}
        self.days = ServiceDays(config.tz, config.day_reset_hour)
        self._open_day: DayFold | None = None      # the day still going on, folded so far
        self._readers = threading.local()
        self._reader_conns: list[sqlite3.Connection] = []
        self._users_lock = threading.Lock()
        self._users = 0
        self._retired = False
        self.sound_until = 0.0     # monotonic time until which a quick check found it sound

    def _connect(self) -> sqlite3.Connection:
        """The facts file, checked and with its tables (a cache: made anew if missing)."""
        if self.path.exists():
            store.check_header(self.path)
        conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")   # a cache: rebuilt if ever lost
            for statement in (*SCHEMA, *columns.SCHEMA):
                conn.execute(self.dialect.ddl(statement))
            conn.execute("SELECT count(*) FROM report_meta").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    @contextmanager
    def lease(self) -> Iterator[FactStore]:
        """Use the facts; a store retired meanwhile is closed when its last user is done."""
        with self._users_lock:
            self._users += 1
        try:
            yield self
        finally:
            with self._users_lock:
                self._users -= 1
                last = self._retired and not self._users
            if last:
                self.close()

    def retire(self) -> None:
        """No new users (a replacement took over): close now, or when the last one is done —
        never under a statement another thread is running."""
        with self._users_lock:
            self._retired = True
            idle = not self._users
        if idle:
            self.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._reader_conns:
                conn.close()
            self._reader_conns.clear()
            self.conn.close()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's own connection, in one read snapshot: a report read while another
        thread refreshes sees the facts before or after that refresh, never half of it."""
        conn = getattr(self._readers, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA query_only = 1")
            self._readers.conn = conn
            with self._lock:
                self._reader_conns.append(conn)
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # ---- meta -------------------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM report_meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO report_meta(key, value) VALUES (?, ?) ON CONFLICT(key) "
                          "DO UPDATE SET value = excluded.value", (key, value))

    def _clear(self) -> None:
        for table in ("report_tickets", "report_visits", "report_counters", "report_meta",
                      "report_pending", "report_profile_calls", "report_idle_hours",
                      *columns.TABLES):
            self.conn.execute(f"DELETE FROM {table}")

    def last_event_id(self) -> int:
        return int(self._meta("last_event_id") or 0)

    # ---- refreshing -------------------------------------------------------------------------
    def refresh(self, now: float | None = None, today: str | None = None,
                rollups: bool = True) -> list[str]:
        """Fold again every service day new events touched (and `today`, whose open spans
        run until `now`); with `rollups`, bring the daily rollups and columns of the long
        reports up to date too (the live view, reading today's facts only, skips that).
        Returns the days folded again."""
        now = time.time() if now is None else now
        with self._lock:
            reader = open_queue_reader(self.queue_path)
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    self._same_history(reader)
                    days = self._touched_days(reader)
                    if today is not None:
                        days.add(today)
                    self._write_targets()
                    for day in sorted(days):
                        self._rebuild_day(reader, day, now)
                    if rollups:
                        for (day,) in self.conn.execute(
                                "SELECT service_day FROM report_pending").fetchall():
                            columns.write_day(self.conn, day)
                        self.conn.execute("DELETE FROM report_pending")
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    self._open_day = None          # its fold ran ahead of what was kept
                    raise
            finally:
                reader.close()
        return sorted(days)

    def rebuild(self, now: float | None = None) -> list[str]:
        """Forget every fact and fold the whole event log again."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            self._clear()
            self._set_meta("schema", SCHEMA_VERSION)
            self.conn.execute("COMMIT")
        return self.refresh(now)

    def _same_history(self, reader: sqlite3.Connection) -> None:
        """Forget every fact when the queue file holds another history than the one they were
        folded from (a restore or a copy: a new generation), or when the file's newest event is
        older than the last one folded (a file swapped by other means)."""
        current = identity.generation(reader)
        top = reader.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        if self._meta("generation") == current and self.last_event_id() <= top:
            return
        if self._meta("last_event_id") is not None:
            log.info("the queue file %s holds another history (generation %r, was %r): its "
                     "report facts are folded again", self.queue_path, current,
                     self._meta("generation"))
        self._clear()
        self._open_day = None
        self._set_meta("schema", SCHEMA_VERSION)
        self._set_meta("targets", json.dumps(sorted(self._targets())))
        self._set_meta("generation", current)

    def _touched_days(self, reader: sqlite3.Connection) -> set[str]:
        last = self.last_event_id()
        top = reader.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        days: set[str] = set()
        if top <= last:
            return days
        issued_day: dict[int, str] = {}
        unknown: set[int] = set()
        for _eid, at, kind, tid in reader.execute(
                "SELECT id, at, kind, ticket_id FROM events WHERE id > ? AND id <= ? ORDER BY id",
                (last, top)):
            if kind == "issued" and tid is not None:
                issued_day[tid] = day = self.days.day_of(at)
                days.add(day)
            elif tid is None:
                days.add(self.days.day_of(at))
            elif tid in issued_day:
                days.add(issued_day[tid])
            else:
                unknown.add(tid)
        for tid in unknown:   # a late event (rating, expiry) of a ticket folded before
            row = self.conn.execute("SELECT service_day FROM report_tickets WHERE ticket_id = ?",
                                    (tid,)).fetchone()
            if row is None:
                row = reader.execute("SELECT at FROM events WHERE ticket_id = ? AND kind = "
                                     "'issued'", (tid,)).fetchone()
                row = (self.days.day_of(row[0]),) if row else None
            if row is not None:
                days.add(row[0])
        self._set_meta("last_event_id", str(top))
        return days

    def _rebuild_day(self, reader: sqlite3.Connection, day: str, now: float) -> None:
        """Fold the day again — or, for the day still going on, fold on from where the last
        refresh stopped (its fold is kept in memory) and rewrite only the tickets that changed."""
        start, end = self.days.bounds(day)
        fold = self._open_day if self._open_day is not None and self._open_day.day == day \
            and now < end else None
        if fold is not None:
            rows = reader.execute(f"{EVENT_SELECT} WHERE id > ? AND at >= ? AND at < ? "
                                  "ORDER BY id", (fold.last_id, start, end)).fetchall()
            fold.feed(EventRow.from_row(r) for r in rows)
        else:
            rows = reader.execute(f"{EVENT_SELECT} WHERE at >= ? AND at < ? ORDER BY id",
                                  (start, end)).fetchall()
            issued = [r[3] for r in rows if r[2] == "issued" and r[3] is not None]
            if issued:   # ticket ids grow with time: the day's tickets are one id range
                rows += reader.execute(f"{EVENT_SELECT} WHERE ticket_id BETWEEN ? AND ? "
                                       "AND at >= ?", (min(issued), max(issued), end)).fetchall()
            fold = DayFold(day, start, end, self.config.tz, self._categories,
                           self._counter_services)
            fold.feed(EventRow.from_row(r) for r in rows)
            fold.dirty.clear()
            self._write_day(day, fold.facts(now), None)
        if fold.dirty or fold is self._open_day:
            self._write_day(day, fold.facts(now), set(fold.dirty))
            fold.dirty.clear()
        self._open_day = fold if now < end else None
        columns.forget_day(self.conn, day)
        self.conn.execute("INSERT INTO report_pending (service_day) VALUES (?) "
                          "ON CONFLICT DO NOTHING", (day,))

    def _write_day(self, day: str, facts: DayFacts, tickets: set[int] | None) -> None:
        """The day's facts into their tables: all of them, or those of some tickets (and the
        day's counters, always)."""
        if tickets is None:
            for table in ("report_tickets", "report_visits", "report_profile_calls"):
                self.conn.execute(f"DELETE FROM {table} WHERE service_day = ?", (day,))
            chosen_t, chosen_v, chosen_p = facts.tickets, facts.visits, facts.profile_calls
        else:
            ids = sorted(tickets)
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                marks = ",".join("?" * len(part))
                for table in ("report_tickets", "report_visits", "report_profile_calls"):
                    self.conn.execute(f"DELETE FROM {table} WHERE ticket_id IN ({marks})", part)
            chosen_t = [t for t in facts.tickets if t.ticket_id in tickets]
            chosen_v = [v for v in facts.visits if v.ticket_id in tickets]
            chosen_p = [p for p in facts.profile_calls if p.ticket_id in tickets]
        for table in ("report_counters", "report_idle_hours"):
            self.conn.execute(f"DELETE FROM {table} WHERE service_day = ?", (day,))
        self._insert("report_tickets", TICKET_FIELDS,
                     [(*_values(t), t.estimate_error_s) for t in chosen_t])
        self._insert("report_visits", VISIT_FIELDS, [_values(v) for v in chosen_v])
        self._insert("report_counters", COUNTER_FIELDS, [_values(c) for c in facts.counters])
        self._insert("report_profile_calls", PROFILE_CALL_FIELDS, [_values(p) for p in chosen_p])
        self._insert("report_idle_hours", IDLE_HOUR_FIELDS, [_values(h) for h in facts.idle_hours])

    def _insert(self, table: str, fields: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            marks = ",".join("?" * len(fields))
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({marks})",
                                  rows)

    def _targets(self) -> list[tuple[str, int]]:
        return [(s.id, int(round(s.target_wait_min * 60))) for s in self.config.services.values()]

    def _write_targets(self) -> None:
        self.conn.execute("DELETE FROM report_targets")
        self._insert("report_targets", ("service", "target_s"), self._targets())


def _values(fact: Any) -> tuple[Any, ...]:
    """A fact dataclass's fields in order (astuple() deep-copies: too slow for a year)."""
    return tuple(fact.__dict__.values())
