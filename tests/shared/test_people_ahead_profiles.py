""""People ahead" follows the counters' work profiles now: a backup service's tickets count only
once they are past their backup limit, a quota counts only the visitor's own kind, a counter's
profile reaching beyond its services is counted, and a switch changes the count at once —
on the ticket and the phone page (status), over a real queue file on a fake clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from server.events.streams import concerns
from shared.config.centre import config_document, load_config, parse_config
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.core.model import Event

MONDAY_NOON = datetime(2026, 3, 2, 12, 0)
PENSION, INSURANCE = "pensions.age", "insurance.record"
MINE = (PENSION, INSURANCE)


def _config(counters: list[dict[str, Any]], estimator: str = "replay"):  # type: ignore[no-untyped-def]
    """The shipped config with the counters serving pensions or insurance replaced by
    `counters` (ids 31…) and the given estimator."""
    doc = config_document(load_config())
    rest = sorted({s for c in doc["counter"] if set(c["services"]) & set(MINE)
                   for s in c["services"]} - set(MINE) - _served_elsewhere(doc))
    doc["counter"] = [c for c in doc["counter"] if not set(c["services"]) & set(MINE)] + [
        {"id": "30", "services": rest, "zone": "main"}] + [
        {"id": str(31 + k), "services": list(MINE), "zone": "main", **c}
        for k, c in enumerate(counters)]
    doc["waits"]["estimator"] = estimator
    return parse_config(doc, "test.toml")


def _served_elsewhere(doc: dict[str, Any]) -> set[str]:
    return {s for c in doc["counter"] if not set(c["services"]) & set(MINE)
            for s in c["services"]}


@pytest.fixture
def make_queue(tmp_path: Path):  # type: ignore[no-untyped-def]
    made: list[LocalQueue] = []

    def make(counters: list[dict[str, Any]], estimator: str = "replay"):  # type: ignore[no-untyped-def]
        config = _config(counters, estimator)
        clock = FakeClock(MONDAY_NOON.replace(tzinfo=config.tz))
        q = LocalQueue(tmp_path / f"q{len(made)}.sqlite", config, clock)
        made.append(q)
        return q, clock
    yield make
    for q in made:
        q.close()


def test_backup_tickets_count_only_past_their_limit(make_queue) -> None:
    """Both counters run pensions-first (insurance backup after 1.5 × 10 min): a pension
    visitor behind three insurance tickets has none of them ahead, until they have waited
    15 minutes — then every counter calls them first, and they count."""
    q, clock = make_queue([{"profile": "pensions-first"}, {"profile": "pensions-first"}])
    for _ in range(3):
        q.issue(INSURANCE)
    clock.advance(minutes=1)
    pension = q.issue(PENSION)
    assert pension.ahead == 0
    clock.advance(minutes=13)
    assert q.status(pension.token).ahead == 0                   # insurance waited 14 min
    clock.advance(minutes=1)
    assert q.status(pension.token).ahead == 3                   # 15 min: past the limit


def test_an_insurance_visitor_counts_the_pensions_every_counter_calls_first(make_queue) -> None:
    """Behind pension tickets, an insurance visitor (backup at every counter) has them ahead,
    as the call order calls them first; their own kind's earlier tickets count too."""
    q, clock = make_queue([{"profile": "pensions-first"}, {"profile": "pensions-first"}])
    q.issue(INSURANCE)
    clock.advance(minutes=1)
    q.issue(PENSION)
    q.issue(PENSION)
    clock.advance(minutes=1)
    later_pension = q.issue(PENSION)
    insurance = q.issue(INSURANCE)
    assert insurance.ahead == 4             # the first insurance ticket and three pensions
    assert later_pension.ahead == 2         # two earlier pensions; the insurance one is backup


