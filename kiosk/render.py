"""The paper ticket: a pure function from a ticket to a 1-bit image at the printer's dot width.

Everything is drawn as pixels with the bundled DejaVu font (no ESC/POS code page has `ə`).
The layout is a stack of blocks, each centred: logo and centre name, "Your number", the big
code, the service, the priority class, date and time, people ahead, estimated wait, QR code,
footer. Blocks are white outside their ink, which the printer encoder crops away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.fonts import pil_font
from kiosk.qr import QUIET_ZONE_MODULES, qr_image, qr_matrix, qr_payload
from shared.config.centre import PAPER_WIDTHS, CentreConfig
from shared.core.model import Ticket
from shared.i18n import ntr, tr
from shared.waits.text import wait_text

LOGO = Path(__file__).resolve().parent.parent / "assets" / "images" / "logo.png"
WHITE, BLACK = 1, 0


@dataclass(frozen=True)
class Scale:
    """Sizes in dots for one paper width (all derived from the width)."""

    width: int

    def px(self, dots_at_576: float) -> int:
        return max(1, round(dots_at_576 * self.width / 576))

    def font(self, dots_at_576: float) -> int:
        """A font size: scaled down for narrow paper, never below 18 dots (2.3 mm)."""
        return max(18, self.px(dots_at_576))

    @property
    def margin(self) -> int:
        return self.px(16)

    @property
    def inner(self) -> int:
        return self.width - 2 * self.margin


def ticket_lines(ticket: Ticket, config: CentreConfig) -> dict[str, str]:
    """The texts printed on the ticket, in the ticket's language."""
    lang = ticket.language
    svc = config.service(ticket.service)
    prio = config.priority(ticket.priority)
    local = ticket.issued_at.astimezone(config.tz)
    if ticket.ahead:
        ahead = ntr(lang, "{n} person ahead", "{n} people ahead", ticket.ahead)
    else:
        ahead = tr(lang, "No one ahead of you")
    wait = wait_text(lang, ticket)
    return {
        "centre": config.name(lang),
        "your_number": tr(lang, "Your number"),
        "code": ticket.code,
        "service": svc.name(lang),
        "priority": prio.name(lang) if prio else "",
        "appointment": tr(lang, "Appointment at {time}", time=f"{ticket.slot_at.astimezone(config.tz):%H:%M}")
        if ticket.slot_at else "",
        "issued": _when(local),
        "ahead": ahead,
        "wait": f"{tr(lang, 'Estimated wait')}: {wait}",
        "qr_caption": tr(lang, "Scan to follow your turn on your phone") if config.public_url else "",
        "please_wait": tr(lang, "Please wait until your number is called"),
        "footer": config.kiosk.footer.get(lang, ""),
    }


def _when(local: datetime) -> str:
    return f"{local:%d.%m.%Y}   {local:%H:%M}"


