"""Növbə and FQM side by side on this machine: issuing over HTTP with 1 and 8 kiosks, starting
at 15 and at 800 waiting, while a counter calls the next every 0.5 s; then a counter's Next
alone; duplicate ticket numbers handed out. Rounds interleave the two servers (which goes first
alternates), so a machine loaded by other work weighs on both alike; the load average is
printed.

    .venv/bin/python bench/fqm_side_by_side.py --fqm ../FQM          # prints a table
    .venv/bin/python bench/fqm_side_by_side.py --fqm ../FQM --json   # one JSON object
    .venv/bin/python bench/fqm_side_by_side.py --fqm ../FQM --rounds 1 --seconds 4  # quick

Getting FQM (Flask + gunicorn; it is not part of Növbə and not in pyproject):
    git clone https://github.com/mrf345/FQM ../FQM      # (or any copy of its source)
    python3.11 -m venv ../FQM/.venv
    ../FQM/.venv/bin/pip install -r ../FQM/requirements/docker.txt   # as its Dockerfile
    apt-get install redis-server libusb-1.0-0              # its Docker set-up's redis, libusb
No pin beyond FQM's own was needed on Python 3.11 (its Dockerfile's Python). Without --fqm, or
with an incomplete one, the bench says what is missing and stops (exit 0).

Each cell (kiosks × waiting) runs on a fresh server and file for each: Növbə as `novbe serve`
does (bench/server.py's --serve-child: uvicorn, one process, synchronous=FULL), FQM as its
Docker entrypoint does (gunicorn, one sync worker per core, SQLite, redis; bench/fqm.py). The
kiosks issue as fast as each server answers; Növbə's over keep-alive connections with a device
token (bench/issue_rates.py's Post). FQM is reached both ways it offers, each its own server:
"fqm-api", its REST API with a token (POST /api/v1/tickets/, GET /api/v1/tickets/pull) — the
like-for-like of Növbə's device API — and "fqm-web", its touch screen's form (/serial/<task>)
and an operator signed in pulling (/pull/<task>/<office>); a connection per request (its sync
workers close each); nobody follows the web pages' redirects.

Figures, per server and cell (pooled over the rounds):
  issue_per_s, issue_p50_ms / _p99_ms    tickets issued per second, the kiosks' round trips
  call_load_p50_ms / _p99_ms             the counter's Next while the kiosks issue
  call_p50_ms / _p99_ms                  a counter's Next alone, CALLS one after another
  calls_nobody                           Nexts that called nobody (the queue ran dry) or were
                                         refused: left out of the latencies above
  duplicates                             tickets given a number another ticket still held
                                         (Növbə: not yet finished; FQM: not yet pulled)
  server_cpu_ms_per_issue                the server's CPU (all its processes) per ticket
and the ratio Növbə / FQM of the issue rates and of the Next latencies (FQM's p50 / Növbə's).
Benchmarks print figures; nothing here passes or fails. Loopback only."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import fqm, issue_rates, long_queue  # noqa: E402
from bench.server import bench_config, cpu_model, cpu_seconds, free_port, stop_child  # noqa: E402
from shared.percentile import percentile_of  # noqa: E402

CALL_EVERY_S = issue_rates.CALL_EVERY_S   # the counter's pace while the kiosks issue
ISSUE_S = 6.0            # seconds of issuing in each cell
WARM_UP = 4              # issues (and one Next) before the clock starts: a centre's server is warm
CALLS = 40               # a counter's Nexts alone, after the issuing, in each cell
ROUNDS = 3
CLIENTS = (1, 8)
WAITING = (15, 800)
WAYS = ("api", "web")
SERVER_SCRIPT = ROOT / "bench" / "server.py"


class Kiosk(Protocol):
    """A kiosk of either server: it opens (a connection, a form) and issues tickets."""

    async def open(self) -> None: ...

    async def issue(self) -> bool: ...


class Counter(Protocol):
    """A counter of either server, signed in: it calls the next."""

    async def call_next(self) -> bool: ...


class NovbeKiosk:
    def __init__(self, port: int, token: str, k: int):
        self.post = issue_rates.Post("127.0.0.1", port, "/api/tickets", token)
        self.k, self.n = k, 0

    async def open(self) -> None:
        """The kiosk's keep-alive connection."""
        post = self.post
        post.reader, post.writer = await asyncio.open_connection(post.host, post.port)

    async def issue(self) -> bool:
        self.n += 1
        status, _ = await self.post.send({"service": long_queue.SERVICES[(self.k + self.n) % 6],
                                          "source": f"kiosk-{self.k}"})
        return status == 200


