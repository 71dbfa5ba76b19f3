"""Where announcements are heard: the AudioSink interface and the Qt-free sinks.

`AudioSink.play(wav, done, label)` starts playing a WAV and calls `done()` (from any thread)
once it has played to its end. The Announcer never gives a sink a second WAV before `done()`
of the first, which is what keeps announcements whole. QtAudioSink (board/qt_audio.py) plays
through QtMultimedia; RecordingSink is for tests and benchmarks; SilentSink for headless runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from board.wavfile import WavStats, stats


class AudioSink(Protocol):
    """Plays one WAV at a time."""

    def play(self, wav: Path, done: Callable[[], None], label: str = "") -> None:
        """Start playing `wav`; call `done()` when it has played in full."""


@dataclass
class Played:
    """One WAV as a RecordingSink received it."""

    label: str
    path: Path
    seconds: float
    rms: float
    peak: float
    started: float  # time.monotonic() when play() was called
    ended: float = 0.0  # when done() was called


class RecordingSink:
    """Records what it is given and for how long (the WAV's real duration) instead of playing.

    `speed` scales the simulated playing time: 1.0 takes as long as the audio, 0 ends at once."""

    def __init__(self, speed: float = 0.0):
        self.speed = speed
        self.played: list[Played] = []
        self._lock = threading.Lock()

    def play(self, wav: Path, done: Callable[[], None], label: str = "") -> None:
        s: WavStats = stats(wav)
        item = Played(label, Path(wav), s.seconds, s.rms, s.peak, time.monotonic())
        with self._lock:
            self.played.append(item)

        def finish() -> None:
            item.ended = time.monotonic()
            done()
        if self.speed > 0:
            threading.Timer(s.seconds * self.speed, finish).start()
        else:
            finish()

    @property
    def labels(self) -> list[str]:
        with self._lock:
            return [p.label for p in self.played]


class SilentSink:
    """Plays nothing and reports each WAV as played at once (headless demo, `novbe say`)."""

    def play(self, wav: Path, done: Callable[[], None], label: str = "") -> None:
        done()
