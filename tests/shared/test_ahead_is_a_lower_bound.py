"""People ahead stay a true lower bound under work profiles (hypothesis): over generated halls,
profiles on counters 5, 6 and 20 (the hall's only counters) and any order in which those counters press Next as time goes
on, every ticket `shared/waits/ahead.py` counts ahead of a visitor is called before them by
the call order itself (`call_order.choose`, each counter's quota turns kept)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from shared.config.centre import config_document, load_config, parse_config
from shared.core.call_order import Candidate, choose, turns_kept
from shared.core.counter_profiles import call_rules, fairness_of
from shared.core.fairness import NORMAL_RANK
from shared.waits.ahead import ahead_rule

COUNTERS = ("5", "6", "20")


def _three_counters():  # type: ignore[no-untyped-def]
    """The shipped config with counters 5 (pensions), 6 (pensions, insurance) and 20 (every
    service) only: the counters the test presses Next at are all that may call."""
    doc = config_document(load_config())
    doc["counter"] = [c for c in doc["counter"] if c["id"] in COUNTERS]
    return parse_config(doc, "three-counters.toml")


CONFIG = _three_counters()
SERVICES = ("pensions.age", "insurance.record", "benefits.child", "employment.job-seeker")
PROFILE_IDS = ("", "pensions-first", "benefits-first", "help-others", "lunch-cover",
               "two-to-one")
NOW = 1_772_440_000.0

tickets = st.lists(st.tuples(st.sampled_from(SERVICES), st.sampled_from((1, NORMAL_RANK)),
                             st.integers(0, 2400)), min_size=2, max_size=18)


@settings(max_examples=100, deadline=None)
@example([("insurance.record", NORMAL_RANK, 120), ("pensions.age", NORMAL_RANK, 60)],
         ["pensions-first"] * 3, 1, [("6", 0)] * 60)    # a fresh backup is not ahead of primary
@example([("pensions.age", 1, 300), ("pensions.age", 1, 250),
          ("pensions.age", NORMAL_RANK, 200)], ["two-to-one"] * 3, 2, [("6", 0)] * 60)
# ...and under 2 regular : 1 priority a later priority visitor is not ahead of a regular one
@given(tickets, st.lists(st.sampled_from(PROFILE_IDS), min_size=3, max_size=3),
       st.integers(0, 17), st.lists(st.tuples(st.sampled_from(COUNTERS), st.integers(0, 120)),
                                    min_size=60, max_size=60))
def test_whoever_is_counted_ahead_is_called_first(waiting: list[tuple[str, int, int]],
                                                  profiles: list[str], pick: int,
                                                  presses: list[tuple[str, int]]) -> None:
    """Whatever the counters do next, no counted ticket is called after the visitor."""
    hall = [Candidate(i + 1, s, rank, NOW - age) for i, (s, rank, age) in enumerate(waiting)]
    me = hall[pick % len(hall)]
    running = dict(zip(COUNTERS, profiles, strict=True))
    rule = ahead_rule(CONFIG, running, me.service, me.queued_at, NOW)
    ordered_before = [c for c in hall if (c.rank, c.queued_at, c.id) < (me.rank, me.queued_at,
                                                                         me.id)]
    counted = {c.id for c in ordered_before
               if rule.counts(c.service, c.rank, c.queued_at, me.rank < NORMAL_RANK)}
    rules = {cid: call_rules(CONFIG, cid, p) for cid, p in running.items()}
    turns: dict[str, list[str]] = {cid: [] for cid in COUNTERS}
    left, now, called = list(hall), NOW, []
    for counter, pause in presses:
        now += pause
        choice = choose(left, rules[counter], turns[counter], now, fairness_of(CONFIG))
        if choice is None:
            continue
        left.remove(choice.ticket)
        called.append(choice.ticket.id)
        keep = turns_kept(rules[counter].quota)
        if choice.turn is not None and keep:
            turns[counter] = [*turns[counter], choice.turn][-keep:]
        if choice.ticket.id == me.id:
            break
    if me.id in called:
        assert counted <= set(called[:called.index(me.id)])
