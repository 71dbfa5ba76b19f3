"""The 142 call centre's page on `novbe central serve` (staff role "booking"): pick a centre,
a service and a day, see each slot's free seats, book with an optional name and phone, show the
code; find and cancel by code. Refusals come back on the same page in plain words, the form as
it was typed."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from central.bookings import desk
from central.bookings.desk_view import describe, desk_view
from central.bookings.errors import DeskRefused
from central.bookings.pool import BookingPool
from server.auth.accounts import Forbidden, NotAuthorised, Session
from server.auth.caller import check_form_post, session_of
from server.pages.web import language, render
from shared.bookings.model import Channel

DESK_ROLES = ("booking", "manager")
Short = Annotated[str, Form(max_length=200)]
Field = Annotated[str, Form(max_length=120)]
Picked = Annotated[str | None, Query(max_length=60)]
STATUS_SAID = {"booked": "Booked", "cancelled": "Cancelled", "checked_in": "Checked in",
               "no_show": "Did not come", "late_walk_in": "Came late: given a walk-in ticket"}


def desk_router(pool: BookingPool) -> APIRouter:
    """The page's routes over the booking connections of `pool`."""
    router = APIRouter(include_in_schema=False)

    @router.get("/booking")
    def page(request: Request, centre: Picked = None, service: Picked = None,
             day: Picked = None) -> Response:
        session = _desk_session(request)
        if session is None:
            return RedirectResponse("/", status_code=303)
        return _show(request, pool, session, centre, service, day)

    @router.post("/booking/book")
    def book(request: Request, centre: Short, service: Short, day: Short, csrf: Short,
             request_id: Short, slot: Short = "", name: Field = "", phone: Field = "",
             visitor_lang: Short = "az") -> Response:
        session = _need_desk(request, csrf)
        typed = {"name": name, "phone": phone, "visitor_lang": visitor_lang, "slot": slot}
        try:
            start = float(slot)
        except ValueError:
            return _show(request, pool, session, centre, service, day, typed=typed,
                         error=_said(request, "Choose a time first."), status=422)
        req = desk.BookingRequest(centre, service, start, visitor_lang, Channel.CALL_CENTRE,
                                  session.staff, name, phone, f"desk:{request_id}")
        try:
            with pool.connection() as conn:
                booking = desk.book(conn, req)
        except DeskRefused as exc:
            if exc.params.get("nearest_start") is not None:   # offered: chosen for the caller
                typed["slot"] = str(exc.params["nearest_start"])
            return _show(request, pool, session, centre, service, day, typed=typed,
                         error=exc.said(language(request)), status=409)
        return _show(request, pool, session, centre, service, day, booked=booking)

    @router.get("/booking/find")
    def find(request: Request, centre: Picked = None, code: Picked = None) -> Response:
        session = _desk_session(request)
        if session is None:
            return RedirectResponse("/", status_code=303)
        if not centre or not code:
            return _show(request, pool, session, centre, None, None)
        try:
            with pool.connection() as conn:
                found = desk.find(conn, centre, code)
        except DeskRefused as exc:
            return _show(request, pool, session, centre, None, None,
                         error=exc.said(language(request)), status=404)
        return _show(request, pool, session, centre, found.service, None, found=found)

    @router.post("/booking/cancel")
    def cancel(request: Request, centre: Short, code: Short, csrf: Short) -> Response:
        session = _need_desk(request, csrf)
        try:
            with pool.connection() as conn:
                done = desk.cancel(conn, centre, code, session.staff)
        except DeskRefused as exc:
            return _show(request, pool, session, centre, None, None,
                         error=exc.said(language(request)), status=409)
        return _show(request, pool, session, centre, done.service, None, found=done,
                     notice=_said(request, "Booking {code} is cancelled; its seat is free "
                                  "again.", code=done.code))

    return router


def _show(request: Request, pool: BookingPool, session: Session, centre: str | None,
          service: str | None, day: str | None, *, status: int = 200, **extra: Any) -> Response:
    lang = language(request)
    try:
        chosen_day = date.fromisoformat(day) if day else None
    except ValueError:
        chosen_day, extra["error"] = None, _said(request, "A day is written 2026-12-31.")
        status = 422
    with pool.connection() as conn:
        view = desk_view(conn, lang, centre, service, chosen_day)
        for key in ("booked", "found"):
            if extra.get(key) is not None:
                extra[f"{key}_said"] = describe(conn, extra[key], lang)
    extra.setdefault("typed", {})
    return render(request, "booking_desk.html", status_code=status, lang=lang, session=session,
                  view=view, request_id=uuid.uuid4().hex,
                  status_said={k: _said(request, v) for k, v in STATUS_SAID.items()}, **extra)


def _said(request: Request, msgid: str, **kw: Any) -> str:
    from shared.i18n import tr

    return tr(language(request), msgid, **kw)


def _desk_session(request: Request) -> Session | None:
    session = session_of(request)
    if session is None:
        return None
    if request.app.state.accounts.role_of(session.staff) not in DESK_ROLES:
        raise Forbidden("the booking desk is for the roles booking and manager")
    return session


def _need_desk(request: Request, csrf: str) -> Session:
    session = _desk_session(request)
    if session is None:
        raise NotAuthorised("sign in first")
    check_form_post(request, session, csrf)
    return session
