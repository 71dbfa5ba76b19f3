"""Code that runs in other processes during the tests: counter workers and an issuing stream.

Run as a script (`python -m tests.shared.workers stream DB`) it issues tickets forever and prints
each code once its transaction has committed, for the crash-safety test to kill mid-stream.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from shared.config.centre import load_config
from shared.core.clock import FakeClock
from shared.core.errors import NoTicketWaiting
from shared.core.local_queue import LocalQueue

# Monday 23 November 2026, 10:00 in Baku: every process agrees on the service day.
MONDAY_10AM = "2026-11-23T06:00:00+00:00"
SERVICES = ("employment.job-seeker", "employment.unemployment", "labour")
COUNTERS = ("1", "2", "3", "20")  # all four serve employment; 3 and 20 serve labour too


def counter_worker(db: str, index: int, rounds: int, barrier: Any, out: str) -> None:
    """Open the (maybe fresh) database together with the others, then issue and call in turns."""
    barrier.wait()
    q = LocalQueue(db, load_config(), FakeClock(MONDAY_10AM))
    rng = random.Random(index)
    counter = COUNTERS[index % len(COUNTERS)]
    issued: list[dict[str, Any]] = []
    called: list[int] = []
    try:
        for _ in range(rounds):
            t = q.issue(rng.choice(SERVICES), source=f"worker-{index}")
            issued.append({"id": t.id, "code": t.code, "day": t.service_day})
            if rng.random() < 0.9:
                with contextlib.suppress(NoTicketWaiting):
                    called.append(q.call_next(counter).id)
    finally:
        q.close()
    Path(out).write_text(json.dumps({"issued": issued, "called": called}))


def console_worker(db: str, index: int, rounds: int, barrier: Any, out: str) -> None:
    """A staff console at counter 1: look at the counter, then press Next with the code seen
    (`expect`); record (seen, called) for every Next that went through."""
    from shared.core.errors import CounterChanged

    barrier.wait()
    q = LocalQueue(db, load_config(), FakeClock(MONDAY_10AM))
    done: list[list[str]] = []
    refused = 0
    try:
        for _ in range(rounds):
            state = q.counter_state("1")
            seen = state.ticket.code if state.ticket else ""
            try:
                done.append([seen, q.call_next("1", expect=seen).code])
            except CounterChanged:
                refused += 1
            except NoTicketWaiting:
                pass
    finally:
        q.close()
    Path(out).write_text(json.dumps({"done": done, "refused": refused}))


def issue_with_request(db: str, request_id: str, barrier: Any, out: str) -> None:
    """A kiosk's retry of one issue request (same request id) from another process."""
    barrier.wait()
    q = LocalQueue(db, load_config(), FakeClock(MONDAY_10AM))
    try:
        t = q.issue("employment.job-seeker", source="kiosk-retry", request_id=request_id)
    finally:
        q.close()
    Path(out).write_text(json.dumps({"id": t.id, "code": t.code}))


def stream(db: str) -> None:
    """Issue tickets one after another, printing each committed code on its own line."""
    q = LocalQueue(db, load_config(), FakeClock(MONDAY_10AM))
    print("ready", flush=True)
    i = 0
    while True:
        t = q.issue(SERVICES[i % len(SERVICES)], source="stream")
        print(t.code, flush=True)
        i += 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["stream"]:
        stream(sys.argv[2])
    else:
        sys.exit(f"usage: {sys.argv[0]} stream DB")
