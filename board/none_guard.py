"""A guard for a PySide6 6.12 bug on Python 3.11: every call of a method that returns nothing
(QFont.setBold, QPainter.setPen, fillRect…) takes one reference from `None` without giving it
back. None starts with a few thousand references, so a board (hundreds of such calls per paint)
would abort with "Fatal Python error: none_dealloc" within minutes.

Python 3.12 made None immortal (PEP 683: an enormous reference count nobody can exhaust).
`protect_none()` does the same on older CPython: it adds 2**40 to None's reference count once,
which no program will ever use up. It needs no PySide6 and is harmless where the bug is absent.
The real fix is Python ≥ 3.12 or a PySide6 build without the bug."""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 40


def none_is_immortal() -> bool:
    """True where None's reference count cannot run out (CPython ≥ 3.12, or not CPython)."""
    return sys.version_info >= (3, 12) or sys.implementation.name != "cpython"


def protect_none() -> bool:
    """Give None so many references that buggy extensions can never free it; True if done."""
    if none_is_immortal():
        return False
    refcnt = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is PyObject's first field
    if refcnt.value < HEADROOM:
        refcnt.value += HEADROOM
    return True


def none_leak_per_call() -> int:
    """How many references to None one void PySide6 call loses (1 with the bug, 0 without)."""
    from PySide6.QtGui import QFont

    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(100):
        font.setBold(True)
    return round((before - sys.getrefcount(None)) / 100)
