"""Signing a staff member in from a page's form: the throttle, the password check in its own
lane, the session cookie — one piece the counter console and the manager's view share."""

from __future__ import annotations

import asyncio

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from server.auth.caller import SESSION_COOKIE, check_form_post
from server.http import offload
from server.pages.web import language, render
from shared.i18n import tr


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


async def sign_in_page(request: Request, username: str, password: str, login_template: str,
                       then: str) -> Response:
    """Sign in, then on to `then`; the form again (401) on a wrong name or password. The
    throttle may slow the attempt down (a wait on the event loop, no thread held) or refuse
    it; the check and the new session are one trip to the password lane."""
    check_form_post(request, None, None)
    throttle = request.app.state.throttle
    accounts = request.app.state.accounts
    attempt = throttle.begin(username, client_address(request))

    def check() -> str | None:
        if not accounts.check_password(username, password):
            return None
        return accounts.start_session(username)[0]
    try:
        if attempt.delay:
            await asyncio.sleep(attempt.delay)
        sid = await offload.password(request, check)
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
