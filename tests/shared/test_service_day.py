"""The service day in Asia/Baku (UTC+4) with the reset at 03:00 local, driven by a fake clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.core.model import Status
from shared.core.service_day import day_start, service_day
from shared.waits.visit_times import MIN_DRAWN
from tests.shared.helpers import JOB, PENSION, kinds

BAKU = ZoneInfo("Asia/Baku")


def baku(text: str) -> datetime:
    """A Baku local time as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=BAKU)


def test_service_day_function_uses_local_time_and_reset_hour():
    """Before 03:00 Baku it is still yesterday's service day; UTC's date does not matter."""
    assert service_day(baku("2026-11-24T02:59:59"), BAKU, 3) == date(2026, 11, 23)
    assert service_day(baku("2026-11-24T03:00:00"), BAKU, 3) == date(2026, 11, 24)
    # 23:30 UTC on the 23rd is 03:30 on the 24th in Baku.
    assert service_day(datetime.fromisoformat("2026-11-23T23:30:00+00:00"), BAKU, 3) == date(2026, 11, 24)
    assert day_start(date(2026, 11, 24), BAKU, 3) == baku("2026-11-24T03:00:00")


def test_numbering_resets_at_the_reset_hour_not_at_midnight(local_queue, clock):
    """A-numbers run on past local midnight, restart at 03:00 Baku, and not again at UTC midnight."""
    q = local_queue
    codes = []
    for local in ("2026-11-23T23:50", "2026-11-24T00:10", "2026-11-24T02:59:59"):
        clock.set(baku(local))
        codes.append((q.issue(JOB).code, q.issue(PENSION).code))
    assert codes == [("A-001", "B-001"), ("A-002", "B-002"), ("A-003", "B-003")]
    clock.set(baku("2026-11-24T03:00"))  # = 2026-11-23T23:00 UTC
    assert clock.now().date() == date(2026, 11, 23)
    t = q.issue(JOB)
    assert (t.code, t.service_day) == ("A-001", "2026-11-24")
    clock.set(baku("2026-11-24T04:00"))  # = UTC midnight
    assert clock.now().hour == 0
    t = q.issue(JOB)
    assert (t.code, t.service_day) == ("A-002", "2026-11-24")
    assert q.issue(PENSION).code == "B-001"


def test_yesterdays_waiting_tickets_expire_with_events(local_queue, clock):
    """At the new day, what was left open expires (or ends as day_end), one event each."""
    q = local_queue
    clock.set(baku("2026-11-23T17:30"))
    waiting = q.issue(JOB)
    called = q.issue(JOB)
    serving = q.issue(PENSION)
    q.call_next("1")
    q.call_next("4")
    q.start("4")
    finished = q.issue(PENSION)
    q.call_next("5")
    q.finish("5")
    before = q.last_event_id()
    clock.set(baku("2026-11-24T09:00"))
    fresh = q.issue(JOB)
    assert fresh.code == "A-001" and fresh.ahead == 0
    assert q.status(waiting.token).status == Status.EXPIRED
    assert q.status(called.token).status == Status.EXPIRED
    s = q.status(serving.token)
    assert (s.status, s.outcome) == (Status.DONE, "day_end")
    assert q.status(finished.token).status == Status.DONE  # an ended visit is left alone
    events = q.events(before)
    started = [e for e in events if e.kind == "day_started"]
    assert len(started) == 1 and started[0].details == {"service_day": "2026-11-24", "expired": 3}
    by_ticket = {e.ticket_id: e.kind for e in events if e.ticket_id}
    assert by_ticket[waiting.id] == "expired" and by_ticket[called.id] == "expired"
    assert by_ticket[serving.id] == "finished"
    assert finished.id not in by_ticket
    assert q.counter_state("1").ticket is None and q.counter_state("4").ticket is None
    assert [t.code for t in q.waiting()] == ["A-001"]


def test_what_a_day_left_open_ends_when_that_day_ended(local_queue, clock):
    """Tickets left open end (finished_at, and `ended_at` in their event) at the end of their own
    service day, not at the next access days later; the event row itself is written then."""
    q = local_queue
    clock.set(baku("2026-11-20T17:30"))  # Friday
    waiting = q.issue(PENSION)
    serving = q.issue(JOB)
    q.call_next("1")
    q.start("1")
    before = q.last_event_id()
    clock.set(baku("2026-11-23T09:00"))  # Monday: the first access since Friday
    day_end = baku("2026-11-21T03:00")  # Friday's service day ended Saturday at the reset hour
    assert q.status(waiting.token).finished_at == day_end
    assert q.status(serving.token).finished_at == day_end
    ended = {e.ticket_id: e for e in q.events(before) if e.kind in ("expired", "finished")}
    for t in (waiting, serving):
        assert datetime.fromisoformat(ended[t.id].details["ended_at"]) == day_end
        assert ended[t.id].at == clock.now()


