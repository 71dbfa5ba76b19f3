"""The kiosk's logic, without a screen: which screen to show, what a tap or a key does, when to
go home. Widgets call the `tap_…` methods (and `key()` for the keypad) and draw what `view.show()` gets;
tests drive the same methods with a recording view. One tap gives one ticket: taps are ignored
while a ticket is being issued and for `tap_guard_ms` after the previous accepted tap (an
elderly finger often lands twice). Audio guidance, keypad, large text and help: kiosk/access.py;
staff exit, outage probe, abandoned tickets and config following: modules of their own."""

from __future__ import annotations

import logging
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from kiosk import config_follow, menus
from kiosk.access import Access, Voice, visitor_action
from kiosk.appointments import Appointments
from kiosk.keypad import KeyPress
from kiosk.outage import OutageProbe
from kiosk.reconciler import AbandonedTickets
from kiosk.runtime import KioskView
from kiosk.screens import LanguageScreen, MenuScreen, MessageScreen, Screen, TicketScreen
from kiosk.spooler import PrintOutcome, PrintSpooler
from kiosk.staff_exit import StaffExit
from kiosk.ticket_screen import refusal, ticket_screen
from kiosk.timeouts import AUDIO_HOME_FACTOR
from qtcommon.runner import InlineRunner, Runner
from qtcommon.timers import Timers
from shared.config.centre import CentreConfig
from shared.core.clock import Clock, SystemClock
from shared.core.errors import CentreClosed, DailyCapReached, NovbeError, QueueUnavailable
from shared.core.model import Ticket
from shared.core.queue import Queue
from shared.i18n import tr

log = logging.getLogger(__name__)

REOPEN_CHECK_SECONDS = 30.0  # closed: look at the clock again this often
FAULT_SCREEN_FACTOR = 3      # a ticket the printer failed stays this many times longer


