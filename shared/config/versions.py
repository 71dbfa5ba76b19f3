"""The config's versions. For reports: the centre's config as reports need it (names, targets,
time zone), as a canonical JSON body keyed by its hash; each version is recorded once in the
queue file, from the first event it applies to, so the central copy can name services and
counters as they were. For devices: the version of everything a device of a role reads
(device_version) — the server serves it, a device reports it in its heartbeat, the fleet page
compares the two."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from shared.config.centre import CentreConfig, config_document
from shared.config.per_config import PerConfig

PIN_READERS = frozenset({"kiosk"})   # the roles sent the kiosk's staff PIN
_DEVICES: PerConfig[str] = PerConfig()


@dataclass(frozen=True)
class ConfigVersion:
    """One recorded version of the centre's config."""

    hash: str
    from_event_id: int
    recorded_at: float
    body: str


def report_body(config: CentreConfig) -> dict[str, Any]:
    """What reports read from a config: the centre, categories, services (with their target
    and usual service time), priority classes and counters, each with its names; and for a
    centre that takes bookings, its opening hours and `[bookings]` section, which say what the
    national desk may book there (a centre without bookings ships the same body as before)."""
    body: dict[str, Any] = {
        "centre": {"id": config.centre_id, "names": config.names, "timezone": config.timezone,
                   "day_reset_hour": config.day_reset_hour},
        "categories": [{"id": c.id, "prefix": c.prefix, "names": c.names}
                       for c in config.categories],
        "services": [{"id": s.id, "category": s.category, "prefix": s.prefix, "names": s.names,
                      "target_wait_min": s.target_wait_min, "service_min": s.service_min}
                     for s in config.services.values()],
        "priorities": [{"id": p.id, "rank": p.rank, "names": p.names} for p in config.priorities],
        "counters": [{"id": c.id, "names": c.names, "services": list(c.services), "zone": c.zone}
                     for c in config.counters],
    }
    if config.bookings.enabled:
        document = config_document(config)
        body["hours"] = document["hours"]
        body["bookings"] = document["bookings"]
        body["sms_reminders"] = config.sms is not None     # the national desk says so
    return body


def canonical(config: CentreConfig) -> tuple[str, str]:
    """(hash, body): the report body as canonical JSON and its SHA-256."""
    body = json.dumps(report_body(config), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest(), body


def reads_staff_pin(role: str | None) -> bool:
    """Whether a device of `role` is sent the kiosk's staff PIN with its config."""
    return role in PIN_READERS


def device_version(config: CentreConfig, role: str | None) -> str:
    """A short hash of the config document a device of `role` reads (without [central]; the
    staff PIN for kiosks only): the server's config and a device's copy of it give the same
    version, and any change a device would see — hours, services, texts, a kiosk's PIN — gives
    a new one. Computed once per config and role."""
    pin = reads_staff_pin(role)

    def made() -> str:
        body = json.dumps(config_document(config, device=True, staff_pin=pin), sort_keys=True,
                          ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()[:16]
    return _DEVICES.get(config, pin, made)


def record(conn: sqlite3.Connection, config: CentreConfig, at: float) -> ConfigVersion:
    """Record the config as the version in force from the next event on, unless the latest
    recorded version is this one already. One short BEGIN IMMEDIATE write."""
    digest, body = canonical(config)
    conn.execute("BEGIN IMMEDIATE")
    try:
        latest = conn.execute("SELECT hash, from_event_id, recorded_at, body FROM config_versions "
                              "ORDER BY from_event_id DESC, recorded_at DESC LIMIT 1").fetchone()
        if latest is not None and latest[0] == digest:
            conn.execute("COMMIT")
            return ConfigVersion(*latest)
        first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0]
        # A version seen before and back again gets a second row: it applies anew from here.
        conn.execute("INSERT OR REPLACE INTO config_versions(hash, from_event_id, recorded_at, "
                     "body) VALUES (?, ?, ?, ?)", (digest, first, at, body))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return ConfigVersion(digest, first, at, body)


def versions(conn: sqlite3.Connection) -> list[ConfigVersion]:
    """Every recorded version, oldest first."""
    return [ConfigVersion(*r) for r in conn.execute(
        "SELECT hash, from_event_id, recorded_at, body FROM config_versions "
        "ORDER BY from_event_id, recorded_at")]
