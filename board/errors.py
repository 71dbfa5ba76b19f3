"""The board's named errors; speech errors are logged and the board chimes without speech."""

from __future__ import annotations

from shared.core.errors import NovbeError


class SpeechError(NovbeError):
    """Speech could not be made for an announcement (the chime still plays)."""


class VoiceMissing(SpeechError):
    """No installed voice speaks this language."""


class SpeechEngineFailed(SpeechError):
    """The speech engine could not start, raised an error, or wrote no audio."""


class SpeechEngineHung(SpeechError):
    """The speech engine did not finish in time; it is being restarted."""


class UnknownZone(NovbeError):
    """No counter of the centre config is in that zone."""


class NoDisplay(NovbeError):
    """There is no screen to show the board on (no DISPLAY / WAYLAND_DISPLAY)."""
