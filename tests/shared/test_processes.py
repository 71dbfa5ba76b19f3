"""Real processes on one database file: counters racing for tickets, and a kill -9 mid-stream."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from shared.core.clock import FakeClock
from shared.core.errors import NoTicketWaiting
from shared.core.local_queue import LocalQueue
from tests.shared.workers import MONDAY_10AM, counter_worker

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
ROUNDS = 150


def test_four_processes_issue_and_call_on_one_file(tmp_path, config):
    """4 processes on one fresh file: codes unique, no ticket called twice, none lost."""
    db = tmp_path / "shared.sqlite"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    outs = [tmp_path / f"worker-{i}.json" for i in range(PROCESSES)]
    procs = [ctx.Process(target=counter_worker, args=(str(db), i, ROUNDS, barrier, str(outs[i])))
             for i in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    results = [json.loads(o.read_text()) for o in outs]

    issued = [t for r in results for t in r["issued"]]
    called_by_workers = [tid for r in results for tid in r["called"]]
    assert len(issued) == PROCESSES * ROUNDS
    assert len({(t["day"], t["code"]) for t in issued}) == len(issued), "a code was issued twice"
    assert len(set(called_by_workers)) == len(called_by_workers), "two counters got one ticket"

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT id, code, service_day, status FROM tickets").fetchall()
        assert sorted(r[0] for r in rows) == sorted(t["id"] for t in issued), "a ticket was lost"
        dupes = conn.execute("SELECT service_day, code FROM tickets GROUP BY service_day, code "
                             "HAVING count(*) > 1").fetchall()
        assert dupes == []
        calls = Counter(r[0] for r in conn.execute(
            "SELECT ticket_id FROM events WHERE kind = 'called'"))
        assert max(calls.values()) == 1, "a ticket was called more than once"
        assert set(calls) == set(called_by_workers)
        issued_events = Counter(r[0] for r in conn.execute(
            "SELECT ticket_id FROM events WHERE kind = 'issued'"))
        assert set(issued_events) == {r[0] for r in rows} and max(issued_events.values()) == 1
        status = Counter(r[3] for r in rows)
        assert status["waiting"] == len(rows) - len(calls)
        twice = conn.execute("SELECT name FROM _sqlite_migrations GROUP BY migration_set, name "
                             "HAVING count(*) > 1").fetchall()
        assert twice == [], "a migration was applied more than once"
    finally:
        conn.close()
    q = LocalQueue(db, config, FakeClock(MONDAY_10AM))
    try:
        holders = [c.ticket.id for c in q.snapshot().counters if c.ticket]
        assert len(holders) == len(set(holders))
    finally:
        q.close()


def _start_stream(db: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "tests.shared.workers", "stream", str(db)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_kill_9_mid_stream_loses_no_committed_ticket(tmp_path, config):
    """kill -9 mid-stream: file sound, no code repeats, every printed code is stored."""
    db = tmp_path / "crash.sqlite"
    printed: list[str] = []
    for kill_after in (40, 75, 120):
        proc = _start_stream(db)
        for seen, line in enumerate(proc.stdout, 1):
            printed.append(line.strip())
            if seen >= kill_after:
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.stdout.close()
        assert proc.wait(timeout=30) == -signal.SIGKILL

        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            codes = [r[0] for r in conn.execute("SELECT code FROM tickets WHERE service_day = ?",
                                                ("2026-11-23",))]
            assert len(codes) == len(set(codes)), "a code was issued twice"
            missing = set(printed) - set(codes)
            assert not missing, f"printed but lost: {sorted(missing)}"
            orphans = conn.execute("SELECT count(*) FROM tickets t WHERE NOT EXISTS "
                                   "(SELECT 1 FROM events e WHERE e.ticket_id = t.id "
                                   "AND e.kind = 'issued')").fetchone()[0]
            assert orphans == 0, "a ticket without its event"
        finally:
            conn.close()
    # The queue opens normally afterwards and numbering carries on.
    q = LocalQueue(db, config, FakeClock(MONDAY_10AM))
    try:
        t = q.issue("labour")
        assert t.code not in printed
    finally:
        q.close()


def test_threads_sharing_one_queue_never_share_a_ticket(local_queue, db_path, config, clock):
    """Threads on one LocalQueue plus a second connection never share a ticket."""
    import threading

    other = LocalQueue(db_path, config, clock)
    for i in range(120):
        (local_queue if i % 2 else other).issue("employment.job-seeker")
    got: dict[str, list[int]] = {c: [] for c in ("1", "2", "3", "20")}
    start = threading.Barrier(len(got))

    def press_next(counter: str, q: LocalQueue) -> None:
        start.wait()
        while True:
            try:
                got[counter].append(q.call_next(counter).id)
            except NoTicketWaiting:
                return

    threads = [threading.Thread(target=press_next, args=(c, local_queue if i % 2 else other))
               for i, c in enumerate(got)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    other.close()
    called = [tid for ids in got.values() for tid in ids]
    assert len(called) == 120 and len(set(called)) == 120
    assert Counter(e.kind for e in local_queue.events(0, limit=10_000))["called"] == 120
