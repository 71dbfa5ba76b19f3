"""The screens a visit goes through before its ticket, as plain data from the centre config: the
language screen, the closed screen, and the menus of categories, services and priority classes
(in large text a page of at most six choices at a time, with tiles to turn the page)."""

from __future__ import annotations

from kiosk.screens import ClosedScreen, LanguageScreen, MenuScreen, Tile
from shared.config.centre import WEEKDAYS, CentreConfig
from shared.i18n import LANGUAGE_NAMES, tr

WEEKDAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                    "Saturday", "Sunday"), strict=True))
CLOSED_SEPARATOR = " · "  # between the languages of one closed-screen text
PRINTER_NOTICE = ("The printer is not working right now: your ticket will be shown on the screen. "
                  "Please take a photo of it.")
APPOINTMENT = "appointment"  # the tile of a visitor who booked (kiosk/appointments.py)
APPOINTMENT_LABEL = "I have an appointment"
LARGE_PAGE = 6               # large text: at most this many choices on a page (plus paging tiles)


def language_screen(config: CentreConfig, printer_faulted: bool) -> LanguageScreen:
    langs = config.languages
    booked = (Tile(APPOINTMENT, "\n".join(dict.fromkeys(tr(x, APPOINTMENT_LABEL) for x in langs)),
                   accent=True),) if config.bookings.enabled else ()
    return LanguageScreen(
        centre=config.name(langs[0]),
        titles=tuple(tr(x, "Choose a language to take a ticket") for x in langs),
        tiles=tuple(Tile(x, LANGUAGE_NAMES[x]) for x in langs) + booked,
        printer_notices=tuple(tr(x, PRINTER_NOTICE) for x in langs) if printer_faulted else ())


def closed_screen(config: CentreConfig) -> ClosedScreen:
    """Closed: nobody has chosen a language, so every text is in every language."""
    langs = config.languages

    def every(msgid: str) -> str:
        return CLOSED_SEPARATOR.join(dict.fromkeys(tr(x, msgid) for x in langs))

    hours = tuple((every(WEEKDAY_NAMES[day]), span or every("closed"))
                  for day, span in config.hours.describe())
    return ClosedScreen(centre=config.name(langs[0]),
                        titles=tuple(tr(x, "The centre is closed") for x in langs),
                        hours_title=every("Opening hours"), hours=hours, languages=langs)


def pages_of(count: int, large: bool) -> int:
    return -(-count // LARGE_PAGE) if large and count > LARGE_PAGE else 1


def menu_screen(name: str, lang: str, title: str, tiles: tuple[Tile, ...], large: bool, page: int,
                subtitle: str = "") -> MenuScreen:
    """A menu; in large text only page `page` of its tiles (clamped to the pages there are)."""
    pages = pages_of(len(tiles), large)
    page = max(0, min(page, pages - 1))
    if pages > 1:
        start = page * LARGE_PAGE
        tiles = ((Tile("page:prev", tr(lang, "◀ Previous choices"), accent=True),) if page else ()) \
            + tiles[start:start + LARGE_PAGE] \
            + ((Tile("page:next", tr(lang, "More choices ▶"), accent=True),) if page < pages - 1 else ())
    return MenuScreen(name, lang, title, tiles, tr(lang, "Back"), tr(lang, "Start over"),
                      subtitle=subtitle, page=page, pages=pages)


def categories(config: CentreConfig, lang: str, large: bool, page: int) -> MenuScreen:
    return menu_screen("categories", lang, tr(lang, "What is your visit about?"),
                       tuple(Tile(c.id, c.name(lang), c.prefix, accent=c.id == "vem")
                             for c in config.categories), large, page)


def services(config: CentreConfig, category: str, lang: str, large: bool, page: int) -> MenuScreen:
    cat = config.category(category)
    return menu_screen("services", lang, tr(lang, "Choose a service"),
                       tuple(Tile(s.id, s.name(lang), s.prefix) for s in cat.services), large, page,
                       subtitle=cat.name(lang))


def priorities(config: CentreConfig, service: str, lang: str, large: bool, page: int) -> MenuScreen:
    tiles = (Tile("none", tr(lang, "No — regular queue"), accent=True),
             *(Tile(p.id, p.name(lang)) for p in config.priorities))
    return menu_screen("priorities", lang, tr(lang, "Do you belong to one of these groups?"),
                       tiles, large, page, subtitle=config.service(service).name(lang))
