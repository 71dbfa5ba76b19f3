"""A ticket printer as the kiosk sees it: ask its status, print a ticket image, close."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from PIL import Image

from kiosk.printing.errors import PaperOut, PrinterError, PrinterTimeout, PrinterUnavailable
from kiosk.printing.status import PrinterStatus, status_from_bytes
from kiosk.printing.url import PrinterURL
from kiosk.raster import encode

log = logging.getLogger(__name__)


class PrinterDevice(ABC):
    """One printer named by a URL; `print_ticket` raises a PrinterError subclass on failure."""

    url: str = ""

    def status(self) -> PrinterStatus | None:
        """The printer's status, or None when this transport cannot ask."""
        return None

    @abstractmethod
    def print_ticket(self, image: Image.Image, name: str = "ticket") -> None:
        """Print one ticket image (1-bit, the paper's width)."""

    def close(self) -> None:  # noqa: B027 — most printers hold nothing open
        """Release the connection (the next call opens it again)."""


class EscposDevice(PrinterDevice):
    """A printer spoken to in ESC/POS through a python-escpos printer object.

    Its status is asked with python-escpos' public `query_status` (DLE EOT 1 and 4). Not with
    `is_online()` / `paper_status()`: those read a printer that does not answer as "offline"
    and "plenty of paper", where a kiosk must say "no answer" and not print. The ticket's bytes
    (our own `GS v 0` raster, kiosk/raster.py) go out through `_raw`: python-escpos 3.1 has no
    public call that sends bytes as they are."""

    can_ask = False  # whether the transport carries the printer's answers back
    keep_open = False  # keep the connection between tickets (serial lines)

    def __init__(self, url: str, ask_status: bool = True):
        self.url = url
        self.ask_status = ask_status and self.can_ask
        self._printer = None

    @abstractmethod
    def _open(self):
        """Connect and return a python-escpos printer object."""

    def _connection(self):
        if self._printer is None:
            self._printer = self._open()
        return self._printer

    def _ask(self, query: bytes) -> int:
        printer = self._connection()
        try:
            answer = printer.query_status(query)
        except TimeoutError as exc:
            raise PrinterTimeout(f"{self.url}: no answer to the status query") from exc
        except OSError as exc:
            raise PrinterUnavailable(f"{self.url}: {exc}") from exc
        if not answer:
            raise PrinterTimeout(f"{self.url}: no answer to the status query")
        return answer[-1] if isinstance(answer, (bytes, bytearray)) else int(answer[-1])

    def status(self) -> PrinterStatus | None:
        if not self.ask_status:
            return None
        try:
            return status_from_bytes(self._ask(RT_STATUS_ONLINE), self._ask(RT_STATUS_PAPER))
        except PrinterError:
            self.close()
            raise

    def print_ticket(self, image: Image.Image, name: str = "ticket") -> None:
        data = encode(image)
        try:
            status = self.status()
            if status:
                status.raise_if_unusable()
            self._send(data)
            after = self.status()  # paper may run out in the middle of the ticket
            if after and after.paper == "out":
                raise PaperOut("the paper ran out while printing")
        except PrinterError:
            self.close()
            raise
        finally:
            if not self.keep_open:
                self.close()

    def _send(self, data: bytes) -> None:
        printer = self._connection()
        try:
            printer._raw(data)
            flush = getattr(printer, "flush", None)
            if callable(flush):
                flush()
        except TimeoutError as exc:
            raise PrinterTimeout(f"{self.url}: timed out in the middle of the ticket") from exc
        except OSError as exc:
            raise PrinterUnavailable(f"{self.url}: {exc}") from exc
        except Exception as exc:  # python-escpos and its drivers raise their own errors
            raise PrinterUnavailable(f"{self.url}: {exc}") from exc

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            try:
                printer.close()
            except Exception as exc:  # closing a dead connection must never mask the fault
                log.debug("closing %s: %s", self.url, exc)


class RawQueuePrinter(EscposDevice):
    """A printer queue of the operating system that takes raw jobs (CUPS, Windows): no status
    channel; subclasses name the python-escpos class and what it needs installed."""

    what = "printer"      # "CUPS queue", "Windows printer"
    needs = ""            # the message when the library is missing

    def __init__(self, url: PrinterURL):
        super().__init__(url.text, ask_status=False)
        self.name = url.target

    def _escpos_class(self) -> type:
        """The python-escpos printer class (importing what it needs; ImportError if missing)."""
        raise NotImplementedError

    def _open(self):
        try:
            cls = self._escpos_class()
        except ImportError as exc:
            raise PrinterUnavailable(f"{self.url}: {self.needs}") from exc
        try:
            printer = cls(self.name)
            printer.open()
        except Exception as exc:
            raise PrinterUnavailable(f"{self.url}: {self.what} {self.name!r}: {exc}") from exc
        return printer
