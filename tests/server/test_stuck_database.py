"""A database held by another process for 15 s does not freeze the server: /api/health and
staff session look-ups answer while writes wait, and account writes give up with a clear 503
after a short wait instead of holding a thread for 10 s."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.server.live import LiveServer

JOB = "employment.job-seeker"
HOLD = """
import select, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("held", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))   # until told to let go, or at most that
conn.execute("ROLLBACK")
print("released", flush=True)
"""


def hold_database(db: Path, seconds: float) -> subprocess.Popen:
    """Another process takes the database's write lock for `seconds` at most: release() lets
    go once the test has seen what it must see while the lock is held."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def release(holder: subprocess.Popen) -> None:
    """The other process lets go of the write lock (closing its input wakes it) and exits."""
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(30) == 0


def test_health_and_session_look_ups_answer_while_writes_wait(server: LiveServer):
    """With the write lock held elsewhere, 30 counter actions wait in their own lane and a
    sign-in gives up with 503 QueueUnavailable, while /api/health and a signed-in console page
    answer — all before the other process lets go."""
    server.queue.issue(JOB)
    staff = server.staff_client("rauf", counter="2")
    holder = hold_database(server.db_path, 15)
    try:
        counter_pc = httpx.Client(base_url=server.url, timeout=120, headers={
            "Authorization": f"Bearer {server.counter_token}"})
        with ThreadPoolExecutor(32) as pool, counter_pc:
            writes = [pool.submit(counter_pc.post, "/api/counters/1/recall")
                      for _ in range(30)]
            signing_in = pool.submit(httpx.post, f"{server.url}/counter/login",
                                     data={"username": "aysel",
                                           "password": "aysel-secret-1"}, timeout=30)
            with httpx.Client(base_url=server.url, timeout=30) as anyone:
                assert anyone.get("/api/health").json()["ok"] is True
            console = staff.get("/counter", headers={"Accept": "text/html"})
            assert console.status_code == 200 and 'name="csrf"' in console.text
            signed_in = signing_in.result()
            assert holder.poll() is None, "the answers came only after the lock was freed"
            assert signed_in.status_code == 503, signed_in.text
            assert signed_in.json()["error"] == "QueueUnavailable"
            release(holder)
            for write in writes:        # the lane's writes go through once the lock is free
                write.result()
    finally:
        release(holder)
        staff.close()


def test_board_reads_while_another_process_writes(server: LiveServer):
    """WAL lets a board read while another process holds the write lock: its snapshot and
    events answer before the lock is freed."""
    server.queue.issue(JOB)
    holder = hold_database(server.db_path, 15)
    try:
        with server.device_client("board") as board:
            snapshot = board.get("/api/snapshot")
            events = board.get("/api/events", params={"after_id": 0})
            assert holder.poll() is None
        release(holder)
        assert snapshot.status_code == 200 and snapshot.json()["services"]
        assert events.status_code == 200 and events.json()[0]["kind"] in ("day_started",
                                                                           "issued")
    finally:
        release(holder)
