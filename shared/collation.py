"""Sorting names the way readers of each language expect them: ICU's collation for the language
(Azerbaijani: … E Ə F G Ğ H X I İ J K Q L … O Ö … S Ş … U Ü …), through PyICU. Browsers cannot
be relied on for it (Chromium's ICU data has no Azerbaijani tailoring)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

import icu

T = TypeVar("T")


@cache
def _collator(lang: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(lang))


def sort_key(lang: str) -> Callable[[str], bytes]:
    """A key function ordering text as `lang` orders it."""
    return _collator(lang).getSortKey


def sorted_by_name(items: Iterable[T], name: Callable[[T], str], lang: str) -> list[T]:
    """`items` in `lang`'s alphabetical order of `name(item)`."""
    key = sort_key(lang)
    return sorted(items, key=lambda item: key(name(item)))
