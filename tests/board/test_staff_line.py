"""The board's staff line shows every alert whole: one line when they fit, else pages led by
the count ("5 alerts (1/3): …") that the board turns — never an alert cut with "…"."""

from __future__ import annotations

from board.app import build_board
from board.staff_line import staff_pages
from qtcommon.runner import InlineRunner
from shared.speech.sinks import RecordingSink


def test_pages_hold_every_alert_once_and_fit():
    """Alerts that do not fit one line are split into pages that each fit, in order, each
    alert on exactly one page, each page saying how many alerts there are."""
    alerts = [f"Kiosk {i}: the printer is out of paper" for i in range(1, 6)]

    def fits(text: str) -> bool:
        return len(text) <= 90
    pages = staff_pages("For staff:", "5 alerts", alerts, fits)
    assert len(pages) > 1 and all(fits(p) for p in pages)
    assert all(p.startswith(f"For staff: 5 alerts ({i}/{len(pages)}): ")
               for i, p in enumerate(pages, 1))
    assert [a for p in pages for a in alerts if a in p] == alerts
    assert staff_pages("For staff:", "2 alerts", alerts[:2], fits) == [
        "For staff: " + "  ·  ".join(alerts[:2])]
    assert staff_pages("For staff:", "0 alerts", [], fits) == []


def test_a_board_with_many_alerts_shows_each_whole(qtbot, local_queue, config, artifacts):
    """Six printers and a silent board at 1920x1080: turning the staff line's pages shows every
    alert, none drawn cut with "…", each page led by the count in the board's language."""
    widget = build_board(local_queue, config, sink=RecordingSink(), speech=False, lang="az",
                         runner=InlineRunner())
    qtbot.addWidget(widget)
    for i in range(1, 7):
        local_queue.report_device(f"kiosk-{i}", "printer_paper_out", "no paper")
    local_queue.report_device("board-hall", "board_silent", "no audio output device")
    controller = widget.controller
    controller.poll()
    controller.tick()
    assert len(controller.state.alerts) == 7
    assert controller.state.alerts_heading == "7 xəbərdarlıq"
    widget.resize(1920, 1080)
    widget.grab()
    pages = list(widget.staff_pages)
    assert len(pages) > 1
    shown = []
    for page in range(len(pages)):
        widget.staff_page = page
        widget.grab().save(str(artifacts / f"board-staff-line-page{page + 1}.png"))
        staff = [d for d in widget.drawn if d.part == "staff"]
        assert staff and not any(d.elided for d in staff), [d.text for d in staff]
        shown.append(" ".join(d.text for d in staff))    # a page on two lines, joined again
        assert f"7 xəbərdarlıq ({page + 1}/{len(pages)})" in shown[-1]
    for alert in controller.state.alerts:
        assert any(alert in text for text in shown), alert
    controller.close()
