"""The Qt binding keeps Python's singletons alive: PySide6 6.12.0 on Python 3.11 dropped a
reference to None/True/False on every void call, and a kiosk or board aborted within minutes
("Fatal Python error: none_dealloc"). pyproject.toml pins a release without that bug."""

from __future__ import annotations

import sys

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QPushButton

from board.state import BoardState, CallView, WaitView
from board.view import BoardWidget


def test_void_qt_calls_keep_none_true_false(qtbot) -> None:
    """Ten thousand void Qt calls leave the reference counts of None, True and False in place."""
    font = QFont()
    button = QPushButton()
    qtbot.addWidget(button)
    before = [sys.getrefcount(x) for x in (None, True, False)]
    for _ in range(10_000):
        font.setPixelSize(20)
        button.setEnabled(True)
        button.setEnabled(False)
    after = [sys.getrefcount(x) for x in (None, True, False)]
    drift = [a - b for a, b in zip(after, before, strict=True)]
    assert all(abs(d) < 50 for d in drift), drift  # the bug showed as -10,000 or worse


def test_many_board_paints_do_not_exhaust_none(qtbot) -> None:
    """Painting the board 300 times (about 90,000 void Qt calls) leaves None's count where it was."""
    widget = BoardWidget()
    qtbot.addWidget(widget)
    widget.resize(1920, 1080)
    state = BoardState("az", centre_name="DOST", newest=CallView("A-001", "1", 1),
                       highlighted=True, waiting=[WaitView("A", "Məşğulluq", 3, 12)] * 11,
                       alerts=["Kiosk 1: kağız bitib"], ticker="Xoş gəlmisiniz!")
    widget.show_state(state)
    widget.grab()
    before = sys.getrefcount(None)
    for _ in range(300):
        widget.show_state(state)
        widget.grab()
    assert widget.paints >= 300
    assert abs(sys.getrefcount(None) - before) < 50
