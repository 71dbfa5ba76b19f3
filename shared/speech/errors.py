"""Speech's named errors: logged by whoever speaks, who then goes on without speech (the board
chimes alone, the kiosk shows its screens)."""

from __future__ import annotations

from shared.core.errors import NovbeError


class SpeechError(NovbeError):
    """Speech could not be made for a phrase."""


class VoiceMissing(SpeechError):
    """No installed voice speaks this language."""


class SpeechEngineFailed(SpeechError):
    """The speech engine could not start, raised an error, or wrote no audio."""


class SpeechEngineHung(SpeechError):
    """The speech engine did not finish in time; it is being restarted."""
