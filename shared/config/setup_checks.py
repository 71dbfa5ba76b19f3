"""Deployment advice on a valid centre config: what would let a centre down on its first day
although the file itself is correct — tickets without a working QR code, the shipped staff PIN.

`check-config`, `serve` and the kiosk's start print these; the kiosk refuses to start with the
shipped PIN (ShippedStaffPin) anywhere but in the demo."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.config.centre import CentreConfig
from shared.core.errors import NovbeError

SHIPPED_STAFF_PIN = "2580"  # the PIN in the bundled config and the README: everyone knows it
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
DEFAULT_PORT = 8700  # novbe serve's


def _example_url(port: int) -> str:
    return f"http://192.168.1.10:{port}"


class ShippedStaffPin(NovbeError):
    """The kiosk's staff PIN is still the one shipped with Növbə."""


@dataclass(frozen=True)
class SetupWarning:
    """One piece of advice: the config key it is about, what is wrong, what to do."""

    key: str
    problem: str
    advice: str

    def __str__(self) -> str:
        return f"{self.key}: {self.problem}\n    → {self.advice}"


def _loopback(host: str) -> bool:
    if host.lower() in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def qr_warnings(config: CentreConfig, port: int = DEFAULT_PORT) -> list[SetupWarning]:
    """Why phones could not follow their turn from the ticket's QR code, if they could not
    (`port`: the server's, for the advice)."""
    url = config.public_url
    if not url:
        return [SetupWarning(
            "centre.public_url", "is empty: tickets are printed without a QR code, so visitors "
                                 "cannot follow their turn on their phones",
            f"set it to this server's address on the centre's network, e.g. public_url = "
            f"\"{_example_url(port)}\"; run `novbe serve --host 0.0.0.0 --port {port}` on that "
            "machine; "
            "visitors' phones must be on that network (the centre's Wi-Fi)")]
    host = urlsplit(url).hostname or ""
    if _loopback(host):
        return [SetupWarning(
            "centre.public_url", f"is {url}: that address is the phone itself, so the QR code "
                                 "on the tickets leads nowhere",
            f"use the server's address on the centre's network instead, e.g. "
            f"{_example_url(port)}")]
    return []


def pin_warnings(config: CentreConfig) -> list[SetupWarning]:
    """The kiosk's staff PIN is the shipped one (printed in the README)."""
    if config.kiosk.staff_pin != SHIPPED_STAFF_PIN:
        return []
    return [SetupWarning(
        "kiosk.staff_pin", f"is the shipped PIN {SHIPPED_STAFF_PIN} (printed in the README): "
                           "anyone could leave the kiosk's full screen",
        "choose a PIN of 4–8 digits only the centre's staff know; `novbe kiosk` does not start "
        "with the shipped PIN (the demo does)")]


def config_warnings(config: CentreConfig) -> list[SetupWarning]:
    """Every piece of advice on this config (for `novbe check-config`)."""
    return qr_warnings(config) + pin_warnings(config)


def serve_warnings(config: CentreConfig, host: str, port: int) -> list[SetupWarning]:
    """Advice for `novbe serve --host HOST --port PORT`: the QR code, and whether the phones
    can reach this server at public_url at all."""
    out = qr_warnings(config, port)
    if out:
        return out
    parts = urlsplit(config.public_url)
    if _loopback(host):
        out.append(SetupWarning(
            "serve --host", f"is {host}: only this machine can reach the server, so phones "
                            f"cannot open {config.public_url}",
            f"run `novbe serve --host 0.0.0.0 --port {port}` so the centre's network reaches it"))
    url_port = parts.port or (443 if parts.scheme == "https" else 80)
    if url_port != port:
        out.append(SetupWarning(
            "centre.public_url", f"names port {url_port} but the server listens on {port}",
            "make them the same, unless a proxy forwards that port to this server"))
    return out


def refuse_shipped_pin(config: CentreConfig) -> None:
    """Raise ShippedStaffPin when a real kiosk would start with the shipped PIN."""
    if pin_warnings(config):
        raise ShippedStaffPin(
            f"the kiosk's staff PIN is still the shipped {SHIPPED_STAFF_PIN}: anyone who read the "
            f"README could leave the kiosk. Set [kiosk] staff_pin in {config.source} to a PIN "
            "only your staff know (4–8 digits); `novbe check-config FILE` checks it. "
            "(`novbe demo` runs with the shipped PIN.)")
