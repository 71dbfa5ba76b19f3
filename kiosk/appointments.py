""""I have an appointment" at the kiosk, without a screen: the code typed on the keypad of the
code's alphabet or read by a USB scanner (a keyboard that types the code, or a QR payload such
as "NOVBE:ABC123" or a URL ending in it, then Enter), checked in through the queue contract, and
the outcome in plain words in the booking's language — checked in (the ticket with the booked
time), too early (when to come back, or a walk-in ticket), too late (a walk-in ticket, said so),
an unknown or cancelled code."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from kiosk.screens import CodeScreen, MessageScreen, Tile
from kiosk.speaker import Phrase
from shared.bookings.checkin import CheckIn, CheckInOutcome, extract_code
from shared.bookings.model import CODE_ALPHABET, CODE_LENGTH
from shared.core.errors import QueueUnavailable
from shared.i18n import tr

if TYPE_CHECKING:
    from kiosk.controller import KioskController

log = logging.getLogger(__name__)

TITLE = "Enter your appointment code"
HINT = "Type the code from your SMS or printout, or hold its QR code under the scanner."
MAX_TYPED = 200                  # a scanner's payload (a URL) is longer than the code


def booking_note(lang: str, slot_at: datetime | None, late: bool, tz: tzinfo) -> str:
    """The line a booked visitor's ticket screen adds."""
    if late:
        return tr(lang, "You came after your appointment time: this is a walk-in ticket. "
                        "Please wait until your number is called.")
    if slot_at is None:
        return ""
    return tr(lang, "Your appointment: {time}. You will be called at your time.",
              time=f"{slot_at.astimezone(tz):%H:%M}")