def render_ticket(ticket: Ticket, config: CentreConfig, width: int | None = None) -> Image.Image:
    """The ticket as a 1-bit image (mode "1", white paper = 1) exactly `width` dots wide."""
    width = width or config.kiosk.paper_width
    if width not in PAPER_WIDTHS:
        raise ValueError(f"paper width must be one of {PAPER_WIDTHS}, got {width}")
    s = Scale(width)
    t = ticket_lines(ticket, config)
    blocks: list[Image.Image | int] = [
        _logo(s.px(96)), s.px(6),
        *_text(t["centre"], s, size=s.font(26), bold=True, max_lines=2), s.px(10),
        _rule(s), s.px(12),
        *_text(t["your_number"], s, size=s.font(26)), s.px(4),
        _code(t["code"], s), s.px(12),
        *_text(t["service"], s, size=s.font(30), bold=True, max_lines=3), s.px(8),
    ]
    if t["priority"]:
        blocks += [_inverted(t["priority"], s), s.px(8)]
    if t["appointment"]:          # a booked visitor: called at this time
        blocks += [_inverted(t["appointment"], s), s.px(8)]
    blocks += [
        *_text(t["issued"], s, size=s.font(24)), s.px(14),
        *_text(t["ahead"], s, size=s.font(28), bold=True), s.px(4),
    ]
    if (ticket.estimated_wait_min > 0 or ticket.no_counter_open) and not ticket.slot_at:
        blocks += [*_text(t["wait"], s, size=s.font(24), max_lines=2)]   # booked: its time
    blocks += [s.px(14)]
    payload = qr_payload(ticket, config)
    if payload is not None:  # no QR code and no "scan" line that would lead nowhere
        quiet = QUIET_ZONE_MODULES * max(3, s.px(200) // len(qr_matrix(payload)))
        blocks += [quiet, qr_image(payload, s.px(200)), quiet]
        blocks += [*_text(t["qr_caption"], s, size=s.font(20), max_lines=2), s.px(10)]
    blocks += [_rule(s), s.px(8)]
    blocks += [*_text(t["please_wait"], s, size=s.font(22), max_lines=2)]
    if t["footer"]:
        blocks += [s.px(6), *_text(t["footer"], s, size=s.font(20), max_lines=2)]
    blocks.append(s.px(24))
    return _stack(blocks, width)


def _stack(blocks: list[Image.Image | int], width: int) -> Image.Image:
    height = sum(b if isinstance(b, int) else b.height for b in blocks)
    page = Image.new("1", (width, height), WHITE)
    y = 0
    for b in blocks:
        if isinstance(b, int):
            y += b
            continue
        page.paste(b, ((width - b.width) // 2, y))
        y += b.height
    return page


@cache
def _logo_source() -> Image.Image:
    with Image.open(LOGO) as img:
        rgba = img.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(paper, rgba).convert("L")


@cache
def _logo(height: int) -> Image.Image:
    src = _logo_source()
    small = src.resize((round(src.width * height / src.height), height), Image.Resampling.LANCZOS)
    return small.point(lambda v: 255 if v > 140 else 0).convert("1")


def _rule(s: Scale) -> Image.Image:
    img = Image.new("1", (s.inner, s.px(3)), BLACK)
    return img


def fit_text(text: str, max_width: int, size: int, bold: bool = False, max_lines: int = 1,
             min_size: int = 10) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (≤ size) and word-wrapped lines that fit max_width in max_lines
    (min_size if nothing fits)."""
    def fits(px: int) -> list[str] | None:
        font = pil_font(px, bold)
        lines = wrap(text, font, max_width)
        ok = len(lines) <= max_lines and all(font.getlength(x) <= max_width for x in lines)
        return lines if ok else None

    lines = fits(size)
    if lines is not None:
        return pil_font(size, bold), lines
    lo, hi, best = min_size, size - 1, min_size
    while lo <= hi:  # binary search: fitting is monotonic in the font size
        mid = (lo + hi) // 2
        if fits(mid) is not None:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    font = pil_font(best, bold)
    return font, wrap(text, font, max_width)


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap by pixel width (a word longer than the line stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and font.getlength(trial) > max_width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines or [""]


def _text(text: str, s: Scale, size: int, bold: bool = False, max_lines: int = 1) -> list[Image.Image]:
    font, lines = fit_text(text, s.inner, size, bold, max_lines)
    return [_line(x, font) for x in lines]


def _line(text: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    ascent, descent = font.getmetrics()
    width = max(1, round(font.getlength(text)))
    img = Image.new("1", (width, ascent + descent), WHITE)
    ImageDraw.Draw(img).text((0, 0), text, font=font, fill=BLACK)
    return img


def _code(code: str, s: Scale) -> Image.Image:
    """The big ticket code, as large as fits 80 % of the paper, cropped to its ink."""
    font, _ = fit_text(code, int(s.width * 0.8), s.px(150), bold=True)
    left, top, right, bottom = font.getbbox(code)
    img = Image.new("1", (int(right - left), int(bottom - top)), WHITE)
    ImageDraw.Draw(img).text((-left, -top), code, font=font, fill=BLACK)
    return img


def _inverted(text: str, s: Scale) -> Image.Image:
    """White text on a black band: the priority class stands out on paper."""
    pad = s.px(8)
    font, lines = fit_text(text, s.inner - 2 * pad, s.font(24), bold=True, max_lines=2)
    ascent, descent = font.getmetrics()
    line_h = ascent + descent
    width = max(round(font.getlength(x)) for x in lines) + 2 * pad
    img = Image.new("1", (width, line_h * len(lines) + 2 * pad), BLACK)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        x = (width - font.getlength(line)) / 2
        draw.text((x, pad + i * line_h), line, font=font, fill=WHITE)
    return img
