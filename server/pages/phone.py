"""The phone page /t/{token}: one ticket, followed live; a 1–5 rating after the visit. The token
in the address is the only key: without it nothing is shown, and no page lists tickets."""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from server.api.routes import Token
from server.auth.caller import check_form_post
from server.pages.views import phone_view
from server.pages.web import LANGUAGES, render
from shared.core.errors import TicketNotFound
from shared.i18n import tr

router = APIRouter(include_in_schema=False)
JS_TEXTS = ("Live", "Reconnecting…", "Thank you for your rating!", "Could not send the rating",
            "Sound and vibration are on", "The screen stays on while this page is open.",
            "Keep this page open with the screen on: a locked phone cannot alert you here.",
            "You are 3rd in line: please come closer to the counters", "Your turn is soon",
            "It's your turn!")


TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,100}$")    # the shape of routes.Token


def missing_page(request: Request) -> Response:
    """404 for a token that is short, made up or of another day: a page in the reader's
    language (?lang=, cookie, the phone's languages; az first) with the other two a tap away."""
    return render(request, "phone_missing.html", status_code=404)


@router.get("/t/{token}")
def phone_page(request: Request, token: str) -> Response:
    """The ticket's page in the language the visitor chose at the kiosk (?lang= switches)."""
    if not TOKEN.match(token):
        return missing_page(request)
    try:
        ticket = request.app.state.queue.status(token)
    except TicketNotFound:
        return missing_page(request)
    asked = request.query_params.get("lang")
    lang = asked if asked in LANGUAGES else ticket.language
    view = phone_view(ticket, request.app.state.config, lang)
    texts = {msgid: tr(lang, msgid) for msgid in JS_TEXTS}
    return render(request, "phone.html", lang=lang, token=token, view=view,
                  centre=request.app.state.config.name(lang),
                  texts_json=json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c"))


@router.post("/t/{token}/rate")
def rate_form(request: Request, token: Token,
              score: Annotated[int, Form(ge=1, le=5)]) -> Response:
    """The rating without JavaScript: a plain form post, then back to the page."""
    check_form_post(request, None, None)
    request.app.state.queue.rate(token, score)
    request.app.state.hub.poke()
    return RedirectResponse(f"/t/{token}", status_code=303)


@router.get("/t")
@router.get("/t/")
def no_listing(request: Request) -> Response:
    """There is no list of tickets: a ticket is only reached through its own token."""
    return missing_page(request)
