"""The kiosk's check-in rules without Qt (a recording view and voice over a real queue file):
the first screen's appointment tile, the keypad, a scanner's payload, and every outcome in
plain words in the booking's language."""

from __future__ import annotations

import pytest

from kiosk.keypad import Key, KeyPress
from kiosk.spoken import screen_phrases
from shared.bookings.model import BookingStatus
from tests.bookings.conftest import PENSION, baku
from tests.kiosk.recording import make_controller


@pytest.fixture
def kiosk(local_queue, config, clock):
    ctl, view, voice, timers = make_controller(local_queue, config, clock)
    return ctl, view, voice


@pytest.fixture
def booking(local_queue):
    """A Russian-speaking visitor's pension booking at 11:00 (the clock says 10:00)."""
    return local_queue.bookings.book_local(PENSION, baku("2026-11-23 11:00"), "ru", "r")


def type_on_keypad(ctl, clock, code: str) -> None:
    for ch in code:
        ctl.appointments.tap_tile(f"key:{ch}")
        clock.advance(1)


def test_the_first_screen_offers_the_appointment_in_every_language(kiosk):
    """The language screen carries "I have an appointment" in az, ru and en."""
    ctl, view, _ = kiosk
    tile = [t for t in ctl.screen.tiles if t.id == "appointment"][0]
    assert tile.label.split("\n") == ["Görüşə yazılmışam", "У меня запись", "I have an appointment"]


def test_keypad_code_within_the_window_prints_the_ticket_with_the_booked_time(
        kiosk, booking, clock, local_queue):
    """Tap the tile, type the code, ✓: the ticket in Russian says the booked time."""
    ctl, view, _ = kiosk
    clock.set("2026-11-23T06:45:00+00:00")
    ctl.tap_language("appointment")
    clock.advance(1)
    assert ctl.screen.name == "code"
    type_on_keypad(ctl, clock, booking.code)
    assert ctl.screen.typed == booking.code
    ctl.appointments.tap_tile("check")
    assert ctl.screen.name == "ticket" and ctl.screen.lang == "ru"
    assert "11:00" in ctl.screen.booking_note
    assert local_queue.bookings.find(booking.code).status == BookingStatus.CHECKED_IN


def test_a_scanner_typing_a_qr_payload_then_enter(kiosk, booking, clock):
    """On the first screen, a scanner types "NOVBE:CODE" and Enter: checked in at once."""
    ctl, view, _ = kiosk
    clock.set("2026-11-23T06:45:00+00:00")
    for ch in f"NOVBE:{booking.code}":
        assert ctl.appointments.typed_key(ch)
    assert ctl.appointments.typed_key("", enter=True)
    assert ctl.screen.name == "ticket" and ctl.screen.ticket.slot_at is not None


def test_too_early_says_when_to_come_back_and_offers_a_walk_in(kiosk, booking, clock):
    """An hour early: come back at 10:30, or take a walk-in ticket — which prints without a slot."""
    ctl, view, _ = kiosk
    ctl.appointments.typed_key("N")
    for ch in f"OVBE:{booking.code}":
        ctl.appointments.typed_key(ch)
    ctl.appointments.typed_key("", enter=True)
    screen = ctl.screen
    assert screen.kind == "early" and "10:30" in screen.body and "11:00" in screen.body
    assert [t.id for t in screen.tiles] == ["walk_in", "done"]
    clock.advance(2)
    ctl.appointments.tap_tile("walk_in")
    assert ctl.screen.name == "ticket" and ctl.screen.ticket.slot_at is None


def test_too_late_gives_a_walk_in_ticket_and_says_so(kiosk, booking, clock):
    """Twenty minutes late: a walk-in ticket; the screen says why, in the booking's language."""
    ctl, view, _ = kiosk
    clock.set("2026-11-23T07:20:00+00:00")
    ctl.appointments.open("en")
    for ch in booking.code:
        ctl.appointments.typed_key(ch)
    ctl.appointments.typed_key("", enter=True)
    assert ctl.screen.name == "ticket" and ctl.screen.lang == "ru"    # the booking's language
    assert ctl.screen.booking_note.startswith("Вы пришли позже назначенного времени")


