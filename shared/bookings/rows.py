"""Bookings in the queue's SQLite file: reading a row into a Booking, writing one, counting a
slot's seats taken, and the booking events (whose details never hold a name or a phone)."""

from __future__ import annotations

from typing import Any

from shared.bookings.model import Booking, BookingStatus, Channel
from shared.core.queue_tx import Tx

BOOKING_COLUMNS = ("id, centre, service, slot_start, code, lang, channel, made_by, status, name, "
                   "phone, created_at, updated_at, ticket")
NATIONAL = (Channel.CALL_CENTRE.value, Channel.API.value)
FINAL_THROUGH_KEY = "bookings.national_final_through"
CENTRAL_CONFIG_KEY = "bookings.central_config_from"   # central's newest config at the last pull
DEFAULT_SHARE = 0.5                                    # [bookings] national_share's default
# The event each status change appends.
EVENT_OF = {BookingStatus.BOOKED: "booking_made", BookingStatus.CANCELLED: "booking_cancelled",
            BookingStatus.CHECKED_IN: "booking_checked_in", BookingStatus.NO_SHOW: "booking_no_show",
            BookingStatus.LATE_WALK_IN: "booking_late_walk_in"}
BOOKING_EVENTS = tuple(EVENT_OF.values())


def select(tx: Tx, where: str, params: Any = ()) -> list[Booking]:
    """Bookings matching a WHERE clause, by slot then code."""
    return [Booking.of_row(r) for r in tx.rows(
        f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE {where} ORDER BY slot_start, code", params)]


def by_code(tx: Tx, code: str) -> Booking | None:
    """The booking with this code: the open one, else the latest made."""
    row = tx.one(f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE code = ? "
                 "ORDER BY status = 'booked' DESC, created_at DESC LIMIT 1", (code,))
    return Booking.of_row(row) if row is not None else None


def insert(tx: Tx, b: Booking, request_id: str | None = None) -> None:
    """Write a new booking and its booking_made event."""
    tx.conn.execute(
        f"INSERT INTO bookings({BOOKING_COLUMNS}, request_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (b.id, b.centre, b.service, b.slot_start, b.code, b.lang, b.channel.value, b.made_by,
         b.status.value, b.name, b.phone, b.created_at, b.updated_at, b.ticket, request_id))
    event(tx, b, BookingStatus.BOOKED, b.made_by)


def change(tx: Tx, b: Booking, status: BookingStatus, by: str | None,
           ticket: tuple[int, str] | None = None, **details: Any) -> Booking:
    """Move a booking to `status` (with the ticket it was given) and append its event."""
    tid, code = ticket if ticket else (None, None)
    tx.conn.execute("UPDATE bookings SET status = ?, updated_at = ?, ticket = coalesce(?, ticket), "
                    "ticket_id = coalesce(?, ticket_id) WHERE id = ?",
                    (status.value, tx.at, code, tid, b.id))
    changed = b.with_status(status, tx.at, code)
    event(tx, changed, status, by, tid, **details)
    return changed


def event(tx: Tx, b: Booking, status: BookingStatus, by: str | None,
          ticket_id: int | None = None, **details: Any) -> int:
    """The booking's event: its id, code, slot and channel — never the visitor's name or phone."""
    ticket = tx.one("SELECT id, code, service FROM tickets WHERE id = ?", (ticket_id,)) \
        if ticket_id is not None else None
    return tx.event(EVENT_OF[status], ticket, staff=by, source=b.channel.value, service=b.service,
                    booking=b.id, booking_code=b.code, slot_start=b.slot_start, **details)


def seats_taken(tx: Tx, service: str, slot_start: float) -> tuple[int, int]:
    """(the centre's, the national desk's) bookings of a slot that hold a seat (all but the
    cancelled ones)."""
    row = tx.one("SELECT sum(channel NOT IN (?, ?)), sum(channel IN (?, ?)) FROM bookings "
                 "WHERE service = ? AND slot_start = ? AND status != 'cancelled'",
                 (*NATIONAL, *NATIONAL, service, slot_start))
    return (int(row[0] or 0), int(row[1] or 0)) if row is not None else (0, 0)


def final_through(tx: Tx) -> float:
    """The time through which every slot's national list is final (0: none yet)."""
    value = tx.value("SELECT value FROM meta WHERE key = ?", (FINAL_THROUGH_KEY,))
    return float(value) if value is not None else 0.0


def set_final_through(tx: Tx, at: float) -> None:
    """Move the final-through mark forward (never back: a clock set back takes no seat away)."""
    if at > final_through(tx):
        tx.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                        (FINAL_THROUGH_KEY, repr(at)))


def set_central_config(tx: Tx, from_event_id: int) -> None:
    """Note which of the centre's config versions was central's newest at the last pull."""
    tx.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                    (CENTRAL_CONFIG_KEY, str(int(from_event_id))))


def central_shares(tx: Tx) -> float:
    """The largest `national_share` the national desk may still book under: of the config
    version central had at the last pull and every version recorded after it (the only ones
    it can get) — of every recorded version before any pull. 0 when none takes bookings."""
    since = tx.value("SELECT value FROM meta WHERE key = ?", (CENTRAL_CONFIG_KEY,))
    value = tx.value("SELECT max(coalesce(json_extract(body, '$.bookings.national_share'), ?)) "
                     "FROM config_versions WHERE json_type(body, '$.bookings') IS NOT NULL "
                     "AND from_event_id >= ?", (DEFAULT_SHARE, int(since or 0)))
    return float(value) if value is not None else 0.0


def local_counts(tx: Tx, after: float) -> dict[tuple[str, float], int]:
    """The centre's own bookings holding a seat, per (service, slot) starting after `after`:
    every such slot, whatever the config says of it now (central caps its seats with these)."""
    return {(str(r[0]), float(r[1])): int(r[2]) for r in tx.rows(
        "SELECT service, slot_start, count(*) FROM bookings WHERE channel NOT IN (?, ?) AND "
        "status != 'cancelled' AND slot_start > ? GROUP BY service, slot_start",
        (*NATIONAL, after))}


def running_version(tx: Tx, config_hash: str) -> int:
    """The from-event id of the newest recorded version with this config (the one the centre
    runs), 0 when it is not recorded yet (central then counts every version it has)."""
    value = tx.value("SELECT max(from_event_id) FROM config_versions WHERE hash = ?",
                     (config_hash,))
    return int(value or 0)
