"""The kiosk's voice with real espeak-ng: non-silent phrases in az/ru/en, never overlapping,
a new screen's speech replacing what is queued, the visitor's act cutting the phrase playing."""

from __future__ import annotations

import shutil
import threading

import pytest

from kiosk.speaker import DEFAULT_VOLUME_LEVEL, Phrase, Speaker, volume_of
from shared.speech.engines import EspeakCliEngine
from shared.speech.sinks import RecordingSink
from shared.speech.wavfile import stats
from shared.speech.worker import SpeechWorker

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is needed")


class SignallingSink(RecordingSink):
    """A RecordingSink that says when a WAV starts (tests wait on it, never on the clock)."""

    def __init__(self, speed: float) -> None:
        super().__init__(speed)
        self.started = threading.Semaphore(0)

    def play(self, wav, done, label=""):
        super().play(wav, done, label)
        self.started.release()


def speaker(tmp_path, sink) -> Speaker:
    return Speaker(sink, SpeechWorker(factories=[EspeakCliEngine]), cache_dir=tmp_path / "wavs")


PHRASES = [Phrase("Bilet almaq üçün dil seçin. Azərbaycanca: bir.", "az"),
           Phrase("Выберите язык, чтобы получить талон. Русский: два.", "ru"),
           Phrase("Choose a language to take a ticket. English: three.", "en")]


def test_each_language_is_spoken_in_its_own_voice_and_heard(tmp_path, artifacts):
    """Each phrase becomes a real espeak-ng WAV that is not silent (RMS and length measured)."""
    sink = RecordingSink()
    voice = speaker(tmp_path, sink)
    try:
        voice.say(PHRASES)
        assert voice.wait_idle(60)
        assert [h.phrase for h in voice.spoken] == PHRASES
        out = artifacts / "kiosk-speech"
        out.mkdir(parents=True, exist_ok=True)
        for heard in voice.spoken:
            s = stats(heard.wav)
            assert s.seconds > 1.0 and s.rms > 0.02 and s.peak > 0.2, (heard.phrase, s)
            shutil.copy(heard.wav, out / f"language-screen-{heard.phrase.lang}.wav")
        assert sink.played[0].volume == volume_of(DEFAULT_VOLUME_LEVEL)
    finally:
        voice.close()


def test_a_new_screen_replaces_the_queue_but_lets_the_word_end(tmp_path):
    """Speech of a new screen drops what is still queued; the phrase playing ends in full;
    no two phrases ever play at once."""
    sink = SignallingSink(speed=0.3)
    voice = speaker(tmp_path, sink)
    try:
        voice.say(PHRASES)
        assert sink.started.acquire(timeout=30)
        voice.say([Phrase("Xidməti seçin.", "az")])
        assert voice.wait_idle(60)
        assert [p.label for p in sink.played] == [PHRASES[0].text[:40], "Xidməti seçin."]
        assert not sink.played[0].stopped
        assert sink.played[1].started >= sink.played[0].ended
    finally:
        voice.close()


def test_the_visitors_act_cuts_the_phrase_playing(tmp_path):
    """A key or a touch (interrupt) stops the phrase playing at once; the new one follows."""
    sink = SignallingSink(speed=1.0)
    voice = speaker(tmp_path, sink)
    try:
        voice.say(PHRASES)
        assert sink.started.acquire(timeout=30)
        voice.say([Phrase("iki: Русский.", "ru")], interrupt=True)
        assert voice.wait_idle(60)
        first, second = sink.played
        assert first.stopped and not second.stopped
        assert second.started >= first.ended
        assert first.ended - first.started < first.seconds
    finally:
        voice.close()


def test_volume_is_the_visitors_until_reset(tmp_path):
    """The level set by the visitor reaches the sink; reset_volume brings the default back."""
    sink = RecordingSink()
    voice = speaker(tmp_path, sink)
    try:
        voice.set_level(5)
        voice.say([Phrase("Volume five of five.", "en")])
        assert voice.wait_idle(60)
        voice.reset_volume()
        voice.say([Phrase("Volume three of five.", "en")])
        assert voice.wait_idle(60)
        assert [p.volume for p in sink.played] == [1.0, volume_of(DEFAULT_VOLUME_LEVEL)]
    finally:
        voice.close()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_a_whole_keypad_visit_is_heard_in_each_language(local_queue, config, clock, tmp_path,
                                                        artifacts, lang):
    """Every phrase of a keypad visit (language screen to ticket) becomes a real espeak-ng WAV
    that is not silent; the texts and their lengths are logged beside the screenshots."""
    from kiosk.keypad import Key
    from tests.kiosk.recording import make_controller, press

    ctl, view, voice, _ = make_controller(local_queue, config, clock)
    press(ctl, clock, Key.CHOOSE)
    for target in (f"tile:{lang}", "tile:pensions", "tile:pensions.age", "tile:none"):
        number = [n for n, _ in ctl.access.choices()].index(target) + 1
        for d in str(number):
            press(ctl, clock, Key.DIGIT, int(d), think=0.5)
        press(ctl, clock, Key.CHOOSE)
    assert ctl.screen.name == "ticket"
    phrases = list(dict.fromkeys(p for s in voice.said for p in s.phrases))
    speech = speaker(tmp_path, RecordingSink())
    lines = []
    try:
        for phrase in phrases:
            s = stats(speech.wav_for(phrase))
            assert s.seconds > 0.3 and s.rms > 0.02, (phrase, s)
            lines.append(f"{s.seconds:5.2f} s  [{phrase.lang}]  {phrase.text}")
    finally:
        speech.close()
    out = artifacts / "kiosk-speech"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"visit-{lang}.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert {p.lang for p in phrases} == {"az", "ru", "en"}   # the first screen's own voices
