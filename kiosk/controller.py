"""The kiosk's logic, without a screen: which screen to show, what a tap does, when to go home.

Widgets call the `tap_…` methods and draw what `view.show()` gets; tests drive the same methods
through real taps. One tap gives one ticket: taps are ignored while a ticket is being issued and
for `tap_guard_ms` after the previous accepted tap (an elderly finger often lands twice)."""

from __future__ import annotations

import logging
import secrets
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from kiosk.config_follow import ConfigFollower
from kiosk.qr import qr_payload
from kiosk.runtime import KioskView
from kiosk.screens import (
    ClosedScreen,
    LanguageScreen,
    MenuScreen,
    MessageScreen,
    OutOfServiceScreen,
    PinScreen,
    Screen,
    TicketScreen,
    Tile,
)
from kiosk.spooler import PrintOutcome, PrintSpooler
from qtcommon.runner import InlineRunner, Runner
from qtcommon.timers import Timers
from shared.config.centre import WEEKDAYS, CentreConfig
from shared.core.clock import Clock, SystemClock
from shared.core.errors import (
    CentreClosed,
    DailyCapReached,
    NovbeError,
    QueueUnavailable,
    TicketNotFound,
)
from shared.core.model import Status, Ticket
from shared.core.queue import Queue
from shared.i18n import LANGUAGE_NAMES, ntr, tr
from shared.waits.text import wait_phrase

log = logging.getLogger(__name__)

WEEKDAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                    "Saturday", "Sunday"), strict=True))
PROBE_SECONDS = 4.0          # out of service: ask the queue again this often
REOPEN_CHECK_SECONDS = 30.0  # closed: look at the clock again this often
STAFF_TAPS = 5               # taps on the hidden corner that open the PIN pad
STAFF_TAP_WINDOW = timedelta(seconds=3)
FAULT_SCREEN_FACTOR = 3      # a ticket the printer failed stays this many times longer
PIN_ATTEMPTS = 5             # wrong PINs in a row that lock the PIN pad
PIN_LOCK = timedelta(seconds=60)       # the first lock; each further lock in a row doubles it
PIN_LOCK_MAX = timedelta(minutes=15)
CLOSED_SEPARATOR = " · "  # between the languages of one closed-screen text
PRINTER_NOTICE = ("The printer is not working right now: your ticket will be shown on the screen. "
                  "Please take a photo of it.")


