"""Printing to a real TCP socket playing a network printer: bytes decoded back to the ticket
pixel for pixel, and every status the printer can answer (ready, paper out, offline, silent)."""

from __future__ import annotations

import pytest
from PIL import ImageChops

from kiosk.printing import (
    PaperOut,
    PrinterOffline,
    PrinterTimeout,
    PrinterUnavailable,
    open_printer,
)
from kiosk.printing.simulator import NetworkPrinterSimulator as NetworkPrinter
from kiosk.printing.simulator import closed_port_url
from kiosk.raster import decode
from kiosk.render import render_ticket
from kiosk.spooler import PrintSpooler, print_now


def same_pixels(a, b) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


@pytest.mark.parametrize("width", [384, 512, 576])
@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_bytes_received_by_the_printer_decode_to_the_rendered_ticket(net_printer, local_queue, config,
                                                                      lang, width, artifacts):
    """The GS v 0 raster the printer receives is exactly the rendered ticket."""
    ticket = local_queue.issue("benefits.birth", priority="veteran", language=lang)
    printer = open_printer(net_printer.url)
    image = render_ticket(ticket, config, width)
    printer.print_ticket(image, ticket.code)
    [job] = net_printer.wait_for_jobs(1)
    received = decode(job, width)
    out = artifacts / "tickets" / f"received-{lang}-{width}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    received.save(out)
    assert same_pixels(received, image)
    assert b"\x1dv0" in job and job.endswith(b"\x1dV\x01")
    assert net_printer.queries == 4  # online + paper, before and after the ticket


def test_paper_out_is_refused_before_sending(net_printer, local_queue, config):
    """A printer without paper gets no ticket bytes; PaperOut is raised."""
    net_printer.set_state("paper_out")
    ticket = local_queue.issue("pensions.age")
    with pytest.raises(PaperOut):
        open_printer(net_printer.url).print_ticket(render_ticket(ticket, config))
    assert net_printer.jobs == []


def test_offline_printer(net_printer, local_queue, config):
    """A printer that says it is offline raises PrinterOffline."""
    net_printer.set_state("offline")
    ticket = local_queue.issue("pensions.age")
    with pytest.raises(PrinterOffline):
        open_printer(net_printer.url).print_ticket(render_ticket(ticket, config))


def test_printer_that_does_not_answer_times_out(net_printer, local_queue, config):
    """No answer to DLE EOT within the time-out: PrinterTimeout, no bytes sent."""
    net_printer.set_state("silent")
    ticket = local_queue.issue("pensions.age")
    with pytest.raises(PrinterTimeout):
        open_printer(net_printer.url).print_ticket(render_ticket(ticket, config))
    assert net_printer.jobs == []


def test_printer_that_dies_in_the_middle_of_a_ticket(net_printer, local_queue, config):
    """A printer that stops answering while the ticket is sent is a failure, not a success."""
    net_printer.set_state("stall")
    ticket = local_queue.issue("pensions.age")
    with pytest.raises(PrinterTimeout):
        open_printer(net_printer.url).print_ticket(render_ticket(ticket, config))


def test_switched_off_printer_is_unavailable(local_queue, config):
    """Nothing listening on the port: PrinterUnavailable."""
    ticket = local_queue.issue("pensions.age")
    with pytest.raises(PrinterUnavailable):
        open_printer(closed_port_url()).print_ticket(render_ticket(ticket, config))


def test_status_can_be_turned_off_for_printers_that_never_answer(net_printer, local_queue, config):
    """?status=0 prints without asking (for printers without DLE EOT)."""
    net_printer.set_state("silent")
    ticket = local_queue.issue("pensions.age")
    open_printer(net_printer.url + "&status=0").print_ticket(render_ticket(ticket, config))
    assert len(net_printer.wait_for_jobs(1)) == 1 and net_printer.queries == 0


def test_print_now_reports_the_outcome_as_events(net_printer, local_queue, config):
    """A printed ticket and a failed one each leave a device event for boards and counters."""
    ok = local_queue.issue("pensions.age")
    print_now(local_queue, config, ok, net_printer.url, source="kiosk-1")
    net_printer.set_state("paper_out")
    failed = local_queue.issue("pensions.age")
    with pytest.raises(PaperOut):
        print_now(local_queue, config, failed, net_printer.url, source="kiosk-1")
    events = [(e.kind, e.ticket_id, e.source) for e in local_queue.events()
              if e.kind.startswith("print")]
    assert events == [("printed", ok.id, "kiosk-1"), ("printer_paper_out", failed.id, "kiosk-1")]
    assert [a.kind for a in local_queue.snapshot().alerts] == ["printer_paper_out"]


def test_spooler_keeps_failed_tickets_and_prints_them_when_the_printer_is_back(local_queue, config):
    """Paper out: the tickets wait; when paper is back they print in order, once each."""
    import threading

    printer = NetworkPrinter("paper_out")
    outcomes = []
    done = threading.Condition()

    def notify(outcome):
        with done:
            outcomes.append(outcome)
            done.notify_all()

    spooler = PrintSpooler(local_queue, config, printer.url, "kiosk-1", notify, retry_seconds=0.1).start()
    try:
        first, second = local_queue.issue("pensions.age"), local_queue.issue("employment.job-seeker")
        spooler.submit(first)
        spooler.submit(second)
        with done:
            assert done.wait_for(lambda: len(outcomes) >= 2, 10)
        assert [(o.ticket.code, o.ok, o.kind) for o in outcomes] == [
            (first.code, False, "printer_paper_out"), (second.code, False, "printer_paper_out")]
        assert [t.code for t in spooler.pending()] == [first.code, second.code]
        printer.set_state("ready")
        jobs = printer.wait_for_jobs(2)
        with done:
            assert done.wait_for(lambda: len(outcomes) >= 4, 10)
        assert [(o.ticket.code, o.ok, o.reprint) for o in outcomes[2:]] == [
            (first.code, True, True), (second.code, True, True)]
        assert same_pixels(decode(jobs[0], 576), render_ticket(first, config))
        assert same_pixels(decode(jobs[1], 576), render_ticket(second, config))
        kinds = [e.kind for e in local_queue.events() if e.kind.startswith("print")]
        assert kinds == ["printer_paper_out", "printer_paper_out", "printer_ok", "printed", "printed"]
        assert spooler.pending() == [] and local_queue.snapshot().alerts == []
    finally:
        spooler.stop()
        printer.close()
