"""WAL checkpoints off the write path: a thread of the queue's own copies the log back into the
file, so no write waits for it.

SQLite's automatic checkpoint runs inside the COMMIT that takes the log past 1,000 pages: about
one write in a hundred paid for copying the log into the file and flushing it (a Next's commit
then took about three times as long as the others — the p99 of bench/queue_ops.py's call_next).
Here the writer's connection checkpoints by itself only past FALLBACK_PAGES (should this thread
fall behind), and after every EVERY_COMMITS commits this thread runs a PASSIVE checkpoint on a
connection of its own: it waits for no reader or writer and copies what no reader still needs.

A PASSIVE checkpoint alone never lets the log start over while writes go on: SQLite restarts
the log only at a write that begins with every frame copied, and the writes that came during
the copy are always left. The log then grew to FALLBACK_PAGES (64 MB) and the writer's own
checkpoint copied all of it inside one commit — a stall of a tenth of a second or more, every
few hundred writes on a busy day — and every commit meanwhile appended to a growing file (its
flush then also commits the file's new size to the file system's journal). So after the
PASSIVE pass this thread runs a RESTART checkpoint: it copies only the frames written during
the pass, holding writes back for that short while, and waits at most RESTART_WAIT_MS for
readers still in the log (else it gives up until the next round, having copied what it could):
the next write starts the log over, and the log stays at about EVERY_COMMITS commits' pages.

Durability is unchanged: a commit is on disk in the log (synchronous=FULL) before it returns,
whoever copies it into the file later."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from shared.store.database import is_busy

log = logging.getLogger(__name__)

EVERY_COMMITS = 64         # a checkpoint after this many commits (a few hundred log pages)
FALLBACK_PAGES = 16_000    # the writer's own automatic checkpoint, should this one fall behind
RESTART_WAIT_MS = 20       # the RESTART pass waits at most this long for the log's readers


class Checkpointer:
    """The checkpoint thread of one queue file (see the module)."""

    def __init__(self, path: Path, writer: sqlite3.Connection):
        writer.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_PAGES}")
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute(f"PRAGMA busy_timeout = {RESTART_WAIT_MS}")
        self._commits = 0
        self._due = threading.Event()
        self._idle = threading.Event()           # no checkpoint due or under way
        self._idle.set()
        self._closed = False
        self.checkpoints = 0                     # figures for the benches and tests
        self.restarts = 0                        # … of them, those that let the log start over
        self._thread = threading.Thread(target=self._run, name="novbe-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """The writer committed (called under its lock: only counts, never waits)."""
        self._commits += 1
        if self._commits >= EVERY_COMMITS:
            self._commits = 0
            self._idle.clear()
            self._due.set()

    def _run(self) -> None:
        while True:
            self._due.wait()
            self._due.clear()
            if self._closed:
                return
            try:
                self._checkpoint()
            except sqlite3.Error as exc:   # the writer's own checkpoint stands in meanwhile
                if not is_busy(exc):           # busy: another process is checkpointing
                    log.exception("a WAL checkpoint in the background failed")
            finally:
                if not self._due.is_set():
                    self._idle.set()

    def _checkpoint(self) -> None:
        """The long copy blocking nobody, then the short one that lets the log start over."""
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.checkpoints += 1
        busy, _, _ = self._conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
        if not busy:
            self.restarts += 1

    def settle(self, timeout_s: float = 10.0) -> bool:
        """Wait until no checkpoint is due or under way (tests, benches); False on timeout."""
        return self._idle.wait(timeout_s)

    def close(self) -> None:
        """Stop the thread (a checkpoint under way finishes first), then close its connection."""
        self._closed = True
        self._due.set()
        self._idle.set()
        self._thread.join()
        self._conn.close()
