"""No firm wait when nobody can call (issue 18, item 5): before any counter for the service is
open, or while all are paused, the estimate says so (`no_counter_open`, with the opening time
when the centre opens later today) and ticket, phone and board say it in words, not minutes."""

from __future__ import annotations

from kiosk.render import ticket_lines
from server.pages.views import phone_view
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.shared.helpers import JOB

BEFORE_OPENING = "2026-11-23T04:02:00+00:00"     # Monday 08:02 in Baku; the centre opens 09:00


def test_before_opening_the_ticket_says_when_service_starts(tmp_path, config):
    """08:02, no counter open: the ticket and the phone say "Service starts at 09:00" in the
    visitor's language, never "nobody ahead — about 5 minutes" (was)."""
    q = LocalQueue(tmp_path / "q.sqlite", config, FakeClock(BEFORE_OPENING))
    try:
        t = q.issue(JOB, language="en")
        assert (t.no_counter_open, t.opens_at) == (True, "09:00")
        assert ticket_lines(t, config)["wait"] == "Waiting time: Service starts at 09:00"
        phone = phone_view(q.status(t.token), config, "en")
        assert phone["headline"] == "Service starts at 09:00"
        assert phone["wait_text"] == "Service starts at 09:00" and "minute" not in str(phone)
        az = q.issue(JOB, language="az")
        assert ticket_lines(az, config)["wait"].endswith("Xidmətin başlama vaxtı: 09:00")
        ru = phone_view(q.status(q.issue(JOB, language="ru").token), config, "ru")
        assert ru["headline"] == "Приём начинается в 09:00"
    finally:
        q.close()


def test_counters_open_then_all_paused(local_queue, config):
    """10:00 with a counter open: minutes again; every counter of the service paused: "No counter
    is open yet", no opening time (the centre is open)."""
    local_queue.open_counter("1", "aysel")
    local_queue.issue(JOB)
    local_queue.call_next("1")                        # counter 1 is busy with A-001
    t = local_queue.issue(JOB, language="en")
    minutes = phone_view(local_queue.status(t.token), config, "en")["wait_text"]
    assert not t.no_counter_open and "minute" in minutes
    local_queue.pause_counter("1")
    paused = local_queue.status(t.token)
    assert (paused.no_counter_open, paused.opens_at) == (True, None)
    view = phone_view(paused, config, "en")
    assert view["headline"] == view["wait_text"] == "No counter is open yet"


def test_the_board_says_not_open_for_a_category_nobody_can_call(local_queue, config):
    """The board's per-category line: "not open yet" where no counter of it is open (was
    "~13 min"), minutes where one is; JSON for remote boards carries the same."""
    local_queue.open_counter("4", "rauf")            # pensions (B) open, employment (A) not
    local_queue.issue(JOB)
    local_queue.issue("pensions.age")
    cats = {c.id: c for c in local_queue.snapshot().categories}
    employment, pensions = cats["employment"], cats["pensions"]
    assert (employment.no_counter_open, employment.opens_at) == (True, None)
    assert not pensions.no_counter_open
    data = local_queue.snapshot().to_json()
    assert next(c for c in data["categories"] if c["id"] == "employment")["no_counter_open"]


def test_a_zone_board_knows_open_counters_from_the_hall_without_asking_per_service(tmp_path):
    """A zone's board reads "open" for a service a counter of another zone calls, and works it
    out from the hall's counters: no read of the open counters per service."""
    from shared.core.snapshot import read_snapshot
    from tests.shared.helpers import config_variant

    cfg = config_variant(zones={"20": "hall2"})     # counter 20 serves A, H, B and K
    q = LocalQueue(tmp_path / "q.sqlite", cfg, FakeClock("2026-11-23T06:00:00+00:00"))
    try:
        q.open_counter("1", "aysel")                  # main hall, serves the job-seekers
        q.issue(JOB)
        statements: list[str] = []

        def traced(tx):
            tx.conn.set_trace_callback(statements.append)
            try:
                return read_snapshot(tx, "hall2")
            finally:
                tx.conn.set_trace_callback(None)

        snap = q._read(traced)
        job = next(s for s in snap.services if s.id == JOB)
        assert not job.no_counter_open
        assert all(not s.no_counter_open for s in snap.services
                   if any(c.id == "1" for c in cfg.counters_serving(s.id)))
        assert next(s for s in snap.services if s.id == "pensions.age").no_counter_open
        counter_reads = [s for s in statements if "FROM counters" in s]
        assert not [s for s in counter_reads if "state = 'open'" in s], counter_reads
        assert len(counter_reads) <= 2, counter_reads   # the hall's, the replay's own
    finally:
        q.close()
