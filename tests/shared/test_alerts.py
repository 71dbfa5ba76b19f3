"""Staff alerts: one wording from the shared catalog, in every language, for every printer state."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from shared.alerts import ALERT_MESSAGES, alert_text, source_name
from shared.i18n import LOCALE_DIR, Catalog
from shared.model import DEVICE_ALERT_KINDS, Alert

AT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def test_every_device_alert_kind_has_a_phrase():
    assert set(ALERT_MESSAGES) == set(DEVICE_ALERT_KINDS)


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_phrases_are_in_the_shared_catalog(lang, tmp_path):
    """The phrases live in shared.po (not only in one surface's catalog)."""
    (tmp_path / lang).mkdir()
    shutil.copy(LOCALE_DIR / lang / "shared.po", tmp_path / lang / "shared.po")
    shared_only = Catalog(lang, locale_dir=tmp_path)
    for msgid in ALERT_MESSAGES.values():
        assert msgid in shared_only.messages, (lang, msgid)


def test_alert_text_per_language():
    paper = Alert("kiosk-1", "printer_paper_out", "paper out", AT)
    assert alert_text("en", paper) == "The printer of Kiosk 1 is out of paper"
    assert alert_text("az", paper) == "Kiosk 1 printerində kağız bitib"
    assert alert_text("ru", paper) == "В принтере Kiosk 1 закончилась бумага"
    offline = Alert("kiosk_2", "printer_offline", "", AT)
    assert alert_text("en", offline) == "The printer of Kiosk 2 is offline"
    assert alert_text("az", Alert("kiosk-1", "print_failed", "", AT)) == "Kiosk 1 printeri çap edə bilmədi"


def test_unknown_kind_shows_source_kind_and_message():
    assert alert_text("az", Alert("kiosk-3", "cover_open", "lid", AT)) == "Kiosk 3: cover_open (lid)"
    assert source_name("  lobby--kiosk ") == "Lobby kiosk"
