"""Kiosk benchmark: tap to ticket, bytes per ticket, cold start, memory over a day of tickets.

    .venv/bin/python bench/kiosk.py            # a table
    .venv/bin/python bench/kiosk.py --json     # one JSON object

- tap_to_ticket: queue.issue(check_hours=True) + render + ESC/POS bytes accepted by a network
  printer (a real TCP socket on 127.0.0.1 answering DLE EOT before and after the ticket);
- bytes_per_ticket at 576 dots, with and without a public URL in the QR code;
- cold_start: `python` process start → the kiosk's first screen drawn (offscreen);
- memory: the kiosk process's RSS after 10 and after 1,000 visits tapped through the window.
Figures only; nothing here passes or fails."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.percentile import percentile_of  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

MONDAY_9AM = "2026-11-23T05:00:00+00:00"




def bench_tap_to_ticket(n: int) -> dict:
    from kiosk.printing import open_printer
    from kiosk.printing.simulator import NetworkPrinterSimulator
    from kiosk.render import render_ticket
    from shared.config.centre import load_config
    from shared.core.clock import FakeClock
    from shared.core.local_queue import LocalQueue

    config = load_config()
    services = list(config.services)
    printer = NetworkPrinterSimulator("ready", keep_jobs=False)
    device = open_printer(printer.url.replace("timeout=0.5", "timeout=1"))
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(MONDAY_9AM)
        queue = LocalQueue(Path(tmp) / "q.sqlite", config, clock)
        times = []
        for i in range(n):
            clock.advance(5)
            start = time.perf_counter()
            ticket = queue.issue(services[i % len(services)], language=("az", "ru", "en")[i % 3],
                                 source="bench", check_hours=True)
            device.print_ticket(render_ticket(ticket, config), ticket.code)
            times.append((time.perf_counter() - start) * 1000)
        queue.close()
    printer.close()
    return {"n": n, "p50_ms": round(percentile_of(times, 0.5), 1), "p99_ms": round(percentile_of(times, 0.99), 1),
            "max_ms": round(max(times), 1), "printer_jobs": printer.job_count}


def bench_bytes() -> dict:
    from kiosk.raster import encode
    from kiosk.render import render_ticket
    from shared.config.centre import load_config
    from shared.core.clock import FakeClock
    from shared.core.local_queue import LocalQueue

    config = load_config()
    public = replace(config, public_url="http://192.168.100.200:8700")
    sizes: dict[str, list[int]] = {"token_qr": [], "url_qr": []}
    raw = 576 // 8
    heights = []
    with tempfile.TemporaryDirectory() as tmp:
        queue = LocalQueue(Path(tmp) / "q.sqlite", config, FakeClock(MONDAY_9AM))
        for i, svc in enumerate(config.services):
            for lang in ("az", "ru", "en"):
                prio = config.priorities[i % len(config.priorities)].id if i % 2 else None
                ticket = queue.issue(svc, priority=prio, language=lang)
                img = render_ticket(ticket, config, 576)
                heights.append(img.height)
                sizes["token_qr"].append(len(encode(img)))
                sizes["url_qr"].append(len(encode(render_ticket(ticket, public, 576))))
        queue.close()
    return {
        "tickets": len(sizes["token_qr"]),
        "mean_bytes": round(statistics.mean(sizes["token_qr"])),
        "max_bytes": max(sizes["token_qr"]),
        "max_bytes_with_public_url_qr": max(sizes["url_qr"]),
        "uncompressed_raster_mean_bytes": round(statistics.mean(h * raw for h in heights)),
    }


COLD_START = r"""
import os, sys, time
t0 = float(sys.argv[1])
sys.path.insert(0, sys.argv[2])
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["NOVBE_DATA"] = sys.argv[3]
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QTimer
from shared.config.centre import load_config
from shared.core.local_queue import LocalQueue
from kiosk.app import create_kiosk_window
app = QApplication([])
config = load_config()
queue = LocalQueue(os.path.join(sys.argv[3], "q.sqlite"), config)
w = create_kiosk_window(queue, config, "dummy://")
w.resize(1920, 1080)
w.show()
def drawn():
    w.grab()  # paints the first screen
    print(w.controller.screen.name, time.time() - t0, flush=True)
    w.exit_kiosk()
    app.quit()
