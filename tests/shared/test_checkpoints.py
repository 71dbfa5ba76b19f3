"""WAL checkpoints off the write path (shared/store/checkpoints.py): the queue's own thread copies
the log back into the file every EVERY_COMMITS commits — the writes leave it to that thread — and
closing the queue stops it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from shared.core.local_queue import LocalQueue
from shared.store.checkpoints import EVERY_COMMITS, FALLBACK_PAGES
from tests.shared.helpers import JOB


def in_the_file_itself(path: Path) -> int:
    """Tickets in the database file proper, the log left unread (immutable: no WAL)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
    finally:
        conn.close()


def test_the_thread_copies_the_log_into_the_file(db_path, config, clock):
    """Fewer commits than EVERY_COMMITS leave the tickets in the log only (the writer's own
    checkpoint waits for FALLBACK_PAGES); once EVERY_COMMITS are made, the thread's checkpoint
    has put them in the file."""
    q = LocalQueue(db_path, config, clock)
    try:
        assert q.db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == FALLBACK_PAGES
        q.issue(JOB)
        q._checkpoints.settle()
        before = in_the_file_itself(db_path)
        for _ in range(EVERY_COMMITS // 2):
            q.issue(JOB)
        assert q._checkpoints.settle()
        assert in_the_file_itself(db_path) == before
        for _ in range(EVERY_COMMITS):
            q.issue(JOB)
        assert q._checkpoints.settle()
        assert q._checkpoints.checkpoints >= 1
        assert in_the_file_itself(db_path) >= before + EVERY_COMMITS // 2
    finally:
        q.close()


def test_closing_the_queue_stops_the_thread(db_path, config, clock):
    """After close, no checkpoint thread of the queue is left running."""
    q = LocalQueue(db_path, config, clock)
    for _ in range(EVERY_COMMITS + 1):
        q.issue(JOB)
    q.close()
    assert q._checkpoints._thread not in threading.enumerate()
