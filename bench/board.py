"""Board benchmark: how fast a call reaches the board and its announcement, memory over a
simulated day, CPU while idle. Prints a table, or one JSON object with --json.

    .venv/bin/python bench/board.py [--calls 200] [--idle-seconds 10] [--day-calls 500] [--json]

- latency: another process commits calls (random gaps 20–150 ms) to the SQLite file; the board
  (real Qt event loop, offscreen, LocalFeed at 50 ms, real pyttsx3 speech) notes when each call
  reaches its model (BoardState) and when its announcement WAV is ready.
- memory: ~500 calls over a simulated 8-hour day (fake clock) with speech; RSS sampled.
- idle CPU: the board's process CPU time over --idle-seconds with nothing happening.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from board.app import build_board  # noqa: E402
from qtcommon.runner import InlineRunner  # noqa: E402
from shared.config.centre import load_config  # noqa: E402
from shared.core.clock import FakeClock  # noqa: E402
from shared.core.local_queue import LocalQueue  # noqa: E402
from shared.speech.sinks import RecordingSink  # noqa: E402
from shared.speech.worker import SpeechWorker  # noqa: E402

COUNTERS = [str(i) for i in range(1, 21)]

WRITER = r"""
import random, sys, time
from shared.config.centre import load_config
from shared.core.errors import NoTicketWaiting
from shared.core.local_queue import LocalQueue
q = LocalQueue(sys.argv[1], load_config())
n = int(sys.argv[2]); counters = sys.argv[3].split(",")
random.seed(7)
print("ready", flush=True)
sys.stdin.readline()
for i in range(n):
    time.sleep(random.uniform(0.02, 0.15))
    try:
        q.call_next(counters[i % len(counters)])
    except NoTicketWaiting:
        continue
    t = time.time()
    print(q.last_event_id(), repr(t), flush=True)
