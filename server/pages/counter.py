"""The counter console /counter: sign in, choose a counter, then one page with big buttons that
call the JSON API (with the session's CSRF token) and follow the event stream."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from server.api.error_status import http_status
from server.auth.accounts import Forbidden, NotAuthorised, Session
from server.auth.caller import check_form_post, session_of
from server.auth.counter_claims import CounterHeld, taken_over_by
from server.auth.counter_claims import open_counter as claim_counter
from server.auth.sign_in import sign_in_page, sign_out_page
from server.http import offload
from server.pages.shortcuts import shortcut_keys, upper
from server.pages.views import ERROR_TEXTS, GENERIC_ERROR, MODE_TEXTS, console_view, service_name
from server.pages.web import language, refused, render
from shared.collation import sort_key
from shared.config.centre import CentreConfig
from shared.core.errors import NovbeError
from shared.core.outcome_text import FINISH_LABELS, OUTCOME_TEXTS
from shared.i18n import tr

router = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=200)]
ACTIONS = (  # (action, label msgid), most used first: they choose their shortcut letters first
    ("next", "Next"), ("recall", "Recall"), ("start", "Start"), ("finish", "Finish"),
    ("no-show", "No-show"), ("transfer", "Transfer"), ("pause", "Pause"), ("open", "Resume"),
    ("close", "Close"),
)
# What Next would record now, said before it is pressed (the rule of shared/core/visits.py);
# what it did record is said with shared/core/outcome_text.py's messages.
NEXT_HINTS = {"walking": "Next will record {code} as did not come. In {time} it counts as at "
                         "the window; press Start when they reach it.",
              "at_window": "Next will record {code} as served. Nobody came? Press No-show.",
              "serving": "Next will record {code} as served."}
JS_TEXTS = ("Live", "Reconnecting…", "Waited", "Being served", "Called", "No visitor at the counter",
            "Nobody is waiting", "Choose a service to transfer to", "Open",
            "Ticket {code} called", "Counter closed", "Counter {counter} was taken over by {staff}",
            "Something is not right", "I'm going", "{code}: service started",
            "{code}: visit finished", "{code}: did not come", "{code}: sent to {service}",
            "Counter paused: nobody is called until you resume", "Counter open again",
            "corrected", "Undo: {code} was served", "Undo: {code} did not come",
            "Profile {name} from the next Next", "One moment: the last action is still being done")


def console_actions(lang: str) -> list[tuple[str, str, str, str]]:
    """(action, label, key, key as shown) of each button, the keys from the labels in `lang`."""
    labels = [tr(lang, msgid) for _, msgid in ACTIONS]
    return [(action, label, key, upper(key, lang))
            for (action, _), label, key in zip(ACTIONS, labels, shortcut_keys(labels, lang),
                                               strict=True)]


def counter_label(config: CentreConfig, services: tuple[str, ...], lang: str) -> str:
    """What a counter serves, for the list to choose from: "All services", or its first three."""
    if set(services) >= set(config.services):
        return tr(lang, "All services")
    names = sorted((service_name(config, s, lang) for s in services), key=sort_key(lang))
    return ", ".join(names[:3]) + ("…" if len(names) > 3 else "")


def _redirect(url: str = "/counter") -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, exc: NovbeError, headers: dict[str, str] | None) -> Response:
    """A NovbeError on a browser page, with its status code: a sentence of the catalog in the
    reader's language (the phone's: its ticket's) — the error's own English words only in
    English, and in the log."""
    lang = language(request)
    msgid = ERROR_TEXTS.get(type(exc).__name__)
    message = tr(lang, msgid) if msgid else (str(exc) if lang == "en" else tr(lang, GENERIC_ERROR))
    return render(request, "error.html", status_code=http_status(exc), headers=headers,
                  lang=lang, message=message)


def _staff_session(request: Request) -> Session:
    session = session_of(request)
    if session is None:
        raise NotAuthorised("sign in first")
    return session


SignedIn = Annotated[Session, Depends(_staff_session)]


def _choose_page(request: Request, session: Session, lang: str, error: str | None = None,
                 chosen: str | None = None, status_code: int = 200) -> Response:
    config = request.app.state.config
    states = {c.id: c for c in request.app.state.queue.snapshot().counters}
    counters = []
    for c in config.counters:
        label = counter_label(config, c.services, lang)
        state = states.get(c.id)
        if state is not None and state.mode != "closed" and state.staff:
            label = f"[{tr(lang, MODE_TEXTS[str(state.mode)])}: {state.staff}] {label}"
        counters.append((c.id, label))
    return render(request, "choose.html", status_code=status_code, lang=lang, session=session,
                  counters=counters, error=error, chosen=chosen)


@router.get("/counter")
def console(request: Request) -> Response:
    session = session_of(request)
    config = request.app.state.config
    lang = language(request)
    if session is None:
        return render(request, "login.html", lang=lang, error=None)
    role = request.app.state.accounts.role_of(session.staff)
    if role == "volunteer":
        return refused(request, session.staff, session.csrf, role, tr(lang, "Counter console"),
                       tr(lang, "{name} is a volunteer: volunteers issue tickets and answer help "
                                "requests on the help desk page.", name=session.staff))
    if session.counter is None:
        return _choose_page(request, session, lang)
    counter = config.counter(session.counter)
    texts = {msgid: tr(lang, msgid) for msgid in JS_TEXTS}
    texts.update({name: tr(lang, msgid) for name, msgid in ERROR_TEXTS.items()})
    texts.update({f"outcome:{o}": tr(lang, msgid) for o, msgid in OUTCOME_TEXTS.items()})
    texts.update({f"hint:{h}": tr(lang, msgid) for h, msgid in NEXT_HINTS.items()})
    key = sort_key(lang)
    services = sorted(((s.id, s.name(lang)) for s in config.services.values()
                       if s.id not in counter.services), key=lambda s: key(s[1]))
    return render(request, "console.html", lang=lang, session=session, counter=counter,
                  actions=console_actions(lang), services=services,
                  outcomes=[(o, tr(lang, label)) for o, label in FINISH_LABELS.items()],
                  texts_json=json.dumps(texts, ensure_ascii=False).replace("<", "\u003c"))


@router.post("/counter/login")
async def login(request: Request, username: Short, password: Short) -> Response:
    """Sign in (throttled; the password checked in its own lane), then on to /counter."""
    return await sign_in_page(request, username, password, "login.html", "/counter")


@router.post("/counter/open")
def open_counter(request: Request, session: SignedIn, counter: Short, csrf: Short = "",
                 takeover: Annotated[bool, Form()] = False) -> Response:
    """Open a counter; one another signed-in staff member holds needs the takeover box."""
    check_form_post(request, session, csrf)
    app = request.app
    try:
        claim_counter(app.state.queue, app.state.accounts, counter, session.staff, session,
                      takeover)
    except CounterHeld as held:
        lang = language(request)
        error = tr(lang, "Counter {counter} is open for {staff}. To work there, tick "
                         "“Take over” and open it again.", counter=held.counter,
                   staff=held.staff)
        return _choose_page(request, session, lang, error, chosen=counter, status_code=409)
    app.state.hub.poke()
    return _redirect()


@router.post("/counter/leave")
def leave_counter(request: Request, session: SignedIn, csrf: Short = "") -> Response:
    """Back to choosing a counter (the counter itself stays as it is)."""
    check_form_post(request, session, csrf)
    request.app.state.accounts.set_session_counter(session, None)
    return _redirect()


@router.post("/counter/logout")
def logout(request: Request, session: SignedIn, csrf: Short = "") -> Response:
    return sign_out_page(request, session, csrf, "/counter")


@router.get("/counter/state")
async def state(request: Request) -> dict[str, Any]:
    """The console's data for its counter (JSON; the page polls it after each event)."""
    app = request.app
    lang = language(request)

    def read() -> dict[str, Any]:
        session = _staff_session(request)
        if session.counter is None:
            raise Forbidden("open a counter first")
        view = console_view(app.state.queue, session.counter, app.state.clock.now(), lang)
        view["taken_over_by"] = taken_over_by(view["staff"], session)
        return view
    return await offload.read(request, read)


@router.get("/")
def home() -> Response:
    """The server's front page is the counter console."""
    return _redirect()
