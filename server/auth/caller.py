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

from server.auth.accounts import Accounts, Forbidden, NotAuthorised, Session
from server.auth.counter_claims import check_holds

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
    credential: str = ""    # the hash of its token or session id (open streams re-check it)
    counters: frozenset[str] = frozenset()   # a counter device's counters

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
        device = accounts_of(request).device_identity(token)
        if device is None:
            raise NotAuthorised("unknown or revoked device token")
        who = Caller("device", device.name, role=device.role, credential=device.token_hash,
                     counters=device.counters)
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
        who = Caller("staff", session.staff, session, credential=session.id_hash)
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


def _device_at(who: Caller, counter: str, doing: str) -> None:
    """A device may act for a counter only with a counter token that names this counter."""
    if who.role != "counter":
        raise Forbidden(f"a {who.role} device may not {doing} (only counter tokens may)")
    if counter not in who.counters:
        named = ", ".join(sorted(who.counters)) or "none"
        raise Forbidden(f"device {who.name} may act for counters {named}, not {counter} "
                        f"(`novbe device counters {who.name} …` sets them)")


def counter_opener(request: Request, counter: str) -> Caller:
    """A counter device naming this counter, or any signed-in staff member (opening it)."""
    request.app.state.config.counter(counter)        # an unknown counter: 404 for everyone
    who = caller(request)
    if who.kind == "device":
        _device_at(who, counter, "open counters")
    return who


def staff_name(who: Caller, named: str | None) -> str | None:
    """The staff name an action records: the signed-in staff member's own; a device records
    none (the counter keeps the staff who opened it). A name sent in the body is never taken:
    one that differs from the caller's identity is refused."""
    if named is not None and named != who.staff:
        if who.kind == "staff":
            raise Forbidden(f"you are signed in as {who.name}; the staff name comes from the "
                            "sign-in, not from the request")
        raise Forbidden("a device cannot name the staff: the staff member signs in to act "
                        "in their own name")
    return who.staff


def for_counter(request: Request, counter: str) -> Caller:
    """A counter device naming this counter, or the staff member whose session has this
    counter open and still holds it (not taken over by someone else meanwhile)."""
    request.app.state.config.counter(counter)        # an unknown counter: 404 for everyone
    who = caller(request)
    if who.kind == "device":
        _device_at(who, counter, "act for a counter")
    elif who.session is None:
        raise Forbidden(f"you have not opened counter {counter}; open it first")
    else:
        check_holds(accounts_of(request), who.session, counter)
    return who
