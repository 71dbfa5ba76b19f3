"""An upgrade that cannot take over the queue file leaves it exactly as it was: the backup is
made before migrating, and any failure (a migration that breaks, a check that fails) puts the
file back byte for byte, so the previous program goes on with nothing lost."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlite_utils

from novbe.upgrade import UpgradeFailed, upgrade_database
from shared.core.local_queue import LocalQueue
from shared.store import migrations


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def centre_file(tmp_path: Path, config) -> Path:
    """A queue file with a morning's tickets, closed as the package's prerm leaves it."""
    db = tmp_path / "novbe.sqlite"
    queue = LocalQueue(db, config)
    for service in ("labour", "pensions.age", "labour"):
        queue.issue(service)
    queue.close()
    return db


def test_a_failing_migration_puts_the_file_back(centre_file: Path, monkeypatch: pytest.MonkeyPatch):
    """A new migration that raises half-way: UpgradeFailed names the cause and the backup; the
    file is byte for byte what it was; the old program opens it and sees every ticket."""
    before = _digest(centre_file)

    def m999_broken(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("the new schema does not fit")

    monkeypatch.setattr(migrations.migrations, "_migrations",
                        [*migrations.migrations._migrations,
                         migrations.migrations._Migration("m999_broken", m999_broken)])
    with pytest.raises(UpgradeFailed) as failed:
        upgrade_database(centre_file, None)
    assert "the new schema does not fit" in str(failed.value)
    assert ".bak" in str(failed.value)
    assert _digest(centre_file) == before
    monkeypatch.undo()
    conn = sqlite_utils.Database(str(centre_file))
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 3
    assert "half_done" not in conn.table_names()


def test_a_sound_upgrade_migrates_and_keeps_the_backup(centre_file: Path, config):
    """Nothing pending: the upgrade checks the file with the new program and keeps a backup."""
    done = upgrade_database(centre_file, None)
    assert done.backup is not None and done.backup.exists()
    assert done.applied == ()
    assert LocalQueue(centre_file, config).snapshot().services


def test_a_first_install_has_nothing_to_upgrade(tmp_path: Path):
    """No queue file yet: nothing is made, nothing fails."""
    done = upgrade_database(tmp_path / "none.sqlite", None)
    assert done.backup is None and done.applied == ()
