"""The wait estimate's contract (shared/waits/replay.py, issue 13): never negative; 0 only when a
counter that serves the ticket is open and free; never shorter with more people ahead; a range
only around the point. Its accuracy is measured by bench/waits.py, not here."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.waits.replay import as_printed, estimate
from shared.waits.state import CounterNow, QueueState, WaitingTicket, recent_visits
from tests.examples import examples

SERVICES = ("a", "b", "c")
NOW = 1_000_000.0
NORMAL = 1000


def counters_strategy():
    counter = st.builds(
        lambda i, services, mode, busy, elapsed, started, paused_for: CounterNow(
            str(i), tuple(sorted(services)), mode,
            visit_service=sorted(services)[0] if busy and mode != "paused" else None,
            visit_since=NOW - elapsed if busy else None,
            visit_started=NOW - elapsed / 2 if busy and started else None,
            mode_since=NOW - paused_for),
        st.integers(0, 9), st.sets(st.sampled_from(SERVICES), min_size=1),
        st.sampled_from(["open", "open", "paused", "closed"]), st.booleans(),
        st.floats(0, 3000), st.booleans(), st.floats(0, 4000))
    return st.lists(counter, min_size=1, max_size=5, unique_by=lambda c: c.id)


def waiting_strategy():
    ticket = st.tuples(st.sampled_from(SERVICES), st.sampled_from([1, 2, NORMAL, NORMAL]),
                       st.floats(0, 3600))
    return st.lists(ticket, max_size=12)


def visits_strategy():
    return st.dictionaries(st.sampled_from(SERVICES),
                           st.lists(st.floats(30, 1800), max_size=12), max_size=3)


def state_of(counters, waiting, visits, priority=()):
    tickets = sorted((WaitingTicket(i + 1, s, r, NOW - age) for i, (s, r, age) in enumerate(waiting)),
                     key=lambda t: (t.rank, t.queued_at, t.id))
    return QueueState(NOW, tickets, counters, visits, dict.fromkeys(SERVICES, 7.0),
                      recent_priority=priority)


def free_serving(counters, service):
    return any(c.mode == "open" and c.visit_service is None and service in c.services
               for c in counters)


@settings(max_examples=examples(300), deadline=None)
@given(counters_strategy(), waiting_strategy(), visits_strategy(), st.sampled_from(SERVICES),
       st.sampled_from([1, 2, NORMAL]))
def test_never_negative_and_zero_only_with_a_free_serving_counter(counters, waiting, visits,
                                                                  service, rank):
    """For any queue: minutes ≥ 0, low ≤ minutes ≤ high, and 0 only if a counter that serves the
    service is open and has nobody at it."""
    w = estimate(state_of(counters, waiting, visits), service, rank)
    assert 0 <= w.low <= w.minutes <= w.high
    if w.minutes == 0:
        assert free_serving(counters, service)


@settings(max_examples=examples(150), deadline=None)
@given(counters_strategy(), visits_strategy(), st.sampled_from(SERVICES),
       st.lists(st.sampled_from([1, NORMAL]), max_size=3))
def test_more_people_ahead_never_shortens_the_wait(counters, visits, service, prio_ranks):
    """Adding one more waiting ticket ahead (same service, earlier) never lowers the estimate of
    a new regular ticket — checked from 0 to 20 people ahead."""
    priority = [(service, 1, NOW - 600)] if prio_ranks else []
    last = -1
    for n in range(21):
        waiting = [(service, NORMAL, 3600 - k) for k in range(n)]
        w = estimate(state_of(counters, waiting, visits, priority), service, NORMAL)
        assert w.minutes >= last, n
        last = w.minutes


def test_every_serving_counter_busy_is_never_no_wait():
    """Two counters both in a visit, nobody waiting: the first to finish calls — not 0."""
    counters = [CounterNow("1", ("a",), "open", "a", NOW - 60, NOW - 30),
                CounterNow("2", ("a", "b"), "open", "b", NOW - 600, NOW - 550)]
    w = estimate(state_of(counters, [], {}), "a", NORMAL)
    assert w.minutes >= 1
    free = [*counters, CounterNow("3", ("a",), "open")]
    assert estimate(state_of(free, [], {}), "a", NORMAL).minutes == 0


def test_no_counter_open_is_never_no_wait():
    """Before anyone signs in (all counters closed), nobody ahead still means a wait."""
    counters = [CounterNow("1", ("a",), "closed")]
    assert estimate(state_of(counters, [], {}), "a", NORMAL).minutes >= 1


def test_a_visit_in_progress_counts_what_it_still_needs():
    """A visit that has lasted 6 of its usual 8 minutes frees the counter sooner than one just
    begun: the wait counts the rest, not a whole visit."""
    visits = {"a": [480.0] * 10}
    late = [CounterNow("1", ("a",), "open", "a", NOW - 360)]
    early = [CounterNow("1", ("a",), "open", "a", NOW - 10)]
    assert estimate(state_of(late, [], visits), "a", NORMAL).minutes == 2
    assert estimate(state_of(early, [], visits), "a", NORMAL).minutes == 8


def test_a_wait_that_is_not_zero_prints_at_least_two_minutes():
    """The only counter is busy with a visit all but over: the wait prints as 2 minutes (whose
    ±2 covers every wait from 0 to 4), not "1 min", which misses the visits that run on."""
    visits = {"a": [480.0] * 10}
    nearly_done = [CounterNow("1", ("a",), "open", "a", NOW - 450)]
    assert estimate(state_of(nearly_done, [], visits), "a", NORMAL).minutes == 2


def test_a_small_service_draws_its_visits_from_all_services_scaled_to_its_mean():
    """Service a has no visits measured yet: the rest of its visit in progress is drawn from
    b's visits scaled to a's mean (12 min against b's 6): b's visits last ½ or 1½ of its mean,
    so a's visit, 400 s in, runs to 1½ × 720 = 1080 s — 680 s (11 min) more."""
    counters = [CounterNow("1", ("a",), "open", "a", NOW - 430, NOW - 400)]
    state = QueueState(NOW, [], counters, {}, {"a": 12.0, "b": 6.0},
                       service_s={"b": [180.0] * 5 + [540.0] * 5}, walk_ups_s=[30.0] * 10)
    assert estimate(state, "a", NORMAL).minutes == round(680 / 60)


def test_priority_visitors_likely_to_come_lengthen_a_regular_wait_only():
    """With veterans arriving every few minutes lately, a regular ticket's wait grows; a
    veteran's own does not."""
    counters = [CounterNow("1", ("a",), "open", "a", NOW - 60)]
    waiting = [("a", NORMAL, 300 - k) for k in range(3)]
    visits = {"a": [300.0] * 10}
    stream = [("a", 1, NOW - 60 * k) for k in range(1, 13)]
    calm = estimate(state_of(counters, waiting, visits), "a", NORMAL).minutes
    busy = estimate(state_of(counters, waiting, visits, stream), "a", NORMAL).minutes
    assert busy > calm
    assert (estimate(state_of(counters, waiting, visits, stream), "a", 1).minutes
            == estimate(state_of(counters, waiting, visits), "a", 1).minutes)


def test_range_is_printed_for_long_waits_only():
    """Under 10 minutes a point; from 10 on, a range on the 5-minute grid around the point."""
    assert as_printed(0) == as_printed(-5)
    assert as_printed(0).minutes == 0 and as_printed(20).minutes == 1
    short = as_printed(7 * 60, 5 * 60, 9 * 60)
    assert short.low == short.high == short.minutes == 7
    long = as_printed(13 * 60, 11 * 60, 17 * 60)
    assert (long.minutes, long.low, long.high) == (13, 10, 20)
    assert long.is_range and long.low % 5 == 0 and long.high % 5 == 0


def test_recent_visits_split_walk_up_service_and_no_show():
    """Rows of finished tickets give visit (call → end), service (start → end), walk-up and
    no-show times, newest first, at most `per_service` of each service."""
    rows = [("a", "done", 100.0, 130.0, 430.0), ("a", "no_show", 0.0, None, 120.0),
            ("b", "done", 0.0, 20.0, 200.0), ("a", "done", 0.0, 10.0, 50.0)]
    r = recent_visits(rows, per_service=2)
    assert r.visits == {"a": [330.0, 120.0], "b": [200.0]}
    assert r.service == {"a": [300.0, 40.0], "b": [180.0]}
    assert r.walk_ups == [30.0, 20.0, 10.0] and r.no_shows == [120.0]


@given(st.floats(0, 7200), st.floats(0, 1), st.floats(1, 3))
def test_a_printed_range_is_on_the_five_minute_grid_around_its_point(seconds, low_f, high_f):
    """Any spread of likely waits prints as low ≤ point ≤ high, a range on the 5-minute grid
    at most 25 minutes wide."""
    w = as_printed(seconds, seconds * low_f, seconds * high_f)
    assert 0 <= w.low <= w.minutes <= w.high
    if w.is_range:
        assert w.low % 5 == 0 and w.high % 5 == 0 and w.high - w.low <= 25
