"""Opening the queue's SQLite file: an integrity check, pragmas, append-only migrations, a backup
before migrating, short write transactions and consistent copies of a live file."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from shared.core.errors import DamagedDatabase, NovbeError, QueueUnavailable
from shared.store import identity
from shared.store.migrations import migrations

__all__ = ["BUSY_TIMEOUT_MS", "backup", "backups_of", "check_header", "connect", "copy_to",
           "data_version", "migrate", "migrations", "quick_check", "restore", "write"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
FIRST_WAIT_S = 0.005       # a write waits this long in SQLite's busy handler, then polls
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_PARTS = ("", "-wal", "-shm")        # a database's files beside its name


def connect(path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
            read_only: bool = False) -> sqlite_utils.Database:
    """Open the queue database with the storage rules applied and migrations run. A file that
    is not a sound SQLite database is refused (DamagedDatabase) with its backups named."""
    path = Path(path)
    try:
        if not path.exists() and not read_only:
            _create(path)
        if path.exists():
            check_header(path)
        conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000,
                               isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not read_only:
            mode = _enter_wal(conn)
            if mode.lower() != "wal":
                log.warning("database %s is in %s journal mode, not WAL", path, mode)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, str(exc)) from exc
    except OSError as exc:
        raise QueueUnavailable(f"cannot open the queue database {path}: {exc}") from exc
    db = sqlite_utils.Database(conn, execute_plugins=False)
    if not read_only:
        try:
            migrate(db, path)
            identity.check(conn, path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise QueueUnavailable(f"the queue database {path} is busy: {exc}") from exc
            raise _damaged(path, str(exc)) from exc
    return db


def _create(path: Path) -> None:
    """Make a new database whole beside `path`, then link it into place in one step, so a file
    at `path` is never half-made: an empty one is damage, not a database being created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        conn = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(sqlite_utils.Database(conn, execute_plugins=False))
        finally:
            conn.close()
        with contextlib.suppress(FileExistsError):   # another process made it first: theirs stands
            os.link(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


def check_header(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that cannot be a sound database: empty, without
    SQLite's header, or shorter than the pages its header counts (truncated)."""
    size = path.stat().st_size
    if size == 0:
        raise _damaged(path, "not a database: the file is empty (0 bytes)")
    header = _read_header(path)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise _damaged(path, "not a database: the file does not start with SQLite's header")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise _damaged(path, f"the header names an impossible page size ({page_size})")
    pages = int.from_bytes(header[28:32], "big")
    valid_for, changes = header[92:96], header[24:28]
    if valid_for == changes and size < pages * page_size:
        raise _damaged(path, f"the file is truncated: {size} bytes of {pages * page_size}")


_header_fds: dict[tuple[int, int], int] = {}
_header_lock = threading.Lock()


def _read_header(path: Path) -> bytes:
    """The file's first 100 bytes, read through a descriptor this process keeps open. Closing
    any descriptor of a file drops every POSIX lock the process holds on it — SQLite's locks
    too — and another process may then take the file for unused and reset its WAL under this
    process's live connections (seen as SQLITE_IOERR_SHORT_READ). So it is never closed."""
    st = path.stat()
    key = (st.st_dev, st.st_ino)
    with _header_lock:
        fd = _header_fds.get(key)
        if fd is None:
            fd = _header_fds[key] = os.open(path, os.O_RDONLY)
    return os.pread(fd, 100, 0)


def quick_check(db: sqlite_utils.Database, path: Path) -> None:
    """SQLite's quick_check over the whole file (reads every page: run it once at start-up)."""
    try:
        rows = [r[0] for r in db.conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, str(exc)) from exc
    if rows != ["ok"]:
        raise _damaged(path, "; ".join(rows))


def backups_of(path: Path) -> list[Path]:
    """The copies of `path` beside it (made before migrations and by `novbe backup`), newest first."""
    found = [p for p in path.parent.glob(path.name + ".*.bak") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def is_busy(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock (SQLITE_BUSY / SQLITE_LOCKED)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc)
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def is_corrupt(exc: sqlite3.Error) -> bool:
    """The file itself is damaged (SQLITE_CORRUPT / SQLITE_NOTADB), not merely unreachable."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return any(word in str(exc) for word in ("malformed", "not a database", "corrupt"))


def damaged(path: Path, exc: sqlite3.Error) -> NovbeError:
    """What an SQLite error met while working means to people: a damaged file (with its
    backups named), a busy one, or any other failure — one line each."""
    text = str(exc)
    if is_busy(exc):
        return QueueUnavailable(f"the queue database {path} is busy: {text}")
    if isinstance(exc, sqlite3.DatabaseError) and (is_corrupt(exc) or "disk I/O" in text):
        return _damaged(path, text)
    return QueueUnavailable(f"the queue database {path} failed: {text}")


def _damaged(path: Path, what: str) -> DamagedDatabase:
    copies = backups_of(path) if path.parent.exists() else []
    hint = ("backups beside it: " + ", ".join(p.name for p in copies[:5]) +
            f" — stop every Növbə program, then `novbe restore {copies[0]}`") if copies else \
        "no backups beside it — move it aside to start an empty queue, or restore a copy you keep elsewhere"
    return DamagedDatabase(f"the queue database {path} is damaged ({what}); {hint}")


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


def backup_path(path: Path) -> Path:
    """A new timestamped name beside the file for a backup of it (`novbe.sqlite.<time>.bak`)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{stamp}.bak")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{stamp}-{n}.bak")
    return target


def backup(db: sqlite_utils.Database, path: Path) -> Path:
    """Copy the live database to a timestamped file beside it (SQLite's online backup)."""
    target = backup_path(path)
    copy_to(db.conn, target)
    log.info("backed up %s to %s", path, target)
    return target


def copy_to(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of a live database (other processes may go on writing meanwhile)."""
    dest = sqlite3.connect(str(target), isolation_level=None)
    try:
        conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")   # one self-contained file, no -wal beside
    finally:
        dest.close()


def restore(source: Path, target: Path) -> Path | None:
    """Put the copy `source` in place of the queue database `target`. A sound target is
    overwritten through SQLite's backup API (under its write lock, so nothing half-copied is
    ever read); a damaged one is first moved aside (returned), never deleted. The restored
    file starts a new generation (shared/store/identity.py): its history from here on is
    another one than the history it replaced."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise QueueUnavailable(f"no backup file {source}")
    check_header(source)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        quick_check(sqlite_utils.Database(src, execute_plugins=False), source)
        if target.exists():
            try:
                live = connect(target)
            except DamagedDatabase:
                pass
            else:
                try:
                    src.backup(live.conn)
                    migrate(live, target)       # a backup made by an older version
                    identity.renew(live.conn, target)
                finally:
                    live.conn.close()
                return None
            aside = set_aside(target)
        else:
            aside = None
        copy_to(src, target)
        fresh = connect(target)
        try:
            identity.renew(fresh.conn, target)
        finally:
            fresh.conn.close()
        return aside
    finally:
        src.close()


def set_aside(path: Path) -> Path:
    """Move a damaged database (and its WAL and shared-memory files) aside as
    `<name>.<time>.damaged`, never over an earlier copy and never deleting it; returns where."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.{stamp}.damaged")
    n = 1
    while any(aside.with_name(aside.name + sfx).exists() for sfx in SQLITE_PARTS):
        n += 1
        aside = path.with_name(f"{path.name}.{stamp}-{n}.damaged")
    for suffix in SQLITE_PARTS:
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(aside.with_name(aside.name + suffix))
    return aside


def begin_immediate(conn: sqlite3.Connection, timeout_s: float | None = None,
                    busy_ms: int | None = None) -> None:
    """BEGIN IMMEDIATE within `timeout_s` (default: the connection's busy timeout). After
    SQLite's first few tries, it tries again every 0.05–0.3 ms: SQLite's own busy handler
    goes on to sleep 100 ms between tries, and a process in those sleeps loses every free moment
    to processes writing in a loop — seen as 9 s waits and "database is locked" with four
    processes on one file (bench/queue_ops.py). `busy_ms`: the connection's busy timeout when
    the caller knows it (one statement less per write). The connection's busy timeout is left
    as it was; one kept at first_wait_ms (a GroupWriter's, shared/core/group_commit.py) costs
    no statement at all when the lock is free."""
    saved = busy_ms if busy_ms is not None else conn.execute("PRAGMA busy_timeout").fetchone()[0]
    if timeout_s is None:
        timeout_s = saved / 1000
    deadline = time.monotonic() + timeout_s
    # SQLite's own waits first (tries at 0, 1, 3 ms), then ours every 0.05–0.3 ms: a writer in
    # a loop leaves the lock free for ~0.1 ms between two writes, and a slower poll misses it
    first = first_wait_ms(timeout_s)
    changed = saved != first
    if changed:
        conn.execute(f"PRAGMA busy_timeout = {first}")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() >= deadline:
                    raise QueueUnavailable(
                        f"the queue database is busy or unavailable: {exc}") from exc
            conn.execute("PRAGMA busy_timeout = 0")
            changed = True
            time.sleep(random.uniform(0.00005, 0.0003))
    finally:
        if changed:
            conn.execute(f"PRAGMA busy_timeout = {int(saved)}")


def first_wait_ms(timeout_s: float) -> int:
    """How long a write waits in SQLite's busy handler before begin_immediate polls."""
    return int(min(FIRST_WAIT_S, timeout_s) * 1000)


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One short write transaction taken with BEGIN IMMEDIATE (the writer lock up front)."""
    conn = db.conn
    begin_immediate(conn)
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


class ReadConnection:
    """One thread's read connection (WAL: it never waits behind a write). Its lock is held
    while it is used, so closing it from another thread waits for the read in flight — SQLite
    closed under a running statement crashes the process."""

    def __init__(self, path: Path, timeout_s: float, row_factory: Any = None):
        self.conn = sqlite3.connect(str(path), timeout=timeout_s, isolation_level=None,
                                    check_same_thread=False)
        self.conn.execute("PRAGMA query_only = 1")
        self.conn.row_factory = row_factory
        self.lock = threading.Lock()
        self.closed = False

    @contextmanager
    def using(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            if self.closed:
                raise QueueUnavailable("the queue database is closed")
            yield self.conn

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.conn.close()


def data_version(db: sqlite_utils.Database) -> int:
    """SQLite's cheap counter that changes when another connection commits."""
    return db.conn.execute("PRAGMA data_version").fetchone()[0]
