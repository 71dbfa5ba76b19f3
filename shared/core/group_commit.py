"""Group commit: every write of one process goes through one writer connection, and writes that
arrive together share one transaction — one disk flush for the group instead of one each.

Each change runs inside a BEGIN IMMEDIATE transaction (its guards checked there, as before): the
first of a group alone in it (the transaction is its undo), each later one in its own SAVEPOINT. When it is done and another thread is already waiting to write, the
transaction is left open for that thread; the last change of the group commits it. No change
returns before the commit that holds it (`synchronous=FULL`: a printed ticket is on disk). A
change that fails is rolled back to its savepoint and leaves the others alone; a commit that
fails fails every change in the group. A lone change commits at once, as it always did.

A group is closed after MAX_GROUP changes or MAX_GROUP_S seconds, so a steady stream of writers
cannot hold the first one's answer back; a change left waiting on a group nobody went on to
close (its successor gave up within the deadline) commits it itself."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from shared.core.errors import QueueUnavailable
from shared.store import database as store

MAX_GROUP = 64            # changes in one transaction at most
MAX_GROUP_S = 0.05        # and for at most this long after it began
ORPHAN_CHECK_S = 0.02     # a waiting change checks this often that its group is still going


class _Group:
    """Changes sharing one open transaction, and the outcome of its commit."""

    __slots__ = ("opened", "changes", "done", "error")

    def __init__(self) -> None:
        self.opened = time.monotonic()
        self.changes = 0
        self.done = threading.Event()
        self.error: sqlite3.Error | None = None


class GroupWriter:
    """The writer connection of one process, shared by its threads (see the module)."""

    def __init__(self, conn: sqlite3.Connection, timeout_s: float,
                 damaged: Callable[[sqlite3.Error], Exception],
                 committed: Callable[[], None] | None = None):
        """`damaged` turns an SQLite error met while writing into the error the caller sees;
        `committed` is told of each commit (the checkpoint thread: shared/store/checkpoints.py)."""
        self.conn = conn
        self.timeout_s = timeout_s
        # kept at the first wait between writes: a write's BEGIN IMMEDIATE then sets nothing
        # while the lock is free (shared/store/database.begin_immediate); borrowed() lends the
        # connection with its own busy timeout to whoever writes on it otherwise
        self._own_ms = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
        self._busy_ms = store.first_wait_ms(timeout_s)
        conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        self._damaged = damaged
        self._lock = threading.Lock()      # held while a change runs on the connection
        self._gate = threading.Lock()      # guards _wanting
        self._wanting = 0                  # threads waiting for _lock
        self._group: _Group | None = None
        self._committed = committed
        self.commits = 0                   # figures for the benches
        self.changes = 0
        self.commit_seconds: deque[float] = deque(maxlen=100_000)   # each COMMIT's duration

    @contextmanager
    def change(self) -> Iterator[sqlite3.Connection]:
        """One change in the group's transaction (its own savepoint unless it is the first);
        returns once committed."""
        self._take()
        held = True
        try:
            group = self._group or self._begin()
            first = not group.changes      # the transaction itself is its undo: no savepoint
            if not first:
                self.conn.execute("SAVEPOINT change")
            try:
                yield self.conn
                if not first:
                    self.conn.execute("RELEASE change")
            except BaseException:
                if first:
                    self._roll_back(group)
                    raise
                self._undo(group)
                # the changes already in the group wait in _await for its commit: leave it open
                # for the next writer only (should it give up, they commit it themselves)
                if self._group is group and not self._more_coming(group):
                    self._commit(group)
                raise
            group.changes += 1
            self.changes += 1
            if self._more_coming(group):
                held = False
                self._lock.release()
                self._await(group)
            else:
                self._commit(group)
            if group.error is not None:
                raise self._damaged(group.error) from group.error
        except sqlite3.Error as exc:
            raise self._damaged(exc) from exc
        finally:
            if held:
                self._lock.release()

    @contextmanager
    def borrowed(self) -> Iterator[sqlite3.Connection]:
        """The connection for a write of its own outside any group (a file's new identity:
        shared/store/identity.py), with its own busy timeout while it is lent."""
        self._take()
        try:
            if self._group is not None:
                self._commit(self._group)
            self.conn.execute(f"PRAGMA busy_timeout = {self._own_ms}")
            try:
                yield self.conn
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
        finally:
            self._lock.release()

    def close(self) -> None:
        """Commit any open group, then close the connection (waits for the change in flight)."""
        with self._lock:
            if self._group is not None:
                self._commit(self._group)
            self.conn.close()

    # ---- the steps ------------------------------------------------------------------------
    def _take(self) -> None:
        with self._gate:
            self._wanting += 1
        try:
            got = self._lock.acquire(timeout=self.timeout_s)
        finally:
            with self._gate:
                self._wanting -= 1
        if not got:
            raise QueueUnavailable(f"the queue database is busy: no write possible within "
                                   f"{self.timeout_s:g} s; try again")

    def _begin(self) -> _Group:
        store.begin_immediate(self.conn, self.timeout_s, self._busy_ms)
        self._group = _Group()
        return self._group

    def _more_coming(self, group: _Group) -> bool:
        """Leave the transaction open for a thread already waiting to write?"""
        return (self._wanting > 0 and group.changes < MAX_GROUP
                and time.monotonic() - group.opened < MAX_GROUP_S)

    def _roll_back(self, group: _Group) -> None:
        """The group's first change failed: roll its transaction back (nothing else is in it)."""
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            self._end(group, exc)
        else:
            self._group = None
            group.done.set()

    def _undo(self, group: _Group) -> None:
        """Roll this change back to its savepoint; if even that fails, end the whole group."""
        try:
            self.conn.execute("ROLLBACK TO change")
            self.conn.execute("RELEASE change")
        except sqlite3.Error as exc:
            self._end(group, exc)

    def _commit(self, group: _Group) -> None:
        started = time.perf_counter()
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._end(group, exc)
        else:
            self.commit_seconds.append(time.perf_counter() - started)
            self.commits += 1
            if self._committed is not None:
                self._committed()
            self._group = None
            group.done.set()

    def _end(self, group: _Group, error: sqlite3.Error) -> None:
        """The group's transaction cannot be committed: roll it all back, fail every change."""
        with suppress(sqlite3.Error):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        group.error = error
        self._group = None
        group.done.set()

    def _await(self, group: _Group) -> None:
        """Wait for the group's commit; commit it here if nobody else is going to."""
        while not group.done.wait(ORPHAN_CHECK_S):
            if self._lock.acquire(blocking=False):
                try:
                    if self._group is group:
                        self._commit(group)
                finally:
                    self._lock.release()