def test_one_counter_serving_alike_keeps_the_other_services_out(make_queue) -> None:
    """One counter runs pensions-first, the other serves both alike: an insurance ticket issued
    earlier may be called first by the second counter but not surely by the first, so a
    pension visitor behind it does not count it; with both alike, they do (the old rule)."""
    q, clock = make_queue([{"profile": "pensions-first"}, {}])
    q.issue(INSURANCE)
    clock.advance(minutes=1)
    assert q.issue(PENSION).ahead == 0
    q.switch_profile("31", "", manager=True)
    clock.advance(minutes=1)
    assert q.issue(PENSION).ahead == 2      # both counters alike: insurance and the pension


def test_a_quota_counts_only_the_visitors_own_kind(make_queue) -> None:
    """At counters taking 2 regular : 1 priority, a regular visitor behind priority visitors
    may be called before them: only the earlier regular visitors count."""
    q, clock = make_queue([{"profile": "two-to-one"}, {"profile": "two-to-one"}])
    priority = q.config.priorities[0].id
    q.issue(PENSION)
    q.issue(PENSION, priority=priority)
    q.issue(PENSION, priority=priority)
    clock.advance(minutes=1)
    assert q.issue(PENSION).ahead == 1
    assert q.issue(PENSION, priority=priority).ahead == 2       # priority: its own kind
    q.switch_profile("31", "", manager=True)
    q.switch_profile("32", "", manager=True)
    assert q.issue(PENSION).ahead == 5      # priority first again: everyone earlier counts


def test_a_profile_reaching_beyond_a_counters_services_is_counted(make_queue) -> None:
    """A counter configured for pensions only whose profile is lunch cover (every service
    primary) calls insurance too: an insurance visitor's people ahead are what both counters
    call first (the earlier pension, primary at both, and the earlier insurance ticket); once
    it calls pensions only, insurance is counter 32's alone and counts by its rules."""
    q, clock = make_queue([{"services": [PENSION], "profile": "lunch-cover"},
                           {"profile": "pensions-first"}])
    q.issue(PENSION)
    q.issue(INSURANCE)
    clock.advance(minutes=1)
    assert q.issue(INSURANCE).ahead == 2    # the pension is primary at both: it counts too
    q.switch_profile("31", "", manager=True)             # pensions only: insurance at 32 alone
    assert q.issue(INSURANCE).ahead == 3


def test_a_profile_change_concerns_every_waiting_phone(make_queue) -> None:
    """A phone page follows a profile switch (its count may change) and the events of any
    service that may count for it under some profile."""
    q, _clock = make_queue([{"profile": "pensions-first"}, {}])
    ticket = q.issue(PENSION)
    config = q.config
    switched = Event(1, ticket.issued_at, "profile_changed", counter="31")
    other = Event(2, ticket.issued_at, "issued", 99, "X-001", "benefits.child")
    insurance = Event(3, ticket.issued_at, "issued", 98, "H-001", INSURANCE)
    assert concerns(switched, ticket, config)
    assert concerns(insurance, ticket, config)
    assert concerns(other, ticket, config)          # help-others reaches every service


def test_the_simple_estimate_reads_the_same_count(make_queue) -> None:
    """With the simple estimator the board's wait for a new pension visitor follows the same
    count: three fresh insurance tickets lengthen it only once the counters serve both alike."""
    q, clock = make_queue([{"profile": "pensions-first"}, {"profile": "pensions-first"}],
                          estimator="simple")
    q.open_counter("31", "rauf")
    for _ in range(3):
        q.issue(INSURANCE)
    clock.advance(minutes=1)
    board = {s.id: s for s in q.snapshot().services}
    assert board[PENSION].estimated_wait_min == 0 and not board[PENSION].no_counter_open
    q.switch_profile("31", "", manager=True)
    q.switch_profile("32", "", manager=True)
    board = {s.id: s for s in q.snapshot().services}
    assert board[PENSION].estimated_wait_min > 0
    assert q.issue(PENSION).ahead == 3
