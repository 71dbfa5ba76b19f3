"""file:///PATH — raw ESC/POS bytes into a device node (/dev/usb/lp0) or a plain file."""

from __future__ import annotations

from escpos.printer import File

from kiosk.printing.device import EscposDevice
from kiosk.printing.errors import PrinterUnavailable
from kiosk.printing.url import PrinterURL


class FilePrinter(EscposDevice):
    """Writes each ticket's bytes to the path (a plain file is overwritten per ticket)."""

    def __init__(self, url: PrinterURL):
        super().__init__(url.text, ask_status=False)
        self.path = url.target

    def _open(self) -> File:
        printer = File(self.path, auto_flush=True)
        try:
            printer.open()
        except Exception as exc:
            raise PrinterUnavailable(f"{self.url}: cannot open {self.path}: {exc}") from exc
        if printer._device is None:
            raise PrinterUnavailable(f"{self.url}: cannot open {self.path}")
        return printer
