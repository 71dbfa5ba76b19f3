"""Benchmark of a colleague's sign-in while 20 addresses flood the sign-in form with wrong
passwords (3 in flight from each, ever-new names), on the centre's server.

    .venv/bin/python bench/sign_in.py              # prints a table
    .venv/bin/python bench/sign_in.py --json       # prints one JSON object
    .venv/bin/python bench/sign_in.py --addresses 8 --sign-ins 3

The server runs as `novbe serve` does (server.http.serving.serve, 127.0.0.1, a free port, a
temporary database, the per-address connection cap as shipped) in its own process; the flood
comes from 127.0.0.2 … 127.0.0.21 (loopback source addresses, all this machine), the colleague
from 127.0.0.1. The colleague first signs in once with no flood (what one check costs on this
machine now); the flood then runs until its addresses have had two wrong passwords each on
average, or for WARM_S seconds (the attack under way); then the colleague signs in
--sign-ins times, one after another, each with a fresh connection (60 s allowed each).
Figures: the colleague's sign-in seconds alone and under the flood (each, median, worst), the
flood's answers by status, the server's peak memory. Each scrypt check takes about a second
of a core here, and the flood's clients share the two cores. Benchmarks
print figures; nothing passes or fails. Loopback only; it stops by itself."""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.server import cpu_model, free_port, rss_mb, stop_child  # noqa: E402
from tests.server.flood import SignInFlood, flood_addresses  # noqa: E402

PASSWORD = "bench-password-1"
DEADLINE_S = 600
WARM_FAILURES = 2         # wrong passwords per flooding address before the colleague starts
WARM_S = 90.0             # … or this long of flood, whichever comes first


def serve_child(db: str, port: int) -> None:
    """The centre's server as `novbe serve` runs it, over the bench's database."""
    from server.app import create_app
    from server.http.serving import ServeOptions, prepare, serve
    from shared.config.centre import load_config
    from shared.core.local_queue import LocalQueue

    config = load_config()
    options = prepare(ServeOptions("127.0.0.1", port))
    serve(create_app(LocalQueue(db, config), config, db_path=db, limits=options.limits),
          options)


def run(addresses: int, sign_ins: int) -> dict:
    from server.auth.accounts import Accounts

    with tempfile.TemporaryDirectory(prefix="novbe-bench-sign-in-") as tmp:
        db = str(Path(tmp) / "queue.sqlite")
        accounts = Accounts(db)
        accounts.add_staff("colleague", PASSWORD)
        accounts.close()
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        child = subprocess.Popen([sys.executable, __file__, "--serve-child", db, str(port)])
        peak = [0.0]
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.2):
                try:
                    peak[0] = max(peak[0], rss_mb(child.pid))
                except (OSError, ValueError):
                    return
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{url}/api/health", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            idle = rss_mb(child.pid)
            threading.Thread(target=watch, daemon=True).start()
            seconds: list[float] = []
            with httpx.Client(base_url=url, timeout=60) as colleague:
                started = time.perf_counter()
                colleague.post("/counter/login", data={"username": "colleague",
                                                       "password": PASSWORD})
                alone = time.perf_counter() - started
            warm_started = time.monotonic()
            with SignInFlood(url, "/counter/login", flood_addresses(addresses)) as flood:
                flood.wait_for(lambda: flood.answers["401"] >= addresses * WARM_FAILURES
                               or time.monotonic() - warm_started > WARM_S, seconds=WARM_S + 5)
                warm_s = time.monotonic() - warm_started
                codes: list[int | str] = []
                for _ in range(sign_ins):
                    with httpx.Client(base_url=url, timeout=60) as colleague:
                        started = time.perf_counter()
                        try:
                            codes.append(colleague.post("/counter/login", data={
                                "username": "colleague", "password": PASSWORD}).status_code)
                        except httpx.HTTPError as exc:      # gave up after 60 s
                            codes.append(type(exc).__name__)
                        seconds.append(time.perf_counter() - started)
            done.set()
            return {"cpu_model": cpu_model(), "cpus": os.cpu_count(),
                    "load_average_1min": round(os.getloadavg()[0], 2),
                    "addresses": addresses, "in_flight_per_address": 3,
                    "warm_up_s": round(warm_s, 1), "sign_in_alone_s": round(alone, 2),
                    "sign_in_s": [round(s, 2) for s in seconds],
                    "sign_in_median_s": round(statistics.median(seconds), 2),
                    "sign_in_worst_s": round(max(seconds), 2), "sign_in_codes": codes,
                    "flood_answers": dict(flood.answers),
                    "server_rss_idle_mb": round(idle, 1), "server_rss_peak_mb": round(peak[0], 1)}
        finally:
            done.set()
            stop_child(child)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--addresses", type=int, default=20, help="flooding addresses (20)")
    parser.add_argument("--sign-ins", type=int, default=5, help="the colleague's sign-ins (5)")
    parser.add_argument("--serve-child", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_child:
        serve_child(args.serve_child[0], int(args.serve_child[1]))
        return 0
    signal.alarm(DEADLINE_S)
    f = run(args.addresses, args.sign_ins)
    if args.json:
        print(json.dumps(f))
        return 0
    rows = [("machine", f"{f['cpu_model']}, {f['cpus']} CPUs; load average {f['load_average_1min']}"),
            ("flood", f"{f['addresses']} addresses × {f['in_flight_per_address']} in flight, "
                      f"wrong passwords; warmed up in {f['warm_up_s']} s"),
            ("colleague's sign-in, no flood", f"{f['sign_in_alone_s']} s"),
            ("colleague's sign-in each (s)", ", ".join(map(str, f["sign_in_s"]))
             + f"  (answers {f['sign_in_codes']})"),
            ("colleague's sign-in median / worst", f"{f['sign_in_median_s']} / "
                                                   f"{f['sign_in_worst_s']} s"),
            ("flood answers", ", ".join(f"{k}: {v}" for k, v in sorted(f["flood_answers"].items()))),
            ("server RSS idle / peak", f"{f['server_rss_idle_mb']} / {f['server_rss_peak_mb']} MB")]
    for name, value in rows:
        print(f"{name:<38} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
