"""Benchmark of connections that never speak: 1,100 TCP connections from one address that
never send a byte (over HTTPS: not even a TLS ClientHello), against the centre's server as
`novbe serve` runs it (limits as shipped: 256 connections per address, a 10 s header deadline).

    .venv/bin/python bench/silent.py            # HTTPS, then plain HTTP; prints a table
    .venv/bin/python bench/silent.py --json     # one JSON object

The server runs in its own process (127.0.0.1, a free port, a temporary database, a self-signed
certificate made by openssl); the silent sockets come from 127.0.0.2 (a loopback source
address, this machine), the colleague from 127.0.0.1. Figures per scheme: how many of the
silent sockets the server still holds a second after they connected, its open files and
memory then, a colleague's GET /api/health while they hang on (status and seconds), and how
long until the server has closed every silent socket. Benchmarks print figures; nothing
passes or fails. Loopback only; it stops by itself."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.server import free_port, raise_fd_limit, rss_mb, stop_child  # noqa: E402

SILENT = 1100
WATCH_S = 75.0          # give up watching the silent sockets after this


def serve_child(db: str, port: int, cert: str, key: str) -> None:
    """The centre's server as `novbe serve` runs it (HTTPS when a certificate is given)."""
    from server.app import create_app
    from server.http.serving import ServeOptions, prepare, serve
    from shared.config.centre import load_config
    from shared.core.local_queue import LocalQueue

    config = load_config()
    options = prepare(ServeOptions("127.0.0.1", port, certfile=cert or None,
                                   keyfile=key or None))
    serve(create_app(LocalQueue(db, config), config, db_path=db, limits=options.limits),
          options)


def self_signed(folder: Path) -> tuple[str, str]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True, timeout=120)
    return str(cert), str(key)


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except BlockingIOError:
        return False


def run_one(tls: bool, folder: Path) -> dict:
    cert, key = self_signed(folder) if tls else ("", "")
    db = str(folder / f"queue-{'https' if tls else 'http'}.sqlite")
    port = free_port()
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=cert) if tls else True
    child = subprocess.Popen([sys.executable, __file__, "--serve-child", db, str(port),
                              cert, key])
    socks: list[socket.socket] = []
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/api/health", verify=verify, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        files_idle, rss_idle = open_files(child.pid), rss_mb(child.pid)
        started = time.monotonic()
        for _ in range(SILENT):
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                s.connect(("127.0.0.1", port))
            socks.append(s)
        time.sleep(1.0)                        # a second for the server to take them in
        held = [s for s in socks if not closed(s)]
        files, rss = open_files(child.pid), rss_mb(child.pid)
        t = time.perf_counter()
        try:
            health = httpx.get(f"{url}/api/health", verify=verify, timeout=30).status_code
        except httpx.HTTPError as exc:
            health = type(exc).__name__
        health_s = time.perf_counter() - t
        open_now = list(held)
        while open_now and time.monotonic() - started < WATCH_S:
            poll = select.poll()                # select() stops at file number 1024
            for s in open_now:
                poll.register(s, select.POLLIN)
            poll.poll(1000)
            open_now = [s for s in open_now if not closed(s)]
        return {"scheme": "https" if tls else "http", "silent": SILENT,
                "held_after_1s": len(held), "server_open_files_idle": files_idle,
                "server_open_files": files, "server_rss_idle_mb": round(rss_idle, 1),
                "server_rss_mb": round(rss, 1), "health": health,
                "health_s": round(health_s, 3),
                "all_closed_after_s": None if open_now else
                round(time.monotonic() - started, 1),
                "still_open_at_end": len(open_now)}
    finally:
        for s in socks:
            s.close()
        stop_child(child)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--serve-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_child:
        db, port, cert, key = args.serve_child
        serve_child(db, int(port), cert, key)
        return 0
    signal.alarm(600)
    raise_fd_limit()
    with tempfile.TemporaryDirectory(prefix="novbe-bench-silent-") as tmp:
        results = [run_one(True, Path(tmp)), run_one(False, Path(tmp))]
    if args.json:
        print(json.dumps(results))
        return 0
    for r in results:
        closed_after = (f"{r['all_closed_after_s']} s" if r["all_closed_after_s"] is not None
                        else f"{r['still_open_at_end']} still open after {WATCH_S:g} s")
        print(f"{r['scheme'].upper():<6} {r['silent']} silent sockets from one address")
        print(f"  held by the server after 1 s        {r['held_after_1s']}")
        print(f"  server open files idle / then       {r['server_open_files_idle']} / "
              f"{r['server_open_files']}")
        print(f"  server RSS idle / then              {r['server_rss_idle_mb']} / "
              f"{r['server_rss_mb']} MB")
        print(f"  a colleague's GET /api/health       {r['health']} in {r['health_s']} s")
        print(f"  every silent socket closed after    {closed_after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
