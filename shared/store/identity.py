"""The queue file's identity: its generation. Event ids are only unique within one history of a
file; a restore from a backup, or a copy of the file opened as a queue, starts another history
whose ids repeat the old ones. Each history has its own generation (a random hex id in the
file's `file_generation` row): `novbe restore` renews it, and so does opening a file whose
device and inode are not the ones noted in it (a copy, or the file moved to another disk —
renewing is the safe side: the central copy keeps the two histories apart and counts the
current one; a rename in place keeps the inode and the generation). Whatever is keyed by event
id beyond the file (the report facts cache, the central copy) keys it by generation too."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)


def generation(conn: sqlite3.Connection) -> str:
    """The file's generation ('' for a history from before generations; also for a file a
    reader opened before its writer ever migrated it)."""
    try:
        row = conn.execute("SELECT generation FROM file_generation").fetchone()
    except sqlite3.OperationalError:
        return ""
    return str(row[0]) if row else ""


def check(conn: sqlite3.Connection, path: Path) -> str:
    """Note the file's device and inode on first opening; on a later opening of another file
    (a copy) start a new generation. Returns the generation."""
    st = os.stat(path)
    row = conn.execute("SELECT generation, device, inode FROM file_generation").fetchone()
    if row is not None and (row[1], row[2]) == (st.st_dev, st.st_ino):
        return str(row[0])
    with _immediate(conn):
        row = conn.execute("SELECT generation, device, inode FROM file_generation").fetchone()
        current = str(row[0]) if row else ""
        if row is None or row[1] is not None and (row[1], row[2]) != (st.st_dev, st.st_ino):
            current = uuid.uuid4().hex
            log.warning("%s is not the file its history was written in (a copy, or moved to "
                        "another disk): its history continues as a new generation %s",
                        path, current)
        _write(conn, current, st)
    return current


def renew(conn: sqlite3.Connection, path: Path) -> str:
    """Start a new generation (after a restore: the file's history is another one now)."""
    st = os.stat(path)
    current = uuid.uuid4().hex
    with _immediate(conn):
        _write(conn, current, st)
    return current


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction on a connection in autocommit mode: committed, or rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _write(conn: sqlite3.Connection, current: str, st: os.stat_result) -> None:
    conn.execute("INSERT INTO file_generation (only, generation, device, inode, since) "
                 "VALUES (1, ?, ?, ?, ?) ON CONFLICT (only) DO UPDATE SET generation = "
                 "excluded.generation, device = excluded.device, inode = excluded.inode, "
                 "since = excluded.since", (current, st.st_dev, st.st_ino, time.time()))
