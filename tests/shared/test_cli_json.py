"""`novbe … --json` writes pure JSON on stdout, for every command that has --json (piped into
`python -c 'json.load(sys.stdin)'` as a script would), and a reader that stops early (`| head`)
ends the command quietly, without a traceback."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOAD = f"{shlex.quote(sys.executable)} -c 'import json, sys; json.dump(json.load(sys.stdin), sys.stdout)'"


def piped(db: Path, args: str, reader: str = LOAD) -> subprocess.CompletedProcess:
    """`python -m novbe --db DB ARGS | READER` in bash with pipefail."""
    novbe = f"{shlex.quote(sys.executable)} -m novbe --db {shlex.quote(str(db))}"
    return subprocess.run(["bash", "-o", "pipefail", "-c", f"{novbe} {args} | {reader}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ})


def test_every_json_command_is_pure_json(tmp_path):
    """Each --json command in the order a counter works — issue (and print), call, recall,
    start, finish, transfer, no-show, status, services — pipes into json.load."""
    db = tmp_path / "q.sqlite"
    previews = tmp_path / "tickets"
    commands = [
        f"issue pensions.age --json --print preview://{previews}",
        "issue pensions.age --lang ru --json",
        "issue pensions.age --json",
        "call 4 --json",
        "recall 4 --json",
        "start 4 --json",
        "finish 4 --json",
        "call 4 --json",
        "transfer 4 benefits.child --json",
        "call 5 --json",
        "no-show 5 --json",
        "status --json",
        "services --json",
    ]
    for command in commands:
        done = piped(db, command)
        assert done.returncode == 0, (command, done.stderr)
        json.loads(done.stdout)  # what json.load read, written back
    printed = piped(db, f"issue pensions.age --json --print preview://{previews}", "cat")
    assert json.loads(printed.stdout)["code"] == "B-004"
    assert "printed B-004" in printed.stderr  # the note for the person goes to stderr
    assert list(previews.glob("*.png"))


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`novbe services --json | head -1`, and a reader gone before the first byte (`| true`):
    the command stops quietly, as Unix tools do (exit 141 = SIGPIPE), no traceback."""
    done = piped(tmp_path / "q.sqlite", "services --json", "head -1")
    assert done.stdout.strip() == "["
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    gone = piped(tmp_path / "q.sqlite", "services --json", "true")  # exits before novbe writes
    assert "Traceback" not in gone.stderr and "BrokenPipeError" not in gone.stderr, gone.stderr
    assert gone.returncode in (0, 141)
