"""The ticket image as ESC/POS bytes (`GS v 0` raster via python-escpos), and back.

Bytes are kept small without any printer-specific compression: runs of white rows become a
1-byte-wide blank raster (exact height on every printer, unlike ESC J motion units), and each
inked band is cropped to its ink symmetrically around the centre and printed centred (ESC a 1,
which applies to raster images). `decode` reverses it, for tests and the preview printer."""

from __future__ import annotations

from dataclasses import dataclass

from escpos.printer import Dummy
from PIL import Image

ESC, GS, DLE = b"\x1b", b"\x1d", b"\x10"
INIT = ESC + b"@"
CENTER = ESC + b"a\x01"
MERGE_GAP_ROWS = 2
FEED_BEFORE_CUT = 96  # dots: the cutter sits ~12 mm above the print head


class RasterDecodeError(ValueError):
    """The bytes are not the ESC/POS subset that `encode` writes."""


def _raster(img: Image.Image) -> bytes:
    """One `GS v 0` block for a 1-bit image, built by python-escpos."""
    printer = Dummy()
    printer.profile.profile_data["media"]["width"]["pixels"] = img.width
    printer.image(img, impl="bitImageRaster", fragment_height=4096)
    return printer.output


def _blank(rows: int) -> bytes:
    out = b""
    while rows > 0:
        n = min(rows, 4095)
        out += GS + b"v0\x00" + bytes((1, 0, n & 0xFF, n >> 8)) + b"\x00" * n
        rows -= n
    return out


def _ink_rows(img: Image.Image) -> list[bool]:
    raw = img.tobytes()  # mode "1": 1 bit a pixel, 1 = white, rows padded to whole bytes
    stride = (img.width + 7) // 8
    white = b"\xff" * stride
    return [raw[y * stride:(y + 1) * stride] != white for y in range(img.height)]


def bands(img: Image.Image) -> list[tuple[int, int, bool]]:
    """(top, bottom, inked) runs of rows; short white gaps inside ink are kept as ink."""
    rows = _ink_rows(img)
    runs: list[list] = []
    for y, ink in enumerate(rows):
        if runs and runs[-1][2] == ink:
            runs[-1][1] = y + 1
        else:
            runs.append([y, y + 1, ink])
    merged: list[list] = []
    for run in runs:
        gap_inside = (not run[2] and merged and run[1] - run[0] <= MERGE_GAP_ROWS
                      and run[1] < img.height)
        if merged and (gap_inside or (run[2] and merged[-1][2])):
            merged[-1][1] = run[1]
            merged[-1][2] = True
        else:
            merged.append(list(run))
    return [(a, b, ink) for a, b, ink in merged]


def encode(img: Image.Image, cut: bool = True) -> bytes:
    """ESC/POS bytes that print the 1-bit image exactly (width a multiple of 8 dots)."""
    if img.mode != "1":
        img = img.convert("1")
    if img.width % 8:
        raise ValueError(f"image width {img.width} is not a multiple of 8 dots")
    out = [INIT, CENTER]
    for top, bottom, inked in bands(img):
        if not inked:
            out.append(_blank(bottom - top))
            continue
        band = img.crop((0, top, img.width, bottom))
        left, _, right, _ = Image.eval(band.convert("L"), lambda v: 255 - v).getbbox() or (0, 0, 8, 0)
        x0 = min(left, img.width - right) // 8 * 8
        out.append(_raster(band.crop((x0, 0, img.width - x0, band.height))))
    if cut:
        out.append(_blank(FEED_BEFORE_CUT) + GS + b"V\x01")
    return b"".join(out)


def command_length(data: bytes, i: int) -> int | None:
    """The length of the ESC/POS command starting at data[i] (of the subset `encode` writes,
    plus DLE EOT), or None if it is not complete yet; RasterDecodeError if unknown."""
    head = data[i:i + 3]
    if head[:2] == INIT:
        return 2
    if head[:2] in (ESC + b"a", DLE + b"\x04"):
        return 3 if len(data) >= i + 3 else None
    if head[:2] == GS + b"V":
        if len(data) < i + 3:
            return None
        return 3 if data[i + 2] in (0, 1, 48, 49) else 4
    if head == GS + b"v0":
        if len(data) < i + 8:
            return None
        size = 8 + (data[i + 4] | data[i + 5] << 8) * (data[i + 6] | data[i + 7] << 8)
        return size if len(data) >= i + size else None
    if len(head) < 3 and head in (ESC, GS, DLE, GS + b"v"):
        return None
    raise RasterDecodeError(f"unexpected byte 0x{data[i]:02x} at {i}")


@dataclass
class _Block:
    x: int
    image: Image.Image


def decode(data: bytes, width: int) -> Image.Image:
    """The page the bytes print on paper `width` dots wide (the feed before the cut excluded)."""
    blocks: list[_Block] = []
    align = 0
    i = 0
    while i < len(data):
        size = command_length(data, i)
        if size is None:
            raise RasterDecodeError(f"command at byte {i} is cut short")
        if data.startswith(ESC + b"a", i):
            align = data[i + 2] % 48
        elif data.startswith(GS + b"v0", i):
            xb = data[i + 4] | data[i + 5] << 8
            h = data[i + 6] | data[i + 7] << 8
            body = data[i + 8:i + size]
            img = Image.frombytes("1", (xb * 8, h), bytes(b ^ 0xFF for b in body))
            x = {0: 0, 1: (width - xb * 8) // 2, 2: width - xb * 8}.get(align, 0)
            blocks.append(_Block(x, img))
        i += size
    if data.endswith(GS + b"V\x01") and blocks and blocks[-1].image.width == 8:
        last = blocks[-1].image
        if last.height == FEED_BEFORE_CUT and not Image.eval(last.convert("L"), lambda v: 255 - v).getbbox():
            blocks.pop()
    page = Image.new("1", (width, sum(b.image.height for b in blocks)), 1)
    y = 0
    for b in blocks:
        if b.image.width == 8 and not Image.eval(b.image.convert("L"), lambda v: 255 - v).getbbox():
            y += b.image.height
            continue
        page.paste(b.image, (b.x, y))
        y += b.image.height
    return page
