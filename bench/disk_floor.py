"""The smallest Next a queue could make, on this disk: one ticket row updated and one event
added (no secondary index, no rule) in a table of --rows rows, --commits of them back to back,
each flushed (WAL, synchronous=FULL), with the log copied into the file as the queue does it
(the queue's own checkpoint thread, shared/store/checkpoints.py: commits back to back leave it no
pause, so it copies every --every commits, by default the queue's cap; 0: never).

    .venv/bin/python bench/disk_floor.py [--dir DIR] [--every 1000] [--json]

Its p99 is the floor under any Next's p99 on the same disk (bench/queue_ops.py's call_next
rows; docs/architecture.md, Storage). Benchmarks print figures; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared.percentile import percentile_of  # noqa: E402
from shared.store import checkpoints  # noqa: E402


def build(db: Path, rows: int) -> None:
    """`rows` past tickets and three events each, bulk-written, then flushed to disk."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("CREATE TABLE tickets(id INTEGER PRIMARY KEY, status TEXT, at REAL, counter TEXT)")
    conn.execute("CREATE TABLE events(id INTEGER PRIMARY KEY, at REAL, kind TEXT, ticket INTEGER)")
    conn.execute("BEGIN")
    conn.execute(f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < "
                 f"{rows}) INSERT INTO tickets SELECT i, 'done', i, '20' FROM n")
    conn.execute(f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < "
                 f"{rows * 3}) INSERT INTO events SELECT i, i, 'finished', i / 3 FROM n")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    os.sync()       # the bulk write-back would otherwise share the disk with the commits timed


def run(db: Path, rows: int, commits: int, every: int) -> list[float]:
    """The seconds of each two-row Next."""
    writer = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    writer.execute("PRAGMA synchronous = FULL")
    writer.execute("PRAGMA busy_timeout = 5000")
    checkpoints.EVERY_COMMITS = every or commits + 1     # 0: no checkpoint in the run
    copier = checkpoints.Checkpointer(db, writer)        # also sets the writer's fallback
    lat = []
    try:
        for i in range(commits):
            ticket = rows - commits + i
            s = time.perf_counter()
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("UPDATE tickets SET status = 'called', at = ?, counter = '20' WHERE id = ?",
                           (time.time(), ticket))
            writer.execute("INSERT INTO events(at, kind, ticket) VALUES (?, 'called', ?)",
                           (time.time(), ticket))
            writer.execute("COMMIT")
            lat.append(time.perf_counter() - s)
            copier.committed()
    finally:
        copier.close()
        writer.close()
    return lat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", help="where to put the database (default: a temp dir)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--every", type=int, default=checkpoints.EVERY_COMMITS,
                        help="commits between checkpoints, as the queue's cap (0: none)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.rows < args.commits or args.commits < 1 or args.every < 0:
        parser.error("--commits must be at least 1 and at most --rows; --every 0 or more")
    with tempfile.TemporaryDirectory(prefix="novbe-floor-", dir=args.dir) as tmp:
        db = Path(tmp) / "floor.sqlite"
        build(db, args.rows)
        load = os.getloadavg()[0]
        lat = run(db, args.rows, args.commits, args.every)
    ms = [x * 1000 for x in lat]
    p50, p99 = percentile_of(ms, 0.5) or 0.0, percentile_of(ms, 0.99) or 0.0
    out = {"rows": args.rows, "commits": args.commits, "checkpoint_every": args.every,
           "load_avg": round(load, 2), "p50_ms": round(p50, 3), "p99_ms": round(p99, 3),
           "max_ms": round(max(ms), 3)}
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"Two-row Next, {args.rows:,} rows, {args.commits} commits back to back, checkpoint "
          f"every {args.every or 'never'} (load {out['load_avg']}):")
    print(f"  p50 {out['p50_ms']} ms   p99 {out['p99_ms']} ms   max {out['max_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
