"""What the kiosk says for each screen in audio mode: the screen's own texts, in the visitor's
language, each choice with its number — and the first screen each language in its own voice.

Plain functions of the screen models (kiosk/screens.py), so a test compares what is said with
what is shown, in every language, without a screen or a voice."""

from __future__ import annotations

import unicodedata

from kiosk.menus import APPOINTMENT_LABEL
from kiosk.screens import (
    ClosedScreen,
    CodeScreen,
    LanguageScreen,
    MenuScreen,
    MessageScreen,
    OutOfServiceScreen,
    Screen,
    TicketScreen,
)
from kiosk.speaker import Phrase
from shared.i18n import tr
from shared.speech.numbers import number_words, spoken_code

KEY_GUIDE = ("Move with up and down or a number, choose with Enter. Back goes back, Help calls "
             "staff, plus and minus set the volume.")
CALLED_BY_VOICE = "Your number will be called aloud and shown on the board."
PRESS_FOR_LANGUAGE = "Press {number}, then Enter."
AUDIO_ON = "Audio help is on."


def choice(lang: str, number: int, label: str) -> Phrase:
    """"bir: Pensiyalar" — a choice with its number, as words in the visitor's language; the
    label's pictographs (✓, ⌫) are for the eye and left unsaid."""
    return Phrase(f"{number_words(lang, number)}: {_unsaid_symbols(label)}.", lang)


def choice_in(languages: tuple[str, ...], number: int, label: str) -> list[Phrase]:
    """A choice whose label has a line per language (a screen in every language): the number
    and the first line in the first language, then each further line in its own voice."""
    lines = by_language(label, languages)
    first_text, first_lang = lines[0]
    return [choice(first_lang, number, first_text),
            *(Phrase(_sentence(_unsaid_symbols(text)), lang) for text, lang in lines[1:])]


def by_language(text: str, languages: tuple[str, ...]) -> list[tuple[str, str]]:
    """A text of one line per language paired with them; any other text is one line in the
    first language."""
    lines = text.split("\n")
    if len(languages) > 1 and len(lines) == len(languages):
        return list(zip(lines, languages, strict=True))
    return [(" ".join(lines), languages[0])]


def _unsaid_symbols(text: str) -> str:
    return " ".join("".join(c for c in text if unicodedata.category(c) != "So").split())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!", "…", ":")) else f"{text}."


def choice_labels(screen: Screen) -> list[str]:
    """The labels of the screen's numbered choices, in order (tiles, then Back and Start over)."""
    labels = [t.label for t in screen.tiles]
    if isinstance(screen, MenuScreen):
        labels += [screen.back, screen.home]
    return labels


def screen_phrases(screen: Screen, centre_lang: str) -> list[Phrase]:
    """Everything the screen shows, as it is said."""
    if isinstance(screen, LanguageScreen):
        out = [Phrase(_sentence(screen.centre), centre_lang)]
        languages = screen.tiles[:len(screen.titles)]
        booked = len(screen.tiles) > len(languages)       # "I have an appointment" follows
        for i, (tile, title) in enumerate(zip(languages, screen.titles, strict=True), 1):
            lang = tile.id
            appointment = (f" {tr(lang, APPOINTMENT_LABEL)}: " + tr(
                lang, PRESS_FOR_LANGUAGE, number=number_words(lang, len(languages) + 1))
                if booked else "")
            out.append(Phrase(f"{_sentence(title)} {tile.label}: "
                              f"{tr(lang, PRESS_FOR_LANGUAGE, number=number_words(lang, i))}"
                              + appointment, lang))
        return out
    if isinstance(screen, MenuScreen):
        lang = screen.lang
        out = [Phrase(_sentence(screen.title), lang)]
        if screen.subtitle:
            out.insert(0, Phrase(_sentence(screen.subtitle), lang))
        out += [choice(lang, i, label) for i, label in enumerate(choice_labels(screen), 1)]
        return out
    if isinstance(screen, TicketScreen):
        lang, t = screen.lang, screen.ticket
        out = [Phrase(f"{screen.your_number}: {spoken_code(lang, t.prefix, t.number)}.", lang),
               Phrase(_sentence(screen.service), lang)]
        out += [Phrase(_sentence(x), lang)
                for x in (screen.booking_note, screen.priority, screen.ahead, screen.wait) if x]
        out.append(Phrase(_sentence(screen.called_by_voice or tr(lang, CALLED_BY_VOICE)), lang))
        if screen.print_state != "printing":   # "take your ticket" follows when it is printed
            out.append(Phrase(_sentence(screen.print_message), lang))
        if screen.qr_caption:
            out.append(Phrase(_sentence(screen.qr_caption), lang))
        out.append(choice(lang, 1, screen.done))
        return out
    if isinstance(screen, MessageScreen):
        lang = screen.lang
        out = [Phrase(_sentence(x), lang) for x in (screen.title, screen.body) if x]
        return [*out, *(choice(lang, i, t.label) for i, t in enumerate(screen.tiles, 1))]
    if isinstance(screen, CodeScreen):
        lang, said_in = screen.lang, screen.languages or (screen.lang,)
        out = [Phrase(_sentence(line), line_lang) for x in (screen.error, screen.title, screen.hint)
               if x for line, line_lang in by_language(x, said_in)]
        if screen.typed:
            out.append(Phrase(_sentence(" ".join(screen.typed)), lang))
        return out      # the keys are said one by one as the keypad's focus moves on them
    if isinstance(screen, OutOfServiceScreen):
        return [Phrase(f"{_sentence(title)} {_sentence(body)}", lang)
                for title, body, lang in zip(screen.titles, screen.bodies, screen.languages, strict=True)]
    if isinstance(screen, ClosedScreen):
        out = [Phrase(_sentence(title), lang)
               for title, lang in zip(screen.titles, screen.languages, strict=True)]
        first = " ".join(f"{_first(day)}: {_first(span)}." for day, span in screen.hours)
        return [*out, Phrase(f"{_first(screen.hours_title)}: {first}", centre_lang)]
    return []  # the staff PIN pad is not spoken


def _first(text: str) -> str:
    """The first language's part of a closed-screen text ("Bazar ertəsi · Понедельник")."""
    return text.split(" · ")[0]
