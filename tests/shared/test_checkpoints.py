"""WAL checkpoints off the write path (shared/store/checkpoints.py): the queue's own thread copies
the log back into the file at a pause in the writes, or every EVERY_COMMITS commits without one —
the writes leave it to that thread — and closing the queue stops it."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from shared.core.local_queue import LocalQueue
from shared.store import checkpoints
from shared.store.checkpoints import FALLBACK_PAGES
from tests.shared.helpers import JOB


def in_the_file_itself(path: Path) -> int:
    """Tickets in the database file proper, the log left unread (immutable: no WAL)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])
    finally:
        conn.close()


def wait_for(condition, timeout_s: float = 10.0) -> bool:
    """Poll `condition` until it holds (the thread works on its own time) or the time is up."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_a_pause_in_the_writes_copies_the_log_into_the_file(db_path, config, clock, monkeypatch):
    """Writes leave their tickets in the log only (the writer's own checkpoint waits for
    FALLBACK_PAGES); once no write has come for QUIET_S, the thread has put them in the file."""
    monkeypatch.setattr(checkpoints, "QUIET_S", 0.05)
    q = LocalQueue(db_path, config, clock)
    try:
        assert q.db.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == FALLBACK_PAGES
        q.issue(JOB)
        assert q._checkpoints.settle()
        before = in_the_file_itself(db_path)
        for _ in range(5):
            q.issue(JOB)
        assert q._checkpoints.settle()
        assert in_the_file_itself(db_path) == before + 5
    finally:
        q.close()


def test_no_copy_while_the_writes_go_on(db_path, config, clock, monkeypatch):
    """Before the pause and below the cap no checkpoint is due: the tickets wait in the log."""
    monkeypatch.setattr(checkpoints, "QUIET_S", 3600)
    q = LocalQueue(db_path, config, clock)
    try:
        for _ in range(5):
            q.issue(JOB)
        assert q._checkpoints._due_in() > 3000
        assert q._checkpoints.checkpoints == 0
        assert in_the_file_itself(db_path) == 0
    finally:
        q.close()


def test_writes_without_a_pause_are_copied_every_so_many(db_path, config, clock, monkeypatch):
    """A burst with no pause (a bench's loop) is copied after EVERY_COMMITS commits."""
    monkeypatch.setattr(checkpoints, "QUIET_S", 3600)
    monkeypatch.setattr(checkpoints, "EVERY_COMMITS", 10)
    q = LocalQueue(db_path, config, clock)
    try:
        for _ in range(12):
            q.issue(JOB)
        assert wait_for(lambda: q._checkpoints.checkpoints >= 1)
        assert in_the_file_itself(db_path) >= 10
    finally:
        q.close()


def test_closing_the_queue_stops_the_thread(db_path, config, clock, monkeypatch):
    """After close, no checkpoint thread of the queue is left running, though it was waiting
    for a pause with writes to copy."""
    monkeypatch.setattr(checkpoints, "QUIET_S", 3600)
    q = LocalQueue(db_path, config, clock)
    for _ in range(3):
        q.issue(JOB)
    q.close()
    assert q._checkpoints._thread not in threading.enumerate()


def log_round(path: Path) -> int:
    """How many times the write-ahead log has started over (its header's checkpoint sequence
    number, which SQLite raises each time a write begins the log anew): read, not touched."""
    return int.from_bytes(path.with_name(path.name + "-wal").read_bytes()[12:16], "big")


def test_the_log_starts_over_though_a_write_came_during_the_copy(db_path, config, clock,
                                                                 monkeypatch):
    """A write that commits while the checkpoint copies (a busy day's case) is copied too, so
    the next write starts the log over (a few frames), not after the thousands before — a
    PASSIVE copy alone left its frames, and the log grew to 64 MB, copied whole in a commit."""
    monkeypatch.setattr(checkpoints, "QUIET_S", 3600)   # only the test's own copy runs
    q = LocalQueue(db_path, config, clock)
    other = sqlite3.connect(str(db_path), isolation_level=None)
    try:
        for _ in range(20):
            q.issue(JOB)
        checkpointer = q._checkpoints
        checkpointer._conn.execute("PRAGMA busy_timeout = 30000")   # this test's own patience
        other.execute("BEGIN IMMEDIATE")                  # a write under way …
        other.execute("CREATE TABLE another_write(x)")
        copying = threading.Thread(target=checkpointer._checkpoint)
        copying.start()
        while checkpointer.checkpoints == 0:              # … while the long copy is done …
            copying.join(0.001)
        other.execute("COMMIT")                           # … commits before the short one
        copying.join()
        assert checkpointer.restarts == 1
        before = log_round(db_path)
        q.issue(JOB)
        assert log_round(db_path) == before + 1           # written from the log's beginning
    finally:
        other.close()
        q.close()
