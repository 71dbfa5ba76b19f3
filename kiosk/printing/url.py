"""Printer URLs: `usb://VID:PID`, `tcp://HOST:9100`, `serial:///dev/ttyUSB0?baudrate=9600`,
`file:///dev/usb/lp0`, `cups://NAME`, `win32://NAME`, `preview://FOLDER`, `dummy://`."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from kiosk.printing.errors import BadPrinterURL

SCHEMES = ("usb", "tcp", "serial", "file", "cups", "win32", "preview", "dummy")


@dataclass(frozen=True)
class PrinterURL:
    """A parsed printer URL; `target` is the host, device path, queue name or folder."""

    scheme: str
    target: str
    port: int | None = None
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def flag(self, name: str, default: bool) -> bool:
        value = self.params.get(name)
        return default if value is None else value.lower() not in ("0", "no", "false", "off")

    def number(self, name: str, default: float) -> float:
        try:
            return float(self.params.get(name, default))
        except ValueError:
            raise BadPrinterURL(f"{self.text}: ?{name}= must be a number") from None


def parse_printer_url(text: str) -> PrinterURL:
    """Split a printer URL into its parts; raise BadPrinterURL saying what is wrong."""
    if "://" not in text:
        raise BadPrinterURL(f"not a printer URL: {text!r} (use one of "
                            f"{', '.join(s + '://' for s in SCHEMES)})")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise BadPrinterURL(f"unknown printer scheme {scheme!r} in {text!r} (use one of "
                            f"{', '.join(s + '://' for s in SCHEMES)})")
    params = dict(parse_qsl(parts.query))
    if scheme == "tcp":
        if not parts.hostname:
            raise BadPrinterURL(f"{text}: tcp:// needs a host, e.g. tcp://192.168.1.50:9100")
        try:
            port = parts.port or 9100
        except ValueError:
            raise BadPrinterURL(f"{text}: bad port") from None
        return PrinterURL(scheme, parts.hostname, port, params, text)
    if scheme in ("serial", "file"):
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise BadPrinterURL(f"{text}: {scheme}:// needs a path, e.g. {scheme}:///dev/ttyUSB0")
        return PrinterURL(scheme, path, None, params, text)
    target = unquote(parts.netloc + parts.path)
    if scheme in ("usb", "cups", "win32") and not target:
        raise BadPrinterURL(f"{text}: {scheme}:// needs a name" +
                            (" like usb://04b8:0202" if scheme == "usb" else ""))
    return PrinterURL(scheme, target, None, params, text)


def usb_ids(url: PrinterURL) -> tuple[int, int]:
    """(vendor id, product id) of usb://VID:PID (hexadecimal)."""
    try:
        vid, pid = url.target.split(":")
        return int(vid, 16), int(pid, 16)
    except ValueError:
        raise BadPrinterURL(f"{url.text}: usb:// needs VID:PID in hex, like usb://04b8:0202") from None