def test_no_expiry_at_local_midnight(local_queue, clock):
    """Tickets waiting across local midnight (before 03:00) stay waiting and keep their numbers."""
    q = local_queue
    clock.set(baku("2026-11-23T23:40"))
    t = q.issue(JOB)
    clock.set(baku("2026-11-24T00:20"))
    q.issue(PENSION)
    assert q.status(t.token).status == Status.WAITING
    assert "expired" not in kinds(q.events())
    assert q.ticket(t.code).id == t.id  # still today's A-001


def test_call_near_midnight_stays_consistent(local_queue, clock):
    """A call at 23:59:59 is recalled and finished after midnight on the same service day."""
    q = local_queue
    clock.set(baku("2026-11-23T23:59:00"))
    t = q.issue(JOB)
    clock.set(baku("2026-11-23T23:59:59"))
    assert q.call_next("1").id == t.id
    clock.set(baku("2026-11-24T00:00:01"))
    assert q.recall("1").recalls == 1
    snap = q.snapshot()
    assert snap.service_day == "2026-11-23"
    assert [c.code for c in snap.calls][:2] == [t.code, t.code]
    assert q.ticket(t.code).counter == "1"
    clock.set(baku("2026-11-24T00:05"))
    f = q.finish("1")
    assert f.status == Status.DONE and f.outcome == "served" and f.service_day == "2026-11-23"
    assert kinds(q.events(), t.id) == ["issued", "called", "recalled", "finished"]


def test_call_across_the_reset_hour(local_queue, clock):
    """A visit still open at 03:00 is closed by the day change; Next then calls only today."""
    q = local_queue
    clock.set(baku("2026-11-24T02:58"))
    old = q.issue(JOB)
    q.issue(JOB)
    clock.set(baku("2026-11-24T02:59"))
    q.call_next("1")
    clock.set(baku("2026-11-24T03:01"))
    new = q.issue(JOB)
    assert new.code == "A-001"
    assert q.call_next("1").id == new.id
    assert q.status(old.token).status == Status.EXPIRED
    holders = [c.ticket.id for c in q.snapshot().counters if c.ticket]
    assert holders == [new.id]


def test_reads_after_the_reset_hour_show_yesterday_expired(local_queue, clock):
    """Reads after 03:00, before any write, already show yesterday's waiting as expired."""
    q = local_queue
    clock.set(baku("2026-11-23T17:50"))
    t = q.issue(JOB)
    q.issue(PENSION)
    clock.set(baku("2026-11-24T08:00"))
    snap = q.snapshot()
    assert snap.service_day == "2026-11-24"
    assert sum(s.waiting for s in snap.services) == 0
    assert q.waiting() == []
    assert q.status(t.token).status == Status.EXPIRED
    assert kinds(q.events()).count("expired") == 2


def test_visits_closed_by_the_day_change_do_not_skew_the_estimate(local_queue, clock):
    """Visits left open overnight (closed as day_end hours later) are not service times."""
    q = local_queue
    clock.set(baku("2026-11-23T16:00"))
    for _ in range(MIN_DRAWN + 3):
        q.issue(JOB)
    for _ in range(MIN_DRAWN):
        q.call_next("1")
        q.start("1")
        clock.advance(240)
        q.finish("1")
    for counter in ("2", "3", "20"):  # three visits nobody finished
        q.call_next(counter)
        q.start(counter)
    clock.set(baku("2026-11-24T09:00"))
    q.open_counter("1")
    q.issue(JOB)
    t = q.issue(JOB)
    assert t.ahead == 1
    assert t.estimated_wait_min <= 4  # from the 4-minute visits, not from the night


def test_reset_hour_is_configurable(tmp_path, clock):
    """A centre with day_reset_hour = 0 starts numbering again at local midnight."""
    from shared.core.local_queue import LocalQueue
    from tests.shared.helpers import config_variant

    q = LocalQueue(tmp_path / "midnight.sqlite", config_variant(reset_hour=0), clock)
    try:
        clock.set(baku("2026-11-23T23:59:59"))
        assert q.issue(JOB).code == "A-001"
        clock.set(baku("2026-11-24T00:00:00"))
        t = q.issue(JOB)
        assert (t.code, t.service_day) == ("A-001", "2026-11-24")
    finally:
        q.close()


def test_counters_left_open_close_at_the_day_change(local_queue, clock):
    """A counter left open overnight is closed (with its event) by the next day's first write,
    so the morning's estimates do not count yesterday's counters."""
    local_queue.issue("pensions.age")
    local_queue.open_counter("5", staff="aysel")
    local_queue.call_next("4", staff="rauf")
    clock.advance(hours=24)
    local_queue.issue("pensions.age")
    assert local_queue.counter_state("4").mode == "closed"
    assert local_queue.counter_state("5").mode == "closed"
    assert local_queue.counter_state("5").staff is None
    closed = [e for e in local_queue.events() if e.kind == "counter_closed"]
    assert sorted(e.counter for e in closed) == ["4", "5"]
    assert all(e.details.get("reason") == "day_end" for e in closed)
