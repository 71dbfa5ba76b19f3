"""The printer named by a URL."""

from __future__ import annotations

from kiosk.printing.device import PrinterDevice
from kiosk.printing.url import parse_printer_url


def open_printer(url: str) -> PrinterDevice:
    """A printer object for the URL (connections open lazily, per ticket); BadPrinterURL if the
    URL is wrong."""
    parsed = parse_printer_url(url)
    scheme = parsed.scheme
    if scheme == "tcp":
        from kiosk.printing.tcp import TcpPrinter
        return TcpPrinter(parsed)
    if scheme == "usb":
        from kiosk.printing.usb import UsbPrinter
        return UsbPrinter(parsed)
    if scheme == "serial":
        from kiosk.printing.serial import SerialPrinter
        return SerialPrinter(parsed)
    if scheme == "file":
        from kiosk.printing.file import FilePrinter
        return FilePrinter(parsed)
    if scheme == "cups":
        from kiosk.printing.cups import CupsPrinter
        return CupsPrinter(parsed)
    if scheme == "win32":
        from kiosk.printing.win32 import Win32Printer
        return Win32Printer(parsed)
    if scheme == "preview":
        from kiosk.printing.preview import PreviewPrinter
        return PreviewPrinter(parsed)
    from kiosk.printing.dummy import DummyPrinter
    return DummyPrinter(parsed)
