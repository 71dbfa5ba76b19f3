"""The queue file's identity (shared/store/identity.py): a restore or a copied file starts a new
generation, a rename keeps it, and the report facts cache folds a new history from scratch."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.facts import FactStore
from shared.reports.report import build_report
from shared.reports.request import make_request
from shared.store import database as store
from shared.store import identity

DAY = "2026-11-23"      # MONDAY_10AM's service day


def _generation(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        return identity.generation(conn)
    finally:
        conn.close()


def _issue(queue: LocalQueue, clock: FakeClock, n: int) -> None:
    for _ in range(n):
        queue.issue("employment.job-seeker", language="az", source="kiosk-1")
        clock.advance(seconds=30)


def _issued(db_path: Path, config: CentreConfig, clock: FakeClock) -> int:
    facts = FactStore(db_path, config)
    try:
        facts.refresh(clock.now().timestamp())
        report = build_report(facts.conn, config, make_request(config, DAY, DAY), "en")
    finally:
        facts.close()
    return int(report.summary["issued"])


def test_the_issue_scenario_backup_20_restore_5_reports_15(tmp_path: Path, config: CentreConfig,
                                                           clock: FakeClock) -> None:
    """10 issued, a backup, 20 more, a restore and 5 new: the local report says 15 issued (it
    said 30 on the old main: the facts cache kept the discarded history's highest event id)."""
    db_path = tmp_path / "queue.sqlite"
    queue = LocalQueue(db_path, config, clock)
    _issue(queue, clock, 10)
    backup = store.backup(queue.db, db_path)
    _issue(queue, clock, 20)
    before = _generation(db_path)
    queue.close()
    assert _issued(db_path, config, clock) == 30
    assert store.restore(backup, db_path) is None
    after = _generation(db_path)
    assert after and after != before
    queue = LocalQueue(db_path, config, clock)
    _issue(queue, clock, 5)
    queue.close()
    assert _issued(db_path, config, clock) == 15


def test_a_copied_file_is_a_new_generation_and_a_renamed_one_is_not(
        tmp_path: Path, config: CentreConfig, clock: FakeClock) -> None:
    """A copy opened as a queue gets a generation of its own; the original keeps its own, and
    so does a file renamed in place (same inode)."""
    original = tmp_path / "queue.sqlite"
    queue = LocalQueue(original, config, clock)
    _issue(queue, clock, 2)
    queue.close()
    first = _generation(original)
    copy = tmp_path / "copy.sqlite"
    shutil.copy(original, copy)
    store.connect(copy).conn.close()
    assert _generation(copy) not in ("", first)
    store.connect(original).conn.close()
    assert _generation(original) == first
    renamed = tmp_path / "renamed.sqlite"
    original.rename(renamed)
    store.connect(renamed).conn.close()
    assert _generation(renamed) == first


def test_a_file_with_a_history_from_before_generations_keeps_the_empty_one(
        tmp_path: Path, config: CentreConfig, clock: FakeClock) -> None:
    """A file migrated in place (events already there) keeps the generation '' — the one its
    rows were shipped under before — and a restore of it starts a real one."""
    db_path = tmp_path / "queue.sqlite"
    queue = LocalQueue(db_path, config, clock)
    _issue(queue, clock, 3)
    queue.close()
    conn = sqlite3.connect(str(db_path))
    conn.execute("DROP TABLE file_generation")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm009_file_generation'")
    conn.commit()
    conn.close()
    backup = tmp_path / "old.bak"
    shutil.copy(db_path, backup)
    store.connect(db_path).conn.close()
    assert _generation(db_path) == ""
    store.restore(backup, db_path)
    assert _generation(db_path) != ""
