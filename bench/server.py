"""Benchmark of the server under a centre's load: 60 counters pressing Next over HTTP while
1,000 clients (the load of 1,000 phone pages) follow the event stream.

    .venv/bin/python bench/server.py            # prints a table
    .venv/bin/python bench/server.py --json     # prints one JSON object
    .venv/bin/python bench/server.py --quick    # 5 s, 100 subscribers, one burst (smoke test)
    .venv/bin/python bench/server.py --interval 10   # a gentler steady load
    .venv/bin/python bench/server.py --issues        # issuing over HTTP, empty vs long queue
    .venv/bin/python bench/server.py --deadline 600  # a loaded machine: stop after 10 min, not 2
    .venv/bin/python bench/server.py --help-request 10   # a kiosk's help request → console and
                                                         # help desk in Chromium (one row)
    .venv/bin/python bench/server.py --metrics 1000      # only /metrics, 1,000 streams open
                                                         # (one row, bench/metrics_streams.py)

The server runs in its own process (uvicorn on 127.0.0.1, a free port, a temporary database);
1,000 subscribers (bare sockets, cheap) run in SUBSCRIBER_PROCS client processes and the 60
signed-in staff sessions (httpx) in this one — all on the same machine as the server. First a
steady load: each counter presses Next every --interval seconds, the counters staggered; then
a few bursts where all 60 press Next at the same instant (the worst case).

Figures:
  next_p50_ms / next_p99_ms   counter Next, HTTP round trip, steady load (target p99 < 30 ms)
  burst_next_p50_ms / _p99_ms the same when all 60 counters press Next at one instant
                              (target p99 < 100 ms)
  server_cpu_ms_per_next      the server's CPU time per Next, its fan-out included (steady;
                              burst_server_cpu_ms_per_next: in the bursts)
  fanout_p50_ms / _p99_ms     call committed → received by ALL subscribers, per called event
  metrics_p50_ms / _p99_ms    a Prometheus scrape of /metrics with every stream still open
                              of the steady load (burst_fanout_*: of the bursts);
                              measured from the moment the Next request was sent (an upper
                              bound: it includes the request's own trip) (target p99 < 250 ms)
  server_rss_mb               the server process's peak resident memory during the load
  burst_cpu_ms_*              CPU time per burst of the server, of this process (the 60 staff
                              connections) and of the subscriber processes: they all share the
                              machine, so on a 2-core machine the clients' CPU competes with
                              the server's and the round trips include it
  cpu_model / cpus / load_*   the machine, and its 1-minute load average before and after the
                              run (other work on the machine makes every figure worse)
  writer_*                    the server's queue writes: changes and commits (group commit:
                              Nexts that meet share one commit), COMMIT p50/p99/max, WAL size
Every commit is flushed to disk (synchronous=FULL); Nexts that arrive together share one commit.
--no-fsync (diagnostic only) shows the server's own share without the flushes.
The load generator is made cheap because it shares the server's two cores: subscribers are
callback protocols on uvloop, Nexts go over bare keep-alive connections (httpx cost ~1 ms of
CPU per request and queued a burst's requests in this process) — both still read every byte.
Benchmarks print figures; nothing here passes or fails. Loopback only; it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from shared.percentile import percentile_of  # noqa: E402

COUNTERS = 60
SUBSCRIBERS = 1000
SUBSCRIBER_PROCS = 2
LOAD_S = 20.0            # seconds of steady load
INTERVAL_S = 3.0         # each counter presses Next every 3 s: 20 Next/s in all — about 100×
                         # the busiest recorded DOST day (1,646 visitors in ~9 h)
BURSTS = 3               # then all 60 counters press Next at the same instant, 3 times
PASSWORD = "bench-password-1"
DEADLINE_S = 120          # the whole run stops by itself after this (--deadline), whatever happens




def bench_config(counters: int) -> dict[str, Any]:
    """The DOST config with its counters repeated up to `counters` windows."""
    from shared.config.centre import config_document, load_config

    data = config_document(load_config())
    base = data["counter"]
    data["counter"] = [{**base[i % len(base)], "id": str(i + 1), "name": {}}
                       for i in range(counters)]
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_child(child: subprocess.Popen[bytes]) -> None:
    """Stop a server the bench started: SIGTERM, then SIGKILL if it has not left in 20 s."""
    child.terminate()
    try:
        child.wait(20)
    except subprocess.TimeoutExpired:
        child.kill()


def raise_fd_limit() -> None:
    with contextlib.suppress(Exception):
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_model() -> str:
    """The CPU's model name (Linux), else what platform knows."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---- the server process ---------------------------------------------------------------------
