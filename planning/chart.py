"""The staffing plan as a chart, drawn on the server as plain SVG (no script, no CDN): counters
open per hour as bars, the predicted p90 wait per hour as a line, one colour per plan, so two
plans ("close three counters at lunch") sit side by side. A page can inline the string as is."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from planning.planner import PlanResult

COLOURS = ("#1f5fa8", "#d0691c", "#2e8b57", "#8e44ad")
WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 56, 64, 56, 60


def plan_chart_svg(results: Sequence[PlanResult], target_wait_min: float | None = None,
                   title: str = "") -> str:
    """An SVG document comparing the plans in `results` hour by hour."""
    hours = sorted({h for r in results for h in r.plan.counters})
    if not hours:
        return _svg(['<text x="20" y="40">no hours to plan</text>'])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    max_counters = max(max(r.plan.counters.values()) for r in results)
    c_top = max(5, -(-max_counters // 5) * 5)
    waits = [v for r in results for v in r.p90_by_hour.values()] + [target_wait_min or 0]
    w_top = max(10, -(-int(max(waits) + 1) // 10) * 10)
    slot = plot_w / len(hours)
    bar_w = slot * 0.7 / len(results)

    def x(i: int) -> float:
        return LEFT + i * slot

    def y_counters(v: float) -> float:
        return TOP + plot_h * (1 - v / c_top)

    def y_wait(v: float) -> float:
        return TOP + plot_h * (1 - min(v, w_top) / w_top)

    parts = [f'<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{escape(title)}</text>']
    for k in range(0, c_top + 1, max(1, c_top // 5)):  # left axis: counters
        y = y_counters(k)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
                     'stroke="#e3e3e3"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{k}</text>')
    for k in range(0, w_top + 1, max(1, w_top // 5)):  # right axis: minutes
        parts.append(f'<text x="{LEFT + plot_w + 8}" y="{y_wait(k) + 4:.1f}">{k}</text>')
    parts.append(f'<text x="14" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 14 '
                 f'{TOP + plot_h / 2:.0f})" text-anchor="middle">counters open</text>')
    parts.append(f'<text x="{WIDTH - 10}" y="{TOP + plot_h / 2:.0f}" transform="rotate(90 '
                 f'{WIDTH - 10} {TOP + plot_h / 2:.0f})" text-anchor="middle">p90 wait, min</text>')
    for i, h in enumerate(hours):
        parts.append(f'<text x="{x(i) + slot / 2:.1f}" y="{TOP + plot_h + 18}" '
                     f'text-anchor="middle">{h:02d}:00</text>')
    for j, r in enumerate(results):
        colour = COLOURS[j % len(COLOURS)]
        for i, h in enumerate(hours):
            n = r.plan.counters.get(h, 0)
            bx = x(i) + slot * 0.15 + j * bar_w
            parts.append(f'<rect x="{bx:.1f}" y="{y_counters(n):.1f}" width="{bar_w - 2:.1f}" '
                         f'height="{TOP + plot_h - y_counters(n):.1f}" fill="{colour}" '
                         f'fill-opacity="0.35"><title>{escape(r.label)} {h:02d}:00: {n} counters, '
                         f'{r.by_hour.get(h, 1):.0%} within target</title></rect>')
            parts.append(f'<text x="{bx + (bar_w - 2) / 2:.1f}" y="{y_counters(n) - 4:.1f}" '
                         f'text-anchor="middle" font-size="10">{n}</text>')
        points = " ".join(f"{x(i) + slot / 2:.1f},{y_wait(r.p90_by_hour.get(h, 0)):.1f}"
                          for i, h in enumerate(hours))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     'stroke-width="2.5"/>')
        for i, h in enumerate(hours):
            parts.append(f'<circle cx="{x(i) + slot / 2:.1f}" cy="{y_wait(r.p90_by_hour.get(h, 0)):.1f}" '
                         f'r="3" fill="{colour}"/>')
        ly = TOP + plot_h + 34 + j * 18
        parts.append(f'<rect x="{LEFT}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{LEFT + 18}" y="{ly}">{escape(r.label)}: '
                     f'{r.plan.counter_hours} counter-hours, {r.within_target:.0%} within target '
                     '(bars: counters open, line: p90 wait)</text>')
    if target_wait_min:
        y = y_wait(target_wait_min)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
                     'stroke="#b22222" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{LEFT + plot_w - 4}" y="{y - 5:.1f}" text-anchor="end" '
                     f'fill="#b22222">target wait {target_wait_min:g} min</text>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
                 'stroke="#444"/>')
    return _svg(parts, HEIGHT + 18 * max(0, len(results) - 1))


def _svg(parts: list[str], height: int = HEIGHT) -> str:
    body = "\n  ".join(parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, sans-serif" font-size="12" '
            f'role="img">\n  <rect width="100%" height="100%" fill="white"/>\n  {body}\n</svg>\n')
