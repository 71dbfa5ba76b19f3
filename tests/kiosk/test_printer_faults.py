"""Printer faults at the kiosk: the committed ticket is shown full screen to photograph, the
kiosk keeps issuing, staff get an event, and the tickets print by themselves once it is back."""

from __future__ import annotations

import pytest
from PIL import ImageChops

from kiosk.printing.simulator import closed_port_url
from kiosk.raster import decode
from kiosk.render import render_ticket
from tests.kiosk.conftest import SIZES, assert_big_targets, find_button, screenshot, tap


def visit(qtbot, window, clock, lang="az", category="pensions", service="pensions.age"):
    tap(qtbot, window, f"tile:{lang}", clock)
    tap(qtbot, window, f"tile:{category}", clock)
    tap(qtbot, window, f"tile:{service}", clock)
    tap(qtbot, window, "tile:none", clock)
    qtbot.waitUntil(lambda: window.controller.screen.name == "ticket")
    clock.advance(2)  # the visitor reads the screen (past the tap guard)
    return window.controller.screen.ticket


@pytest.mark.parametrize("state,kind", [("paper_out", "printer_paper_out"),
                                        ("offline", "printer_offline"),
                                        ("silent", "print_failed")])
def test_fault_shows_ticket_to_photograph_then_reprints_when_back(qtbot, make_kiosk, clock, local_queue,
                                                                  config, net_printer, artifacts, state, kind):
    """Out of paper / offline / no answer: photo screen, event, keep issuing, reprint on return."""
    net_printer.set_state(state)
    window = make_kiosk(printer=net_printer.url)
    ctl = window.controller
    first = visit(qtbot, window, clock, lang="ru")
    qtbot.waitUntil(lambda: ctl.screen.print_state == "failed")
    assert "Сфотографируйте" in ctl.screen.print_message
    assert window.timers.interval("home") > config.kiosk.home_after_seconds
    screenshot(window, artifacts, f"printer-{state}-ru")

    tap(qtbot, window, "done", clock)
    second = visit(qtbot, window, clock, lang="en", category="employment", service="employment.job-seeker")
    qtbot.waitUntil(lambda: ctl.screen.print_state == "failed")
    assert [t.code for t in window.spooler.pending()] == [first.code, second.code]
    faults = [(e.kind, e.ticket_id) for e in local_queue.events() if e.kind == kind]
    assert faults == [(kind, first.id), (kind, second.id)]

    net_printer.set_state("ready")
    jobs = net_printer.wait_for_jobs(2)
    for job, ticket in zip(jobs, (first, second), strict=True):
        assert ImageChops.difference(decode(job, 576).convert("L"),
                                     render_ticket(ticket, config).convert("L")).getbbox() is None
    qtbot.waitUntil(lambda: not window.spooler.pending())
    qtbot.waitUntil(lambda: len([e for e in local_queue.events() if e.kind == "printed"]) == 2)
    kinds = [e.kind for e in local_queue.events() if e.kind in ("printer_ok", "printed")]
    assert kinds == ["printer_ok", "printed", "printed"]
    assert ctl.screen.print_state == "failed"  # the photo message stays until the visitor leaves


def test_switched_off_printer(qtbot, make_kiosk, clock, local_queue, artifacts):
    """Nothing listens at the printer's address: the ticket is still issued and shown."""
    window = make_kiosk(printer=closed_port_url(), size=(1080, 1920))
    ticket = visit(qtbot, window, clock)
    qtbot.waitUntil(lambda: window.controller.screen.print_state == "failed")
    screenshot(window, artifacts, "printer-off-az-portrait")
    assert local_queue.ticket(ticket.code).status == "waiting"
    assert [e.kind for e in local_queue.events() if e.ticket_id == ticket.id] == ["issued", "printer_offline"]


def _notice(window):
    from kiosk.widgets import FitText

    page = window.current_page()
    return page.findChild(FitText, "printer-notice") if page is not None else None


@pytest.mark.parametrize("size_name", ["landscape", "portrait", "tablet"])
def test_language_screen_says_tickets_are_shown_on_screen_while_the_printer_is_faulted(
        qtbot, make_kiosk, clock, local_queue, net_printer, artifacts, size_name):
    """After a fault the first screen tells visitors, in all three languages, that the ticket will
    be shown on screen to photograph; when the printer is back (and prints the kept ticket that
    is still waiting), the notice goes away."""
    net_printer.set_state("paper_out")
    window = make_kiosk(SIZES[size_name], printer=net_printer.url)
    assert window.controller.screen.printer_notices == () and _notice(window) is None
    ticket = visit(qtbot, window, clock, lang="en")
    qtbot.waitUntil(lambda: window.controller.screen.print_state == "failed")
    tap(qtbot, window, "done", clock)

    screen = window.controller.screen
    assert screen.name == "language"
    assert [n.split(":")[0] for n in screen.printer_notices] == \
        ["Printer hazırda işləmir", "Принтер сейчас не работает", "The printer is not working right now"]
    notice = _notice(window)
    assert notice is not None and notice.isVisible()
    assert all(text in notice.text for text in screen.printer_notices)
    for lang in ("az", "ru", "en"):  # the language tiles still fit and are big enough
        find_button(window, f"tile:{lang}")
    assert_big_targets(window)
    screenshot(window, artifacts, f"language-printer-notice-{size_name}")

    net_printer.set_state("ready")
    window.spooler.retry_now()
    qtbot.waitUntil(lambda: _notice(window) is None)
    assert window.controller.screen.name == "language" and window.controller.screen.printer_notices == ()
    # the notice goes with printer_ok; the kept ticket's `printed` follows once its bytes are out
    qtbot.waitUntil(lambda: [e.ticket_id for e in local_queue.events() if e.kind == "printed"] == [ticket.id])
    screenshot(window, artifacts, f"language-printer-back-{size_name}")


def test_notice_goes_away_when_the_printer_is_back_with_nothing_to_reprint(
        qtbot, make_kiosk, clock, local_queue, net_printer):
    """The only kept ticket was cancelled: nothing is reprinted, and the kiosk asks the printer
    itself, so the notice still goes away once it is ready."""
    net_printer.set_state("offline")
    window = make_kiosk(printer=net_printer.url)
    ticket = visit(qtbot, window, clock, lang="ru")
    qtbot.waitUntil(lambda: window.controller.screen.print_state == "failed")
    tap(qtbot, window, "done", clock)
    assert _notice(window) is not None
    local_queue.cancel(ticket.code)
    # a retry that asked the queue before the cancel fails on the printer still off; the next
    # one drops the ticket — only then is the printer back (else that retry would print it)
    qtbot.waitUntil(lambda: [t.id for t, _ in window.spooler.dropped] == [ticket.id])
    net_printer.set_state("ready")
    window.spooler.retry_now()
    qtbot.waitUntil(lambda: _notice(window) is None)
    assert net_printer.job_count == 0
    assert [e.kind for e in local_queue.events() if e.kind in ("printed", "printer_ok")] == ["printer_ok"]
