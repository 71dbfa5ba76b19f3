"""The ticket's QR code: the phone status page of the ticket, right-sized — or none at all when
the centre has no public_url (a bare token would show a phone some text, not a page)."""

from __future__ import annotations

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from shared.config.centre import CentreConfig
from shared.core.model import Ticket

QUIET_ZONE_MODULES = 4


def qr_payload(ticket: Ticket, config: CentreConfig) -> str | None:
    """`{public_url}/t/{token}`, the ticket's phone page; None when the centre has no public
    URL (then the ticket has no QR code and no "scan" line: see shared/config/setup_checks.py)."""
    if not config.public_url or not ticket.token:
        return None
    return f"{config.public_url}/t/{ticket.token}"


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR modules (True = dark), without a quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    return code.get_matrix()


def qr_image(payload: str, target_px: int, mode: str = "1") -> Image.Image:
    """A QR code of whole-pixel modules, as close to target_px wide as possible (never below
    3 px a module, so a thermal printer's dots stay readable)."""
    matrix = qr_matrix(payload)
    n = len(matrix)
    box = max(3, target_px // n)
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    img = small.resize((n * box, n * box), Image.Resampling.NEAREST)
    return img if mode == "1" else img.convert(mode)
