"""No English reaches an az or ru reader: every az and ru message differs from its English text
unless it is listed here as intentionally shared (codes, brand names, symbols), and the centre
config's names are translated rather than copied."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from shared.config.centre import load_config
from shared.i18n import LOCALE_DIR, tr

# Messages whose text is the same in every language on purpose. Keep this list short.
SHARED = {
    "az": {
        "Kiosk",   # the word Azerbaijani uses for a self-service kiosk
        "kiosk",   # the same, as a device's role on the devices page
    },
    "ru": set(),
}


def _has_words(text: str) -> bool:
    """Whether a message has words of its own besides its placeholders ("{service}, {time}"
    has none: it only orders values, and reads the same in every language)."""
    return any(ch.isalpha() for ch in re.sub(r"\{[^}]*\}", "", text))


def _english(msgid: str, plural: str | None, index: int) -> str:
    """What an English reader sees for this message (the en catalog, else the msgid)."""
    return tr("en", msgid) if plural is None else (msgid, plural)[min(index, 1)]


def _messages(lang: str):
    for po in sorted((LOCALE_DIR / lang).glob("*.po")):
        with po.open("rb") as fh:
            for m in read_po(fh, locale=None if lang == "az" else lang):
                if m.id:
                    yield po.stem, m


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_no_message_is_left_in_english(lang):
    """Each az / ru message differs from its English text (codes and brands excepted, listed)."""
    same = []
    for surface, m in _messages(lang):
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id, None)
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        for i, text in enumerate(strings):
            english = _english(ids[0], ids[1], i) if ids[1] else tr("en", ids[0])
            if text and text.strip().lower() == english.strip().lower() and \
                    ids[0] not in SHARED[lang] and _has_words(ids[0]):
                same.append(f"{surface}: {ids[0]!r} = {text!r}")
    assert same == []


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_every_english_message_is_translated(lang):
    """Every message the en catalog defines exists in az and ru too (no English fallback)."""
    en = {m.id[0] if isinstance(m.id, (tuple, list)) else m.id for _, m in _messages("en")}
    here = {m.id[0] if isinstance(m.id, (tuple, list)) else m.id for _, m in _messages(lang)
            if m.string and not m.fuzzy}
    assert sorted(en - here) == []


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_centre_config_names_are_translated(lang):
    """The bundled config's category, service and priority names are not copies of English."""
    cfg = load_config()
    named = [*cfg.categories, *cfg.services.values(), *cfg.priorities]
    copied = [x.id for x in named if x.names.get(lang, "").lower() == x.names.get("en", "").lower()]
    assert copied == []
