"""The JSON API: one route per queue operation. Reads need a device token or a staff session;
counter actions need a device token or the session of the staff member who opened that counter;
issuing tickets and printer reports need a device token; the phone's routes need its token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from server.accounts import Forbidden
from server.auth import Caller, any_caller, counter_opener, device_only, for_counter
from server.config_doc import config_to_dict
from server.counter_claims import open_counter as claim_counter
from server.schemas import (
    MAX_ID,
    CallBody,
    CounterAction,
    DeviceReportBody,
    ErrorBody,
    FinishBody,
    IssueBody,
    OpenBody,
    RateBody,
    StaffBody,
    TransferBody,
)
from shared.local_queue import LocalQueue
from shared.model import DEVICE_CHANNELS

CounterId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
TicketRef = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
Token = Annotated[str, Path(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
Json = dict[str, Any]

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 429, 503)}

router = APIRouter(prefix="/api", responses=ERRORS)


DEVICE_ROLE_OF_CHANNEL = {"printer": "kiosk", "sound": "board"}


def queue_of(request: Request) -> LocalQueue:
    """The server's queue: the centre's own SQLite file."""
    return request.app.state.queue


def changed(request: Request) -> None:
    """A write went through: let the event hub read it right away."""
    request.app.state.hub.poke()


def counter_caller(request: Request, counter: CounterId) -> Caller:
    """Dependency: a device, or the staff member who opened this counter."""
    return for_counter(request, counter)


Any_ = Annotated[Caller, Depends(any_caller)]
Device = Annotated[Caller, Depends(device_only)]
AtCounter = Annotated[Caller, Depends(counter_caller)]
Opener = Annotated[Caller, Depends(counter_opener)]


@router.get("/health", tags=["meta"])
def health() -> Json:
    """Whether the server is up (no authentication, no queue data)."""
    return {"ok": True}


@router.get("/config", tags=["meta"])
def get_config(request: Request, who: Any_) -> Json:
    """The centre config as a TOML-shaped table (shared.config.parse_config reads it); the
    kiosk's staff PIN only for kiosk tokens."""
    return config_to_dict(request.app.state.config, staff_pin=who.role == "kiosk")


# ---- tickets -------------------------------------------------------------------------------
@router.post("/tickets", tags=["tickets"])
def issue(request: Request, body: IssueBody, who: Device) -> Json:
    """Issue a ticket for a service (kiosks). The answer has the ticket's token (for its QR
    code); a retry with the same `request_id` returns the same ticket."""
    ticket = queue_of(request).issue(body.service, priority=body.priority, language=body.language,
                                     source=body.source or who.name, check_hours=body.check_hours,
                                     request_id=body.request_id)
    changed(request)
    return ticket.to_json(include_token=True)


@router.get("/tickets/requests/{request_id}", tags=["tickets"])
def issued_for(request: Request, request_id: Token, who: Device) -> Json:
    """Today's ticket issued for a kiosk's request id: a kiosk that gave up on an answer
    looks up whether its ticket was issued after all."""
    return queue_of(request).issued_for(request_id).to_json(include_token=True)


@router.get("/tickets/{ref}", tags=["tickets"])
def get_ticket(request: Request, ref: TicketRef, who: Any_) -> Json:
    """Today's ticket with this code, or the ticket with this token."""
    return queue_of(request).ticket(ref).to_json()


@router.post("/tickets/{ref}/cancel", tags=["tickets"])
def cancel(request: Request, ref: TicketRef, who: Device) -> Json:
    """Withdraw a waiting or called ticket."""
    ticket = queue_of(request).cancel(ref)
    changed(request)
    return ticket.to_json()


