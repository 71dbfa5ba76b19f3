"""Where Növbə's server spends its time while kiosks issue and a counter calls: py-spy samples
every thread of the server (started as bench/fqm_side_by_side.py starts it) during one cell,
and the busy samples are summed by function — each function's own share and with what it calls.

    .venv/bin/python bench/server_profile.py                       # 8 kiosks, 800 waiting, 20 s
    .venv/bin/python bench/server_profile.py --clients 8 --waiting 15 --seconds 10 --top 40
    .venv/bin/python bench/server_profile.py --raw /tmp/novbe.spy  # keep py-spy's raw stacks
    .venv/bin/python bench/server_profile.py --gil  # only samples holding the GIL (CPU)

py-spy is not a dependency: `pip install py-spy` into any venv and put it on PATH (or --py-spy
PATH); it must be allowed to read the server's memory (root, or ptrace allowed). Samples that
end waiting (a condition, a queue, an event, the worker pools' idle get, the event loop's poll)
are counted apart (so is the bench's own note-taking thread): the figures are shares of the
rest. A sampler's percentages, not timings."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import fqm_side_by_side  # noqa: E402

RATE = 200               # samples per second
WAITING_LEAVES = ("Condition.wait ", "_worker (concurrent", "Queue.get ", "Event.wait ",
                  "Runner.run (asyncio", "serve_child.<locals>.note_writer ")


def shares(raw: Path) -> tuple[int, int, Counter[str], Counter[str]]:
    """Busy and waiting sample counts, and per function its own and inclusive busy samples,
    from py-spy's raw output (one `frame;frame;… count` line per stack, thread first)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    busy = waiting = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f.split(":")[0] + ")" if ":" in f else f for f in stack.split(";")[1:]]
        n = int(count)
        if not frames or frames[-1].startswith(WAITING_LEAVES):
            waiting += n
            continue
        busy += n
        own[frames[-1]] += n
        for name in set(frames):
            inclusive[name] += n
    return busy, waiting, own, inclusive


def profile(spy: str, raw: Path, clients: int, waiting: int, seconds: float,
            gil: bool = False) -> dict[str, float]:
    """Run one Növbə cell with py-spy recording its server; the cell's rate and CPU."""
    side = fqm_side_by_side.NovbeServer(Path(tempfile.mkdtemp(prefix="novbe-profile-")), waiting)
    side.start()
    try:
        record = subprocess.Popen(
            [spy, "record", "-p", str(side.pids()[0]), "-d", str(max(1, round(seconds))),
             "-r", str(RATE), "--threads", "--format", "raw", "-o", str(raw),
             *(["--gil"] if gil else [])],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        figures = asyncio.run(fqm_side_by_side.measure(side, clients, seconds, 0))
        _, err = record.communicate(timeout=seconds + 60)
        if record.returncode:
            raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-500:]}")
    finally:
        side.stop()
    issued = max(1, len(figures["issued"]))
    return {"issue_per_s": round(len(figures["issued"]) / figures["issue_s"], 1),
            "server_cpu_ms_per_issue": round(figures["cpu_s"] * 1000 / issued, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="kiosks issuing (default 8)")
    parser.add_argument("--waiting", type=int, default=800, help="waiting at the start (800)")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds sampled (20)")
    parser.add_argument("--top", type=int, default=25, help="functions shown (25)")
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="py-spy's path")
    parser.add_argument("--gil", action="store_true",
                        help="only samples holding the GIL: where the CPU goes, not the waits")
    parser.add_argument("--raw", type=Path, help="keep py-spy's raw stacks in this file")
    args = parser.parse_args(argv)
    if not args.py_spy:
        print("server profile skipped: no py-spy on PATH (pip install py-spy, or --py-spy "
              "PATH)", file=sys.stderr)
        return 0
    raw = args.raw or Path(tempfile.mkdtemp(prefix="novbe-profile-")) / "stacks.txt"
    figures = profile(args.py_spy, raw, args.clients, args.waiting, args.seconds, args.gil)
    busy, idle, own, inclusive = shares(raw)
    print(f"NÖVBƏ SERVER PROFILE: {args.clients} kiosks, {args.waiting} waiting, a counter "
          f"calling every {fqm_side_by_side.CALL_EVERY_S} s; {figures['issue_per_s']} issues/s "
          f"under py-spy ({RATE}/s), {figures['server_cpu_ms_per_issue']} ms server CPU per "
          f"issue; {busy} busy samples, {idle} waiting (left out)")
    for title, counts in (("own", own), ("with what it calls", inclusive)):
        print(f"-- {title}")
        for name, n in counts.most_common(args.top):
            print(f"{n / max(1, busy) * 100:6.1f} %  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
