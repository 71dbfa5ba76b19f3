"""The paper ticket: three languages × three paper widths, nothing cut off, every Azerbaijani
letter drawn by the bundled font (no tofu boxes), small ESC/POS bytes."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops, ImageDraw

from kiosk.fonts import AZERBAIJANI_LETTERS, pil_font
from kiosk.qr import qr_payload
from kiosk.raster import decode, encode
from kiosk.render import Scale, render_ticket, ticket_lines

CYRILLIC = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
NOT_IN_ANY_FONT = "\U0010fffd"  # a private-use code point: the font draws its .notdef box


def ink(img: Image.Image) -> tuple[int, int, int, int] | None:
    return ImageChops.invert(img.convert("L")).getbbox()


@pytest.mark.parametrize("width", [384, 512, 576])
@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_ticket_renders_at_each_width_in_each_language(local_queue, config, artifacts, lang, width):
    """A 1-bit image exactly the paper's width, ink inside the margins, texts in the language
    (the whole ticket: a centre with a public_url, so its QR code and caption too)."""
    from dataclasses import replace

    config = replace(config, public_url="http://192.168.1.10:8700")
    for _ in range(3):
        local_queue.issue("expertise.rehabilitation", priority="veteran")
    ticket = local_queue.issue("expertise.rehabilitation", priority="disability", language=lang)
    img = render_ticket(ticket, config, width)
    out = artifacts / "tickets" / f"ticket-{lang}-{width}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out)
    assert img.mode == "1" and img.width == width
    left, top, right, bottom = ink(img)
    margin = Scale(width).margin
    assert left >= margin - 1 and right <= width - margin + 1, "something is cut off at the sides"
    assert top > 0 and bottom < img.height
    assert width * 1.2 < img.height < width * 2.6
    lines = ticket_lines(ticket, config)
    assert lines["code"] == ticket.code
    expected = {"az": "Sizin nömrəniz", "ru": "Ваш номер", "en": "Your number"}[lang]
    assert lines["your_number"] == expected
    assert lines["ahead"] == {"az": "Qarşınızda 3 nəfər var", "ru": "Перед вами 3 человека",
                              "en": "3 people ahead of you"}[lang]


def test_rendering_is_a_pure_function(local_queue, config):
    """The same ticket renders to the same pixels every time."""
    ticket = local_queue.issue("pensions.age", language="ru")
    assert ImageChops.difference(render_ticket(ticket, config).convert("L"),
                                 render_ticket(ticket, config).convert("L")).getbbox() is None


def test_qr_payload_is_the_status_page_when_the_centre_has_a_public_url(local_queue, config):
    """With public_url the QR opens the phone page; without, there is no QR payload at all."""
    from dataclasses import replace

    ticket = local_queue.issue("pensions.age")
    assert qr_payload(ticket, config) is None
    public = replace(config, public_url="http://192.168.1.10:8700")
    assert qr_payload(ticket, public) == f"http://192.168.1.10:8700/t/{ticket.token}"
    img = render_ticket(ticket, public, 576)  # a longer payload still fits
    assert len(encode(img)) <= 30_000


def _glyph(char: str, bold: bool) -> Image.Image:
    font = pil_font(48, bold)
    img = Image.new("L", (80, 80), 0)
    ImageDraw.Draw(img).text((10, 5), char, font=font, fill=255)
    return img


@pytest.mark.parametrize("bold", [False, True])
def test_every_azerbaijani_and_cyrillic_letter_has_a_real_glyph(bold):
    """No letter of Azerbaijani or Russian falls back to the font's .notdef box (tofu)."""
    tofu = _glyph(NOT_IN_ANY_FONT, bold)
    assert tofu.getbbox() is not None, "the .notdef glyph should draw a box"
    for char in AZERBAIJANI_LETTERS + CYRILLIC + "№—–…":
        glyph = _glyph(char, bold)
        assert glyph.getbbox() is not None, f"{char!r} draws nothing"
        assert ImageChops.difference(glyph, tofu).getbbox() is not None, f"{char!r} is tofu"


def test_azerbaijani_letters_are_distinct_from_their_latin_bases():
    """ə, ş, ç, ğ, ı, İ, ö, ü each draw their own shape (dots, cedillas, breves are there)."""
    for marked, base in zip("əşçğıİöü", "esçgiIou", strict=True):
        if marked == base:
            continue
        assert ImageChops.difference(_glyph(marked, True), _glyph(base, True)).getbbox(), marked


def test_qt_finds_every_letter_in_the_bundled_font(qapp):
    """The kiosk's Qt font has every Azerbaijani letter in its character map."""
    from PySide6.QtGui import QFontMetrics

    from kiosk.widgets import family, font

    assert family() == "DejaVu Sans"
    metrics = QFontMetrics(font(40, True))
    for char in AZERBAIJANI_LETTERS + CYRILLIC:
        assert metrics.inFontUcs4(ord(char)), char


def test_ticket_bytes_stay_small_and_decode_exactly(local_queue, config):
    """At 576 dots a ticket is at most 30 KB of ESC/POS and decodes back to the same image."""
    ticket = local_queue.issue("benefits.birth", priority="veteran", language="ru")
    img = render_ticket(ticket, config, 576)
    data = encode(img)
    assert len(data) <= 30_000
    assert ImageChops.difference(decode(data, 576).convert("L"), img.convert("L")).getbbox() is None
