"""Tickets kept through a printer fault are printed again only while the visitor still needs
them: a 20-minute paper-out in the morning must not print the tickets served, cancelled or
expired meanwhile. Real TCP printer on 127.0.0.1, real LocalQueue; waits, never sleeps."""

from __future__ import annotations

import pytest
from PIL import ImageChops

from kiosk.raster import decode
from kiosk.render import render_ticket
from kiosk.spooler import PrintSpooler
from shared.core.clock import FakeClock
from shared.core.errors import QueueUnavailable

COUNTER = "4"  # serves pensions.age in the DOST config


class WatchedQueue:
    """The real LocalQueue, counting the spooler's status questions, and a switch that cuts it
    off like a lost network would."""

    def __init__(self, queue):
        self._queue = queue
        self.config = queue.config
        self.clock = queue.clock
        self.status_calls = 0
        self.down = False

    def status(self, token):
        self.status_calls += 1
        if self.down:
            raise QueueUnavailable("the queue server cannot be reached")
        return self._queue.status(token)

    def report_device(self, *args, **kwargs):
        if self.down:
            raise QueueUnavailable("the queue server cannot be reached")
        return self._queue.report_device(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._queue, name)


@pytest.fixture
def spooler_for(config, net_printer):
    spoolers: list[PrintSpooler] = []

    def make(queue, clock=None) -> PrintSpooler:
        spooler = PrintSpooler(queue, config, net_printer.url, source="kiosk-test",
                               retry_seconds=0.2, clock=clock).start()
        spoolers.append(spooler)
        return spooler

    yield make
    for spooler in spoolers:
        spooler.stop()


def _events(queue, kind):
    return [e for e in queue.events() if e.kind == kind]


def _same_image(job: bytes, ticket, config) -> bool:
    return ImageChops.difference(decode(job, config.kiosk.paper_width).convert("L"),
                                 render_ticket(ticket, config).convert("L")).getbbox() is None


def test_served_and_cancelled_tickets_are_not_reprinted(qtbot, local_queue, config, net_printer,
                                                        spooler_for):
    """Paper out, 6 tickets; meanwhile 4 are served and 1 is cancelled; paper back → only the one
    still waiting prints, with the queue as it is now; the rest are named in printer_ok."""
    net_printer.set_state("paper_out")
    spooler = spooler_for(local_queue)
    tickets = [local_queue.issue("pensions.age", source="kiosk-test") for _ in range(6)]
    for t in tickets:
        spooler.submit(t)
    qtbot.waitUntil(lambda: len(_events(local_queue, "printer_paper_out")) == 6)
    assert spooler.faulted

    local_queue.open_counter(COUNTER, "staff")  # visitors photographed the screen and were served
    for _ in range(4):
        local_queue.call_next(COUNTER)
        local_queue.finish(COUNTER)
    local_queue.cancel(tickets[4].code)  # one gave up

    net_printer.set_state("ready")
    spooler.retry_now()
    qtbot.waitUntil(lambda: not spooler.pending())
    jobs = net_printer.wait_for_jobs(1)
    assert len(jobs) == 1 and net_printer.job_count == 1
    still_waiting = local_queue.status(tickets[5].token)
    assert still_waiting.ahead == 0 and tickets[5].ahead == 5
    assert _same_image(jobs[0], still_waiting, config)  # today's people-ahead, not the old one

    assert [(e.ticket_id, e.details["message"]) for e in _events(local_queue, "printed")] == \
        [(tickets[5].id, f"{tickets[5].code} (reprint)")]
    assert [(t.code, why) for t, why in spooler.dropped] == \
        [(t.code, "done") for t in tickets[:4]] + [(tickets[4].code, "cancelled")]
    (ok,) = _events(local_queue, "printer_ok")
    assert "5 kept ticket(s) not printed again" in ok.details["message"]
    assert all(t.code in ok.details["message"] for t in tickets[:5])
    assert not spooler.faulted


