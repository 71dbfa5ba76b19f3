"""SQLite's locks survive the header check: another process closing its last connection must
not take the file for unused and reset the WAL under this process's live connections."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from shared.store import database as store
from tests.conftest import MONDAY_10AM

OTHER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE"); conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
conn.execute("COMMIT")
print(conn.execute("SELECT count(*) FROM events").fetchone()[0])
conn.close()      # the last connection of this process: SQLite checkpoints if it may
"""


def test_header_check_keeps_this_process_locks(tmp_path: Path, config: CentreConfig) -> None:
    """After the header check of a file this process has open (a second component opening the
    same queue file), another process's last close leaves this process's view intact."""
    path = tmp_path / "q.sqlite"
    queue = LocalQueue(path, config, FakeClock(MONDAY_10AM))
    try:
        for _ in range(30):
            queue.issue("labour")
        store.check_header(path)             # what every store.connect does first
        done = subprocess.run([sys.executable, "-c", OTHER, str(path)], capture_output=True,
                              text=True, timeout=60, check=True)
        assert int(done.stdout) == queue.last_event_id()
        queue.issue("labour")                # this process writes and reads on as before
        assert len(queue.events(0, 1000)) == queue.last_event_id() == int(done.stdout) + 1
    finally:
        queue.close()
