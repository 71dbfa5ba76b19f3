"""Which devices are there: each kiosk, board and counter PC says so every HEARTBEAT_S seconds
on the link it already holds (its queue: the file, or the server's API), with what IT needs to
see — version, screen, printer and paper, audio, the config it runs. A device not heard from
for OFFLINE_AFTER_S raises a `device_offline` alert (an event, so consoles and the manager's
view show it like an empty printer); its next heartbeat clears it with `device_online`.

Heartbeats update one row per device (not an event each: ten devices would add 20,000 events
a day for boards to follow); only the changes of presence are events."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from shared.core.queue_tx import Tx

HEARTBEAT_S = 20
# Two heartbeats missed and 5 s to spare: with the server's watch every 10 s a device that
# stops is shown offline at most 55 s later (it stopped right after a heartbeat at worst).
OFFLINE_AFTER_S = 45
STATE_KEYS = ("screen", "printer", "paper", "audio", "config_version")
MAX_TEXT = 80


@dataclass(frozen=True)
class DeviceSeen:
    """A device as its last heartbeat told it."""

    source: str
    role: str
    version: str
    last_seen: float
    state: dict[str, str] = field(default_factory=dict)
    online: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "role": self.role, "version": self.version,
                "last_seen": self.last_seen, "state": self.state, "online": self.online}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceSeen:
        return cls(data["source"], data["role"], data["version"], float(data["last_seen"]),
                   dict(data.get("state") or {}), bool(data.get("online", True)))


def clean_state(state: dict[str, Any] | None) -> dict[str, str]:
    """The known keys only, as short strings (a heartbeat is input like any other)."""
    return {k: str(state[k])[:MAX_TEXT] for k in STATE_KEYS
            if state and state.get(k) not in (None, "")}


def _last_presence(tx: Tx, source: str) -> str | None:
    row = tx.one("SELECT kind FROM events WHERE source = ? AND kind IN "
                 "('device_offline', 'device_online') ORDER BY id DESC LIMIT 1", (source,))
    return row["kind"] if row else None


def record(tx: Tx, source: str, role: str, version: str, state: dict[str, Any] | None,
           at: float) -> bool:
    """Store one heartbeat; a device back after an offline alert gets `device_online` (True)."""
    tx.conn.execute(
        "INSERT INTO devices_seen(source, role, version, last_seen, state) VALUES (?,?,?,?,?) "
        "ON CONFLICT(source) DO UPDATE SET role = excluded.role, version = excluded.version, "
        "last_seen = excluded.last_seen, state = excluded.state",
        (source, role, version[:MAX_TEXT], at, json.dumps(clean_state(state), sort_keys=True)))
    if _last_presence(tx, source) == "device_offline":
        tx.event("device_online", None, source=source, message=f"heard again ({role})")
        return True
    return False


def sweep(tx: Tx, now: float, after_s: float = OFFLINE_AFTER_S) -> list[str]:
    """Raise `device_offline` for each device silent for `after_s` (once); returns them."""
    gone = []
    for row in tx.rows("SELECT source, role, last_seen FROM devices_seen WHERE last_seen < ?",
                       (now - after_s,)):
        if _last_presence(tx, row["source"]) != "device_offline":
            seen = time.strftime("%H:%M:%S", time.localtime(row["last_seen"]))
            tx.event("device_offline", None, source=row["source"],
                     message=f"{row['role']} not heard from since {seen}")
            gone.append(row["source"])
    return gone


def read_all(tx: Tx) -> list[DeviceSeen]:
    """Every device that ever sent a heartbeat, by name, with whether it counts as online."""
    found = []
    for row in tx.rows("SELECT source, role, version, last_seen, state FROM devices_seen "
                       "ORDER BY source"):
        found.append(DeviceSeen(row["source"], row["role"], row["version"], row["last_seen"],
                                json.loads(row["state"] or "{}"),
                                _last_presence(tx, row["source"]) != "device_offline"))
    return found