def test_yesterdays_kept_tickets_are_not_printed_the_next_morning(qtbot, local_queue, config, clock,
                                                                 net_printer, spooler_for):
    """The printer stayed off overnight: in the morning yesterday's tickets (expired) are dropped,
    and the printer, asked by itself, is reported back without printing anything."""
    net_printer.set_state("offline")
    spooler = spooler_for(local_queue)
    tickets = [local_queue.issue("pensions.age", source="kiosk-test") for _ in range(2)]
    for t in tickets:
        spooler.submit(t)
    qtbot.waitUntil(lambda: len(_events(local_queue, "printer_offline")) == 2)

    clock.advance(24 * 3600)  # Tuesday 10:00
    net_printer.set_state("ready")
    spooler.retry_now()
    qtbot.waitUntil(lambda: not spooler.pending())
    qtbot.waitUntil(lambda: not spooler.faulted)  # nothing left to print: it asked the printer
    assert net_printer.job_count == 0
    assert [(t.code, why) for t, why in spooler.dropped] == [(t.code, "expired") for t in tickets]
    assert not _events(local_queue, "printed")
    assert "2 kept ticket(s) not printed again" in _events(local_queue, "printer_ok")[0].details["message"]


def test_kept_ticket_of_another_service_day_is_not_printed(qtbot, local_queue, net_printer,
                                                          spooler_for):
    """Even if the queue still calls it waiting (a server that has not started the new day
    yet), a kept ticket from an earlier service day by the kiosk's clock is not printed."""
    kiosk_clock = FakeClock("2026-11-24T06:00:00+00:00")  # Tuesday for the kiosk, Monday for the queue
    net_printer.set_state("paper_out")
    spooler = spooler_for(local_queue, clock=kiosk_clock)
    kept = local_queue.issue("pensions.age", source="kiosk-test")
    spooler.submit(kept)
    qtbot.waitUntil(lambda: len(_events(local_queue, "printer_paper_out")) == 1)
    net_printer.set_state("ready")
    spooler.retry_now()
    qtbot.waitUntil(lambda: not spooler.pending())
    assert [(t.code, why) for t, why in spooler.dropped] == [(kept.code, "from 2026-11-23")]
    assert local_queue.status(kept.token).status == "waiting" and net_printer.job_count == 0


def test_fresh_ticket_prints_without_asking_and_a_waiting_kept_one_reprints(qtbot, local_queue, config,
                                                                           net_printer, spooler_for):
    """A ticket just issued prints without a status question; one kept through a fault is asked
    about once and, still waiting, prints by itself when the paper is back."""
    queue = WatchedQueue(local_queue)
    spooler = spooler_for(queue)
    fresh = local_queue.issue("pensions.age", source="kiosk-test")
    spooler.submit(fresh)
    qtbot.waitUntil(lambda: len(_events(local_queue, "printed")) == 1)
    assert queue.status_calls == 0

    net_printer.set_state("paper_out")
    kept = local_queue.issue("pensions.age", source="kiosk-test")
    spooler.submit(kept)
    qtbot.waitUntil(lambda: len(_events(local_queue, "printer_paper_out")) == 1)
    assert queue.status_calls == 0  # its first try was a fresh ticket's: no question

    net_printer.set_state("ready")
    spooler.retry_now()
    qtbot.waitUntil(lambda: len(_events(local_queue, "printed")) == 2)
    jobs = net_printer.wait_for_jobs(2)
    assert _same_image(jobs[1], local_queue.status(kept.token), config)
    assert queue.status_calls >= 1 and not spooler.dropped and not spooler.pending()
    assert _events(local_queue, "printed")[1].details["message"] == f"{kept.code} (reprint)"


def test_kept_ticket_waits_while_the_queue_cannot_say(qtbot, local_queue, config, net_printer,
                                                      spooler_for):
    """The printer is back but the queue is unreachable: the kept ticket is neither printed nor
    dropped; once the queue answers (still waiting), it prints."""
    queue = WatchedQueue(local_queue)
    net_printer.set_state("paper_out")
    spooler = spooler_for(queue)
    kept = local_queue.issue("pensions.age", source="kiosk-test")
    spooler.submit(kept)
    qtbot.waitUntil(lambda: len(_events(local_queue, "printer_paper_out")) == 1)

    queue.down = True
    net_printer.set_state("ready")
    spooler.retry_now()
    qtbot.waitUntil(lambda: queue.status_calls >= 2)  # asked, refused, and asked again later
    assert net_printer.job_count == 0
    assert [t.code for t in spooler.pending()] == [kept.code] and not spooler.dropped

    queue.down = False
    spooler.retry_now()
    net_printer.wait_for_jobs(1)
    qtbot.waitUntil(lambda: not spooler.pending())
    assert [e.ticket_id for e in _events(local_queue, "printed")] == [kept.id]
