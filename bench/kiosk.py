"""Kiosk benchmark: tap to ticket, bytes per ticket, cold start, memory over a day of tickets.

    .venv/bin/python bench/kiosk.py            # a table
    .venv/bin/python bench/kiosk.py --json     # one JSON object

- tap_to_ticket: queue.issue(check_hours=True) + render + ESC/POS bytes accepted by a network
  printer (a real TCP socket on 127.0.0.1 answering DLE EOT before and after the ticket);
- bytes_per_ticket at 576 dots, with and without a public URL in the QR code;
- cold_start: `python` process start → the kiosk's first screen drawn (offscreen);
- memory: the kiosk process's RSS after 10 and after 1,000 visits tapped through the window;
- blind_visitor: a visitor who cannot see, keypad only, audio guidance at its normal rate, from
  the idle screen to a printed ticket: the real controller and queue, a TCP printer, every
  phrase rendered by the real speech engine and its WAV length summed (what the visitor listens
  to before each key: a list up to their choice, each echo, the whole ticket), 1 s per key;
- large_text: the smallest capital letter drawn on any kiosk screen in large text (and in normal
  text), measured from the painted screens at 1080×1920 and 1920×1080, against the 0.7° figure.
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


KEY_SECONDS = 1.0   # finding and pressing one key of the keypad


class _Recorder:
    """The controller's voice in the benchmark: keeps what is said, plays nothing."""

    def __init__(self) -> None:
        self.said: list = []
        self.level = 3

    def say(self, phrases, interrupt: bool = False) -> None:
        self.said.append(list(phrases))

    def add(self, phrases) -> None:
        self.said.append(list(phrases))

    def set_level(self, level: int) -> None:
        self.level = level

    def reset_volume(self) -> None:
        self.level = 3


def bench_blind_visitor(lang: str = "ru", path: tuple[str, ...] = ("pensions", "pensions.age", "disability")) -> dict:
    import threading

    from kiosk.controller import KioskController
    from kiosk.keypad import Key, KeyPress
    from kiosk.printing.simulator import NetworkPrinterSimulator
    from kiosk.speaker import Speaker
    from kiosk.spooler import PrintSpooler
    from qtcommon.runner import InlineRunner
    from qtcommon.timers import ManualTimers
    from shared.config.centre import load_config
    from shared.core.clock import FakeClock
    from shared.core.local_queue import LocalQueue
    from shared.speech.numbers import number_words
    from shared.speech.sinks import SilentSink
    from shared.speech.wavfile import duration

    class View:
        def show(self, screen) -> None: ...
        def set_busy(self, busy: bool) -> None: ...
        def exit_kiosk(self) -> None: ...

    config = load_config()
    printer = NetworkPrinterSimulator("ready", keep_jobs=False)
    printed = threading.Event()
    outcomes: list = []
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(MONDAY_9AM)
        queue = LocalQueue(Path(tmp) / "q.sqlite", config, clock)
        spooler = PrintSpooler(queue, config, printer.url, source="kiosk-bench", clock=clock,
                               notify=lambda o: (outcomes.append(o), printed.set()))
        spooler.start()
        voice = _Recorder()
        ctl = KioskController(View(), queue, config, spooler, ManualTimers(), InlineRunner(), clock,
                              "kiosk-bench", voice=voice)
        ctl.start()
        speaker = Speaker(SilentSink(), cache_dir=Path(tmp) / "wavs")
        engine_seconds = 0.0
        listened, keys, compute = 0.0, 0, 0.0
        everything = 0.0

        def seconds(phrase) -> float:
            nonlocal engine_seconds
            t = time.perf_counter()
            wav = speaker.wav_for(phrase)
            engine_seconds += time.perf_counter() - t
            return duration(wav)

        def key(k: Key, digit: int = 0) -> list:
            nonlocal keys, compute
            before = len(voice.said)
            t = time.perf_counter()
            ctl.key(KeyPress(k, digit))
            compute += time.perf_counter() - t
            clock.advance(KEY_SECONDS)
            keys += 1
            return [p for said in voice.said[before:] for p in said]

        def hear(phrases, until: str | None = None) -> None:
            """Listen to a screen up to the choice wanted (or all of it)."""
            nonlocal listened, everything
            lengths = [seconds(p) for p in phrases]
            everything += sum(lengths)
            if until is None:
                listened += sum(lengths)
                return
            for p, s in zip(phrases, lengths, strict=True):
                listened += s
                if until in p.text:
                    return

        screen = key(Key.CHOOSE)                     # the idle screen: any key
        for target in (lang, *path):
            names = [n for n, _ in ctl.access.choices()]
            name = next((n for n in names if n.endswith(":" + target)), None)
            if name is None:
                raise RuntimeError(f"no {target} on the {ctl.screen.name if ctl.screen else '—'} screen")
            number = names.index(name) + 1
            label = dict(ctl.access.choices())[name]
            first = ctl.screen is not None and ctl.screen.name == "language"
            hear(screen, until=f"{label}:" if first else f"{number_words(lang, number)}: {label}")
            for d in str(number):
                hear(key(Key.DIGIT, int(d)))          # the echo: "два: Пенсии."
            screen = key(Key.CHOOSE)
        t = time.perf_counter()
        if not printed.wait(10):
            raise RuntimeError("the ticket was not printed")
        compute += time.perf_counter() - t
        before = len(voice.said)
        ctl.print_outcome(outcomes[-1])              # "take your ticket", after the ticket
        hear(screen + [p for said in voice.said[before:] for p in said])
        spooler.stop()
        queue.close()
        speaker.close()
    printer.close()
    total = listened + keys * KEY_SECONDS + compute
    return {"language": lang, "path": "/".join(path), "keys": keys,
            "speech_s": round(listened, 1), "every_phrase_in_full_s": round(everything, 1),
            "keys_s": keys * KEY_SECONDS, "compute_s": round(compute, 2),
            "total_s": round(total, 1), "printed": bool(outcomes and outcomes[-1].ok),
            "engine": speaker.speech.engine_name, "render_s": round(engine_seconds, 1)}


