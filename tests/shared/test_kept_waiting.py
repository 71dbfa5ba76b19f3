"""The waiting tickets kept per event (shared/waits/kept_waiting.py): the people ahead they give
are the SQL count's after any mix of issues, calls, transfers, cancels, a second writer on the
same file and a day change; an issue prints the same people ahead as the ticket's own view."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace

import pytest

from shared.core.errors import NovbeError
from shared.core.local_queue import LocalQueue
from shared.core.queue_tx import Tx
from shared.waits.kept_waiting import CATCH_UP
from shared.waits.reading import AFTER_ALL, NORMAL_RANK, ahead_rule_now, people_ahead
from tests.shared.helpers import JOB, LABOUR, LEGAL, PENSION, UNEMPLOYMENT

SERVICES = (JOB, UNEMPLOYMENT, LABOUR, PENSION, LEGAL)
PRIORITIES = (None, None, None, "veteran", "elderly")
COUNTERS = ("1", "2", "3", "4", "15", "20")


def kept_and_counted(queue: LocalQueue) -> list[tuple[str, int, int | None, int]]:
    """For every service and rank: (service, rank, the kept answer, the SQL count), in one read."""
    ranks = sorted({NORMAL_RANK, 0, *(p.rank for p in queue.config.priorities)})

    def read(tx: Tx) -> list[tuple[str, int, int | None, int]]:
        last = int(tx.value("SELECT coalesce(max(id), 0) FROM events"))
        out = []
        for service in SERVICES:
            rule = ahead_rule_now(tx, service)
            for rank in ranks:
                out.append((service, rank, queue._wait_inputs.waiting.ahead(tx, last, rule, rank),
                            people_ahead(tx, service, rank, tx.at, AFTER_ALL)))
        return out
    return queue._read(read)


def step(queue: LocalQueue, rng: random.Random) -> None:
    """One random thing a busy centre does."""
    what = rng.random()
    try:
        if what < 0.5:
            queue.issue(rng.choice(SERVICES), priority=rng.choice(PRIORITIES))
        elif what < 0.75:
            queue.call_next(rng.choice(COUNTERS), staff="aysel")
        elif what < 0.85:
            counter = rng.choice(COUNTERS)
            target = rng.choice(SERVICES)
            queue.transfer(counter, target)
        elif what < 0.95:
            waiting = queue.waiting(limit=50)
            if waiting:
                queue.cancel(rng.choice(waiting).token)
        else:
            queue.finish(rng.choice(COUNTERS))
    except NovbeError:
        pass                       # nobody waiting, no visitor at that counter: refused by name


def busy_morning(one: LocalQueue, two: LocalQueue, clock, rng: random.Random,
                 steps: int) -> Iterator[None]:
    """The counters opened, then `steps` random steps by the two queues on one file (the first
    twice as often) with the clock moving; yields after each for the caller's checks."""
    for c in COUNTERS:
        one.open_counter(c, "aysel")
    for _ in range(steps):
        step(rng.choice((one, one, two)), rng)
        clock.advance(seconds=rng.choice((0, 1, 20)))
        yield


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_ahead_is_the_sql_count_through_a_busy_morning(db_path, config, clock, seed):
    """Two queues on one file (a second writer), 150 random steps with the clock moving: after
    every step each service's people ahead from the kept tickets equal the SQL count."""
    rng = random.Random(seed)
    one, two = LocalQueue(db_path, config, clock), LocalQueue(db_path, config, clock)
    try:
        for _ in busy_morning(one, two, clock, rng, 150):
            for service, rank, kept, counted in kept_and_counted(one):
                assert kept == counted, (service, rank)
        happened = {e.kind for e in one.events(limit=5000)}
        assert {"issued", "called", "transferred", "cancelled", "no_show"} <= happened
    finally:
        one.close()
        two.close()


