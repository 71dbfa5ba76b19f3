"""The national desk's transactions on the central PostgreSQL: book a slot's national seat (never
beyond the national share, never after the cut-off, once per request id), find and cancel by
code. Every write of a centre's bookings holds that centre's pull lock shared (schema.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import psycopg

from central.bookings.errors import DeskRefused, NotFound
from central.bookings.offer import check_slot, day_offer, db_now, local_time, offered_config
from central.bookings.raise_guard import PENDING, RAISED, NationalSeats, RaiseGuard
from server.shipping.link import PULL_LOCK, SCHEMA
from shared.bookings.model import Booking, BookingStatus, Channel, new_code, normal_code
from shared.bookings.phone import BadPhone, normal_phone
from shared.bookings.slots import nearest, slot_day
from shared.config.centre import CentreConfig

BOOKING_FIELDS = ("id, centre_id, service, slot_start, code, lang, channel, made_by, status, "
                  "name, phone, created_at, updated_at, ticket")
LANGS = ("az", "ru", "en")
CODE_TRIES = 8


@dataclass(frozen=True)
class BookingRequest:
    """What the desk or a portal asks for; `request_key` makes a retried request book once."""

    centre: str
    service: str
    slot_start: float
    lang: str
    channel: Channel
    made_by: str
    name: str | None = None
    phone: str | None = None
    request_key: str | None = None


def clean_phone(typed: str | None) -> str | None:
    """A phone number as typed in E.164 form (shared/bookings/phone.py), or DeskRefused."""
    try:
        return normal_phone(typed)
    except BadPhone:
        raise DeskRefused("bad_phone") from None


def clean_name(typed: str | None) -> str | None:
    """A name as typed, trimmed; at most 120 characters."""
    name = " ".join((typed or "").split())
    if len(name) > 120:
        raise DeskRefused("bad_name")
    return name or None


def hold_centre(conn: psycopg.Connection, centre: str) -> float:
    """Take the centre's pull lock shared for this transaction; the database's clock after it."""
    conn.execute("SELECT pg_advisory_xact_lock_shared(%s, hashtext(%s))", (PULL_LOCK, centre))
    return db_now(conn)


def book(conn: psycopg.Connection, req: BookingRequest) -> Booking:
    """Book one national seat of the slot; the same request again returns the same booking."""
    if req.lang not in LANGS:
        raise DeskRefused("bad_language")
    name, phone = clean_name(req.name), clean_phone(req.phone)
    if req.request_key:
        done = _by_request(conn, req)
        if done is not None:
            return done
    try:
        with conn.transaction():
            return _book(conn, req, name, phone)
    except DeskRefused as exc:
        if exc.reason in FULL:          # the nearest bookable slot, read once the booking's
            raise offer_nearest(conn, req, exc) from None   # transaction is over
        raise
    except psycopg.errors.UniqueViolation as exc:
        if req.request_key and "request_key" in str(exc):   # the same request, at once
            done = _by_request(conn, req)
            if done is not None:
                return done
        raise


def _book(conn: psycopg.Connection, req: BookingRequest, name: str | None,
          phone: str | None) -> Booking:
    now = hold_centre(conn, req.centre)
    config = offered_config(conn, req.centre)
    _, cutoff = check_slot(config, req.service, req.slot_start, req.lang)
    when = local_time(config, req.slot_start)
    if now >= cutoff:
        raise DeskRefused("past_cutoff", time=when)
    national = RaiseGuard(conn, config).national(req.service, req.slot_start)
    seats = national.seats
    if seats.capacity == 0:
        raise DeskRefused("no_seats", time=when)
    if seats.national == 0:
        raise _full(conn, req, when, national)
    try:
        with conn.transaction():
            conn.execute(
                f"INSERT INTO {SCHEMA}.booking_seats AS s (centre_id, service, slot_start, "
                "national, booked, cutoff_at) VALUES (%s, %s, %s, %s, 1, %s) "
                "ON CONFLICT (centre_id, service, slot_start) DO UPDATE SET booked = s.booked + 1,"
                " national = EXCLUDED.national, cutoff_at = EXCLUDED.cutoff_at",
                (req.centre, req.service, req.slot_start, seats.national, cutoff))
    except psycopg.errors.CheckViolation:
        raise _full(conn, req, when, national) from None
    booking_id = str(uuid.uuid4())
    for _ in range(CODE_TRIES):
        code = new_code(national=True)
        try:
            with conn.transaction():
                conn.execute(
                    f"INSERT INTO {SCHEMA}.bookings ({BOOKING_FIELDS}, request_key) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, 'booked', %s, %s, %s, %s, NULL, %s)",
                    (booking_id, req.centre, req.service, req.slot_start, code, req.lang,
                     req.channel.value, req.made_by, name, phone, now, now, req.request_key))
            break
        except psycopg.errors.UniqueViolation as exc:
            if "bookings_open_code" not in str(exc):
                raise
    else:   # eight open codes taken in a row: 1e8 codes, so this is no chance
        raise RuntimeError("no free booking code after 8 tries")
    _history(conn, booking_id, now, BookingStatus.BOOKED, req.made_by)
    return Booking(booking_id, req.centre, req.service, req.slot_start, code, req.lang,
                   req.channel, req.made_by, BookingStatus.BOOKED, name, phone, now, now)


def _full(conn: psycopg.Connection, req: BookingRequest, when: str, national: NationalSeats
          ) -> DeskRefused:
    """The slot's national seats are all taken — or, the centre having lowered its national
    share since, more are booked than it now gives: those stay booked, no more are taken; or,
    the share raised since, the centre's own bookings (or an older share, until the centre
    has reported them under the new one) leave fewer national seats than the share gives."""
    row = conn.execute(f"SELECT booked FROM {SCHEMA}.booking_seats WHERE centre_id = %s AND "
                       "service = %s AND slot_start = %s",
                       (req.centre, req.service, req.slot_start)).fetchone()
    booked, seats = 0 if row is None else int(row[0]), national.seats
    if booked > seats.national and national.why is None:
        return DeskRefused("share_lowered", time=when, seats=seats.national, booked=booked)
    if national.why is not None:
        return DeskRefused(national.why, time=when, seats=seats.national,
                           capacity=seats.capacity, local=national.local_booked)
    return DeskRefused("slot_full", time=when)


# the refusals of a slot with no national seat left (_full): each names the nearest free one
FULL = frozenset({"slot_full", "share_lowered", RAISED, PENDING})


def offer_nearest(conn: psycopg.Connection, req: BookingRequest, refused: DeskRefused
                  ) -> DeskRefused:
    """The refusal again, naming the same day's nearest slot the desk can still book (if any)."""
    config = offered_config(conn, req.centre)
    nearest = nearest_free(conn, config, req.service, req.slot_start, db_now(conn))
    conn.commit()                     # a read only: end it, as the other reads here do
    if nearest is None:
        return refused
    return DeskRefused(refused.reason, **refused.params,
                       nearest=local_time(config, nearest)[-5:], nearest_start=nearest,
                       nearest_at=local_iso(config, nearest))


