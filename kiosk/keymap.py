"""Qt key codes → keypad actions (kiosk/keypad.py). A USB audio keypad (EZ-Access style) sends
arrows, Enter, Backspace/Escape, F1/Help and the volume keys; a numeric keypad in arrow mode
sends 8 ↑, 2 ↓, 4 ← (Back) and 5 as Clear (choose); digits anywhere move to that choice.
Keys held with Ctrl, Alt or Meta mean nothing (no way out of the kiosk by keyboard)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.keypad import Key, KeyPress

K = Qt.Key
KEYS: dict[int, Key] = {
    K.Key_Up: Key.UP, K.Key_PageUp: Key.UP,
    K.Key_Down: Key.DOWN, K.Key_PageDown: Key.DOWN, K.Key_Right: Key.DOWN, K.Key_Tab: Key.DOWN,
    K.Key_Return: Key.CHOOSE, K.Key_Enter: Key.CHOOSE, K.Key_Clear: Key.CHOOSE,
    K.Key_Select: Key.CHOOSE, K.Key_Space: Key.CHOOSE,
    K.Key_Left: Key.BACK, K.Key_Backspace: Key.BACK, K.Key_Escape: Key.BACK, K.Key_Back: Key.BACK,
    K.Key_Help: Key.HELP, K.Key_F1: Key.HELP, K.Key_Asterisk: Key.HELP, K.Key_Question: Key.HELP,
    K.Key_VolumeUp: Key.LOUDER, K.Key_Plus: Key.LOUDER,
    K.Key_VolumeDown: Key.QUIETER, K.Key_Minus: Key.QUIETER,
}
BLOCKED = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
           | Qt.KeyboardModifier.MetaModifier)


def key_press(key: int, modifiers: Qt.KeyboardModifier) -> KeyPress | None:
    """The keypad action of a Qt key, or None (unknown keys, and any key with Ctrl/Alt/Meta)."""
    if modifiers & BLOCKED:
        return None
    if K.Key_0 <= key <= K.Key_9:
        return KeyPress(Key.DIGIT, key - K.Key_0)
    action = KEYS.get(key)
    return KeyPress(action) if action is not None else None
