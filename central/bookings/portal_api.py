"""The portals' booking API on `novbe central serve` (OpenAPI at /api/openapi.json): a portal's
bearer token may read free national seats, book and cancel — nothing else — at every centre or
only those its token names. Bodies are validated by pydantic; a retried request (the same
`request_id`) never books twice."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import psycopg
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from central.bookings import desk
from central.bookings.errors import DeskRefused, NotFound
from central.bookings.offer import day_offer, db_now, offered_config
from central.bookings.pool import BookingPool
from central.bookings.portals import token_hash
from server.auth.accounts import NotAuthorised
from server.auth.caller import bearer_token
from server.shipping.link import SCHEMA
from shared.bookings.model import Booking, Channel

Word = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]


class BookingIn(BaseModel):
    """A booking asked for by a portal."""

    request_id: Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                     description="the portal's id of this request: sent "
                                     "again, it returns the booking made the first time")]
    centre: Word
    service: Word
    slot_start: AwareDatetime = Field(description="the slot's start, with its UTC offset")
    lang: Literal["az", "ru", "en"] = "az"
    name: Annotated[str | None, Field(max_length=120)] = None
    phone: Annotated[str | None, Field(max_length=40)] = None


class CancelIn(BaseModel):
    """A cancellation by code."""

    centre: Word
    code: Annotated[str, Field(min_length=4, max_length=20)]


class BookingOut(BaseModel):
    """A booking as the portal gets it back (no name or phone)."""

    id: str
    code: str
    centre: str
    service: str
    slot_start: datetime
    lang: str
    status: str


class SlotOut(BaseModel):
    """One slot's national seats."""

    slot_start: datetime
    national_free: int
    bookable: bool


class Refusal(BaseModel):
    """Why a request was refused: `error` is the rule's word, `message` says it; a slot with no
    seat left also names the same day's nearest one still bookable (ISO 8601, the centre's
    offset), when there is one."""

    error: str
    message: str
    nearest_slot_start: str | None = None


REFUSED: dict[int | str, dict[str, Any]] = {409: {"model": Refusal}, 404: {"model": Refusal}, 401: {"model": Refusal},
           403: {"model": Refusal}, 422: {"description": "the body is not valid"}}


Who = tuple[str, tuple[str, ...] | None]


def portal(request: Request) -> Who:
    """Dependency: the portal behind the bearer token (its name, the centres it may book)."""
    token = bearer_token(request)
    if token is None:
        raise NotAuthorised("a portal's bearer token is needed")
    with request.app.state.booking_pool.connection() as conn:
        row = conn.execute(f"SELECT name, centres FROM {SCHEMA}.portals WHERE "
                           "token_sha256 = %s", (token_hash(token),)).fetchone()
    if row is None:
        raise NotAuthorised("unknown or revoked portal token")
    return str(row[0]), (tuple(row[1]) if row[1] is not None else None)


Portal = Annotated[Who, Depends(portal)]


def portal_router(pool: BookingPool) -> APIRouter:
    """The API's routes over `pool`."""
    router = APIRouter(prefix="/api/v1", tags=["bookings"])

    def allowed(who: Who, centre: str) -> None:
        if who[1] is not None and centre not in who[1]:
            raise DeskRefused("not_your_centre", centre=centre)

    @router.get("/centres/{centre}/slots", responses=REFUSED)
    def slots(centre: Word, who: Portal,
              service: Annotated[str, Query(min_length=1, max_length=60)],
              day: date) -> list[SlotOut]:
        """The national seats of a service's slots on a day (the centre's service day)."""
        allowed(who, centre)
        with pool.connection() as conn:
            config = offered_config(conn, centre)
            offers = day_offer(conn, config, service, day, db_now(conn))
        return [SlotOut(slot_start=datetime.fromtimestamp(o.slot_start, config.tz),
                        national_free=o.national_free, bookable=o.national_free > 0)
                for o in offers]

    @router.post("/bookings", status_code=201, responses=REFUSED)
    def book(body: BookingIn, who: Portal) -> BookingOut:
        """Book a national seat; the same request_id again returns the same booking."""
        allowed(who, body.centre)
        req = desk.BookingRequest(body.centre, body.service, body.slot_start.timestamp(),
                                  body.lang, Channel.API, f"portal:{who[0]}", body.name,
                                  body.phone, f"portal:{who[0]}:{body.request_id}")
        with pool.connection() as conn:
            return _out(desk.book(conn, req), conn)

    @router.post("/bookings/cancel", responses=REFUSED)
    def cancel(body: CancelIn, who: Portal) -> BookingOut:
        """Cancel an open national booking by its code; its seat is free again."""
        allowed(who, body.centre)
        with pool.connection() as conn:
            try:
                return _out(desk.cancel(conn, body.centre, body.code, f"portal:{who[0]}"), conn)
            except DeskRefused as exc:
                if exc.reason == "not_open":     # cancelled already: a retry gets the booking
                    found = desk.find(conn, body.centre, body.code)
                    if found.status == "cancelled":
                        return _out(found, conn)
                raise

    return router


def _out(b: Booking, conn: psycopg.Connection) -> BookingOut:
    tz = offered_config(conn, b.centre).tz
    return BookingOut(id=b.id, code=b.code, centre=b.centre, service=b.service,
                      slot_start=datetime.fromtimestamp(b.slot_start, tz), lang=b.lang,
                      status=b.status.value)


def refusal_response(exc: DeskRefused, lang: str) -> JSONResponse:
    """The API's answer to a refusal: its word and its sentence."""
    status = 404 if isinstance(exc, NotFound) else 422 if exc.reason.startswith("bad_") else 409
    if exc.reason == "not_your_centre":
        status = 403
    refusal = Refusal(error=exc.reason, message=exc.said(lang),
                      nearest_slot_start=exc.params.get("nearest_at"))
    return JSONResponse(refusal.model_dump(exclude_none=True), status_code=status)
