"""The kiosk's voice (Qt-free): phrases rendered by espeak-ng (shared/speech) and played one at a
time, never overlapping.

`say(phrases, interrupt)` replaces whatever is still queued with the new screen's phrases. The
phrase playing now ends in full — a screen that changed by itself (the printer answered, a
time-out) never cuts a word — unless `interrupt` is set because the visitor acted (a key, a
touch), when it stops at once. Rendered WAVs are kept by text (menus repeat all day), every
phrase heard is logged (`spoken`), and the volume goes back to its default for each visitor."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.speech.errors import SpeechError
from shared.speech.sinks import StoppableSink
from shared.speech.wavfile import duration
from shared.speech.worker import SpeechWorker

log = logging.getLogger(__name__)

VOLUME_LEVELS = 5
DEFAULT_VOLUME_LEVEL = 3      # of 5: loud enough in a quiet hall; the visitor turns it up
SINK_GRACE_S = 5.0            # a sink that never reports the end is given up on after this


@dataclass(frozen=True)
class Phrase:
    """One sentence in one language (a voice per language)."""

    text: str
    lang: str


@dataclass
class Heard:
    """A phrase as it was played: for the log, tests and the benchmark."""

    phrase: Phrase
    wav: Path
    seconds: float
    stopped: bool = False


def volume_of(level: int) -> float:
    """The sink's loudness (0–1) for a level of 1–VOLUME_LEVELS."""
    return max(1, min(VOLUME_LEVELS, level)) / VOLUME_LEVELS


class Speaker:
    """Plays phrases one at a time on a thread of its own; thread-safe. The sink (or a factory
    for it, called on the first phrase from the caller's thread — a Qt sink must be made on the
    UI thread) and the speech worker are made only when audio guidance is first used."""

    def __init__(self, sink: StoppableSink | Callable[[], StoppableSink],
                 speech: SpeechWorker | None = None, cache_dir: Path | None = None):
        self._sink_or_factory = sink
        self._sink: StoppableSink | None = None
        self.speech = speech or SpeechWorker()
        self._own_dir = cache_dir is None
        self.cache_dir = Path(cache_dir) if cache_dir else Path(tempfile.mkdtemp(prefix="novbe-kiosk-"))
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.spoken: list[Heard] = []
        self.level = DEFAULT_VOLUME_LEVEL
        self._queue: deque[Phrase] = deque()
        self._generation = 0
        self._playing: Heard | None = None
        self._busy = False            # a phrase taken from the queue is being rendered or played
        self._cond = threading.Condition()
        self._closing = False
        self._thread: threading.Thread | None = None

    # ---- what the controller calls -------------------------------------------------------------
    def say(self, phrases: Sequence[Phrase], interrupt: bool = False) -> None:
        """Speak these instead of whatever is still queued (see the module's docstring)."""
        if not phrases and self._thread is None:
            return  # nothing was ever said: nothing to silence (and no player made for it)
        sink = self._ensure_started()
        with self._cond:
            self._generation += 1
            self._queue = deque(phrases)
            playing = self._playing
            self._cond.notify_all()
        if interrupt and playing is not None:
            playing.stopped = True
            sink.stop()

    def add(self, phrases: Sequence[Phrase]) -> None:
        """Speak these after whatever is queued (news about the screen already being said)."""
        self._ensure_started()
        with self._cond:
            self._queue.extend(phrases)
            self._cond.notify_all()

    def stop(self) -> None:
        """Silence: nothing queued, the phrase playing now cut short."""
        self.say((), interrupt=True)

    def set_level(self, level: int) -> None:
        self.level = max(1, min(VOLUME_LEVELS, level))
        self._ensure_sink().set_volume(volume_of(self.level))

    def reset_volume(self) -> None:
        """The next visitor starts at the default loudness."""
        if self.level != DEFAULT_VOLUME_LEVEL or self._sink is not None:
            self.set_level(DEFAULT_VOLUME_LEVEL)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything queued has been played (benchmarks, tests)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._queue.clear()
            self._cond.notify_all()
        if self._sink is not None:
            self._sink.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.speech.close()
        if self._own_dir:
            shutil.rmtree(self.cache_dir, ignore_errors=True)

    # ---- the thread ------------------------------------------------------------------------------
    def _ensure_sink(self) -> StoppableSink:
        if self._sink is None:
            made = self._sink_or_factory
            self._sink = made() if callable(made) and not hasattr(made, "play") else made  # type: ignore[assignment]
            self._sink.set_volume(volume_of(self.level))  # type: ignore[union-attr]
        return self._sink  # type: ignore[return-value]

    def _ensure_started(self) -> StoppableSink:
        sink = self._ensure_sink()
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="kiosk-speech", daemon=True)
            self._thread.start()
        return sink

    def wav_for(self, phrase: Phrase) -> Path:
        """The phrase's WAV, rendered once (by text and language)."""
        key = hashlib.sha1(f"{phrase.lang}\n{phrase.text}".encode()).hexdigest()[:20]
        out = self.cache_dir / f"{phrase.lang}-{key}.wav"
        if not out.exists():
            self.speech.render(phrase.text, phrase.lang, out)
        return out

    def _loop(self) -> None:
        sink = self._ensure_sink()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closing or bool(self._queue))
                if self._closing:
                    return
                phrase, generation = self._queue.popleft(), self._generation
                self._busy = True
            try:
                wav = self.wav_for(phrase)
            except SpeechError as exc:
                log.warning("cannot speak %r in %s: %s", phrase.text, phrase.lang, exc)
                self._idle()
                continue
            finished = threading.Event()
            with self._cond:
                if generation != self._generation or self._closing:
                    self._busy = False
                    self._cond.notify_all()
                    continue  # a newer screen came while this was rendered
                heard = Heard(phrase, wav, duration(wav))
                self._playing = heard
            log.info("kiosk says [%s] %s", phrase.lang, phrase.text)
            try:
                sink.play(wav, finished.set, phrase.text[:40])
                if not finished.wait(heard.seconds + SINK_GRACE_S):
                    log.warning("audio sink did not report the end of %r", phrase.text[:40])
            except Exception:  # noqa: BLE001 — the kiosk keeps working without its voice
                log.exception("audio sink failed to play %r", phrase.text[:40])
            with self._cond:
                self.spoken.append(heard)
                self._playing = None
            self._idle()

    def _idle(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()
