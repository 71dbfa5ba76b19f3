"""The printer's real-time status (`DLE EOT n`, asked with python-escpos' query_status) and what
each answer byte means."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.printing.errors import PaperOut, PrinterOffline

# The answers (Epson's real-time status, bits 1 and 4 always set): to DLE EOT 1, bit 3 set means
# offline; to DLE EOT 4, bits 2-3 paper near its end, bits 5-6 paper out.


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself."""

    online: bool = True
    paper: str = "ok"  # ok | low | out

    def raise_if_unusable(self) -> None:
        """Raise PaperOut or PrinterOffline when a ticket cannot be printed now."""
        if self.paper == "out":
            raise PaperOut("the printer is out of paper")
        if not self.online:
            raise PrinterOffline("the printer is offline (cover open or an error)")


def status_from_bytes(printer_byte: int, paper_byte: int) -> PrinterStatus:
    """A status from the answers to DLE EOT 1 and DLE EOT 4."""
    online = not (printer_byte & 0x08)
    if paper_byte & 0x60 == 0x60:
        paper = "out"
    elif paper_byte & 0x0C == 0x0C:
        paper = "low"
    else:
        paper = "ok"
    return PrinterStatus(online, paper)


# What a printer answers, for tests and simulators (fixed bits 1 and 4 set, as Epson does).
READY_PRINTER, OFFLINE_PRINTER = 0x12, 0x1A
PAPER_OK, PAPER_LOW, PAPER_OUT = 0x12, 0x1E, 0x72
