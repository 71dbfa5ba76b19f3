"""win32://NAME — a Windows printer in RAW mode (needs pywin32); no status channel."""

from __future__ import annotations

from kiosk.printing.device import EscposDevice
from kiosk.printing.errors import PrinterUnavailable
from kiosk.printing.url import PrinterURL


class Win32Printer(EscposDevice):
    """Sends each ticket as one raw Windows print job."""

    def __init__(self, url: PrinterURL):
        super().__init__(url.text, ask_status=False)
        self.name = url.target

    def _open(self):
        try:
            import win32print  # noqa: F401  (pywin32)
            from escpos.printer import Win32Raw
        except ImportError as exc:
            raise PrinterUnavailable(f"{self.url}: Windows printing needs pywin32 (Windows only)") from exc
        try:
            printer = Win32Raw(self.name)
            printer.open()
        except Exception as exc:
            raise PrinterUnavailable(f"{self.url}: Windows printer {self.name!r}: {exc}") from exc
        return printer
