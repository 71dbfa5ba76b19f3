"""Issuing a ticket: the wait it prints, worked out from a read before the write, then — inside
the issue's one write transaction — a kiosk's retry, the daily cap, opening hours, the number,
the row and its event. The write never waits for the replay estimate: a newcomer's wait comes
from the replay the queue keeps between reads (shared/waits/kept.py), a priority ticket's is
replayed in the read; nor for counting the queue: the people ahead come from the waiting
tickets kept per event (shared/waits/kept_waiting.py) when nothing happened between."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from shared.config.centre import LANGUAGES, CentreConfig, PriorityClass, Service
from shared.core.assisted import ASSIST_CHANNEL, Assisted, issue_details
from shared.core.changes import newest_event
from shared.core.errors import CentreClosed, DailyCapReached, DuplicateRequest, NovbeError
from shared.core.model import Ticket
from shared.core.numbering import next_number
from shared.core.queue_tx import TICKET_COLUMNS, TicketRow, Tx, ticket_from_row
from shared.waits.reading import (
    AFTER_ALL,
    NORMAL_RANK,
    WaitInputs,
    ahead_rule_now,
    booked_ahead,
    booked_wait,
    newcomer_wait,
    people_ahead,
    printed_wait,
)
from shared.waits.state import WaitEstimate


@dataclass(frozen=True)
class IssueRequest:
    """What a kiosk asks for, checked against the config."""

    service: Service
    priority: PriorityClass | None
    language: str
    source: str | None
    check_hours: bool
    request_id: str | None
    assisted: Assisted | None = None     # issued for a visitor at /assist
    slot_at: float | None = None         # a booked visitor checked in: their slot's start

    @classmethod
    def of(cls, config: CentreConfig, service: str, priority: str | None, language: str,
           source: str | None, check_hours: bool, request_id: str | None,
           assisted: Assisted | None = None, slot_at: float | None = None) -> IssueRequest:
        """The request, or the named error for an unknown service, priority or language; an
        assisted one comes through the "assist" channel (shared/core/assisted.py); `slot_at`:
        a booked visitor's slot start (shared/bookings/checkin.py), called at it."""
        svc, prio = config.service(service), config.priority(priority)
        if language not in LANGUAGES:
            raise NovbeError(f"unknown language {language!r} (known: {', '.join(LANGUAGES)})")
        if assisted is not None:
            source = ASSIST_CHANNEL
        return cls(svc, prio, language, source, check_hours, request_id, assisted, slot_at)

    @property
    def rank(self) -> int:
        return self.priority.rank if self.priority else NORMAL_RANK


def waiting_view(row: TicketRow, ahead: int, wait: WaitEstimate) -> Ticket:
    """A waiting ticket as the apps see it: its row with its people ahead and its wait."""
    ticket = ticket_from_row(row)
    ticket.ahead, ticket.estimated_wait_min = ahead, wait.minutes
    ticket.wait_low_min, ticket.wait_high_min = wait.low, wait.high
    ticket.no_counter_open, ticket.opens_at = wait.no_counter_open, wait.opens_at
    return ticket


@dataclass
class Issued:
    """The issue's outcome: the ticket's row, whether a retry found it issued already, and —
    for a new one — its people ahead and printed wait."""

    row: TicketRow
    earlier: bool
    ahead: int = 0
    wait: WaitEstimate | None = None

    def ticket(self) -> Ticket:
        """The new ticket as the apps see it, with its people ahead and printed wait."""
        assert self.wait is not None
        return waiting_view(self.row, self.ahead, self.wait)


@dataclass(frozen=True)
class Before:
    """What the read before an issue found: the wait (None: the simple estimator's, worked out
    in the write), the people ahead (None: counted in the write) and the newest event id."""

    wait: WaitEstimate | None
    ahead: int | None
    last: int


