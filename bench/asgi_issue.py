"""What one issue costs the server's own code: `clients` kiosks issue through the app's ASGI
callable in this process — no sockets, no HTTP parser, no client library — and the process's
CPU time (every thread: the event loop, the write lane, the group writer) is divided by the
tickets issued. Every layer of the app runs as under uvicorn (the front layer, FastAPI's
stack, the route, the device token's check, the queue's transaction with its fsync).

    .venv/bin/python bench/asgi_issue.py                   # 8 kiosks, 2,000 issues, 0 waiting
    .venv/bin/python bench/asgi_issue.py --waiting 800 --issues 2000
    .venv/bin/python bench/asgi_issue.py --calls       # and the event loop's calls per issue
    .venv/bin/python bench/asgi_issue.py --json

CPU seconds per issue hardly depend on what else the machine runs (the wall rate does: the
load average is printed). Figures: cpu_ms_per_issue (the whole process), issue_per_s (wall),
the same split into user and system time, and the event loop's thread's own CPU per issue
(loop_cpu_ms_per_issue: the HTTP layers and the route, the part this process cannot spread
over cores — the queue's SQLite work runs in the write lane's threads, mostly without the GIL); at most 999 tickets a prefix may be open at once (the daily cap). Nothing passes or fails."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import long_queue  # noqa: E402


class Lifespan:
    """The app's start-up and shutdown, driven as a server drives them."""

    def __init__(self, app: Any):
        self.app = app
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.app({"type": "lifespan", "asgi": {"version": "3.0"}},
                                                 self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        message = await self.outbox.get()
        if message["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"the app did not start: {message}")

    async def stop(self) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.outbox.get()
        assert self.task is not None
        await self.task


async def post(app: Any, path: str, token: str, body: dict[str, Any]) -> tuple[int, bytes]:
    """One POST through the ASGI callable, as uvicorn would hand it over."""
    data = json.dumps(body).encode()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "server": ("127.0.0.1", 8700),
             "client": ("127.0.0.1", 50000),
             "headers": [(b"host", b"127.0.0.1:8700"),
                         (b"authorization", f"Bearer {token}".encode()),
                         (b"accept", b"application/json"),
                         (b"content-type", b"application/json"),
                         (b"content-length", str(len(data)).encode())]}
    sent = False
    status = 0
    parts: list[bytes] = []

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": data, "more_body": False}
        await asyncio.Event().wait()          # nobody leaves
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))
    await app(scope, receive, send)
    return status, b"".join(parts)


def loop_cpu() -> float:
    """CPU time of the calling thread (the event loop's)."""
    return time.thread_time()


async def drive(app: Any, token: str, clients: int, issues: int,
                calls: bool = False) -> dict[str, Any]:
    lifespan = Lifespan(app)
    await lifespan.start()
    try:
        for k in range(20):                       # warm: imports, caches, the first plans
            await post(app, "/api/tickets", token,
                       {"service": long_queue.SERVICES[k % 6], "source": "warm"})
        left = [issues]
        refused = [0]

        async def kiosk(k: int) -> None:
            n = 0
            while left[0] > 0:
                left[0] -= 1
                status, body = await post(app, "/api/tickets", token, {
                    "service": long_queue.SERVICES[(k + n) % 6], "source": f"kiosk-{k}"})
                n += 1
                if status != 200:
                    refused[0] += 1
                    if refused[0] == 1:
                        print(f"refused: {status} {body[:200]!r}", file=sys.stderr)
        counter = cProfile.Profile() if calls else None   # profiles this thread only
        times0, loop0, t0 = os.times(), loop_cpu(), time.monotonic()
        if counter is not None:
            counter.enable()
        await asyncio.gather(*(kiosk(k) for k in range(clients)))
        if counter is not None:
            counter.disable()
        times, loop, wall = os.times(), loop_cpu() - loop0, time.monotonic() - t0
        user, system = times.user - times0.user, times.system - times0.system
        cpu = user + system
    finally:
        await lifespan.stop()
    done = issues - refused[0]
    per_issue = {"loop_calls_per_issue": round(pstats.Stats(counter).total_calls / max(1, done))
                 } if counter is not None else {}  # type: ignore[attr-defined]
    return {**per_issue, "issues": done, "refused": refused[0], "issue_per_s": round(done / wall, 1),
            "cpu_ms_per_issue": round(cpu * 1000 / max(1, done), 3),
            "user_ms_per_issue": round(user * 1000 / max(1, done), 3),
            "system_ms_per_issue": round(system * 1000 / max(1, done), 3),
            "loop_cpu_ms_per_issue": round(loop * 1000 / max(1, done), 3),
            "loop_cpu_share": round(loop / cpu, 2) if cpu else None}


def run(clients: int, issues: int, waiting: int, calls: bool = False) -> dict[str, Any]:
    """A fresh file with `waiting` people waiting, the app over it, `issues` issued."""
    from bench.server import bench_config
    from server.app import create_app
    from server.auth.accounts import Accounts
    from shared.config.centre import parse_config
    from shared.core.local_queue import LocalQueue

    db = Path(tempfile.mkdtemp(prefix="novbe-bench-asgi-")) / "queue.sqlite"
    config = parse_config(bench_config(60))
    long_queue.fill(db, config, waiting)
    accounts = Accounts(db)
    token = accounts.add_device("bench-kiosk")
    accounts.close()
    queue = LocalQueue(db, config)
    app = create_app(queue, config, db_path=db)
    load = os.getloadavg()[0]
    try:
        figures = asyncio.run(drive(app, token, clients, issues, calls))
    finally:
        queue.close()
    return {"clients": clients, "waiting": waiting, **figures,
            "load_average_before": round(load, 2),
            "load_average_after": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="kiosks issuing at once (8)")
    parser.add_argument("--issues", type=int, default=2000, help="tickets issued (2000)")
    parser.add_argument("--waiting", type=int, default=0, help="people waiting first (0)")
    parser.add_argument("--calls", action="store_true",
                        help="count the Python calls the event loop makes per issue (cProfile on "
                             "its thread: a figure no load changes; the CPU figures then include "
                             "the profiler's cost)")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)
    f = run(args.clients, args.issues, args.waiting, args.calls)
    if args.json:
        print(json.dumps(f))
    else:
        print(f"ISSUE THROUGH THE APP (in process, {f['clients']} kiosks, {f['waiting']} "
              f"waiting): {f['cpu_ms_per_issue']} ms CPU per issue "
              f"(user {f['user_ms_per_issue']}, system {f['system_ms_per_issue']}; "
              f"{f['loop_cpu_ms_per_issue']} ms on the event loop), "
              f"{f['issue_per_s']} issues/s; {f['issues']} issued, {f['refused']} refused; "
              f"load average {f['load_average_before']} before, {f['load_average_after']} after"
              + (f"; {f['loop_calls_per_issue']} Python calls per issue on the event loop"
                 if "loop_calls_per_issue" in f else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