def serve_child(db: str, config_json: str, port: int, no_fsync: bool = False) -> None:
    """Run the server as `novbe serve` does (server.http.serving), over the bench's database and
    config; every client is on 127.0.0.1, so the per-address connection cap is off."""
    from server.app import create_app
    from server.http.limits import Limits
    from server.http.serving import ServeOptions, prepare, serve
    from shared.config.centre import parse_config
    from shared.core.local_queue import LocalQueue

    config = parse_config(json.loads(Path(config_json).read_text()), config_json)
    queue = LocalQueue(db, config)
    if no_fsync:   # diagnostic only: what the server costs without the disk's flush per commit
        queue.db.conn.execute("PRAGMA synchronous = NORMAL")
    options = prepare(ServeOptions("127.0.0.1", port, limits=Limits(max_per_address=0),
                                   backlog=4096))
    app = create_app(queue, config, db_path=db, limits=options.limits)

    def note_writer() -> None:     # uvicorn ends the process by its signal: note as we go
        while True:
            (Path(db).parent / "writer.json").write_text(json.dumps(writer_figures(queue.writer)))
            time.sleep(0.5)
    threading.Thread(target=note_writer, daemon=True).start()
    serve(app, options)


def writer_figures(writer: Any) -> dict[str, float]:
    """The server's group writer so far: changes, commits and COMMIT times."""
    times = list(writer.commit_seconds)
    return {"commits": writer.commits, "changes": writer.changes,
            **{f"commit_{name}_ms": round(percentile_of(times, p / 100) * 1000, 2) if times else 0.0
               for name, p in (("p50", 50), ("p99", 99), ("max", 100))}}


