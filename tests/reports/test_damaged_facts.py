"""A damaged report-facts file (a cache) is moved aside, never deleted, and the facts are rebuilt
from the queue's events: the report comes out the same, and nothing is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.reports.facts import FactStore, facts_path
from tests.reports.known_day import build_known_day

TABLES = (("report_tickets", "ticket_id"), ("report_visits", "ticket_id, seq"),
          ("report_counters", "counter, staff"))


def facts_of(store: FactStore) -> dict[str, list]:
    return {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY {o}").fetchall() for t, o in TABLES}


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def overwrite(path: Path) -> None:
    path.write_bytes(b"this is not a database at all " * 200)


@pytest.mark.parametrize("damage", [truncate, overwrite], ids=["truncated", "overwritten"])
def test_damaged_facts_are_set_aside_and_rebuilt(local_queue: LocalQueue, clock: FakeClock,
                                                 config: CentreConfig, damage,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """Truncated or overwritten facts: the next FactStore moves the file aside, says so in
    the log, and rebuilds the same facts from the events."""
    build_known_day(local_queue, clock)
    now = clock.now().timestamp()
    first = FactStore(local_queue.path, config)
    first.refresh(now)
    expected = facts_of(first)
    first.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    first.close()
    path = facts_path(local_queue.path)
    damage(path)

    again = FactStore(local_queue.path, config)
    try:
        again.refresh(now)
        assert facts_of(again) == expected
    finally:
        again.close()
    aside = list(path.parent.glob(path.name + ".*.damaged"))
    assert aside, "the damaged file is kept beside the new one"
    assert any("report facts" in r.getMessage() and "damaged" in r.getMessage()
               for r in caplog.records)


def test_a_facts_file_that_cannot_be_opened_is_left_alone(local_queue: LocalQueue,
                                                         config: CentreConfig) -> None:
    """An error that is not the file's damage (here: the path is a directory) is raised as
    it is, and nothing is moved aside."""
    path = facts_path(local_queue.path)
    path.mkdir()
    with pytest.raises(OSError):
        FactStore(local_queue.path, config)
    assert path.is_dir()
    assert not list(path.parent.glob("*.damaged"))


def test_facts_damaged_while_the_server_runs_are_rebuilt(server) -> None:
    """Facts broken under a running server (pages overwritten, then another writer's commit
    makes its connections read them again): the next report is the same as before, from
    facts rebuilt from the events, and the damaged file is kept aside — no 503 until restart."""
    from tests.reports.known_day import DAY
    from tests.reports.test_routes import manager

    build_known_day(server.queue, server.clock)
    client = manager(server)
    url = f"/manager/reports.json?from={DAY}&to={DAY}&lang=en"
    before = client.get(url)
    assert before.status_code == 200
    path = facts_path(server.queue.path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with path.open("r+b") as f:                      # every page but the first
        f.seek(4096)
        f.write(b"\xa5" * (path.stat().st_size - 4096))
    other.execute("CREATE TABLE touched (x)")        # page 1 only: the others are not read
    other.close()

    after = client.get(url)
    assert after.status_code == 200, after.text
    assert after.json()["tables"] == before.json()["tables"]
    assert list(path.parent.glob(path.name + ".*.damaged")), "the damaged file is kept aside"
    assert client.get("/manager/live.json?lang=en").status_code == 200


def test_facts_damaged_tells_a_sound_file_from_a_broken_one(local_queue: LocalQueue,
                                                            config: CentreConfig) -> None:
    """A sound facts file passes (a "malformed" error then came from elsewhere: the facts are
    kept); overwritten pages or a file of garbage do not."""
    from shared.reports.facts import facts_damaged

    facts = FactStore(local_queue.path, config)
    facts.refresh()
    facts.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    facts.close()
    path = facts_path(local_queue.path)
    assert not facts_damaged(path)
    with path.open("r+b") as f:
        f.seek(4096)
        f.write(b"\xa5" * (path.stat().st_size - 4096))
    assert facts_damaged(path)
    overwrite(path)
    assert facts_damaged(path)


def test_a_retired_store_closes_when_its_last_reader_is_done(local_queue: LocalQueue,
                                                             config: CentreConfig) -> None:
    """A store replaced while a report still reads it stays open for that report, then is
    closed (its connections to the damaged file do not linger)."""
    facts = FactStore(local_queue.path, config)
    with facts.lease():
        facts.retire()
        assert facts.conn.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(sqlite3.ProgrammingError):
        facts.conn.execute("SELECT 1")


def test_damage_elsewhere_keeps_sound_facts_and_checks_them_once(
        local_queue: LocalQueue, config: CentreConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """A "malformed" error while the facts are sound (the queue file is the damaged one) keeps
    the facts in place, and a second such error within a minute does not check them again."""
    from types import SimpleNamespace

    from server.pages import manager as pages_manager

    facts = FactStore(local_queue.path, config)
    state = SimpleNamespace(report_facts=facts)
    checks: list[Path] = []
    real_check = pages_manager.facts_damaged
    monkeypatch.setattr(pages_manager, "facts_damaged",
                        lambda path: checks.append(path) or real_check(path))
    damage = sqlite3.DatabaseError("database disk image is malformed")
    try:
        assert not pages_manager._replaced_if_damaged(state, facts, damage)
        assert not pages_manager._replaced_if_damaged(state, facts, damage)
        assert state.report_facts is facts and len(checks) == 1
        assert not list(facts.path.parent.glob("*.damaged"))
    finally:
        facts.close()