QTimer.singleShot(0, drawn)
app.exec()
"""


def bench_cold_start(runs: int) -> dict:
    times, screens = [], set()
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.time()
            out = subprocess.run([sys.executable, "-c", COLD_START, repr(t0), str(ROOT), tmp],
                                 capture_output=True, text=True, timeout=60)
            if out.returncode != 0:
                raise RuntimeError(out.stderr)
            screen, seconds = out.stdout.split()[-2:]
            screens.add(screen)
            times.append(float(seconds))
    return {"runs": runs, "median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2),
            "first_screen": sorted(screens)}


MEMORY = r"""
import gc, json, os, sys, time
sys.path.insert(0, sys.argv[1])
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["NOVBE_DATA"] = sys.argv[2]
from PySide6.QtCore import Qt, QCoreApplication, QEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication
from shared.core.clock import FakeClock
from shared.config.centre import load_config
from shared.core.local_queue import LocalQueue
from kiosk.window import KioskWindow

def rss_kb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

app = QApplication([])
config = load_config()
clock = FakeClock("2026-11-23T05:00:00+00:00")
queue = LocalQueue(os.path.join(sys.argv[2], "q.sqlite"), config, clock)
w = KioskWindow(queue, config, "file:///dev/null", locked=False, clock=clock, source="bench")
w.resize(1920, 1080); w.show(); app.processEvents()
cats = [c for c in config.categories]
def tap(name):
    button = w.current_page().findChild(QAbstractButton, name)
    if button is None:
        raise SystemExit(f"no {name} on the {w.controller.screen.name} screen")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    clock.advance(2)
def settle():
    while w.controller.issuing or w.spooler.pending():
        QCoreApplication.processEvents(); time.sleep(0.001)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # old pages
    QCoreApplication.processEvents()
def visit(i):
    cat = cats[i % len(cats)]
    tap("tile:" + ("az", "ru", "en")[i % 3])
    tap("tile:" + cat.id)
    if w.controller.screen.name == "services":
        tap("tile:" + cat.services[i % len(cat.services)].id)
    tap("tile:none")
    settle()
    queue.call_next("20")  # counter 20 serves everything: the queue stays short all day
    clock.advance(2)
    w.controller.home()
    settle()
marks, widgets = {}, {}
for i in range(int(sys.argv[3])):
    visit(i)
    if i + 1 in (10, 100, 1000):
        gc.collect(); settle()
        marks[i + 1] = rss_kb()
        widgets[i + 1] = len(QApplication.allWidgets())
issued = len([e for e in queue.events(limit=100000) if e.kind == "issued"])
w.exit_kiosk()
print(json.dumps({"rss_kb": marks, "widgets": widgets, "issued": issued}))
"""


def bench_memory(visits: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", MEMORY, str(ROOT), tmp, str(visits)],
                             capture_output=True, text=True, timeout=1800)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-2000:])
        data = json.loads(out.stdout.strip().splitlines()[-1])
    marks = {int(k): v for k, v in data["rss_kb"].items()}
    first, last = marks[min(marks)], marks[max(marks)]
    return {"visits": visits, "issued": data["issued"],
            "live_widgets": {int(k): v for k, v in data["widgets"].items()},
            "rss_mb": {k: round(v / 1024, 1) for k, v in sorted(marks.items())},
            "growth_pct_vs_10": round((last - first) / first * 100, 1),
            "seconds": round(time.perf_counter() - start, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tickets", type=int, default=300, help="tickets for tap-to-ticket")
    parser.add_argument("--visits", type=int, default=1000, help="visits for the memory figure")
    parser.add_argument("--cold-runs", type=int, default=3)
    args = parser.parse_args(argv)
    results = {
        "tap_to_ticket": bench_tap_to_ticket(args.tickets),
        "bytes_per_ticket_576": bench_bytes(),
        "cold_start": bench_cold_start(args.cold_runs),
        "memory": bench_memory(args.visits),
    }
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return 0
    t, b, c, m = (results[k] for k in ("tap_to_ticket", "bytes_per_ticket_576", "cold_start", "memory"))
    rows = [
        ("tap → ticket printed, p50", f"{t['p50_ms']} ms", "", f"{t['n']} tickets, TCP printer"),
        ("tap → ticket printed, p99", f"{t['p99_ms']} ms", "< 150 ms", f"max {t['max_ms']} ms"),
        ("bytes per ticket (576 dots)", f"{b['max_bytes']} B max", "≤ 30 KB",
         f"mean {b['mean_bytes']} B; URL QR max {b['max_bytes_with_public_url_qr']} B; "
         f"raw raster {b['uncompressed_raster_mean_bytes']} B"),
        ("cold start → first screen", f"{c['median_s']} s", "< 2 s", f"median of {c['runs']}, max {c['max_s']} s"),
        ("memory after 10 visits", f"{m['rss_mb'].get(10)} MB", "", ""),
        (f"memory after {max(m['rss_mb'])} visits", f"{m['rss_mb'][max(m['rss_mb'])]} MB",
         "≤ +10 %", f"{m['growth_pct_vs_10']:+} % vs 10; {m['issued']} tickets; {m['seconds']} s"),
    ]
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    header = ("figure", "value", "target", "notes")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