def test_unknown_code_says_so_and_lets_the_visitor_try_again(kiosk, clock):
    """A code nobody booked: the code screen again, the sentence in the visitor's language."""
    ctl, view, _ = kiosk
    ctl.appointments.open("en")
    clock.advance(2)
    type_on_keypad(ctl, clock, "QQQQQQ")
    ctl.appointments.tap_tile("check")
    assert ctl.screen.name == "code" and ctl.screen.typed == ""
    assert ctl.screen.error == "We do not know this code. Please check it and try again."


def test_audio_mode_reads_the_code_screen_and_the_keypad_checks_in(kiosk, booking, clock):
    """By keyboard alone: a keypad key turns audio on, arrows and Enter type, Enter checks in."""
    ctl, view, voice = kiosk
    clock.set("2026-11-23T06:45:00+00:00")
    ctl.appointments.open(None)
    ctl.key(KeyPress(Key.DOWN))                        # first key: audio guidance on
    assert ctl.access.audio
    assert "Enter your appointment code" in voice.last.text
    assert [p.lang for p in screen_phrases(ctl.screen, "az")] == ["az", "ru", "en"] * 2  # title, hint
    keys = [t.name for t in ctl.screen.tiles]

    def move_to(name: str) -> None:     # Down until the voice is on `name` (once round at most)
        for _ in keys:
            if ctl.access.focus == name:
                return
            ctl.key(KeyPress(Key.DOWN))
        assert ctl.access.focus == name

    for ch in booking.code:
        move_to(f"tile:key:{ch}")
        ctl.key(KeyPress(Key.CHOOSE))
        clock.advance(1)
    assert ctl.screen.typed == booking.code
    assert " ".join(booking.code) in voice.last.text      # the code so far, said
    move_to("tile:check")
    said = [(p.text, p.lang) for p in voice.last.phrases]   # each language in its own voice
    assert said == [("iyirmi beş: Qeydiyyatdan keç.", "az"), ("Отметиться.", "ru"),
                    ("Check in.", "en")]                       # the ✓ is for the eye only
    ctl.key(KeyPress(Key.CHOOSE))
    assert ctl.screen.name == "ticket"
    said = " ".join(p.text for p in screen_phrases(ctl.screen, "az"))
    assert "11:00" in said


def test_the_same_code_twice_gives_the_same_ticket(kiosk, booking, clock, local_queue):
    """A visitor who checks in again (or a second kiosk) gets the first ticket back."""
    ctl, view, _ = kiosk
    clock.set("2026-11-23T06:45:00+00:00")
    for _ in range(2):
        ctl.appointments.open("ru")
        for ch in booking.code:
            ctl.appointments.typed_key(ch)
        ctl.appointments.typed_key("", enter=True)
        clock.advance(2)
    tickets = {s.ticket.code for s in view.shown if s.name == "ticket"}
    assert len(tickets) == 1


def test_the_printed_ticket_carries_the_booked_time(local_queue, config, clock, booking, artifacts):
    """The paper ticket of a checked-in visitor says "Запись на 11:00" (its language) in a band
    like the priority class's; a walk-in's has no such line. Saved for people to look at."""
    from kiosk.render import render_ticket, ticket_lines

    clock.set("2026-11-23T06:45:00+00:00")
    ticket = local_queue.check_in(booking.code).ticket
    assert ticket_lines(ticket, config)["appointment"] == "Запись на 11:00"
    walk_in = local_queue.issue(PENSION)
    assert ticket_lines(walk_in, config)["appointment"] == ""
    image = render_ticket(ticket, config)
    assert image.height > render_ticket(walk_in, config).height
    (artifacts / "appointments").mkdir(exist_ok=True)
    image.save(artifacts / "appointments" / "ticket-booked.png")
