"""An upgrade that cannot take over the queue file leaves it exactly as it was: the backup is
made before migrating, and any failure (a migration that breaks, a check that fails) puts the
file back byte for byte, so the previous program goes on with nothing lost. The health check
starts the new server on the file and sees it answer (or quotes why it did not)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlite_utils

from novbe.upgrade import UpgradeFailed, check_serves, upgrade_database
from shared.core.local_queue import LocalQueue
from shared.store import migrations
from shared.version import VERSION


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


def test_the_backup_goes_where_the_package_names_it(centre_file: Path, tmp_path: Path):
    """--backup-to: the package's scripts name the backup, so that a later failed check can
    put exactly that file back."""
    target = tmp_path / "novbe.sqlite.before-0.4.0.bak"
    done = upgrade_database(centre_file, None, backup_to=target)
    assert done.backup == target and target.exists()


@pytest.mark.slow   # starts the whole server: ~10 s on a loaded 2-core machine
def test_the_health_check_sees_the_server_answer(centre_file: Path):
    """The new program's server, started on the upgraded file on a free port, answers
    /api/health with this version; then it is stopped."""
    assert check_serves(centre_file, None, seconds=60) == VERSION


@pytest.mark.slow
def test_a_server_that_cannot_start_fails_the_health_check_with_its_words(
        centre_file: Path, tmp_path: Path):
    """A server that leaves at start (here: a centre config it refuses) fails the check, and
    the failure quotes what the server said."""
    broken = tmp_path / "centre.toml"
    broken.write_text("[centre]\nname = 'no services at all'\n")
    with pytest.raises(UpgradeFailed) as failed:
        check_serves(centre_file, broken, seconds=60)
    assert "stopped at start" in str(failed.value)
    assert "centre.toml" in str(failed.value) or "service" in str(failed.value)
