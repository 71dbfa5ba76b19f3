"""Dates and times in the board's language, with month and weekday names from Babel's CLDR data
(the board must not depend on which OS locales happen to be installed). The names are read from
Babel once per language: the board writes its date at every tick, on the UI thread."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from babel.dates import get_day_names, get_month_names

LANGUAGES = ("az", "ru", "en")   # another language gets English's
WEEKDAY_AFTER = {"az", "ru"}     # the weekday follows the date, written in lower case


@cache
def _names(lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(months January first, weekdays Monday first) as used inside a date ("23 ноября")."""
    months = get_month_names("wide", "format", lang)
    days = get_day_names("wide", "format", lang)
    weekdays = tuple(days[d] for d in range(7))
    if lang in WEEKDAY_AFTER:
        weekdays = tuple(w[:1].lower() + w[1:] for w in weekdays)
    return tuple(months[m] for m in range(1, 13)), weekdays


def month_name(lang: str, month: int) -> str:
    """The month (1–12) as used in a date: ("az", 11) → "noyabr", ("ru", 11) → "ноября"."""
    return _names(_language(lang))[0][month - 1]


def weekday_name(lang: str, weekday: int) -> str:
    """The weekday (0 = Monday) as written inside a sentence: ("az", 0) → "bazar ertəsi"."""
    return _names(_language(lang))[1][weekday]


def date_text(lang: str, local: datetime) -> str:
    """The date as the board shows it: az "23 noyabr 2026, bazar ertəsi",
    ru "23 ноября 2026, понедельник", en "Monday, 23 November 2026"."""
    lang = _language(lang)
    month, weekday = month_name(lang, local.month), weekday_name(lang, local.weekday())
    if lang in WEEKDAY_AFTER:
        return f"{local.day} {month} {local.year}, {weekday}"
    return f"{weekday}, {local.day} {month} {local.year}"


def time_text(local: datetime) -> str:
    """The time of day, 24-hour, as the board's clock shows it: "10:05"."""
    return f"{local:%H:%M}"


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else "en"


for _lang in LANGUAGES:  # read Babel's data as the board starts, not at its first tick
    _names(_lang)
