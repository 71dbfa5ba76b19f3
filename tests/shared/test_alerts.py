"""Staff alerts: one wording from the shared catalog, in every language, for every printer state."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from shared.core.alerts import ALERT_MESSAGES, OWN_ALERT_KINDS, alert_text, source_name
from shared.core.model import DEVICE_ALERT_KINDS, Alert
from shared.i18n import LOCALE_DIR, Catalog

AT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def test_every_device_alert_kind_has_a_phrase():
    """Each alert a device reports, and each a device shows of its own, has a phrase."""
    assert set(ALERT_MESSAGES) == set(DEVICE_ALERT_KINDS) | set(OWN_ALERT_KINDS)


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_phrases_are_in_the_shared_catalog(lang, tmp_path):
    """The phrases live in shared.po (not only in one surface's catalog)."""
    (tmp_path / lang).mkdir()
    shutil.copy(LOCALE_DIR / lang / "shared.po", tmp_path / lang / "shared.po")
    shared_only = Catalog(lang, locale_dir=tmp_path)
    for msgid in ALERT_MESSAGES.values():
        assert msgid in shared_only.messages, (lang, msgid)


def test_alert_text_per_language():
    """One alert reads naturally in each language, the device's name translated too."""
    paper = Alert("kiosk-1", "printer_paper_out", "paper out", AT)
    assert alert_text("en", paper) == "The printer of Kiosk 1 is out of paper"
    assert alert_text("az", paper) == "1 nömrəli kiosk: printerdə kağız bitib"
    assert alert_text("ru", paper) == "Киоск 1: в принтере закончилась бумага"
    offline = Alert("kiosk_2", "printer_offline", "", AT)
    assert alert_text("en", offline) == "The printer of Kiosk 2 is offline"
    assert alert_text("az", Alert("kiosk-1", "print_failed", "", AT)) == \
        "1 nömrəli kiosk: printer bileti çap edə bilmədi"
    silent = Alert("board", "board_silent", "no audio output device", AT)
    assert alert_text("ru", silent) == "Табло молчит: нет звукового устройства, вызовов не слышно"
    assert alert_text("az", Alert("board-hall", "speech_missing", "az", AT)) == \
        "«hall» tablosu yalnız siqnal verir: çağırışlar səsləndirilmir"


def test_the_devices_own_words_never_reach_the_sentence():
    """A transport error in English (Alert.message) stays out of the az / ru sentence."""
    failed = Alert("kiosk-1", "printer_offline", "tcp://127.0.0.1:9: cannot connect to 127.0.0.1:9", AT)
    for lang in ("az", "ru"):
        assert "cannot connect" not in alert_text(lang, failed) and "127.0.0.1" not in alert_text(lang, failed)


def test_unknown_kind_asks_for_a_staff_member():
    """A kind without a phrase still reads as a sentence in the language, not as an id."""
    assert alert_text("az", Alert("kiosk-3", "cover_open", "lid", AT)) == \
        "3 nömrəli kiosk: əməkdaşın müdaxiləsi lazımdır"
    assert source_name("  lobby--pc ") == "Lobby pc"
    assert source_name("kiosk", "ru") == "Киоск"
