"""What each kiosk screen shows, as plain data: the controller builds these, widgets draw them."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.core.model import Ticket


@dataclass(frozen=True)
class Tile:
    """A big touch target: an id the controller knows, its label, an optional badge (prefix)."""

    id: str
    label: str
    badge: str = ""
    accent: bool = False
    widget: str = ""  # the widget's name when it is not "tile:<id>" (the ticket's "done")

    @property
    def name(self) -> str:
        return self.widget or f"tile:{self.id}"


@dataclass(frozen=True)
class Frame:
    """What every visitor screen carries around its content: the bottom bar (audio help, large
    text, help), which tile the keypad's focus is on, and the warning before a time-out."""

    audio: bool = False          # audio guidance is on
    large: bool = False          # large text: bigger letters, fewer tiles per page
    focus: str | None = None     # the widget name of the choice the keypad (or a first touch) is on
    audio_label: str = ""
    large_label: str = ""
    help_label: str = ""         # "" hides the help button (nobody can be called)
    warning: str = ""            # "Starting over in 20 s…" while a time-out counts down


@dataclass(frozen=True)
class LanguageScreen:
    """The home screen: the centre's name and one tile per language; while the printer is
    faulted, a notice in every language that the ticket will be shown on screen instead."""

    name = "language"
    centre: str
    titles: tuple[str, ...]
    tiles: tuple[Tile, ...]
    printer_notices: tuple[str, ...] = ()
    frame: Frame = Frame()


@dataclass(frozen=True)
class MenuScreen:
    """A page of tiles: categories, services of a category, or priority classes."""

    name: str  # "categories" | "services" | "priorities"
    lang: str
    title: str
    tiles: tuple[Tile, ...]
    back: str
    home: str
    subtitle: str = ""
    page: int = 0                # large text shows the tiles a page at a time
    pages: int = 1
    frame: Frame = Frame()


@dataclass(frozen=True)
class TicketScreen:
    """The issued ticket: big code, service, people ahead, wait, QR, and the printer's news."""

    name = "ticket"
    lang: str
    ticket: Ticket
    code: str
    service: str
    priority: str
    your_number: str
    ahead: str
    wait: str
    qr_payload: str | None  # None: the centre has no public_url, so no QR and no caption
    qr_caption: str
    print_state: str  # printing | printed | failed
    print_message: str
    done: str
    called_by_voice: str = ""    # "Your number will be called aloud and shown on the board."
    booking_note: str = ""       # a booked visitor's: "Your appointment: 11:00 …" or too late
    frame: Frame = Frame()

    @property
    def tiles(self) -> tuple[Tile, ...]:
        return (Tile("done", self.done, accent=True, widget="done"),)


@dataclass(frozen=True)
class MessageScreen:
    """A sentence instead of a ticket: daily cap reached, past closing, an error."""

    name = "message"
    lang: str
    kind: str  # daily_cap | past_closing | error | help | help_failed | early | cancelled
    title: str
    body: str
    done: str
    frame: Frame = Frame()
    extra: tuple[Tile, ...] = ()   # choices before Done (too early: "Take a walk-in ticket")

    @property
    def tiles(self) -> tuple[Tile, ...]:
        return (*self.extra, Tile("done", self.done, widget="done"))


@dataclass(frozen=True)
class CodeScreen:
    """"I have an appointment": the booking code typed on a large keypad of the code's letters
    and digits, or read by the scanner; `error` says what went wrong with the last code."""

    name = "code"
    lang: str
    title: str
    hint: str
    typed: str
    length: int
    keys: tuple[Tile, ...]       # one per letter or digit of the code alphabet, ⌫ and ✓
    cancel: str
    error: str = ""
    # the texts' languages, one line each: several when opened from the first screen (no
    # language chosen yet), else the visitor's
    languages: tuple[str, ...] = ()
    frame: Frame = Frame()

    @property
    def tiles(self) -> tuple[Tile, ...]:
        return (*self.keys, Tile("cancel", self.cancel, widget="cancel"))

    @property
    def every_language(self) -> bool:
        """Opened from the first screen: its texts are in every language."""
        return len(self.languages) > 1


@dataclass(frozen=True)
class ClosedScreen:
    """Outside opening hours: "closed" in every language and the week's hours."""

    name = "closed"
    centre: str
    titles: tuple[str, ...]
    hours_title: str
    hours: tuple[tuple[str, str], ...]
    languages: tuple[str, ...] = ()   # of the titles, in order
    frame: Frame = Frame()
    tiles: tuple[Tile, ...] = ()


@dataclass(frozen=True)
class OutOfServiceScreen:
    """The queue cannot be reached: a calm message in every language; retried by itself."""

    name = "out_of_service"
    titles: tuple[str, ...]
    bodies: tuple[str, ...]
    languages: tuple[str, ...] = ()   # of the titles and bodies, in order
    frame: Frame = Frame()
    tiles: tuple[Tile, ...] = ()


@dataclass(frozen=True)
class PinScreen:
    """Staff exit: a keypad for the PIN (its keys do nothing while `locked`)."""

    name = "pin"
    title: str
    digits: int
    error: str = ""
    exit_label: str = ""
    cancel_label: str = ""
    locked: bool = False
    keys: tuple[str, ...] = field(default=("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "✓"))
    frame: Frame = Frame()
    tiles: tuple[Tile, ...] = ()


Screen = (LanguageScreen | MenuScreen | TicketScreen | MessageScreen | ClosedScreen
          | OutOfServiceScreen | PinScreen | CodeScreen)



def screen_lang(screen: Screen | None) -> str | None:
    """The language a screen was drawn in, for the screens that have one."""
    if isinstance(screen, MenuScreen | TicketScreen | MessageScreen | CodeScreen):
        return screen.lang
    return None


def screen_language(screen: Screen | None) -> str | None:
    """The one language a screen shows; None for a screen in every language (the first one, a
    closed or out-of-service notice, the check-in keypad opened from the first screen) or the
    staff's PIN keypad."""
    if isinstance(screen, CodeScreen) and screen.every_language:
        return None
    return screen_lang(screen)
