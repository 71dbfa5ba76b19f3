"""Charts as SVG text, drawn on the server (the centre's network has no internet: no script
library, no CDN): horizontal bars with a target line, waits by hour, the arrivals heatmap and
satisfaction over time. Plain shapes and text, no inline styles (the pages' CSP forbids them);
colours come from the page's stylesheet through class names, with printable fallbacks."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

FONT = 12
ROW = 22
ROW_TWO_LINES = 34
LABEL_CHARS = 34             # what fits the bars' label column at FONT
MINUTE_STEPS = (0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120)   # readable steps of a minutes axis
PLAIN_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def axis_ticks(maximum: float, steps: Sequence[float] = PLAIN_STEPS, most: int = 4) -> list[float]:
    """The ticks of an axis from 0: the smallest readable step giving at most `most` ticks above
    zero, up to the first tick at or above `maximum` (the axis ends there)."""
    if maximum <= 0:
        return [0.0, float(steps[0])]
    step = next((s for s in steps if math.ceil(maximum / s - 1e-9) <= most), None)
    if step is None:
        step = steps[-1] * math.ceil(maximum / (steps[-1] * most))
    return [i * step for i in range(max(1, math.ceil(maximum / step - 1e-9)) + 1)]


def minutes_text(minutes: float) -> str:
    """A minutes value as the report writes times: 1:30, 0:15, 12:00."""
    total = int(round(minutes * 60))
    return f"{total // 60}:{total % 60:02d}"


def label_lines(text: str, chars: int = LABEL_CHARS) -> list[str]:
    """A label in at most two lines of `chars`, broken between words; what still does not fit
    ends with "…" after a whole word, never in the middle of one."""
    words: list[str] = text.split()
    lines: list[str] = []
    while words and len(lines) < 2:
        line = words.pop(0)
        if len(line) > chars:                    # one word longer than a line: nothing else to do
            line = line[:chars - 1] + "…"
        while words and len(line) + 1 + len(words[0]) <= chars:
            line += " " + words.pop(0)
        lines.append(line)
    if words:
        last = lines[-1]
        while len(last) + 1 > chars and " " in last:
            last = last.rsplit(" ", 1)[0]
        lines[-1] = last.rstrip(" ,;") + "…"
    return lines


def _text(x: float, y: float, text: str, anchor: str = "start", cls: str = "lbl") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}" '
            f'font-size="{FONT}">{escape(text)}</text>')


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-label="{escape(title)}" class="chart">'
            f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def bars(title: str, items: Sequence[tuple[str, float | None, str]], maximum: float,
         target: float | None = None, target_label: str = "", width: int = 640) -> str:
    """One horizontal bar per item (label — in two lines when long, broken between words —
    value, shown text); a dashed target line."""
    label_w, right = 230, 70
    plot = width - label_w - right
    labels = [label_lines(label) for label, _, _ in items]
    row = ROW_TWO_LINES if any(len(lines) > 1 for lines in labels) else ROW
    height = row * len(items) + 30
    body = []
    scale = plot / maximum if maximum else 0
    for i, (_, value, shown) in enumerate(items):
        y = 8 + i * row
        middle = y + row / 2 + 4
        for k, text in enumerate(labels[i]):
            body.append(_text(label_w - 6, middle + (k - (len(labels[i]) - 1) / 2) * (FONT + 1),
                              text, "end"))
        if value is not None:
            w = max(1.0, value * scale)
            good = target is None or value >= target
            body.append(f'<rect x="{label_w}" y="{middle - 11:.1f}" width="{w:.1f}" '
                        f'height="{ROW - 7}" class="{"bar" if good else "bar low"}" fill="#0b5cad"/>')
            body.append(_text(label_w + w + 4, middle, shown))
    if target is not None and maximum:
        x = label_w + target * scale
        body.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 20}" class="target" '
                    f'stroke="#b3261e" stroke-dasharray="4 3"/>')
        body.append(_text(x, height - 6, target_label, "middle", "lbl target-lbl"))
    return _svg(width, height, title, body)


def columns(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]],
            unit: str, width: int = 640, height: int = 240, minutes: bool = False) -> str:
    """Grouped vertical columns (e.g. mean and median wait per hour), with a legend; the value
    axis has ticks at readable values (with `minutes`, 0:30, 1:00, 1:30… in m:ss), each drawn
    where its value is."""
    left, bottom, top = 44, 34, 26
    plot_w, plot_h = width - left - 10, height - bottom - top
    values = [v for _, vs in series for v in vs if v is not None]
    ticks = axis_ticks(max(values, default=0), MINUTE_STEPS if minutes else PLAIN_STEPS)
    maximum = ticks[-1]
    tick_text: Callable[[float], str] = minutes_text if minutes else (lambda v: f"{v:g}")
    slot = plot_w / max(1, len(labels))
    bar_w = max(2.0, slot * 0.8 / max(1, len(series)))
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
            'class="axis" stroke="#5b6776"/>']
    for tick in ticks[1:]:
        y = top + plot_h - plot_h * tick / maximum
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" class="grid" '
                    'stroke="#d9dee5"/>')
        body.append(_text(left - 4, y + 4, tick_text(tick), "end", "lbl tick"))
    body.append(_text(left - 4, top - 10, unit, "end"))
    for i, label in enumerate(labels):
        x0 = left + i * slot + slot * 0.1
        for j, (_, vs) in enumerate(series):
            v = vs[i]
            if v is None:
                continue
            h = plot_h * v / maximum
            body.append(f'<rect x="{x0 + j * bar_w:.1f}" y="{top + plot_h - h:.1f}" '
                        f'width="{bar_w - 1:.1f}" height="{h:.1f}" class="series{j}" '
                        f'fill="{("#0b5cad", "#7fb2e5", "#1f7a3a")[j % 3]}"/>')
        body.append(_text(left + i * slot + slot / 2, top + plot_h + 16, label, "middle"))
    for j, (name, _) in enumerate(series):
        x = left + 10 + j * 150
        body.append(f'<rect x="{x}" y="4" width="12" height="12" class="series{j}" '
                    f'fill="{("#0b5cad", "#7fb2e5", "#1f7a3a")[j % 3]}"/>')
        body.append(_text(x + 16, 14, name))
    return _svg(width, height, title, body)


def heatmap(title: str, rows: Sequence[str], cols: Sequence[str],
            cells: dict[tuple[int, int], tuple[float, str]], width: int = 640) -> str:
    """A grid: rows × cols, each cell shaded by its value (0…max) and labelled."""
    left, top = 110, 22
    cell_w = (width - left - 6) / max(1, len(cols))
    cell_h = 24
    height = top + cell_h * len(rows) + 6
    maximum = max((v for v, _ in cells.values()), default=0) or 1
    body = []
    for j, c in enumerate(cols):
        body.append(_text(left + j * cell_w + cell_w / 2, top - 6, c, "middle"))
    for i, r in enumerate(rows):
        y = top + i * cell_h
        body.append(_text(left - 6, y + 16, r, "end"))
        for j in range(len(cols)):
            value, shown = cells.get((i, j), (0.0, ""))
            level = value / maximum
            shade = int(round(245 - level * 180))
            fill = f"rgb({shade},{int(round(248 - level * 140))},{int(round(252 - level * 70))})"
            body.append(f'<rect x="{left + j * cell_w:.1f}" y="{y}" width="{cell_w - 1:.1f}" '
                        f'height="{cell_h - 1}" fill="{fill}" class="cell"/>')
            if shown:
                body.append(_text(left + j * cell_w + cell_w / 2, y + 16, shown, "middle",
                                  "lbl dark" if level > 0.55 else "lbl"))
    return _svg(width, height, title, body)


def line(title: str, labels: Sequence[str], values: Sequence[float | None], maximum: float,
         unit: str, width: int = 640, height: int = 200) -> str:
    """One line over time (e.g. the share of satisfied visitors per day), with its points."""
    left, bottom, top = 44, 34, 16
    plot_w, plot_h = width - left - 14, height - bottom - top
    ticks = axis_ticks(maximum)
    maximum = ticks[-1]
    n = len(labels)
    step = plot_w / max(1, n - 1)
    points = [(left + i * step, top + plot_h - plot_h * v / (maximum or 1))
              for i, v in enumerate(values) if v is not None]
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 14}" y2="{top + plot_h}" '
            'class="axis" stroke="#5b6776"/>']
    for tick in ticks[1:]:
        y = top + plot_h - plot_h * tick / maximum
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 14}" y2="{y:.1f}" '
                    'class="grid" stroke="#d9dee5"/>')
        body.append(_text(left - 4, y + 4, f"{tick:g}{unit}", "end", "lbl tick"))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="#1f7a3a" stroke-width="2" '
                    'class="line"/>')
    for x, y in points:
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f7a3a" class="dot"/>')
    every = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or (i == n - 1 and i % every > every // 2):
            body.append(_text(left + i * step, top + plot_h + 16, label, "middle"))
    return _svg(width, height, title, body)


def report_charts(report: Any, t: Any) -> dict[str, tuple[str, str]]:
    """The report page's four charts from its tables, as id → (title, SVG); `t` translates."""
    from shared.reports.export import display

    out: dict[str, tuple[str, str]] = {}
    table_id = "by_service" if report.request.by == "service" else "within_target"
    rows = [r for r in report.table(table_id).rows if r.get("within_target_pct") is not None]
    if rows:
        title = t("Served within the target wait, by service")
        out["within_target"] = title, bars(
            title,
            [(r["label"], r["within_target_pct"], display(r["within_target_pct"], "percent"))
             for r in rows], 100.0)
    hours = report.table("by_hour_waits").rows
    if hours:
        title = t("Waits by hour of day")
        out["waits_by_hour"] = title, columns(
            title, [f"{int(r['key']):02d}" for r in hours],
            [(t("Wait, mean"), [None if r["wait_mean_s"] is None else r["wait_mean_s"] / 60
                                for r in hours]),
             (t("Wait, median"), [None if r["wait_median_s"] is None else r["wait_median_s"] / 60
                                  for r in hours])], t("min"), minutes=True)
    heat = report.table("heatmap").rows
    if heat:
        hours_seen = sorted({r["hour_index"] for r in heat})
        days_seen = sorted({r["weekday_index"] for r in heat})
        cells = {(days_seen.index(r["weekday_index"]), hours_seen.index(r["hour_index"])):
                 (float(r["issued"]), str(r["issued"])) for r in heat}
        title = t("Arrivals by hour and weekday")
        out["heatmap"] = title, heatmap(
            title,
            [next(r["weekday"] for r in heat if r["weekday_index"] == d) for d in days_seen],
            [f"{h:02d}" for h in hours_seen], cells)
    days = report.table("satisfaction").rows
    if any(r.get("satisfied_pct") is not None for r in days):
        title = t("Satisfied visitors (4–5) by day")
        out["satisfaction"] = title, line(title,
                                   [r["label"][5:] for r in days],
                                   [r.get("satisfied_pct") for r in days], 100.0, "%")
    return out
