"""The centre's bookings ledger over the queue's SQLite file: booking at reception, placing the
national desk's bookings, cancelling, checking in (a check-in and its ticket one write), free
slots and no-shows — each change one transaction of the queue, with its event."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import date
from typing import Protocol, TypeVar

from shared.bookings import rows
from shared.bookings.checkin import CheckIn, Planned, check_in_in, plan_check_in
from shared.bookings.erasure import erase_before, erase_booking
from shared.bookings.errors import (
    BookingConflict,
    BookingNotFound,
    BookingNotOpen,
    BookingRefused,
    SlotFull,
)
from shared.bookings.model import Booking, BookingStatus, Channel, new_code, normal_code
from shared.bookings.outbox import (
    Reminder,
    delivery_counts,
    plan_and_skip,
    record_try,
    round_work,
)
from shared.bookings.phone import normal_phone
from shared.bookings.seats import local_free, split
from shared.bookings.share_change import ShareLowered, lowered_share
from shared.bookings.share_raise import LocalReport, ShareRaised, local_report, raised_share
from shared.bookings.slots import national_cutoff, nearest, seats, slot_day, slot_starts
from shared.bookings.window import closes_at
from shared.config.centre import LANGUAGES, CentreConfig
from shared.core.clock import Clock
from shared.core.errors import DuplicateRequest, NovbeError
from shared.core.queue_tx import Tx
from shared.core.service_day import day_start
from shared.waits.reading import WaitInputs

T = TypeVar("T")


class QueueFile(Protocol):
    """What the ledger needs of the queue: its config, clock, its write and read transactions
    (LocalQueue's own, so a check-in and its ticket are one write) and the wait estimate's
    inputs it keeps (a check-in's ticket prints a wait, as an issue's does)."""

    @property
    def config(self) -> CentreConfig: ...

    @property
    def clock(self) -> Clock: ...

    def _tx(self) -> AbstractContextManager[Tx]: ...

    def _read(self, fn: Callable[[Tx], T]) -> T: ...

    @property
    def wait_inputs(self) -> WaitInputs: ...


class BookingLedger:
    """The bookings of the centre whose queue file this is."""

    def __init__(self, queue: QueueFile):
        self.queue = queue

    @property
    def config(self) -> CentreConfig:
        return self.queue.config

    # ---- booking ---------------------------------------------------------------------------
    def book_local(self, service: str, slot_start: float, lang: str, made_by: str,
                   name: str | None = None, phone: str | None = None,
                   request_id: str | None = None) -> Booking:
        """Book a seat of the centre's own share (reception). Refused: an unknown service or
        language, a phone number that is none (BadPhone), a closed day, a time that is no slot,
        a slot already begun, a full slot; a
        replayed `request_id` returns the booking the first attempt made."""
        config = self.config
        config.service(service)                      # UnknownService
        if lang not in LANGUAGES:
            raise NovbeError(f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
        slot_start = float(slot_start)
        phone = normal_phone(phone)                  # BadPhone
        try:
            return self._book_local(service, slot_start, lang, made_by, name, phone, request_id)
        except SlotFull as full:          # the nearest free slot: a read after the write
            found = self.nearest_free(service, slot_start)
            if found is None:
                raise
            raise SlotFull(f"{full}; nearest free: {_local(config, found)}", found) from None

    def _book_local(self, service: str, slot_start: float, lang: str, made_by: str,
                    name: str | None, phone: str | None, request_id: str | None) -> Booking:
        config = self.config
        with self.queue._tx() as tx:
            if request_id is not None:
                earlier = tx.one("SELECT id, service, slot_start FROM bookings "
                                 "WHERE request_id = ?", (request_id,))
                if earlier is not None:
                    if (earlier["service"], earlier["slot_start"]) != (service, slot_start):
                        raise DuplicateRequest(f"request {request_id} booked {earlier['service']} "
                                               "at another slot")
                    return rows.select(tx, "id = ?", (earlier["id"],))[0]
            self._check_slot(tx, service, slot_start)
            if self._free(tx, service, slot_start) <= 0:
                raise SlotFull(f"{service}: the slot at {_local(config, slot_start)} is full")
            booking = Booking(id=str(uuid.uuid4()), centre=config.centre_id, service=service,
                              slot_start=slot_start, code=_fresh_code(tx), lang=lang,
                              channel=Channel.RECEPTION, made_by=made_by,
                              name=_blank_none(name), phone=phone,
                              created_at=tx.at, updated_at=tx.at)
            rows.insert(tx, booking, request_id)
            return booking

    def _check_slot(self, tx: Tx, service: str, slot_start: float) -> None:
        config, day = self.config, slot_day(self.config, slot_start)
        starts = slot_starts(config, day)
        if not starts:
            raise BookingRefused(f"the centre is closed on {day.isoformat()}", "closed_day")
        if slot_start not in starts:
            raise BookingRefused(f"{_local(config, slot_start)} is not the start of a "
                                 f"{config.bookings.slot_min}-minute slot", "not_a_slot")
        if slot_start <= tx.at:
            raise BookingRefused(f"the slot at {_local(config, slot_start)} has begun already",
                                 "past_slot")
        if seats(config, service, slot_start).capacity == 0:
            raise BookingRefused(f"{service} takes no bookings at {_local(config, slot_start)}",
                                 "no_capacity")

    def _free(self, tx: Tx, service: str, slot_start: float, shares: float | None = None) -> int:
        """The seats the centre may book; `shares`: rows.central_shares, read once."""
        local, national = rows.seats_taken(tx, service, slot_start)
        final = rows.final_through(tx) >= national_cutoff(self.config, slot_start)
        slot = seats(self.config, service, slot_start)
        held = split(slot.capacity, rows.central_shares(tx) if shares is None else shares)
        return local_free(slot, local, national, final, held.national)

    def nearest_free(self, service: str, slot_start: float) -> float | None:
        """The slot to offer when `slot_start` is full: the same day's nearest one with a
        free seat (the earlier of two as near; None if every slot of the day is full)."""
        slot_start = float(slot_start)
        day = slot_day(self.config, slot_start)
        return nearest((s for s, free in self.free_slots(service, day)
                        if free > 0 and s != slot_start), slot_start)

    def merge_national(self, bookings: Iterable[Booking], final_through: float,
                       central_config: int | None = None) -> int:
        """Place bookings read from the central database (idempotent by id): new ones are
        added, a cancellation there cancels an open one here; the centre's own progress
        (checked in, no-show) is never undone; a name and phone erased there (the national
        copy's erasure) are erased here too, with the booking's SMS texts. Every slot whose
        national cut-off is at or before `final_through` has its national list final: its unused national seats become
        the centre's. `central_config`: the from-event id of the centre's config version central
        had when the list was read (the national seats it may book follow from it and those
        after). Returns how many bookings changed here."""
        changed = 0
        with self.queue._tx() as tx:
            for b in bookings:
                have = rows.select(tx, "id = ?", (b.id,))
                if not have:
                    clash = rows.by_code(tx, b.code)
                    if clash is not None and clash.status == BookingStatus.BOOKED:
                        raise BookingConflict(f"national booking {b.id}: code {b.code} is held by "
                                              f"open booking {clash.id}")
                    rows.insert(tx, b)
                    if b.status != BookingStatus.BOOKED:
                        rows.change(tx, b, b.status, b.made_by)
                    changed += 1
                    continue
                if have[0].status == BookingStatus.BOOKED and b.status == BookingStatus.CANCELLED:
                    rows.change(tx, have[0], BookingStatus.CANCELLED, b.made_by)
                    changed += 1
                if erased_there(have[0], b):
                    erase_booking(tx, b.id)
                    changed += 1
            rows.set_final_through(tx, float(final_through))
            if central_config is not None:
                rows.set_central_config(tx, central_config)
        return changed

    # ---- changing one ----------------------------------------------------------------------
    def cancel(self, code: str, by: str) -> Booking:
        """Cancel an open booking: its seat is free again."""
        with self.queue._tx() as tx:
            booking = _by_code(tx, code)
            if booking.status != BookingStatus.BOOKED:
                raise BookingNotOpen(f"booking {booking.code} is {booking.status.value}, "
                                     "not booked")
            return rows.change(tx, booking, BookingStatus.CANCELLED, by)

    def check_in(self, code: str, now: float | None = None, walk_in_if_early: bool = False,
                 by: str | None = None) -> CheckIn:
        """Check a visitor in by their code (or what a scanner read), at the queue's clock
        unless `now` (epoch seconds) is given; `by`: the kiosk or staff member. The booking
        comes back without the visitor's name and phone. The ticket's wait is worked out in a
        read first; the write takes it unless the booking changed between (then read again:
        a booking's status only moves on, so this ends)."""
        inputs = self.queue.wait_inputs
        result: CheckIn | None = None
        while result is None:
            def plan(tx: Tx) -> tuple[float, CheckIn | Planned]:
                at = tx.at if now is None else now
                return at, plan_check_in(tx, inputs, code, at, walk_in_if_early, by)
            at, planned = self.queue._read(plan)
            if isinstance(planned, CheckIn):        # nothing to write
                result = planned
                continue
            with self.queue._tx() as tx:
                result = check_in_in(tx, code, at, walk_in_if_early, by, planned)
        if result.booking is not None:          # a kiosk has no use for a name or a phone
            result.booking = result.booking.erased()
        return result

    def expire_no_shows(self, now: float | None = None) -> int:
        """Turn every booking not checked in by the end of its late window into a no-show."""
        with self.queue._tx() as tx:
            at = tx.at if now is None else now
            late = self.config.bookings.late_min * 60
            due = rows.select(tx, "status = 'booked' AND slot_start < ?", (at - late,))
            for b in due:
                rows.change(tx, b, BookingStatus.NO_SHOW, None,
                            window_closed_at=closes_at(b.slot_start, self.config.bookings))
            return len(due)

    def erase_personal_data(self, now: float | None = None) -> int:
        """Erase the names and phones of bookings whose slot is `[bookings] erase_after_days`
        past (the rest of each booking is kept for reports); how many were erased."""
        with self.queue._tx() as tx:
            at = tx.at if now is None else now
            return erase_before(at - self.config.bookings.erase_after_days * 86400, tx)

    # ---- SMS reminders (shared/bookings/outbox.py) -------------------------------------------
    def reminders_due(self, batch: int) -> list[Reminder]:
        """The reminders to send now (at most `batch`), the outbox brought up to date first —
        new bookings' reminders planned, closed bookings' skipped. Read first: a write only
        when the outbox must change."""
        work = self.queue._read(lambda tx: round_work(tx, batch))
        if not work.writes:
            return work.due
        with self.queue._tx() as tx:
            return plan_and_skip(tx, self.config, batch)

    def reminder_tried(self, message: int, attempts: int, error: str | None = None,
                       retry_in_s: float | None = None) -> None:
        """Keep one try's outcome: sent (`error` None), else tried again `retry_in_s` from now
        or, with None, given up."""
        with self.queue._tx() as tx:
            record_try(tx, message, attempts, error, retry_in_s)

    def reminder_counts(self) -> dict[str, int]:
        """How many reminders are in each delivery state (the desk pages)."""
        return self.queue._read(delivery_counts)

    # ---- reading ---------------------------------------------------------------------------
    def share_lowered(self) -> ShareLowered | None:
        """What a `national_share` lowered after national bookings exist means now (None:
        nothing to say): shared/bookings/share_change.py."""
        return self.queue._read(lambda tx: lowered_share(tx, self.config))

    def share_raised(self) -> ShareRaised | None:
        """What a raised `national_share` means now (None: nothing to say):
        shared/bookings/share_raise.py."""
        return self.queue._read(lambda tx: raised_share(tx, self.config))

    def local_report(self, after: float) -> LocalReport:
        """The centre's own bookings per coming slot and the config version it books under, as
        its link reports them to central (which caps the national seats with them)."""
        return self.queue._read(lambda tx: local_report(tx, self.config, after))

    def find(self, code: str) -> Booking:
        """The booking with this code (BookingNotFound if none)."""
        return self.queue._read(lambda tx: _by_code(tx, code))

    def day_bookings(self, day: date) -> list[Booking]:
        """Every booking of a service day, by slot."""
        start = day_start(day, self.config.tz, self.config.day_reset_hour).timestamp()
        end = day_start(date.fromordinal(day.toordinal() + 1), self.config.tz,
                        self.config.day_reset_hour).timestamp()
        return self.queue._read(lambda tx: rows.select(
            tx, "slot_start >= ? AND slot_start < ?", (start, end)))

    def free_slots(self, service: str, day: date) -> list[tuple[float, int]]:
        """Each slot of the day the service takes bookings in, with the seats the centre may
        still book (0 once begun)."""
        self.config.service(service)
        bookable = [s for s in slot_starts(self.config, day)
                    if seats(self.config, service, s).capacity > 0]

        def read(tx: Tx) -> list[tuple[float, int]]:
            shares = rows.central_shares(tx)
            return [(s, 0 if s <= tx.at else self._free(tx, service, s, shares))
                    for s in bookable]
        return self.queue._read(read)


def _by_code(tx: Tx, code: str) -> Booking:
    booking = rows.by_code(tx, normal_code(code))
    if booking is None:
        raise BookingNotFound(f"no booking with code {normal_code(code)!r}")
    return booking


def _fresh_code(tx: Tx) -> str:
    """A code no open booking holds (22⁶ codes: a clash is rare; drawn again if so)."""
    while True:
        code = new_code()
        if tx.value("SELECT 1 FROM bookings WHERE code = ? AND status = 'booked'", (code,)) is None:
            return code


def _blank_none(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _local(config: CentreConfig, at: float) -> str:
    from datetime import datetime
    return f"{datetime.fromtimestamp(at, config.tz):%Y-%m-%d %H:%M}"


def erased_there(here: Booking, national: Booking) -> bool:
    """Whether the national copy no longer holds a name or phone this file still does (the
    national desk never changes them otherwise: only its erasure empties them)."""
    return (here.name is not None and national.name is None) or (
        here.phone is not None and national.phone is None)