print("done", flush=True)
"""


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_latency(app: QApplication, calls: int, tmp: Path) -> dict:
    config = load_config()
    db = tmp / "latency.sqlite"
    queue = LocalQueue(db, config)
    for i in range(calls + 20):
        svc = list(config.services)[i % len(config.services)]
        queue.issue(svc)
    seen: dict[int, float] = {}
    ready: dict[int, float] = {}
    widget = build_board(queue, config, sink=RecordingSink(), speech=SpeechWorker(), wav_dir=tmp / "w1")
    controller = widget.controller
    controller.announcer.on_ready = lambda a: ready.setdefault(a.event_id, time.time())
    show = widget.show_state

    def record(state):  # the moment the board's model holds the call
        now = time.time()
        for call in [state.newest, *state.recent]:
            if call is not None:
                seen.setdefault(call.event_id, now)
        show(state)
    controller.view = type("V", (), {"show_state": staticmethod(record)})()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(calls), ",".join(COUNTERS)],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.stdin.write("go\n")
    proc.stdin.flush()
    commits: dict[int, float] = {}
    import threading

    def read() -> None:
        for line in proc.stdout:
            if line.strip() == "done":
                break
            eid, t = line.split()
            commits[int(eid)] = float(t)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def check() -> None:
        if not reader.is_alive() and all(e in ready for e in commits):
            app.quit()
    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(100)
    app.exec()
    timer.stop()
    proc.wait()
    model = [(seen[e] - t) * 1000 for e, t in commits.items() if e in seen]
    wav = [(ready[e] - t) * 1000 for e, t in commits.items() if e in ready]
    missed = [e for e in commits if e not in seen]
    controller.close()
    widget.deleteLater()
    queue.close()
    return {"calls": len(commits), "model_ms_p50": pct(model, 50), "model_ms_p99": pct(model, 99),
            "model_ms_max": max(model) if model else None,
            "wav_ms_p50": pct(wav, 50), "wav_ms_p99": pct(wav, 99), "not_seen": len(missed),
            "speech_engine": controller.announcer.speech.engine_name}


def bench_day(app: QApplication, day_calls: int, tmp: Path) -> dict:
    config = load_config()
    clock = FakeClock("2026-11-23T05:00:00+00:00")  # Monday 09:00 in Baku
    queue = LocalQueue(tmp / "day.sqlite", config, clock)
    sink = RecordingSink()
    # reads inline: each step applies its own call before painting (memory, not latency, is measured)
    widget = build_board(queue, config, sink=sink, speech=SpeechWorker(), wav_dir=tmp / "w2",
                         runner=InlineRunner())
    widget.resize(1920, 1080)
    controller = widget.controller
    services = list(config.services)
    samples = [(0, rss_mb())]
    step = 8 * 3600 / day_calls
    for i in range(1, day_calls + 1):
        queue.issue(services[(i * 7) % len(services)])
        # a counter that serves the oldest waiting ticket calls next
        oldest = queue.waiting(limit=1)[0]
        counter = next(c.id for c in config.counters if oldest.service in c.services)
        queue.call_next(counter)
        clock.advance(step)
        controller.poll()
        controller.tick()
        app.processEvents()
        widget.grab()  # paint, as the screen would
        if i % 100 == 0:
            controller.announcer.wait_idle(120)
            samples.append((i, rss_mb()))
    controller.announcer.wait_idle(120)
    played = len(sink.played)
    controller.close()
    widget.deleteLater()
    queue.close()
    return {"calls": day_calls, "announced": played, "rss_mb": [round(m, 1) for _, m in samples],
            "rss_growth_100_to_end_mb": round(samples[-1][1] - samples[1][1], 1) if len(samples) > 2 else None}


def bench_idle(app: QApplication, seconds: float, tmp: Path) -> dict:
    config = load_config()
    queue = LocalQueue(tmp / "idle.sqlite", config)
    widget = build_board(queue, config, sink=RecordingSink(), speech=SpeechWorker(), wav_dir=tmp / "w3")
    widget.resize(1920, 1080)
    widget.show()
    app.processEvents()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    w0 = time.monotonic()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.monotonic() - w0
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    widget.controller.close()
    widget.close()
    queue.close()
    return {"seconds": round(wall, 1), "cpu_percent_of_core": round(100 * cpu / wall, 2),
            "poll_interval_ms": widget.controller.feed.interval_ms}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--day-calls", type=int, default=500)
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(["bench-board"])
    with tempfile.TemporaryDirectory(prefix="novbe-bench-board-") as d:
        tmp = Path(d)
        result = {"latency": bench_latency(app, args.calls, tmp),
                  "day": bench_day(app, args.day_calls, tmp),
                  "idle": bench_idle(app, args.idle_seconds, tmp)}
    if args.json:
        print(json.dumps(result))
        return 0
    lat, day, idle = result["latency"], result["day"], result["idle"]
    rows = [
        ("call committed (other process) → board model", f"p50 {lat['model_ms_p50']:.0f} ms",
         f"p99 {lat['model_ms_p99']:.0f} ms", "target p99 < 250 ms"),
        ("call committed → announcement WAV ready", f"p50 {lat['wav_ms_p50']:.0f} ms",
         f"p99 {lat['wav_ms_p99']:.0f} ms", "target p99 < 500 ms"),
        (f"board RSS over {day['calls']} calls (8 h)", " → ".join(f"{m:.0f}" for m in day["rss_mb"]) + " MB",
         f"growth {day['rss_growth_100_to_end_mb']} MB", "target < 250 MB, flat"),
        (f"board CPU idle ({idle['seconds']} s)", f"{idle['cpu_percent_of_core']:.2f} % of a core", "",
         "target < 3 %"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{lat['calls']} calls measured ({lat['not_seen']} not seen), speech engine "
          f"{lat['speech_engine']}; {day['announced']} announcements in the day run")
    for r in rows:
        print(f"{r[0]:<{width}}  {r[1]:<28} {r[2]:<18} {r[3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
