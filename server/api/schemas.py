"""The JSON bodies of the API, validated by pydantic (bad input → 422 with the reason)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.core.model import REPORTED_KINDS


def _plain_text(value: str) -> str:
    """Refuse text SQLite cannot store (lone surrogates) and control characters."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text is not valid Unicode") from None
    if any((ord(ch) < 32 and ch not in "\t\n") or ch == "\x7f" for ch in value):
        raise ValueError("text contains control characters")
    return value


PLAIN = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"     # no control characters (tab and newline allowed)
Text = Annotated[str, Field(pattern=PLAIN), AfterValidator(_plain_text)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=PLAIN),
               AfterValidator(_plain_text)]
OptionalId = Annotated[str | None, Field(default=None, max_length=64, pattern=PLAIN),
                       AfterValidator(lambda v: v if v is None else _plain_text(v))]
MAX_ID = 2**62


def _device_kind(value: str) -> str:
    if value not in REPORTED_KINDS:
        raise ValueError(f"unknown device event {value!r} (known: {', '.join(REPORTED_KINDS)})")
    return value


# Derived from shared.core.model's DEVICE_CHANNELS and CHANNEL_REPORTERS: a kind added there is
# accepted here too.
DeviceKind = Annotated[str, Field(max_length=64, json_schema_extra={"enum": list(REPORTED_KINDS)}),
                       AfterValidator(_device_kind)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IssueBody(Body):
    """`request_id`: a random id the kiosk makes per issue; sending it again (a retry after a
    lost answer) returns the ticket of the first try instead of issuing a second one."""

    service: Id
    priority: OptionalId = None
    language: Literal["az", "ru", "en"] = "az"
    source: OptionalId = None
    check_hours: bool = False
    request_id: Annotated[str | None, Field(default=None, min_length=16, max_length=64,
                                            pattern=r"^[A-Za-z0-9_-]+$")] = None


class CounterAction(Body):
    """`expect`: the ticket code the caller sees at the counter ("" for none). When given, the
    action is refused (409 CounterChanged) if the counter has moved on meanwhile — another tab
    or another staff member acted first — instead of acting on a visitor nobody looked at."""

    expect: Annotated[str | None, Field(default=None, max_length=16,
                                        pattern=r"^[A-Z0-9-]*$")] = None


class StaffBody(CounterAction):
    staff: OptionalId = None


class OpenBody(StaffBody):
    """`takeover`: open the counter even if another signed-in staff member holds it (their
    sessions then lose it); without it such an open is refused (409 CounterHeld)."""

    takeover: bool = False


class CallBody(CounterAction):
    ticket: Id
    staff: OptionalId = None


class FinishBody(CounterAction):
    outcome: Literal["served", "unresolved", "referred"] = "served"


class CorrectBody(Body):
    """Put right the outcome recorded moments ago (within [visits] undo_s) for `ticket`."""

    ticket: Id
    outcome: Literal["served", "unresolved", "referred", "no_show"]


class TransferBody(CounterAction):
    service: Id


class RateBody(Body):
    score: int = Field(ge=1, le=5)


class DeviceReportBody(Body):
    source: Id
    kind: DeviceKind
    message: Annotated[str, Field(max_length=500, pattern=PLAIN),
                       AfterValidator(_plain_text)] = ""
    ticket_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ErrorBody(BaseModel):
    error: str
    message: str
    ended: dict[str, Any] | None = None   # NoTicketWaiting: the visit Next ended before it


Json = dict[str, Any]


# ---- what the API answers (response_model of every route; schemathesis checks the answers) --
class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VisitEndOut(Out):
    """What a counter action recorded about the visit it ended: the ticket, how the visit ended
    and how long it lasted (from Start, else from the call; null for "did not come")."""

    ticket_id: int
    code: str
    outcome: Literal["served", "unresolved", "referred", "no_show"]
    seconds: int | None


class TicketOut(Out):
    """A ticket as the API shows it (without the phone page's token); `ended`: the visit the
    action ended (Next's, Finish's, No-show's) and what it recorded."""

    id: int
    code: str
    prefix: str
    number: int
    service: str
    priority: str | None
    language: str
    source: str | None
    status: Literal["waiting", "called", "serving", "done", "no_show", "cancelled", "expired"]
    service_day: str
    issued_at: str
    called_at: str | None
    started_at: str | None
    finished_at: str | None
    counter: str | None
    outcome: str | None
    recalls: int
    transfers: int
    rating: int | None
    ahead: int
    estimated_wait_min: int
    wait_low_min: int = 0     # the printed range ("10–15 min") when wait_high_min > wait_low_min
    wait_high_min: int = 0
    recalled_at: str | None = None
    no_counter_open: bool = False     # no counter for its service open: no minutes promised
    opens_at: str | None = None       # …and the centre opens at this time today
    ended: VisitEndOut | None = None
    slot_at: str | None = None        # a booked visitor's slot start (None: a walk-in)


class TicketWithToken(TicketOut):
    """A ticket with its token: only for the issuing kiosk and the ticket's own phone."""

    token: str


class CounterStateOut(Out):
    id: str
    mode: Literal["open", "paused", "closed"]
    staff: str | None
    ticket: TicketOut | None


class EventOut(Out):
    id: int
    at: str
    kind: str
    ticket_id: int | None
    code: str | None
    service: str | None
    counter: str | None
    staff: str | None
    source: str | None
    details: dict[str, Any]


class CallOut(Out):
    event_id: int
    at: str
    code: str
    counter: str
    service: str
    recall: bool


class LoadOut(Out):
    id: str
    waiting: int
    estimated_wait_min: int
    oldest_wait_min: int
    wait_low_min: int = 0
    wait_high_min: int = 0
    no_counter_open: bool = False
    opens_at: str | None = None


class AlertOut(Out):
    source: str
    kind: str
    message: str
    at: str


class SnapshotOut(Out):
    service_day: str
    last_event_id: int
    calls: list[CallOut]
    services: list[LoadOut]
    categories: list[LoadOut]
    counters: list[CounterStateOut]
    alerts: list[AlertOut]


class ConfigVersionOut(Out):
    """The centre config's version: a hash that changes whenever the config does."""

    version: str


class ConfigOut(Out):
    """The centre config as its file's tables (shared.config.centre.parse_config reads it)."""

    centre: dict[str, Any]
    hours: dict[str, Any]
    kiosk: dict[str, Any]
    board: dict[str, Any]
    priority: list[dict[str, Any]]
    category: list[dict[str, Any]]
    counter: list[dict[str, Any]]
    waits: dict[str, Any]
    fairness: dict[str, Any]
    visits: dict[str, Any]
    bookings: dict[str, Any]


class HealthOut(Out):
    ok: bool
    version: str


class LastEventOut(Out):
    last_event_id: int


class CentralStatusOut(Out):
    """How far behind the central PostgreSQL copy is (`shipping: false`: it ships nowhere)."""

    shipping: bool
    centre_id: str | None = None
    local_last_id: int | None = None
    acknowledged_id: int | None = None
    pending: int | None = None
    oldest_pending_at: float | None = None
    reachable: bool | None = None
    last_error: str | None = None
    last_shipped_at: float | None = None
    known_from: str | None = None
    lag_seconds: float | None = None
    generation: str | None = None     # the queue file's history being shipped
    differs: int | None = None        # events held centrally that differ from this file's
    unplaced: int | None = None       # ids held centrally beyond the newest event here
