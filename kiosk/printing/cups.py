"""cups://NAME — a CUPS queue in raw mode (needs pycups); CUPS gives no ESC/POS status."""

from __future__ import annotations

from kiosk.printing.device import EscposDevice
from kiosk.printing.errors import PrinterUnavailable
from kiosk.printing.url import PrinterURL


class CupsPrinter(EscposDevice):
    """Sends each ticket as one raw CUPS job."""

    def __init__(self, url: PrinterURL):
        super().__init__(url.text, ask_status=False)
        self.name = url.target

    def _open(self):
        try:
            import cups  # noqa: F401  (pycups)
            from escpos.printer import CupsPrinter as EscposCups
        except ImportError as exc:
            raise PrinterUnavailable(f"{self.url}: CUPS printing needs pycups (pip install pycups)") from exc
        try:
            printer = EscposCups(self.name)
            printer.open()
        except Exception as exc:
            raise PrinterUnavailable(f"{self.url}: CUPS queue {self.name!r}: {exc}") from exc
        return printer
