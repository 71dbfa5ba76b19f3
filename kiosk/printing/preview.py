"""preview://FOLDER — no paper: each ticket becomes a PNG file in the folder (demo, development)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from PIL import Image

from kiosk.printing.device import PrinterDevice
from kiosk.printing.errors import PrinterUnavailable
from kiosk.printing.url import PrinterURL


def safe_name(name: str) -> str:
    """A file name made only of letters, digits, '-' and '_' (a ticket's name comes partly from
    the queue — a server's answer for a remote kiosk — and must never become a path)."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", str(name)).strip("_")[:80]
    return cleaned or "ticket"


class PreviewPrinter(PrinterDevice):
    """Writes `<name>.png` (or `<name>-2.png`… if taken) into the folder."""

    def __init__(self, url: PrinterURL):
        self.url = url.text
        self.folder = Path(url.target or "tickets").expanduser()
        self.written: list[Path] = []

    def print_ticket(self, image: Image.Image, name: str = "ticket") -> None:
        name = safe_name(name)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for n in itertools.count(1):
                path = self.folder / (f"{name}.png" if n == 1 else f"{name}-{n}.png")
                if not path.exists():
                    break
            image.save(path)
        except OSError as exc:
            raise PrinterUnavailable(f"{self.url}: cannot write {self.folder}: {exc}") from exc
        self.written.append(path)
