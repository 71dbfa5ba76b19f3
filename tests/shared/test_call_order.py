"""The call order as one pure function (shared/core/call_order.py): properties over generated
queues, profiles and call histories (hypothesis), and the rule's named cases."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.call_order import (
    BACKUP,
    PRIMARY,
    PRIORITY_TURN,
    REGULAR_TURN,
    CallRules,
    Candidate,
    Fairness,
    choose,
    every_service_primary,
    quota_turn,
)
from shared.core.fairness import NORMAL_RANK, joins_priority_at
from tests.examples import examples

SERVICES = ("a", "b", "c", "d")
NOW = 100_000.0

candidate = st.builds(
    Candidate,
    id=st.integers(1, 10_000),
    service=st.sampled_from(SERVICES),
    rank=st.sampled_from((1, 2, 3, NORMAL_RANK)),
    queued_at=st.floats(NOW - 7200, NOW),
    slot_at=st.one_of(st.none(), st.floats(NOW - 1800, NOW + 1800)),
)
queues = st.lists(candidate, max_size=25, unique_by=lambda c: c.id)
rules = st.builds(
    CallRules,
    levels=st.dictionaries(st.sampled_from(SERVICES), st.sampled_from((PRIMARY, BACKUP))),
    backup_after=st.sampled_from((0.5, 1.0, 2.0)),
    quota=st.one_of(st.none(), st.tuples(st.integers(1, 4), st.integers(1, 3))),
    at_slot=st.booleans(),
    target_min=st.just({"a": 5.0, "b": 10.0, "c": 20.0, "d": 10.0}),
)
fairness = st.builds(Fairness, multiple=st.sampled_from((0.0, 1.0, 2.0)),
                     target_min=st.just({"a": 5.0, "b": 10.0, "c": 20.0, "d": 10.0}))
turns = st.lists(st.sampled_from((PRIORITY_TURN, REGULAR_TURN)), max_size=8)


@settings(max_examples=examples(150), deadline=None)
@given(queues, rules, turns, fairness)
def test_never_calls_a_service_the_profile_excludes(queue, r, recent, fair):
    """Whatever waits, the ticket called is of a service the profile serves."""
    choice = choose(queue, r, recent, NOW, fair)
    assert choice is None or choice.ticket.service in r.levels


@settings(max_examples=examples(150), deadline=None)
@given(queues, rules, turns, fairness)
def test_never_leaves_a_callable_ticket_waiting_while_calling_nobody(queue, r, recent, fair):
    """Nobody is called only when no waiting ticket is of a served service."""
    choice = choose(queue, r, recent, NOW, fair)
    assert (choice is None) == (not any(c.service in r.levels for c in queue))


@settings(max_examples=examples(150), deadline=None)
@given(queues, rules, turns, fairness, st.randoms(use_true_random=False))
def test_same_inputs_give_the_same_ticket(queue, r, recent, fair, rnd):
    """The choice depends on the inputs only, not on the order the candidates come in."""
    first = choose(queue, r, recent, NOW, fair)
    shuffled = list(queue)
    rnd.shuffle(shuffled)
    again = choose(shuffled, r, recent, NOW, fair)
    assert first == again


@settings(max_examples=examples(200), deadline=None)
@given(st.tuples(st.integers(1, 4), st.integers(1, 3)),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=40))
def test_the_quota_holds_over_any_sequence_of_calls(quota, arrivals):
    """Over any run of calls, every N+M calls in a row made while both kinds waited hold
    exactly M priority ones, once the counter has made N+M-1 of them."""
    n, m = quota
    r = CallRules(levels={"a": PRIMARY}, quota=quota)
    waiting: list[Candidate] = []
    recent: list[str] = []
    contested: list[str] = []
    next_id = 1
    for step, (regulars, priorities) in enumerate(arrivals):
        for rank, count in ((NORMAL_RANK, regulars), (1, priorities)):
            for _ in range(count):
                waiting.append(Candidate(next_id, "a", rank, NOW + step))
                next_id += 1
        choice = choose(waiting, r, recent, NOW + step)
        if choice is None:
            continue
        waiting.remove(choice.ticket)
        if choice.turn is not None:
            recent.append(choice.turn)
            contested.append(choice.turn)
            assert choice.turn == (PRIORITY_TURN if choice.ticket.is_priority else REGULAR_TURN)
    for i in range(n + m - 1, len(contested) - (n + m) + 1):
        window = contested[i:i + n + m]
        assert window.count(PRIORITY_TURN) == m, (quota, contested)


def test_two_regular_to_one_priority_alternates_as_configured():
    """2:1 while both wait: priority, regular, regular, priority, regular, regular …"""
    made = []
    for _ in range(6):
        made.append(quota_turn((2, 1), made))
    assert made == [PRIORITY_TURN, REGULAR_TURN, REGULAR_TURN] * 2


@settings(max_examples=examples(150), deadline=None)
@given(queues, turns, st.sampled_from((1.0, 2.0)))
def test_the_fairness_rule_still_applies(queue, recent, multiple):
    """With priority first, a priority ticket is called only when no regular ticket of the pool
    reached its limit before that priority ticket came."""
    walk_ins = [Candidate(c.id, c.service, c.rank, c.queued_at) for c in queue]
    targets = {"a": 5.0, "b": 10.0, "c": 20.0, "d": 10.0}
    fair = Fairness(multiple, targets)
    choice = choose(walk_ins, every_service_primary(SERVICES), recent, NOW, fair)
    if choice is None or not choice.ticket.is_priority:
        return
    for c in walk_ins:
        if not c.is_priority:
            assert joins_priority_at(c.queued_at, targets[c.service], multiple) >= \
                choice.ticket.queued_at


@settings(max_examples=examples(150), deadline=None)
@given(queues, turns)
def test_with_no_profile_the_order_is_as_before_profiles(queue, recent):
    """The implicit profile calls the best priority class, then the earliest ticket."""
    walk_ins = [Candidate(c.id, c.service, c.rank, c.queued_at) for c in queue]
    choice = choose(walk_ins, every_service_primary(SERVICES), recent, NOW)
    expected = min(walk_ins, key=lambda c: (c.rank, c.queued_at, c.id), default=None)
    assert (choice.ticket if choice else None) == expected


def test_backup_waits_for_no_primary_or_its_limit():
    """A backup ticket goes only when no primary waits, or once it waited backup_after × its
    target; then it is called before a newer primary ticket."""
    r = CallRules(levels={"a": PRIMARY, "b": BACKUP}, backup_after=1.5,
                  target_min={"a": 10.0, "b": 10.0})
    primary = Candidate(2, "a", NORMAL_RANK, NOW - 60)
    backup_young = Candidate(1, "b", NORMAL_RANK, NOW - 600)
    backup_old = Candidate(3, "b", NORMAL_RANK, NOW - 900)
    assert choose([primary, backup_young], r, [], NOW).ticket == primary
    assert choose([backup_young], r, [], NOW).level == BACKUP
    found = choose([primary, backup_young, backup_old], r, [], NOW)
    assert found.ticket == backup_old and found.level == PRIMARY


def test_booked_visitors_at_their_slot_or_by_arrival():
    """At slot: a due booking goes before walk-ins of its class, earliest slot first; one not
    yet due waits unless nobody else is callable. By arrival: bookings are walk-ins."""
    walk_in = Candidate(1, "a", NORMAL_RANK, NOW - 1200)
    due_late = Candidate(2, "a", NORMAL_RANK, NOW - 60, slot_at=NOW - 30)
    due_early = Candidate(3, "a", NORMAL_RANK, NOW - 30, slot_at=NOW - 300)
    not_due = Candidate(4, "a", NORMAL_RANK, NOW - 3000, slot_at=NOW + 600)
    priority = Candidate(5, "a", 1, NOW - 10)
    at_slot = CallRules(levels={"a": PRIMARY})
    assert choose([walk_in, due_late, due_early, not_due], at_slot, [], NOW).ticket == due_early
    assert choose([walk_in, due_early, priority], at_slot, [], NOW).ticket == priority
    assert choose([walk_in, not_due], at_slot, [], NOW).ticket == walk_in
    assert choose([not_due], at_slot, [], NOW).ticket == not_due
    by_arrival = CallRules(levels={"a": PRIMARY}, at_slot=False)
    assert choose([walk_in, due_early, not_due], by_arrival, [], NOW).ticket == not_due


def test_the_queue_fetch_finds_the_choice_of_the_whole_queue(tmp_path):
    """call_next reads only a few candidates through the indexes; over random queues and
    profiles it calls the ticket the call order picks from every waiting ticket."""
    from datetime import datetime

    from shared.config.centre import load_config
    from shared.core import counter_profiles
    from shared.core.call_order import Candidate as C
    from shared.core.clock import FakeClock
    from shared.core.errors import NoTicketWaiting
    from shared.core.local_queue import LocalQueue

    config = load_config()
    clock = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=config.tz))
    q = LocalQueue(tmp_path / "q.sqlite", config, clock)
    rnd = random.Random(7)
    services = config.counter("6").services + ("benefits.child",)
    q.open_counter("6", "aysel")
    for round_ in range(40):
        for _ in range(rnd.randint(0, 4)):
            q.issue(rnd.choice(services), rnd.choice((None, None, "veteran", "elderly")))
            clock.advance(seconds=rnd.randint(5, 120))
        profile = rnd.choice(("", "pensions-first", "two-to-one", "lunch-cover"))
        if round_ % 5 == 0:
            q.switch_profile("6", profile, "manager", manager=True)
        with q._tx() as tx:
            now = counter_profiles.profile_now(tx, "6")
            r = counter_profiles.call_rules(config, "6", now.profile)
            row = tx.one("SELECT turns, applied FROM counter_profiles WHERE counter = '6'")
            recent = row["turns"].split(",") if row and row["turns"] and \
                row["applied"] == now.profile else []
            whole = [C(t["id"], t["service"], t["priority_rank"], t["queued_at"]) for t in
                     tx.rows("SELECT * FROM tickets WHERE status = 'waiting'")]
            expected = choose(whole, r, recent, tx.at, counter_profiles.fairness_of(config))
        try:
            called = q.call_next("6")
        except NoTicketWaiting:
            assert expected is None
            continue
        assert expected is not None and called.id == expected.ticket.id
    q.close()
