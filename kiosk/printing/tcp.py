"""tcp://HOST:9100 — a network printer (raw port 9100), one connection per ticket."""

from __future__ import annotations

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network

from kiosk.printing.device import EscposDevice
from kiosk.printing.errors import PrinterUnavailable
from kiosk.printing.url import PrinterURL


class TcpPrinter(EscposDevice):
    """A network ESC/POS printer; answers DLE EOT on the same socket."""

    can_ask = True

    def __init__(self, url: PrinterURL):
        super().__init__(url.text, url.flag("status", True))
        self.host, self.port = url.target, url.port or 9100
        self.timeout = url.number("timeout", 1.0)

    def _open(self) -> Network:
        printer = Network(self.host, self.port, timeout=self.timeout)
        try:
            printer.open()
        except DeviceNotFoundError as exc:
            raise PrinterUnavailable(f"{self.url}: cannot connect to {self.host}:{self.port}") from exc
        return printer
