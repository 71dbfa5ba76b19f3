"""The board's hall kept per event (shared/core/snapshot.HallCache): brought up to date after
tickets issued instead of read again, it is the hall a full read gives, through any mix of
issues, calls, transfers, cancels, a second writer and zones; and the read after an issue runs
the same statements whatever the queue's length."""

from __future__ import annotations

import random

import pytest

from shared.core.local_queue import LocalQueue
from shared.core.queue_tx import Tx
from shared.core.snapshot import read_hall
from tests.shared.helpers import JOB, LABOUR
from tests.shared.test_kept_waiting import busy_morning


def kept_and_read(queue: LocalQueue, zone: str | None) -> tuple[object, object, object]:
    """In one read: the queue's kept hall, a hall read whole in SQL, and the waiting tickets'
    load kept per event next to the SQL count grouped by service."""
    def read(tx: Tx) -> tuple[object, object, object]:
        kept = queue._halls.hall(tx, zone, 30, queue._wait_inputs.waiting)
        whole = read_hall(tx, kept.last_id, zone, 30)
        return kept, whole, queue._wait_inputs.waiting.load(tx, kept.last_id)
    return queue._read(read)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_kept_hall_is_the_hall_read_whole_through_a_busy_morning(db_path, config, clock,
                                                                      seed):
    """Two queues on one file, 120 random steps (issues half of them) with the clock moving:
    after each, the kept hall of the whole hall and of a zone equals one read whole in SQL."""
    rng = random.Random(seed)
    one, two = LocalQueue(db_path, config, clock), LocalQueue(db_path, config, clock)
    zone = next(c.zone for c in config.counters if c.zone)
    try:
        for _ in busy_morning(one, two, clock, rng, 120):
            for z in (None, zone):
                kept, whole, load = kept_and_read(one, z)
                assert kept == whole, z
                assert load == whole.waiting       # type: ignore[attr-defined]
    finally:
        one.close()
        two.close()


def statements_of_a_read_after_an_issue(queue: LocalQueue) -> list[str]:
    """The SQL statements of the board's read right after one more ticket is issued."""
    queue.issue(JOB)
    seen: list[str] = []
    conn = queue._reader().conn
    conn.set_trace_callback(seen.append)
    try:
        queue.snapshot()
    finally:
        conn.set_trace_callback(None)
    return seen


def test_the_read_after_an_issue_does_not_grow_with_the_queue(local_queue):
    """With 5 and with 120 waiting, the board's read after an issue runs the same statements,
    none of them counting the waiting tickets, and shows the new ticket among them."""
    q = local_queue
    q.open_counter("1", "aysel")
    for _ in range(5):
        q.issue(LABOUR)
    q.snapshot()
    short = statements_of_a_read_after_an_issue(q)
    for _ in range(115):
        q.issue(LABOUR)
    q.snapshot()
    long = statements_of_a_read_after_an_issue(q)
    assert len(short) == len(long)
    assert not [s for s in long if "GROUP BY" in s or "count(" in s]
    by_service = {s.id: s.waiting for s in q.snapshot().services}
    assert by_service[LABOUR] == 120 and by_service[JOB] == 2
