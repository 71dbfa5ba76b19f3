"""Staff leave the kiosk: five taps on the hidden top-left corner, each within 3 s of the one
before, open the PIN pad — always in the centre's first language, whatever the last visitor
chose — and the right PIN exits; wrong PINs lock the pad (kiosk/pin_lock.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from kiosk.pin_lock import PIN_ATTEMPTS, PinLock, PinVerdict
from kiosk.runtime import KioskView
from kiosk.screens import PinScreen
from qtcommon.timers import Timers
from shared.config.centre import CentreConfig
from shared.core.clock import Clock
from shared.i18n import tr

log = logging.getLogger(__name__)

STAFF_TAPS = 5                           # taps on the hidden corner that open the PIN pad
STAFF_TAP_GAP = timedelta(seconds=3)     # the longest pause between two of them
MAX_PIN_DIGITS = 8


class StaffExit:
    """The hidden corner, the PIN pad and its lock. `show` draws a PinScreen; `idle` is called
    when nobody touched the pad for the idle time (the controller goes home)."""

    def __init__(self, view: KioskView, config: CentreConfig, clock: Clock, timers: Timers,
                 show: Callable[[PinScreen], None], idle: Callable[[], None], source: str):
        self.view, self.config, self.clock, self.timers = view, config, clock, timers
        self._show, self._idle, self.source = show, idle, source
        self.lock = PinLock(config.kiosk.staff_pin, clock)
        self._taps: list[datetime] = []
        self.typed = ""
        self.showing = False

    def _t(self, msgid: str, **kw: object) -> str:
        return tr(self.config.languages[0], msgid, **kw)  # staff read the centre's language

    def corner_tap(self) -> None:
        """A tap on the hidden corner; the fifth in a row (no pause over 3 s) opens the pad."""
        now = self.clock.now()
        if self._taps and now - self._taps[-1] > STAFF_TAP_GAP:
            self._taps = []
        self._taps.append(now)
        if len(self._taps) >= STAFF_TAPS:
            self._taps = []
            self.typed = ""
            self.show_pad()

    def show_pad(self, error: str = "") -> None:
        locked = self.lock.locked()
        if locked and self.lock.locked_until is not None:
            until = self.lock.locked_until.astimezone(self.config.tz)
            error = self._t("Too many wrong PINs. The keypad is locked until {time}.",
                            time=f"{until:%H:%M:%S}")
        self.showing = True
        self._show(PinScreen(self._t("Staff PIN"), len(self.typed), error, self._t("Exit"),
                             self._t("Cancel"), locked=locked))
        self.timers.start("idle", self.config.kiosk.idle_seconds, self._idle)

    def unlocked(self) -> None:
        """The lock's timer ran out: show the keypad again if it is on screen."""
        if self.lock.locked():  # early (a timer is not a clock): wait for the rest
            self.timers.start("pin_lock", max(self.lock.seconds_left(), 0.5), self.unlocked)
            return
        if self.showing:
            self.show_pad()

    def key(self, key: str) -> None:
        if self.lock.locked():
            self.typed = ""
            self.show_pad()
            return
        if key == "⌫":
            self.typed = self.typed[:-1]
        elif key == "✓":
            self.submit()
            return
        elif key.isdigit() and len(self.typed) < MAX_PIN_DIGITS:
            self.typed += key
        self.show_pad()

    def submit(self) -> None:
        typed, self.typed = self.typed, ""
        verdict = self.lock.check(typed)
        if verdict is PinVerdict.RIGHT:
            log.info("staff left the kiosk with the PIN")
            self.showing = False
            self.view.exit_kiosk()
        elif verdict is PinVerdict.WRONG:
            self.show_pad(self._t("Wrong PIN"))
        elif verdict is PinVerdict.NOW_LOCKED:
            seconds = self.lock.seconds_left()
            # the queue's device events are for the devices staff must see to; this goes to the log
            log.warning("%s: %d wrong staff PINs in a row; the PIN pad is locked for %d s",
                        self.source, PIN_ATTEMPTS, seconds)
            self.timers.start("pin_lock", seconds, self.unlocked)
            self.show_pad()
        else:
            self.show_pad()

    def left(self) -> None:
        """The pad is no longer on screen."""
        self.showing = False
        self.typed = ""
