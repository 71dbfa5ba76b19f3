"""One message catalog for every surface (kiosk, ticket, board, speech, counter, phone page).

Catalogs are gettext .po files in assets/locale/<lang>/*.po (one file per surface, merged into
one catalog per language), read with Babel; message ids are the English texts. Which plural
form a number takes is Babel's rule for the language (CLDR), not each file's header."""

from __future__ import annotations

import gettext
import logging
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "assets" / "locale"
LANGUAGE_NAMES = {"az": "Azərbaycanca", "ru": "Русский", "en": "English"}


class Catalog:
    """The translations of one language, merged from every .po file of it."""

    def __init__(self, lang: str, locale_dir: Path = LOCALE_DIR):
        self.lang = lang
        self.messages: dict[str, str | tuple[str, ...]] = {}
        self.plural = gettext.c2py(get_plural(lang).plural_expr)
        for po in sorted((locale_dir / lang).glob("*.po")):
            with po.open("rb") as fh:
                cat = read_po(fh, locale=lang)
            for msg in cat:
                if not msg.id or msg.fuzzy:
                    continue
                key = msg.id[0] if isinstance(msg.id, (tuple, list)) else msg.id
                if isinstance(msg.string, (tuple, list)):
                    if all(msg.string):
                        self.messages[key] = tuple(msg.string)
                elif msg.string:
                    self.messages[key] = msg.string

    def gettext(self, msgid: str, **kw: Any) -> str:
        text = self.messages.get(msgid, msgid)
        if isinstance(text, tuple):
            text = text[0]
        return text.format(**kw) if kw else text

    def ngettext(self, singular: str, plural: str, n: int, **kw: Any) -> str:
        forms = self.messages.get(singular)
        if isinstance(forms, tuple):
            index = self.plural(n)
            text = forms[min(int(index), len(forms) - 1)]
        else:
            text = singular if n == 1 else plural
        return text.format(n=n, **kw)


@cache
def catalog(lang: str) -> Catalog:
    """The merged catalog of a language (loaded once)."""
    return Catalog(lang)


def tr(lang: str, msgid: str, **kw: Any) -> str:
    """The message in that language, with {placeholders} filled in."""
    return catalog(lang).gettext(msgid, **kw)


def ntr(lang: str, singular: str, plural: str, n: int, **kw: Any) -> str:
    """The message in the plural form that fits n ({n} is filled in)."""
    return catalog(lang).ngettext(singular, plural, n, **kw)
