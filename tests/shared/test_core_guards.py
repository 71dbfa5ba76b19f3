"""Issue 9's defects, each as a regression test: guards inside the operation's own transaction,
history that stays true, the cap and the numbers, the day that never runs backwards."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from shared.core.clock import FakeClock
from shared.core.errors import (
    CounterChanged,
    DailyCapReached,
    DuplicateRequest,
    IllegalTransition,
    TicketNotFound,
)
from shared.core.local_queue import LocalQueue
from shared.core.model import Status
from tests.shared.helpers import JOB, LABOUR, PENSION, config_variant
from tests.shared.workers import MONDAY_10AM, console_worker, issue_with_request

CONSOLES = 3
ROUNDS = 60


def test_expect_is_checked_in_the_action_s_own_transaction(queue):
    """A no-show for the ticket the console saw is refused once another window called the next."""
    a1, a2 = queue.issue(JOB), queue.issue(JOB)
    assert queue.call_next("1").code == a1.code
    queue.call_next("1", expect=a1.code)         # another window: A-001 ends, A-002 is called
    with pytest.raises(CounterChanged):
        queue.no_show("1", expect=a1.code)       # the first window still shows A-001
    assert queue.status(a2.token).status == Status.CALLED
    assert queue.counter_state("1").ticket.code == a2.code
    for action in (queue.recall, queue.start, queue.finish):
        with pytest.raises(CounterChanged):
            action("1", expect="")
    with pytest.raises(CounterChanged):
        queue.transfer("1", PENSION, expect=a1.code)
    assert queue.no_show("1", expect=a2.code).status == Status.NO_SHOW


def test_consoles_in_three_processes_never_act_on_a_ticket_they_did_not_see(tmp_path, config):
    """3 processes press Next on one counter with the code each saw: every Next that went
    through ended exactly the visitor its console showed (the call before it in the log)."""
    db = tmp_path / "race.sqlite"
    q = LocalQueue(db, config, FakeClock(MONDAY_10AM))
    for _ in range(CONSOLES * ROUNDS):
        q.issue(JOB)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(CONSOLES)
    outs = [tmp_path / f"console-{i}.json" for i in range(CONSOLES)]
    procs = [ctx.Process(target=console_worker, args=(str(db), i, ROUNDS, barrier, str(outs[i])))
             for i in range(CONSOLES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * CONSOLES
    results = [json.loads(o.read_text()) for o in outs]
    calls = [e.code for e in q.events(0, 100_000) if e.kind == "called" and e.counter == "1"]
    before = {code: (calls[i - 1] if i else "") for i, code in enumerate(calls)}
    done = [pair for r in results for pair in r["done"]]
    assert done and len(done) == len(calls)
    assert all(before[called] == seen for seen, called in done)
    assert sum(r["refused"] for r in results) > 0 or len(done) == CONSOLES * ROUNDS
    q.close()


def test_a_retried_request_gets_its_first_ticket(queue):
    """The same request id twice gives one ticket; issued_for finds it; another service refuses."""
    first = queue.issue(JOB, source="kiosk-1", request_id="r" * 20)
    again = queue.issue(JOB, source="kiosk-1", request_id="r" * 20)
    assert again.id == first.id and again.code == first.code
    assert queue.issued_for("r" * 20).id == first.id
    with pytest.raises(DuplicateRequest):
        queue.issue(PENSION, request_id="r" * 20)
    with pytest.raises(TicketNotFound):
        queue.issued_for("s" * 20)
    assert [t.id for t in queue.waiting()] == [first.id]


def test_request_retries_from_two_processes_issue_one_ticket(tmp_path, config):
    """Two processes sending one request id at the same instant get the same single ticket."""
    db = tmp_path / "retry.sqlite"
    LocalQueue(db, config, FakeClock(MONDAY_10AM)).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    outs = [tmp_path / f"kiosk-{i}.json" for i in range(2)]
    procs = [ctx.Process(target=issue_with_request, args=(str(db), "same-request-id-0001",
                                                          barrier, str(o))) for o in outs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0]
    got = [json.loads(o.read_text()) for o in outs]
    assert got[0] == got[1]
    q = LocalQueue(db, config, FakeClock(MONDAY_10AM))
    assert len(q.waiting()) == 1
    q.close()


def test_events_keep_the_service_they_happened_in(queue):
    """After a transfer the ticket's issued and called events still name its first service."""
    t = queue.issue(JOB)
    queue.call_next("1", staff="aysel")
    queue.start("1")
    queue.transfer("1", PENSION)
    queue.call_next("4", staff="rauf")
    events = [e for e in queue.events(0) if e.ticket_id == t.id]
    assert [(e.kind, e.service, e.counter, e.staff) for e in events] == [
        ("issued", JOB, None, None),
        ("called", JOB, "1", "aysel"),
        ("started", JOB, "1", "aysel"),
        ("transferred", JOB, "1", "aysel"),
        ("called", PENSION, "4", "rauf"),
    ]
    assert all(e.code == t.code for e in events)
    assert events[3].details["to_service"] == PENSION


def test_issue_event_records_the_printed_estimate(local_queue):
    """The issued event keeps the people ahead and the wait printed on the ticket."""
    local_queue.issue(JOB)
    t = local_queue.issue(JOB)
    issued = [e for e in local_queue.events(0) if e.kind == "issued" and e.ticket_id == t.id][0]
    assert issued.details["ahead"] == t.ahead == 1
    assert issued.details["estimate_min"] == t.estimated_wait_min


