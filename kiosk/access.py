"""Every visitor gets a turn: audio guidance, the keypad, large text, help on request and the
warning before a time-out — the kiosk's accessibility rules, Qt-free, beside the controller.

- Audio mode starts with the 🔊 button or any keypad key; every screen is then spoken (what is
  shown, each choice with its number; kiosk/spoken.py) and a first touch on a choice speaks it,
  a second chooses it. Speech of a new screen replaces what is still queued; the visitor's own
  action also cuts the phrase playing (kiosk/speaker.py).
- The keypad (kiosk/keypad.py): up/down or digits move, Enter/5 chooses, Back, Help, volume.
- Large text ("Aa"): bigger letters and at most six choices a page (kiosk/pages.py sizes them).
- Help: a device event `help_requested` that staff see on every console until acknowledged.
- Audio, large text and volume go back to their defaults for the next visitor."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from kiosk.keypad import Key, KeyPress
from kiosk.screens import (
    CodeScreen,
    Frame,
    MenuScreen,
    MessageScreen,
    Screen,
    TicketScreen,
    screen_lang,
    screen_language,
)
from kiosk.speaker import VOLUME_LEVELS, Phrase
from kiosk.spoken import AUDIO_ON, KEY_GUIDE, PRESS_FOR_LANGUAGE, choice, choice_in, screen_phrases
from kiosk.timeouts import IdleWarning
from shared.i18n import tr
from shared.speech.numbers import number_words

if TYPE_CHECKING:
    from kiosk.controller import KioskController

log = logging.getLogger(__name__)

HELP_KIND = "help_requested"
DIGIT_PAIR = timedelta(seconds=2)   # "1" then "2" within this is choice 12
WARNING = "Starting over in {seconds} seconds. Touch the screen or press any key to stay."
IN_PROGRESS = ("categories", "services", "priorities")
HELP_SCREENS = ("help", "help_failed")
SYMBOLS = ("🔊", "Aa")


class Voice(Protocol):
    """What the controller needs of a voice (kiosk/speaker.py's Speaker; a recording in tests)."""

    level: int

    def say(self, phrases: Sequence[Phrase], interrupt: bool = False) -> None: ...

    def add(self, phrases: Sequence[Phrase]) -> None: ...

    def set_level(self, level: int) -> None: ...

    def reset_volume(self) -> None: ...


F = TypeVar("F", bound=Callable[..., Any])


def visitor_action(fn: F) -> F:
    """Marks a controller method as the visitor's own act: speech it causes cuts the phrase
    playing now (a screen that changes by itself lets it end)."""
    @functools.wraps(fn)
    def wrapper(self: KioskController, *args: Any, **kwargs: Any) -> Any:
        outer, self.access.acting = self.access.acting, True
        try:
            return fn(self, *args, **kwargs)
        finally:
            self.access.acting = outer
    return wrapper  # type: ignore[return-value]


class Access:
    """Audio mode, focus, large text, help and the idle warning of one kiosk."""

    def __init__(self, ctl: KioskController, voice: Voice | None):
        self.ctl = ctl
        self.voice = voice
        self.audio = False
        self.large = False
        self.focus: str | None = None       # the widget name of the focused choice
        self.acting = False
        self.guided = False                 # the key guide was said to this visitor
        self.before_help: Screen | None = None
        self._digit: tuple[int, datetime] | None = None
        self.idle = IdleWarning(ctl.timers, ctl.config.kiosk.idle_seconds,
                                changed=self._warning_changed, expired=ctl.idle_timeout)

    # ---- the frame around each screen --------------------------------------------------------
    def _lang(self, screen: Screen) -> str | None:
        return screen_language(screen)       # None: the bar in every language

    def _label(self, screen: Screen, msgid: str) -> str:
        lang = self._lang(screen)
        if lang is not None:
            return tr(lang, msgid)
        parts = [tr(x, msgid) for x in self.ctl.config.languages]
        mark = msgid.split()[0]                  # "🔊", "Aa": said once, before every language
        if mark in SYMBOLS:
            return f"{mark} " + "\n".join(dict.fromkeys(p.removeprefix(mark).strip() for p in parts))
        return "\n".join(dict.fromkeys(parts))

    def frame(self, screen: Screen) -> Frame:
        """The bar, focus and warning around a screen (none around the staff PIN pad)."""
        if screen.name == "pin":
            return Frame()
        helpable = screen.name not in ("closed", "out_of_service") and not (
            isinstance(screen, MessageScreen) and screen.kind in HELP_SCREENS)
        lang = self._lang(screen) or self.ctl.config.languages[0]
        warning = tr(lang, WARNING, seconds=self.idle.left) if self.idle.left is not None else ""
        return Frame(audio=self.audio, large=self.large, focus=self.focus,
                     audio_label=self._label(screen, "🔊 Audio help"),
                     large_label=self._label(screen, "Aa Large text"),
                     help_label=self._label(screen, "Help") if helpable else "", warning=warning)

    # ---- screens come and go -----------------------------------------------------------------
    def shown(self, screen: Screen) -> None:
        """A new screen: no focus yet; in audio mode, say it."""
        self.focus = None
        self._digit = None
        if self.audio:
            self._say(self._phrases(screen), interrupt=self.acting)

    def _phrases(self, screen: Screen) -> list[Phrase]:
        phrases = screen_phrases(screen, self.ctl.config.languages[0])
        if screen.name in IN_PROGRESS and not self.guided:
            self.guided = True
            phrases.insert(0, Phrase(tr(self.ctl.lang, KEY_GUIDE), self.ctl.lang))
        return phrases

    def _say(self, phrases: Sequence[Phrase], interrupt: bool = False) -> None:
        if self.voice is not None:
            self.voice.say(phrases, interrupt=interrupt)

    def say_now(self, phrases: Sequence[Phrase]) -> None:
        """Say this at once (the visitor's own key), in audio mode."""
        if self.audio:
            self._say(phrases, interrupt=True)

    def print_news(self, text: str) -> None:
        """The printer answered while the ticket is read: said after what is queued."""
        if self.audio and self.voice is not None:
            self.voice.add([Phrase(text, screen_lang(self.ctl.screen) or self.ctl.lang)])

    def next_visitor(self) -> None:
        """Audio, large text, focus and volume back to their defaults."""
        self.audio = self.large = self.guided = False
        self.focus = self.before_help = None
        self._digit = None
        if self.voice is not None:
            self.voice.say(())            # what is queued goes; the phrase playing ends in full
            self.voice.reset_volume()

    # ---- time-outs -----------------------------------------------------------------------------
    def activity(self) -> None:
        """Someone acted: the idle time starts again where a visitor is in the middle of something."""
        screen = self.ctl.screen
        name = screen.name if screen is not None else ""
        busy = name in IN_PROGRESS or (isinstance(screen, MessageScreen) and screen.kind in HELP_SCREENS)
        if busy or (name == "language" and (self.audio or self.large)):
            self.idle.restart(self.audio)
        elif name != "pin":
            self.idle.stop()

    def stop_idle(self) -> None:
        self.idle.stop()

    def _warning_changed(self, started: bool) -> None:
        self.ctl.redraw()
        if started and self.audio and self.idle.left is not None:
            lang = screen_lang(self.ctl.screen) or self.ctl.lang
            self._say([Phrase(tr(lang, WARNING, seconds=self.idle.left), lang)])

    # ---- touch in audio mode ---------------------------------------------------------------------
    def choices(self) -> list[tuple[str, str]]:
        """(widget name, label) of the current screen's numbered choices."""
        screen = self.ctl.screen
        if screen is None:
            return []
        found = [(t.name, t.label) for t in screen.tiles]
        if isinstance(screen, MenuScreen):
            found += [("back", screen.back), ("home", screen.home)]
        return found

    def confirmed(self, name: str) -> bool:
        """Audio mode: the first touch on a choice says it, the second chooses it."""
        if not self.audio or self.focus == name:
            return True
        if not self._focus_on(name):
            return True                      # not one of the numbered choices: it acts at once
        self.ctl.activity()
        return False

    def _focus_on(self, name: str) -> bool:
        """Focus a choice and say it with its number (False when it is no choice here)."""
        found = self.choices()
        index = next((i for i, (n, _) in enumerate(found) if n == name), None)
        if index is None:
            return False
        self.focus = name
        self.ctl.redraw()
        label = found[index][1]
        screen = self.ctl.screen
        if screen is not None and screen.name == "language":
            lang = name.removeprefix("tile:")
            if lang not in self.ctl.config.languages:   # "I have an appointment"
                lang = self.ctl.config.languages[0]
            self._say([Phrase(f"{label}: {tr(lang, PRESS_FOR_LANGUAGE, number=number_words(lang, index + 1))}",
                              lang)], interrupt=True)
        elif isinstance(screen, CodeScreen) and screen.every_language:
            self._say(choice_in(screen.languages, index + 1, label), interrupt=True)
        else:
            self._say([choice(self.ctl.lang, index + 1, label)], interrupt=True)
        return True

    # ---- the bottom bar --------------------------------------------------------------------------
    def tap_audio(self) -> None:
        """🔊: audio guidance on (the screen is said) or off (silence)."""
        self.audio = not self.audio
        self.focus = None
        screen = self.ctl.screen
        if self.audio and screen is not None:
            lang = screen_lang(screen) or self.ctl.lang
            said = []  # the first screens speak every language: they show audio is on
            if screen.name not in ("language", "closed", "out_of_service"):
                self.guided = True
                said = [Phrase(tr(lang, AUDIO_ON), lang), Phrase(tr(lang, KEY_GUIDE), lang)]
            self._say(said + screen_phrases(screen, self.ctl.config.languages[0]), interrupt=True)
        elif self.voice is not None:
            self.voice.say((), interrupt=True)
        self.ctl.activity()
        self.ctl.redraw()

    def tap_large(self) -> None:
        """Aa: large text on or off (menus start again at their first page)."""
        self.large = not self.large
        self.ctl.page = 0
        self.ctl.activity()
        if self.ctl.screen is not None and self.ctl.screen.name in IN_PROGRESS:
            self.ctl.show_menu_again()
        else:
            self.ctl.redraw()

    def request_help(self) -> None:
        """Help: staff are called through the queue's device events; the visitor is told."""
        ctl = self.ctl
        screen = ctl.screen
        if screen is None or ctl.issuing or screen.name in ("pin", "closed", "out_of_service"):
            return
        if isinstance(screen, MessageScreen) and screen.kind in HELP_SCREENS:
            self._say(self._phrases(screen), interrupt=True)
            return
        self.before_help = screen
        lang = ctl.lang
        ctl.timers.stop("home")

        def called(_: object) -> None:
            log.info("%s: a visitor asked for help", ctl.source)
            ctl._show(MessageScreen(lang, "help", tr(lang, "Help is on the way"), tr(
                lang, "A staff member has been called to this kiosk and is coming to you. "
                      "Please stay here."), tr(lang, "Continue")))
            ctl.activity()

        def failed(exc: BaseException) -> None:
            log.warning("%s: the call for help did not go through: %s", ctl.source, exc)
            ctl._show(MessageScreen(lang, "help_failed", tr(lang, "Help"), tr(
                lang, "The call for help did not go through. Please ask at the reception desk."),
                tr(lang, "Continue")))
            ctl.activity()

        ctl.runner.run(lambda: ctl.queue.report_device(ctl.source, HELP_KIND, screen.name),
                       called, failed)

    def returning_from_help(self) -> bool:
        """Continue on the help message: back to where the visitor was (True), if anywhere."""
        screen = self.ctl.screen
        before, self.before_help = self.before_help, None
        if not (isinstance(screen, MessageScreen) and screen.kind in HELP_SCREENS):
            return False
        if before is None or before.name in ("language", "closed", "out_of_service", "pin"):
            self.ctl.home(next_visitor=False)
            return True
        self.ctl._show(before)
        self.ctl.activity()
        if isinstance(before, (TicketScreen, MessageScreen)):
            self.ctl._home_after()
        return True

    # ---- the keypad --------------------------------------------------------------------------------
    def key(self, press: KeyPress) -> None:
        """A keypad key. The first key of a visitor turns audio guidance on."""
        ctl = self.ctl
        screen = ctl.screen
        if screen is None or screen.name == "pin" or ctl.issuing:
            return
        warned = self.idle.warning
        ctl.activity()
        if not self.audio:
            self.tap_audio()
            if press.key is Key.HELP:
                self.request_help()
            return
        if warned:
            return  # the key only kept the visitor's place
        if press.key in (Key.LOUDER, Key.QUIETER) and self.voice is not None:
            self.voice.set_level(self.voice.level + (1 if press.key is Key.LOUDER else -1))
            lang = screen_lang(screen) or ctl.lang
            self._say([Phrase(tr(lang, "Volume {level} of {levels}.", level=self.voice.level,
                                 levels=VOLUME_LEVELS), lang)], interrupt=True)
        elif press.key is Key.HELP:
            self.request_help()
        elif press.key is Key.BACK:
            ctl.tap_back(confirm=False)
        elif press.key in (Key.UP, Key.DOWN):
            self._move(1 if press.key is Key.DOWN else -1)
        elif press.key is Key.DIGIT:
            self._digit_key(press.digit)
        elif press.key is Key.CHOOSE:
            self._choose()

    def _move(self, step: int) -> None:
        found = [n for n, _ in self.choices()]
        if not found:
            self._say(self._phrases(self.ctl.screen), interrupt=True)  # type: ignore[arg-type]
            return
        index = found.index(self.focus) if self.focus in found else (-1 if step > 0 else 0)
        self._focus_on(found[(index + step) % len(found)])

    def _digit_key(self, digit: int) -> None:
        found = [n for n, _ in self.choices()]
        now = self.ctl.clock.now()
        number = digit
        if self._digit is not None and now - self._digit[1] <= DIGIT_PAIR \
                and 0 < self._digit[0] * 10 + digit <= len(found):
            number = self._digit[0] * 10 + digit
        self._digit = (number, now)
        if 1 <= number <= len(found):
            self._focus_on(found[number - 1])

    def _choose(self) -> None:
        """Enter: the focused choice (or, with none, the screen once more)."""
        ctl = self.ctl
        screen = ctl.screen
        if self.focus is None and screen is not None and screen.name == "code":
            ctl.appointments.submit()            # Enter with no tile focused: check the code
            return
        if self.focus is None or screen is None:
            if screen is not None:
                self._say(self._phrases(screen), interrupt=True)
                if screen.name in ("ticket", "message") and ctl.timers.active("home"):
                    ctl._home_after()        # time to hear it once more
            return
        name = self.focus
        if name == "back":
            ctl.tap_back()
        elif name == "home":
            ctl.tap_home()
        elif name == "done":
            ctl.tap_done()
        else:
            tap = {"language": ctl.tap_language, "categories": ctl.tap_category,
                   "services": ctl.tap_service, "priorities": ctl.tap_priority,
                   "code": ctl.appointments.tap_tile,
                   "message": ctl.appointments.tap_tile}.get(screen.name)
            if tap is not None:
                tap(name.removeprefix("tile:"))
