"""Ticket printers named by URL: one small module per transport, one `open_printer` factory."""

from kiosk.printing.device import PrinterDevice
from kiosk.printing.errors import (
    BadPrinterURL,
    PaperOut,
    PrinterError,
    PrinterOffline,
    PrinterTimeout,
    PrinterUnavailable,
)
from kiosk.printing.factory import open_printer
from kiosk.printing.status import PrinterStatus

__all__ = ["BadPrinterURL", "PaperOut", "PrinterDevice", "PrinterError", "PrinterOffline",
           "PrinterStatus", "PrinterTimeout", "PrinterUnavailable", "open_printer"]
