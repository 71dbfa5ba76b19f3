"""A kiosk without a screen or a voice: a view and a voice that record what the controller asks,
so the kiosk's rules are tested without Qt (the controller is built as the window builds it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kiosk.controller import KioskController
from kiosk.keypad import Key, KeyPress
from kiosk.speaker import DEFAULT_VOLUME_LEVEL, VOLUME_LEVELS, Phrase
from qtcommon.runner import InlineRunner
from qtcommon.timers import ManualTimers


@dataclass
class RecordingView:
    """Keeps every screen shown; `exited` once staff left with the PIN."""

    shown: list = field(default_factory=list)
    busy: bool = False
    exited: bool = False

    def show(self, screen) -> None:
        self.shown.append(screen)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy

    def exit_kiosk(self) -> None:
        self.exited = True


@dataclass
class Said:
    """One `say` (or `add`) of the controller."""

    phrases: list[Phrase]
    interrupt: bool
    added: bool = False

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.phrases)


class RecordingVoice:
    """Records what would be spoken, and the volume."""

    def __init__(self) -> None:
        self.said: list[Said] = []
        self.level = DEFAULT_VOLUME_LEVEL
        self.resets = 0

    def say(self, phrases: Sequence[Phrase], interrupt: bool = False) -> None:
        self.said.append(Said(list(phrases), interrupt))

    def add(self, phrases: Sequence[Phrase]) -> None:
        self.said.append(Said(list(phrases), False, added=True))

    def set_level(self, level: int) -> None:
        self.level = max(1, min(VOLUME_LEVELS, level))

    def reset_volume(self) -> None:
        self.level = DEFAULT_VOLUME_LEVEL
        self.resets += 1

    @property
    def last(self) -> Said:
        return next(s for s in reversed(self.said) if s.phrases)


def make_controller(queue, config, clock, source: str = "kiosk-2", spooler=None):
    """A started controller on a recording view and voice, manual timers, inline runner."""
    view, voice, timers = RecordingView(), RecordingVoice(), ManualTimers()
    ctl = KioskController(view, queue, config, spooler, timers, InlineRunner(), clock, source,
                          voice=voice)
    ctl.start()
    return ctl, view, voice, timers


def press(ctl: KioskController, clock, key: Key, digit: int = 0, think: float = 1.0) -> None:
    """One keypad key, then the visitor listens a moment (past the tap guard)."""
    ctl.key(KeyPress(key, digit))
    clock.advance(think)
