"""The B-trees a write touches: a counter's Next writes no page of the devices' index nor of the
counter's row, and every device look-up still finds its events through that index (never a
scan of the whole log)."""

from __future__ import annotations

import re
import sqlite3
import struct
from pathlib import Path

from shared.core.local_queue import LocalQueue
from shared.store import checkpoints

PAGE = 4096
FRAME_HEADER = 24
NEXT_BTREES = {"tickets", "idx_tickets_waiting", "idx_tickets_waiting_service", "idx_tickets_open",
               "idx_tickets_at_counter", "events", "idx_events_ticket", "idx_events_at"}
BY_KIND_AND_DEVICE = re.compile(r"FROM events \w*\s*WHERE (?=.*\bkind\b)(?=.*\bsource\b)")


def _pages_written(wal: Path, since: int) -> list[int]:
    """The page numbers of the log frames written after byte `since` of the -wal file."""
    data = wal.read_bytes()[since:]
    step = FRAME_HEADER + PAGE
    return [struct.unpack(">I", data[k:k + 4])[0] for k in range(0, len(data) - step + 1, step)]


def _btree_of(db: Path) -> dict[int, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT pageno, name FROM dbstat"))


def test_a_next_writes_no_page_of_the_device_index(local_queue: LocalQueue, monkeypatch):
    """A Next at an open counter writes only the B-trees a Next needs (its tickets and events):
    not the devices' index (its events carry no device; an issue from a kiosk, which names its
    device, is in it), nor the counter's row (its mode and staff are unchanged)."""
    monkeypatch.setattr(checkpoints, "QUIET_S", 3600)   # no copy may start the log over meanwhile
    for _ in range(3):
        local_queue.issue("pensions.age", source="kiosk-1")
    local_queue.call_next("20")
    wal = Path(f"{local_queue.path}-wal")
    before = wal.stat().st_size
    local_queue.call_next("20")
    written = {_btree_of(local_queue.path).get(p, "?") for p in _pages_written(wal, before)}
    assert {"events", "tickets"} <= written <= NEXT_BTREES
    before = wal.stat().st_size
    local_queue.issue("pensions.age", source="kiosk-1")
    assert "idx_events_device" in {_btree_of(local_queue.path).get(p, "?")
                                   for p in _pages_written(wal, before)}


def test_device_look_ups_use_the_device_index(local_queue: LocalQueue):
    """Presence, alerts, help requests and the kiosks' printers read the log by kind and
    device through the partial index: each statement's plan names it and none scans events."""
    statements: list[str] = []
    local_queue.db.conn.set_trace_callback(statements.append)
    local_queue._reader().conn.set_trace_callback(statements.append)
    local_queue.report_device("kiosk-1", "printer_paper_out", "paper out")
    local_queue.report_device("kiosk-1", "help_requested")
    local_queue.heartbeat("kiosk-1", "kiosk", "1.0", {})
    local_queue.sweep_devices(after_s=-1)
    local_queue.heartbeat("kiosk-1", "kiosk", "1.0", {})
    local_queue.acknowledge_help("kiosk-1", "aysel")
    assert local_queue.kiosk_printers() == ["kiosk-1"]
    assert [a.kind for a in local_queue.snapshot().alerts] == ["printer_paper_out"]
    by_kind = [s for s in statements if BY_KIND_AND_DEVICE.search(s)]
    assert len(by_kind) >= 5
    with sqlite3.connect(local_queue.path) as conn:
        for sql in by_kind:
            plan = " | ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "idx_events_device" in plan, (sql, plan)
            assert "SCAN events" not in plan and "SCAN e " not in plan, (sql, plan)


def test_the_old_kind_index_is_replaced(local_queue: LocalQueue):
    """After m015 the file has the partial device index and no whole-log kind index."""
    with sqlite3.connect(local_queue.path) as conn:
        indexes = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                    "AND tbl_name = 'events'"))
    assert "idx_events_kind" not in indexes
    assert indexes["idx_events_device"].endswith("WHERE source IS NOT NULL")
