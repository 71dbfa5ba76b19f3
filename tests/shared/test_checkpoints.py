"""WAL checkpoints off the write path (shared/store/checkpoints.py): the queue's own thread copies
the log back into the file once AFTER_COMMITS commits are in it and the writes pause for QUIET_S,
or at once past AT_MOST_COMMITS — the writes leave it to that thread — and closing the queue
stops it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from shared.core.local_queue import LocalQueue
from shared.store.checkpoints import AFTER_COMMITS, FALLBACK_PAGES, Checkpointer
from tests.shared.helpers import JOB


def in_the_file_itself(path: Path) -> int:
    """Rows of `t` in the database file proper, the log left unread (immutable: no WAL)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM t").fetchone()[0])
    finally:
        conn.close()


def a_writer(path: Path) -> sqlite3.Connection:
    """A WAL file with one table, and the connection that writes it."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t(x)")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")     # the table in the file itself
    return conn


def commit(writer: sqlite3.Connection, checkpoints: Checkpointer, n: int) -> None:
    """n one-row commits, each told to the checkpoint thread as the group writer tells it."""
    for i in range(n):
        writer.execute("INSERT INTO t VALUES (?)", (i,))
        checkpoints.committed()


def test_the_thread_copies_the_log_once_the_writes_pause(tmp_path):
    """Fewer commits than `after` leave the rows in the log only (the writer's own checkpoint
    waits for FALLBACK_PAGES); once `after` are made and the writes pause, the thread has put
    them in the file."""
    path = tmp_path / "q.sqlite"
    writer = a_writer(path)
    checkpoints = Checkpointer(path, writer, quiet_s=0.05, after=8, at_most=10_000)
    try:
        assert writer.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == FALLBACK_PAGES
        commit(writer, checkpoints, 7)
        assert checkpoints.settle()
        assert checkpoints.checkpoints == 0 and in_the_file_itself(path) == 0
        commit(writer, checkpoints, 1)
        assert checkpoints.settle()
        assert checkpoints.checkpoints == 1 and in_the_file_itself(path) == 8
    finally:
        checkpoints.close()
        writer.close()


def test_a_log_too_long_is_copied_without_a_pause(tmp_path):
    """With writes that never pause (a quiet time of an hour), the checkpoint still runs once
    `at_most` commits are in the log."""
    path = tmp_path / "q.sqlite"
    writer = a_writer(path)
    checkpoints = Checkpointer(path, writer, quiet_s=3600, after=8, at_most=40)
    try:
        commit(writer, checkpoints, 39)
        assert not checkpoints.settle(0.2)               # due, waiting for a pause
        assert checkpoints.checkpoints == 0
        commit(writer, checkpoints, 1)
        assert checkpoints.settle()
        assert checkpoints.checkpoints == 1 and in_the_file_itself(path) == 40
    finally:
        checkpoints.close()
        writer.close()


def test_the_queue_leaves_its_log_to_the_thread(db_path, config, clock):
    """A queue's commits past AFTER_COMMITS are copied into its file by its own thread."""
    q = LocalQueue(db_path, config, clock)
    try:
        for _ in range(AFTER_COMMITS + 1):
            q.issue(JOB)
        assert q._checkpoints.settle()
        assert q._checkpoints.checkpoints >= 1
    finally:
        q.close()


def test_closing_the_queue_stops_the_thread(db_path, config, clock):
    """After close — even with a checkpoint due and waiting for a pause — no checkpoint thread
    of the queue is left running."""
    q = LocalQueue(db_path, config, clock)
    for _ in range(AFTER_COMMITS + 1):
        q.issue(JOB)
    q.close()
    assert q._checkpoints._thread not in threading.enumerate()
