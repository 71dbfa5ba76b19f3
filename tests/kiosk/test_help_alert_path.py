"""A kiosk's help request travels the existing alert path (over a real LocalQueue): the
counter console, the manager's live view and the board's staff line read "A visitor needs help
at Kiosk 2" in az/ru/en until someone acknowledges it."""

from __future__ import annotations

import pytest

from server.pages.views import console_view
from shared.core.alerts import alert_text
from shared.core.model import DEVICE_ALERT_KINDS
from shared.reports.facts import FactStore
from shared.reports.live import hall_view
from tests.kiosk.recording import make_controller

WORDS = {"az": "Ziyarətçiyə kömək lazımdır: 2 nömrəli kiosk",
         "ru": "Посетителю нужна помощь: Киоск 2",
         "en": "A visitor needs help at Kiosk 2"}


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_help_from_kiosk_2_reaches_console_and_manager_until_acknowledged(
        local_queue, config, clock, db_path, lang):
    """The kiosk's Help button → console alerts and the manager's alerts, in the reader's
    language; after help_acknowledged neither shows it."""
    ctl, *_ = make_controller(local_queue, config, clock, source="kiosk-2")
    ctl.tap_language("az")
    clock.advance(1)
    ctl.tap_help()
    console = console_view(local_queue, "1", clock.now(), lang)
    assert [a["text"] for a in console["alerts"]] == [WORDS[lang]]
    facts = FactStore(db_path, config)
    try:
        live = hall_view(local_queue.snapshot(), facts, config, clock.now(), lang)
        assert [a["text"] for a in live["alerts"]] == [WORDS[lang]]
        local_queue.report_device("kiosk-2", "help_acknowledged")
        assert console_view(local_queue, "1", clock.now(), lang)["alerts"] == []
        assert hall_view(local_queue.snapshot(), facts, config, clock.now(), lang)["alerts"] == []
    finally:
        facts.close()


def test_help_is_a_device_alert_the_board_shows(local_queue, config, clock):
    """The board's staff line keeps the snapshot's alerts of DEVICE_ALERT_KINDS and reads them
    with alert_text: the help request is one of them, in the same words."""
    ctl, *_ = make_controller(local_queue, config, clock, source="kiosk-2")
    ctl.tap_help()   # on the language screen too
    alert, = local_queue.snapshot().alerts
    assert alert.kind in DEVICE_ALERT_KINDS
    assert alert_text("az", alert) == WORDS["az"]
