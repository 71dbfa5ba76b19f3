"""Announcements: a FIFO per board — chime, then speech in each configured language.

`Announcer.announce(code, counter, recall)` returns at once (the screen never waits). A render
thread turns each announcement, in order, into one WAV (chime + speech per language, with
pauses); a player thread hands the WAVs to the AudioSink one by one and waits for each to be
played in full before the next — so no announcement is cut short or dropped, however many
counters call at once. If speech fails, the WAV is the chime alone and the log says why."""

from __future__ import annotations

import itertools
import logging
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from board.chime import chime_path
from board.phrases import announcement_text
from board.sound_health import SoundMonitor
from shared.speech.errors import SpeechError
from shared.speech.sinks import AudioSink
from shared.speech.wavfile import duration, join
from shared.speech.worker import SpeechWorker

log = logging.getLogger(__name__)

PAUSE_AFTER_CHIME = 0.25
PAUSE_BETWEEN_LANGUAGES = 0.6
TAIL = 0.4
SINK_GRACE_S = 10.0  # a sink that never reports the end is given up on after duration + this


@dataclass
class Announcement:
    """One call to be announced, and what became of it."""

    seq: int
    code: str
    counter: str
    recall: bool = False
    event_id: int | None = None
    languages: tuple[str, ...] = ()  # spoken in this order (the board's, then the visitor's)
    queued_at: float = field(default_factory=time.monotonic)
    wav: Path | None = None
    seconds: float = 0.0
    spoken: list[str] = field(default_factory=list)  # languages actually spoken
    problems: list[str] = field(default_factory=list)  # why speech is missing, if it is
    ready_at: float | None = None
    played_at: float | None = None

    @property
    def label(self) -> str:
        return f"{self.code} → {self.counter}" + (" (recall)" if self.recall else "")


def render_announcement(speech: SpeechWorker | None, languages: Sequence[str], code: str,
                        counter: str, out: Path, recall: bool = False,
                        chime: Path | None = None) -> tuple[Path, list[str], list[str]]:
    """Write chime + speech for one call to `out`; return (wav, languages spoken, problems).
    Never raises for speech trouble: a failed language is left out and named in `problems`."""
    parts: list[Path | float] = [chime or chime_path()]
    spoken: list[str] = []
    problems: list[str] = []
    for lang in languages:
        if speech is None:
            problems.append(f"{lang}: speech is off")
            continue
        text = announcement_text(lang, code, counter, recall)
        phrase = out.with_name(f"{out.stem}.{lang}.wav")
        try:
            speech.render(text, lang, phrase)
        except SpeechError as exc:
            problems.append(f"{lang}: {exc}")
            continue
        parts += [PAUSE_AFTER_CHIME if not spoken else PAUSE_BETWEEN_LANGUAGES, phrase]
        spoken.append(lang)
    parts.append(TAIL)
    try:
        join(parts, out)
    finally:
        for lang in spoken:
            out.with_name(f"{out.stem}.{lang}.wav").unlink(missing_ok=True)
    return out, spoken, problems


class Announcer:
    """The board's announcement FIFO (Qt-free; thread-safe)."""

    def __init__(self, sink: AudioSink, languages: Sequence[str], speech: SpeechWorker | None,
                 out_dir: Path | None = None, keep_wavs: bool = False,
                 on_ready: Callable[[Announcement], None] | None = None,
                 on_played: Callable[[Announcement], None] | None = None,
                 monitor: SoundMonitor | None = None):
        self.sink = sink
        self.languages = tuple(languages)
        self.speech = speech
        self.monitor = monitor  # told which languages could (not) be spoken
        self._own_dir = out_dir is None
        self.out_dir = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="novbe-board-"))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.keep_wavs = keep_wavs
        self.on_ready = on_ready
        self.on_played = on_played
        self.history: list[Announcement] = []  # the last few, for status and tests
        self._seq = itertools.count(1)
        self._jobs: queue.Queue[Announcement | None] = queue.Queue()
        self._ready: queue.Queue[Announcement | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._renderer = threading.Thread(target=self._render_loop, name="announce-render", daemon=True)
        self._player = threading.Thread(target=self._play_loop, name="announce-play", daemon=True)
        self._renderer.start()
        self._player.start()

    # ---- the API the board uses ------------------------------------------------------------
    def languages_for(self, visitor_language: str | None) -> tuple[str, ...]:
        """The board's speech languages, then the visitor's (the ticket's) when it differs: a
        visitor who took a Russian ticket hears the call in Azerbaijani, then in Russian."""
        if visitor_language and visitor_language not in self.languages:
            return (*self.languages, visitor_language)
        return self.languages

    def announce(self, code: str, counter: str, recall: bool = False,
                 event_id: int | None = None, language: str | None = None) -> Announcement:
        """Queue a call for announcing (returns at once); `language` is the ticket's."""
        item = Announcement(next(self._seq), code, str(counter), recall, event_id,
                            self.languages_for(language))
        with self._idle:
            self._pending += 1
            self.history.append(item)
            del self.history[:-50]
        self._jobs.put(item)
        return item

    @property
    def pending(self) -> int:
        """Announcements queued or playing."""
        with self._idle:
            return self._pending

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every queued announcement has been played (for the CLI, demo, tests)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        self._jobs.put(None)
        self._renderer.join(timeout=5)
        self._player.join(timeout=5)
        if self.speech is not None:
            self.speech.close()
        if self._own_dir and not self.keep_wavs:
            shutil.rmtree(self.out_dir, ignore_errors=True)

    # ---- the two threads -------------------------------------------------------------------
    def _render_loop(self) -> None:
        while (item := self._jobs.get()) is not None:
            safe = item.code.replace("/", "_")
            out = self.out_dir / f"announce-{item.seq:06d}-{safe}-{item.counter}.wav"
            try:
                item.wav, item.spoken, item.problems = render_announcement(
                    self.speech, item.languages or self.languages, item.code, item.counter, out,
                    item.recall)
                item.seconds = duration(item.wav)
            except Exception:  # noqa: BLE001 — even a broken chime must not stop the FIFO
                log.exception("cannot make the announcement WAV for %s", item.label)
                item.wav = None
            item.ready_at = time.monotonic()
            for problem in item.problems:
                log.warning("announcement %s: chime without speech in %s", item.label, problem)
            self._tell_monitor(item)
            if self.on_ready:
                self.on_ready(item)
            self._ready.put(item)
        self._ready.put(None)

    def _tell_monitor(self, item: Announcement) -> None:
        """Which languages were spoken and which not (speech switched off is no fault)."""
        if self.monitor is None or self.speech is None:
            return
        for lang in item.languages or self.languages:
            why = next((p.split(": ", 1)[-1] for p in item.problems if p.startswith(f"{lang}: ")),
                       None)
            self.monitor.speech(lang, None if lang in item.spoken else (why or "not spoken"))

    def _play_loop(self) -> None:
        while (item := self._ready.get()) is not None:
            if item.wav is not None:
                finished = threading.Event()
                try:
                    self.sink.play(item.wav, finished.set, item.label)
                    if not finished.wait(item.seconds + SINK_GRACE_S):
                        log.warning("audio sink did not report the end of %s", item.label)
                except Exception:  # noqa: BLE001
                    log.exception("audio sink failed to play %s", item.label)
                item.played_at = time.monotonic()
                if not self.keep_wavs:
                    item.wav.unlink(missing_ok=True)
            if self.on_played:
                self.on_played(item)
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()
