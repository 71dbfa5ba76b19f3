"""Numbers and letters as they are spoken: 1–999 in words (az, ru, en) and ticket letters by name.

Written here rather than taken from a library so that the board says exactly what a visitor
expects to hear ("on beş", "пятнадцать", "fifteen") with no dependency on the OS locale."""

from __future__ import annotations

_AZ_ONES = ("", "bir", "iki", "üç", "dörd", "beş", "altı", "yeddi", "səkkiz", "doqquz")
_AZ_TENS = ("", "on", "iyirmi", "otuz", "qırx", "əlli", "altmış", "yetmiş", "səksən", "doxsan")

_RU_ONES = ("", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_RU_TEENS = ("десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать",
             "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать")
_RU_TENS = ("", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят",
            "восемьдесят", "девяносто")
_RU_HUNDREDS = ("", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот",
                "восемьсот", "девятьсот")

_EN_ONES = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
             "seventeen", "eighteen", "nineteen")
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

# Ticket prefixes are Latin capitals; each language names them the way its speakers read them.
_LETTERS = {
    "az": dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   ("a", "be", "ce", "de", "e", "fe", "ge", "he", "i", "je", "ka", "el", "em",
                    "en", "o", "pe", "qe", "er", "es", "te", "u", "ve", "dubl ve", "xe", "ye",
                    "ze"), strict=True)),
    "ru": dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   ("а", "бэ", "цэ", "дэ", "е", "эф", "гэ", "аш", "и", "йот", "ка", "эль", "эм",
                    "эн", "о", "пэ", "ку", "эр", "эс", "тэ", "у", "вэ", "дубль-вэ", "икс",
                    "игрек", "зэт"), strict=True)),
    "en": dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   ("ay", "bee", "see", "dee", "ee", "ef", "jee", "aitch", "eye", "jay", "kay",
                    "el", "em", "en", "oh", "pee", "cue", "ar", "ess", "tee", "you", "vee",
                    "double-you", "ex", "why", "zed"), strict=True)),
}

MIN_NUMBER, MAX_NUMBER = 1, 999


class NumberOutOfRange(ValueError):
    """Only whole numbers 1–999 are spoken as words (ticket numbers never go beyond)."""


def _check(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or not MIN_NUMBER <= n <= MAX_NUMBER:
        raise NumberOutOfRange(f"cannot say {n!r} in words: only whole numbers 1–999")


def az_words(n: int) -> str:
    """1–999 in Azerbaijani: 15 → "on beş", 100 → "yüz", 215 → "iki yüz on beş"."""
    _check(n)
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        words += ([_AZ_ONES[hundreds]] if hundreds > 1 else []) + ["yüz"]
    tens, ones = divmod(rest, 10)
    words += [w for w in (_AZ_TENS[tens], _AZ_ONES[ones]) if w]
    return " ".join(words)


def ru_words(n: int) -> str:
    """1–999 in Russian (masculine): 15 → "пятнадцать", 221 → "двести двадцать один"."""
    _check(n)
    hundreds, rest = divmod(n, 100)
    words = [_RU_HUNDREDS[hundreds]] if hundreds else []
    if 10 <= rest < 20:
        words.append(_RU_TEENS[rest - 10])
    else:
        tens, ones = divmod(rest, 10)
        words += [w for w in (_RU_TENS[tens], _RU_ONES[ones]) if w]
    return " ".join(words)


def en_words(n: int) -> str:
    """1–999 in (British) English: 15 → "fifteen", 115 → "one hundred and fifteen"."""
    _check(n)
    hundreds, rest = divmod(n, 100)
    words = [_EN_ONES[hundreds], "hundred"] if hundreds else []
    if hundreds and rest:
        words.append("and")
    if 10 <= rest < 20:
        words.append(_EN_TEENS[rest - 10])
    elif rest:
        tens, ones = divmod(rest, 10)
        words.append("-".join(w for w in (_EN_TENS[tens], _EN_ONES[ones]) if w))
    return " ".join(words)


_WORDS = {"az": az_words, "ru": ru_words, "en": en_words}


def number_words(lang: str, n: int) -> str:
    """A number 1–999 in words in one of the board's languages."""
    try:
        return _WORDS[lang](n)
    except KeyError:
        raise ValueError(f"no number words for language {lang!r}") from None


def letter_name(lang: str, letter: str) -> str:
    """How a ticket letter is said: ("az", "C") → "ce"; an unknown character is left as is."""
    return _LETTERS.get(lang, {}).get(letter.upper(), letter)


def spoken_code(lang: str, prefix: str, number: int) -> str:
    """A ticket as said aloud: ("az", "A", 15) → "a on beş"."""
    letters = " ".join(letter_name(lang, ch) for ch in prefix)
    return f"{letters} {number_words(lang, number)}".strip()


def spoken_counter(lang: str, counter: str) -> str:
    """A counter id as said aloud: "7" → "yeddi"; a non-numeric id is said as written."""
    return number_words(lang, int(counter)) if counter.isdigit() and 1 <= int(counter) <= 999 else counter