class KioskController:
    """The kiosk's screens and rules; `view`, `timers`, `runner` and `voice` are injected."""

    def __init__(self, view: KioskView, queue: Queue, config: CentreConfig,
                 spooler: PrintSpooler | None, timers: Timers, runner: Runner | None = None,
                 clock: Clock | None = None, source: str = "kiosk", voice: Voice | None = None,
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
        self.page = 0
        self.issuing = False
        self.issued: deque[Ticket] = deque(maxlen=100)  # the latest, for staff and tests
        self._last_tap: datetime | None = None
        self._home_factor = 1
        self.access = Access(self, voice)
        self.appointments = Appointments(self)       # "I have an appointment": check-in
        self.abandoned = AbandonedTickets(queue, self.runner)
        self.outage = OutageProbe(queue, config.languages, self.runner, timers, self.abandoned,
                                  show=self._show, showing=lambda: self._showing("out_of_service"),
                                  back=self.home)
        self.staff = StaffExit(view, config, self.clock, timers, show=self._show,
                               idle=self.idle_timeout, source=source)
        # the hidden corner and the PIN pad (its Cancel: the next visitor's screen)
        self.tap_staff_corner, self.tap_pin_key, self.tap_pin_cancel = self.staff.corner_tap, self.staff.key, self.home
        # a remote kiosk follows its server's config; a queue on a file answers None at once
        self.config_follower = config_follow.ConfigFollower(
            follow_config or queue.fresh_config, self.adopt_config, timers, self.runner)

    # ---- helpers ----------------------------------------------------------------------------
    def _show(self, screen: Screen) -> None:
        """Show a new screen (and, in audio mode, say it)."""
        if screen.name != "pin":
            self.staff.left()
        self.screen = screen
        self.access.shown(screen)
        self.redraw()

    def redraw(self) -> None:
        """Draw the screen again with the current frame (focus, bar, warning)."""
        if self.screen is not None:
            self.screen = replace(self.screen, frame=self.access.frame(self.screen))
            self.view.show(self.screen)

    def _showing(self, *names: str) -> bool:
        return self.screen is not None and self.screen.name in names

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
        """Someone touched the screen or pressed a key: the idle time-out starts again."""
        self.access.activity()

    # ---- screens ----------------------------------------------------------------------------
    def start(self) -> None:
        """Show the first screen, and ask the queue whether it is there (remote kiosks start
        before their server does)."""
        self.home()
        self.config_follower.start()

        def unreachable(exc: BaseException) -> None:
            if isinstance(exc, QueueUnavailable):
                self.out_of_service()

        self.runner.run(self.queue.last_event_id, lambda _: None, unreachable)

    def home(self, next_visitor: bool = True) -> None:
        """Back to the language screen (or the closed screen outside hours); for the next
        visitor also audio, large text and volume back to their defaults."""
        for name in ("idle", "home", "probe", "warn"):
            self.timers.stop(name)
        self.category = self.service = None
        self.page = 0
        if next_visitor:
            self.lang = self.config.languages[0]
            self.access.next_visitor()
        if not self.config.hours.is_open(self._local_now()):
            self._show_closed()
            return
        self.timers.stop("reopen")
        self._show(self._language_screen())
        self.activity()

    def _language_screen(self) -> LanguageScreen:
        return menus.language_screen(self.config, self.spooler is not None and self.spooler.faulted)

    def _show_closed(self) -> None:
        self._show(menus.closed_screen(self.config))
        self.timers.start("reopen", REOPEN_CHECK_SECONDS, self.check_open)

    def adopt_config(self, config: CentreConfig) -> None:
        """The server's config changed: use it from now on (kiosk/config_follow.py)."""
        config_follow.adopt(self, config)

    def check_open(self) -> None:
        """Closed screen: open again when the hours say so."""
        if self._showing("closed"):
            if self.config.hours.is_open(self._local_now()):
                self.home()
            else:
                self.timers.start("reopen", REOPEN_CHECK_SECONDS, self.check_open)

    def _categories(self) -> None:
        self._menu_shown(menus.categories(self.config, self.lang, self.access.large, self.page))

    def _services(self) -> None:
        self._menu_shown(menus.services(self.config, self.category or "", self.lang,
                                        self.access.large, self.page))

    def _priorities(self) -> None:
        self._menu_shown(menus.priorities(self.config, self.service or "", self.lang,
                                          self.access.large, self.page))

    def _menu_shown(self, screen: MenuScreen) -> None:
        self.page = screen.page
        self._show(screen)

    def show_menu_again(self) -> None:
        """The current menu again (its page, or large text, changed)."""
        {"categories": self._categories, "services": self._services,
         "priorities": self._priorities}[self.screen.name if self.screen else "categories"]()

    # ---- taps -------------------------------------------------------------------------------
    @visitor_action
    def tap_language(self, lang: str) -> None:
        if not self.access.confirmed(f"tile:{lang}") or not self._accept_tap():
            return
        if not self.config.hours.is_open(self._local_now()):
            self._show_closed()
        elif lang == menus.APPOINTMENT:
            self.appointments.open(None)
        else:
            self.lang = lang
            self._categories()
            self.activity()

    @visitor_action
    def tap_category(self, category_id: str) -> None:
        if not self.access.confirmed(f"tile:{category_id}") or not self._accept_tap():
            return
        if category_id.startswith("page:"):
            self._turn_page(category_id)
            return
        cat = self.config.category(category_id)
        self.category, self.page = cat.id, 0
        if len(cat.services) == 1:
            self._chose_service(cat.services[0].id)
        else:
            self._services()

    @visitor_action
    def tap_service(self, service_id: str) -> None:
        if not self.access.confirmed(f"tile:{service_id}") or not self._accept_tap():
            return
        if service_id.startswith("page:"):
            self._turn_page(service_id)
            return
        self._chose_service(service_id)

    def _chose_service(self, service_id: str) -> None:
        self.service, self.page = self.config.service(service_id).id, 0
        if self.config.priorities:
            self._priorities()
        else:
            self._issue(None)

    @visitor_action
    def tap_priority(self, priority_id: str) -> None:
        if not self.access.confirmed(f"tile:{priority_id}") or not self._accept_tap():
            return
        if priority_id.startswith("page:"):
            self._turn_page(priority_id)
            return
        self._issue(None if priority_id == "none" else priority_id)

    def _turn_page(self, which: str) -> None:
        self.page += 1 if which == "page:next" else -1
        self.show_menu_again()

    @visitor_action
    def tap_back(self, confirm: bool = True) -> None:
        if (confirm and not self.access.confirmed("back")) or not self._accept_tap():
            return
        name = self.screen.name if self.screen else ""
        self.page = 0
        if name == "priorities" and self.category and len(self.config.category(self.category).services) > 1:
            self._services()
        elif name in ("priorities", "services"):
            self._categories()
        elif name == "message" and self.access.returning_from_help():
            return
        elif name == "categories":
            self.home(next_visitor=False)
        elif name not in ("language", "closed", "out_of_service"):
            self.home()

    @visitor_action
    def tap_home(self) -> None:
        """"Start over" (the same visitor: audio and large text stay as they are)."""
        if self.access.confirmed("home") and self._accept_tap():
            self.home(next_visitor=False)

    @visitor_action
    def tap_done(self) -> None:
        """Done on the ticket or a message: the next visitor (or back from the help message)."""
        if not self.access.confirmed("done") or not self._accept_tap():
            return
        if not self.access.returning_from_help():
            self.home()

    @visitor_action
    def key(self, press: KeyPress) -> None:
        """A keypad key (kiosk/keypad.py)."""
        self.access.key(press)

    @visitor_action
    def tap_audio(self) -> None:
        if self._accept_tap():
            self.access.tap_audio()

    @visitor_action
    def tap_large(self) -> None:
        if self._accept_tap():
            self.access.tap_large()

    @visitor_action
    def tap_help(self) -> None:
        if self._accept_tap():
            self.access.request_help()

    def tap_closed(self) -> None:  # a tap on the closed screen looks at the clock again
        self.check_open()

    def idle_timeout(self) -> None:
        """Nobody acted for the idle time and the warning ran out: start over for the next
        visitor (the PIN pad goes at once)."""
        if self.screen is not None and self.screen.name != "out_of_service" and not self.issuing:
            self.home()

    # ---- issuing ----------------------------------------------------------------------------
    def _issue(self, priority: str | None) -> None:
        service = self.service or ""
        lang = self.lang
        self.issuing = True
        self.access.stop_idle()
        self.view.set_busy(True)
        request_id = secrets.token_urlsafe(16)   # a retry of this tap gets the same ticket

        def failed(exc: BaseException) -> None:
            if isinstance(exc, QueueUnavailable):
                self.abandoned.gave_up(request_id)
            self._issue_failed(exc)

        self.runner.run(
            lambda: self.queue.issue(service, priority=priority, language=lang, source=self.source,
                                     check_hours=True, request_id=request_id),
            self._issued, failed)

    def _end_issuing(self) -> None:
        self.issuing = False
        self._last_tap = self.clock.now()
        self.view.set_busy(False)

    def _home_after(self, factor: int | None = None) -> None:
        """The ticket or message goes after a while (longer in audio mode, and again in full
        when a key asks to hear it once more)."""
        if factor is not None:
            self._home_factor = factor
        audio = AUDIO_HOME_FACTOR if self.access.audio else 1
        self.timers.start("home", self.config.kiosk.home_after_seconds * self._home_factor * audio,
                          self.home)

    def _issued(self, ticket: Ticket) -> None:
        self._end_issuing()
        self.issued.append(ticket)
        if self.spooler is not None:
            self.spooler.submit(ticket)
        self._show(ticket_screen(self.config, ticket, "printing" if self.spooler else "printed",
                                 self.appointments.note_for(ticket.id)))
        self.access.stop_idle()
        self._home_after(1)

    def _issue_failed(self, exc: BaseException) -> None:
        self._end_issuing()
        if isinstance(exc, QueueUnavailable):
            self.out_of_service()
            return
        if isinstance(exc, CentreClosed):
            self.config_follower.check()     # refused by the server's hours: are they new?
        now = self._local_now()
        if isinstance(exc, CentreClosed) and not self.config.hours.is_open(now):
            self._show_closed()
            return
        if not isinstance(exc, (DailyCapReached, CentreClosed)):
            log.log(logging.WARNING if isinstance(exc, NovbeError) else logging.ERROR,
                    "issuing a ticket failed: %s", exc, exc_info=not isinstance(exc, NovbeError))
        self._message(*refusal(self.config, exc, self.lang, now))

    def _message(self, kind: str, body: str) -> None:
        svc = self.config.service(self.service) if self.service else None
        self._show(MessageScreen(self.lang, kind, svc.name(self.lang) if svc else "", body,
                                 tr(self.lang, "Done (leave the ticket screen)")))
        self._home_after(1)

    # ---- printer, queue outage, staff exit -----------------------------------------------------
    def print_outcome(self, outcome: PrintOutcome) -> None:
        """The spooler finished (or failed) a ticket; update the ticket screen if it shows it."""
        screen = self.screen
        if not isinstance(screen, TicketScreen) or screen.ticket.id != outcome.ticket.id:
            return
        if outcome.ok and screen.print_state == "failed":
            return  # a reprint of a ticket still on screen: keep the photo message
        self.screen = ticket_screen(self.config, screen.ticket, "printed" if outcome.ok else "failed",
                                    screen.booking_note)
        self.access.print_news(self.screen.print_message)
        self.redraw()
        if not outcome.ok:
            self._home_after(FAULT_SCREEN_FACTOR)

    def printer_state(self, faulted: bool) -> None:
        """The printer failed or is printing again: the language screen's notice follows."""
        if self._showing("language"):
            screen = self._language_screen()
            if replace(screen, frame=self.screen.frame) != self.screen:  # type: ignore[union-attr]
                self.screen = screen
                self.redraw()

    def out_of_service(self) -> None:
        """The queue cannot be reached: say so and ask again every few seconds."""
        self.access.stop_idle()
        self.outage.begin()
