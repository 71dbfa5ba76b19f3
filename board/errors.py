"""The board's named errors (speech's own are in shared/speech/errors.py)."""

from __future__ import annotations

from shared.core.errors import NovbeError


class UnknownZone(NovbeError):
    """No counter of the centre config is in that zone."""


class NoDisplay(NovbeError):
    """There is no screen to show the board on (no DISPLAY / WAYLAND_DISPLAY)."""
