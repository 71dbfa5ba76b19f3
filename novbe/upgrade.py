"""Upgrading a centre without risk: the queue file is backed up, migrated by the new program and
checked; if anything fails, the backup goes back in place (byte for byte, with no migration)
and the package's scripts put the previous program back — the centre runs as before.

The Debian package's postinst runs, as the novbe user with the services stopped, `novbe
upgrade-db --backup-to FILE` and then `novbe upgrade-check` (the new server started on the
migrated file must answer /api/health); exit 0 from both means the new program may start,
anything else means roll back to the previous program and FILE."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from shared.core.errors import NovbeError

log = logging.getLogger(__name__)


class UpgradeFailed(NovbeError):
    """The new program could not take over the queue file; the file is as it was before."""


@dataclass(frozen=True)
class UpgradeResult:
    """What an upgrade of the queue file did."""

    backup: Path | None
    applied: tuple[str, ...]


def snapshot(db_path: Path, target: Path | None = None) -> Path:
    """A byte-for-byte copy of the file (to `target`, else a timestamped name beside it), the
    old schema untouched: the apps are stopped, so the write-ahead log is folded in first and
    the file copied as it is."""
    from shared.store import database as store

    conn = sqlite3.connect(str(db_path), timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    target = target or store.backup_path(db_path)
    shutil.copy2(db_path, target)
    return target


def put_back(backup: Path, db_path: Path) -> None:
    """The backup in place of the queue file, byte for byte (the apps are stopped)."""
    partial = db_path.with_name(db_path.name + ".rollback")
    shutil.copy2(backup, partial)
    with open(partial, "rb") as f:
        os.fsync(f.fileno())
    for extra in ("-wal", "-shm"):
        Path(str(db_path) + extra).unlink(missing_ok=True)
    partial.replace(db_path)


def upgrade_database(db_path: Path, config_path: Path | None,
                     backup_to: Path | None = None) -> UpgradeResult:
    """Back up (to `backup_to` if given: the package's scripts name it, to put it back if a
    later check fails), migrate with this program, check the result; on failure put the backup
    back and raise UpgradeFailed naming the cause and the backup."""
    from shared.config.centre import load_config
    from shared.core.local_queue import LocalQueue
    from shared.store import migrations

    if not db_path.exists():
        return UpgradeResult(None, ())   # a first install: the server creates the file
    backup = snapshot(db_path, backup_to)
    try:
        config = load_config(config_path)
        probe = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            import sqlite_utils

            pending = tuple(m.name for m in migrations.migrations.pending(
                sqlite_utils.Database(probe, execute_plugins=False)))
        finally:
            probe.close()
        queue = LocalQueue(db_path, config, verify=True)
        try:
            queue.snapshot()          # the new program reads the migrated file
            queue.last_event_id()
        finally:
            queue.close()
    except Exception as exc:  # whatever the new program met, the old one gets its file back
        put_back(backup, db_path)
        raise UpgradeFailed(f"the upgrade of {db_path} failed ({exc}); the file is back as it "
                            f"was, from {backup.name}") from exc
    log.info("upgraded %s (%s), backup %s", db_path, ", ".join(pending) or "no migration", backup)
    return UpgradeResult(backup, pending)


SERVE_CHECK_S = 60.0     # a Raspberry-class machine starts the server in ~10 s


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_serves(db_path: Path, config_path: Path | None, seconds: float = SERVE_CHECK_S) -> str:
    """The package's health check after a migration: this program's server, started on the
    upgraded file (on a free port of 127.0.0.1, apart from the centre's own), answers
    /api/health with this program's version within `seconds`; then it is stopped. Works the same
    with or without systemd. Returns what answered; raises UpgradeFailed with the server's
    own last words otherwise."""
    from shared.version import VERSION

    port = free_port()
    command = [sys.executable, "-I", "-m", "novbe", "--db", str(db_path),
               *(["--config", str(config_path)] if config_path else []),
               "serve", "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile() as said:
        child = subprocess.Popen(command, stdout=said, stderr=subprocess.STDOUT)
        try:
            found = _await_health(child, f"http://127.0.0.1:{port}/api/health", seconds)
        finally:
            _stop(child)
            said.seek(0)
            words = said.read().decode(errors="replace").strip().splitlines()[-6:]
    if found is None:
        raise UpgradeFailed(f"the server did not answer /api/health within {seconds:.0f} s; "
                            f"it said: {' / '.join(words) or 'nothing'}")
    if found.startswith("exit"):
        raise UpgradeFailed(f"the server stopped at start ({found}); it said: "
                            f"{' / '.join(words) or 'nothing'}")
    if found != VERSION:
        raise UpgradeFailed(f"the server answered as version {found}, not {VERSION}")
    return found


def _await_health(child: subprocess.Popen[bytes], url: str, seconds: float) -> str | None:
    """The version /api/health reports, "exit N" if the server left first, None on time-out."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return f"exit {child.returncode}"
        try:
            answer = httpx.get(url, timeout=2.0)
        except httpx.TransportError:
            answer = None
        if answer is not None and answer.status_code == 200:
            return str((answer.json() or {}).get("version", "unknown"))
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(0.2)   # paced by the child: returns at once if it leaves
    return None


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
