"""The check-in screens on the real kiosk window (pytest-qt, offscreen): taps on the keypad, a
scanner's keys as Qt key events, the ticket with the booked time, screenshots at both sizes, and
the scripted check-in path's time (printed; no timing assertion)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from kiosk.widgets import FitText
from tests.bookings.conftest import PENSION, baku
from tests.conftest import ARTIFACTS
from tests.kiosk.conftest import SIZES, assert_big_targets, screenshot, tap

THINK_S = 1.5          # a visitor's pause between taps, on the fake clock


@pytest.fixture
def booking(local_queue):
    return local_queue.bookings.book_local(PENSION, baku("2026-11-23 11:00"), "az", "r")


@pytest.mark.parametrize("size", ["portrait", "landscape"])
def test_check_in_by_taps_prints_the_booked_time(qtbot, make_kiosk, clock, booking, size, local_queue):
    """Appointment tile, six keys, ✓: the ticket screen with the booked time; screenshots of each
    screen at 1080×1920 and 1920×1080; the scripted path's taps and wall time are printed."""
    clock.set("2026-11-23T06:45:00+00:00")
    window = make_kiosk(SIZES[size])
    shots = ARTIFACTS / "appointments"
    screenshot(window, shots, f"home-{size}")
    started, taps = time.perf_counter(), 0
    tap(qtbot, window, "tile:appointment", clock, THINK_S)
    taps += 1
    assert window.controller.screen.name == "code"
    assert_big_targets(window)
    for ch in booking.code[:3]:
        tap(qtbot, window, f"tile:key:{ch}", clock, THINK_S)
        taps += 1
    screenshot(window, shots, f"code-{size}")
    for ch in booking.code[3:]:
        tap(qtbot, window, f"tile:key:{ch}", clock, THINK_S)
        taps += 1
    tap(qtbot, window, "tile:check", clock, THINK_S)
    taps += 1
    qtbot.waitUntil(lambda: window.controller.screen.name == "ticket")
    elapsed = time.perf_counter() - started
    screenshot(window, shots, f"ticket-{size}")
    note = window.current_page().findChild(FitText, "booking-note")
    assert note is not None and "11:00" in note.text
    print(f"\ncheck-in path ({size}): {taps} taps; at {THINK_S} s a tap a visitor takes about "
          f"{taps * THINK_S:.0f} s; the kiosk's own time for the path {elapsed:.2f} s")


def test_a_scanner_typing_on_the_first_screen(qtbot, make_kiosk, clock, booking):
    """A USB scanner is a keyboard: "NOVBE:CODE" then Enter as key events checks in at once."""
    clock.set("2026-11-23T06:45:00+00:00")
    window = make_kiosk(SIZES["landscape"])
    qtbot.keyClicks(window, f"NOVBE:{booking.code}")
    assert window.controller.screen.name == "code"
    qtbot.keyClick(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.controller.screen.name == "ticket")
    assert window.controller.screen.ticket.slot_at is not None
    assert not window.controller.access.audio         # a scanner is not the audio keypad


@pytest.mark.parametrize("size", ["portrait", "landscape"])
def test_too_early_screen(qtbot, make_kiosk, clock, booking, size):
    """Too early: the come-back time and the walk-in choice, drawn; screenshots."""
    window = make_kiosk(SIZES[size])
    tap(qtbot, window, "tile:appointment", clock)
    qtbot.keyClicks(window, booking.code)
    qtbot.keyClick(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.controller.screen.name == "message")
    assert window.controller.screen.kind == "early"
    screenshot(window, ARTIFACTS / "appointments", f"early-{size}")
    clock.advance(2)
    tap(qtbot, window, "walk_in", clock)
    qtbot.waitUntil(lambda: window.controller.screen.name == "ticket")
