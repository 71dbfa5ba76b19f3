"""A queue file with many people waiting and counters at work, for the benchmarks of issuing and
reading a long queue (bench/queue_ops.py, bench/server.py); and a raw-SQLite issue to compare
with: the same rows and event in one BEGIN IMMEDIATE, nothing else."""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

from shared.config.centre import CentreConfig
from shared.core.local_queue import LocalQueue

SERVICES = ("employment.job-seeker", "employment.unemployment", "labour", "pensions.age",
            "benefits.child", "social-legal")
WORKING = 10            # counters open, each with a visitor called


def fill(db: Path, config: CentreConfig, waiting: int, counters: int = WORKING) -> None:
    """Open `counters` counters, give each a visitor, then issue `waiting` tickets (the cheap
    estimator and no flush while filling: only the result counts)."""
    quick = replace(config, waits=replace(config.waits, estimator="simple"))
    q = LocalQueue(db, quick)
    try:
        q.db.conn.execute("PRAGMA synchronous = OFF")
        working = [c for c in config.counters if set(c.services) & set(SERVICES)][:counters]
        for c in working:
            q.open_counter(c.id, staff=f"staff-{c.id}")
        for c in working:           # each in a visit
            q.issue(next(s for s in SERVICES if s in c.services), source="bench")
            q.call_next(c.id)
        for i in range(waiting):
            q.issue(SERVICES[i % len(SERVICES)], source="bench")
    finally:
        q.close()


def raw_issue(conn: sqlite3.Connection, k: int) -> None:
    """One ticket and its event in one BEGIN IMMEDIATE, as plain SQL (no numbering, no guard,
    no estimate): the floor an issue cannot go below on this disk."""
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    cur = conn.execute(
        "INSERT INTO tickets(code, prefix, number, service, issued_service, priority_rank, "
        "language, source, token, status, service_day, issued_at, queued_at) "
        "VALUES (?, 'Z', ?, 'raw', 'raw', 1000, 'az', 'bench', ?, 'done', '2000-01-01', ?, ?)",
        (f"Z-{k:06d}", k, secrets.token_urlsafe(24), now, now))
    conn.execute("INSERT INTO events(at, kind, ticket_id, code, service, source) "
                 "VALUES (?, 'issued', ?, ?, 'raw', 'bench')", (now, cur.lastrowid, f"Z-{k:06d}"))
    conn.execute("COMMIT")


def raw_next(conn: sqlite3.Connection, counter: str) -> bool:
    """One Next as plain SQL in one BEGIN IMMEDIATE — the counter's ticket finished, the first
    waiting one called, an event for each, the counter's row — with no rules, profile, outcome
    or guard: the floor a Next cannot go below on this file and disk. False: nobody waited."""
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = conn.execute("SELECT id, code, service FROM tickets INDEXED BY idx_tickets_at_counter "
                            "WHERE counter = ? AND status IN ('called', 'serving')",
                            (counter,)).fetchall()
        for ticket_id, code, service in done:
            conn.execute("UPDATE tickets SET status = 'done', outcome = 'served', finished_at = ? "
                         "WHERE id = ?", (now, ticket_id))
            conn.execute("INSERT INTO events(at, kind, ticket_id, code, service, counter) "
                         "VALUES (?, 'finished', ?, ?, ?, ?)", (now, ticket_id, code, service, counter))
        first = conn.execute("SELECT id, code, service FROM tickets INDEXED BY idx_tickets_waiting "
                             "WHERE status = 'waiting' ORDER BY priority_rank, queued_at, id "
                             "LIMIT 1").fetchone()
        if first is not None:
            conn.execute("UPDATE tickets SET status = 'called', called_at = ?, counter = ? "
                         "WHERE id = ?", (now, counter, first[0]))
            conn.execute("INSERT INTO events(at, kind, ticket_id, code, service, counter) "
                         "VALUES (?, 'called', ?, ?, ?, ?)", (now, first[0], first[1], first[2], counter))
        conn.execute("INSERT INTO counters(id, state, updated_at) VALUES (?, 'open', ?) "
                     "ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at",
                     (counter, now))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return first is not None


def raw_connection(db: Path) -> sqlite3.Connection:
    """A plain connection as the queue opens its file (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn
