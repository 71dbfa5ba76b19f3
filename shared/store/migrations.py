"""The queue database's schema as append-only sqlite-utils migrations, m001_… onwards."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("novbe")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("tickets").create({
        "id": int, "code": str, "prefix": str, "number": int, "service": str,
        "priority": str, "priority_rank": int, "language": str, "source": str,
        "token": str, "status": str, "service_day": str,
        "issued_at": float, "queued_at": float, "called_at": float, "started_at": float,
        "finished_at": float, "counter": str, "staff": str, "outcome": str,
        "recalls": int, "transfers": int, "rating": int,
    }, pk="id", not_null={"code", "prefix", "number", "service", "token", "status",
                          "service_day", "issued_at", "queued_at", "priority_rank"},
       defaults={"recalls": 0, "transfers": 0, "language": "az"})
    db.execute("CREATE UNIQUE INDEX idx_tickets_token ON tickets(token)")
    db.execute("CREATE INDEX idx_tickets_day_code ON tickets(service_day, code)")
    db.execute("CREATE INDEX idx_tickets_waiting ON tickets(priority_rank, queued_at, id) "
               "WHERE status = 'waiting'")
    db.execute("CREATE INDEX idx_tickets_waiting_service ON tickets(service, priority_rank, queued_at, id) "
               "WHERE status = 'waiting'")
    db.execute("CREATE INDEX idx_tickets_open ON tickets(service_day) "
               "WHERE status IN ('waiting', 'called', 'serving')")
    db.execute("CREATE INDEX idx_tickets_finished ON tickets(service, finished_at) "
               "WHERE status = 'done'")
    db.execute("CREATE INDEX idx_tickets_day_service ON tickets(service_day, service)")
    db.table("sequences").create({"service_day": str, "prefix": str, "last": int},
                           pk=("service_day", "prefix"))
    db.table("counters").create({"id": str, "state": str, "staff": str, "ticket_id": int,
                           "updated_at": float}, pk="id",
                          foreign_keys=[("ticket_id", "tickets", "id")])
    db.table("events").create({"id": int, "at": float, "kind": str, "ticket_id": int,
                         "counter": str, "staff": str, "source": str, "details": str}, pk="id",
                        not_null={"at", "kind"}, foreign_keys=[("ticket_id", "tickets", "id")])
    db.execute("CREATE INDEX idx_events_ticket ON events(ticket_id)")
    db.execute("CREATE INDEX idx_events_at ON events(at)")
    db.table("devices").create({"source": str, "state": str, "message": str, "at": float}, pk="source")
    db.table("meta").create({"key": str, "value": str}, pk="key")


@migrations()
def m002_server_accounts(db: sqlite_utils.Database) -> None:
    """Staff accounts, device tokens and sign-in sessions of the server (issue 6)."""
    db.table("staff").create({"name": str, "password_hash": str, "created_at": float,
                        "updated_at": float}, pk="name", not_null={"password_hash"})
    db.table("device_tokens").create({"name": str, "token_hash": str, "created_at": float},
                               pk="name", not_null={"token_hash"})
    db.execute("CREATE UNIQUE INDEX idx_device_tokens_hash ON device_tokens(token_hash)")
    db.table("sessions").create({"id_hash": str, "staff": str, "csrf": str, "counter": str,
                           "created_at": float, "expires_at": float}, pk="id_hash",
                          not_null={"staff", "csrf", "expires_at"},
                          foreign_keys=[("staff", "staff", "name")])


@migrations()
def m003_device_roles_and_issue_requests(db: sqlite_utils.Database) -> None:
    """Device tokens get a role (existing ones: kiosk); the request ids of remote issues, so a
    kiosk retrying an issue gets its first ticket back instead of a second one."""
    db.table("device_tokens").add_column("role", str, not_null_default="kiosk")
    db.table("issue_requests").create({"request_id": str, "service_day": str, "ticket_id": int,
                                 "token": str, "created_at": float}, pk="request_id",
                                not_null={"service_day", "ticket_id", "token"})
    db.execute("CREATE INDEX idx_issue_requests_day ON issue_requests(service_day)")


@migrations()
def m004_events_keep_their_facts(db: sqlite_utils.Database) -> None:
    """Events carry the ticket's code and service as they were when they happened; a ticket
    keeps the service it was issued for (the daily cap counts that) and the kiosk's request id
    (idempotent issue, inside the issuing transaction); a counter's visitor is read from the
    tickets alone (counters.ticket_id, the devices table and issue_requests were second copies
    of facts the tickets and the event log hold)."""
    db.table("events").add_column("code", str)
    db.table("events").add_column("service", str)
    db.table("tickets").add_column("issued_service", str)
    db.table("tickets").add_column("request_id", str)
    _replay_services(db)
    db.execute("UPDATE tickets SET issued_service = coalesce(issued_service, service)")
    db.execute("""UPDATE tickets SET request_id = (SELECT r.request_id FROM issue_requests r
                  WHERE r.ticket_id = tickets.id)""")
    db.execute("CREATE UNIQUE INDEX idx_tickets_request ON tickets(service_day, request_id) "
               "WHERE request_id IS NOT NULL")
    db.execute("CREATE INDEX idx_tickets_day_issued_service ON tickets(service_day, issued_service)")
    db.execute("CREATE INDEX idx_tickets_at_counter ON tickets(counter) "
               "WHERE status IN ('called', 'serving')")
    db.execute("CREATE INDEX idx_events_kind ON events(kind, source, id)")
    db["issue_requests"].drop()
    db["devices"].drop()
    # Rebuilt by hand: sqlite-utils' transform() commits on its own, inside our transaction.
    db.execute("CREATE TABLE counters_new (id TEXT PRIMARY KEY, state TEXT, staff TEXT, "
               "updated_at FLOAT)")
    db.execute("INSERT INTO counters_new SELECT id, state, staff, updated_at FROM counters")
    db.execute("DROP TABLE counters")
    db.execute("ALTER TABLE counters_new RENAME TO counters")


@migrations()
def m006_staff_roles(db: sqlite_utils.Database) -> None:
    """Staff have a role: counter (every existing account) or manager (the manager's view and
    reports, per-staff figures)."""
    db.table("staff").add_column("role", str, not_null_default="counter")


def _replay_services(db: sqlite_utils.Database) -> None:
    """Fill events.code/service for the history written before m004: the issued event's
    service, changed by each transfer, replayed in event order per ticket."""
    current: dict[int, tuple[str, str]] = {}
    tickets = {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, code, service FROM tickets")}
    updates: list[tuple[Any, ...]] = []
    for eid, tid, kind, details in db.execute(
            "SELECT id, ticket_id, kind, details FROM events WHERE ticket_id IS NOT NULL ORDER BY id"):
        info = json.loads(details) if details else {}
        code, service = current.get(tid) or tickets.get(tid, (None, None))
        if kind == "issued":
            service = info.get("service", service)
        elif kind == "transferred":
            service = info.get("from_service", service)
        updates.append((code, service, eid))
        if kind == "transferred" and info.get("to_service"):
            service = info["to_service"]
        current[tid] = (code, service)
    db.conn.executemany("UPDATE events SET code = ?, service = ? WHERE id = ?", updates)


@migrations()
def m007_central_config_versions(db: sqlite_utils.Database) -> None:
    """The centre's config as it was (names of services, categories, counters; targets; time
    zone), one row per version keyed by its hash and the first event it applies to: shipped
    beside the event log so the central copy can name what the events name (issue 14)."""
    db.table("config_versions").create({"hash": str, "from_event_id": int, "recorded_at": float,
                                  "body": str}, pk=("hash", "from_event_id"),
                                 not_null={"from_event_id", "recorded_at", "body"})


@migrations()
def m008_devices_seen(db: sqlite_utils.Database) -> None:
    """Each device's last heartbeat (version, screen, printer, audio, config in use): one row
    per device, updated in place; changes of presence are events (device_offline/online)."""
    db.table("devices_seen").create({"source": str, "role": str, "version": str,
                                     "last_seen": float, "state": str}, pk="source",
                                    not_null={"role", "version", "last_seen"})


@migrations()
def m009_file_generation(db: sqlite_utils.Database) -> None:
    """The queue file's identity (issue 24): a generation that `novbe restore` and a copied file
    renew, so the facts cache and the central copy never mix two histories whose event ids
    repeat. A file that already has a history keeps the generation '' (as the central copy
    named what it shipped before); a new file gets a fresh one. The file's device and inode
    are noted on first opening (shared/store/identity.py)."""
    has_history = db.execute("SELECT 1 FROM events LIMIT 1").fetchone() is not None
    db.execute("CREATE TABLE file_generation (only INTEGER PRIMARY KEY CHECK (only = 1), "
               "generation TEXT NOT NULL, device INTEGER, inode INTEGER, since FLOAT)")
    db.execute("INSERT INTO file_generation VALUES (1, ?, NULL, NULL, NULL)",
               ("" if has_history else uuid.uuid4().hex,))


@migrations()
def m010_recalled_at(db: sqlite_utils.Database) -> None:
    """When a called ticket was last recalled: the walk-up that decides what Next records
    counts from the last call or recall (README, the queue rules)."""
    db.table("tickets").add_column("recalled_at", float)


@migrations()
def m011_bookings(db: sqlite_utils.Database) -> None:
    """Appointments (issue 20): one row per booking, never deleted (history kept; names and
    phones erased after the slot), its code unique among the open bookings of the centre and
    its request id unique (a replayed request returns the same booking); a ticket given at
    check-in keeps its slot's start (`tickets.slot_at`, NULL for walk-ins) for the call order."""
    db.execute("""CREATE TABLE bookings (
        id TEXT PRIMARY KEY, centre TEXT NOT NULL, service TEXT NOT NULL,
        slot_start FLOAT NOT NULL, code TEXT NOT NULL, lang TEXT NOT NULL,
        channel TEXT NOT NULL, made_by TEXT NOT NULL, status TEXT NOT NULL,
        name TEXT, phone TEXT, created_at FLOAT NOT NULL, updated_at FLOAT NOT NULL,
        ticket TEXT, ticket_id INTEGER REFERENCES tickets(id), request_id TEXT)""")
    db.execute("CREATE UNIQUE INDEX idx_bookings_open_code ON bookings(centre, code) "
               "WHERE status = 'booked'")
    db.execute("CREATE INDEX idx_bookings_code ON bookings(code)")
    db.execute("CREATE UNIQUE INDEX idx_bookings_request ON bookings(request_id) "
               "WHERE request_id IS NOT NULL")
    db.execute("CREATE INDEX idx_bookings_slot ON bookings(service, slot_start)")
    db.execute("CREATE INDEX idx_bookings_open ON bookings(slot_start) WHERE status = 'booked'")
    db.table("tickets").add_column("slot_at", float)


@migrations()
def m012_counter_profiles(db: sqlite_utils.Database) -> None:
    """Work profiles (issue 22): the profile a counter was switched to (by staff or the
    manager), the one its last call ran (`applied`, so a scheduled switch is told once) and its
    recent quota turns; the manager's scheduled switches ("lunch cover 12:30–14:00")."""
    db.execute("CREATE TABLE counter_profiles (counter TEXT PRIMARY KEY, profile TEXT, "
               "since FLOAT, staff TEXT, applied TEXT, turns TEXT NOT NULL DEFAULT '')")
    db.execute("CREATE TABLE profile_schedule (id INTEGER PRIMARY KEY, counter TEXT NOT NULL, "
               "profile TEXT NOT NULL, starts_at FLOAT NOT NULL, ends_at FLOAT NOT NULL, "
               "staff TEXT, made_at FLOAT NOT NULL, cancelled INTEGER NOT NULL DEFAULT 0)")
    db.execute("CREATE INDEX idx_profile_schedule_counter ON profile_schedule(counter, ends_at)")


@migrations()
def m013_sms_outbox(db: sqlite_utils.Database) -> None:
    """Booking reminders by SMS (issue 20): one row per booking and kind (on booking, the day
    before, an hour before) with its text in the booking's language, when it is due and its
    delivery state; the phone and text are erased with the booking's personal data."""
    db.execute("""CREATE TABLE sms_outbox (
        id INTEGER PRIMARY KEY, booking_id TEXT NOT NULL, kind TEXT NOT NULL,
        phone TEXT NOT NULL, body TEXT NOT NULL, due_at FLOAT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at FLOAT NOT NULL DEFAULT 0, last_error TEXT, sent_at FLOAT,
        UNIQUE (booking_id, kind))""")
    db.execute("CREATE INDEX idx_sms_due ON sms_outbox(state, next_try_at)")


@migrations()
def m014_waiting_bookings(db: sqlite_utils.Database) -> None:
    """The checked-in booked visitors still waiting, by service and slot: Next asks which of
    its services have one (usually none) instead of walking every waiting ticket of each
    service three times looking for a slot (bench/queue_ops.py, call_next)."""
    db.execute("CREATE INDEX idx_tickets_waiting_booked ON tickets(service, slot_at) "
               "WHERE status = 'waiting' AND slot_at IS NOT NULL")


@migrations()
def m015_device_events_index(db: sqlite_utils.Database) -> None:
    """The events-by-kind index holds the events a device is named in (source set: issues,
    printer and sound reports, presence, help requests), the only ones it is looked up for. A
    counter's events (called, finished, …) have no source: a Next no longer writes two pages
    of it (12 → 10 log pages per Next; bench/queue_ops.py, call_next p99). Every look-up names
    its source (`source = ?`, `source > ?`, `IS NOT NULL`), which lets SQLite use the index."""
    db.execute("DROP INDEX idx_events_kind")
    db.execute("CREATE INDEX idx_events_device ON events(kind, source, id) "
               "WHERE source IS NOT NULL")
