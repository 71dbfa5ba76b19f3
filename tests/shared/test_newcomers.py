"""Every service's newcomer wait from one replay (shared/waits/newcomers.py) is the wait the
replay gives for that service alone; tickets arrived since add their share of work to it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.waits.newcomers import Newcomers
from shared.waits.replay import counted_on, opening, wait_spread
from shared.waits.state import CounterNow
from tests.examples import examples
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


@settings(max_examples=examples(200), deadline=None)
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


@settings(max_examples=examples(200), deadline=None)
@given(counters_strategy(), waiting_strategy(), visits_strategy(), priority_strategy,
       st.lists(st.sampled_from(SERVICES), min_size=1, max_size=6), st.booleans())
def test_arrivals_since_never_shorten_a_wait_and_touch_only_their_counters(
        counters, waiting, visits, priority, arrivals, quick):
    """Tickets arrived since the replay (Newcomers.arrived) make no newcomer's wait shorter,
    and leave the waits of services no counter of theirs serves (of those counted on, or with
    none, of those expected to open) as the replay gave them."""
    state = state_of(counters, waiting, visits, priority)
    newcomers = Newcomers(state)
    before = {s: newcomers.spread(s, quick)[0] for s in SERVICES}
    for service in arrivals:
        newcomers.arrived(service)
    for asked in SERVICES:
        after = newcomers.spread(asked, quick)[0]
        assert after >= before[asked], asked
        counted = [c for _, c in counted_on(state)]     # or, with none, those to open
        if not any(asked in c.services for c in counted):
            counted = [c for _, c in counted_on(opening(state))]
        shared = any(asked in c.services and set(arrivals) & set(c.services) for c in counted)
        if not shared:
            assert after == before[asked], asked


def test_an_arrival_adds_its_visit_shared_between_the_counters_serving_it():
    """Two counters serve "a" (the second also "b"): an "a" ticket's visit is shared between
    them, so a newcomer of "a" (either counter) and one of "b" (the second, which takes half
    of that work) each wait half a visit more; "c", which no counter serves, nothing."""
    both = [CounterNow("1", ("a",), "open"), CounterNow("2", ("a", "b"), "open")]
    state = state_of(both, [("a", NORMAL, 60), ("a", NORMAL, 50), ("b", NORMAL, 40)], {})
    newcomers = Newcomers(state)
    newcomers.arrived("a")
    mean = newcomers.times.mean("a")
    assert newcomers.extra_s("a") == pytest.approx(mean / 2)
    assert newcomers.extra_s("b") == pytest.approx(mean / 2)
    assert newcomers.extra_s("c") == 0.0


@settings(max_examples=examples(60), deadline=None)
@given(counters_strategy(), waiting_strategy(), visits_strategy(), priority_strategy,
       st.lists(st.sampled_from(SERVICES), max_size=3))
def test_with_the_fairness_rule_each_service_is_replayed_on_its_own(counters, waiting, visits,
                                                                    priority, arrivals):
    """With the fairness rule on, every newcomer wait is the replay's for that service; the
    arrivals since add to it as without the rule."""
    state = replace(state_of(counters, waiting, visits, priority), fairness_multiple=1.5,
                    target_min={"a": 5.0, "b": 20.0, "c": 10.0})
    newcomers = Newcomers(state)
    for asked in SERVICES:
        assert newcomers.spread(asked) == wait_spread(state, asked, NORMAL)
    for service in arrivals:
        newcomers.arrived(service)
    for asked in SERVICES:
        alone = wait_spread(state, asked, NORMAL)[0]
        assert newcomers.spread(asked)[0] >= alone