class NovbeCounter:
    def __init__(self, port: int, token: str, counters: list[str]):
        self.post = issue_rates.Post("127.0.0.1", port, "", token)
        self.counters, self.k = counters, 0

    async def call_next(self) -> bool:
        self.k += 1
        status, _ = await self.post.send(
            {}, f"/api/counters/{self.counters[self.k % len(self.counters)]}/next")
        return status == 200


class NovbeServer:
    """Növbə as `novbe serve` runs it, on a fresh file with `waiting` waiting (10 counters in a
    visit, bench/long_queue.py), a kiosk's and a counter's device tokens."""

    def __init__(self, tmp: Path, waiting: int):
        self.tmp, self.waiting = tmp, waiting
        self.db = tmp / "queue.sqlite"
        self.port = free_port()
        self.child: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        from server.auth.accounts import Accounts
        from shared.config.centre import parse_config

        data = bench_config(60)
        config_json = self.tmp / "config.json"
        config_json.write_text(json.dumps(data))
        config = parse_config(data)
        long_queue.fill(self.db, config, self.waiting)
        self.working = [c.id for c in config.counters
                        if set(c.services) & set(long_queue.SERVICES)][:long_queue.WORKING]
        accounts = Accounts(self.db)
        self.kiosk_token = accounts.add_device("bench-kiosk")
        self.counter_token = accounts.add_device("bench-counter", role="counter",
                                                 counters=self.working)
        accounts.close()
        script = os.environ.get("NOVBE_BENCH_SERVER_SCRIPT", str(SERVER_SCRIPT))
        self.child = subprocess.Popen([sys.executable, script, "--serve-child", str(self.db),
                                       str(config_json), str(self.port)])
        fqm.wait_for_port(self.port, 60, self.child, "Növbə's server")

    def kiosk(self, k: int) -> NovbeKiosk:
        return NovbeKiosk(self.port, self.kiosk_token, k)

    async def counter(self) -> NovbeCounter:
        return NovbeCounter(self.port, self.counter_token, self.working)

    def pids(self) -> list[int]:
        return [self.child.pid] if self.child else []

    def stop(self) -> None:
        if self.child is not None:
            stop_child(self.child)

    def tickets(self) -> dict[str, Any]:
        """Tickets in the file; duplicates: tickets given a code while another ticket of that
        day still held it (not yet finished); reused: codes given again once free (a prefix's
        numbers wrap after 999 — by design, never while the code is in use)."""
        with sqlite3.connect(self.db) as conn:
            total, distinct = conn.execute(
                "SELECT COUNT(*), COUNT(DISTINCT service_day || ' ' || code) FROM tickets"
            ).fetchone()
            duplicates = conn.execute(
                "SELECT COUNT(DISTINCT b.id) FROM tickets a JOIN tickets b ON "
                "a.service_day = b.service_day AND a.code = b.code AND a.id < b.id "
                "WHERE b.issued_at < COALESCE(a.finished_at, 1e18)").fetchone()[0]
        return {"tickets": total, "duplicates": duplicates, "reused": total - distinct}


class FqmSide:
    """FQM (bench/fqm.py) behind the same few calls as NovbeServer, by one of its two ways in:
    "api" (its REST API with a token) or "web" (the touch screen's form, a signed-in operator)."""

    def __init__(self, source: Path, tmp: Path, waiting: int, way: str):
        self.server = fqm.FqmServer(source, tmp, waiting)
        self.way = way

    def start(self) -> None:
        self.server.start()

    def kiosk(self, k: int) -> fqm.ApiKiosk | fqm.Kiosk:
        s = self.server
        if self.way == "api":
            return fqm.ApiKiosk("127.0.0.1", s.port, s.token, s.task, s.office, k)
        return fqm.Kiosk("127.0.0.1", s.port, s.task, k)

    async def counter(self) -> fqm.ApiOperator | fqm.Operator:
        s = self.server
        if self.way == "api":
            return fqm.ApiOperator("127.0.0.1", s.port, s.token, s.office)
        operator = fqm.Operator("127.0.0.1", s.port, s.task, s.office)
        await operator.sign_in()
        return operator

    def pids(self) -> list[int]:
        return self.server.pids()

    def stop(self) -> None:
        self.server.stop()

    def tickets(self) -> dict[str, Any]:
        return self.server.tickets()


async def timed(action: Callable[[], Awaitable[bool]], out: list[float]) -> bool:
    """Run one request; note its round trip in ms when it succeeded."""
    t0 = time.perf_counter()
    ok = await action()
    if ok:
        out.append((time.perf_counter() - t0) * 1000)
    return ok


