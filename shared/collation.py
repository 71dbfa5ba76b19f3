"""Sorting names the way their readers expect, by the alphabet of the page's language:
Azerbaijani A B C Ç D E Ə F G Ğ H X I İ J K Q L M N O Ö P R S Ş T U Ü V Y Z (Ç after C, Ə after
E, X after H, İ after I, Q after K… — Python's code-point order puts Ç, Ə, İ, Ö, Ş, Ü after Z),
Russian with Ё beside Е, English by letters whatever their case. Every list of names shown
sorted goes through collation_key.

A small key of our own rather than a library: PyICU has no wheel on PyPI (its source build
needs a C++ compiler and ICU's headers on every server; it did not finish in 15 minutes here),
Babel does not collate, and `locale.strxfrm` needs an az_AZ locale generated on the machine."""

from __future__ import annotations

from collections.abc import Callable

ALPHABETS = {
    "az": "abcçdeəfgğhxıijkqlmnoöprsştuüvyz",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "en": "abcdefghijklmnopqrstuvwxyz",
}
_RANKS = {lang: {ch: i for i, ch in enumerate(letters)} for lang, letters in ALPHABETS.items()}
_SAME = {"ru": {"ё": "е"}}   # letters that sort as another unless the names are otherwise equal


def _lower(text: str, lang: str) -> str:
    if lang == "az":   # Azerbaijani casing: I ↔ ı, İ ↔ i
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()


def collation_key(lang: str) -> Callable[[str], tuple]:
    """A sort key for texts in `lang` ("az", "ru", "en"): spaces, digits and signs first, then
    the letters of the alphabet in its order, then any other letter; case and ё/е only break
    ties."""
    ranks = _RANKS.get(lang, _RANKS["en"])
    same = _SAME.get(lang, {})

    def rank(ch: str) -> tuple[int, int]:
        ch = same.get(ch, ch)
        if ch in ranks:
            return (1, ranks[ch])
        return (2, ord(ch)) if ch.isalpha() else (0, ord(ch))

    def key(text: str) -> tuple:
        low = _lower(text, lang)
        return (tuple(rank(ch) for ch in low), low, text)
    return key


def sorted_names(names: list[str], lang: str) -> list[str]:
    """`names` in the order of `lang`'s alphabet."""
    return sorted(names, key=collation_key(lang))
