"""A counter console's waiting list follows the profile the counter runs: the tickets its Next
would call, in the order successive Nexts call them (checked against the real call_next), the
backups marked, the services it does not call left out — over a real queue file, fake clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from shared.config.centre import load_config, parse_config
from shared.core.call_order import BACKUP, PRIMARY
from shared.core.clock import FakeClock
from shared.core.errors import UnknownCounter
from shared.core.local_queue import LocalQueue
from tests.shared.helpers import dost_data

MONDAY_NOON = datetime(2026, 3, 2, 12, 0)
PENSION, INSURANCE, JOB = "pensions.age", "insurance.record", "employment.job-seeker"


@pytest.fixture
def queue(tmp_path: Path):  # type: ignore[no-untyped-def]
    config = load_config()
    clock = FakeClock(MONDAY_NOON.replace(tzinfo=config.tz))
    q = LocalQueue(tmp_path / "q.sqlite", config, clock)
    yield q, clock
    q.close()


def _mixed_hall(q: LocalQueue, clock: FakeClock) -> None:
    """Insurance first, then pensions regular and priority, a job seeker, spaced a minute."""
    veteran = q.config.priorities[0].id
    for service, priority in [(INSURANCE, None), (PENSION, None), (INSURANCE, veteran),
                              (PENSION, veteran), (PENSION, None), (JOB, None),
                              (INSURANCE, None), (PENSION, veteran), (PENSION, None)]:
        q.issue(service, priority=priority)
        clock.advance(minutes=1)


@pytest.mark.parametrize("profile", ["", "pensions-first", "two-to-one", "lunch-cover"])
def test_the_list_is_the_order_successive_nexts_call(queue, profile: str) -> None:
    """Whatever profile counter 6 runs, the listed order is exactly what Next after Next
    calls, and the level each is listed at is the level its call event records."""
    q, clock = queue
    _mixed_hall(q, clock)
    q.open_counter("6", "rauf")
    q.switch_profile("6", profile, manager=True)
    listed = q.counter_waiting("6", limit=20)
    called = []
    for _ in listed.calls:
        called.append(q.call_next("6").code)
    assert [c.ticket.code for c in listed.calls] == called
    events = [e for e in q.events() if e.kind == "called"]
    assert [c.level for c in listed.calls] == [e.details["level"] for e in events]
    assert q.counter_waiting("6").calls == []


def test_backups_are_marked_and_unserved_services_left_out(queue) -> None:
    """At pensions-first, insurance is listed after every pension, marked backup; the job
    seeker (a service the profile does not list) is not there and not counted."""
    q, clock = queue
    _mixed_hall(q, clock)
    q.switch_profile("6", "pensions-first", manager=True)
    listed = q.counter_waiting("6")
    levels = [(c.ticket.service, c.level) for c in listed.calls]
    assert levels == [(PENSION, PRIMARY)] * 5 + [(INSURANCE, BACKUP)] * 3
    assert listed.count == 8 and listed.priority_count == 3
    assert listed.profile == "pensions-first"
    assert all(c.ticket.service != JOB for c in listed.calls)


def test_a_backup_past_its_limit_is_listed_as_primary(queue) -> None:
    """An insurance ticket that has waited past 1.5 × its 10-minute target counts as primary:
    listed first, at the primary level, as Next would call it."""
    q, clock = queue
    old = q.issue(INSURANCE).code
    clock.advance(minutes=16)
    q.issue(PENSION)
    q.switch_profile("6", "pensions-first", manager=True)
    first = q.counter_waiting("6").calls[0]
    assert (first.ticket.code, first.level) == (old, PRIMARY)


def test_the_list_is_cut_at_the_limit_but_counts_everyone(queue) -> None:
    """Twelve listed of twenty waiting; the count, priority count and oldest cover all."""
    q, clock = queue
    first = q.issue(PENSION)
    for _ in range(19):
        clock.advance(seconds=30)
        q.issue(PENSION)
    listed = q.counter_waiting("5", limit=12)
    assert len(listed.calls) == 12 and listed.count == 20 and listed.priority_count == 0
    assert listed.oldest_issued_at == first.issued_at.timestamp()
    with pytest.raises(UnknownCounter):
        q.counter_waiting("99")


def test_list_and_next_agree_on_quota_turns_noted_under_the_default(tmp_path: Path) -> None:
    """Counter 6 runs "two-to-one" by default and has noted quota turns under it (its
    `applied` is NULL: never switched); a manager's scheduled switch to the same profile
    begins. The console's list and successive Nexts read the same turns (the list kept them
    while Next dropped them, so the two disagreed on who came first)."""
    data = dost_data()
    next(c for c in data["counter"] if c["id"] == "6")["profile"] = "two-to-one"
    config = parse_config(data, "variant.toml")
    clock = FakeClock(MONDAY_NOON.replace(tzinfo=config.tz))
    q = LocalQueue(tmp_path / "q.sqlite", config, clock)
    try:
        veteran = config.priorities[0].id
        for k in range(12):
            q.issue(PENSION, priority=veteran if k % 2 else None)
            clock.advance(minutes=1)
        q.open_counter("6", "rauf")
        q.call_next("6")
        q.call_next("6")                  # two turns noted under the default profile
        row = q._read(lambda tx: tx.one("SELECT applied, turns FROM counter_profiles "
                                        "WHERE counter = '6'"))
        assert row["applied"] is None and row["turns"]
        now = clock.now().timestamp()
        q.schedule_profile("6", "two-to-one", now, now + 3600, "manager")
        listed = q.counter_waiting("6", limit=4)
        called = [q.call_next("6").code for _ in listed.calls]
        assert [c.ticket.code for c in listed.calls] == called
    finally:
        q.close()
