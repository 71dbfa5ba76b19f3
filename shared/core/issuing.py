"""Issuing a ticket: the wait it prints, worked out from a read before the write, then — inside
the issue's one write transaction — a kiosk's retry, the daily cap, opening hours, the number,
the row and its event. The write never waits for the replay estimate: a newcomer's wait comes
from the replay the queue keeps between reads (shared/waits/kept.py), a priority ticket's is
replayed in the read."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from shared.config.centre import LANGUAGES, CentreConfig, PriorityClass, Service
from shared.core.assisted import ASSIST_CHANNEL, Assisted, issue_details
from shared.core.errors import CentreClosed, DailyCapReached, DuplicateRequest, NovbeError
from shared.core.numbering import next_number
from shared.core.queue_tx import TicketRow, Tx, ticket_by_id
from shared.waits.reading import (
    AFTER_ALL,
    NORMAL_RANK,
    WaitInputs,
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

    @classmethod
    def of(cls, config: CentreConfig, service: str, priority: str | None, language: str,
           source: str | None, check_hours: bool, request_id: str | None,
           assisted: Assisted | None = None) -> IssueRequest:
        """The request, or the named error for an unknown service, priority or language; an
        assisted one comes through the "assist" channel (shared/core/assisted.py)."""
        svc, prio = config.service(service), config.priority(priority)
        if language not in LANGUAGES:
            raise NovbeError(f"unknown language {language!r} (known: {', '.join(LANGUAGES)})")
        if assisted is not None:
            source = ASSIST_CHANNEL
        return cls(svc, prio, language, source, check_hours, request_id, assisted)

    @property
    def rank(self) -> int:
        return self.priority.rank if self.priority else NORMAL_RANK


@dataclass
class Issued:
    """The issue's outcome: the ticket's row, whether a retry found it issued already, and —
    for a new one — its people ahead and printed wait."""

    row: TicketRow
    earlier: bool
    ahead: int = 0
    wait: WaitEstimate | None = None


def wait_before(tx: Tx, inputs: WaitInputs, request: IssueRequest) -> WaitEstimate | None:
    """In a read before the issue: the wait of a ticket issued now (None: the simple estimator,
    which costs little inside the write). Tickets issued meanwhile by other kiosks are not in
    it: kiosks issue one at a time, and a ticket issued at the same instant adds at most one
    visit, shared between the counters."""
    if tx.config.waits.estimator == "simple":
        return None
    if request.rank == NORMAL_RANK:
        return newcomer_wait(tx, inputs, request.service.id, 0, quick=False)
    ahead = people_ahead(tx, request.service.id, request.rank, tx.at, AFTER_ALL)
    return printed_wait(tx, inputs, request.service.id, request.rank, tx.at, None, ahead)


def issue_in(tx: Tx, request: IssueRequest, wait: WaitEstimate | None) -> Issued:
    """Inside the write: a retry's earlier ticket, or a new numbered ticket and its event."""
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
    ahead = people_ahead(tx, svc.id, request.rank, tx.at, AFTER_ALL)
    if wait is None:
        wait = printed_wait(tx, WaitInputs(), svc.id, request.rank, tx.at, None, ahead)
    if request.check_hours:
        check_hours(tx, wait.minutes, svc.id)
    number, code = next_number(tx, svc.prefix)
    cur = tx.conn.execute(
        "INSERT INTO tickets(code, prefix, number, service, issued_service, priority, "
        "priority_rank, language, source, token, status, service_day, issued_at, "
        "queued_at, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?)",
        (code, svc.prefix, number, svc.id, svc.id, prio.id if prio else None, request.rank,
         request.language, request.source, secrets.token_urlsafe(24), today, tx.at, tx.at,
         request.request_id))
    row = ticket_by_id(tx, int(cur.lastrowid or 0))
    assisted = request.assisted
    tx.event("issued", row, staff=assisted.staff if assisted else None, source=request.source,
             priority=prio.id if prio else None, language=request.language, ahead=ahead,
             estimate_min=wait.minutes, **(issue_details(assisted) if assisted else {}))
    return Issued(row, False, ahead, wait)


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