async def measure(side: Any, clients: int, seconds: float, calls: int) -> dict[str, Any]:
    """After a warm-up, `clients` kiosks issue for `seconds` while a counter calls every
    CALL_EVERY_S; then the counter calls `calls` times alone."""
    kiosks: list[Kiosk] = [side.kiosk(k) for k in range(clients)]
    for kiosk in kiosks:
        await kiosk.open()           # Növbə's connection; FQM's form and its CSRF token
    counter: Counter = await side.counter()
    for _ in range(WARM_UP):       # first requests pay a process's lazy set-up: not measured
        await kiosks[0].issue()
    await counter.call_next()
    issued: list[float] = []
    call_load: list[float] = []
    refused = [0]
    no_call = [0]                  # Nexts that called nobody (or were refused): not timed
    end = time.monotonic() + seconds

    async def kiosk_loop(kiosk: Kiosk) -> None:
        while time.monotonic() < end:
            if not await timed(kiosk.issue, issued):
                refused[0] += 1

    async def counter_loop() -> None:
        while time.monotonic() < end:
            due = time.monotonic() + CALL_EVERY_S
            if not await timed(counter.call_next, call_load):
                no_call[0] += 1
            await asyncio.sleep(max(0.0, due - time.monotonic()))

    pids = side.pids()
    cpu0 = sum(cpu_seconds(p) for p in pids)
    t0 = time.monotonic()
    await asyncio.gather(counter_loop(), *(kiosk_loop(k) for k in kiosks))
    wall = time.monotonic() - t0
    cpu = sum(cpu_seconds(p) for p in pids) - cpu0
    alone: list[float] = []
    for _ in range(calls):
        if not await timed(counter.call_next, alone):
            no_call[0] += 1
    return {"issued": issued, "issue_s": wall, "refused": refused[0], "call_load": call_load,
            "call": alone, "no_call": no_call[0], "cpu_s": cpu}


def one_cell(name: str, source: Path | None, clients: int, waiting: int, seconds: float,
             calls: int) -> dict[str, Any]:
    """One server (fresh file, fresh process) for one cell."""
    tmp = Path(tempfile.mkdtemp(prefix=f"novbe-bench-{name}-"))
    side: NovbeServer | FqmSide
    if name == "novbe":
        side = NovbeServer(tmp, waiting)
    elif source is None:
        raise ValueError(f"{name}: FQM's source folder is needed")
    else:
        side = FqmSide(source, tmp, waiting, name.split("-", 1)[1])
    side.start()
    try:
        figures = asyncio.run(measure(side, clients, seconds, calls))
    finally:
        side.stop()
    return {**figures, **side.tickets()}


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One cell's figures over its rounds."""
    issued = [ms for r in runs for ms in r["issued"]]
    call_load = [ms for r in runs for ms in r["call_load"]]
    call = [ms for r in runs for ms in r["call"]]
    wall = sum(r["issue_s"] for r in runs)

    def ms(values: list[float], q: float) -> float | None:
        value = percentile_of(values, q)
        return None if value is None else round(value, 2)

    return {"issues": len(issued), "issue_per_s": round(len(issued) / wall, 1),
            "issue_per_s_rounds": [round(len(r["issued"]) / r["issue_s"], 1) for r in runs],
            "issue_p50_ms": ms(issued, 0.5), "issue_p99_ms": ms(issued, 0.99),
            "refused": sum(r["refused"] for r in runs),
            "call_load_p50_ms": ms(call_load, 0.5), "call_load_p99_ms": ms(call_load, 0.99),
            "calls_alone": len(call), "calls_nobody": sum(r["no_call"] for r in runs),
            "call_p50_ms": ms(call, 0.5), "call_p99_ms": ms(call, 0.99),
            "duplicates": sum(r["duplicates"] for r in runs),
            "reused": sum(r["reused"] for r in runs),
            "tickets": sum(r["tickets"] for r in runs),
            "server_cpu_ms_per_issue": round(sum(r["cpu_s"] for r in runs) * 1000
                                             / max(1, len(issued)), 2)}


