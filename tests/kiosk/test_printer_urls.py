"""Printer URLs for every transport, and the transports that need hardware (USB with a fake
device, as allowed; serial/CUPS/win32 without their drivers say what to install)."""

from __future__ import annotations

import pytest
from escpos.escpos import Escpos

from kiosk.printing import BadPrinterURL, PrinterUnavailable, open_printer
from kiosk.printing.dummy import DummyPrinter
from kiosk.printing.file import FilePrinter
from kiosk.printing.preview import PreviewPrinter
from kiosk.printing.status import PAPER_OK, PAPER_OUT, READY_PRINTER
from kiosk.printing.tcp import TcpPrinter
from kiosk.printing.url import parse_printer_url, usb_ids
from kiosk.printing.usb import UsbPrinter
from kiosk.raster import decode
from kiosk.render import render_ticket


def test_each_scheme_parses():
    """Every documented scheme gives its target and options."""
    assert (parse_printer_url("tcp://10.0.0.5").target, parse_printer_url("tcp://10.0.0.5").port) == ("10.0.0.5", 9100)
    assert parse_printer_url("tcp://10.0.0.5:9101?timeout=2").number("timeout", 1) == 2
    serial = parse_printer_url("serial:///dev/ttyUSB0?baudrate=19200")
    assert (serial.target, serial.params["baudrate"]) == ("/dev/ttyUSB0", "19200")
    assert parse_printer_url("file:///dev/usb/lp0").target == "/dev/usb/lp0"
    assert parse_printer_url("cups://TM-T20").target == "TM-T20"
    assert parse_printer_url("win32://EPSON%20TM-T88V").target == "EPSON TM-T88V"
    assert parse_printer_url("preview://tickets").target == "tickets"
    assert usb_ids(parse_printer_url("usb://04b8:0202")) == (0x04B8, 0x0202)
    assert isinstance(open_printer("dummy://"), DummyPrinter)
    assert isinstance(open_printer("preview:///tmp/x"), PreviewPrinter)
    assert isinstance(open_printer("file:///tmp/x.bin"), FilePrinter)
    assert isinstance(open_printer("tcp://h:9100"), TcpPrinter)


@pytest.mark.parametrize("url", ["lpt://x", "no-scheme", "tcp://", "usb://zz", "usb://", "file://",
                                 "tcp://h:notaport"])
def test_bad_urls_say_what_is_wrong(url):
    """A wrong URL is a BadPrinterURL naming the problem, raised when the printer is opened."""
    with pytest.raises(BadPrinterURL):
        open_printer(url)


@pytest.mark.parametrize("url,module,driver", [("serial:///dev/ttyUSB9", "serial", "pyserial"),
                                               ("cups://Nope", "cups", "pycups"),
                                               ("win32://Nope", "win32print", "pywin32")])
def test_transports_without_their_driver_say_what_to_install(local_queue, config, url, module, driver):
    """Without the driver module the printer is unavailable and the message names it."""
    import importlib.util

    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed here")
    ticket = local_queue.issue("pensions.age")
    with pytest.raises(PrinterUnavailable, match=driver):
        open_printer(url).print_ticket(render_ticket(ticket, config))


class FakeUsbDevice(Escpos):
    """Stands in for python-escpos' Usb printer (no USB hardware in CI): a python-escpos printer
    whose device records bytes and answers DLE EOT from its 'IN endpoint' — so the status is
    asked through the library's own query_status."""

    def __init__(self, paper: int = PAPER_OK):
        super().__init__()
        self.sent = bytearray()
        self.paper = paper
        self._answer = b""

    def _raw(self, data: bytes) -> None:
        if data[:2] == b"\x10\x04":
            self._answer = bytes((READY_PRINTER if data[2] == 1 else self.paper,))
        else:
            self.sent += data

    def _read(self) -> bytes:
        answer, self._answer = self._answer, b""
        return answer

    def close(self) -> None:
        pass


def test_usb_printer_asks_status_and_sends_the_raster(local_queue, config, monkeypatch):
    """usb:// asks DLE EOT and sends the same raster as the network printer."""
    device = FakeUsbDevice()
    monkeypatch.setattr(UsbPrinter, "_open", lambda self: device)
    ticket = local_queue.issue("pensions.age", language="az")
    image = render_ticket(ticket, config)
    open_printer("usb://04b8:0202").print_ticket(image)
    assert decode(bytes(device.sent), 576).tobytes() == image.tobytes()


def test_usb_printer_out_of_paper(local_queue, config, monkeypatch):
    """usb:// with no paper raises PaperOut and sends nothing."""
    from kiosk.printing import PaperOut

    device = FakeUsbDevice(PAPER_OUT)
    monkeypatch.setattr(UsbPrinter, "_open", lambda self: device)
    ticket = local_queue.issue("pensions.age")
    with pytest.raises(PaperOut):
        open_printer("usb://04b8:0202").print_ticket(render_ticket(ticket, config))
    assert not device.sent


def test_usb_without_pyusb_says_so(local_queue, config):
    """Without pyusb installed, usb:// is unavailable with a clear message."""
    pytest.importorskip("escpos")
    try:
        import usb  # noqa: F401
        pytest.skip("pyusb is installed here")
    except ImportError:
        pass
    ticket = local_queue.issue("pensions.age")
    with pytest.raises(PrinterUnavailable, match="pyusb"):
        open_printer("usb://04b8:0202").print_ticket(render_ticket(ticket, config))


def test_preview_writes_one_png_per_ticket(local_queue, config, tmp_path):
    """preview:// writes each ticket as a PNG, never overwriting an earlier one."""
    ticket = local_queue.issue("pensions.age")
    printer = open_printer(f"preview://{tmp_path}/p")
    printer.print_ticket(render_ticket(ticket, config), "A")
    printer.print_ticket(render_ticket(ticket, config), "A")
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["A-2.png", "A.png"]
