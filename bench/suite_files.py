"""Where the whole test suite's time goes, file by file and worker by worker.

    NOVBE_SUITE_TIMELINE=/tmp/t.jsonl ./run tests -p bench.suite_files   # record a run
    .venv/bin/python bench/suite_files.py /tmp/t.jsonl                   # print the figures

Recording: a pytest plugin that writes, in the run's first process (the xdist controller), one
JSON line per test phase (setup, call, teardown): its node id, the worker that ran it, start,
stop and duration. The report prints each worker's busy and idle seconds, the files that took
longest (their seconds summed over phases, when each started and finished, on which worker),
the files that finished last (the run's tail) and a `FILE_SECONDS` table to paste into
tests/file_order.py, which hands the longest files out first."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_rows: list[dict] = []


def pytest_runtest_logreport(report: Any) -> None:
    """One row per phase; the worker is the xdist node that sent the report."""
    gateway = getattr(getattr(report, "node", None), "gateway", None)
    _rows.append({"id": report.nodeid, "when": report.when, "start": report.start,
                  "stop": report.stop, "duration": report.duration,
                  "worker": getattr(gateway, "id", None) or "main", "outcome": report.outcome})


def pytest_sessionfinish(session: Any) -> None:
    """The controller (or a run without xdist) writes the rows; workers send theirs to it."""
    out = os.environ.get("NOVBE_SUITE_TIMELINE")
    if out and not hasattr(session.config, "workerinput"):
        Path(out).write_text("".join(json.dumps(r) + "\n" for r in _rows), encoding="utf-8")


@dataclass
class FileTime:
    seconds: float = 0.0
    start: float = float("inf")
    stop: float = 0.0
    tests: int = 0
    workers: set[str] = field(default_factory=set)


def per_file(rows: list[dict]) -> dict[str, FileTime]:
    """Each file's phases summed, with its first start and last stop from the run's start."""
    t0 = min(r["start"] for r in rows)
    files: dict[str, FileTime] = defaultdict(FileTime)
    for r in rows:
        f = files[r["id"].split("::")[0]]
        f.seconds += r["duration"]
        f.start = min(f.start, r["start"] - t0)
        f.stop = max(f.stop, r["stop"] - t0)
        f.tests += r["when"] == "call"
        f.workers.add(r["worker"])
    return files


def report(rows: list[dict], top: int) -> str:
    t0 = min(r["start"] for r in rows)
    end = max(r["stop"] for r in rows) - t0
    busy: dict[str, float] = defaultdict(float)
    last: dict[str, float] = defaultdict(float)
    for r in rows:
        busy[r["worker"]] += r["duration"]
        last[r["worker"]] = max(last[r["worker"]], r["stop"] - t0)
    lines = [f"first test to last: {end:.0f} s; tests' seconds summed: {sum(busy.values()):.0f}"]
    for w in sorted(busy):
        lines.append(f"  {w}: busy {busy[w]:.0f} s, done at {last[w]:.0f} s, "
                     f"idle {last[w] - busy[w]:.0f} s before that, {end - last[w]:.0f} s after")
    files = per_file(rows)

    def row(name: str, f: FileTime) -> str:
        return (f"{f.seconds:8.1f} {f.start:6.0f} {f.stop:6.0f} {f.tests:5d}  "
                f"{','.join(sorted(f.workers)):5}  {name}")

    head = f"{'seconds':>8} {'start':>6} {'stop':>6} {'tests':>5}  {'on':5}  file"
    lines += ["", f"the {top} longest files", head]
    lines += [row(n, f) for n, f in sorted(files.items(), key=lambda kv: -kv[1].seconds)[:top]]
    lines += ["", "the 12 files that finished last", head]
    lines += [row(n, f) for n, f in sorted(files.items(), key=lambda kv: -kv[1].stop)[:12]]
    folders: dict[str, float] = defaultdict(float)
    for name, f in files.items():
        folders["/".join(name.split("/")[:2])] += f.seconds
    lines += ["", "by folder: " + ", ".join(f"{k} {v:.0f} s" for k, v in
                                          sorted(folders.items(), key=lambda kv: -kv[1]))]
    lines += ["", "FILE_SECONDS = {"]
    lines += [f'    "{n}": {f.seconds:.0f},' for n, f in
              sorted(files.items(), key=lambda kv: -kv[1].seconds) if f.seconds >= 10]
    lines += ["}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("timeline", type=Path, help="the JSON lines a recorded run wrote")
    p.add_argument("--top", type=int, default=30, help="how many of the longest files to list")
    a = p.parse_args(argv)
    rows = [json.loads(line) for line in a.timeline.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        r.setdefault("duration", r.get("dur", 0.0))
    if not rows:
        print(f"{a.timeline}: no tests recorded", file=sys.stderr)
        return 1
    print(report(rows, a.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
