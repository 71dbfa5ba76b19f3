"""Draws the centre logo (logo.png, logo.svg): three people in a queue inside a ring.
Run once: python assets/images/make_logo.py — the outputs are committed."""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 512
# (centre x, head radius) of three people, smallest at the back of the queue
PEOPLE = [(150, 34), (256, 44), (362, 34)]


def shapes() -> list[tuple[str, tuple[float, ...]]]:
    out: list[tuple[str, tuple[float, ...]]] = [("ring", (256, 256, 240, 26))]
    for cx, r in PEOPLE:
        top = 250 - r * 2.2 if r > 40 else 270 - r * 2.2
        out.append(("circle", (cx, top, r)))
        body_top = top + r * 1.55
        out.append(("body", (cx - r * 1.55, body_top, cx + r * 1.55, body_top + r * 3.2)))
    out.append(("bar", (110, 392, 402, 420)))
    return out


def draw_png(path: Path) -> None:
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    black = (0, 0, 0, 255)
    for kind, v in shapes():
        if kind == "ring":
            cx, cy, r, w = v
            d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=black, width=int(w))
        elif kind == "circle":
            cx, cy, r = v
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=black)
        elif kind == "body":
            x0, y0, x1, y1 = v
            white = (255, 255, 255, 255)
            d.rounded_rectangle((x0, y0, x1, y1), radius=(x1 - x0) / 2.2, fill=black,
                                outline=white, width=10)
        elif kind == "bar":
            pass
    d.rectangle((0, 380, SIZE, SIZE), fill=(0, 0, 0, 0))
    d.rectangle((110, 392, 402, 420), fill=black)
    # the ring clips the bodies: cut everything below the bar
    d.rectangle((0, 421, SIZE, SIZE), fill=(0, 0, 0, 0))
    d.ellipse((16, 16, 496, 496), outline=black, width=26)
    img.save(path)


def draw_svg(path: Path) -> None:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">',
             '<defs><clipPath id="c"><rect x="0" y="0" width="512" height="380"/></clipPath></defs>',
             '<g fill="#000" clip-path="url(#c)">']
    for kind, v in shapes():
        if kind == "circle":
            parts.append(f'<circle cx="{v[0]:.0f}" cy="{v[1]:.0f}" r="{v[2]:.0f}"/>')
        elif kind == "body":
            w = v[2] - v[0]
            parts.append(f'<rect x="{v[0]:.0f}" y="{v[1]:.0f}" width="{w:.0f}" height="{v[3] - v[1]:.0f}" '
                         f'rx="{w / 2.2:.0f}" stroke="#fff" stroke-width="10"/>')
    parts.append('</g><rect x="110" y="392" width="292" height="28"/><circle cx="256" cy="256" r="227" fill="none" stroke="#000" stroke-width="26"/></svg>')
    path.write_text("\n".join(parts) + "\n")


if __name__ == "__main__":
    draw_png(HERE / "logo.png")
    draw_svg(HERE / "logo.svg")
