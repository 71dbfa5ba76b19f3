"""The rows a centre ships: reading its events from the queue file (a read-only connection of the
shipper's own) and writing them, with the config versions, to the central PostgreSQL in one
transaction that leaves rows it holds already as they are (ON CONFLICT DO NOTHING)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg

from server.shipping.link import SCHEMA, CentralUnavailable, first_line
from shared.config import versions as config_versions
from shared.store.database import BUSY_TIMEOUT_MS

EVENT_READ = ("SELECT id, at, kind, ticket_id, code, service, counter, staff, source, details "
              "FROM events WHERE id > ? ORDER BY id LIMIT ?")
EVENT_INSERT = f"""
INSERT INTO {SCHEMA}.events (centre_id, id, at, kind, ticket_id, code, service, counter, staff,
                             source, details)
SELECT %s, * FROM unnest(%s::bigint[], %s::float8[], %s::text[], %s::bigint[], %s::text[],
                         %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
ON CONFLICT (centre_id, id) DO NOTHING
"""
CONFIG_INSERT = f"""
INSERT INTO {SCHEMA}.config_versions (centre_id, hash, from_event_id, recorded_at, body)
VALUES (%s, %s, %s, %s, %s::jsonb) ON CONFLICT DO NOTHING
"""


class CentralRefused(CentralUnavailable):
    """The central database refused this centre's rows (wrong centre, no rights, no schema)."""


def open_reader(db_path: str | Path) -> sqlite3.Connection:
    """A connection of the shipper's own that only reads the queue file."""
    conn = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = 1")
    return conn


def local_pending(conn: sqlite3.Connection, after_id: int) -> tuple[int, int, float | None]:
    """(the newest event id, how many events follow after_id, when the first of them happened)."""
    last = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    count = conn.execute("SELECT count(*) FROM events WHERE id > ?", (after_id,)).fetchone()[0]
    first = conn.execute("SELECT at FROM events WHERE id > ? ORDER BY id LIMIT 1",
                         (after_id,)).fetchone()
    return int(last), int(count), (float(first[0]) if first else None)


def acknowledged(pg: psycopg.Connection, centre_id: str) -> int:
    """The newest event id the central database holds for this centre (0: none yet)."""
    row = pg.execute(f"SELECT coalesce(max(id), 0) FROM {SCHEMA}.events WHERE centre_id = %s",
                     (centre_id,)).fetchone()
    return int(row[0]) if row else 0


def ship_batch(pg: psycopg.Connection, centre_id: str, rows: list[tuple[Any, ...]],
               versions: list[config_versions.ConfigVersion]) -> None:
    """Insert one batch (and the config versions) in one transaction; rows the central copy
    holds already are left as they are."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * 10
    try:
        with pg.transaction():
            for v in versions:
                pg.execute(CONFIG_INSERT, (centre_id, v.hash, v.from_event_id, v.recorded_at,
                                           v.body))
            if rows:
                pg.execute(EVENT_INSERT, (centre_id, *[list(c) for c in columns]))
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable,
            psycopg.errors.ForeignKeyViolation) as exc:
        raise CentralRefused(f"the central database refused centre {centre_id!r}'s rows: "
                             f"{first_line(exc)}") from exc
