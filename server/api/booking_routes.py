"""Bookings over HTTP: a kiosk (its device token) or a staff member checks a booked visitor in by
code — the same check-in a kiosk on the centre's own file makes (shared/bookings/checkin.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from server.api.routes import ERRORS, SIGNED, as_writer, queue_of
from server.api.schemas import PLAIN, Body
from server.auth.accounts import Forbidden
from server.auth.caller import Caller, caller
from shared.client import api_table as api

router = APIRouter(prefix=api.API, responses=ERRORS)


class CheckInBody(Body):
    """`code`: what the visitor typed or the scanner read (a bare code, "NOVBE:CODE" or a URL
    ending in it); `walk_in_if_early`: too early, the visitor takes a walk-in ticket instead."""

    code: Annotated[str, Field(min_length=1, max_length=200, pattern=PLAIN)]
    walk_in_if_early: bool = False


class CheckInOut(Body):
    outcome: str
    booking: dict[str, Any] | None = None
    ticket: dict[str, Any] | None = None
    come_back_at: float | None = None


def checks_in(request: Request) -> Caller:
    """A kiosk's token, or a signed-in staff member (reception, counter, manager); a board or a
    counter device checks nobody in."""
    who = caller(request)
    if who.kind == "device" and who.role != "kiosk":
        raise Forbidden(f"a {who.role} device may not check visitors in")
    return who


@router.api_route(api.CHECK_IN.path, methods=[api.CHECK_IN.method], tags=["bookings"],
                  response_model=CheckInOut, dependencies=SIGNED)
async def check_in(request: Request, body: CheckInBody) -> JSONResponse:
    """Check a booked visitor in: the outcome (checked_in, early with `come_back_at`,
    early_walk_in, late_walk_in, already, unknown, cancelled), the booking without the
    visitor's name and phone, and the ticket given (with its token, for its QR code)."""
    return await as_writer(request, lambda who: queue_of(request).check_in(
        body.code, body.walk_in_if_early, who.name).to_json(), allow=checks_in, bookings=True)
