"""Dates and times in the board's language, with month and weekday names from Babel's CLDR data
(the board must not depend on which OS locales happen to be installed)."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date

# How the board writes the date in each language; another language gets English's.
DATE_PATTERNS = {"az": "d MMMM y", "ru": "d MMMM y", "en": "EEEE, d MMMM y"}
WEEKDAY_AFTER = {"az", "ru"}  # languages that put the weekday after the date, in lower case


def month_name(lang: str, local: datetime) -> str:
    """The month as used in a date: ("az", November) → "noyabr", ("ru", …) → "ноября"."""
    return format_date(local, "MMMM", locale=_locale(lang))


def weekday_name(lang: str, local: datetime) -> str:
    """The weekday as written inside a sentence: ("az", a Monday) → "bazar ertəsi"."""
    name = format_date(local, "EEEE", locale=_locale(lang))
    return name[:1].lower() + name[1:] if lang in WEEKDAY_AFTER else name


def date_text(lang: str, local: datetime) -> str:
    """The date as the board shows it: az "23 noyabr 2026, bazar ertəsi",
    ru "23 ноября 2026, понедельник", en "Monday, 23 November 2026"."""
    lang = _locale(lang)
    text = format_date(local, DATE_PATTERNS[lang], locale=lang)
    return f"{text}, {weekday_name(lang, local)}" if lang in WEEKDAY_AFTER else text


def time_text(local: datetime) -> str:
    """The time of day, 24-hour, as the board's clock shows it: "10:05"."""
    return f"{local:%H:%M}"


def _locale(lang: str) -> str:
    return lang if lang in DATE_PATTERNS else "en"
