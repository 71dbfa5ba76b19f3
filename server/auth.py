"""Who is asking: a device with a bearer token, or a staff member with a session cookie — and
the checks every state-changing route makes (CSRF token, same origin, the counter's own staff,
the device's role).

Device roles: a kiosk issues tickets, cancels them and reports its printer; a counter (a
remote counter PC) acts for counters; a board only reads. Every role and every signed-in staff
member may read (config, snapshot, events, tickets)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request

from server.accounts import Accounts, Forbidden, NotAuthorised, Session
from server.counter_claims import check_holds

SESSION_COOKIE = "novbe_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class Caller:
    """A device (kiosk, board, remote counter) or a signed-in staff member."""

    kind: str               # "device" | "staff"
    name: str
    session: Session | None = None
    role: str = "staff"     # a device's role: "kiosk" | "board" | "counter"

    @property
    def staff(self) -> str | None:
        return self.name if self.kind == "staff" else None


def accounts_of(request: Request) -> Accounts:
    return request.app.state.accounts


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def same_origin(request: Request) -> bool:
    """An Origin (or Referer) header, when the browser sends one, names this very server."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


def session_of(request: Request) -> Session | None:
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid or len(sid) > 200:
        return None
    return accounts_of(request).session(sid)


def check_form_post(request: Request, session: Session | None, csrf: str | None) -> None:
    """A browser form post: same origin, and the session's CSRF token when signed in."""
    if not same_origin(request):
        raise Forbidden("cross-site request refused")
    if session is not None and not (csrf and hmac.compare_digest(csrf, session.csrf)):
        raise Forbidden("the form has expired; reload the page")


def caller(request: Request) -> Caller:
    """The device or staff member behind this request, or NotAuthorised (401)."""
    cached = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    token = bearer_token(request)
    if token is not None:
        device = accounts_of(request).device(token)
        if device is None:
            raise NotAuthorised("unknown or revoked device token")
        who = Caller("device", device[0], role=device[1])
    else:
        session = session_of(request)
        if session is None:
            raise NotAuthorised("sign in first (no staff session or device token)")
        if request.method not in SAFE_METHODS:
            if not same_origin(request):
                raise Forbidden("cross-site request refused")
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent, session.csrf):
                raise Forbidden("missing or wrong CSRF token; reload the page")
        who = Caller("staff", session.staff, session)
    request.state.caller = who
    return who


def any_caller(request: Request) -> Caller:
    """Dependency: a device or any signed-in staff member."""
    return caller(request)


def device_only(request: Request) -> Caller:
    """Dependency: a kiosk's device token (kiosks issue tickets and report printers)."""
    who = caller(request)
    if who.kind != "device":
        raise Forbidden("this needs a device token")
    if who.role != "kiosk":
        raise Forbidden(f"a {who.role} device may not do this (only kiosk tokens may)")
    return who


def counter_opener(request: Request) -> Caller:
    """Dependency: a counter device or any signed-in staff member (opening a counter)."""
    who = caller(request)
    if who.kind == "device" and who.role != "counter":
        raise Forbidden(f"a {who.role} device may not open counters (only counter tokens may)")
    return who


def for_counter(request: Request, counter: str) -> Caller:
    """A counter device, or the staff member whose session has this counter open and still
    holds it (not taken over by someone else meanwhile)."""
    who = caller(request)
    if who.kind == "device":
        if who.role != "counter":
            raise Forbidden(f"a {who.role} device may not act for a counter "
                            "(only counter tokens may)")
    elif who.session is None:
        raise Forbidden(f"you have not opened counter {counter}; open it first")
    else:
        check_holds(request.app.state.queue, who.session, counter)
    return who
