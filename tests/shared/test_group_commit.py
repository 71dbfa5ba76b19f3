"""Group commit (shared/core/group_commit.py): writes that arrive together share one commit; none
returns before it; a failing change leaves the others alone; a failing commit fails them all."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.core import group_commit
from shared.core.errors import QueueUnavailable
from shared.core.group_commit import GroupWriter

pytestmark = pytest.mark.timeout(60)


class Damaged(Exception):
    """What the test's writer turns SQLite errors into."""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "g.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript("""
        CREATE TABLE parent(id INTEGER PRIMARY KEY);
        CREATE TABLE rows(id INTEGER PRIMARY KEY, name TEXT,
                          parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
        INSERT INTO parent VALUES (1);""")
    conn.close()
    return path


@pytest.fixture
def writer(db: Path) -> Iterator[GroupWriter]:
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    w = GroupWriter(conn, 5.0, lambda exc: Damaged(str(exc)))
    yield w
    w.close()


def committed(db: Path) -> list[str]:
    """The names another connection sees (only what is committed)."""
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM rows ORDER BY id")]
    finally:
        conn.close()


def wait_until(check: Callable[[], bool]) -> None:
    """Poll a condition another thread will make true (bounded by the test's timeout)."""
    done = threading.Event()
    while not check():
        done.wait(0.001)


def insert(writer: GroupWriter, name: str, parent: int = 1,
           hold: threading.Event | None = None, fail: bool = False) -> None:
    with writer.change() as conn:
        conn.execute("INSERT INTO rows(name, parent) VALUES (?, ?)", (name, parent))
        if hold is not None:
            hold.wait(10)
        if fail:
            raise ValueError(name)


class Run:
    """A change in a thread of its own, keeping what it returned or raised."""

    def __init__(self, fn: Callable[[], None]):
        self.error: BaseException | None = None
        self.seen_after: list[str] | None = None
        self.thread = threading.Thread(target=self._run, args=(fn,))
        self.thread.start()

    def _run(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - kept for the test to look at
            self.error = exc

    def join(self) -> None:
        self.thread.join(20)
        assert not self.thread.is_alive()


def test_waiting_writes_share_one_commit_and_none_returns_before_it(writer: GroupWriter,
                                                                     db: Path, monkeypatch) -> None:
    """Three changes that meet at the writer are committed once, and the first one's row is
    on disk by the time it returns (it waited for the group's commit, not just its own)."""
    monkeypatch.setattr(group_commit, "MAX_GROUP_S", 60.0)  # a loaded machine: no group closed by time
    hold = threading.Event()
    first = Run(lambda: insert(writer, "a", hold=hold))
    wait_until(lambda: writer.changes == 0 and writer._lock.locked())
    second = Run(lambda: insert(writer, "b"))
    third = Run(lambda: insert(writer, "c"))
    wait_until(lambda: writer._wanting == 2)
    hold.set()
    first.join()
    rows = committed(db)                          # "a" returned only once all three were on disk
    assert rows[0] == "a" and sorted(rows) == ["a", "b", "c"]   # b and c: in the order they met
    second.join()
    third.join()
    assert (first.error, second.error, third.error) == (None, None, None)
    assert (writer.changes, writer.commits) == (3, 1)


def test_a_lone_write_commits_at_once(writer: GroupWriter, db: Path) -> None:
    """With nobody waiting, every change is its own commit (no delay for a group)."""
    for name in "xyz":
        insert(writer, name)
        assert committed(db)[-1] == name
    assert (writer.changes, writer.commits) == (3, 3)


def test_a_failing_change_leaves_the_rest_of_its_group(writer: GroupWriter, db: Path) -> None:
    """A change that raises is rolled back to its savepoint; the group's others are committed."""
    hold = threading.Event()
    first = Run(lambda: insert(writer, "a", hold=hold))
    wait_until(lambda: writer._lock.locked())
    bad = Run(lambda: insert(writer, "bad", fail=True))
    wait_until(lambda: writer._wanting == 1)
    hold.set()
    first.join()
    bad.join()
    assert isinstance(bad.error, ValueError) and first.error is None
    assert committed(db) == ["a"]
    insert(writer, "after")
    assert committed(db) == ["a", "after"]


def test_a_failing_commit_fails_every_change_in_the_group(writer: GroupWriter, db: Path) -> None:
    """When the commit itself fails (here: a deferred foreign key), no change of the group is
    kept and each of them is told, through the writer's damage message."""
    hold = threading.Event()
    first = Run(lambda: insert(writer, "a", hold=hold))
    wait_until(lambda: writer._lock.locked())
    orphan = Run(lambda: insert(writer, "orphan", parent=99))
    wait_until(lambda: writer._wanting == 1)
    hold.set()
    first.join()
    orphan.join()
    assert isinstance(first.error, Damaged) and "FOREIGN KEY" in str(first.error)
    assert isinstance(orphan.error, Damaged)
    assert committed(db) == []
    insert(writer, "next")                        # the writer goes on with a fresh transaction
    assert committed(db) == ["next"]


def test_a_group_left_open_is_committed_by_its_waiting_change(writer: GroupWriter,
                                                             db: Path) -> None:
    """If the writer that was to follow gives up (its deadline), the change waiting on the
    open group commits it itself instead of waiting for ever."""
    with writer._gate:
        writer._wanting += 1          # a writer about to come … that never does
    try:
        insert(writer, "a")
    finally:
        with writer._gate:
            writer._wanting -= 1
    assert committed(db) == ["a"] and writer.commits == 1


def test_a_write_that_cannot_have_the_writer_in_time_is_refused(db: Path) -> None:
    """Past the deadline a change gets QueueUnavailable at once, naming the wait."""
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    w = GroupWriter(conn, 0.2, lambda exc: Damaged(str(exc)))
    hold = threading.Event()
    first = Run(lambda: insert(w, "slow", hold=hold))
    wait_until(lambda: w._lock.locked())
    with pytest.raises(QueueUnavailable, match="within 0.2 s"):
        insert(w, "late")
    hold.set()
    first.join()
    w.close()
    assert committed(db) == ["slow"]


def test_many_threads_lose_nothing(writer: GroupWriter, db: Path) -> None:
    """Eight threads writing 50 rows each: every row is committed, in fewer commits than rows
    when they meet (never more)."""
    runs = [Run(lambda i=i: [insert(writer, f"{i}-{k}") for k in range(50)])  # type: ignore[misc]
            for i in range(8)]
    for run in runs:
        run.join()
        assert run.error is None
    assert sorted(committed(db)) == sorted(f"{i}-{k}" for i in range(8) for k in range(50))
    assert writer.changes == 400 and writer.commits <= 400


def test_a_failing_first_change_never_leaves_the_database_locked(writer: GroupWriter,
                                                                db: Path) -> None:
    """The first change of a group fails while another writer is counted as coming (one that
    then gives up): the empty transaction is ended at once, so other processes can write."""
    with writer._gate:
        writer._wanting += 1
    try:
        with pytest.raises(ValueError):
            insert(writer, "refused", fail=True)
    finally:
        with writer._gate:
            writer._wanting -= 1
    assert not writer.conn.in_transaction
    other = sqlite3.connect(db, isolation_level=None, timeout=0.5)
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()
