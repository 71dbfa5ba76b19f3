"""Opening the queue's SQLite file: pragmas, append-only migrations, a backup before migrating."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from shared.errors import QueueUnavailable

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
migrations = Migrations("novbe")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["tickets"].create({
        "id": int, "code": str, "prefix": str, "number": int, "service": str,
        "priority": str, "priority_rank": int, "language": str, "source": str,
        "token": str, "status": str, "service_day": str,
        "issued_at": float, "queued_at": float, "called_at": float, "started_at": float,
        "finished_at": float, "counter": str, "staff": str, "outcome": str,
        "recalls": int, "transfers": int, "rating": int,
    }, pk="id", not_null={"code", "prefix", "number", "service", "token", "status",
                          "service_day", "issued_at", "queued_at", "priority_rank"},
       defaults={"recalls": 0, "transfers": 0, "language": "az"})
    db.execute("CREATE UNIQUE INDEX idx_tickets_token ON tickets(token)")
    db.execute("CREATE INDEX idx_tickets_day_code ON tickets(service_day, code)")
    db.execute("CREATE INDEX idx_tickets_waiting ON tickets(priority_rank, queued_at, id) "
               "WHERE status = 'waiting'")
    db.execute("CREATE INDEX idx_tickets_waiting_service ON tickets(service, priority_rank, queued_at, id) "
               "WHERE status = 'waiting'")
    db.execute("CREATE INDEX idx_tickets_open ON tickets(service_day) "
               "WHERE status IN ('waiting', 'called', 'serving')")
    db.execute("CREATE INDEX idx_tickets_finished ON tickets(service, finished_at) "
               "WHERE status = 'done'")
    db.execute("CREATE INDEX idx_tickets_day_service ON tickets(service_day, service)")
    db["sequences"].create({"service_day": str, "prefix": str, "last": int},
                           pk=("service_day", "prefix"))
    db["counters"].create({"id": str, "state": str, "staff": str, "ticket_id": int,
                           "updated_at": float}, pk="id",
                          foreign_keys=[("ticket_id", "tickets", "id")])
    db["events"].create({"id": int, "at": float, "kind": str, "ticket_id": int,
                         "counter": str, "staff": str, "source": str, "details": str}, pk="id",
                        not_null={"at", "kind"}, foreign_keys=[("ticket_id", "tickets", "id")])
    db.execute("CREATE INDEX idx_events_ticket ON events(ticket_id)")
    db.execute("CREATE INDEX idx_events_at ON events(at)")
    db["devices"].create({"source": str, "state": str, "message": str, "at": float}, pk="source")
    db["meta"].create({"key": str, "value": str}, pk="key")


@migrations()
def m002_server_accounts(db: sqlite_utils.Database) -> None:
    """Staff accounts, device tokens and sign-in sessions of the server (issue 6)."""
    db["staff"].create({"name": str, "password_hash": str, "created_at": float,
                        "updated_at": float}, pk="name", not_null={"password_hash"})
    db["device_tokens"].create({"name": str, "token_hash": str, "created_at": float},
                               pk="name", not_null={"token_hash"})
    db.execute("CREATE UNIQUE INDEX idx_device_tokens_hash ON device_tokens(token_hash)")
    db["sessions"].create({"id_hash": str, "staff": str, "csrf": str, "counter": str,
                           "created_at": float, "expires_at": float}, pk="id_hash",
                          not_null={"staff", "csrf", "expires_at"},
                          foreign_keys=[("staff", "staff", "name")])


@migrations()
def m003_device_roles_and_issue_requests(db: sqlite_utils.Database) -> None:
    """Device tokens get a role (existing ones: kiosk); the request ids of remote issues, so a
    kiosk retrying an issue gets its first ticket back instead of a second one."""
    db["device_tokens"].add_column("role", str, not_null_default="kiosk")
    db["issue_requests"].create({"request_id": str, "service_day": str, "ticket_id": int,
                                 "token": str, "created_at": float}, pk="request_id",
                                not_null={"service_day", "ticket_id", "token"})
    db.execute("CREATE INDEX idx_issue_requests_day ON issue_requests(service_day)")


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open the queue database with the storage rules applied and migrations run."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = _enter_wal(conn)
        if mode.lower() != "wal":
            log.warning("database %s is in %s journal mode, not WAL", path, mode)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except (sqlite3.DatabaseError, OSError) as exc:
        raise QueueUnavailable(f"cannot open the queue database {path}: {exc}") from exc
    db = sqlite_utils.Database(conn)
    migrate(db, path)
    return db


def _enter_wal(conn: sqlite3.Connection) -> str:
    """Switch to WAL. On a fresh file another process may be switching at the same moment, and
    SQLite then answers "locked" without waiting on the busy timeout: retry until it is done."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.002
    while True:
        try:
            return conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


def migrate(db: sqlite_utils.Database, path: Path | None = None) -> list[str]:
    """Apply pending migrations under one write lock, backing the file up first."""
    pending = [m.name for m in migrations.pending(db)]
    if not pending:
        return []
    if path is not None and db["tickets"].exists():
        backup(db, path)
    with write(db):
        pending = [m.name for m in migrations.pending(db)]  # another process may have won
        migrations.apply(db)
    if pending:
        log.info("applied migrations %s to %s", ", ".join(pending), path)
    return pending


def backup(db: sqlite_utils.Database, path: Path) -> Path:
    """Copy the live database to a timestamped file beside it (SQLite's online backup)."""
    target = path.with_name(f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}.bak")
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    log.info("backed up %s to %s before migrating", path, target)
    return target


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One short write transaction taken with BEGIN IMMEDIATE (the writer lock up front)."""
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise QueueUnavailable(f"the queue database is busy or unavailable: {exc}") from exc
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def data_version(db: sqlite_utils.Database) -> int:
    """SQLite's cheap counter that changes when another connection commits."""
    return db.conn.execute("PRAGMA data_version").fetchone()[0]
