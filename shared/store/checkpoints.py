"""WAL checkpoints off the write path, in the writes' quiet moments: a thread of the queue's own
copies the log back into the file, so no write waits for it and, as far as the writes allow,
none shares the disk with it.

SQLite's automatic checkpoint runs inside the COMMIT that takes the log past 1,000 pages: about
one write in a hundred paid for copying the log into the file and flushing it (a Next's commit
then took about three times as long as the others — the p99 of bench/queue_ops.py's call_next).
A checkpoint on a thread of its own still flushes the file while the next commit flushes the
log, and the two flushes queue on one disk. So here the writer's connection checkpoints by itself
only past FALLBACK_PAGES (should this thread fall behind); this thread runs a PASSIVE checkpoint
on a connection of its own once AFTER_COMMITS commits are in the log and no commit has come for
QUIET_S — in a centre, where writes come seconds apart, that is nearly at once — or regardless
once AT_MOST_COMMITS have piled up without a pause. It waits for no reader or writer and copies
what no reader still needs. Durability is unchanged: a commit is on disk in the log
(synchronous=FULL) before it returns, whoever copies it into the file later."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from shared.store.database import is_busy

log = logging.getLogger(__name__)

AFTER_COMMITS = 64         # a checkpoint is due after this many commits ...
QUIET_S = 0.2              # ... and runs once no commit has come for this long ...
AT_MOST_COMMITS = 1_000    # ... or at once when this many are in the log (a few thousand pages)
FALLBACK_PAGES = 16_000    # the writer's own automatic checkpoint, should this one fall behind


class Checkpointer:
    """The checkpoint thread of one queue file (see the module)."""

    def __init__(self, path: Path, writer: sqlite3.Connection, quiet_s: float = QUIET_S,
                 after: int = AFTER_COMMITS, at_most: int = AT_MOST_COMMITS):
        writer.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_PAGES}")
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA synchronous = FULL")
        self._quiet_s, self._after, self._at_most = quiet_s, after, at_most
        self._state = threading.Lock()           # guards the counts and the events below
        self._commits = 0                        # made since the last checkpoint began
        self._last = time.monotonic()            # when the last commit was made
        self._due = threading.Event()            # a checkpoint is due
        self._pressed = threading.Event()        # ... and may not wait for a quiet moment
        self._idle = threading.Event()           # no checkpoint due or under way
        self._idle.set()
        self._closed = False
        self.checkpoints = 0                     # figures for the benches and tests
        self._thread = threading.Thread(target=self._run, name="novbe-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """The writer committed (called under its lock: counts, never waits for the thread)."""
        with self._state:
            self._commits += 1
            self._last = time.monotonic()
            if self._commits >= self._after and not self._due.is_set():
                self._idle.clear()
                self._due.set()
            if self._commits >= self._at_most:
                self._pressed.set()

    def _run(self) -> None:
        while not self._closed:
            self._due.wait()
            self._await_quiet()
            if self._closed:
                return
            with self._state:
                self._commits = 0
                self._pressed.clear()
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.checkpoints += 1
            except sqlite3.Error as exc:   # the writer's own checkpoint stands in meanwhile
                if not is_busy(exc):           # busy: another process is checkpointing
                    log.exception("a WAL checkpoint in the background failed")
            finally:
                with self._state:
                    if self._commits < self._after:
                        self._due.clear()
                        self._idle.set()

    def _await_quiet(self) -> None:
        """Until no commit has come for the quiet time, the log is too long to wait, or close."""
        while not self._closed:
            with self._state:
                left = self._quiet_s - (time.monotonic() - self._last)
            if left <= 0 or self._pressed.wait(left):
                return

    def settle(self, timeout_s: float = 10.0) -> bool:
        """Wait until no checkpoint is due or under way (tests, benches); False on timeout."""
        return self._idle.wait(timeout_s)

    def close(self) -> None:
        """Stop the thread (a checkpoint under way finishes first), then close its connection."""
        self._closed = True
        self._pressed.set()
        self._due.set()
        self._idle.set()
        self._thread.join()
        self._conn.close()
