"""The one message catalog: az and ru translate every message, placeholders survive, plurals fit."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from shared.core.model import Status
from shared.i18n import LOCALE_DIR, Catalog, ntr, tr

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _messages(lang: str, surface: str):
    path = LOCALE_DIR / lang / f"{surface}.po"
    with path.open("rb") as fh:
        return [m for m in read_po(fh, locale=None if lang == "az" else lang) if m.id]


def _surfaces() -> list[str]:
    return sorted(p.stem for p in (LOCALE_DIR / "az").glob("*.po"))


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_every_shared_message_is_translated(lang):
    """az and ru translate every message of the shared catalog (no empty or fuzzy entries)."""
    missing = [m.id for m in _messages(lang, "shared")
               if m.fuzzy or not (all(m.string) if isinstance(m.string, (tuple, list)) else m.string)]
    assert missing == []


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_every_ticket_status_has_a_label(lang):
    """Each ticket status has a translated label (the phone page shows tr(lang, status))."""
    assert [str(s) for s in Status if tr(lang, str(s)) == str(s)] == []


def test_english_status_labels_are_words():
    """English status labels are words people read, not ids with underscores."""
    assert [str(s) for s in Status if "_" in tr("en", str(s))] == []


@pytest.mark.parametrize("lang", ["az", "ru"])
@pytest.mark.parametrize("surface", _surfaces())
def test_translations_keep_the_placeholders(lang, surface):
    """A translation uses exactly the {placeholders} of its English message, in every catalog."""
    bad = []
    for m in _messages(lang, surface):
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for s in strings:
            if s and set(PLACEHOLDER.findall(s)) - wanted:
                bad.append((ids[0], s))
            if s and len(ids) == 1 and set(PLACEHOLDER.findall(s)) != wanted:
                bad.append((ids[0], s))
    assert bad == []


def test_tr_fills_placeholders_per_language():
    """tr() picks the language and fills the placeholders; unknown messages fall back to English."""
    assert tr("az", "Counter {counter}", counter="7") == "7 nömrəli pəncərə"
    assert tr("ru", "Counter {counter}", counter="7") == "Окно 7"
    assert tr("en", "Counter {counter}", counter="7") == "Counter 7"
    assert tr("az", "Not in any catalog") == "Not in any catalog"


def test_russian_plural_forms():
    """Russian picks one of its three plural forms by the number (1, 2–4, 5–20, 21…)."""
    ahead = {n: ntr("ru", "{n} person ahead", "{n} people ahead", n) for n in (1, 3, 5, 11, 21)}
    assert ahead == {1: "Перед вами 1 человек", 3: "Перед вами 3 человека", 5: "Перед вами 5 человек",
                     11: "Перед вами 11 человек", 21: "Перед вами 21 человек"}
    assert ntr("ru", "about {n} minute", "about {n} minutes", 21) == "около 21 минуты"
    assert ntr("en", "about {n} minute", "about {n} minutes", 1) == "about 1 minute"
    assert ntr("az", "{n} person ahead", "{n} people ahead", 4) == "Qarşınızda 4 nəfər var"


def test_catalog_merges_every_surface():
    """One catalog per language holds the messages of every surface's .po file."""
    az = Catalog("az")
    for surface in _surfaces():
        for m in _messages("az", surface):
            key = m.id[0] if isinstance(m.id, (tuple, list)) else m.id
            if m.string and not m.fuzzy:
                assert key in az.messages, (surface, key)
