"""What only the local SQLite store can show: pragmas, migrations, the backup, the sequences."""

from __future__ import annotations

import sqlite3

import pytest

from shared.core.local_queue import LocalQueue
from shared.core.model import Status
from shared.store import database as store
from tests.shared.helpers import JOB, PENSION


def test_connect_applies_the_storage_pragmas(db_path):
    """The factory opens in WAL with a busy timeout, foreign keys and synchronous=FULL."""
    db = store.connect(db_path)
    try:
        pragma = lambda name: db.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
    finally:
        db.conn.close()


def test_migrations_are_named_and_applied_once(db_path):
    """Migrations are sqlite-utils' own, named m001_…, recorded, and not re-run on reopen."""
    db = store.connect(db_path)
    names = [r[0] for r in db.conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'novbe' ORDER BY id")]
    assert names and all(n[0] == "m" and n[1:4].isdigit() and n[4] == "_" for n in names)
    assert names == sorted(names)
    db.conn.close()
    db = store.connect(db_path)
    assert store.migrate(db, db_path) == []
    again = db.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert again == len(names)
    assert {"tickets", "events", "sequences", "counters", "meta"} <= set(db.table_names())
    db.conn.close()


def test_file_is_backed_up_before_a_new_migration(db_path, config, clock):
    """A pending migration on an existing database first copies the file beside it."""
    q = LocalQueue(db_path, config, clock)
    issued = q.issue(JOB)
    q.close()

    @store.migrations(name="m999_test_only")
    def m999_test_only(db):
        db["test_only"].create({"id": int}, pk="id")

    try:
        db = store.connect(db_path)
        assert db["test_only"].exists()
        db.conn.close()
    finally:
        store.migrations._migrations = [m for m in store.migrations._migrations
                                        if m.name != "m999_test_only"]
    backups = list(db_path.parent.glob(db_path.name + ".*.bak"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    try:
        assert copy.execute("SELECT code FROM tickets").fetchall() == [(issued.code,)]
        assert copy.execute("SELECT count(*) FROM sqlite_master WHERE name = 'test_only'").fetchone()[0] == 0
    finally:
        copy.close()


def test_fresh_database_is_not_backed_up(db_path):
    """Creating a new database has nothing to back up."""
    store.connect(db_path).conn.close()
    assert list(db_path.parent.glob("*.bak")) == []


def test_failed_write_rolls_back(db_path):
    """An exception inside write() leaves nothing behind and releases the lock."""
    db = store.connect(db_path)
    with pytest.raises(RuntimeError), store.write(db):
        db.conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
        raise RuntimeError("boom")
    assert db.conn.execute("SELECT count(*) FROM meta WHERE key = 'x'").fetchone()[0] == 0
    assert not db.conn.in_transaction
    with store.write(db):
        db.conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'z')")
    assert db.conn.execute("SELECT value FROM meta WHERE key = 'x'").fetchone()[0] == "z"
    db.conn.close()


def test_numbers_come_from_the_daily_sequence_and_wrap_after_999(local_queue):
    """The number is the per-prefix sequence of the day; after 999 it wraps to 001, skipping
    numbers whose ticket is still open, so two open tickets never share a code."""
    first = local_queue.issue(JOB)                      # A-001, still waiting
    second = local_queue.issue(JOB)
    local_queue.cancel(second.code)                     # A-002 is free again
    with local_queue.db.conn:
        local_queue.db.conn.execute("UPDATE sequences SET last = 998 WHERE prefix = 'A'")
    assert local_queue.issue(JOB).code == "A-999"
    wrapped = local_queue.issue(JOB)
    assert wrapped.code == "A-002"                      # A-001 is still waiting
    assert local_queue.issue(PENSION).code == "B-001"
    assert local_queue.ticket("A-001").id == first.id   # one open A-001: the lookup finds it
    assert local_queue.ticket("A-002").id == wrapped.id  # the open one, not the cancelled one
    rows = local_queue.db.conn.execute(
        "SELECT prefix, last FROM sequences ORDER BY prefix").fetchall()
    assert [tuple(r) for r in rows] == [("A", 1001), ("B", 1)]


def test_every_status_change_is_an_event_in_the_same_transaction(local_queue):
    """Counting rows: each ticket row's status matches the replay of its own events."""
    q = local_queue
    a = q.issue(JOB)
    q.issue(JOB)
    q.call_next("1")
    q.start("1")
    q.call_next("1")
    q.no_show("1")
    rows = dict(q.db.conn.execute("SELECT id, status FROM tickets"))
    assert rows[a.id] == Status.DONE
    last = dict(q.db.conn.execute(
        "SELECT ticket_id, kind FROM events WHERE id IN "
        "(SELECT max(id) FROM events WHERE ticket_id IS NOT NULL GROUP BY ticket_id)"))
    assert last == {a.id: "finished", a.id + 1: "no_show"}


def test_status_tokens_are_long_and_indexed_unique(local_queue):
    """Tokens carry >= 128 bits and the schema refuses a duplicate."""
    t = local_queue.issue(JOB)
    assert len(t.token) * 6 >= 128
    with pytest.raises(sqlite3.IntegrityError):
        local_queue.db.conn.execute(
            "INSERT INTO tickets(code, prefix, number, service, token, status, service_day, "
            "issued_at, queued_at, priority_rank) VALUES ('A-002', 'A', 2, ?, ?, 'waiting', "
            "'2026-11-23', 0, 0, 1000)", (JOB, t.token))


def test_unreadable_file_is_queue_unavailable(tmp_path):
    """A file that is not SQLite is reported as QueueUnavailable, not a traceback."""
    from shared.core.errors import QueueUnavailable

    bad = tmp_path / "garbage.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(QueueUnavailable, match="garbage.sqlite"):
        store.connect(bad)


def test_impossible_path_is_queue_unavailable(tmp_path):
    """A database path whose folder cannot be created is QueueUnavailable naming the path."""
    from shared.core.errors import QueueUnavailable

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(QueueUnavailable, match="a-file"):
        store.connect(blocker / "queue.sqlite")
