"""One batch of a centre's events into the central PostgreSQL: the statements, reading the queue
file for it, and what is pending there (the Shipper, server/shipping/shipper.py, loops over it)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from server.shipping import placing
from server.shipping.link import SCHEMA, CentralUnavailable, first_line
from shared.config import versions as config_versions
from shared.store.database import BUSY_TIMEOUT_MS

EVENT_READ = ("SELECT id, at, kind, ticket_id, code, service, counter, staff, source, details "
              "FROM events WHERE id > ? ORDER BY id LIMIT ?")
EVENT_INSERT = f"""
INSERT INTO {SCHEMA}.events (centre_id, generation, id, at, kind, ticket_id, code, service,
                             counter, staff, source, details)
SELECT %s, %s, * FROM unnest(%s::bigint[], %s::float8[], %s::text[], %s::bigint[], %s::text[],
                             %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
ON CONFLICT (centre_id, generation, id) DO NOTHING
RETURNING id
"""
CONFIG_INSERT = f"""
INSERT INTO {SCHEMA}.config_versions (centre_id, generation, hash, from_event_id, recorded_at,
                                      body)
VALUES (%s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT DO NOTHING
"""
GENERATION_INSERT = f"""
INSERT INTO {SCHEMA}.generations (centre_id, generation) VALUES (%s, %s) ON CONFLICT DO NOTHING
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


def ship_batch(pg: psycopg.Connection, centre_id: str, generation: str,
               rows: list[tuple[Any, ...]], versions: list[config_versions.ConfigVersion]) -> int:
    """Insert one batch (and the config versions) of one history in one transaction; rows the
    central copy holds already are left as they are and compared (placing.compare). Returns how
    many of them differ."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * 10
    key = (centre_id, generation)
    with refusals(centre_id), pg.transaction():
        pg.execute(GENERATION_INSERT, key)
        for v in versions:
            pg.execute(CONFIG_INSERT, (*key, v.hash, v.from_event_id, v.recorded_at, v.body))
        if not rows:
            return 0
        cur = pg.execute(EVENT_INSERT, (*key, *[list(c) for c in columns]))
        inserted = {r[0] for r in cur.fetchall()}
        return placing.compare(pg, key, rows, inserted)


@contextmanager
def refusals(centre_id: str) -> Iterator[None]:
    """The central database's refusals of this centre's rows as CentralRefused."""
    try:
        yield
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable,
            psycopg.errors.UndefinedColumn, psycopg.errors.ForeignKeyViolation,
            psycopg.errors.CheckViolation) as exc:
        raise CentralRefused(f"the central database refused centre {centre_id!r}'s rows: "
                             f"{first_line(exc)}") from exc
