"""A damaged report-facts file (a cache) is moved aside, never deleted, and the facts are rebuilt
from the queue's events: the report comes out the same, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.clock import FakeClock
from shared.config import CentreConfig
from shared.local_queue import LocalQueue
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
