"""Dates and times in the board's language, with month and weekday names written out here
(the board must not depend on which OS locales happen to be installed)."""

from __future__ import annotations

from datetime import datetime

_MONTHS = {
    "az": ("yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr",
           "oktyabr", "noyabr", "dekabr"),
    # genitive, as in "23 ноября"
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
           "октября", "ноября", "декабря"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
_WEEKDAYS = {  # Monday first, as datetime.weekday()
    "az": ("bazar ertəsi", "çərşənbə axşamı", "çərşənbə", "cümə axşamı", "cümə", "şənbə", "bazar"),
    "ru": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def month_name(lang: str, month: int) -> str:
    """The month (1–12) as used in a date: ("az", 11) → "noyabr"."""
    return _MONTHS.get(lang, _MONTHS["en"])[month - 1]


def weekday_name(lang: str, weekday: int) -> str:
    """The weekday (0 = Monday): ("az", 0) → "bazar ertəsi"."""
    return _WEEKDAYS.get(lang, _WEEKDAYS["en"])[weekday]


def date_text(lang: str, local: datetime) -> str:
    """The date as the board shows it: az "23 noyabr 2026, bazar ertəsi",
    ru "23 ноября 2026, понедельник", en "Monday, 23 November 2026"."""
    day, month, year = local.day, month_name(lang, local.month), local.year
    weekday = weekday_name(lang, local.weekday())
    if lang == "en":
        return f"{weekday}, {day} {month} {year}"
    return f"{day} {month} {year}, {weekday}"


def time_text(local: datetime) -> str:
    """The time of day, 24-hour, as the board's clock shows it: "10:05"."""
    return f"{local:%H:%M}"
