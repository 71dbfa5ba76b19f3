"""The JSON API: one route per queue operation. Reads need a device token or a staff session;
counter actions need a device token or the session of the staff member who opened that counter;
issuing tickets and printer reports need a device token; the phone's routes need its token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from server.api.schemas import (
    MAX_ID,
    CallBody,
    ConfigOut,
    ConfigVersionOut,
    CorrectBody,
    CounterAction,
    CounterStateOut,
    DeviceReportBody,
    ErrorBody,
    EventOut,
    FinishBody,
    HealthOut,
    IssueBody,
    LastEventOut,
    OpenBody,
    RateBody,
    SnapshotOut,
    StaffBody,
    TicketOut,
    TicketWithToken,
    TransferBody,
    VisitEndOut,
)
from server.auth.accounts import Forbidden, NotAuthorised
from server.auth.caller import (
    SESSION_COOKIE,
    Caller,
    bearer_token,
    caller,
    counter_opener,
    device_only,
    for_counter,
    staff_name,
)
from server.auth.counter_claims import open_counter as claim_counter
from server.http import offload
from server.served_queue import ServedQueue
from shared.client import api_table as api
from shared.config.centre import config_document
from shared.config.versions import device_version, reads_staff_pin
from shared.core.model import reporting_role
from shared.version import VERSION

CounterId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
TicketRef = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
Token = Annotated[str, Path(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
KioskId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Json = dict[str, Any]

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 429, 503)}

router = APIRouter(prefix=api.API, responses=ERRORS)


def route(r: api.Route, **options: Any) -> Callable[[Any], Any]:
    """Declare a route of the API table (shared/client/api_table.py: RemoteQueue's too)."""
    return router.api_route(r.path, methods=[r.method], **options)


def queue_of(request: Request) -> ServedQueue:
    """The server's queue: the centre's own SQLite file."""
    return request.app.state.queue


def changed(request: Request, bookings: bool = False) -> None:
    """A write went through: let the event hub read it right away; a write to the bookings
    also wakes the link to the national desk, which then sees it at once."""
    request.app.state.hub.poke()
    if bookings and request.app.state.booking_link is not None:
        request.app.state.booking_link.wake()


async def signed(request: Request) -> None:
    """Dependency, on the event loop and without the database: the request carries a device
    token or a session cookie at all (checked before its body is parsed; whose they are is
    checked in the route's one trip to a thread)."""
    if bearer_token(request) is None and not request.cookies.get(SESSION_COOKIE):
        raise NotAuthorised("sign in first (no staff session or device token)")


SIGNED = [Depends(signed)]


def answer(data: Any) -> JSONResponse:
    """The route's answer, already JSON-shaped (the route's response_model documents it and the
    schemathesis tests check it; FastAPI does not validate it a second time per request)."""
    return JSONResponse(data)


async def as_reader(request: Request, read: Callable[[Caller], Any],
                    allow: Callable[[Request], Caller] = caller) -> JSONResponse:
    """Check the caller and read, in one trip to the read lane."""
    return answer(await offload.read(request, lambda: read(allow(request))))


async def as_writer(request: Request, write: Callable[[Caller], Any],
                    allow: Callable[[Request], Caller] = caller,
                    bookings: bool = False) -> JSONResponse:
    """Check the caller and write, in one trip to the write lane; the hub reads the change at
    once (also when the write failed half-way: a poke costs nothing); `bookings`: the write
    may change a booking (changed)."""
    try:
        return answer(await offload.write(request, lambda: write(allow(request))))
    finally:
        changed(request, bookings)


class Act:
    """What a counter action passes on to the queue: the staff name from the caller's identity
    and the guards the queue checks inside the action's own transaction — `expect` (the ticket
    the caller's screen shows) and `holder` (a signed-in staff member acts only while the
    counter is open in their name)."""

    def __init__(self, staff: str | None, expect: str | None, holder: str | None):
        self.staff, self.expect, self.holder = staff, expect, holder

    @property
    def guards(self) -> dict[str, str | None]:
        return {"expect": self.expect, "holder": self.holder}


def holder_of(who: Caller) -> str | None:
    return who.staff if who.kind != "device" else None


async def at_counter(request: Request, counter: str, body: CounterAction | None,
                     act: Callable[[ServedQueue, Act], Any],
                     asked_staff: str | None = None) -> JSONResponse:
    """A counter action: the caller's right to this counter, the staff name from its identity
    (`asked_staff`: the name the body gave), and the action with its guards — one thread hop,
    one queue transaction."""
    def run(who: Caller) -> Any:
        staff = staff_name(who, asked_staff)
        expect = body.expect if body is not None else None
        return act(queue_of(request), Act(staff, expect, holder_of(who))).to_json()
    return await as_writer(request, run, allow=lambda r: for_counter(r, counter))


@route(api.HEALTH, tags=["meta"], response_model=HealthOut)
async def health() -> JSONResponse:
    """Whether the server is up and which version it runs (no authentication, no queue data, no
    thread needed): devices and `novbe doctor` compare the version with their own."""
    return answer({"ok": True, "version": VERSION})


@route(api.CONFIG, tags=["meta"], response_model=ConfigOut, dependencies=SIGNED)
async def get_config(request: Request) -> JSONResponse:
    """The centre config as its file's tables (shared.config.centre.parse_config reads it back
    into an equal config); without [central] or [sms], and the kiosk's staff PIN only for kiosk
    tokens."""
    return await as_reader(request, lambda who: config_document(
        request.app.state.config, device=True, staff_pin=reads_staff_pin(who.role)))


@route(api.CONFIG_VERSION, tags=["meta"], response_model=ConfigVersionOut,
            dependencies=SIGNED)
async def get_config_version(request: Request) -> JSONResponse:
    """The version of the centre config (a hash): remote kiosks and boards ask for it every
    few seconds and read /api/config again when it changes — no restart, no stale hours."""
    return await as_reader(request, lambda who: {
        "version": device_version(request.app.state.config, who.role)})


# ---- tickets -------------------------------------------------------------------------------
@route(api.ISSUE, tags=["tickets"], response_model=TicketWithToken, dependencies=SIGNED)
async def issue(request: Request, body: IssueBody) -> JSONResponse:
    """Issue a ticket for a service (kiosks). The answer has the ticket's token (for its QR
    code); a retry with the same `request_id` returns the same ticket."""
    return await as_writer(request, lambda who: queue_of(request).issue(
        body.service, priority=body.priority, language=body.language,
        source=body.source or who.name, check_hours=body.check_hours,
        request_id=body.request_id).to_json(include_token=True), allow=device_only)


@route(api.ISSUED_FOR, tags=["tickets"], response_model=TicketWithToken,
            dependencies=SIGNED)
async def issued_for(request: Request, request_id: Token) -> JSONResponse:
    """Today's ticket issued for a kiosk's request id: a kiosk that gave up on an answer
    looks up whether its ticket was issued after all."""
    return await as_reader(request, lambda who: queue_of(request).issued_for(request_id).to_json(
        include_token=True), allow=device_only)


@route(api.TICKET, tags=["tickets"], response_model=TicketOut, dependencies=SIGNED)
async def get_ticket(request: Request, ref: TicketRef) -> JSONResponse:
    """Today's ticket with this code, or the ticket with this token."""
    return await as_reader(request, lambda who: queue_of(request).ticket(ref).to_json())


@route(api.CANCEL, tags=["tickets"], response_model=TicketOut, dependencies=SIGNED)
async def cancel(request: Request, ref: TicketRef) -> JSONResponse:
    """Withdraw a waiting or called ticket."""
    return await as_writer(request, lambda who: queue_of(request).cancel(ref).to_json(),
                           allow=device_only)


@route(api.WAITING, tags=["tickets"], response_model=list[TicketOut], dependencies=SIGNED)
async def waiting(request: Request,
                  counter: Annotated[str | None, Query(max_length=16)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> JSONResponse:
    """Waiting tickets in calling order, for one counter's services or all."""
    return await as_reader(request, lambda who: [
        t.to_json() for t in queue_of(request).waiting(counter, limit)])


# ---- counters ------------------------------------------------------------------------------
@route(api.COUNTER, tags=["counters"], response_model=CounterStateOut, dependencies=SIGNED)
async def counter_state(request: Request, counter: CounterId) -> JSONResponse:
    """The counter's mode, staff and current ticket."""
    return await as_reader(request, lambda who: queue_of(request).counter_state(counter).to_json())


@route(api.CALL_NEXT, tags=["counters"], response_model=TicketOut, dependencies=SIGNED)
async def call_next(request: Request, counter: CounterId,
                    body: StaffBody | None = None) -> JSONResponse:
    """End the counter's visit and call the next ticket it may serve."""
    return await at_counter(request, counter, body,
                            lambda q, a: q.call_next(counter, staff=a.staff, **a.guards),
                            body.staff if body else None)


@route(api.CALL, tags=["counters"], response_model=TicketOut, dependencies=SIGNED)
async def call(request: Request, counter: CounterId, body: CallBody) -> JSONResponse:
    """Call one waiting ticket (by code or token) to the counter."""
    return await at_counter(request, counter, body,
                            lambda q, a: q.call(counter, body.ticket, staff=a.staff, **a.guards),
                            body.staff)


@route(api.RECALL, tags=["counters"], response_model=TicketOut, dependencies=SIGNED)
async def recall(request: Request, counter: CounterId,
                 body: CounterAction | None = None) -> JSONResponse:
    """Call the counter's current ticket once more."""
    return await at_counter(request, counter, body, lambda q, a: q.recall(counter, **a.guards))


@route(api.START, tags=["counters"], response_model=TicketOut, dependencies=SIGNED)
async def start(request: Request, counter: CounterId,
                body: CounterAction | None = None) -> JSONResponse:
    """The called visitor has arrived: start serving."""
    return await at_counter(request, counter, body, lambda q, a: q.start(counter, **a.guards))


@route(api.NO_SHOW, tags=["counters"], response_model=TicketOut, dependencies=SIGNED)
async def no_show(request: Request, counter: CounterId,
                  body: CounterAction | None = None) -> JSONResponse:
    """The called visitor did not come."""
    return await at_counter(request, counter, body, lambda q, a: q.no_show(counter, **a.guards))


@route(api.FINISH, tags=["counters"], response_model=TicketOut, dependencies=SIGNED)
async def finish(request: Request, counter: CounterId,
                 body: FinishBody | None = None) -> JSONResponse:
    """The visit at the counter is over."""
    outcome = (body or FinishBody()).outcome
    return await at_counter(request, counter, body,
                            lambda q, a: q.finish(counter, outcome, **a.guards))


@route(api.CORRECT, tags=["counters"], response_model=VisitEndOut, dependencies=SIGNED)
async def correct(request: Request, counter: CounterId, body: CorrectBody) -> JSONResponse:
    """Put right the outcome recorded moments ago ([visits] undo_s) for a visit that ended at
    this counter: served, unresolved, referred or no_show (did not come)."""
    return await at_counter(request, counter, None,
                            lambda q, a: q.correct(counter, body.ticket, body.outcome, a.holder))


@route(api.TRANSFER, tags=["counters"], response_model=TicketOut, dependencies=SIGNED)
async def transfer(request: Request, counter: CounterId, body: TransferBody) -> JSONResponse:
    """Send the counter's visitor back to the queue of another service."""
    return await at_counter(request, counter, body,
                            lambda q, a: q.transfer(counter, body.service, **a.guards))


@route(api.OPEN, tags=["counters"], response_model=CounterStateOut, dependencies=SIGNED)
async def open_counter(request: Request, counter: CounterId,
                       body: OpenBody | None = None) -> JSONResponse:
    """Open the counter; a staff member's session then acts for this counter. A counter another
    signed-in staff member holds needs `takeover: true` (else 409 CounterHeld); their sessions
    then lose it (403 CounterTakenOver)."""
    def run(who: Caller) -> Any:
        staff = staff_name(who, body.staff if body else None)
        return claim_counter(queue_of(request), request.app.state.accounts, counter, staff,
                             who.session, bool(body and body.takeover)).to_json()
    return await as_writer(request, run, allow=lambda r: counter_opener(r, counter))


@route(api.PAUSE, tags=["counters"], response_model=CounterStateOut, dependencies=SIGNED)
async def pause_counter(request: Request, counter: CounterId) -> JSONResponse:
    """The counter stops calling for a while."""
    return await as_writer(request, lambda who: queue_of(request).pause_counter(
        counter, holder=holder_of(who)).to_json(), allow=lambda r: for_counter(r, counter))


@route(api.CLOSE, tags=["counters"], response_model=CounterStateOut, dependencies=SIGNED)
async def close_counter(request: Request, counter: CounterId) -> JSONResponse:
    """The counter closes (it must have no visitor)."""
    return await as_writer(request, lambda who: queue_of(request).close_counter(
        counter, holder=holder_of(who)).to_json(), allow=lambda r: for_counter(r, counter))


# ---- the phone's routes: the ticket's own token is the credential ----------------------------
def _anyone(request: Request) -> Caller:
    return Caller("phone", "phone")


@route(api.STATUS, tags=["phone"], response_model=TicketWithToken)
async def status(request: Request, token: Token) -> JSONResponse:
    """What a phone shows: the ticket with people ahead and the estimated wait."""
    return await as_reader(request, lambda who: queue_of(request).status(token).to_json(
        include_token=True), allow=_anyone)   # the caller holds the token


@route(api.RATE, tags=["phone"], response_model=TicketWithToken)
async def rate(request: Request, token: Token, body: RateBody) -> JSONResponse:
    """Store the visitor's 1–5 rating of the visit, once per ticket."""
    return await as_writer(request, lambda who: queue_of(request).rate(token, body.score).to_json(
        include_token=True), allow=_anyone)


# ---- devices, boards, reports -------------------------------------------------------------
@route(api.DEVICE_REPORT, tags=["devices"], response_model=EventOut, dependencies=SIGNED)
async def report_device(request: Request, body: DeviceReportBody) -> JSONResponse:
    """A kiosk reports its printer (printed, print_failed, printer_paper_out, printer_ok…); a
    board its sound (board_silent, speech_missing, board_ok)."""
    return await as_writer(request, lambda who: queue_of(request).report_device(
        body.source, body.kind, body.message, body.ticket_id).to_json(),
        allow=lambda r: reporter_of(r, body.kind))


def reporter_of(request: Request, kind: str) -> Caller:
    """The device allowed to report `kind` (shared.core.model.reporting_role): a kiosk its
    printer, a board its sound — the same list a local device reports from."""
    who = caller(request)
    role = reporting_role(kind)
    if role is None:
        raise Forbidden(f"no device reports {kind}: the server itself raises it")
    if who.kind != "device" or who.role != role:
        raise Forbidden(f"only {role} tokens may report {kind}")
    return who


@route(api.PRINT_REQUESTS, tags=["devices"], response_model=list[TicketWithToken],
            dependencies=SIGNED)
async def print_requests(request: Request, source: KioskId) -> JSONResponse:
    """The tickets issued at /assist for the kiosk `source` to print, not printed yet (kiosk
    tokens only: the answer has each ticket's token, for its QR code)."""
    return await as_reader(request, lambda who: [
        t.to_json(include_token=True) for t in queue_of(request).print_requests(source)],
        allow=device_only)


@route(api.SNAPSHOT, tags=["board"], response_model=SnapshotOut, dependencies=SIGNED)
async def snapshot(request: Request,
                   zone: Annotated[str | None, Query(max_length=64)] = None) -> JSONResponse:
    """What a board shows now."""
    return await as_reader(request, lambda who: queue_of(request).snapshot(zone).to_json())


@route(api.EVENTS, tags=["board"], response_model=list[EventOut], dependencies=SIGNED)
async def events(request: Request,
                 after_id: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> JSONResponse:
    """The changes after an event id, oldest first."""
    return await as_reader(request, lambda who: [
        e.to_json() for e in queue_of(request).events(after_id, limit)])


@route(api.LAST_EVENT, tags=["board"], response_model=LastEventOut, dependencies=SIGNED)
async def last_event(request: Request) -> JSONResponse:
    """The newest event's id."""
    return await as_reader(request, lambda who: {
        "last_event_id": queue_of(request).last_event_id()})
