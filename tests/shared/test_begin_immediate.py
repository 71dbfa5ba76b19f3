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
