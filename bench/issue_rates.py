"""Issuing over HTTP as the queue grows (bench/server.py --issues): `clients` kiosks issue
tickets as fast as the server answers, over bare keep-alive connections, while counters press
Next now and then; once with nobody waiting and once with `waiting` people waiting (10 counters
each in a visit, bench/long_queue.py). The server runs as `novbe serve` does, in its own process.

Figures: issues per second and p50 / p99 round trip at each length, and their ratio (target:
within 20 % at 800 waiting); server_cpu_ms_per_issue, the server process's CPU time (user +
system, /proc/<pid>/stat) over the run divided by the tickets issued — the Nexts and fan-out
meanwhile included — a figure that depends far less on the machine's other load than the rate; changes_per_commit,
the writes the server's group writer put in one commit (one disk flush each), fill included. The clients share the server's cores (a 2-core machine: they cost
it CPU too), and so does everything else running on the machine: the load average is printed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench import long_queue

ISSUE_S = 8.0            # seconds of issuing at each length
CALL_EVERY_S = 0.5       # a counter presses Next this often (one counter after the other)


class Post:
    """POST requests with a device token over one bare keep-alive HTTP/1.1 connection; the
    answer is read whole and its JSON parsed (as bench/server.py's Press)."""

    def __init__(self, host: str, port: int, path: str, token: str):
        self.host, self.port, self.path, self.token = host, port, path, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, body: dict[str, Any], path: str | None = None) -> tuple[int, Any]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        data = json.dumps(body).encode()
        self.writer.write((f"POST {path or self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                           f"Authorization: Bearer {self.token}\r\nAccept: application/json\r\n"
                           f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                           ).encode() + data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = next(int(line.split(b":", 1)[1]) for line in lines
                      if line.lower().startswith(b"content-length:"))
        return status, json.loads(await self.reader.readexactly(length))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _load(url: str, kiosk: str, counter: str, counters: list[str], clients: int,
                seconds: float) -> dict[str, Any]:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    end = time.monotonic() + seconds
    latencies: list[float] = []
    refused = [0]
    calls = [0]

    async def kiosk_loop(k: int) -> None:
        post = Post(host, int(port), "/api/tickets", kiosk)
        n = 0
        try:
            while time.monotonic() < end:
                t0 = time.monotonic()
                status, _ = await post.send({"service": long_queue.SERVICES[(k + n) % 6],
                                             "source": f"kiosk-{k}"})
                n += 1
                if status == 200:
                    latencies.append(time.monotonic() - t0)
                else:
                    refused[0] += 1
        finally:
            post.close()

    async def counters_loop() -> None:
        post = Post(host, int(port), "", counter)
        k = 0
        try:
            while time.monotonic() < end:
                await post.send({}, f"/api/counters/{counters[k % len(counters)]}/next")
                calls[0] += 1
                k += 1
                await asyncio.sleep(CALL_EVERY_S)
        finally:
            post.close()
    t0 = time.monotonic()
    await asyncio.gather(counters_loop(), *(kiosk_loop(k) for k in range(clients)))
    wall = time.monotonic() - t0
    ordered = sorted(latencies)
    return {"issues": len(latencies), "issue_per_s": round(len(latencies) / wall, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
            "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 2) if ordered else None,
            "refused": refused[0], "calls": calls[0]}


def one_length(waiting: int, clients: int, seconds: float, script: str) -> dict[str, Any]:
    """The issue rate with `waiting` people waiting, on a fresh file and server."""
    from bench.server import bench_config, cpu_seconds, free_port
    from server.auth.accounts import Accounts
    from shared.config.centre import parse_config

    tmp = Path(tempfile.mkdtemp(prefix="novbe-bench-issue-"))
    db = tmp / "queue.sqlite"
    data = bench_config(60)
    config_json = tmp / "config.json"
    config_json.write_text(json.dumps(data))
    config = parse_config(data)
    long_queue.fill(db, config, waiting)
    working = [c.id for c in config.counters
               if set(c.services) & set(long_queue.SERVICES)][:long_queue.WORKING]
    accounts = Accounts(db)
    kiosk = accounts.add_device("bench-kiosk")
    counter = accounts.add_device("bench-counter", role="counter", counters=working)
    accounts.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, script, "--serve-child", str(db),
                               str(config_json), str(port)])
    try:
        with httpx.Client(base_url=url, timeout=1) as probe:
            deadline = time.monotonic() + 60
            while True:
                try:
                    probe.get("/api/health")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.1)
        cpu0 = cpu_seconds(server.pid)
        figures = asyncio.run(_load(url, kiosk, counter, working, clients, seconds))
        cpu = cpu_seconds(server.pid) - cpu0
        figures["server_cpu_ms_per_issue"] = round(cpu * 1000 / max(1, figures["issues"]), 3)
    finally:
        server.terminate()
        server.wait(10)
    with contextlib.suppress(OSError, ValueError):     # the server's group writer, noted as it went
        writer = json.loads((tmp / "writer.json").read_text())
        figures["changes_per_commit"] = round(writer["changes"] / max(1, writer["commits"]), 2)
    return {"waiting": waiting, **figures}


def run(waiting: int, clients: int, seconds: float, script: str) -> dict[str, Any]:
    """Both lengths, the empty queue first, and how the long one compares."""
    load_before = os.getloadavg()[0]
    empty = one_length(0, clients, seconds, script)
    long = one_length(waiting, clients, seconds, script)
    return {"clients": clients, "seconds": seconds, "empty": empty, "long": long,
            "long_vs_empty": round(long["issue_per_s"] / max(empty["issue_per_s"], 0.1), 2),
            "load_average_before": round(load_before, 2),
            "load_average_after": round(os.getloadavg()[0], 2)}


def print_rows(f: dict[str, Any]) -> None:
    print(f"ISSUE OVER HTTP: {f['clients']} kiosks issuing at once for {f['seconds']} s each, "
          f"a counter pressing Next every {CALL_EVERY_S} s; load average "
          f"{f['load_average_before']} before, {f['load_average_after']} after")
    for name in ("empty", "long"):
        r = f[name]
        print(f"  {r['waiting']:>5} waiting: {r['issue_per_s']} issues/s, p50 / p99 "
              f"{r['p50_ms']} / {r['p99_ms']} ms ({r['issues']} issued, {r['refused']} refused, "
              f"{r['calls']} Nexts); server CPU {r['server_cpu_ms_per_issue']} ms per issue; "
              f"{r.get('changes_per_commit')} writes per commit")
    print(f"  long / empty: {f['long_vs_empty']}  (target >= 0.8)")
