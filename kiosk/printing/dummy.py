"""dummy:// — keeps the ESC/POS bytes of every ticket in memory (tests, benchmarks)."""

from __future__ import annotations

from PIL import Image

from kiosk.printing.device import PrinterDevice
from kiosk.printing.url import PrinterURL
from kiosk.raster import encode


class DummyPrinter(PrinterDevice):
    """Accepts every ticket; `jobs` holds the bytes each one would have sent."""

    def __init__(self, url: PrinterURL | None = None):
        self.url = url.text if url else "dummy://"
        self.jobs: list[bytes] = []

    def print_ticket(self, image: Image.Image, name: str = "ticket") -> None:
        self.jobs.append(encode(image))
