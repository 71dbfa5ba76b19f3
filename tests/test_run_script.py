"""`./run`'s set-up of Debian packages: another apt or dpkg running makes it wait (saying so)
instead of failing with apt's raw lock error, exit 100 (issue 18, item 12)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _apt_get_of_run(tmp_path: Path, busy: bool, apt_exit: int = 0) -> subprocess.CompletedProcess:
    """Run `./run`'s own apt_get function with apt-get and pgrep replaced by recording stubs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/apt-args"\nexit {apt_exit}\n')
    (bin_dir / "pgrep").write_text(f"#!/bin/sh\nexit {0 if busy else 1}\n")
    for stub in bin_dir.iterdir():
        stub.chmod(0o755)
    script = ROOT / "run"
    text = script.read_text(encoding="utf-8")
    functions = "\n".join(line for line in text.split("\njob=", 1)[0].splitlines()
                          if not line.startswith(("set -", "cd ")))
    return subprocess.run(["bash", "-c", f'{functions}\nsudo=""\napt_get install -y sox'],
                          capture_output=True, text=True, timeout=30,
                          env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})


def test_apt_waits_for_another_apt_and_says_so(tmp_path: Path):
    """With another apt running, apt-get is asked to wait for the lock (10 minutes) and the
    set-up says it is waiting."""
    done = _apt_get_of_run(tmp_path, busy=True)
    assert done.returncode == 0, done.stderr
    assert "another apt or dpkg is running: waiting up to 10 minutes" in done.stderr
    args = (tmp_path / "apt-args").read_text()
    assert "-o DPkg::Lock::Timeout=600" in args and args.rstrip().endswith("install -y sox")


def test_apt_failing_after_the_wait_is_said_in_words(tmp_path: Path):
    """apt still failing (exit 100) ends the set-up with a sentence of what to do, exit 1."""
    done = _apt_get_of_run(tmp_path, busy=False, apt_exit=100)
    assert done.returncode == 1
    assert "waiting" not in done.stderr
    assert "apt-get install failed" in done.stderr and "run the same command again" in done.stderr
