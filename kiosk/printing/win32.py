"""win32://NAME — a Windows printer in RAW mode (needs pywin32); no status channel."""

from __future__ import annotations

from kiosk.printing.device import RawQueuePrinter


class Win32Printer(RawQueuePrinter):
    """Sends each ticket as one raw Windows print job."""

    what = "Windows printer"
    needs = "Windows printing needs pywin32 (Windows only)"

    def _escpos_class(self) -> type:
        import win32print  # noqa: F401  (pywin32)
        from escpos.printer import Win32Raw

        return Win32Raw
