"""The /metrics row (bench/server.py --metrics N): Prometheus scrapes of a server that holds N
open event streams (target: < 50 ms with 1,000). The server runs as `novbe serve` does, in its
own process (uvicorn on 127.0.0.1); the streams are real clients on bare sockets in
bench/server.py's subscriber processes, each reading every byte the server sends. Before
timing, the scrape itself must count them: the `novbe_stream_subscribers` gauge, read with
prometheus_client's own parser, has to say N (else the row is refused, not printed).

Figures: metrics_streams, metrics_stream_subscribers (the gauge), metrics_scrapes,
metrics_p50_ms / _p99_ms / _max_ms (one scrape's round trip, one after another), the body's
size, and the machine's load (the clients share its cores)."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench import server as bench
from shared.percentile import percentile_of

SCRAPES = 50
GAUGE = "novbe_stream_subscribers"


class RowRefused(Exception):
    """The row cannot be measured as asked (the streams did not all open, or the gauge does not
    count them); the message says what was seen."""


def stream_gauge(body: str) -> float | None:
    """The open-streams gauge of a /metrics body, read by prometheus_client's parser."""
    for family in text_string_to_metric_families(body):
        if family.name == GAUGE:
            return family.samples[0].value if family.samples else None
    return None


def scrape(url: str, n: int) -> tuple[list[float], str]:
    """Milliseconds of `n` scrapes one after another, and the last body."""
    times, body = [], ""
    with httpx.Client(base_url=url, timeout=10) as client:
        for _ in range(n):
            started = time.perf_counter()
            answer = client.get("/metrics")
            answer.raise_for_status()
            body = answer.text
            times.append((time.perf_counter() - started) * 1000)
    return times, body


def wait_for_health(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    with httpx.Client(base_url=url, timeout=1) as probe:
        deadline = time.monotonic() + seconds
        while True:
            if server.poll() is not None:
                raise RowRefused(f"the server left with exit code {server.returncode}")
            try:
                if probe.get("/api/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RowRefused(f"the server did not answer /api/health in {seconds:.0f} s")
            time.sleep(0.1)


def measure(streams: int, scrapes: int = SCRAPES) -> dict[str, Any]:
    """Open `streams` event streams on a fresh server, check the gauge counts them, time
    `scrapes` scrapes of /metrics while they stay open."""
    bench.raise_fd_limit()
    load_before = os.getloadavg()[0]
    tmp = Path(tempfile.mkdtemp(prefix="novbe-bench-metrics-"))
    db = tmp / "queue.sqlite"
    config_data = bench.bench_config(bench.COUNTERS)
    config_json = tmp / "config.json"
    config_json.write_text(json.dumps(config_data))
    token = bench.prepare(db, config_data, bench.COUNTERS, presses=0)
    port = bench.free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, str(Path(bench.__file__)), "--serve-child",
                               str(db), str(config_json), str(port)])
    ctx = multiprocessing.get_context("spawn")
    stop, out = ctx.Event(), ctx.Queue()
    procs: list[Any] = []
    try:
        wait_for_health(url, server)
        ready = ctx.Semaphore(0)
        per_proc = [streams // bench.SUBSCRIBER_PROCS + (i < streams % bench.SUBSCRIBER_PROCS)
                    for i in range(bench.SUBSCRIBER_PROCS)]
        for n in per_proc:
            p = ctx.Process(target=bench.subscriber_proc, args=(url, token, n, ready, stop, out),
                            daemon=True)
            p.start()
            procs.append(p)
        for _ in procs:
            if not ready.acquire(timeout=90):
                raise RowRefused(f"the {streams} event streams did not all open in 90 s")
        _, body = scrape(url, 1)                       # a first scrape warms the route
        counted = stream_gauge(body)
        if counted != streams:
            raise RowRefused(f"{GAUGE} says {counted}, but {streams} streams are open")
        times, body = scrape(url, scrapes)
        still = stream_gauge(body)
        if still != streams:
            raise RowRefused(f"{GAUGE} fell to {still} while scraping: streams were lost")
        return {
            "metrics_streams": streams, "metrics_stream_subscribers": still,
            "metrics_scrapes": scrapes,
            "metrics_p50_ms": round(percentile_of(times, 0.5), 2),
            "metrics_p99_ms": round(percentile_of(times, 0.99), 2),
            "metrics_max_ms": round(max(times), 2),
            "metrics_body_kb": round(len(body.encode()) / 1024, 1),
            "server_rss_mb": round(bench.rss_mb(server.pid), 1),
            "cpus": os.cpu_count(), "cpu_model": bench.cpu_model(),
            "load_average_before": round(load_before, 2),
            "load_average_1min": round(os.getloadavg()[0], 2),
        }
    finally:
        stop.set()
        for _ in procs:
            try:
                out.get(timeout=30)   # each subscriber process reports what it saw as it ends
            except Exception:         # noqa: BLE001 — a process that died reports nothing
                break
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
        bench.stop_child(server)
        shutil.rmtree(tmp, ignore_errors=True)


def row(f: dict[str, Any]) -> tuple[str, str]:
    """The table's line for these figures."""
    return ("/metrics with open streams p50 / p99 / max",
            f"{f['metrics_p50_ms']} / {f['metrics_p99_ms']} / {f['metrics_max_ms']} ms  "
            f"(target < 50 ms; {f['metrics_streams']} streams open, the gauge says "
            f"{f['metrics_stream_subscribers']:.0f}; {f['metrics_scrapes']} scrapes of "
            f"{f['metrics_body_kb']} kB; load average {f['load_average_before']} before, "
            f"{f['load_average_1min']} after, {f['cpus']} CPUs)")