LEGIBILITY = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["NOVBE_DATA"] = sys.argv[2]
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication
from shared.core.clock import FakeClock
from shared.config.centre import load_config
from shared.core.local_queue import LocalQueue
from kiosk.legibility import clipped_texts, smallest_text
from kiosk.window import KioskWindow

class Voice:
    level = 3
    def say(self, phrases, interrupt=False): pass
    def add(self, phrases): pass
    def set_level(self, level): pass
    def reset_volume(self): pass

app = QApplication([])
config = load_config()
out = {}
for size in ((1080, 1920), (1920, 1080)):
    for large in (False, True):
        clock = FakeClock("2026-11-23T06:00:00+00:00")
        queue = LocalQueue(os.path.join(sys.argv[2], f"q-{size[0]}-{large}.sqlite"), config, clock)
        w = KioskWindow(queue, config, "dummy://", locked=False, clock=clock, source="bench", voice=Voice())
        w.resize(*size); w.show(); app.processEvents()
        def tap(name):
            b = w.current_page().findChild(QAbstractButton, name)
            QTest.mouseClick(b, Qt.MouseButton.LeftButton); clock.advance(2); app.processEvents()
        def wait_ticket():
            while not (w.controller.screen.name == "ticket" and w.controller.screen.print_state == "printed"):
                app.processEvents()
        screens = []
        def look(step):
            app.processEvents(); w.grab()
            s = smallest_text(w.current_page())
            screens.append({"screen": step, "widget": s.widget, "font_px": s.font_px, "cap_px": s.cap_px,
                            "clipped": clipped_texts(w.current_page())})
        if large: tap("large")
        look("language")
        tap("tile:az"); look("categories")
        if large:
            tap("tile:page:next"); look("categories-2"); tap("tile:page:prev")
        tap("tile:benefits"); look("services")
        tap("tile:benefits.birth"); w.timers.fire("idle"); look("priorities+warning")
        tap("help")
        while w.controller.screen.name != "message": app.processEvents()
        look("help")
        tap("done"); tap("tile:disability"); wait_ticket(); look("ticket")
        w.exit_kiosk(); queue.close()
        out[f"{size[0]}x{size[1]}-{'large' if large else 'normal'}"] = screens
print(json.dumps(out))
"""


def bench_large_text() -> dict:
    from kiosk.metrics import min_cap_mm, min_cap_px

    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", LEGIBILITY, str(ROOT), tmp],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        data = json.loads(done.stdout.strip().splitlines()[-1])
    result = {"needed_cap_mm": round(min_cap_mm(), 2), "needed_cap_px_1080": min_cap_px(1080)}
    for mode, screens in data.items():
        low = min(screens, key=lambda s: s["cap_px"])
        result[mode] = {"smallest_cap_px": low["cap_px"], "font_px": low["font_px"],
                        "where": f"{low['screen']}: {low['widget']}",
                        "clipped": sorted({c for s in screens for c in s["clipped"]})}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tickets", type=int, default=300, help="tickets for tap-to-ticket")
    parser.add_argument("--visits", type=int, default=1000, help="visits for the memory figure")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--only-access", action="store_true",
                        help="only the blind visitor and large text rows")
    args = parser.parse_args(argv)
    results = {} if args.only_access else {
        "tap_to_ticket": bench_tap_to_ticket(args.tickets),
        "bytes_per_ticket_576": bench_bytes(),
        "cold_start": bench_cold_start(args.cold_runs),
        "memory": bench_memory(args.visits),
    }
    results["blind_visitor"] = bench_blind_visitor()
    results["large_text"] = bench_large_text()
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return 0
    rows = [] if args.only_access else _rows(results)
    v, lt = results["blind_visitor"], results["large_text"]
    rows += [
        ("blind visitor: idle → printed ticket", f"{v['total_s']} s", "≤ 90 s",
         f"keypad only, {v['language']} {v['path']}: speech {v['speech_s']} s + {v['keys']} keys × "
         f"{KEY_SECONDS:.0f} s + {v['compute_s']} s; every phrase in full {v['every_phrase_in_full_s']} s; "
         f"{v['engine']}"),
        ("large text: smallest capital, 1080×1920", f"{lt['1080x1920-large']['smallest_cap_px']} px",
         f"≥ {lt['needed_cap_px_1080']} px", f"0.7° at 50 cm = {lt['needed_cap_mm']} mm on 21.5\"; "
         f"{lt['1080x1920-large']['where']}; normal text {lt['1080x1920-normal']['smallest_cap_px']} px"),
        ("large text: smallest capital, 1920×1080", f"{lt['1920x1080-large']['smallest_cap_px']} px",
         f"≥ {lt['needed_cap_px_1080']} px", f"{lt['1920x1080-large']['where']}; normal text "
         f"{lt['1920x1080-normal']['smallest_cap_px']} px; clipped: "
         f"{lt['1920x1080-large']['clipped'] + lt['1080x1920-large']['clipped'] or 'none'}"),
    ]
    _table(rows)
    return 0


def _rows(results: dict) -> list[tuple[str, str, str, str]]:
    t, b, c, m = (results[k] for k in ("tap_to_ticket", "bytes_per_ticket_576", "cold_start", "memory"))
    return [
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


def _table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    header = ("figure", "value", "target", "notes")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    raise SystemExit(main())
