"""A board that cannot be heard says so to the staff: on its own staff line and on every
counter console (a real server on 127.0.0.1), not only in its log."""

from __future__ import annotations

import pytest

from board.app import build_board
from board.sound_health import SoundMonitor
from qtcommon.audio import QtAudioSink
from qtcommon.runner import InlineRunner
from shared.speech.sinks import RecordingSink
from shared.speech.worker import SpeechWorker
from tests.server.live import live_server

pytestmark = pytest.mark.slow  # a live server, the speech worker and audio


@pytest.fixture
def server(db_path, config, clock):
    with live_server(db_path, config, clock) as s:
        yield s


def _console_alerts(server, lang: str) -> list[dict]:
    staff = server.staff_client("aysel", counter="7")
    view = staff.get(f"/counter/state?lang={lang}").json()
    return view["alerts"]


def test_board_without_audio_raises_the_alert_the_console_shows(qtbot, server, config, artifacts):
    """The real QtAudioSink on a machine without an audio output: the board reports
    board_silent; its staff line shows it, and the counter console shows it in az and ru — the
    device's English cause kept out of the sentence."""
    monitor = SoundMonitor()
    sink = QtAudioSink(monitor=monitor, outputs=lambda: [])  # a PC with no sound card
    widget = build_board(server.queue, config, sink=sink, monitor=monitor, speech=False,
                         runner=InlineRunner(), source="board-hall")
    qtbot.addWidget(widget)
    controller = widget.controller
    controller.tick()
    qtbot.waitUntil(lambda: (controller.poll() or True) and bool(controller.state.alerts), timeout=5000)
    assert controller.state.alerts == [
        "«hall» tablosu səssizdir: səs cihazı yoxdur, çağırışlar eşidilmir"]
    widget.resize(1920, 1080)
    widget.grab().save(str(artifacts / "board-silent-1920x1080.png"))

    az = _console_alerts(server, "az")
    assert [(a["source"], a["kind"], a["text"]) for a in az] == [
        ("board-hall", "board_silent",
         "«hall» tablosu səssizdir: səs cihazı yoxdur, çağırışlar eşidilmir")]
    ru = _console_alerts(server, "ru")
    assert ru[0]["text"] == "Табло «hall» молчит: нет звукового устройства, вызовов не слышно"
    assert "no audio" not in ru[0]["text"] and az[0]["message"] == "no audio output device"
    controller.close()


def test_heard_again_clears_the_alert(qtbot, server, config):
    """When sound comes back (a device plugged in), the board reports board_ok and the alert
    leaves the console."""
    outputs: list = []
    monitor = SoundMonitor()
    sink = QtAudioSink(monitor=monitor, outputs=lambda: outputs)
    widget = build_board(server.queue, config, sink=sink, monitor=monitor, speech=False,
                         runner=InlineRunner())
    qtbot.addWidget(widget)
    controller = widget.controller
    controller.tick()
    assert [a["kind"] for a in _console_alerts(server, "az")] == ["board_silent"]
    outputs.append("a sound card")
    sink.check()  # what QMediaDevices.audioOutputsChanged does
    controller.tick()
    assert _console_alerts(server, "az") == []
    qtbot.waitUntil(lambda: (controller.poll() or True) and not controller.state.alerts, timeout=5000)
    controller.close()


def test_missing_voice_is_a_chime_only_alert(qtbot, server, config, tmp_path):
    """Speech that cannot be made (no voice for the language) leaves calls as a chime only:
    the board reports speech_missing, shown as "only chimes" on the console."""
    class NoVoices(SpeechWorker):
        def render(self, text, lang, out):  # the engine of a PC without espeak-ng's voices
            from shared.speech.errors import VoiceMissing
            raise VoiceMissing(f"no voice for {lang!r}")

    monitor = SoundMonitor()
    widget = build_board(server.queue, config, sink=RecordingSink(), monitor=monitor,
                         speech=NoVoices(factories=[]), runner=InlineRunner(),
                         wav_dir=tmp_path)
    qtbot.addWidget(widget)
    controller = widget.controller
    controller.tick()
    server.queue.issue("pensions.age", language="ru")
    controller.poll()
    server.queue.call_next("4")
    qtbot.waitUntil(lambda: (controller.poll() or True) and controller.announcer.pending == 0,
                    timeout=10000)
    controller.tick()
    alerts = _console_alerts(server, "ru")
    assert [(a["kind"], a["text"]) for a in alerts] == [
        ("speech_missing", "Табло подаёт только сигнал: вызовы не озвучиваются")]
    assert alerts[0]["message"] == "az: no voice for 'az'; ru: no voice for 'ru'"
    controller.close()