def test_an_issue_prints_the_people_ahead_its_ticket_shows(local_queue, clock):
    """Issued one after another, with calls between: each ticket's people ahead at issue are the
    ones its own view counts right after."""
    local_queue.open_counter("1", "aysel")
    for k in range(12):
        ticket = local_queue.issue(JOB if k % 3 else UNEMPLOYMENT,
                                   priority="veteran" if k % 5 == 4 else None)
        assert ticket.ahead == local_queue.ticket(ticket.token).ahead
        if k % 4 == 3:
            local_queue.call_next("1")
        clock.advance(seconds=5)


def test_a_new_day_and_a_long_gap_are_caught_up(db_path, config, clock):
    """More than CATCH_UP events written by another queue, then the night: the kept tickets
    are loaded again and still agree with the SQL count (everything expired: nobody ahead)."""
    quick = replace(config, waits=replace(config.waits, estimator="simple"))
    reader, writer = LocalQueue(db_path, config, clock), LocalQueue(db_path, quick, clock)
    try:
        reader.issue(JOB)
        for _ in range(CATCH_UP + 10):
            writer.issue(PENSION)
        assert all(kept == counted for *_, kept, counted in kept_and_counted(reader))
        assert reader.issue(PENSION).ahead == CATCH_UP + 10
        clock.advance(hours=24)
        assert reader.issue(JOB).ahead == 0
        assert all(kept == counted for *_, kept, counted in kept_and_counted(reader))
    finally:
        reader.close()
        writer.close()


def test_an_older_read_than_the_kept_one_is_counted_in_sql(local_queue):
    """A read whose newest event is older than the one the kept tickets stand at gets None (the
    caller counts in SQL), never an answer for another moment."""
    local_queue.issue(JOB)
    local_queue.issue(JOB)

    def read(tx: Tx) -> tuple[int | None, int | None]:
        last = int(tx.value("SELECT coalesce(max(id), 0) FROM events"))
        waiting = local_queue._wait_inputs.waiting
        rule = ahead_rule_now(tx, JOB)
        return waiting.ahead(tx, last, rule, NORMAL_RANK), waiting.ahead(tx, last - 1, rule,
                                                                         NORMAL_RANK)
    assert local_queue._read(read) == (2, None)


def test_a_clock_stepped_back_is_counted_in_sql(local_queue, clock):
    """A ticket queued after the read's instant (the clock went back): no kept answer, and the
    issue counts in SQL (the earlier ticket, queued later, is not ahead)."""
    local_queue.issue(JOB)
    clock.advance(seconds=-30)

    def read(tx: Tx) -> int | None:
        last = int(tx.value("SELECT coalesce(max(id), 0) FROM events"))
        return local_queue._wait_inputs.waiting.ahead(tx, last, ahead_rule_now(tx, JOB),
                                                      NORMAL_RANK)
    assert local_queue._read(read) is None
    assert local_queue.issue(JOB).ahead == 0


def test_profiles_kept_where_plain_and_counted_in_sql_where_a_backup_limits(local_queue):
    """At counters running 2 regular : 1 priority the kept answer is the SQL count (own kind
    only); where a backup service counts only up to a queue time, the kept tickets give no
    answer and the issue counts in SQL."""
    local_queue.issue(PENSION, priority="veteran")
    local_queue.issue(PENSION)
    for counter in ("5", "6", "20"):
        local_queue.switch_profile(counter, "two-to-one", manager=True)
    answers = kept_and_counted(local_queue)
    assert all(kept == counted for _, _, kept, counted in answers)
    assert local_queue.issue(PENSION).ahead == 1                  # the regular one only
    for counter in ("4", "5", "6", "20"):            # every counter calling pensions
        local_queue.switch_profile(counter, "pensions-first", manager=True)

    def read(tx: Tx) -> int | None:
        last = int(tx.value("SELECT coalesce(max(id), 0) FROM events"))
        return local_queue._wait_inputs.waiting.ahead(tx, last, ahead_rule_now(tx, PENSION),
                                                      NORMAL_RANK)
    assert local_queue._read(read) is None