def wal_size(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def prepare(db: Path, config_data: dict[str, Any], counters: int, presses: int) -> str:
    """Tickets for every Next of the run, staff accounts, a device token."""
    from server.auth.accounts import Accounts, hash_password
    from shared.config.centre import parse_config
    from shared.core.local_queue import LocalQueue
    from shared.store import database as store

    config = parse_config(config_data)
    queue = LocalQueue(db, config)
    for c in config.counters:
        for _ in range(presses + 2):
            queue.issue(c.services[0], source="bench")
    queue.close()
    accounts = Accounts(db)
    token = accounts.add_device("bench-subscribers")
    hashed = hash_password(PASSWORD)        # one KDF run; every account shares the hash
    now = time.time()
    with store.write(accounts.db):
        accounts.db.conn.executemany(
            "INSERT INTO staff(name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [(f"staff{i + 1}", hashed, now, now) for i in range(counters)])
    accounts.close()
    return token


def run_loop(main: Any) -> Any:
    """Run a coroutine on uvloop (the load generator shares the server's cores: the cheaper
    its clients, the more the figures are the server's own), on asyncio if uvloop is missing."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


# ---- subscribers ----------------------------------------------------------------------------
class _Follower(asyncio.Protocol):
    """One subscriber on a bare socket, read by callbacks (cheap enough that two processes
    carry 1,000 of them without taking the server's CPU): it notes when each event id
    arrives. It still reads every byte and every event id the server sends."""

    def __init__(self, request: bytes, seen: dict[int, list], on_connected: Any):
        self.request = request
        self.seen = seen
        self.on_connected = on_connected
        self.head: bytes | None = b""
        self.tail = b""
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: Any) -> None:
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        if self.head is not None:            # still reading the response's head
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, data = self.head.split(b"\r\n\r\n", 1)
            self.head = None
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                raise RuntimeError(head.decode(errors="replace"))
            self.on_connected()
        data = self.tail + data
        cut = data.rfind(b"\n") + 1
        self.tail = data[cut:]
        for line in data[:cut].split(b"\n"):
            if line.startswith(b"id: "):
                entry = self.seen.setdefault(int(line[4:]), [0, 0.0])
                entry[0] += 1
                entry[1] = max(entry[1], now)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


async def _follow(host: str, port: int, token: str, seen: dict[int, list],
                  connected: list[int], all_connected: asyncio.Event, n: int) -> None:
    """One subscriber: connect, ask for the event stream, note what arrives until stopped."""
    def on_connected() -> None:
        connected[0] += 1
        if connected[0] == n:
            all_connected.set()
    request = (f"GET /api/events/stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
               f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    transport, follower = await loop.create_connection(
        lambda: _Follower(request, seen, on_connected), host, port)
    try:
        await follower.closed
    finally:
        transport.close()


async def _subscribe(url: str, token: str, n: int, ready: Any, stop: Any,
                     seen: dict[int, list]) -> None:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    connected = [0]
    all_connected = asyncio.Event()
    tasks = []
    for _ in range(n):
        tasks.append(asyncio.create_task(
            _follow(host, int(port), token, seen, connected, all_connected, n)))
        await asyncio.sleep(0)
    await asyncio.wait_for(all_connected.wait(), 60)
    ready.release()
    while not stop.is_set():
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def subscriber_proc(url: str, token: str, n: int, ready: Any, stop: Any, out: Any) -> None:
    raise_fd_limit()
    seen: dict[int, list[float]] = {}
    try:
        run_loop(_subscribe(url, token, n, ready, stop, seen))
    finally:
        out.put({k: tuple(v) for k, v in seen.items()})


# ---- counters -------------------------------------------------------------------------------
class Counters:
    """60 signed-in staff sessions, each with its counter open, pressing Next over HTTP."""

    def __init__(self, url: str, counters: int):
        self.url = url
        self.n = counters
        self.clients: list[httpx.AsyncClient] = []
        self.csrfs: list[str] = []
        self.sent_at: dict[str, float] = {}   # ticket code → when its Next request was sent
        self.in_burst: set[str] = set()       # codes called during the bursts
        self.bursting = False
        self.refused = 0
        self.presses: list[Press] = []

    async def sign_in(self) -> None:
        """Sign the 60 staff in, two at a time (the server checks two passwords at once, and
        its throttle allows only a few attempts in flight per address)."""
        gate = asyncio.Semaphore(2)

        async def one(i: int) -> tuple[httpx.AsyncClient, str]:
            async with gate:
                client = httpx.AsyncClient(base_url=self.url, timeout=30)
                r = await client.post("/counter/login", data={"username": f"staff{i + 1}",
                                                              "password": PASSWORD})
            assert r.status_code == 303, r.text
            page = (await client.get("/counter", headers={"Accept": "text/html"})).text
            csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            r = await client.post(f"/api/counters/{i + 1}/open", headers={"X-CSRF-Token": csrf})
            assert r.status_code == 200, r.text
            return client, csrf
        for client, csrf in await asyncio.gather(*(one(i) for i in range(self.n))):
            self.clients.append(client)
            self.csrfs.append(csrf)

    async def connect(self) -> None:
        """One bare keep-alive connection per counter for the Nexts (see Press)."""
        host, port = self.url.split("//", 1)[1].rsplit(":", 1)
        self.presses = [Press(host, int(port), i + 1,
                              client.cookies.get("novbe_session") or "", csrf)
                        for i, (client, csrf) in enumerate(zip(self.clients, self.csrfs,
                                                               strict=True))]
        for press in self.presses:
            await press.open()

    async def press(self, i: int, latencies: list[float]) -> None:
        t0 = time.monotonic()
        status, body = await self.presses[i].next()
        latencies.append((time.monotonic() - t0) * 1000)
        if status == 200:
            code = body["code"]
            self.sent_at[code] = t0
            if self.bursting:
                self.in_burst.add(code)
        else:
            self.refused += 1

    async def steady(self, seconds: float, interval: float, latencies: list[float]) -> None:
        """Each counter presses Next every `interval` seconds, the counters evenly staggered."""
        end = time.monotonic() + seconds

        async def counter(i: int) -> None:
            await asyncio.sleep(interval * i / self.n)
            while True:
                due = time.monotonic() + interval
                if due > end:
                    return
                await self.press(i, latencies)
                await asyncio.sleep(max(0.0, due - time.monotonic()))
        await asyncio.gather(*(counter(i) for i in range(self.n)))

    async def burst(self, latencies: list[float]) -> None:
        """All counters press Next at the same instant."""
        await asyncio.gather(*(self.press(i, latencies) for i in range(self.n)))

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()
        for press in self.presses:
            press.close()


class Press:
    """A counter's Next over a bare keep-alive HTTP/1.1 connection, with the staff member's
    session cookie and CSRF token, as the console's fetch sends it. The load generator shares
    the server's two cores: httpx cost ~1 ms of CPU per request here, and in a burst of 60
    that queued in this one process ahead of the last request's sending — time that was the
    client's, not the server's. The response is read whole and its JSON parsed."""

    def __init__(self, host: str, port: int, counter: int, cookie: str, csrf: str):
        self.host, self.port = host, port
        self.request = (f"POST /api/counters/{counter}/next HTTP/1.1\r\nHost: {host}:{port}\r\n"
                        f"Cookie: novbe_session={cookie}\r\nX-CSRF-Token: {csrf}\r\n"
                        "Accept: application/json\r\nContent-Length: 0\r\n\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def next(self) -> tuple[int, Any]:
        for attempt in range(2):
            if self.reader is None or self.writer is None:
                await self.open()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(self.request)
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()                  # the server closed an idle connection: again
                if attempt:
                    raise
                continue
            lines = head.split(b"\r\n")
            status = int(lines[0].split(b" ", 2)[1])
            length = next(int(line.split(b":", 1)[1]) for line in lines
                          if line.lower().startswith(b"content-length:"))
            return status, json.loads(await self.reader.readexactly(length))
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _drive(url: str, counters: int, seconds: float, interval: float, bursts: int,
                 server_pid: int, subscriber_pids: list[int]) -> dict[str, Any]:
    staff = Counters(url, counters)
    await staff.sign_in()
    await staff.connect()
    cpu0, t0 = cpu_seconds(server_pid), time.monotonic()
    steady: list[float] = []
    burst: list[float] = []
    rss = [rss_mb(server_pid)]
    sampler = asyncio.create_task(_sample_rss(server_pid, rss))
    await staff.steady(seconds, interval, steady)
    steady_cpu = cpu_seconds(server_pid) - cpu0
    server_cpu = steady_cpu / (time.monotonic() - t0)
    staff.bursting = True
    burst_cpu = {"server": 0.0, "counters": 0.0, "subscribers": 0.0}
    for _ in range(bursts):
        await asyncio.sleep(0.5)
        before = (cpu_seconds(server_pid), time.process_time(),
                  sum(cpu_seconds(p) for p in subscriber_pids))
        await staff.burst(burst)
        await asyncio.sleep(0.3)       # the burst's events reach the subscribers
        burst_cpu["server"] += cpu_seconds(server_pid) - before[0]
        burst_cpu["counters"] += time.process_time() - before[1]
        burst_cpu["subscribers"] += sum(cpu_seconds(p) for p in subscriber_pids) - before[2]
    sampler.cancel()
    await staff.close()
    return {"steady": steady, "burst": burst, "sent_at": staff.sent_at,
            "in_burst": staff.in_burst,
            "refused": staff.refused, "rss": rss, "server_cpu": server_cpu,
            "steady_cpu_per_next": steady_cpu / max(1, len(steady)),
            "burst_cpu": {k: v / max(1, bursts) for k, v in burst_cpu.items()}}


async def _sample_rss(pid: int, out: list[float]) -> None:
    while True:
        out.append(rss_mb(pid))
        await asyncio.sleep(0.5)


METRICS_SCRAPES = 50


def scrape_times(url: str, n: int) -> list[float]:
    """Milliseconds for each of `n` Prometheus scrapes of /metrics, one after another."""
    times = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for _ in range(n):
            started = time.perf_counter()
            answer = client.get("/metrics")
            answer.raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


def run(counters: int, subscribers: int, seconds: float, interval: float,
        bursts: int, no_fsync: bool = False) -> dict[str, Any]:
    raise_fd_limit()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="novbe-bench-server-"))
    db = tmp / "queue.sqlite"
    config_data = bench_config(counters)
    config_json = tmp / "config.json"
    config_json.write_text(json.dumps(config_data))
    presses = int(seconds / interval) + bursts
    token = prepare(db, config_data, counters, presses)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    child = os.environ.get("NOVBE_BENCH_SERVER_SCRIPT", __file__)   # e.g. a profiling wrapper
    server = subprocess.Popen([sys.executable, child, "--serve-child", str(db),
                               str(config_json), str(port), *(["--no-fsync"] if no_fsync else [])])
    procs: list[multiprocessing.Process] = []
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    out = ctx.Queue()
    try:
        with httpx.Client(base_url=url, timeout=1) as probe:
            deadline = time.monotonic() + 30
            while True:
                try:
                    probe.get("/api/health")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.1)
        idle_rss = rss_mb(server.pid)
        ready = ctx.Semaphore(0)
        per_proc = [subscribers // SUBSCRIBER_PROCS + (i < subscribers % SUBSCRIBER_PROCS)
                    for i in range(SUBSCRIBER_PROCS)]
        for n in per_proc:
            p = ctx.Process(target=subscriber_proc, args=(url, token, n, ready, stop, out),
                            daemon=True)
            p.start()
            procs.append(p)
        for _ in procs:
            if not ready.acquire(timeout=90):
                raise RuntimeError("subscribers did not connect")
        connected_rss = rss_mb(server.pid)

        result = run_loop(_drive(url, counters, seconds, interval, bursts, server.pid,
                                    [p.pid for p in procs if p.pid is not None]))
        time.sleep(1.0)                # the last round's events reach every subscriber
        metrics_ms = scrape_times(url, METRICS_SCRAPES)   # every stream still open
        stop.set()
        seen: dict[int, list] = {}
        for _ in procs:
            for event_id, (count, last) in out.get(timeout=60).items():
                entry = seen.setdefault(event_id, [0, 0.0])
                entry[0] += count
                entry[1] = max(entry[1], last)
        with httpx.Client(base_url=url, timeout=10,
                          headers={"Authorization": f"Bearer {token}"}) as api:
            events, after = [], 0
            while True:
                page = api.get("/api/events", params={"after_id": after, "limit": 1000}).json()
                if not page:
                    break
                events += page
                after = page[-1]["id"]
        fanout, burst_fanout, incomplete = [], [], 0
        for e in events:
            if e["kind"] != "called" or e["code"] not in result["sent_at"]:
                continue
            count, last = seen.get(e["id"], (0, 0.0))
            if count < subscribers:
                incomplete += 1
                continue
            ms = (last - result["sent_at"][e["code"]]) * 1000
            (burst_fanout if e["code"] in result["in_burst"] else fanout).append(ms)
        lat, burst = result["steady"], result["burst"]
        wal_mb = round(wal_size(db) / 1e6, 2)
        time.sleep(0.6)                     # the server notes its writer's figures every 0.5 s
        written = tmp / "writer.json"
        writer = {**(json.loads(written.read_text()) if written.exists() else {}), "wal_mb": wal_mb}
        return {
            **{f"writer_{k}": v for k, v in writer.items()},
            "counters": counters, "subscribers": subscribers, "seconds_of_load": seconds,
            "next_interval_s": interval, "bursts": bursts,
            "next_requests": len(lat), "next_refused": result["refused"],
            "metrics_p50_ms": round(percentile_of(metrics_ms, 0.5), 2),
            "metrics_p99_ms": round(percentile_of(metrics_ms, 0.99), 2),
            "next_p50_ms": round(statistics.median(lat), 2),
            "next_p99_ms": round(percentile_of(lat, 0.99), 2),
            "next_max_ms": round(max(lat), 2),
            "burst_next_p50_ms": round(percentile_of(burst, 0.5), 2),
            "burst_next_p99_ms": round(percentile_of(burst, 0.99), 2),
            "fanout_events": len(fanout), "fanout_incomplete": incomplete,
            "fanout_p50_ms": round(percentile_of(fanout, 0.5), 2),
            "fanout_p99_ms": round(percentile_of(fanout, 0.99), 2),
            "fanout_max_ms": round(max(fanout), 2) if fanout else float("nan"),
            "burst_fanout_p50_ms": round(percentile_of(burst_fanout, 0.5), 2),
            "burst_fanout_p99_ms": round(percentile_of(burst_fanout, 0.99), 2),
            "server_rss_idle_mb": round(idle_rss, 1),
            "server_rss_connected_mb": round(connected_rss, 1),
            "server_rss_mb": round(max(result["rss"]), 1),
            "server_cpu_percent": round(result["server_cpu"] * 100),
            "server_cpu_ms_per_next": round(result["steady_cpu_per_next"] * 1000, 2),
            "burst_server_cpu_ms_per_next": round(result["burst_cpu"]["server"] * 1000
                                                  / max(1, counters), 2),
            **{f"burst_cpu_ms_{k}": round(v * 1000) for k, v in result["burst_cpu"].items()},
            "seconds": round(time.monotonic() - started, 1),
            "python": platform.python_version(), "cpus": os.cpu_count(),
            "cpu_model": cpu_model(),
            "load_average_before": round(load_before, 2),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "fsync_per_commit": not no_fsync,
        }
    finally:
        stop.set()
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="5 s, 100 subscribers, 1 burst")
    parser.add_argument("--interval", type=float, default=INTERVAL_S,
                        help=f"seconds between two Nexts of one counter (default {INTERVAL_S})")
    parser.add_argument("--seconds", type=float, default=LOAD_S,
                        help=f"seconds of steady load (default {LOAD_S})")
    parser.add_argument("--bursts", type=int, default=BURSTS,
                        help=f"bursts of all counters at once after the steady load "
                             f"(default {BURSTS})")
    parser.add_argument("--subscribers", type=int, default=SUBSCRIBERS,
                        help=f"event-stream subscribers (default {SUBSCRIBERS})")
    parser.add_argument("--no-fsync", action="store_true",
                        help="diagnostic: the server's queue commits without waiting for the "
                             "disk (synchronous=NORMAL), to see the server's own cost apart "
                             "from the flush every Next pays (never for a centre)")
    parser.add_argument("--issues", action="store_true",
                        help="only issuing over HTTP, with nobody and with --waiting waiting "
                             "(bench/issue_rates.py)")
    parser.add_argument("--waiting", type=int, default=800, help="people waiting (--issues)")
    parser.add_argument("--clients", type=int, default=8, help="kiosks issuing (--issues)")
    parser.add_argument("--help-request", type=int, metavar="N",
                        help="only the help-request row: N requests from a kiosk's token to a "
                             "console and the help desk in Chromium (bench/help_request.py)")
    parser.add_argument("--metrics", type=int, metavar="N",
                        help="only the /metrics row: scrapes while N event streams are open, "
                             "counted by the stream gauge (bench/metrics_streams.py)")
    parser.add_argument("--deadline", type=float, default=DEADLINE_S,
                        help=f"seconds after which the run stops by itself, whatever happens "
                             f"(default {DEADLINE_S}; longer on a loaded machine; 0: never)")
    parser.add_argument("--serve-child", nargs=3, metavar=("DB", "CONFIG", "PORT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_child:
        db, config_json, port = args.serve_child
        serve_child(db, config_json, int(port), args.no_fsync)
        return 0
    if args.issues:
        from bench import issue_rates

        rates = issue_rates.run(args.waiting, args.clients, issue_rates.ISSUE_S, __file__)
        if args.json:
            print(json.dumps(rates))
        else:
            issue_rates.print_rows(rates)
        return 0
    if hasattr(__import__("signal"), "alarm"):
        import signal

        signal.alarm(max(0, round(args.deadline)))    # stops by itself (0: no alarm)
    if args.help_request:
        import importlib.util  # bench/help_request.py by its path: "server" is this file here

        spec = importlib.util.spec_from_file_location(
            "help_request", Path(__file__).resolve().parent / "help_request.py")
        assert spec is not None and spec.loader is not None
        help_request = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(help_request)
        name, value = help_request.row(help_request.measure(args.help_request))
        print(json.dumps({"help_request": value}) if args.json else f"{name}  {value}")
        return 0
    if args.metrics:
        from bench import metrics_streams

        try:
            figures = metrics_streams.measure(args.metrics)
        except metrics_streams.RowRefused as exc:
            print(f"bench/server.py --metrics: {exc}", file=sys.stderr)
            return 1
        name, value = metrics_streams.row(figures)
        print(json.dumps(figures) if args.json else f"{name}  {value}")
        return 0
    if args.quick:
        figures = run(COUNTERS, 100, seconds=5, interval=args.interval, bursts=1,
                      no_fsync=args.no_fsync)
    else:
        figures = run(COUNTERS, args.subscribers, seconds=args.seconds, interval=args.interval,
                      bursts=args.bursts, no_fsync=args.no_fsync)
    if args.json:
        print(json.dumps(figures))
        return 0
    f = figures
    rows = [
        ("machine", f"{f['cpu_model']}, {f['cpus']} CPUs, Python {f['python']}; load average "
                    f"{f['load_average_before']} before, {f['load_average_1min']} after "
                    "(server and clients share it)"),
        ("load", f"{f['counters']} counters, {f['subscribers']} event-stream subscribers"
                 + ("" if f["fsync_per_commit"] else "; NO FSYNC (diagnostic)")),
        ("STEADY", f"each counter presses Next every {f['next_interval_s']} s for "
                   f"{f['seconds_of_load']} s, the counters staggered"),
        ("  counter Next over HTTP p50 / p99",
         f"{f['next_p50_ms']} / {f['next_p99_ms']} ms  (target p99 < 30 ms; "
         f"{f['next_requests']} requests, {f['next_refused']} refused)"),
        ("  fan-out to all subscribers p50 / p99",
         f"{f['fanout_p50_ms']} / {f['fanout_p99_ms']} ms  (target p99 < 250 ms; "
         f"{f['fanout_events']} calls, {f['fanout_incomplete']} incomplete)"),
        ("  server CPU", f"{f['server_cpu_percent']} % of one core; "
                         f"{f['server_cpu_ms_per_next']} ms per Next (with its fan-out)"),
        ("BURST", f"all {f['counters']} counters press Next at the same instant, "
                  f"{f['bursts']} times"),
        ("  counter Next over HTTP p50 / p99",
         f"{f['burst_next_p50_ms']} / {f['burst_next_p99_ms']} ms  (target p99 < 100 ms)"),
        ("  fan-out to all subscribers p50 / p99",
         f"{f['burst_fanout_p50_ms']} / {f['burst_fanout_p99_ms']} ms  (target p99 < 250 ms)"),
        ("  CPU per burst: server / counters / subs",
         f"{f['burst_cpu_ms_server']} / {f['burst_cpu_ms_counters']} / "
         f"{f['burst_cpu_ms_subscribers']} ms  (the clients run on the same cores)"),
        ("  server CPU per Next in a burst", f"{f['burst_server_cpu_ms_per_next']} ms"),
        ("/metrics scrape p50 / p99",
         f"{f['metrics_p50_ms']} / {f['metrics_p99_ms']} ms  (target < 50 ms; every stream "
         "open, after the load)"),
        ("server RSS idle / connected / peak",
         f"{f['server_rss_idle_mb']} / {f['server_rss_connected_mb']} / "
         f"{f['server_rss_mb']} MB"),
        ("queue writes: changes / commits", f"{f.get('writer_changes', '?')} / "
         f"{f.get('writer_commits', '?')} (group commit); COMMIT p50 / p99 / max "
         f"{f.get('writer_commit_p50_ms', '?')} / {f.get('writer_commit_p99_ms', '?')} / "
         f"{f.get('writer_commit_max_ms', '?')} ms; WAL file {f.get('writer_wal_mb', '?')} MB"),
        ("run", f"{f['seconds']} s"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
