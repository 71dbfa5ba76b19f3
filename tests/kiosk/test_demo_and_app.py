"""What the demo uses: headless visits writing screenshots and tickets, and a kiosk window
inside an application that already runs (kiosk and board in one process)."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from kiosk.app import create_kiosk_window
from kiosk.demo import headless_visits


@pytest.mark.slow
def test_headless_visits_write_every_screen_and_ticket(qapp, local_queue, config, tmp_path, artifacts):
    """One visit per language: screenshots of each screen and a ticket PNG per visit."""
    out = artifacts / "demo"
    shutil.rmtree(out, ignore_errors=True)
    files = headless_visits(local_queue, config, out)
    names = [p.name for p in files]
    for n, lang in enumerate(("az", "ru", "en"), 1):
        assert f"kiosk-{n}-{lang}-1-language.png" in names
        assert f"kiosk-{n}-{lang}-5-ticket.png" in names
    tickets = [p for p in files if p.parent.name == "tickets"]
    assert len(tickets) == 3
    for path in files:
        with Image.open(path) as img:
            assert img.width in (1920, 576)
    issued = [e for e in local_queue.events() if e.kind == "issued"]
    assert sorted(e.details["language"] for e in issued) == ["az", "en", "ru"]


def test_kiosk_window_in_a_running_application(qtbot, local_queue, config, clock):
    """create_kiosk_window gives a widget the demo can show next to the board."""
    window = create_kiosk_window(local_queue, config, "dummy://", clock=clock)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.controller.screen.name == "language"
    window.exit_kiosk()
