"""QtAudioSink: plays WAVs (the board's announcements, the kiosk's guidance) through
QtMultimedia (QMediaPlayer + QAudioOutput).

`play()` may be called from any thread: the request is carried to the GUI thread by a queued
signal. `done()` is called when the player reaches the end of the media — or, when no audio
device exists or the player fails, after the WAV's own duration (so a FIFO keeps its pace and
the log names the cause). `stop()` ends the WAV playing now (the kiosk, when the visitor acts)
and `set_volume()` changes the loudness, from any thread too."""

from __future__ import annotations

import logging
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

log = logging.getLogger(__name__)


class SoundMonitor(Protocol):
    """Told whether sound can be heard (None) or why not (the board's sound health)."""

    def sound(self, problem: str | None) -> None: ...


def duration(path: Path) -> float:
    """Seconds of audio in a WAV file (0 when it cannot be read)."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (OSError, wave.Error, EOFError):
        return 0.0


NO_DEVICE = "no audio output device"


class QtAudioSink(QObject):
    """Plays one WAV at a time on the default audio output. `monitor` (board/sound_health.py)
    hears whether sound can be played — at once, whenever the devices change, and at each play —
    so a board without sound raises a staff alert instead of a log line only. `outputs` lists
    the audio outputs (QMediaDevices.audioOutputs; a test hands a machine without any)."""

    _request = Signal(str, object, str)
    _stop = Signal()
    _volume = Signal(float)

    def __init__(self, parent: QObject | None = None, volume: float = 1.0,
                 monitor: SoundMonitor | None = None,
                 outputs: Callable[[], list] = QMediaDevices.audioOutputs):
        super().__init__(parent)
        self.monitor = monitor
        self._outputs = outputs
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self.check)
        self._player = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        self._output.setVolume(volume)
        self._player.setAudioOutput(self._output)
        self._player.mediaStatusChanged.connect(self._status)
        self._player.errorOccurred.connect(self._error)
        self._done: Callable[[], None] | None = None
        self._label = ""
        self._fallback = QTimer(self)
        self._fallback.setSingleShot(True)
        self._fallback.timeout.connect(self._finish)
        self._request.connect(self._start)
        self._stop.connect(self._stop_now)
        self._volume.connect(self._output.setVolume)
        self._warned = False
        self.check()

    def check(self) -> str | None:
        """Why nothing can be heard (None when an output exists); tells the monitor."""
        problem = None if self._outputs() else NO_DEVICE
        if self.monitor is not None:
            self.monitor.sound(problem)
        return problem

    def play(self, wav: Path, done: Callable[[], None], label: str = "") -> None:
        self._request.emit(str(wav), done, label)

    def stop(self) -> None:
        """End the WAV playing now; its `done()` is called."""
        self._stop.emit()

    def set_volume(self, volume: float) -> None:
        """Loudness from 0.0 to 1.0."""
        self._volume.emit(max(0.0, min(1.0, volume)))

    @Slot()
    def _stop_now(self) -> None:
        self._fallback.stop()
        self._player.stop()
        self._finish()

    @Slot(str, object, str)
    def _start(self, wav: str, done: Callable[[], None], label: str) -> None:
        self._done, self._label = done, label
        if self.check() is not None:
            if not self._warned:
                log.warning("no audio output device: announcements are not heard")
                self._warned = True
            self._fallback.start(int(duration(Path(wav)) * 1000))
            return
        self._player.setSource(QUrl.fromLocalFile(wav))
        self._player.play()

    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia and self.monitor is not None:
            self.monitor.sound(None)  # played to its end: heard
        if status in (QMediaPlayer.MediaStatus.EndOfMedia, QMediaPlayer.MediaStatus.InvalidMedia):
            if status == QMediaPlayer.MediaStatus.InvalidMedia:
                log.warning("cannot play announcement %s: invalid media", self._label)
            self._finish()

    def _error(self, error: QMediaPlayer.Error, message: str) -> None:
        log.warning("audio error playing %s: %s", self._label, message or error)
        if self.monitor is not None:
            self.monitor.sound(f"audio error: {message or error}")
        self._finish()

    def _finish(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            self._player.setSource(QUrl())
            done()
