"""Taking the writer lock (store.begin_immediate): it waits for another process's write within
the deadline, refuses clearly after it, and leaves the connection's busy timeout as it was."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from shared.core.errors import QueueUnavailable
from shared.core.group_commit import GroupWriter
from shared.store import database as store

pytestmark = pytest.mark.timeout(60)


def hold_writer(path: str, seconds: float, started: Any) -> None:
    """Another process holding the write lock for a while."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t VALUES ('held')")
    started.set()

    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t(v TEXT)")
    conn.close()
    return path


def holding(db: Path, seconds: float) -> multiprocessing.process.BaseProcess:
    ctx = multiprocessing.get_context("spawn")
    started = ctx.Event()
    proc = ctx.Process(target=hold_writer, args=(str(db), seconds, started))
    proc.start()
    assert started.wait(30)
    return proc


def test_waits_for_another_process_then_writes(db: Path) -> None:
    """A write held by another process for 0.3 s (longer than SQLite's first tries): the lock
    is taken once it is free, and the busy timeout is the connection's again."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 4321")
    proc = holding(db, 0.3)
    store.begin_immediate(conn, 10)
    conn.execute("INSERT INTO t VALUES ('mine')")
    conn.execute("COMMIT")
    proc.join(10)
    assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY rowid")] == ["held", "mine"]
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 4321


def test_past_the_deadline_it_is_refused_by_name(db: Path) -> None:
    """Held for longer than the deadline: QueueUnavailable saying the database is busy."""
    conn = sqlite3.connect(db, isolation_level=None)
    proc = holding(db, 2.0)
    with pytest.raises(QueueUnavailable, match="busy"):
        store.begin_immediate(conn, 0.2)
    assert not conn.in_transaction
    proc.join(10)


def group_writer(db: Path) -> GroupWriter:
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 4321")
    return GroupWriter(conn, 10, lambda exc: RuntimeError(str(exc)))


def test_a_group_writers_free_lock_costs_no_pragma_and_a_held_one_is_waited_for(db: Path) -> None:
    """A GroupWriter keeps its connection at the first wait: a write with the lock free runs
    no PRAGMA; one while another process holds the lock 0.3 s waits and then writes."""
    writer = group_writer(db)
    seen: list[str] = []
    writer.conn.set_trace_callback(seen.append)
    with writer.change() as conn:
        conn.execute("INSERT INTO t VALUES ('free')")
    assert not [s for s in seen if "PRAGMA" in s]
    proc = holding(db, 0.3)
    with writer.change() as conn:
        conn.execute("INSERT INTO t VALUES ('after')")
    proc.join(10)
    assert [r[0] for r in writer.conn.execute("SELECT v FROM t ORDER BY rowid")] == \
        ["free", "held", "after"]
    assert writer.conn.execute("PRAGMA busy_timeout").fetchone()[0] == store.first_wait_ms(10)
    writer.close()


def test_a_borrowed_writer_connection_has_its_own_busy_timeout(db: Path) -> None:
    """Lent for a write of its own (a plain BEGIN IMMEDIATE, as a file's new identity is
    written), the connection waits as long as it was opened to: another process's 0.3 s write
    is waited for, not refused; afterwards it is back at the first wait."""
    writer = group_writer(db)
    proc = holding(db, 0.3)
    with writer.borrowed() as conn:
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 4321
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES ('borrowed')")
        conn.execute("COMMIT")
    proc.join(10)
    assert writer.conn.execute("PRAGMA busy_timeout").fetchone()[0] == store.first_wait_ms(10)
    writer.close()
