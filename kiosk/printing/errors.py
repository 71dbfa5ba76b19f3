"""What can go wrong with a ticket printer, each with a message staff can act on."""

from shared.core.errors import NovbeError


class PrinterError(NovbeError):
    """The ticket could not be printed."""


class BadPrinterURL(PrinterError):
    """The printer URL is not one of usb://, tcp://, serial://, file://, cups://, win32://,
    preview://, dummy://, or its parts are wrong."""


class PrinterUnavailable(PrinterError):
    """The printer cannot be reached: switched off, unplugged, driver missing."""


class PrinterOffline(PrinterUnavailable):
    """The printer answers but says it is offline (cover open, error, feeding)."""


class PrinterTimeout(PrinterUnavailable):
    """The printer did not answer in time (a status query, or in the middle of a job)."""


class PaperOut(PrinterError):
    """The printer has no paper."""
