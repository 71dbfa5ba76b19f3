"""Local mode: the board follows calls that another process commits to the same SQLite file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import MONDAY_10AM

CALLER = """
import sys
from shared.core.clock import FakeClock
from shared.config.centre import load_config
from shared.core.local_queue import LocalQueue
q = LocalQueue(sys.argv[1], load_config(), FakeClock(sys.argv[2]))
t = q.call_next(sys.argv[3])
print(t.code)
q.close()
"""


def test_board_sees_calls_from_another_process(qtbot, board, local_queue, sink) -> None:
    """A counter in another process calls a ticket; the board shows and announces it."""
    local_queue.issue("pensions.age")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", CALLER, str(local_queue.path), MONDAY_10AM, "5"],
                          capture_output=True, text=True, cwd=root, timeout=60, check=True)
    code = proc.stdout.strip()
    qtbot.waitUntil(lambda: (board.poll() or True) and board.state.newest is not None, timeout=5000)
    assert (board.state.newest.code, board.state.newest.counter) == (code, "5")
    qtbot.waitUntil(lambda: sink.labels == [f"{code} → 5"], timeout=10000)


def test_zone_board_shows_only_its_counters(qtbot, db_path, config, clock) -> None:
    """A board limited to a zone shows and announces only the calls of that zone's counters."""
    import dataclasses

    from board.controller import BoardController
    from shared.core.feed import LocalFeed
    from shared.core.local_queue import LocalQueue

    counters = tuple(dataclasses.replace(c, zone="hall-2" if c.id in ("4", "5") else c.zone)
                     for c in config.counters)
    zoned = dataclasses.replace(config, counters=counters)
    local_queue = LocalQueue(db_path, zoned, clock)
    board = BoardController(local_queue, zoned, LocalFeed(local_queue, local_queue.path),
                            zone="hall-2")
    board.start()
    local_queue.issue("pensions.age")
    local_queue.issue("employment.job-seeker")
    local_queue.call_next("1")
    t = local_queue.call_next("4")
    qtbot.waitUntil(lambda: (board.poll() or True) and board.state.newest is not None, timeout=3000)
    assert board.state.newest.code == t.code and board.state.recent == []
    assert {w.prefix for w in board.state.waiting} == {"B"}  # counters 4 and 5 serve pensions only
    board.close()
    local_queue.close()
