"""Every service's newcomer wait from one replay (shared/waits/newcomers.py) is the wait the
replay gives for that service alone, before and after tickets are issued into it."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.waits.newcomers import Newcomers
from shared.waits.replay import wait_spread
from shared.waits.state import WaitingTicket
from tests.shared.test_wait_replay import (
    NORMAL,
    NOW,
    SERVICES,
    counters_strategy,
    state_of,
    visits_strategy,
    waiting_strategy,
)

priority_strategy = st.lists(st.tuples(st.sampled_from(SERVICES), st.sampled_from([1, 2]),
                                       st.floats(NOW - 3000, NOW)), max_size=6)


@settings(max_examples=200, deadline=None)
@given(counters_strategy(), waiting_strategy(), visits_strategy(), priority_strategy,
       st.booleans())
def test_one_replay_gives_every_services_wait(counters, waiting, visits, priority, quick):
    """For any queue, the newcomer wait of each service equals replay.wait_spread's for a new
    regular ticket of that service."""
    state = state_of(counters, waiting, visits, priority)
    newcomers = Newcomers(state)
    for service in SERVICES:
        assert newcomers.spread(service, quick) == wait_spread(state, service, NORMAL,
                                                               quick=quick), service


@settings(max_examples=200, deadline=None)
@given(counters_strategy(), waiting_strategy(), visits_strategy(), priority_strategy,
       st.lists(st.sampled_from(SERVICES), min_size=1, max_size=6),
       st.lists(st.sampled_from(SERVICES), max_size=3))
def test_issued_tickets_are_taken_in_without_replaying(counters, waiting, visits, priority,
                                                       issued, asked_between):
    """Issuing regular tickets one by one (each asked about after, other services asked in
    between) gives the same waits as a replay from scratch over the queue with them."""
    state = state_of(counters, waiting, visits, priority)
    newcomers = Newcomers(state)
    tickets = list(state.waiting)
    for n, service in enumerate(issued):
        for other in asked_between:
            newcomers.spread(other)
        ticket = WaitingTicket(1000 + n, service, NORMAL, NOW)
        assert newcomers.issued(ticket)
        tickets.append(ticket)
        now = replace(state, waiting=sorted(tickets, key=lambda t: (t.rank, t.queued_at, t.id)),
                      shapes={})
        for asked in (service, *SERVICES):
            assert newcomers.spread(asked) == wait_spread(now, asked, NORMAL), (n, asked)


def test_a_priority_ticket_is_not_taken_in():
    """A priority ticket changes the order ahead of everyone: it asks for a fresh replay."""
    state = state_of([], [], {})
    assert not Newcomers(state).issued(WaitingTicket(1, "a", 1, NOW))


@settings(max_examples=60, deadline=None)
@given(counters_strategy(), waiting_strategy(), visits_strategy(), priority_strategy,
       st.lists(st.sampled_from(SERVICES), max_size=3))
def test_with_the_fairness_rule_each_service_is_replayed_on_its_own(counters, waiting, visits,
                                                                    priority, issued):
    """With the fairness rule on, every newcomer wait is still the replay's for that service,
    also after tickets are issued."""
    state = replace(state_of(counters, waiting, visits, priority), fairness_multiple=1.5,
                    target_min={"a": 5.0, "b": 20.0, "c": 10.0})
    newcomers = Newcomers(state)
    tickets = list(state.waiting)
    for n, service in enumerate(issued):
        newcomers.spread(service)
        ticket = WaitingTicket(1000 + n, service, NORMAL, NOW)
        assert newcomers.issued(ticket)
        tickets.append(ticket)
    now = replace(state, waiting=sorted(tickets, key=lambda t: (t.rank, t.queued_at, t.id)))
    for asked in SERVICES:
        assert newcomers.spread(asked) == wait_spread(now, asked, NORMAL)
