"""GET /api/central/status: how far behind the central copy of the event log is (signed-in
staff; the manager's view shows it)."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from server.api.routes import ERRORS, as_reader
from server.api.schemas import CentralStatusOut
from server.auth.accounts import Forbidden
from server.auth.caller import Caller, any_caller
from shared.core.errors import NovbeError
from shared.i18n import tr

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", responses=ERRORS)


def staff_only(request: Request) -> Caller:
    """Dependency: a signed-in staff member (devices have no business here)."""
    who = any_caller(request)
    if who.kind != "staff":
        raise Forbidden("this needs a staff session")
    return who


def central_lag(state: Any, now: float | None = None) -> dict[str, Any] | None:
    """How far behind the central copy is, for the manager's view: None when this server ships
    nowhere. Reads the queue file (one count): call it off the event loop."""
    shipper = getattr(state, "shipper", None)
    if shipper is None:
        return None
    return shipper.status().to_json(now)


@router.get("/central/status", tags=["central"], response_model=CentralStatusOut)
async def central_status(request: Request) -> JSONResponse:
    """Events not yet in the central PostgreSQL and the age of the oldest of them
    (`{"shipping": false}` when this centre ships nowhere)."""
    def read(who: Caller) -> dict[str, Any]:
        lag = central_lag(request.app.state)
        return {"shipping": False} if lag is None else {"shipping": True, **lag}
    return await as_reader(request, read, allow=staff_only)


def _age(seconds: float, lang: str) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} {tr(lang, 'min')}"
    return f"{minutes // 60} h {minutes % 60:02d} {tr(lang, 'min')}"


def central_line(state: Any, lang: str) -> str | None:
    """One line for the manager's view: how far behind the central copy is (None when this
    centre ships nowhere). Reads the queue file: call it off the event loop."""
    try:
        lag = central_lag(state)
    except (sqlite3.Error, NovbeError, OSError) as exc:   # the view goes on without the line
        log.warning("cannot tell how far behind the central copy is: %s", exc)
        return None
    if lag is None:
        return None
    head = tr(lang, "Central copy") + ": "
    odd = (lag.get("differs") or 0) + (lag.get("unplaced") or 0)
    if odd:
        return head + tr(lang, "Not up to date: {n} events held centrally differ from this "
                         "centre's or cannot be placed (novbe central status)", n=odd)
    if lag["pending"]:
        text = tr(lang, "{n} events not yet shipped, the oldest {age} old", n=lag["pending"],
                  age=_age(lag["lag_seconds"], lang))
        if lag["reachable"] is False:
            text += " — " + tr(lang, "The central database cannot be reached")
        return head + text + _bookings_pulled(state, lang)
    return head + tr(lang, "Up to date") + _bookings_pulled(state, lang)


def _bookings_pulled(state: Any, lang: str) -> str:
    """"; bookings pulled 3 min ago" when this centre's bookings link runs."""
    link = getattr(state, "booking_link", None)
    if link is None:
        return ""
    pulled = link.state.pulled_at
    if pulled is None:
        return "; " + tr(lang, "the national bookings were never pulled")
    text = "; " + tr(lang, "national bookings pulled {age} ago", age=_age(time.time() - pulled,
                                                                            lang))
    if link.state.reachable is False:
        text += " — " + tr(lang, "The central database cannot be reached")
    return text