@router.get("/waiting", tags=["tickets"])
def waiting(request: Request, who: Any_,
            counter: Annotated[str | None, Query(max_length=16)] = None,
            limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[Json]:
    """Waiting tickets in calling order, for one counter's services or all."""
    return [t.to_json() for t in queue_of(request).waiting(counter, limit)]


# ---- counters ------------------------------------------------------------------------------
@router.get("/counters/{counter}", tags=["counters"])
def counter_state(request: Request, counter: CounterId, who: Any_) -> Json:
    """The counter's mode, staff and current ticket."""
    return queue_of(request).counter_state(counter).to_json()


def _expect(body: CounterAction | None) -> str | None:
    return body.expect if body is not None else None


def _holder(who: Caller) -> str | None:
    """A signed-in staff member acts only while the counter is open in their name: checked by
    the queue inside the action's own transaction (a takeover or close meanwhile refuses it)."""
    return who.staff if who.kind != "device" else None


def _staff(who: Caller, body: StaffBody | CallBody | None) -> str | None:
    return who.staff or (body.staff if body else None)


@router.post("/counters/{counter}/next", tags=["counters"])
def call_next(request: Request, counter: CounterId, who: AtCounter,
              body: StaffBody | None = None) -> Json:
    """End the counter's visit and call the next ticket it may serve."""
    try:
        return queue_of(request).call_next(counter, staff=_staff(who, body), expect=_expect(body),
                                           holder=_holder(who)).to_json()
    finally:
        changed(request)


@router.post("/counters/{counter}/call", tags=["counters"])
def call(request: Request, counter: CounterId, body: CallBody, who: AtCounter) -> Json:
    """Call one waiting ticket (by code or token) to the counter."""
    ticket = queue_of(request).call(counter, body.ticket, staff=_staff(who, body),
                                    expect=body.expect, holder=_holder(who))
    changed(request)
    return ticket.to_json()


def _simple(op: str, doc: str) -> None:
    def route(request: Request, counter: CounterId, who: AtCounter,
              body: CounterAction | None = None) -> Json:
        ticket = getattr(queue_of(request), op)(counter, expect=_expect(body), holder=_holder(who))
        changed(request)
        return ticket.to_json()
    route.__name__ = op
    route.__doc__ = doc
    router.post(f"/counters/{{counter}}/{op.replace('_', '-')}", tags=["counters"])(route)


_simple("recall", "Call the counter's current ticket once more.")
_simple("start", "The called visitor has arrived: start serving.")
_simple("no_show", "The called visitor did not come.")


@router.post("/counters/{counter}/finish", tags=["counters"])
def finish(request: Request, counter: CounterId, who: AtCounter,
           body: FinishBody | None = None) -> Json:
    """The visit at the counter is over."""
    ticket = queue_of(request).finish(counter, (body or FinishBody()).outcome, expect=_expect(body),
                                      holder=_holder(who))
    changed(request)
    return ticket.to_json()


@router.post("/counters/{counter}/transfer", tags=["counters"])
def transfer(request: Request, counter: CounterId, body: TransferBody, who: AtCounter) -> Json:
    """Send the counter's visitor back to the queue of another service."""
    ticket = queue_of(request).transfer(counter, body.service, expect=body.expect,
                                        holder=_holder(who))
    changed(request)
    return ticket.to_json()


@router.post("/counters/{counter}/open", tags=["counters"])
def open_counter(request: Request, counter: CounterId, who: Opener,
                 body: OpenBody | None = None) -> Json:
    """Open the counter; a staff member's session then acts for this counter. A counter another
    signed-in staff member holds needs `takeover: true` (else 409 CounterHeld); their sessions
    then lose it (403 CounterTakenOver)."""
    state = claim_counter(queue_of(request), request.app.state.accounts, counter,
                          _staff(who, body), who.session, bool(body and body.takeover))
    changed(request)
    return state.to_json()


@router.post("/counters/{counter}/pause", tags=["counters"])
def pause_counter(request: Request, counter: CounterId, who: AtCounter) -> Json:
    """The counter stops calling for a while."""
    state = queue_of(request).pause_counter(counter, holder=_holder(who))
    changed(request)
    return state.to_json()


@router.post("/counters/{counter}/close", tags=["counters"])
def close_counter(request: Request, counter: CounterId, who: AtCounter) -> Json:
    """The counter closes (it must have no visitor)."""
    state = queue_of(request).close_counter(counter, holder=_holder(who))
    changed(request)
    return state.to_json()


# ---- the phone's routes: the ticket's own token is the credential ----------------------------
@router.get("/status/{token}", tags=["phone"])
def status(request: Request, token: Token) -> Json:
    """What a phone shows: the ticket with people ahead and the estimated wait."""
    return queue_of(request).status(token).to_json(include_token=True)  # the caller holds it


@router.post("/status/{token}/rate", tags=["phone"])
def rate(request: Request, token: Token, body: RateBody) -> Json:
    """Store the visitor's 1–5 rating of the visit, once per ticket."""
    ticket = queue_of(request).rate(token, body.score)
    changed(request)
    return ticket.to_json(include_token=True)  # the caller holds it


# ---- devices, boards, reports -------------------------------------------------------------
@router.post("/devices/report", tags=["devices"])
def report_device(request: Request, body: DeviceReportBody, who: Any_) -> Json:
    """A kiosk reports its printer (printed, print_failed, printer_paper_out, printer_ok…); a
    board its sound (board_silent, speech_missing, board_ok)."""
    role = DEVICE_ROLE_OF_CHANNEL["sound" if body.kind in DEVICE_CHANNELS["sound"][0] +
                                  DEVICE_CHANNELS["sound"][1] else "printer"]
    if who.kind != "device" or who.role != role:
        raise Forbidden(f"only {role} tokens may report {body.kind}")
    event = queue_of(request).report_device(body.source, body.kind, body.message, body.ticket_id)
    changed(request)
    return event.to_json()


@router.get("/snapshot", tags=["board"])
def snapshot(request: Request, who: Any_,
             zone: Annotated[str | None, Query(max_length=64)] = None) -> Json:
    """What a board shows now."""
    return queue_of(request).snapshot(zone).to_json()


@router.get("/events", tags=["board"])
def events(request: Request, who: Any_,
           after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
           limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> list[Json]:
    """The changes after an event id, oldest first."""
    return [e.to_json() for e in queue_of(request).events(after_id, limit)]


@router.get("/events/last", tags=["board"])
def last_event(request: Request, who: Any_) -> Json:
    """The newest event's id."""
    return {"last_event_id": queue_of(request).last_event_id()}
