"""The board survives PySide6 6.12's lost None references (a real crash on Python 3.11)."""

from __future__ import annotations

import sys

from board.none_guard import none_is_immortal, none_leak_per_call
from board.state import BoardState, CallView, WaitView
from board.view import BoardWidget


def test_many_paints_do_not_exhaust_none(qtbot) -> None:
    """Painting the board 300 times (≈ 90 000 void Qt calls, far more than None's own few
    thousand references on Python 3.11) does not abort the process."""
    widget = BoardWidget()
    qtbot.addWidget(widget)
    widget.resize(1920, 1080)
    state = BoardState("az", centre_name="DOST", newest=CallView("A-001", "1", 1),
                       highlighted=True, waiting=[WaitView("A", "Məşğulluq", 3, 12)] * 11,
                       alerts=["Kiosk 1: kağız bitib"], ticker="Xoş gəlmisiniz!")
    for _ in range(300):
        widget.show_state(state)
        widget.grab()
    assert widget.paints >= 300
    assert none_is_immortal() or sys.getrefcount(None) > 1 << 39
    assert none_leak_per_call() in (0, 1)  # 1: the PySide6 bug is present (and guarded)
