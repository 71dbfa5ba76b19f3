"""serial:///dev/ttyUSB0?baudrate=9600 — a serial printer through pyserial."""

from __future__ import annotations

from kiosk.printing.device import EscposDevice
from kiosk.printing.errors import PrinterUnavailable
from kiosk.printing.url import PrinterURL


class SerialPrinter(EscposDevice):
    """A serial ESC/POS printer; answers DLE EOT on the line (needs pyserial)."""

    can_ask = True
    keep_open = True

    def __init__(self, url: PrinterURL):
        super().__init__(url.text, url.flag("status", True))
        self.device = url.target
        self.baudrate = int(url.number("baudrate", 9600))
        self.timeout = url.number("timeout", 1.0)

    def _open(self):
        try:
            import serial  # noqa: F401  (pyserial: python-escpos' serial driver)
            from escpos.printer import Serial
        except ImportError as exc:
            raise PrinterUnavailable(f"{self.url}: serial printing needs pyserial (pip install pyserial)") from exc
        try:
            printer = Serial(self.device, baudrate=self.baudrate, timeout=self.timeout)
            printer.open()
        except Exception as exc:
            raise PrinterUnavailable(f"{self.url}: cannot open {self.device}: {exc}") from exc
        return printer
