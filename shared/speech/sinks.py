"""Where speech is heard: the AudioSink interface and the Qt-free sinks.

`AudioSink.play(wav, done, label)` starts playing a WAV and calls `done()` (from any thread)
once it has played to its end. The board's Announcer and the kiosk's Speaker never give a sink
a second WAV before `done()` of the first, which is what keeps speech from overlapping itself.
A sink that can be interrupted and turned up also has `stop()` and `set_volume()` (the kiosk's
guidance needs both). QtAudioSink (qtcommon/audio.py) plays through QtMultimedia; RecordingSink
is for tests and benchmarks; SilentSink for headless runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from shared.speech.wavfile import WavStats, stats


class AudioSink(Protocol):
    """Plays one WAV at a time."""

    def play(self, wav: Path, done: Callable[[], None], label: str = "") -> None:
        """Start playing `wav`; call `done()` when it has played in full."""


class StoppableSink(AudioSink, Protocol):
    """A sink that can cut the WAV playing short and be turned up or down (the kiosk's)."""

    def stop(self) -> None:
        """End the WAV playing now; its `done()` is still called."""

    def set_volume(self, volume: float) -> None:
        """Loudness from 0.0 to 1.0."""


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
    stopped: bool = False  # cut short by stop()
    volume: float = 1.0


class RecordingSink:
    """Records what it is given and for how long (the WAV's real duration) instead of playing.

    `speed` scales the simulated playing time: 1.0 takes as long as the audio, 0 ends at once."""

    def __init__(self, speed: float = 0.0):
        self.speed = speed
        self.volume = 1.0
        self.played: list[Played] = []
        self._lock = threading.Lock()
        self._playing: tuple[Played, threading.Timer, Callable[[], None]] | None = None

    def play(self, wav: Path, done: Callable[[], None], label: str = "") -> None:
        s: WavStats = stats(wav)
        item = Played(label, Path(wav), s.seconds, s.rms, s.peak, time.monotonic(),
                      volume=self.volume)
        with self._lock:
            self.played.append(item)
        if self.speed <= 0:
            item.ended = time.monotonic()
            done()
            return

        def finish() -> None:
            with self._lock:
                if self._playing is None or self._playing[0] is not item:
                    return  # stopped already
                self._playing = None
            item.ended = time.monotonic()
            done()
        timer = threading.Timer(s.seconds * self.speed, finish)
        with self._lock:
            self._playing = (item, timer, done)
        timer.start()

    def stop(self) -> None:
        """Cut the WAV playing now short (its `done()` is called at once)."""
        with self._lock:
            playing, self._playing = self._playing, None
        if playing is not None:
            item, timer, done = playing
            timer.cancel()
            item.stopped = True
            item.ended = time.monotonic()
            done()

    def set_volume(self, volume: float) -> None:
        self.volume = max(0.0, min(1.0, volume))

    @property
    def labels(self) -> list[str]:
        with self._lock:
            return [p.label for p in self.played]


class SilentSink:
    """Plays nothing and reports each WAV as played at once (headless demo, `novbe say`)."""

    def play(self, wav: Path, done: Callable[[], None], label: str = "") -> None:
        done()

    def stop(self) -> None:
        pass

    def set_volume(self, volume: float) -> None:
        pass
