"""Work around PySide6 6.12 on Python 3.11: its bindings treat None, True and False as
immortal (as they are from Python 3.12, PEP 683) and drop one reference to them on many calls
(every `processEvents()`, `setEnabled()`…), so a long-running kiosk aborts with
"Fatal Python error: none_dealloc". Import this module before using Qt: on Python < 3.12 it
gives those three objects a huge reference count, which is what 3.12 does natively."""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 60


def make_singletons_immortal() -> None:
    """Give None, True and False enough references that no leak can ever free them."""
    if sys.version_info >= (3, 12) or getattr(sys, "_novbe_immortal_singletons", False):
        return
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += HEADROOM
    sys._novbe_immortal_singletons = True  # type: ignore[attr-defined]


make_singletons_immortal()
