"""Numbers, letters, dates and announcement sentences as the board says and shows them."""

from __future__ import annotations

from datetime import datetime

import pytest

from board.calendar_names import date_text
from board.phrases import announcement_text, split_code
from shared.speech.numbers import NumberOutOfRange, az_words, en_words, letter_name, ru_words


@pytest.mark.parametrize(("n", "az", "ru", "en"), [
    (1, "bir", "один", "one"),
    (7, "yeddi", "семь", "seven"),
    (15, "on beş", "пятнадцать", "fifteen"),
    (40, "qırx", "сорок", "forty"),
    (99, "doxsan doqquz", "девяносто девять", "ninety-nine"),
    (100, "yüz", "сто", "one hundred"),
    (115, "yüz on beş", "сто пятнадцать", "one hundred and fifteen"),
    (240, "iki yüz qırx", "двести сорок", "two hundred and forty"),
    (999, "doqquz yüz doxsan doqquz", "девятьсот девяносто девять", "nine hundred and ninety-nine"),
])
def test_number_words(n: int, az: str, ru: str, en: str) -> None:
    """Numbers 1–999 are said as numbers in each language, not digit by digit."""
    assert (az_words(n), ru_words(n), en_words(n)) == (az, ru, en)


def test_every_number_has_words() -> None:
    """Every ticket number 1–999 has words in every language, and 0/1000 are refused."""
    for n in range(1, 1000):
        assert az_words(n) and ru_words(n) and en_words(n)
    for bad in (0, 1000, -1):
        with pytest.raises(NumberOutOfRange):
            az_words(bad)


def test_announcement_sentences() -> None:
    """The sentence for A-015 at counter 7 comes from the catalog with the numbers in words."""
    assert announcement_text("az", "A-015", "7") == \
        "a on beş nömrəli bilet, yeddi nömrəli pəncərəyə yaxınlaşın."
    assert announcement_text("ru", "A-015", "7") == "Талон а пятнадцать, подойдите к окну номер семь."
    assert announcement_text("en", "A-015", "7") == "Ticket ay fifteen, please go to counter seven."
    assert announcement_text("az", "V-003", "18", recall=True).startswith("Təkrar: ve üç nömrəli")
    assert split_code("BC-120") == ("BC", 120)
    assert letter_name("az", "Q") == "qe"


def test_dates_in_the_board_language() -> None:
    """Month and weekday names are the board's own, whatever locales the OS has."""
    monday = datetime(2026, 11, 23, 10, 0)
    assert date_text("az", monday) == "23 noyabr 2026, bazar ertəsi"
    assert date_text("ru", monday) == "23 ноября 2026, понедельник"
    assert date_text("en", monday) == "Monday, 23 November 2026"
    assert date_text("az", datetime(2026, 3, 20)) == "20 mart 2026, cümə"
