"""A kiosk prints the tickets issued for it at the help desk, through its own spooler, on a real
TCP printer: between its own tickets, once each, and again after a restart if never printed."""

from __future__ import annotations

import threading

from kiosk.print_requests import TIMER, PrintRequests
from kiosk.printing.simulator import NetworkPrinterSimulator
from kiosk.spooler import PrintSpooler
from qtcommon.runner import InlineRunner
from qtcommon.timers import ManualTimers
from shared.core.assisted import Assisted
from shared.core.errors import QueueUnavailable

JOB = "employment.job-seeker"


def follower(local_queue, config, printer, source="kiosk-2", notify=None):
    spooler = PrintSpooler(local_queue, config, printer.url, source=source, retry_seconds=0.1,
                           notify=notify)
    timers = ManualTimers()
    return PrintRequests(local_queue, spooler.start(), timers, InlineRunner(), source), timers


def test_requests_print_once_each_and_leave_the_queue(local_queue, config):
    """Two requests for kiosk-2 print once each (polled again and again), and report printed."""
    printer = NetworkPrinterSimulator("ready")
    requests, timers = follower(local_queue, config, printer)
    try:
        first = local_queue.issue(JOB, assisted=Assisted("nigar", print_at="kiosk-2"))
        local_queue.issue(JOB, assisted=Assisted("nigar", print_at="kiosk-1"))   # another kiosk's
        requests.start()
        second = local_queue.issue(JOB, assisted=Assisted("nigar", print_at="kiosk-2"))
        timers.fire(TIMER)
        printer.wait_for_jobs(2)
        for _ in range(3):
            timers.fire(TIMER)                     # asked again: nothing printed twice
        assert printer.job_count == 2
        requests.spooler.stop()
        assert local_queue.print_requests("kiosk-2") == []
        printed = {e.ticket_id for e in local_queue.events() if e.kind == "printed"}
        assert printed == {first.id, second.id}
        assert [t.source for t in local_queue.print_requests("kiosk-1")] == ["assist"]
        timers.fire(TIMER)
        assert requests.submitted == set()         # forgotten once printed
    finally:
        printer.close()


def test_a_request_not_printed_waits_for_the_kiosk_to_come_back(local_queue, config):
    """Out of paper, then switched off: the request stays pending and a restarted kiosk
    prints it."""
    printer = NetworkPrinterSimulator("paper_out")
    failed = threading.Event()
    try:
        requests, _ = follower(local_queue, config, printer,
                               notify=lambda outcome: outcome.ok or failed.set())
        wanted = local_queue.issue(JOB, assisted=Assisted("nigar", print_at="kiosk-2"))
        requests.start()
        assert failed.wait(10)
        requests.spooler.stop()                    # the kiosk is switched off
        assert [t.id for t in local_queue.print_requests("kiosk-2")] == [wanted.id]
        printer.set_state("ready")
        again, _ = follower(local_queue, config, printer)
        again.start()
        printer.wait_for_jobs(1)
        again.spooler.stop()
        assert local_queue.print_requests("kiosk-2") == []
    finally:
        printer.close()


def test_an_unreachable_queue_is_asked_again(local_queue, config, caplog):
    """The queue away: logged once, the poll goes on; back: the request prints."""
    printer = NetworkPrinterSimulator("ready")
    requests, timers = follower(local_queue, config, printer)
    real = local_queue.print_requests
    try:
        local_queue.print_requests = lambda source: (_ for _ in ()).throw(QueueUnavailable("away"))
        requests.start()
        timers.fire(TIMER)
        assert [r.message for r in caplog.records].count(
            "cannot read the print requests for kiosk-2: away") == 1
        local_queue.print_requests = real
        local_queue.issue(JOB, assisted=Assisted("nigar", print_at="kiosk-2"))
        timers.fire(TIMER)
        printer.wait_for_jobs(1)
        assert timers.active(TIMER)
    finally:
        requests.spooler.stop()
        printer.close()
