"""Speech: real espeak-ng voices (through pyttsx3 and the espeak-ng program) and what happens
when a voice is missing, the engine fails or hangs."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from board.announcer import Announcer, render_announcement
from board.phrases import announcement_text
from shared.speech.engines import EspeakCliEngine, Pyttsx3Engine
from shared.speech.errors import SpeechEngineFailed, SpeechEngineHung, VoiceMissing
from shared.speech.sinks import RecordingSink
from shared.speech.wavfile import stats
from shared.speech.worker import SpeechWorker


@pytest.mark.parametrize("engine", [Pyttsx3Engine, EspeakCliEngine])
@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_real_voices_speak(engine, lang: str, tmp_path: Path, artifacts: Path) -> None:
    """espeak-ng says A-015 → 7 in az, ru and en: each WAV longer than a second and not silent."""
    worker = SpeechWorker([engine])
    try:
        out = worker.render(announcement_text(lang, "A-015", "7"), lang,
                            artifacts / f"speech-{engine.name}-{lang}.wav")
    finally:
        worker.close()
    s = stats(out)
    assert s.seconds > 1.0
    assert s.rms > 0.02 and s.peak > 0.2


def test_say_wav_has_chime_then_speech(tmp_path: Path, artifacts: Path) -> None:
    """The whole announcement in three languages is one WAV: chime, then az, ru and en speech."""
    worker = SpeechWorker()
    try:
        wav, spoken, problems = render_announcement(worker, ("az", "ru", "en"), "B-120", "12",
                                                    artifacts / "announce-B-120-12.wav")
    finally:
        worker.close()
    assert (spoken, problems) == (["az", "ru", "en"], [])
    assert stats(wav).seconds > 8


class _NoVoices:
    name = "no-voices"

    def render(self, text: str, lang: str, out: Path) -> Path:
        raise VoiceMissing(f"no voice for {lang!r}")

    def close(self) -> None:
        pass


class _Broken:
    name = "broken"

    def __init__(self) -> None:
        raise RuntimeError("driver exploded")


class _Hangs:
    name = "hangs"
    release = threading.Event()

    def render(self, text: str, lang: str, out: Path) -> Path:
        self.release.wait()  # a hung engine: never returns on its own
        raise SpeechEngineFailed("released")

    def close(self) -> None:
        pass


def test_missing_voice_gives_chime_only_and_a_log_line(qtbot, board, local_queue, caplog) -> None:
    """With no voice for the language the call is still shown and chimed, and the log says so."""
    board.announcer.speech = SpeechWorker([_NoVoices])
    caplog.set_level(logging.WARNING)
    local_queue.issue("pensions.age")
    t = local_queue.call_next("4")
    qtbot.waitUntil(lambda: (board.poll() or True) and board.announcer.pending == 0
                    and len(board.announcer.sink.played) == 1, timeout=5000)
    assert board.state.newest.code == t.code
    assert board.announcer.history[-1].problems == ["az: no voice for 'az'"]
    assert "chime without speech in az: no voice for 'az'" in caplog.text


def test_engine_that_cannot_start_falls_back(tmp_path: Path, caplog) -> None:
    """An engine that fails to start is replaced by the next one (espeak-ng program)."""
    caplog.set_level(logging.WARNING)
    worker = SpeechWorker([_Broken, EspeakCliEngine])
    try:
        out = worker.render("bir iki üç", "az", tmp_path / "x.wav")
    finally:
        worker.close()
    assert worker.engine_name == "espeak-ng" and stats(out).seconds > 0.5
    assert "driver exploded" in caplog.text


def test_hung_engine_is_restarted_then_replaced(tmp_path: Path, caplog) -> None:
    """A hung engine times out (SpeechEngineHung), is restarted, and after hanging again is
    replaced by the next engine; announcements meanwhile are chime-only, not lost."""
    caplog.set_level(logging.WARNING)
    worker = SpeechWorker([_Hangs, EspeakCliEngine], timeout_s=0.3, max_hangs=2)
    sink = RecordingSink()
    announcer = Announcer(sink, ("az",), worker, out_dir=tmp_path)
    try:
        for i in range(2):
            announcer.announce(f"A-00{i + 1}", "1")
        assert announcer.wait_idle(30)
        worker.timeout_s = 30    # espeak-ng, next, is real: 0.3 s was too short at load 13
        announcer.announce("A-003", "1")
        assert announcer.wait_idle(30)
    finally:
        _Hangs.release.set()
        announcer.close()
    assert sink.labels == ["A-001 → 1", "A-002 → 1", "A-003 → 1"]
    problems = [a.problems for a in announcer.history]
    assert "did not finish" in problems[0][0] and "did not finish" in problems[1][0]
    assert problems[2] == [] and announcer.history[2].spoken == ["az"]
    assert worker.restarts == 2 and worker.engine_name == "espeak-ng"
    assert "hung" in caplog.text


def test_engine_errors_are_named(tmp_path: Path) -> None:
    """Engine errors reach the caller as the board's named speech errors."""
    worker = SpeechWorker([_NoVoices])
    with pytest.raises(VoiceMissing):
        worker.render("x", "az", tmp_path / "x.wav")
    worker.close()
    worker = SpeechWorker([_Broken])
    with pytest.raises(SpeechEngineFailed):
        worker.render("x", "az", tmp_path / "x.wav")
    assert not isinstance(SpeechEngineHung("x"), VoiceMissing)