class KioskController:
    """The kiosk's screens and rules; `view`, `timers` and `runner` are injected."""

    def __init__(self, view: KioskView, queue: Queue, config: CentreConfig,
                 spooler: PrintSpooler | None, timers: Timers, runner: Runner | None = None,
                 clock: Clock | None = None, source: str = "kiosk",
                 follow_config: Callable[[], CentreConfig | None] | None = None):
        self.view = view
        self.queue = queue
        self.config = config
        self.spooler = spooler
        self.timers = timers
        self.runner = runner or InlineRunner()
        self.clock = clock or SystemClock()
        self.source = source
        self.screen: Screen | None = None
        self.lang = config.languages[0]
        self.category: str | None = None
        self.service: str | None = None
        self.issuing = False
        self.issued: deque[Ticket] = deque(maxlen=100)  # the latest, for staff and tests
        self.abandoned: list[str] = []   # request ids of issues this kiosk gave up on
        self._last_tap: datetime | None = None
        self._staff_taps: list[datetime] = []
        self._pin = ""
        self._pin_failures = 0       # wrong PINs since the last lock (or the right PIN)
        self._pin_locks = 0          # locks in a row, for the doubling
        self._pin_locked_until: datetime | None = None
        # a remote kiosk follows its server's config (RemoteQueue.fresh_config) while running
        follow = follow_config or getattr(queue, "fresh_config", None)
        self.config_follower = (ConfigFollower(follow, self.adopt_config, timers, self.runner)
                                if follow is not None else None)

    # ---- helpers ----------------------------------------------------------------------------
    def _show(self, screen: Screen) -> None:
        self.screen = screen
        self.view.show(screen)

    def _t(self, msgid: str, **kw: object) -> str:
        return tr(self.lang, msgid, **kw)

    def _local_now(self) -> datetime:
        return self.clock.now().astimezone(self.config.tz)

    def _accept_tap(self) -> bool:
        """False while issuing or within the guard time of the last accepted tap."""
        if self.issuing:
            return False
        now = self.clock.now()
        guard = timedelta(milliseconds=self.config.kiosk.tap_guard_ms)
        if self._last_tap is not None and now - self._last_tap < guard:
            return False
        self._last_tap = now
        self.activity()
        return True

    def activity(self) -> None:
        """Someone touched the screen: restart the idle time-out (not on the home screen)."""
        if self.screen is not None and self.screen.name not in ("language", "closed", "out_of_service"):
            self.timers.start("idle", self.config.kiosk.idle_seconds, self.idle_timeout)

    # ---- screens ----------------------------------------------------------------------------
    def start(self) -> None:
        """Show the first screen, and ask the queue whether it is there (remote kiosks start
        before their server does)."""
        self.home()
        if self.config_follower is not None:
            self.config_follower.start()

        def unreachable(exc: BaseException) -> None:
            if isinstance(exc, QueueUnavailable):
                self.out_of_service()

        self.runner.run(self.queue.last_event_id, lambda _: None, unreachable)

    def home(self) -> None:
        """Back to the language screen (or the closed screen outside hours)."""
        for name in ("idle", "home", "probe"):
            self.timers.stop(name)
        self.category = self.service = None
        self._pin = ""
        if not self.config.hours.is_open(self._local_now()):
            self._show_closed()
            return
        self.timers.stop("reopen")
        self._show(self._language_screen())

    def _language_screen(self) -> LanguageScreen:
        langs = self.config.languages
        faulted = self.spooler is not None and self.spooler.faulted
        return LanguageScreen(
            centre=self.config.name(langs[0]),
            titles=tuple(tr(x, "Choose a language to take a ticket") for x in langs),
            tiles=tuple(Tile(x, LANGUAGE_NAMES[x]) for x in langs),
            printer_notices=tuple(tr(x, PRINTER_NOTICE) for x in langs) if faulted else ())

    def _show_closed(self) -> None:
        """Closed: nobody has chosen a language, so every text is in every language."""
        langs = self.config.languages

        def every(msgid: str) -> str:
            return CLOSED_SEPARATOR.join(dict.fromkeys(tr(x, msgid) for x in langs))

        hours = tuple((every(WEEKDAY_NAMES[day]), span or every("closed"))
                      for day, span in self.config.hours.describe())
        self._show(ClosedScreen(
            centre=self.config.name(langs[0]),
            titles=tuple(tr(x, "The centre is closed") for x in langs),
            hours_title=every("Opening hours"), hours=hours))
        self.timers.start("reopen", REOPEN_CHECK_SECONDS, self.check_open)

    def adopt_config(self, config: CentreConfig) -> None:
        """The server's config changed: use it from now on. Outside the new hours the kiosk
        closes at once (a visitor half-way through is told now, not after the last tap);
        inside them a closed kiosk opens; the next screens use the new services and texts."""
        if config == self.config:
            return
        log.warning("kiosk: the server's config changed; following it")
        self.config = config
        if self.spooler is not None:
            self.spooler.config = config
        if self.screen is None or self.issuing:
            return
        name = self.screen.name
        choosing = name in ("categories", "services", "priorities")
        if name in ("language", "closed") or (choosing and not (
                config.hours.is_open(self._local_now()) and self._choice_exists())):
            self.home()

    def _choice_exists(self) -> bool:
        """The visitor's category and service so far are still in the config."""
        try:
            if self.category:
                self.config.category(self.category)
            if self.service:
                self.config.service(self.service)
        except NovbeError:
            return False
        return True

    def check_open(self) -> None:
        """Closed screen: open again when the hours say so."""
        if self.screen is not None and self.screen.name == "closed":
            if self.config.hours.is_open(self._local_now()):
                self.home()
            else:
                self.timers.start("reopen", REOPEN_CHECK_SECONDS, self.check_open)

    def _categories(self) -> None:
        tiles = tuple(Tile(c.id, c.name(self.lang), c.prefix, accent=c.id == "vem")
                      for c in self.config.categories)
        self._show(MenuScreen("categories", self.lang, self._t("What is your visit about?"), tiles,
                              self._t("Back"), self._t("Start over")))

    def _services(self) -> None:
        cat = self.config.category(self.category or "")
        tiles = tuple(Tile(s.id, s.name(self.lang), s.prefix) for s in cat.services)
        self._show(MenuScreen("services", self.lang, self._t("Choose a service"), tiles,
                              self._t("Back"), self._t("Start over"), subtitle=cat.name(self.lang)))

    def _priorities(self) -> None:
        tiles = (Tile("none", self._t("No — regular queue"), accent=True),
                 *(Tile(p.id, p.name(self.lang)) for p in self.config.priorities))
        svc = self.config.service(self.service or "")
        self._show(MenuScreen("priorities", self.lang, self._t("Do you belong to one of these groups?"),
                              tiles, self._t("Back"), self._t("Start over"), subtitle=svc.name(self.lang)))

    # ---- taps -------------------------------------------------------------------------------
    def tap_language(self, lang: str) -> None:
        if not self._accept_tap():
            return
        if not self.config.hours.is_open(self._local_now()):
            self._show_closed()
            return
        self.lang = lang
        self._categories()
        self.activity()

    def tap_category(self, category_id: str) -> None:
        if not self._accept_tap():
            return
        cat = self.config.category(category_id)
        self.category = cat.id
        if len(cat.services) == 1:
            self._chose_service(cat.services[0].id)
        else:
            self._services()

    def tap_service(self, service_id: str) -> None:
        if not self._accept_tap():
            return
        self._chose_service(service_id)

    def _chose_service(self, service_id: str) -> None:
        self.service = self.config.service(service_id).id
        if self.config.priorities:
            self._priorities()
        else:
            self._issue(None)

    def tap_priority(self, priority_id: str) -> None:
        if not self._accept_tap():
            return
        self._issue(None if priority_id == "none" else priority_id)

    def tap_back(self) -> None:
        if not self._accept_tap():
            return
        name = self.screen.name if self.screen else ""
        if name == "priorities" and self.category and len(self.config.category(self.category).services) > 1:
            self._services()
        elif name in ("priorities", "services"):
            self._categories()
        else:
            self.home()

    def tap_home(self) -> None:
        if self._accept_tap():
            self.home()

    def tap_closed(self) -> None:
        """A tap on the closed screen looks at the clock again."""
        self.check_open()

    def idle_timeout(self) -> None:
        """Nobody touched the screen for idle_seconds: start over for the next visitor."""
        if self.screen is not None and self.screen.name != "out_of_service" and not self.issuing:
            self.home()

    # ---- issuing ----------------------------------------------------------------------------
    def _issue(self, priority: str | None) -> None:
        service = self.service or ""
        lang = self.lang
        self.issuing = True
        self.view.set_busy(True)
        request_id = secrets.token_urlsafe(16)   # a retry of this tap gets the same ticket

        def failed(exc: BaseException) -> None:
            if isinstance(exc, QueueUnavailable):
                self.abandoned.append(request_id)
            self._issue_failed(exc)

        self.runner.run(
            lambda: self.queue.issue(service, priority=priority, language=lang, source=self.source,
                                     check_hours=True, request_id=request_id),
            self._issued, failed)

    def _end_issuing(self) -> None:
        self.issuing = False
        self._last_tap = self.clock.now()
        self.view.set_busy(False)

    def _issued(self, ticket: Ticket) -> None:
        self._end_issuing()
        self.issued.append(ticket)
        if self.spooler is not None:
            self.spooler.submit(ticket)
        self._show(self._ticket_screen(ticket, "printing" if self.spooler else "printed"))
        self.timers.stop("idle")
        self.timers.start("home", self.config.kiosk.home_after_seconds, self.home)

    def _ticket_screen(self, ticket: Ticket, state: str) -> TicketScreen:
        lang = ticket.language
        svc = self.config.service(ticket.service)
        prio = self.config.priority(ticket.priority)
        ahead = (ntr(lang, "{n} person ahead", "{n} people ahead", ticket.ahead) if ticket.ahead
                 else tr(lang, "No one ahead of you"))
        wait = (f"{tr(lang, 'Estimated wait')}: "
                f"{wait_phrase(lang, ticket.estimated_wait_min, ticket.wait_low_min, ticket.wait_high_min)}"
                if ticket.estimated_wait_min else "")
        message = {
            "printing": tr(lang, "Printing your ticket…"),
            "printed": tr(lang, "Please take your ticket"),
            "failed": tr(lang, "The printer is not working. Please take a photo of this screen: "
                               "your number is valid."),
        }[state]
        payload = qr_payload(ticket, self.config)
        return TicketScreen(
            lang=lang, ticket=ticket, code=ticket.code, service=svc.name(lang),
            priority=prio.name(lang) if prio else "", your_number=tr(lang, "Your number"),
            ahead=ahead, wait=wait, qr_payload=payload,
            qr_caption=tr(lang, "Scan to follow your turn on your phone") if payload else "",
            print_state=state, print_message=message, done=tr(lang, "Done (leave the ticket screen)"))

    def _issue_failed(self, exc: BaseException) -> None:
        self._end_issuing()
        if isinstance(exc, QueueUnavailable):
            self.out_of_service()
            return
        if isinstance(exc, DailyCapReached):
            self._message("daily_cap", self._t("No more tickets for this service today. "
                                               "Please come again tomorrow."))
            return
        if isinstance(exc, CentreClosed):
            if self.config_follower is not None:
                self.config_follower.check()     # refused by the server's hours: are they new?
            now = self._local_now()
            if not self.config.hours.is_open(now):
                self._show_closed()
                return
            closing = self.config.hours.closing_time(now)
            self._message("past_closing", self._t(
                "The centre closes at {time}: this service can no longer be provided today. "
                "Please come again tomorrow.", time=f"{closing:%H:%M}" if closing else ""))
            return
        if not isinstance(exc, NovbeError):
            log.error("issuing a ticket failed", exc_info=exc)
        else:
            log.warning("issuing a ticket failed: %s", exc)
        self._message("error", self._t("Something went wrong. Please ask a staff member."))

    def _message(self, kind: str, body: str) -> None:
        svc = self.config.service(self.service) if self.service else None
        self._show(MessageScreen(self.lang, kind, svc.name(self.lang) if svc else "", body,
                                 self._t("Done (leave the ticket screen)")))
        self.timers.start("home", self.config.kiosk.home_after_seconds, self.home)

    # ---- printer ----------------------------------------------------------------------------
    def print_outcome(self, outcome: PrintOutcome) -> None:
        """The spooler finished (or failed) a ticket; update the ticket screen if it shows it."""
        screen = self.screen
        if not isinstance(screen, TicketScreen) or screen.ticket.id != outcome.ticket.id:
            return
        if outcome.ok and screen.print_state == "failed":
            return  # a reprint of a ticket still on screen: keep the photo message
        self._show(self._ticket_screen(screen.ticket, "printed" if outcome.ok else "failed"))
        if not outcome.ok:
            self.timers.start("home", self.config.kiosk.home_after_seconds * FAULT_SCREEN_FACTOR,
                              self.home)

    def printer_state(self, faulted: bool) -> None:
        """The printer failed or is printing again: the language screen's notice follows."""
        if self.screen is not None and self.screen.name == "language":
            screen = self._language_screen()
            if screen != self.screen:
                self._show(screen)

    # ---- queue outage -----------------------------------------------------------------------
    def out_of_service(self) -> None:
        """The queue cannot be reached: say so and ask again every few seconds."""
        for name in ("idle", "home"):
            self.timers.stop(name)
        langs = self.config.languages
        self._show(OutOfServiceScreen(
            titles=tuple(tr(x, "Temporarily out of service") for x in langs),
            bodies=tuple(tr(x, "Please wait a moment or ask a staff member for help.") for x in langs)))
        self.timers.start("probe", PROBE_SECONDS, self.probe)

    def probe(self) -> None:
        """Is the queue back? (`last_event_id` is the cheapest question.)"""
        def back(_: int) -> None:
            if self.abandoned:
                self._withdraw_abandoned()
            if self.screen is not None and self.screen.name == "out_of_service":
                self.home()

        def still_down(exc: BaseException) -> None:
            if not isinstance(exc, QueueUnavailable):
                log.warning("queue probe: %s", exc)
            self.timers.start("probe", PROBE_SECONDS, self.probe)

        self.runner.run(self.queue.last_event_id, back, still_down)

    def _withdraw_abandoned(self) -> None:
        """Tickets this kiosk gave up on (it said "out of service") that the queue issued after
        all are cancelled, so the board never calls a number nobody holds."""
        pending = list(self.abandoned)
        self.abandoned.clear()

        def withdraw() -> list[str]:
            gone = []
            for rid in pending:
                try:
                    ticket = self.queue.issued_for(rid)
                except TicketNotFound:
                    continue
                if ticket.status in (Status.WAITING, Status.CALLED):
                    gone.append(self.queue.cancel(ticket.token or ticket.code).code)
            return gone

        def done(codes: list[str]) -> None:
            if codes:
                log.warning("cancelled %s: issued after this kiosk had given up on them",
                            ", ".join(codes))

        def failed(exc: BaseException) -> None:
            self.abandoned.extend(pending)            # try again when the queue answers next
            log.warning("could not look up abandoned tickets yet: %s", exc)

        self.runner.run(withdraw, done, failed)

    # ---- staff exit -------------------------------------------------------------------------
    def tap_staff_corner(self) -> None:
        """The hidden corner: STAFF_TAPS taps, each within a few seconds, open the PIN pad."""
        now = self.clock.now()
        self._staff_taps = [t for t in self._staff_taps if now - t < STAFF_TAP_WINDOW] + [now]
        if len(self._staff_taps) >= STAFF_TAPS:
            self._staff_taps = []
            self._pin = ""
            self._show_pin()

    def _pin_locked(self) -> bool:
        until = self._pin_locked_until
        return until is not None and self.clock.now() < until

    def _show_pin(self, error: str = "") -> None:
        locked = self._pin_locked()
        if locked and self._pin_locked_until is not None:
            until = self._pin_locked_until.astimezone(self.config.tz)
            error = self._t("Too many wrong PINs. The keypad is locked until {time}.",
                            time=f"{until:%H:%M:%S}")
        self._show(PinScreen(self._t("Staff PIN"), len(self._pin), error, self._t("Exit"),
                             self._t("Cancel"), locked=locked))
        self.timers.start("idle", self.config.kiosk.idle_seconds, self.idle_timeout)

    def pin_unlocked(self) -> None:
        """The PIN pad's lock ran out: show the keypad again if it is on screen."""
        if self._pin_locked():  # early (a timer is not a clock): wait for the rest
            left = (self._pin_locked_until - self.clock.now()).total_seconds()  # type: ignore[operator]
            self.timers.start("pin_lock", max(left, 0.5), self.pin_unlocked)
            return
        if self.screen is not None and self.screen.name == "pin":
            self._show_pin()

    def tap_pin_key(self, key: str) -> None:
        if self._pin_locked():
            self._pin = ""
            self._show_pin()
            return
        if key == "⌫":
            self._pin = self._pin[:-1]
        elif key == "✓":
            self.submit_pin()
            return
        elif key.isdigit() and len(self._pin) < 8:
            self._pin += key
        self._show_pin()

    def submit_pin(self) -> None:
        if self._pin_locked():
            self._pin = ""
            self._show_pin()
            return
        if self._pin == self.config.kiosk.staff_pin:
            self._pin = ""
            self._pin_failures = self._pin_locks = 0
            log.info("staff left the kiosk with the PIN")
            self.view.exit_kiosk()
            return
        self._pin = ""
        self._pin_failures += 1
        if self._pin_failures < PIN_ATTEMPTS:
            self._show_pin(self._t("Wrong PIN"))
            return
        lock = min(PIN_LOCK * 2 ** self._pin_locks, PIN_LOCK_MAX)
        self._pin_failures = 0
        self._pin_locks += 1
        self._pin_locked_until = self.clock.now() + lock
        # the queue's device events are printer events only, so the lock goes to the log
        log.warning("%s: %d wrong staff PINs in a row; the PIN pad is locked for %d s",
                    self.source, PIN_ATTEMPTS, lock.total_seconds())
        self.timers.start("pin_lock", lock.total_seconds(), self.pin_unlocked)
        self._show_pin()

    def tap_pin_cancel(self) -> None:
        self.home()
