"""Whether the board is heard: what the audio output and the speech report, gathered into the
one device state the queue keeps per device ("board_silent", "speech_missing" or "board_ok").

A silent board must not stay a log line: the state goes to the queue as a device report, so it
shows on the board's own staff line and on every counter console, like a kiosk's empty printer.
Reports arrive from any thread (the audio sink, the announcer's render thread); the board's
controller collects the change on its UI-thread tick with `take_change()`."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class SoundState:
    """What is heard: `no_sound` says why nothing is (no audio device…); `unspoken` lists the
    languages calls cannot be spoken in (chime only)."""

    no_sound: str | None = None
    unspoken: tuple[tuple[str, str], ...] = ()  # (language, why)

    @property
    def kind(self) -> str:
        if self.no_sound:
            return "board_silent"
        return "speech_missing" if self.unspoken else "board_ok"

    @property
    def message(self) -> str:
        """For IT (the log, the console's page source): the causes, in English."""
        if self.no_sound:
            return self.no_sound
        return "; ".join(f"{lang}: {why}" for lang, why in self.unspoken)


class SoundMonitor:
    """Thread-safe collector of sound problems; `take_change()` hands over each new state once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._no_sound: str | None = None
        self._unspoken: dict[str, str] = {}
        self._reported: SoundState | None = None

    def sound(self, problem: str | None) -> None:
        """The audio output: None when sound plays, else why it cannot."""
        with self._lock:
            self._no_sound = problem

    def speech(self, lang: str, problem: str | None) -> None:
        """Speech in one language: None when it was spoken, else why not."""
        with self._lock:
            if problem is None:
                self._unspoken.pop(lang, None)
            else:
                self._unspoken[lang] = problem

    @property
    def state(self) -> SoundState:
        with self._lock:
            return SoundState(self._no_sound, tuple(sorted(self._unspoken.items())))

    def take_change(self) -> SoundState | None:
        """The state if its kind changed since the last call; the first call always hands it
        over (a healthy start clears the alert a previous run of the board may have left)."""
        state = self.state
        with self._lock:
            before = self._reported
            if before is not None and before.kind == state.kind:
                return None
            self._reported = state
            return state
