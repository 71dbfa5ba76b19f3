"""The booking desk /desk at the centre's reception: pick a service and day, see the free slots,
book one (name and phone optional), print or show the code with its QR code, cancel, and check a
visitor in by code. Plain HTML forms (each post answered with a redirect or the page again with
the problem named); reception staff and managers may use it."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import Field

from server.api.routes import changed
from server.api.schemas import Body
from server.auth.accounts import Forbidden, NotAuthorised, Session
from server.auth.caller import caller, check_form_post, session_of
from server.auth.sign_in import sign_in_page, sign_out_page
from server.http import offload
from server.pages.desk_view import (
    bookable_services,
    booking_view,
    check_in_text,
    closed_day,
    printout_view,
    slots_view,
)
from server.pages.web import language, refused, render
from shared.bookings.errors import (
    BadPhone,
    BookingNotFound,
    BookingNotOpen,
    BookingRefused,
    SlotFull,
)
from shared.bookings.model import normal_code
from shared.bookings.phone import PHONE_RULE, normal_phone
from shared.bookings.slots import slot_day
from shared.core.errors import DuplicateRequest, NovbeError, UnknownService
from shared.core.service_day import service_day
from shared.i18n import tr

router = APIRouter(include_in_schema=False)
DESK_ROLES = ("reception", "manager")
Short = Annotated[str, Form(max_length=200)]
REFUSALS = {   # a booking refused, in the reader's words
    "closed_day": "The centre is closed that day.",
    "not_a_slot": "That time is not the start of a slot.",
    "past_slot": "That slot has already begun.",
    "no_capacity": "This service takes no bookings at that time.",
}


def desk_session(request: Request) -> Session:
    """A signed-in reception staff member or manager (401 / 403 otherwise)."""
    session = session_of(request)
    if session is None:
        raise NotAuthorised("sign in first")
    if request.app.state.accounts.role_of(session.staff) not in DESK_ROLES:
        raise Forbidden(f"{session.staff} may not use the booking desk (reception or manager)")
    return session


def _today(request: Request) -> date:
    config = request.app.state.config
    return service_day(request.app.state.clock.now(), config.tz, config.day_reset_hour)


def _desk(request: Request, session: Session, service: str, day: str, status_code: int = 200,
          error: str = "", notice: str = "", form: dict[str, str] | None = None) -> Response:
    """The desk page for a service and day (each read through the queue's read lane)."""
    state, lang = request.app.state, language(request)
    services = bookable_services(state.config, lang)
    chosen = service if any(s["id"] == service for s in services) else (
        services[0]["id"] if services else "")
    try:
        when = date.fromisoformat(day) if day else _today(request)
    except ValueError:
        when, error = _today(request), error or tr(lang, "Not a date: {value}", value=day)
    ledger = state.queue.bookings
    slots = slots_view(ledger, chosen, when) if chosen else []
    bookings = [booking_view(b, state.config, lang) for b in ledger.day_bookings(when)]
    return render(request, "desk.html", status_code=status_code, lang=lang, session=session,
                  services=services, service=chosen, day=when.isoformat(), slots=slots,
                  closed=closed_day(state.config, when), bookings=bookings, error=error,
                  notice=notice, form=form or {}, request_id=secrets.token_urlsafe(16),
                  enabled=state.config.bookings.enabled,
                  erase_days=state.config.bookings.erase_after_days,
                  sms_line=sms_line(state.queue, state.config, lang),
                  share_line=share_line(ledger, lang))


def share_line(ledger: Any, lang: str) -> str | None:
    """What a lowered or raised national share means for the seats here, or None."""
    said = [c.said(lang) for c in (ledger.share_lowered(), ledger.share_raised()) if c is not None]
    return " ".join(said) or None


def sms_line(queue: Any, config: Any, lang: str) -> str:
    """Whether reminders go out by SMS here, and how their delivery stands."""
    if config.sms is None:
        return tr(lang, "This centre sends no SMS reminders (no gateway configured).")
    counts = queue.bookings.reminder_counts()
    return tr(lang, "SMS reminders: {sent} sent, {pending} waiting, {failed} not delivered.",
              sent=counts.get("sent", 0), pending=counts.get("pending", 0),
              failed=counts.get("failed", 0))


@router.get("/desk")
def desk_page(request: Request, service: str = "", day: str = "",
              cancelled: str = "") -> Response:
    """The booking desk, or its sign-in form; a counter member of staff is told whose it is."""
    session, lang = session_of(request), language(request)
    if session is None:
        return render(request, "desk_login.html", lang=lang, error=None)
    role = request.app.state.accounts.role_of(session.staff)
    if role not in DESK_ROLES:
        return refused(request, session.staff, session.csrf, role, tr(lang, "Booking desk"),
                       tr(lang, "{name} may not use the booking desk: it is for reception "
                                "staff and managers.", name=session.staff))
    code = normal_code(cancelled[:12])
    notice = tr(lang, "Booking {code} cancelled.", code=code) if code.isalnum() else ""
    return _desk(request, session, service[:64], day[:10], notice=notice)


@router.post("/desk/login")
async def login(request: Request, username: Short, password: Short) -> Response:
    """Sign in (throttled like every staff sign-in), then on to /desk."""
    return await sign_in_page(request, username, password, "desk_login.html", "/desk")


@router.post("/desk/logout")
def logout(request: Request, csrf: Short = "") -> Response:
    return sign_out_page(request, desk_session(request), csrf, "/desk")


def _back(service: str, day: str, **more: str) -> RedirectResponse:
    return RedirectResponse("/desk?" + urlencode({"service": service, "day": day, **more}),
                            status_code=303)


@router.post("/desk/book")
async def book(request: Request, csrf: Short, service: Short, day: Short, slot: Short = "",
               language_: Annotated[str, Form(alias="language", max_length=8)] = "az",
               name: Annotated[str, Form(max_length=100)] = "",
               phone: Annotated[str, Form(max_length=30)] = "",
               request_id: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Book a slot in the signed-in staff member's name; a second submit of the same form
    (its request id) returns the same booking. The printout follows; a refusal is said."""
    session = desk_session(request)
    check_form_post(request, session, csrf)
    lang = language(request)
    form = {"name": name, "phone": phone, "language": language_, "slot": slot}
    problem = _form_problem(lang, slot, name, phone, language_)
    if problem:
        return _desk(request, session, service, day, 422, error=problem, form=form)
    ledger = request.app.state.queue.bookings
    try:
        booking = await offload.write(request, lambda: ledger.book_local(
            service, float(slot), language_, session.staff, name or None, phone or None,
            request_id or None))
    except SlotFull as exc:
        if exc.nearest is None:
            return _desk(request, session, service, day, 409, form=form,
                         error=tr(lang, "That slot is full, and so is every other slot of the "
                                        "day."))
        form["slot"] = f"{exc.nearest:.0f}"       # the nearest free one, chosen for the clerk
        at = datetime.fromtimestamp(exc.nearest, request.app.state.config.tz)
        return _desk(request, session, service, day, 409, form=form,
                     error=tr(lang, "That slot is full. The nearest free one, {time}, is chosen: "
                                    "book it or choose another.", time=f"{at:%H:%M}"))
    except BookingRefused as exc:
        return _desk(request, session, service, day, 409, form=form,
                     error=tr(lang, REFUSALS.get(exc.reason, "The booking was refused.")))
    except (UnknownService, DuplicateRequest) as exc:
        return _desk(request, session, service, day, 422, error=str(exc), form=form)
    finally:
        changed(request, bookings=True)
    return RedirectResponse(f"/desk/booking/{booking.code}", status_code=303)


def _form_problem(lang: str, slot: str, name: str, phone: str, booking_lang: str) -> str:
    """What is wrong with the booking form, in the reader's words ("" if nothing)."""
    try:
        float(slot)
    except ValueError:
        return tr(lang, "Choose a slot.")
    try:
        normal_phone(phone)
    except BadPhone:
        return tr(lang, PHONE_RULE)
    if any(ord(ch) < 32 for ch in name):
        return tr(lang, "The name has characters that cannot be printed.")
    if booking_lang not in ("az", "ru", "en"):
        return tr(lang, "Choose the visitor's language.")
    return ""


@router.get("/desk/booking/{code}")
def printout(request: Request, code: str) -> Response:
    """A booking's printout: its code large, its QR code, the time and the check-in window."""
    session, lang = desk_session(request), language(request)
    state = request.app.state
    try:
        booking = state.queue.bookings.find(code[:40])
    except BookingNotFound:
        return _desk(request, session, "", "", 404,
                     error=tr(lang, "No booking has the code {code}.", code=normal_code(code[:40])))
    return render(request, "desk_booking.html", lang=lang, session=session,
                  b=printout_view(booking, state.config, booking.lang),
                  day=slot_day(state.config, booking.slot_start).isoformat(),
                  service=booking.service)


@router.post("/desk/cancel")
async def cancel(request: Request, csrf: Short, code: Short, service: Short = "",
                 day: Short = "") -> Response:
    """Cancel a booking: its seat is free again."""
    session = desk_session(request)
    check_form_post(request, session, csrf)
    try:
        await offload.write(request, lambda: request.app.state.queue.bookings.cancel(
            code, session.staff))
    except (BookingNotFound, BookingNotOpen) as exc:
        return _desk(request, session, service, day, 409, error=str(exc))
    finally:
        changed(request, bookings=True)
    return _back(service, day, cancelled=normal_code(code))


@router.post("/desk/check-in")
async def check_in(request: Request, csrf: Short, code: Short, service: Short = "",
                   day: Short = "") -> Response:
    """Check a visitor in by code at the desk: the outcome in a sentence, on the desk page."""
    session = desk_session(request)
    check_form_post(request, session, csrf)
    lang = language(request)
    queue = request.app.state.queue
    try:
        result = await offload.write(request, lambda: queue.check_in(code, False, session.staff))
    except NovbeError as exc:
        return _desk(request, session, service, day, 409, error=str(exc))
    finally:
        changed(request, bookings=True)
    return _desk(request, session, service, day,
                 notice=check_in_text(result, request.app.state.config, lang))


class CheckInBody(Body):
    code: str = Field(min_length=1, max_length=200)


@router.post("/desk/check-in.json")
async def check_in_json(request: Request, body: CheckInBody) -> JSONResponse:
    """Check a visitor in by code from any staff page (the counter console's box): the outcome
    and one sentence in the reader's language (CSRF header, as the JSON API)."""
    lang, queue = language(request), request.app.state.queue

    def run() -> dict[str, str]:
        who = caller(request)
        if who.kind != "staff" or who.staff is None:
            raise NotAuthorised("sign in first")
        result = queue.check_in(body.code, False, who.staff)
        return {"outcome": result.outcome.value, "ticket": result.ticket.code if result.ticket else "",
                "text": check_in_text(result, request.app.state.config, lang)}
    try:
        return JSONResponse(await offload.write(request, run))
    finally:
        changed(request, bookings=True)
