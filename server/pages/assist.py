"""The help desk /assist, for phones and tablets: volunteers and reception issue a ticket for a
visitor (service, priority class with its reason) printed at a kiosk they pick or shown as a QR
code for the visitor's own phone, and answer visitors' help requests. Any signed-in staff member
may use it; it is the only page a volunteer may use."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from server.api.schemas import Body
from server.auth.accounts import NotAuthorised, Session
from server.auth.caller import caller, session_of
from server.auth.sign_in import sign_in_page, sign_out_page
from server.http import offload
from server.pages.assist_view import assist_state, issued_view, service_choices
from server.pages.views import ERROR_TEXTS
from server.pages.web import language, render
from shared.core.assisted import Assisted, AssistRefused, checked
from shared.i18n import tr

router = APIRouter(include_in_schema=False)
Short = Annotated[str, Form(max_length=200)]
JS_TEXTS = ("Live", "Reconnecting…", "Nobody has asked for help", "I'm going",
            "Printed at {kiosk}", "Issuing…", "Something is not right", "Choose a service",
            "No service matches", "Say why the visitor has priority",
            "Choose a kiosk printer from the list", "{n} services", "QR code of ticket {code}")


class AssistBody(Body):
    """What the help desk's form sends (checked by shared.core.assisted.checked, which names
    the field that is wrong in the reader's language)."""

    service: str = Field(default="", max_length=64)
    priority: str = Field(default="", max_length=64)
    reason: str = Field(default="", max_length=1000)
    language: str = Field(default="az", max_length=8)
    delivery: Literal["print", "phone"] = "phone"
    kiosk: str = Field(default="", max_length=200)


def _session(request: Request) -> Session:
    session = session_of(request)
    if session is None:
        raise NotAuthorised("sign in first")
    return session


@router.get("/assist")
def assist_page(request: Request) -> Response:
    """The help desk, or its sign-in form."""
    session = session_of(request)
    lang = language(request)
    if session is None:
        return render(request, "assist_login.html", lang=lang, error=None)
    config = request.app.state.config
    texts = {m: tr(lang, m) for m in JS_TEXTS}
    texts.update({name: tr(lang, msgid) for name, msgid in ERROR_TEXTS.items()})
    texts["DailyCapReached"] = tr(lang, "No more tickets for this service today. Please come "
                                        "again tomorrow.")        # the kiosk's own words
    return render(request, "assist.html", lang=lang, session=session,
                  services=service_choices(config, lang),
                  priorities=[(p.id, p.name(lang)) for p in config.priorities],
                  texts_json=json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c"))


@router.post("/assist/login")
async def login(request: Request, username: Short, password: Short) -> Response:
    """Sign in (throttled like every staff sign-in), then on to /assist."""
    return await sign_in_page(request, username, password, "assist_login.html", "/assist")


@router.post("/assist/logout")
def logout(request: Request, csrf: Short = "") -> Response:
    return sign_out_page(request, _session(request), csrf, "/assist")


@router.get("/assist/state.json")
async def state(request: Request) -> dict[str, Any]:
    """The kiosk printers to pick from (with their state) and the open help requests."""
    _session(request)
    lang = language(request)
    return await offload.read(request, lambda: assist_state(request.app.state.queue, lang))


@router.post("/assist/tickets")
async def issue(request: Request, body: AssistBody) -> Response:
    """Issue a ticket for a visitor in the signed-in staff member's name (CSRF header as the
    JSON API): 422 with the field and a sentence in the reader's language when the form is
    wrong; the ticket, and its QR code or the kiosk it prints at, when issued."""
    lang = language(request)
    queue = request.app.state.queue
    config = request.app.state.config

    def run() -> dict[str, Any]:
        who = caller(request)          # a staff session with the page's CSRF token
        if who.kind != "staff" or who.staff is None:
            raise NotAuthorised("sign in first")
        print_at = body.kiosk if body.delivery == "print" else None
        if body.delivery == "print" and not body.kiosk.strip():
            raise AssistRefused("kiosk", "Choose a kiosk printer from the list")
        service, priority, reason, print_at = checked(
            config, body.service, body.priority, body.reason, body.language, print_at)
        if print_at is not None and print_at not in queue.kiosk_printers():
            raise AssistRefused("kiosk", "Choose a kiosk printer from the list", print_at)
        ticket = queue.issue(service, priority=priority, language=body.language,
                             assisted=Assisted(who.staff, reason, print_at))
        return issued_view(ticket, config, lang, print_at, str(request.base_url))
    try:
        data = await offload.write(request, run)
    except AssistRefused as exc:
        return JSONResponse({"error": "AssistRefused", "field": exc.field,
                             "message": tr(lang, exc.msgid)}, status_code=422)
    finally:
        request.app.state.hub.poke()
    return JSONResponse(data)
