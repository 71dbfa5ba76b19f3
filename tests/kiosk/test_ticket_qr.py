"""A ticket's QR code leads somewhere or is not printed: without a public_url no QR and no
"scan" line; with one, zbar (the real decoder phones' apps are built on) reads the ticket's
phone page URL off the printed image and off the kiosk's screen."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from PySide6.QtWidgets import QWidget

from kiosk.render import Scale, _text, render_ticket, ticket_lines
from shared.i18n import tr
from tests.kiosk.conftest import SIZES, screenshot, tap

ZBARIMG = shutil.which("zbarimg")
pytestmark = pytest.mark.skipif(ZBARIMG is None, reason="zbarimg (Debian zbar-tools) is missing")
PUBLIC_URL = "http://192.168.1.10:8700"


def decode(png: Path) -> list[str]:
    """Every QR code zbarimg finds in the image (raw payloads)."""
    done = subprocess.run([ZBARIMG, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(png)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 4), done.stderr  # 4: no symbol found
    return [line for line in done.stdout.splitlines() if line]


def contains(page: Image.Image, part: Image.Image) -> bool:
    """`part` appears in `page`, centred horizontally as the renderer centres every block."""
    x = (page.width - part.width) // 2
    page_l, part_l = page.convert("L"), part.convert("L")
    for y in range(page.height - part.height + 1):
        window = page_l.crop((x, y, x + part.width, y + part.height))
        if ImageChops.difference(window, part_l).getbbox() is None:
            return True
    return False


def scan_line(lang: str, width: int) -> Image.Image:
    """The first printed line of the "scan" caption, as the renderer draws it."""
    s = Scale(width)
    return _text(tr(lang, "Scan to follow your turn on your phone"), s, size=s.font(20),
                 max_lines=2)[0]


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_ticket_without_public_url_has_no_qr_and_no_scan_line(local_queue, config, artifacts,
                                                              tmp_path, lang):
    """The shipped config (public_url empty): the printed ticket has no QR code and no "scan to
    follow" line; the same ticket with a public_url has both (the check can see them)."""
    ticket = local_queue.issue("pensions.age", language=lang)
    bare = render_ticket(ticket, config, 576)
    path = artifacts / "tickets" / f"ticket-no-public-url-{lang}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    bare.save(path)
    assert decode(path) == []
    assert not contains(bare, scan_line(lang, 576))
    assert ticket_lines(ticket, config)["qr_caption"] == ""

    with_url = render_ticket(ticket, replace(config, public_url=PUBLIC_URL), 576)
    with_url.save(tmp_path / "with-url.png")
    assert decode(tmp_path / "with-url.png") != []
    assert contains(with_url, scan_line(lang, 576))


@pytest.mark.parametrize("width", [384, 512, 576])
def test_printed_qr_decodes_to_the_tickets_phone_page(local_queue, config, artifacts, width):
    """With a public_url the printed QR decodes (zbar) to {public_url}/t/{this ticket's token},
    at every paper width."""
    cfg = replace(config, public_url=PUBLIC_URL)
    ticket = local_queue.issue("benefits.child", language="ru")
    img = render_ticket(ticket, cfg, width)
    path = artifacts / "tickets" / f"ticket-qr-{width}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    assert decode(path) == [f"{PUBLIC_URL}/t/{ticket.token}"]


def test_kiosk_screen_shows_a_qr_only_with_a_public_url(qtbot, make_kiosk, config, clock, artifacts):
    """The ticket screen: no QR and no caption on the shipped config; with a public_url the QR
    on the screen decodes to the ticket's phone page."""
    for cfg, name in ((config, "no-url"), (replace(config, public_url=PUBLIC_URL), "url")):
        window = make_kiosk(SIZES["landscape"], cfg=cfg)
        for tile in ("tile:az", "tile:pensions", "tile:pensions.age", "tile:none"):
            tap(qtbot, window, tile, clock)
        qtbot.waitUntil(lambda w=window: w.controller.screen.name == "ticket", timeout=10000)
        ticket = window.controller.issued[-1]
        qtbot.waitUntil(lambda w=window: w.controller.screen.print_state != "printing", timeout=10000)
        qtbot.wait(100)  # let the new page lay itself out before the screenshot
        shot = screenshot(window, artifacts, f"ticket-{name}")
        found = decode(shot)
        page = window.current_page()
        has_qr = page.findChild(QWidget, "ticket-qr") is not None
        has_caption = page.findChild(QWidget, "ticket-qr-caption") is not None
        if name == "no-url":
            assert (found, has_qr, has_caption) == ([], False, False)
        else:
            assert found == [f"{PUBLIC_URL}/t/{ticket.token}"] and has_qr and has_caption
