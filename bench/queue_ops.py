"""Benchmark of the queue's core operations on a real file database (WAL, synchronous=FULL).

    .venv/bin/python bench/queue_ops.py            # prints a table
    .venv/bin/python bench/queue_ops.py --json     # prints one JSON object
    .venv/bin/python bench/queue_ops.py --quick    # smaller runs, for a smoke test

Figures:
  issue_per_s            issues per second, one process (target >= 1,000/s)
  threads_*              8 threads of one process issuing at once: issues/s, p50/p99, and
                         writes per commit (group commit: writes that meet share one flush)
  mixed_*                issue + call_next alternating in 4 processes on one file: ops/s and
                         per-operation p50/p99 latency (target p99 < 10 ms)
  call_next_*            call_next latency with an empty history vs 1,000,000 past tickets
                         (target: within 2x); the big history is bulk-inserted with plain SQL.
                         call_next_raw_1m_*: a Next as plain SQL (finish, call the first
                         waiting, two events, the counter's row) on the same 1M file, in turn
                         with the queue's: the floor this disk and schema put under any Next
                         while the queue copies its log into the file (checkpoints).
                         call_next_raw_alone_1m_*: the same raw Next with the queue closed and
                         no checkpoint at all (the log left to grow): the disk's floor alone.
  disk_flush_*           one 12 KB append and fdatasync in the same folder: what a durable
                         commit (synchronous=FULL) waits on at least.
  issue_*, snapshot_*, day_change_*   the same comparison for issuing, the board's snapshot and
                         the first write of a new service day (which expires the old one).
  long_*                 with --waiting people waiting (default 1,500) and 10 counters each in a
                         visit: issues per second against a raw-SQLite issue (the same row and
                         event in one BEGIN IMMEDIATE) on a copy of the same file, the two in
                         turn so that both meet the same load (target >= 0.5 of it), and the board's snapshot p50, unchanged queue and read
                         after every issue (target <= 2 ms at 1,000 waiting); SQL statements and
                         this thread's CPU per op, which the machine's load hardly moves.
Benchmarks print figures; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import long_queue  # noqa: E402
from shared.config.centre import load_config  # noqa: E402
from shared.core.clock import FakeClock, SystemClock  # noqa: E402
from shared.core.errors import NoTicketWaiting  # noqa: E402
from shared.core.local_queue import LocalQueue  # noqa: E402
from shared.percentile import percentile_of  # noqa: E402
from shared.store import database as store  # noqa: E402

SERVICES = ("employment.job-seeker", "employment.unemployment", "labour", "pensions.age",
            "benefits.child", "social-legal")
MIXED_COUNTERS = ("1", "2", "3", "20")
MIXED_SERVICES = ("employment.job-seeker", "employment.unemployment", "labour")




def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def statements(q: LocalQueue, op: Callable[[], object]) -> int:
    """SQL statements one operation runs on the queue's writer and this thread's reader
    (sqlite3's trace callback): what a write costs, whatever the machine's load."""
    seen: list[str] = []
    conns = (q.writer.conn, q._reader().conn)
    for conn in conns:
        conn.set_trace_callback(seen.append)
    try:
        op()
    finally:
        for conn in conns:
            conn.set_trace_callback(None)
    return len(seen)


# ---- one process: issues per second ------------------------------------------------------------
def bench_issue(workdir: Path, n: int) -> dict:
    """n tickets in a row, one service of each category in turn (a prefix has at most 999 open
    codes: a code still waiting is never handed out again)."""
    cfg = load_config()
    spread = [cat.services[0].id for cat in cfg.categories]
    q = LocalQueue(workdir / "issue.sqlite", cfg, SystemClock())
    try:
        q.issue(spread[0])  # the first write of the day does the day's bookkeeping
        start = time.perf_counter()
        for i in range(n):
            q.issue(spread[i % len(spread)])
        elapsed = time.perf_counter() - start
    finally:
        q.close()
    return {"issue_n": n, "issue_per_s": round(n / elapsed, 1), "issue_mean_ms": ms(elapsed / n)}


# ---- one process, several threads: group commit -----------------------------------------------
def bench_threads(workdir: Path, threads: int, per_thread: int) -> dict:
    """`threads` threads of one process issuing at once (a server taking kiosks' and counters'
    requests): writes that meet share one commit, so fewer disk flushes than writes."""
    cfg = load_config()
    spread = [cat.services[0].id for cat in cfg.categories]
    q = LocalQueue(workdir / "threads.sqlite", cfg, SystemClock())
    q.issue(spread[0])
    before = (q.writer.changes, q.writer.commits)
    latencies: list[list[float]] = [[] for _ in range(threads)]
    gate = threading.Barrier(threads)

    def work(k: int) -> None:
        gate.wait()
        for i in range(per_thread):
            s = time.perf_counter()
            q.issue(spread[(k + i * threads) % len(spread)])
            latencies[k].append(time.perf_counter() - s)
    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    after = (q.writer.changes, q.writer.commits)
    q.close()
    lat = [x for per in latencies for x in per]
    changes, commits = after[0] - before[0], after[1] - before[1]
    return {"threads": threads, "threads_issue_per_s": round(len(lat) / elapsed, 1),
            "threads_p50_ms": ms(percentile_of(lat, 0.5)), "threads_p99_ms": ms(percentile_of(lat, 0.99)),
            "threads_writes_per_commit": round(changes / max(1, commits), 2)}


# ---- four processes: issue + call_next ---------------------------------------------------------
def _mixed_worker(db: str, index: int, ops: int, barrier, out: str) -> None:
    q = LocalQueue(db, load_config(), SystemClock())
    counter = MIXED_COUNTERS[index % len(MIXED_COUNTERS)]
    latencies: list[float] = []
    barrier.wait()
    t0 = time.perf_counter()
    for i in range(ops):
        s = time.perf_counter()
        if i % 2 == 0:
            q.issue(MIXED_SERVICES[(i // 2 + index) % len(MIXED_SERVICES)])
        else:
            with contextlib.suppress(NoTicketWaiting):
                q.call_next(counter)
        latencies.append(time.perf_counter() - s)
    t1 = time.perf_counter()
    q.close()
    Path(out).write_text(json.dumps({"start": t0, "end": t1, "lat": latencies}))


def bench_mixed(workdir: Path, processes: int, ops: int) -> dict:
    db = workdir / "mixed.sqlite"
    LocalQueue(db, load_config(), SystemClock()).close()  # create the schema first
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    outs = [workdir / f"mixed-{i}.json" for i in range(processes)]
    procs = [ctx.Process(target=_mixed_worker, args=(str(db), i, ops, barrier, str(outs[i])))
             for i in range(processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    if any(p.exitcode != 0 for p in procs):
        raise SystemExit("a mixed worker failed")
    results = [json.loads(o.read_text()) for o in outs]
    lat = [x for r in results for x in r["lat"]]
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return {"mixed_processes": processes, "mixed_ops": len(lat),
            "mixed_ops_per_s": round(len(lat) / wall, 1),
            "mixed_p50_ms": ms(percentile_of(lat, 0.5)), "mixed_p99_ms": ms(percentile_of(lat, 0.99)),
            "mixed_p999_ms": ms(percentile_of(lat, 0.999)), "mixed_max_ms": ms(max(lat)),
            "mixed_over_100ms": sum(x > 0.1 for x in lat)}


# ---- call_next with an empty vs a big history ---------------------------------------------------
def build_history(db: Path, tickets: int) -> float:
    """Bulk-insert `tickets` finished tickets of past days (3 events each) with plain SQL."""
    store.connect(db).conn.close()  # the real schema, migrated
    start = time.perf_counter()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    today = datetime.now(UTC)
    first_day = (today - timedelta(days=731)).replace(hour=6, minute=0, second=0, microsecond=0)
    per_day = max(1, tickets // 730)
    conn.execute("BEGIN")
    conn.execute(f"""
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {tickets}),
        svc(k, id) AS (SELECT key, value FROM json_each(?))
        INSERT INTO tickets(code, prefix, number, service, issued_service, priority, priority_rank, language,
                            source, token, status, service_day, issued_at, queued_at, called_at,
                            started_at, finished_at, counter, outcome, recalls, transfers)
        SELECT 'A-' || printf('%03d', (i / {len(SERVICES)}) % 999 + 1), 'A', (i / {len(SERVICES)}) % 999 + 1,
               svc.id, svc.id, NULL, 1000, 'az', 'bench', hex(randomblob(16)), 'done',
               date(? + (i / {per_day}) * 86400, 'unixepoch'),
               ? + (i / {per_day}) * 86400 + (i % {per_day}) * 20,
               ? + (i / {per_day}) * 86400 + (i % {per_day}) * 20,
               ? + (i / {per_day}) * 86400 + (i % {per_day}) * 20 + 180,
               ? + (i / {per_day}) * 86400 + (i % {per_day}) * 20 + 200,
               ? + (i / {per_day}) * 86400 + (i % {per_day}) * 20 + 620,
               '20', 'served', 0, 0
        FROM n JOIN svc ON svc.k = i % {len(SERVICES)}
    """, (json.dumps(SERVICES), *[first_day.timestamp()] * 6))
    conn.execute("""
        INSERT INTO events(at, kind, ticket_id, code, service, counter, source)
        SELECT issued_at, 'issued', id, code, service, NULL, 'bench' FROM tickets
        UNION ALL SELECT called_at, 'called', id, code, service, counter, NULL FROM tickets
        UNION ALL SELECT finished_at, 'finished', id, code, service, counter, NULL FROM tickets
    """)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - start


def measure_history_ops(db: Path, n: int) -> dict[str, list[float]]:
    """On one database: issue n tickets, then time n presses of Next at counter 20 (serves all),
    n board snapshots, and the first write of three new service days (the day change)."""
    cfg = load_config()
    os.sync()   # the bulk build's write-back (hundreds of MB) would share the disk with the ops
    s = time.perf_counter()
    q = LocalQueue(db, cfg, SystemClock())
    lat: dict[str, list[float]] = {"issue": [], "call_next": [], "snapshot": [], "day_change": [],
                                   "open": [time.perf_counter() - s]}   # incl. its integrity check
    try:
        for i in range(n):
            s = time.perf_counter()
            q.issue(SERVICES[i % len(SERVICES)])
            lat["issue"].append(time.perf_counter() - s)
        raw = long_queue.raw_connection(db)
        raw.execute("PRAGMA wal_autocheckpoint = 0")    # checkpoints left to the queue's thread
        lat["call_next_raw"] = []
        for i in range(n):      # the queue's Next and a raw-SQL Next (the floor) in turn
            s = time.perf_counter()
            q.call_next("20")
            lat["call_next"].append(time.perf_counter() - s)
            s = time.perf_counter()
            long_queue.raw_next(raw, "19")
            lat["call_next_raw"].append(time.perf_counter() - s)
            for k in (i, i + 1):                  # as many waiting after as before: both
                q.issue(SERVICES[k % len(SERVICES)])  # called, two issued
        raw.close()
        q.issue(SERVICES[0])
        lat["call_next_statements"] = [statements(q, lambda: q.call_next("20"))]
        for _ in range(n):
            s = time.perf_counter()
            q.snapshot()
            lat["snapshot"].append(time.perf_counter() - s)
    finally:
        q.close()
    raw = long_queue.raw_connection(db)     # the queue closed: no checkpoint, the log grows
    raw.execute("PRAGMA wal_autocheckpoint = 0")
    lat["call_next_raw_alone"] = []
    for _ in range(n):                      # n of the waiting tickets left by the loop above
        s = time.perf_counter()
        long_queue.raw_next(raw, "19")
        lat["call_next_raw_alone"].append(time.perf_counter() - s)
    raw.close()
    clock = FakeClock(datetime.now(UTC))
    q = LocalQueue(db, cfg, clock)
    try:
        for _ in range(3):
            clock.advance(hours=24)
            s = time.perf_counter()
            q.issue(SERVICES[0])
            lat["day_change"].append(time.perf_counter() - s)
    finally:
        q.close()
    return lat


def disk_flush(folder: Path, n: int) -> list[float]:
    """n appends of 12 KB (a Next's few log pages), each followed by fdatasync: the wait under
    any durable commit on this disk."""
    lat = []
    with tempfile.NamedTemporaryFile(dir=folder) as f:
        block = os.urandom(12 * 1024)
        for _ in range(n):
            s = time.perf_counter()
            os.write(f.fileno(), block)
            os.fdatasync(f.fileno())
            lat.append(time.perf_counter() - s)
    return lat


def bench_history(workdir: Path, history: int, n: int) -> dict:
    empty = measure_history_ops(workdir / "empty.sqlite", n)
    big_db = workdir / "history.sqlite"
    build_s = build_history(big_db, history)
    big = measure_history_ops(big_db, n)
    out = {"history_tickets": history, "history_build_s": round(build_s, 1),
           "history_db_mb": round(big_db.stat().st_size / 1e6, 1), "history_ops_n": n}
    for op in ("call_next", "issue", "snapshot", "day_change"):
        out[f"{op}_empty_p50_ms"] = ms(statistics.median(empty[op]))
        out[f"{op}_1m_p50_ms"] = ms(statistics.median(big[op]))
        if op == "call_next":
            out["call_next_empty_p99_ms"] = ms(percentile_of(empty[op], 0.99))
            out["call_next_1m_p99_ms"] = ms(percentile_of(big[op], 0.99))
            out["call_next_raw_1m_p50_ms"] = ms(statistics.median(big["call_next_raw"]))
            out["call_next_raw_1m_p99_ms"] = ms(percentile_of(big["call_next_raw"], 0.99))
            alone = big["call_next_raw_alone"]
            out["call_next_raw_alone_1m_p50_ms"] = ms(statistics.median(alone))
            out["call_next_raw_alone_1m_p99_ms"] = ms(percentile_of(alone, 0.99))
    flush = disk_flush(workdir, max(n, 500))
    out["disk_flush_p50_ms"] = ms(statistics.median(flush))
    out["disk_flush_p99_ms"] = ms(percentile_of(flush, 0.99))
    out["call_next_statements"] = big["call_next_statements"][0]
    out["open_empty_ms"] = ms(empty["open"][0])
    out["open_1m_ms"] = ms(big["open"][0])
    out["call_next_ratio_p50"] = round(out["call_next_1m_p50_ms"] / out["call_next_empty_p50_ms"], 2)
    return out


# ---- a long queue: issuing and the board's snapshot -------------------------------------------
def bench_long_queue(workdir: Path, waiting: int, n: int) -> dict:
    """Issue n tickets into a queue with `waiting` people waiting and 10 counters at work, against
    n raw-SQLite issues into a copy of the same file; the board's snapshot n times unchanged and
    once after each of n issues."""
    import shutil

    cfg = load_config()
    db = workdir / "long.sqlite"
    long_queue.fill(db, cfg, waiting)
    raw_db = workdir / "long-raw.sqlite"
    shutil.copy(db, raw_db)
    conn = long_queue.raw_connection(raw_db)
    raw: list[float] = []
    q = LocalQueue(db, cfg, SystemClock())
    lat: dict[str, list[float]] = {"issue": [], "snapshot": [], "snapshot_after_issue": []}
    try:
        q.snapshot()
        for _ in range(n):
            s = time.perf_counter()
            q.snapshot()
            lat["snapshot"].append(time.perf_counter() - s)
        cpu = {"raw": 0.0, "issue": 0.0, "snapshot": 0.0}   # this thread's CPU: load aside
        for i in range(n):      # raw and real issues in turn: both meet the same machine load
            s, c = time.perf_counter(), time.thread_time()
            long_queue.raw_issue(conn, i)
            raw.append(time.perf_counter() - s)
            cpu["raw"] += time.thread_time() - c
            s, c = time.perf_counter(), time.thread_time()
            q.issue(long_queue.SERVICES[i % len(long_queue.SERVICES)])
            lat["issue"].append(time.perf_counter() - s)
            cpu["issue"] += time.thread_time() - c
        issue_statements = statements(q, lambda: q.issue(long_queue.SERVICES[0]))
        snapshot_statements = statements(q, q.snapshot)     # right after that issue
        for i in range(n):
            q.issue(long_queue.SERVICES[i % len(long_queue.SERVICES)])
            s, c = time.perf_counter(), time.thread_time()
            q.snapshot()
            lat["snapshot_after_issue"].append(time.perf_counter() - s)
            cpu["snapshot"] += time.thread_time() - c
    finally:
        q.close()
        conn.close()
    issue_per_s, raw_per_s = n / sum(lat["issue"]), n / sum(raw)
    return {"long_waiting": waiting, "long_n": n, "long_raw_issue_per_s": round(raw_per_s, 1),
            "long_issue_per_s": round(issue_per_s, 1),
            "long_issue_vs_raw": round(issue_per_s / raw_per_s, 2),
            "long_issue_p50_ms": ms(statistics.median(lat["issue"])),
            "long_raw_issue_p50_ms": ms(statistics.median(raw)),
            "long_issue_statements": issue_statements,
            "long_raw_issue_cpu_ms": ms(cpu["raw"] / n), "long_issue_cpu_ms": ms(cpu["issue"] / n),
            "long_snapshot_after_issue_statements": snapshot_statements,
            "long_snapshot_after_issue_cpu_ms": ms(cpu["snapshot"] / n),
            "long_snapshot_p50_ms": ms(statistics.median(lat["snapshot"])),
            "long_snapshot_after_issue_p50_ms": ms(statistics.median(lat["snapshot_after_issue"]))}


ROWS = [
    ("issues / s, one process", "issue_per_s", ">= 1000"),
    ("issue, mean ms", "issue_mean_ms", ""),
    ("issues / s, 8 threads of one process", "threads_issue_per_s", ""),
    ("  p50 / p99 ms", ("threads_p50_ms", "threads_p99_ms"), ""),
    ("  writes per commit (group commit)", "threads_writes_per_commit", ""),
    ("mixed ops / s, 4 processes", "mixed_ops_per_s", ""),
    ("mixed p50 ms", "mixed_p50_ms", ""),
    ("mixed p99 ms", "mixed_p99_ms", "< 10"),
    ("mixed p99.9 ms", "mixed_p999_ms", ""),
    ("mixed max ms", "mixed_max_ms", ""),
    ("mixed ops over 100 ms", "mixed_over_100ms", ""),
    ("call_next p50 ms, empty history", "call_next_empty_p50_ms", ""),
    ("call_next p99 ms, empty history", "call_next_empty_p99_ms", ""),
    ("call_next p50 ms, 1M past tickets", "call_next_1m_p50_ms", ""),
    ("call_next p99 ms, 1M past tickets", "call_next_1m_p99_ms", "< 2"),
    ("call_next p50 / p99 ms, raw SQL on the 1M file (floor)",
     ("call_next_raw_1m_p50_ms", "call_next_raw_1m_p99_ms"), ""),
    ("call_next p50 / p99 ms, raw SQL alone, no checkpoint",
     ("call_next_raw_alone_1m_p50_ms", "call_next_raw_alone_1m_p99_ms"), ""),
    ("disk flush p50 / p99 ms (12 KB + fdatasync)", ("disk_flush_p50_ms", "disk_flush_p99_ms"), ""),
    ("call_next 1M / empty (p50)", "call_next_ratio_p50", "<= 2"),
    ("call_next SQL statements (counter 20)", "call_next_statements", ""),
    ("issue p50 ms, empty / 1M", ("issue_empty_p50_ms", "issue_1m_p50_ms"), ""),
    ("snapshot p50 ms, empty / 1M", ("snapshot_empty_p50_ms", "snapshot_1m_p50_ms"), ""),
    ("day change (1st write) ms, empty / 1M", ("day_change_empty_p50_ms", "day_change_1m_p50_ms"), ""),
    ("open the file ms (incl. integrity check), empty / 1M", ("open_empty_ms", "open_1m_ms"), ""),
    ("history build s (bulk SQL)", "history_build_s", ""),
    ("LONG QUEUE: people waiting, 10 counters busy", "long_waiting", ""),
    ("  raw-SQLite issues / s (same file)", "long_raw_issue_per_s", ""),
    ("  issues / s", "long_issue_per_s", ""),
    ("  issue / raw issue", "long_issue_vs_raw", ">= 0.5"),
    ("  issue p50 ms, raw / ours", ("long_raw_issue_p50_ms", "long_issue_p50_ms"), ""),
    ("  issue SQL statements (reader + writer)", "long_issue_statements", ""),
    ("  issue CPU ms (this thread), raw / ours", ("long_raw_issue_cpu_ms", "long_issue_cpu_ms"), ""),
    ("  snapshot p50 ms, unchanged queue", "long_snapshot_p50_ms", "<= 2"),
    ("  snapshot p50 ms, after each issue", "long_snapshot_after_issue_p50_ms", "<= 2"),
    ("  snapshot after an issue: SQL statements", "long_snapshot_after_issue_statements", ""),
    ("  snapshot after an issue: CPU ms (this thread)", "long_snapshot_after_issue_cpu_ms", ""),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="small runs (smoke test)")
    parser.add_argument("--issues", type=int, default=3000)
    parser.add_argument("--mixed-ops", type=int, default=2000, help="operations per process")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8, help="threads issuing in one process")
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--dir", help="where to put the database files (default: a temp dir)")
    parser.add_argument("--waiting", type=int, default=1500, help="people waiting (long queue)")
    parser.add_argument("--long-ops", type=int, default=200, help="ops of each kind, long queue")
    parser.add_argument("--only-long", action="store_true", help="only the long-queue figures")
    args = parser.parse_args(argv)
    if args.quick:
        args.issues, args.mixed_ops, args.history, args.calls = 300, 200, 20_000, 100

    with tempfile.TemporaryDirectory(prefix="novbe-bench-", dir=args.dir) as tmp:
        workdir = Path(tmp)
        result = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                  "cpus": os.cpu_count(), "synchronous": "FULL", "journal_mode": "WAL",
                  "load_avg_start": round(os.getloadavg()[0], 2)}
        if not args.only_long:
            result |= bench_issue(workdir, args.issues)
            result |= bench_threads(workdir, args.threads, max(1, args.issues // args.threads))
            result |= bench_mixed(workdir, args.processes, args.mixed_ops)
            result |= bench_history(workdir, args.history, args.calls)
        result |= bench_long_queue(workdir, args.waiting, args.long_ops)
        result["load_avg_end"] = round(os.getloadavg()[0], 2)

    if args.json:
        print(json.dumps(result))
        return 0
    print(f"Növbə queue benchmark — Python {result['python']}, SQLite {result['sqlite']}, "
          f"{result['cpus']} CPUs, file DB, WAL, synchronous=FULL")
    print(f"{'figure':<38} {'value':>13}  target")
    print("-" * 61)
    for label, key, target in ROWS:
        if any(k not in result for k in (key if isinstance(key, tuple) else (key,))):
            continue
        value = " / ".join(str(result[k]) for k in key) if isinstance(key, tuple) else result[key]
        print(f"{label:<38} {value:>13}  {target}")
    if not args.only_long:
        print(f"({result['issue_n']} issues; {result['mixed_ops']} mixed ops in "
              f"{result['mixed_processes']} processes; {result['history_ops_n']} of each op on "
              f"each history; {result['history_tickets']:,} past tickets, "
              f"{result['history_db_mb']} MB)")
    print(f"(long queue: {result['long_n']} of each op; load average {result['load_avg_start']:.1f} "
          f"at the start, {result['load_avg_end']:.1f} at the end, on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