def nearest_free(conn: psycopg.Connection, config: CentreConfig, service: str,
                 slot_start: float, now: float) -> float | None:
    """The start of the same day's slot nearest to `slot_start` (the earlier of two as near)
    with a national seat free and its cut-off not passed — what the reception desk offers
    for a full slot, on the national side (None: the day is full)."""
    day = slot_day(config, slot_start)
    return nearest((o.slot_start for o in day_offer(conn, config, service, day, now)
                    if o.slot_start != slot_start and o.national_free > 0 and not o.past_cutoff),
                   slot_start)


def local_iso(config: CentreConfig, at: float) -> str:
    """A slot's start as an ISO 8601 time with the centre's offset (the API's form)."""
    from datetime import datetime

    return datetime.fromtimestamp(at, config.tz).isoformat()


def _by_request(conn: psycopg.Connection, req: BookingRequest) -> Booking | None:
    row = conn.execute(f"SELECT {BOOKING_FIELDS} FROM {SCHEMA}.bookings WHERE request_key = %s",
                       (req.request_key,)).fetchone()
    conn.commit()
    if row is None:
        return None
    found = Booking.of_row(row)
    if (found.centre, found.service, found.slot_start) != (req.centre, req.service,
                                                           req.slot_start):
        raise DeskRefused("request_reused")
    return found


def find(conn: psycopg.Connection, centre: str, typed_code: str) -> Booking:
    """The centre's booking with this code (the open one first, else the newest)."""
    code = normal_code(typed_code)
    row = conn.execute(
        f"SELECT {BOOKING_FIELDS} FROM {SCHEMA}.bookings WHERE centre_id = %s AND code = %s "
        "ORDER BY status = 'booked' DESC, created_at DESC LIMIT 1", (centre, code)).fetchone()
    conn.commit()
    if row is None:
        raise NotFound("unknown_code", code=code, centre=centre)
    return Booking.of_row(row)


def cancel(conn: psycopg.Connection, centre: str, typed_code: str, by: str) -> Booking:
    """Cancel the open booking with this code: its national seat is free again at once."""
    code = normal_code(typed_code)
    with conn.transaction():
        now = hold_centre(conn, centre)
        row = conn.execute(
            f"SELECT {BOOKING_FIELDS} FROM {SCHEMA}.bookings WHERE centre_id = %s AND code = %s "
            "ORDER BY status = 'booked' DESC, created_at DESC LIMIT 1 FOR UPDATE",
            (centre, code)).fetchone()
        if row is None:
            raise NotFound("unknown_code", code=code, centre=centre)
        booking = Booking.of_row(row)
        if booking.status != BookingStatus.BOOKED:
            raise DeskRefused("not_open", code=code, status=booking.status.value)
        conn.execute(f"UPDATE {SCHEMA}.bookings SET status = 'cancelled', updated_at = %s, "
                     f"changed = nextval('{SCHEMA}.booking_changed') WHERE id = %s",
                     (now, booking.id))
        conn.execute(f"UPDATE {SCHEMA}.booking_seats SET booked = booked - 1 WHERE centre_id = %s"
                     " AND service = %s AND slot_start = %s AND booked > 0",
                     (centre, booking.service, booking.slot_start))
        _history(conn, booking.id, now, BookingStatus.CANCELLED, by)
    return booking.with_status(BookingStatus.CANCELLED, now)


def _history(conn: psycopg.Connection, booking_id: str, at: float, status: BookingStatus,
             by: str) -> None:
    conn.execute(f"INSERT INTO {SCHEMA}.booking_changes (booking_id, at, status, by_whom, source)"
                 " VALUES (%s, %s, %s, %s, 'central')", (booking_id, at, status.value, by))