class Appointments:
    """The check-in flow of one kiosk (its screens go through the controller)."""

    def __init__(self, ctl: KioskController):
        self.ctl = ctl
        self.typed = ""
        self.error = ""
        self.lang = ""
        self.code = ""            # the code last checked, for "Take a walk-in ticket"
        self.notes: dict[int, str] = {}   # ticket id → its booking note (kept over reprints)

    # ---- the code screen -----------------------------------------------------------------------
    def open(self, lang: str | None) -> None:
        """The code screen, in the visitor's language (None: every language, from the first
        screen)."""
        self.typed, self.error = "", ""
        self.lang = lang or ""
        self.show()

    def screen(self) -> CodeScreen:
        langs = (self.lang,) if self.lang else self.ctl.config.languages

        def say(msgid: str) -> str:
            # a line per language, each said in its voice (kiosk/spoken.by_language)
            return "\n".join(dict.fromkeys(tr(x, msgid) for x in langs))
        keys = tuple(Tile(f"key:{ch}", ch) for ch in CODE_ALPHABET) + (
            Tile("erase", "⌫ " + say("Erase")), Tile("check", "✓ " + say("Check in"), accent=True))
        return CodeScreen(lang=langs[0], title=say(TITLE), hint=say(HINT),
                          typed=self.shown_code(), length=CODE_LENGTH, keys=keys,
                          cancel=say("Start over"), error=self.error,
                          languages=tuple(langs))

    def shown_code(self) -> str:
        """What the visitor sees typed: the code part of what came in."""
        return extract_code(self.typed)[-CODE_LENGTH * 2:] if self.typed else ""

    def show(self) -> None:
        self.ctl._show(self.screen())
        self.ctl.activity()

    def _redraw(self) -> None:
        """The code screen with what is typed now (focus kept; in audio mode the code so far
        is said, letter by letter)."""
        self.ctl.screen = self.screen()
        self.ctl.redraw()
        if self.ctl.access.audio:
            lang = self.lang or self.ctl.config.languages[0]
            said = " ".join(self.shown_code()) or tr(lang, "Nothing typed yet.")
            self.ctl.access.say_now([Phrase(self.error or said, lang)])

    def showing(self) -> bool:
        return self.ctl.screen is not None and self.ctl.screen.name == "code"

    # ---- typing --------------------------------------------------------------------------------
    def type_text(self, text: str) -> None:
        """Characters from the scanner or a keyboard (the language screen opens the code screen
        for them: a visitor may scan at once)."""
        if not self.showing():
            self.open(None)
        self.typed = (self.typed + text)[:MAX_TYPED]
        self.error = ""
        self._redraw()

    def erase(self) -> None:
        self.typed = self.shown_code()[:-1]
        self.error = ""
        self._redraw()

    def typed_key(self, text: str, enter: bool = False, erase: bool = False) -> bool:
        """A key from a keyboard or a USB scanner (which types the code, then Enter): True when
        it was taken as part of a code. On the code screen printable keys are the code, Enter
        checks it (unless the keypad's focus is on a tile) and Backspace erases; on the first
        screen a letter starts a code (a visitor may scan at once)."""
        screen = self.ctl.screen
        name = screen.name if screen is not None else ""
        if self.ctl.issuing or not self.ctl.config.bookings.enabled:
            return False
        if name == "language" and text.isascii() and text.isalpha() and len(text) == 1:
            self.type_text(text)
            return True
        if name != "code":
            return False
        if enter:
            if self.ctl.access.audio and self.ctl.access.focus is not None:
                return False                         # Enter chooses the focused tile
            self.submit()
        elif erase:
            self.erase()
        elif text and text.isprintable() and not text.isspace():
            self.type_text(text)
        else:
            return False
        self.ctl.activity()
        return True

    def tap_tile(self, tile: str) -> None:
        """A tap (or Enter in audio mode) on one of the code screen's tiles, or a message's."""
        widget = tile if tile in ("cancel", "walk_in") else f"tile:{tile}"
        if not self.ctl.access.confirmed(widget) or not self.ctl._accept_tap():
            return
        if tile.startswith("key:"):
            if len(self.shown_code()) < CODE_LENGTH:
                self.type_text(tile.removeprefix("key:"))
        elif tile == "erase":
            self.erase()
        elif tile == "check":
            self.submit()
        elif tile == "cancel":
            self.ctl.home()
        elif tile == "walk_in":
            self._check(self.code, walk_in=True)

    def submit(self) -> None:
        """Enter, the scanner's last key, or ✓: check the code in."""
        code = extract_code(self.typed)
        if not code:
            self.error = tr(self.ctl.lang, "Type your code first.") if self.lang else \
                "\n".join(tr(x, "Type your code first.") for x in self.ctl.config.languages)
            self._redraw()
            return
        self._check(code, walk_in=False)

    # ---- the queue's answer ----------------------------------------------------------------------
    def _check(self, code: str, walk_in: bool) -> None:
        ctl = self.ctl
        self.code = code
        ctl.issuing = True
        ctl.access.stop_idle()
        ctl.view.set_busy(True)
        ctl.runner.run(lambda: ctl.queue.check_in(code, walk_in, ctl.source), self._answered,
                       self._failed)

    def _answered(self, result: CheckIn) -> None:
        ctl = self.ctl
        ctl._end_issuing()
        lang = result.booking.lang if result.booking else (self.lang or ctl.config.languages[0])
        ctl.lang = lang
        outcome = result.outcome
        if result.ticket is not None:
            late = outcome == CheckInOutcome.LATE_WALK_IN or (
                outcome == CheckInOutcome.ALREADY and result.ticket.slot_at is None)
            if len(self.notes) >= 100:
                self.notes.pop(next(iter(self.notes)))
            self.notes[result.ticket.id] = booking_note(lang, result.ticket.slot_at, late,
                                                        ctl.config.tz)
            ctl._issued(result.ticket)
            return
        if outcome == CheckInOutcome.UNKNOWN:
            self.typed = ""
            self.error = "\n".join(tr(x, "We do not know this code. Please check it and try again.")
                                   for x in ((self.lang,) if self.lang else ctl.config.languages))
            ctl._show(self.screen())
            ctl.activity()
            return
        booking = result.booking
        assert booking is not None
        svc = ctl.config.service(booking.service).name(lang)
        slot = datetime.fromtimestamp(booking.slot_start, ctl.config.tz)
        if outcome == CheckInOutcome.EARLY and result.come_back_at is not None:
            back = datetime.fromtimestamp(result.come_back_at, ctl.config.tz)
            today = ctl._local_now().date() == slot.date()
            body = tr(lang, "Your appointment is at {time}. Please come back at {back} to check "
                            "in, or take a walk-in ticket now if you prefer.",
                      time=f"{slot:%H:%M}", back=f"{back:%H:%M}") if today else tr(
                lang, "Your appointment is on {date} at {time}. Please come back that day from "
                      "{back}, or take a walk-in ticket now if you prefer.",
                date=f"{slot:%d.%m.%Y}", time=f"{slot:%H:%M}", back=f"{back:%H:%M}")
            extra = (Tile("walk_in", tr(lang, "Take a walk-in ticket"), accent=True,
                          widget="walk_in"),)
            ctl._show(MessageScreen(lang, "early", svc, body, tr(lang, "Done (leave the ticket screen)"), extra=extra))
        else:
            ctl._show(MessageScreen(lang, "cancelled", svc, tr(
                lang, "This appointment was cancelled. You can take a walk-in ticket: choose "
                      "your service on the first screen."), tr(lang, "Done (leave the ticket screen)")))
        ctl._home_after(1)

    def _failed(self, exc: BaseException) -> None:
        ctl = self.ctl
        ctl._end_issuing()
        if isinstance(exc, QueueUnavailable):
            ctl.out_of_service()
            return
        log.warning("checking in %s failed: %s", self.code, exc)
        lang = self.lang or ctl.config.languages[0]
        ctl._show(MessageScreen(lang, "error", "", tr(
            lang, "Something went wrong. Please ask a staff member."), tr(lang, "Done (leave the ticket screen)")))
        ctl._home_after(1)

    def note_for(self, ticket_id: int) -> str:
        """The booking note of a ticket this kiosk checked in ("" for any other)."""
        return self.notes.get(ticket_id, "")

