"""WAL checkpoints off the write path, at a quiet moment: a thread of the queue's own copies the
log back into the file once no write has come for QUIET_S (or after EVERY_COMMITS commits in a
row without such a pause), so no write waits for it and a copy seldom shares the disk with one.

SQLite's automatic checkpoint runs inside the COMMIT that takes the log past 1,000 pages: about
one write in a hundred paid for copying the log into the file and flushing it (a Next's commit
then took about three times as long as the others — the p99 of bench/queue_ops.py's call_next).
Here the writer's connection checkpoints by itself only past FALLBACK_PAGES (should this thread
fall behind). A copy running beside the writes still slows them: its writes into the file and
the file's flush share the disk with each commit's flush of the log — with a copy every 64
commits a Next's p99 in bench/queue_ops.py was 2.2–3.1 ms, every 1,000 commits 1.4–2.0 ms
(docs/architecture.md, Storage); with none at all the growing log costs more. A centre's
writes come seconds apart, so waiting for a pause puts nearly every copy between them; a burst
of writes without a pause (a bench's loop) is copied every EVERY_COMMITS commits.

Each checkpoint is a PASSIVE pass, which waits for no reader or writer and copies what no reader
still needs, then a RESTART pass: a PASSIVE copy alone never lets the log start over while writes
go on (SQLite restarts the log only at a write that begins with every frame copied, and the
writes that came during the copy are always left), so the log would grow to FALLBACK_PAGES and
the writer's own checkpoint would copy all of it inside one commit — a stall of a tenth of a
second. The RESTART pass copies only the frames written during the first, holding writes back for
that short while and waiting at most RESTART_WAIT_MS for readers still in the log (else it gives
up until the next round, having copied what it could): the next write starts the log over.

Durability is unchanged: a commit is on disk in the log (synchronous=FULL) before it returns,
whoever copies it into the file later."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from shared.store.database import is_busy

log = logging.getLogger(__name__)

QUIET_S = 1.0              # a checkpoint once no write has come for this long …
EVERY_COMMITS = 1_000      # … or after this many commits without such a pause (~12,000 log pages)
FALLBACK_PAGES = 32_000    # the writer's own automatic checkpoint, should this one fall behind (~128 MB)
RESTART_WAIT_MS = 20       # the RESTART pass waits at most this long for the log's readers


class Checkpointer:
    """The checkpoint thread of one queue file (see the module)."""

    def __init__(self, path: Path, writer: sqlite3.Connection):
        writer.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_PAGES}")
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute(f"PRAGMA busy_timeout = {RESTART_WAIT_MS}")
        self._state = threading.Lock()           # the two figures below
        self._commits = 0                        # since the last checkpoint began
        self._last_commit = 0.0                  # time.monotonic() of the newest
        self._wake = threading.Event()           # a first commit, the cap reached, or close
        self._idle = threading.Event()           # no checkpoint due or under way
        self._idle.set()
        self._closed = False
        self.checkpoints = 0                     # figures for the benches and tests
        self.restarts = 0                        # … of them, those that let the log start over
        self._thread = threading.Thread(target=self._run, name="novbe-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """The writer committed (called under its lock: counts, never waits for a copy)."""
        with self._state:
            self._last_commit = time.monotonic()
            self._commits += 1
            if self._commits == 1 or self._commits >= EVERY_COMMITS:
                self._idle.clear()
                self._wake.set()

    def _due_in(self) -> float:
        """Seconds until a checkpoint is due (0: now); only called with commits pending."""
        if self._commits >= EVERY_COMMITS:
            return 0.0
        return max(0.0, self._last_commit + QUIET_S - time.monotonic())

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            while not self._closed and (wait := self._due_in()) > 0:
                self._wake.wait(wait)            # a later commit moves the pause on
                self._wake.clear()
            if self._closed:
                return
            with self._state:
                self._commits = 0
            try:
                self._checkpoint()
            except sqlite3.Error as exc:   # the writer's own checkpoint stands in meanwhile
                if not is_busy(exc):           # busy: another process is checkpointing
                    log.exception("a WAL checkpoint in the background failed")
            finally:
                with self._state:
                    if self._commits == 0:
                        self._idle.set()
                    else:                      # written during the copy: copy again later
                        self._wake.set()

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
        self._wake.set()
        self._idle.set()
        self._thread.join()
        self._conn.close()