def test_daily_cap_counts_the_service_a_ticket_was_issued_for(tmp_path):
    """Transfers out free no cap; transfers in take none of the target's cap."""
    config = config_variant(caps={"employment": 2})
    q = LocalQueue(tmp_path / "cap.sqlite", config, FakeClock(MONDAY_10AM))
    a = q.issue(JOB)
    q.issue(JOB)
    q.call("1", a.code)
    q.transfer("1", LABOUR)                      # A-001 leaves the job-seekers' service
    with pytest.raises(DailyCapReached):
        q.issue(JOB)                             # still two issued for it today
    q.close()
    config = config_variant(caps={"labour": 1})
    q = LocalQueue(tmp_path / "cap2.sqlite", config, FakeClock(MONDAY_10AM))
    a = q.issue(JOB)
    q.call("1", a.code)
    q.transfer("1", LABOUR)                      # arrives in labour by transfer
    assert q.issue(LABOUR).service == LABOUR     # labour's own first ticket is still issued
    q.close()


def test_call_refuses_a_ticket_of_a_service_the_counter_does_not_serve(queue):
    """Counter 1 (employment) cannot call a pension ticket by its code."""
    p = queue.issue(PENSION)
    with pytest.raises(IllegalTransition, match="does not serve"):
        queue.call("1", p.code)
    assert queue.status(p.token).status == Status.WAITING


def test_transfers_to_the_front_keep_their_transfer_order(tmp_path, config):
    """With transfer "front", tickets transferred later are called after those transferred
    earlier, whatever their issue times."""
    config = config_variant(transfer="front")
    clock = FakeClock(MONDAY_10AM)
    q = LocalQueue(tmp_path / "front.sqlite", config, clock)
    early, late = q.issue(JOB), q.issue(JOB)
    q.issue(PENSION)
    clock.advance(60)
    q.call("1", late.code)
    q.transfer("1", PENSION)                    # transferred first
    clock.advance(60)
    q.call("1", early.code)
    q.transfer("1", PENSION)                    # transferred second, though issued earlier
    assert [t.id for t in q.waiting("4")][:2] == [late.id, early.id]
    q.close()


def test_clock_stepping_back_over_the_reset_hour_keeps_the_day(tmp_path, config):
    """A clock that steps back across the reset hour neither re-runs the day change nor files
    a new ticket under the day that has ended."""
    clock = FakeClock("2026-11-23T23:30:00+00:00")     # Tuesday 03:30 in Baku: a new day
    q = LocalQueue(tmp_path / "clock.sqlite", config, clock)
    t = q.issue(JOB)
    assert t.service_day == "2026-11-24"
    clock.set("2026-11-23T22:50:00+00:00")             # 02:50 in Baku: "Monday" again
    again = q.issue(JOB)
    assert again.service_day == "2026-11-24" and again.code == "A-002"
    assert q.status(t.token).status == Status.WAITING
    assert [e.kind for e in q.events(0)].count("day_started") == 1
    assert q.snapshot().service_day == "2026-11-24"
    q.close()


def test_counter_state_has_one_source(local_queue):
    """A counter's visitor is read from the tickets: no second copy to drift."""
    columns = [r[1] for r in local_queue.db.conn.execute("PRAGMA table_info(counters)")]
    assert "ticket_id" not in columns
    assert not local_queue.db["devices"].exists()
    assert not local_queue.db["issue_requests"].exists()


def test_reads_do_not_wait_behind_a_held_write(tmp_path, config):
    """With another connection holding the write lock, reads answer and a write gives up
    within its short deadline with QueueUnavailable."""
    import sqlite3

    from shared.core.errors import QueueUnavailable

    db = tmp_path / "held.sqlite"
    q = LocalQueue(db, config, FakeClock(MONDAY_10AM), write_timeout_s=0.3)
    t = q.issue(JOB)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert q.status(t.token).ahead == 0
        assert q.snapshot().services
        with pytest.raises(QueueUnavailable, match="busy"):
            q.issue(JOB)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert q.issue(JOB).code == "A-002"
    q.close()


def test_the_old_history_is_replayed_into_event_facts(tmp_path, config):
    """Migration m004 fills code and service of past events, following transfers in order."""
    import sqlite3

    import sqlite_utils

    from shared.store import database as store

    db = tmp_path / "old.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    store.migrations.apply(sqlite_utils.Database(conn), stop_before="m004_events_keep_their_facts")
    conn.execute("INSERT INTO tickets(id, code, prefix, number, service, priority_rank, token, "
                 "status, service_day, issued_at, queued_at) VALUES (1, 'A-001', 'A', 1, ?, 1000, "
                 "'tok-old-0001', 'waiting', '2026-11-23', 0, 0)", (PENSION,))
    for kind, details in (("issued", {"code": "A-001", "service": JOB}), ("called", None),
                          ("transferred", {"from_service": JOB, "to_service": PENSION}),
                          ("called", None)):
        conn.execute("INSERT INTO events(at, kind, ticket_id, details) VALUES (0, ?, 1, ?)",
                     (kind, json.dumps(details) if details else None))
    conn.close()
    q = LocalQueue(db, config, FakeClock(MONDAY_10AM))
    assert [(e.kind, e.code, e.service) for e in q.events(0) if e.ticket_id == 1] == [
        ("issued", "A-001", JOB), ("called", "A-001", JOB), ("transferred", "A-001", JOB),
        ("called", "A-001", PENSION)]
    assert list(Path(tmp_path).glob("old.sqlite.*.bak"))        # backed up before migrating
    q.close()
