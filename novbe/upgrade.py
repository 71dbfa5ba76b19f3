"""Upgrading a centre without risk: the queue file is backed up, migrated by the new program and
checked; if anything fails, the backup goes back in place (byte for byte, with no migration)
and the package's scripts put the previous program back — the centre runs as before.

The Debian package's postinst runs `novbe upgrade-db` as the novbe user with the services
stopped; exit 0 means the new program may start, anything else means roll back."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
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


def snapshot(db_path: Path) -> Path:
    """A byte-for-byte copy of the file beside it, the old schema untouched: the apps are
    stopped, so the write-ahead log is folded in first and the file copied as it is."""
    from shared.store import database as store

    conn = sqlite3.connect(str(db_path), timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    target = store.backup_path(db_path)
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


def upgrade_database(db_path: Path, config_path: Path | None) -> UpgradeResult:
    """Back up, migrate with this program, check the result; on failure put the backup back
    and raise UpgradeFailed naming the cause and the backup."""
    from shared.config.centre import load_config
    from shared.core.local_queue import LocalQueue
    from shared.store import migrations

    if not db_path.exists():
        return UpgradeResult(None, ())   # a first install: the server creates the file
    backup = snapshot(db_path)
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