def wait_before(tx: Tx, inputs: WaitInputs, request: IssueRequest) -> Before:
    """In a read before the issue: the wait of a ticket issued now and the people ahead of it.
    Tickets issued meanwhile by other kiosks are not in the wait: kiosks issue one at a time,
    and a ticket issued at the same instant adds at most one visit, shared between the
    counters; the people ahead are taken only when nothing happened between (issue_in). A
    booked visitor's wait is theirs: called at the slot (shared/waits/reading.booked_wait)."""
    last = newest_event(tx)
    if request.slot_at is not None:
        return Before(booked_wait(tx, inputs, request.service.id, request.slot_at),
                      booked_ahead(tx, request.service.id, request.slot_at, tx.at, AFTER_ALL),
                      last)
    if tx.config.waits.estimator == "simple":
        return Before(None, None, last)
    kept = inputs.waiting.ahead(tx, last, ahead_rule_now(tx, request.service.id), request.rank)
    if request.rank == NORMAL_RANK:
        return Before(newcomer_wait(tx, inputs, request.service.id, 0, quick=False, last=last),
                      kept, last)
    ahead = kept
    if ahead is None:
        ahead = people_ahead(tx, request.service.id, request.rank, tx.at, AFTER_ALL)
    return Before(printed_wait(tx, inputs, request.service.id, request.rank, tx.at, None, ahead),
                  ahead, last)


def issue_in(tx: Tx, request: IssueRequest, before: Before) -> Issued:
    """Inside the write: a retry's earlier ticket, or a new numbered ticket and its event. The
    people ahead read before are taken when the newest event is still the one read then
    (nothing changed between); else they are counted here."""
    svc, prio, today = request.service, request.priority, tx.day.isoformat()
    if request.request_id is not None:
        earlier = tx.ticket_row("service_day = ? AND request_id = ?", (today, request.request_id))
        if earlier is not None:
            if earlier["issued_service"] != svc.id:
                raise DuplicateRequest(f"request {request.request_id} was for "
                                       f"{earlier['issued_service']}, not {svc.id}")
            return Issued(earlier, True)
    if svc.daily_cap is not None:
        issued = tx.value("SELECT count(*) FROM tickets WHERE service_day = ? AND "
                          "issued_service = ?", (today, svc.id))
        if issued >= svc.daily_cap:
            raise DailyCapReached(f"{svc.id}: all {svc.daily_cap} tickets for today are issued")
    ahead = unchanged_since(tx, before)
    if ahead is None and request.slot_at is not None:
        ahead = booked_ahead(tx, svc.id, request.slot_at, tx.at, AFTER_ALL)
    elif ahead is None:
        ahead = people_ahead(tx, svc.id, request.rank, tx.at, AFTER_ALL)
    wait = before.wait
    if wait is None:               # the simple estimator's (a booked visitor's is never None)
        wait = printed_wait(tx, WaitInputs(), svc.id, request.rank, tx.at, None, ahead)
    if request.check_hours:
        check_hours(tx, wait.minutes, svc.id)
    number, code = next_number(tx, svc.prefix)
    row: TicketRow = tx.rows(
        "INSERT INTO tickets(code, prefix, number, service, issued_service, priority, "
        "priority_rank, language, source, token, status, service_day, issued_at, "
        "queued_at, request_id, slot_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, "
        f"?, ?, ?) RETURNING {TICKET_COLUMNS}",
        (code, svc.prefix, number, svc.id, svc.id, prio.id if prio else None, request.rank,
         request.language, request.source, secrets.token_urlsafe(24), today, tx.at, tx.at,
         request.request_id, request.slot_at))[0]
    assisted = request.assisted
    tx.event("issued", row, staff=assisted.staff if assisted else None, source=request.source,
             priority=prio.id if prio else None, language=request.language, ahead=ahead,
             estimate_min=wait.minutes, **(issue_details(assisted) if assisted else {}))
    return Issued(row, False, ahead, wait)


def unchanged_since(tx: Tx, before: Before | None) -> int | None:
    """The people ahead read before the write, if no event has been written since (none in
    between means no ticket changed: every change is an event)."""
    if before is None or before.ahead is None:
        return None
    if newest_event(tx) != before.last:
        return None
    return before.ahead


def check_hours(tx: Tx, estimate_min: int, service: str) -> None:
    """CentreClosed when the centre is closed now or the wait runs past closing time."""
    local = tx.now.astimezone(tx.config.tz)
    hours = tx.config.hours
    if not hours.is_open(local):
        raise CentreClosed("the centre is closed now")
    closing = hours.closing_time(local)
    if closing is not None and (closing - local).total_seconds() < estimate_min * 60:
        raise CentreClosed(f"{service}: the wait ({estimate_min} min) runs past closing time "
                           f"{closing:%H:%M}")
