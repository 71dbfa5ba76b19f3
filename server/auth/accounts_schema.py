"""The server's own migrations (set "novbe-server"), applied when Accounts opens the database:
append-only, named `s001_…`, beside the queue core's set in shared/store/database.py."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from shared.store import database as store

migrations = Migrations("novbe-server")


@migrations()
def s001_device_counters(db: sqlite_utils.Database) -> None:
    """A counter device token names the counters it may act for (none until set)."""
    db.table("device_counters").create({"device": str, "counter": str}, pk=("device", "counter"),
                                 foreign_keys=[("device", "device_tokens", "name")])


def migrate(db: sqlite_utils.Database, path: Path) -> list[str]:
    """Apply the server's pending migrations under one write lock, backing the file up first
    when it already holds tickets (the core's rule)."""
    if not migrations.pending(db):
        return []
    if db["tickets"].exists() and db["tickets"].count:
        store.backup(db, path)
    with store.write(db):
        pending = [m.name for m in migrations.pending(db)]   # another process may have won
        migrations.apply(db)
    return pending
