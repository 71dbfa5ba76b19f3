"""Signing a staff member in and out from a page's form: the throttle, the password check at
the password gate, the session cookie — one piece the counter console, the manager's view, the
assist page and the central server's national page share.

Each scrypt check takes 128 MiB and about a second of a core, so a server checks at most
PASSWORD_SLOTS passwords at once, in the gate's own threads (server/http/fair_gate.py):
addresses with fewer recent wrong passwords first, then whoever had fewest turns, one slot
kept from addresses with SUSPECT_FAILURES or more — a flood of wrong passwords from many
addresses cannot hold a colleague's sign-in for more than a check or two (bench/sign_in.py
measures it), nor the server's memory."""

from __future__ import annotations

import asyncio

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from server.auth.accounts import Session
from server.auth.caller import SESSION_COOKIE, check_form_post
from server.auth.throttle import MAX_IN_FLIGHT
from server.http.fair_gate import FairGate
from server.pages.web import language, render
from shared.i18n import tr

PASSWORD_SLOTS = 2          # password checks at once, per server
PASSWORD_RESERVED = 1       # of them, kept from suspect addresses
SUSPECT_FAILURES = 1        # recent wrong passwords that make an address a suspect (a
                            # colleague after a typo still ranks far ahead of a flood)
PASSWORD_MAX_WAIT = 10.0    # seconds an attempt may wait for its check before 429


def password_gate() -> FairGate:
    """The gate a server's password checks pass through (one per app)."""
    return FairGate("sign-ins", PASSWORD_SLOTS, per_key=MAX_IN_FLIGHT,
                    max_wait=PASSWORD_MAX_WAIT, reserved=PASSWORD_RESERVED,
                    suspect=SUSPECT_FAILURES)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


async def sign_in_page(request: Request, username: str, password: str, login_template: str,
                       then: str) -> Response:
    """Sign in, then on to `then`; the form again (401) on a wrong name or password. The
    throttle may slow the attempt down (a wait on the event loop, no thread held) or refuse
    it; the check and the new session are one trip through the password gate."""
    check_form_post(request, None, None)
    throttle = request.app.state.throttle
    accounts = request.app.state.accounts
    gate: FairGate = request.app.state.password_gate
    attempt = throttle.begin(username, client_address(request))

    def check() -> str | None:
        if not accounts.check_password(username, password):
            return None
        return accounts.start_session(username)[0]
    try:
        if attempt.delay:
            await asyncio.sleep(attempt.delay)
        sid = await gate.run(attempt.address, check, rank=attempt.standing)
    except BaseException:
        throttle.cancel(attempt)
        raise
    if sid is None:
        throttle.failed(attempt)
        return render(request, login_template, status_code=401,
                      error=tr(language(request), "Wrong name or password"))
    throttle.succeeded(attempt)
    response = RedirectResponse(then, status_code=303)
    response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, path="/")
    return response


def sign_out_page(request: Request, session: Session, csrf: str, then: str) -> Response:
    """End the signed-in `session` (a form post with its CSRF token), then on to `then`; the
    session's open event streams end now too."""
    check_form_post(request, session, csrf)
    request.app.state.accounts.end_session(session)
    request.app.state.hub.recheck()
    response = RedirectResponse(then, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
