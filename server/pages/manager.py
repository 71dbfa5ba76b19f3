"""The manager's pages: sign-in at /manager, the live hall view (its data as JSON, followed
through the event stream by small plain JavaScript). Only staff with the manager role may open
them; counter staff get 403."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request, Response

from server.auth.accounts import Forbidden, NotAuthorised, Session
from server.auth.caller import session_of
from server.auth.sign_in import sign_in_page, sign_out_page
from server.http import offload
from server.pages.web import language, refused, render
from server.shipping.status_api import central_line
from shared.core.errors import QueueUnavailable
from shared.i18n import tr
from shared.reports.facts import FactStore, facts_damaged, set_damaged_aside
from shared.reports.live import hall_view
from shared.store.database import is_corrupt

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
SOUND_SECONDS = 60.0   # how long a quick check that found the facts sound is trusted

Short = Annotated[str, Form(max_length=200)]
# The manager's navigation: (id, URL, label msgid).
MANAGER_NAV: list[tuple[str, str, str]] = [
    ("live", "/manager", "Hall now"),
    ("reports", "/manager/reports", "Reports"),
    ("plan", "/manager/plan", "Staffing plan"),
    ("devices", "/manager/devices", "Devices"),
]
JS_TEXTS = ("Live", "Reconnecting…", "Nobody is waiting", "No counter is idle while people wait",
            "No alerts", "waiting", "min", "I'm going")
_facts_lock = threading.Lock()


def facts_of(request: Request) -> FactStore:
    """The report facts beside the server's queue file (made on first use)."""
    state = request.app.state
    store = getattr(state, "report_facts", None)
    if store is None:
        with _facts_lock:
            store = getattr(state, "report_facts", None)
            if store is None:
                path = state.queue.path
                if path is None:
                    raise QueueUnavailable("reports need the queue's own database file")
                store = FactStore(path, state.config)
                state.report_facts = store
    return store


def using_facts(request: Request, use: Callable[[FactStore], T]) -> T:
    """`use(facts)`; if the facts turn out damaged on the way (a page no connection had read
    before, or a file broken while the server runs), they are moved aside and rebuilt from the
    events, and `use` runs once more — the report answers instead of a 503 until restart."""
    facts = facts_of(request)
    try:
        with facts.lease():
            return use(facts)
    except sqlite3.DatabaseError as exc:
        if not (is_corrupt(exc) and _replaced_if_damaged(request.app.state, facts, exc)):
            raise
    del facts                         # out of the except: its traceback no longer holds it
    fresh = facts_of(request)
    with fresh.lease():
        return use(fresh)


def _replaced_if_damaged(state: Any, facts: FactStore, exc: Exception) -> bool:
    """True when `facts` is no longer the server's store (set aside here as damaged, or by
    another request already); False when the file is sound and the damage is elsewhere (the
    queue file) — a sound answer is remembered for SOUND_SECONDS, so that a damaged queue
    file does not cost a check of the facts on every request."""
    with _facts_lock:
        if state.report_facts is not facts:
            return True
        if time.monotonic() < facts.sound_until:
            return False
        if not facts_damaged(facts.path):
            facts.sound_until = time.monotonic() + SOUND_SECONDS
            return False
        set_damaged_aside(facts.path, exc)      # first: if it cannot be moved, nothing changes
        state.report_facts = None
    facts.retire()                              # closed once the readers still on it are done
    return True


def manager_session(request: Request) -> Session:
    """The signed-in manager, or NotAuthorised (401) / Forbidden (403) for counter staff."""
    session = session_of(request)
    if session is None:
        raise NotAuthorised("sign in first")
    if request.app.state.accounts.role_of(session.staff) != "manager":
        raise Forbidden(f"{session.staff} is not a manager: the manager's view and reports "
                        "are for managers only")
    return session


def render_manager(request: Request, name: str, session: Session, active: str,
                   **context: Any) -> Response:
    lang = language(request)
    nav = [(key, url, tr(lang, label)) for key, url, label in MANAGER_NAV]
    return render(request, name, lang=lang, session=session, nav=nav, active=active, **context)


@router.get("/manager")
def live_page(request: Request) -> Response:
    session = session_of(request)
    lang = language(request)
    if session is None:
        return render(request, "manager_login.html", lang=lang, error=None)
    role = request.app.state.accounts.role_of(session.staff)
    if role != "manager":
        return refused(request, session.staff, session.csrf, role, tr(lang, "Manager's view"),
                       tr(lang, "{name} is not a manager: the manager's view and reports are "
                                "for managers only.", name=session.staff))
    session = manager_session(request)
    texts = {m: tr(lang, m) for m in JS_TEXTS}
    return render_manager(request, "manager.html", session, "live",
                          central=central_line(request.app.state, lang),
                          texts_json=json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c"))


@router.get("/manager/live.json")
async def live_data(request: Request) -> dict[str, Any]:
    """The live view's data (the page re-reads it after each batch of events)."""
    manager_session(request)
    app = request.app
    lang = language(request)

    def read(facts: FactStore) -> dict[str, Any]:
        snap = app.state.queue.snapshot()
        view = hall_view(snap, facts, app.state.config, app.state.clock.now(), lang)
        view["central"] = central_line(app.state, lang)   # None: this centre ships nowhere
        return view
    return await offload.read(request, using_facts, request, read)


@router.post("/manager/login")
async def login(request: Request, username: Short, password: Short) -> Response:
    """Sign in (throttled; the password checked in its own lane), then on to /manager."""
    return await sign_in_page(request, username, password, "manager_login.html", "/manager")


@router.post("/manager/logout")
def logout(request: Request, csrf: Short = "") -> Response:
    return sign_out_page(request, manager_session(request), csrf, "/manager")
