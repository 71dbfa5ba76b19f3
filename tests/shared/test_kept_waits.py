"""The newcomers' replay kept between reads (shared/waits/kept.py): issuing does not replay the
queue while the kept replay is fresh, arrivals since lengthen the printed wait, a counter's
change replays at once, and on the real clock a due replay runs on the queue's worker while the
issue answers from the kept one."""

from __future__ import annotations

import threading

from shared.core.local_queue import LocalQueue
from shared.waits.kept import FRESH_S, STALE_S
from tests.shared.helpers import JOB


def count_replays(queue: LocalQueue) -> list[str]:
    """The name of the thread of each fresh replay of `queue` from now on."""
    kept = queue._wait_inputs.kept
    replay, threads = kept._replay, []

    def counted(tx):
        threads.append(threading.current_thread().name)
        return replay(tx)
    kept._replay = counted
    return threads


def busy_counter(queue: LocalQueue, clock, waiting: int = 0) -> None:
    """Counter 1 open and busy with a job-seeker, `waiting` more waiting; any replay kept so
    far out of date."""
    queue.open_counter("1", "aysel")
    queue.issue(JOB)
    queue.call_next("1")
    for _ in range(waiting):
        queue.issue(JOB)
    clock.advance(FRESH_S)


def test_issues_within_fresh_s_share_one_replay_and_print_longer_waits(local_queue, clock):
    """Behind thirty job-seekers (more than EXACT_STEPS calls away), five more issued half a second
    apart: one replay for all, each printed wait longer than the one before (the arrivals since
    are added); past FRESH_S a fresh replay."""
    busy_counter(local_queue, clock, waiting=30)
    replays = count_replays(local_queue)
    waits = []
    for _ in range(5):
        waits.append(local_queue.issue(JOB).estimated_wait_min)
        clock.advance(0.5)
    assert len(replays) == 1
    assert waits == sorted(waits) and waits[-1] > waits[0] >= 10
    clock.advance(FRESH_S)
    local_queue.issue(JOB)
    assert len(replays) == 2


def test_a_short_wait_is_replayed_for_each_arrival(local_queue, clock):
    """Three counters open, waits printed as points: each job-seeker issued at the same instant
    gets a replay of its own (no share of work stands for a counter found free)."""
    busy_counter(local_queue, clock)
    local_queue.open_counter("2", "rauf")
    local_queue.open_counter("3", "leyla")
    replays = count_replays(local_queue)
    tickets = [local_queue.issue(JOB) for _ in range(3)]
    assert len(replays) == 3
    waits = [t.estimated_wait_min for t in tickets]
    assert waits == sorted(waits) and waits[0] < 10


def test_a_counter_opening_replays_at_once(local_queue, clock):
    """A second counter opening within FRESH_S: the next issue replays (its wait shrinks)."""
    busy_counter(local_queue, clock, waiting=30)
    replays = count_replays(local_queue)
    before = local_queue.issue(JOB).estimated_wait_min
    local_queue.open_counter("2", "rauf")
    local_queue.call_next("2")
    after = local_queue.issue(JOB).estimated_wait_min
    assert len(replays) == 2 and after < before


def test_on_the_real_clock_a_due_replay_runs_on_the_worker(db_path, config, clock):
    """With the replay behind: past FRESH_S the issue answers from the kept replay and hands the
    fresh one to the queue's worker; past STALE_S (nothing kept fit) it replays itself."""
    queue = LocalQueue(db_path, config, clock, replay_behind=True)
    try:
        busy_counter(queue, clock, waiting=30)
        queue.issue(JOB)
        assert queue._behind is not None
        queue._behind.settle()
        replays = count_replays(queue)
        clock.advance(FRESH_S + 1)
        queue.issue(JOB)
        queue._behind.settle()
        assert replays == ["novbe-waits_0"]
        kept = queue._wait_inputs.kept._kept
        assert kept is not None and kept.at == queue._new_tx(queue.db.conn).at
        clock.advance(STALE_S + 1)
        queue.issue(JOB)
        assert replays[-1] == threading.current_thread().name
    finally:
        queue.close()
