"""The keypad, EZ-Access style, as the controller sees it: what a key means, whatever sent it
(a USB audio keypad, a numeric keypad, a keyboard). The Qt key codes are mapped in
kiosk/keymap.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Key(Enum):
    """A keypad action."""

    UP = "up"
    DOWN = "down"
    CHOOSE = "choose"          # Enter, or the keypad's 5 (the centre key) in arrow mode
    BACK = "back"
    HELP = "help"
    LOUDER = "louder"
    QUIETER = "quieter"
    DIGIT = "digit"            # a number: moves to that choice


@dataclass(frozen=True)
class KeyPress:
    """One key: its action, and the digit for DIGIT."""

    key: Key
    digit: int = 0