def run(source: Path, rounds: int, seconds: float, calls: int, clients: tuple[int, ...],
        waiting: tuple[int, ...], ways: tuple[str, ...]) -> dict[str, Any]:
    """Every cell for every server, `rounds` times; which server goes first turns each round."""
    started = time.monotonic()
    loads = [os.getloadavg()[0]]
    sides = ["novbe", *(f"fqm-{way}" for way in ways)]
    raw: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for r in range(rounds):
        order = sides[r % len(sides):] + sides[:r % len(sides)]
        for w in waiting:
            for c in clients:
                for name in order:
                    raw.setdefault((name, c, w), []).append(
                        one_cell(name, source, c, w, seconds, calls))
        loads.append(os.getloadavg()[0])
    cells = []
    for w in waiting:
        for c in clients:
            figures = {name: pooled(raw[(name, c, w)]) for name in sides}
            novbe = figures["novbe"]
            cells.append({"clients": c, "waiting": w, **figures, "ratios": {
                name: {"issue": round(novbe["issue_per_s"] / max(f["issue_per_s"], 0.01), 2),
                       "call_p50": (round(f["call_p50_ms"] / novbe["call_p50_ms"], 1)
                                    if novbe["call_p50_ms"] and f["call_p50_ms"] else None)}
                for name, f in figures.items() if name != "novbe"}})
    return {"rounds": rounds, "seconds": seconds, "calls": calls, "sides": sides,
            "cells": cells, "load_average_1min": [round(x, 2) for x in loads],
            "cpu_model": cpu_model(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "fqm_workers": os.cpu_count(),
            "wall_s": round(time.monotonic() - started, 1)}


def print_table(f: dict[str, Any]) -> None:
    print(f"NÖVBƏ vs FQM: {f['rounds']} interleaved rounds, {f['seconds']} s of issuing per "
          f"cell, a counter calling every {CALL_EVERY_S} s meanwhile, then {f['calls']} Nexts "
          f"alone; {f['cpu_model']}, {f['cpus']} CPUs, Python {f['python']}; FQM on gunicorn "
          f"-w {f['fqm_workers']} (fqm-api: its REST API; fqm-web: its touch-screen form and "
          f"operator page); load average (1 min) per round "
          f"{' → '.join(str(x) for x in f['load_average_1min'])}; {f['wall_s']} s")
    print(f"{'kiosks':>6} {'waiting':>7}  {'server':<9} {'issues/s':>9} {'p50 / p99 ms':>17} "
          f"{'Next under load':>17} {'Next alone':>17} {'dup':>5} {'CPU ms/issue':>12}")
    for cell in f["cells"]:
        for name in f["sides"]:
            s = cell[name]
            print(f"{cell['clients']:>6} {cell['waiting']:>7}  {name:<9} {s['issue_per_s']:>9} "
                  f"{_pair(s['issue_p50_ms'], s['issue_p99_ms']):>17} "
                  f"{_pair(s['call_load_p50_ms'], s['call_load_p99_ms']):>17} "
                  f"{_pair(s['call_p50_ms'], s['call_p99_ms']):>17} {s['duplicates']:>5} "
                  f"{s['server_cpu_ms_per_issue']:>12}"
                  + (f"  ({s['calls_nobody']} Nexts called nobody)" if s["calls_nobody"] else "")
                  + (f"  ({s['reused']} numbers given again once free)"
                     if s["reused"] > s["duplicates"] else ""))
        for name, ratio in cell["ratios"].items():
            print(f"{'':>17}Növbə / {name}: issues {ratio['issue']}×, Next alone "
                  f"{ratio['call_p50']}× faster (p50); issue rate per round: Növbə "
                  f"{cell['novbe']['issue_per_s_rounds']}, {name} "
                  f"{cell[name]['issue_per_s_rounds']}")


def _pair(a: float | None, b: float | None) -> str:
    return f"{a} / {b}"


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(","))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fqm", type=Path, help="FQM's source folder, with its .venv")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=ROUNDS,
                        help=f"interleaved rounds (default {ROUNDS})")
    parser.add_argument("--seconds", type=float, default=ISSUE_S,
                        help=f"seconds of issuing per cell (default {ISSUE_S})")
    parser.add_argument("--calls", type=int, default=CALLS,
                        help=f"Nexts alone per cell (default {CALLS})")
    parser.add_argument("--clients", type=_ints, default=CLIENTS,
                        help="kiosks issuing at once, comma-separated (default 1,8)")
    parser.add_argument("--ways", type=lambda t: tuple(t.split(",")), default=WAYS,
                        help="FQM's ways in: api (its REST API), web (its touch-screen form "
                             "and operator page); comma-separated (default api,web)")
    parser.add_argument("--waiting", type=_ints, default=WAITING,
                        help="people waiting at the start, comma-separated (default 15,800)")
    args = parser.parse_args(argv)
    lacking = fqm.missing(args.fqm)
    if lacking:
        print(f"FQM side by side skipped: {lacking}. See this script's docstring for how to "
              "get FQM.", file=sys.stderr)
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # stop the servers on the way out
    unknown = set(args.ways) - set(WAYS)
    if unknown:
        parser.error(f"--ways: unknown {', '.join(sorted(unknown))} (known: {', '.join(WAYS)})")
    figures = run(args.fqm, args.rounds, args.seconds, args.calls, args.clients, args.waiting,
                  args.ways)
    if args.json:
        print(json.dumps(figures))
    else:
        print_table(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
