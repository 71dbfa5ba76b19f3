"""usb://VID:PID — a USB printer through pyusb (libusb); it answers DLE EOT on its IN endpoint."""

from __future__ import annotations

from kiosk.printing.device import EscposDevice
from kiosk.printing.errors import PrinterUnavailable
from kiosk.printing.url import PrinterURL, usb_ids


class UsbPrinter(EscposDevice):
    """A USB ESC/POS printer (needs pyusb and access to the device)."""

    can_ask = True

    def __init__(self, url: PrinterURL):
        super().__init__(url.text, url.flag("status", True))
        self.vendor, self.product = usb_ids(url)
        self.timeout_ms = int(url.number("timeout", 1.0) * 1000)

    def _open(self):
        try:
            import usb.core  # noqa: F401  (pyusb: python-escpos' USB driver)
            from escpos.printer import Usb
        except ImportError as exc:
            raise PrinterUnavailable(f"{self.url}: USB printing needs pyusb (pip install pyusb)") from exc
        try:
            printer = Usb(self.vendor, self.product, timeout=self.timeout_ms)
            printer.open()
        except Exception as exc:
            raise PrinterUnavailable(f"{self.url}: USB printer {self.vendor:04x}:{self.product:04x} "
                                     f"not found or not accessible: {exc}") from exc
        return printer
