"""What travels over HTTP: tickets, events, counter states and snapshots survive JSON unchanged."""

from __future__ import annotations

import json

from shared.core.model import CounterState, Event, Snapshot, Ticket
from tests.shared.helpers import JOB, PENSION


def _roundtrip(obj):
    data = obj.to_json() if isinstance(obj, Event) else obj.to_json(include_token=True)
    return type(obj).from_json(json.loads(json.dumps(data, ensure_ascii=False)))


def test_ticket_event_counter_and_snapshot_roundtrip(local_queue, clock):
    """to_json → JSON text → from_json gives back an equal object, for every kind the API sends."""
    q = local_queue
    q.issue(JOB, priority="veteran", language="ru", source="kiosk-1")
    q.issue(PENSION)
    clock.advance(90)
    called = q.call_next("1", staff="aysel")
    q.start("1")
    clock.advance(300)
    done = q.finish("1", "referred")
    q.report_device("kiosk-1", "printer_paper_out", "no paper")
    waiting = q.waiting()[0]
    for ticket in (called, done, waiting, q.status(done.token)):
        assert isinstance(ticket, Ticket) and _roundtrip(ticket) == ticket
    for event in q.events():
        assert isinstance(event, Event) and _roundtrip(event) == event
    q.call_next("4")
    state = q.counter_state("4")
    assert isinstance(state, CounterState) and _roundtrip(state) == state
    snap = q.snapshot()
    assert isinstance(snap, Snapshot) and snap.alerts and snap.calls
    assert _roundtrip(snap) == snap


def test_ticket_json_has_the_fields_of_the_cli_and_api(local_queue):
    """A ticket's JSON has code, service, number, status, counter, token, ahead, estimate, issued_at."""
    data = local_queue.issue(JOB).to_json(include_token=True)
    assert {"code", "service", "number", "status", "counter", "token", "ahead",
            "estimated_wait_min", "issued_at"} <= set(data)
    assert data["status"] == "waiting" and data["issued_at"].endswith("+00:00")


def test_to_json_is_the_dataclass_as_json(local_queue):
    """Ticket.to_json and Event.to_json (written out by hand for speed) give exactly the
    dataclass's fields, in order, with times as ISO text — what asdict gave."""
    from dataclasses import asdict

    local_queue.issue("employment.job-seeker", priority="veteran")
    ticket = local_queue.call_next("1", staff="aysel")
    local_queue.start("1")
    ticket = local_queue.ticket(ticket.code)
    expected = asdict(ticket)
    for key in ("issued_at", "called_at", "started_at", "finished_at"):
        expected[key] = expected[key].isoformat(timespec="seconds") if expected[key] else None
    expected["status"] = str(ticket.status)
    assert ticket.to_json(include_token=True) == expected
    assert list(ticket.to_json(include_token=True)) == list(expected)
    assert "token" not in ticket.to_json()
    for event in local_queue.events():
        want = {**asdict(event), "at": event.at.isoformat(timespec="seconds")}
        assert event.to_json() == want and list(event.to_json()) == list(want)
