"""`novbe central serve`: the agency's national reports as a page — the centres side by side
and the report over one, several or all centres, with charts drawn on the server (offline), in
az/ru/en — the 142 call centre's booking desk (central/bookings/page.py, role booking) and the
portals' booking API (central/bookings/portal_api.py). Agency users sign in with accounts kept in the central server's own small file (the
same accounts, password hashing, sessions and sign-in throttle as a centre's server)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from central.bookings.errors import DeskRefused
from central.bookings.page import desk_router
from central.bookings.pool import booking_pool
from central.bookings.portal_api import portal_router, refusal_response
from central.health import centre_name, health
from central.reports import (
    Comparison,
    central_reader,
    compare_centres,
    facts_as_of,
    history_notes,
    incomplete_lines,
    mark_incomplete,
    national_report,
    pick_centres,
    template_config,
)
from server.app import _novbe_error
from server.auth.accounts import Accounts, Forbidden, NotAuthorised, Session
from server.auth.caller import SESSION_COOKIE, check_form_post, session_of
from server.auth.sign_in import client_address, password_gate, sign_in_page
from server.auth.throttle import SignInThrottle
from server.http.body_limit import BodyLimit
from server.http.limits import Limits
from server.http.security_headers import SecurityHeaders
from server.pages.reports import report_gate
from server.pages.web import STATIC_DIR, language, render
from shared.core.errors import NovbeError
from shared.i18n import tr
from shared.reports.charts import bars, report_charts
from shared.reports.export import display, to_json
from shared.reports.report import Report
from shared.reports.request import GROUPINGS, make_request

Short = Annotated[str, Form(max_length=200)]
Text = Annotated[str | None, Query(max_length=400)]


def create_central_app(url: str, accounts: Accounts, *, secure_cookies: bool = False) -> FastAPI:
    """The national reports over the central database at `url` (a reader's, or the owner's,
    which also refreshes the report facts before each report)."""
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await asyncio.to_thread(app.state.booking_pool.close)   # its connections, its threads

    app = FastAPI(title="Növbə national reports and bookings", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=lifespan)
    app.state.central_url = url
    app.state.accounts = accounts
    app.state.throttle = SignInThrottle()
    app.state.password_gate = password_gate()
    app.state.report_gate = report_gate()
    app.state.secure_cookies = secure_cookies
    app.add_exception_handler(NovbeError, _novbe_error)
    app.add_exception_handler(DeskRefused, _refused)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limits=Limits())
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.state.booking_pool = booking_pool(url)
    app.include_router(desk_router(app.state.booking_pool))
    app.include_router(portal_router(app.state.booking_pool))

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return render(request, "central_login.html", error=None)
        desk = accounts.role_of(session.staff) == "booking"
        return RedirectResponse("/booking" if desk else "/national", status_code=303)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request, username: Short, password: Short) -> Response:
        return await sign_in_page(request, username, password, "central_login.html", "/")

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, csrf: Short = "") -> Response:
        session = _signed_in(request)
        check_form_post(request, session, csrf)
        accounts.end_session(session)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return response

    @app.get("/national", include_in_schema=False)
    async def national(request: Request,
                       first: Annotated[str | None, Query(alias="from", max_length=20)] = None,
                       last: Annotated[str | None, Query(alias="to", max_length=20)] = None,
                       by: Annotated[str, Query(max_length=20)] = "service",
                       centres: Text = "all") -> Response:
        if session_of(request) is None:
            return RedirectResponse("/", status_code=303)
        session = _reader(request)
        lang = language(request)
        result = await app.state.report_gate.run(client_address(request), _national, url, lang,
                                                 first, last, by, centres or "all")
        report, comparison, known, as_of, incomplete = result
        charts = _comparison_charts(comparison, lang) | report_charts(
            report, lambda m: tr(lang, m))
        return render(request, "central_reports.html", lang=lang, session=session,
                      report=report, comparison=comparison, charts=charts, display=display,
                      known=known, chosen=comparison.centres, as_of=as_of,
                      incomplete=[(dict(known).get(c, c), why) for c, why in incomplete.items()],
                      groupings=[(g, tr(lang, _BY_LABELS[g])) for g in GROUPINGS])

    @app.get("/national.json", include_in_schema=False)
    async def national_json(request: Request,
                            first: Annotated[str | None, Query(alias="from", max_length=20)] = None,
                            last: Annotated[str | None, Query(alias="to", max_length=20)] = None,
                            by: Annotated[str, Query(max_length=20)] = "service",
                            centres: Text = "all") -> Response:
        _reader(request)
        lang = language(request)
        report, comparison, _, _, incomplete = await app.state.report_gate.run(
            client_address(request), _national, url, lang, first, last, by, centres or "all")
        body = to_json(report)
        body["centres"] = [{k: v for k, v in row.items()} for row in comparison.table.rows]
        body["incomplete"] = incomplete
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return app


_BY_LABELS = {"service": "Service", "category": "Category", "counter": "Counter",
              "staff": "Staff member", "priority": "Priority class", "hour": "Hour"}


def _signed_in(request: Request) -> Session:
    session = session_of(request)
    if session is None:
        raise NotAuthorised("sign in first")
    return session


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DeskRefused)
    return refusal_response(exc, language(request))


def _reader(request: Request) -> Session:
    """A signed-in agency user who reads national reports (the booking desk's role does not)."""
    session = _signed_in(request)
    if request.app.state.accounts.role_of(session.staff) == "booking":
        raise Forbidden("national reports are not for the booking desk's role")
    return session


def default_period(today: date) -> tuple[date, date]:
    """The current month so far."""
    return today.replace(day=1), today


def _national(url: str, lang: str, first: str | None, last: str | None, by: str,
              centres: str) -> tuple[Report, Comparison, list[tuple[str, str]], dict[str, Any],
                                     dict[str, str]]:
    with central_reader(url) as conn:
        chosen = pick_centres(conn, centres)
        known = [(c, centre_name(conn, c, lang)) for c in pick_centres(conn, "all")]
        config = template_config(conn, chosen)
        today = datetime.now(config.tz).date()
        start, end = default_period(today)
        request = make_request(config, first or start, last or end, by)
        report = national_report(conn, request, chosen, lang)
        comparison = compare_centres(conn, request, chosen, lang, together=report.summary)
        healths = health(conn, chosen, shown=0)
        histories = history_notes(healths, lang)
        as_of = {c: (d.strftime("%Y-%m-%d %H:%M UTC") if d else "—")
                 + (f" · {histories[c]}" if c in histories else "")
                 for c, d in facts_as_of(conn, chosen).items()}
        incomplete = incomplete_lines(healths, lang)
        mark_incomplete(report, incomplete, dict(known), lang)
    return report, comparison, known, as_of, incomplete


def _comparison_charts(comparison: Comparison, lang: str) -> dict[str, tuple[str, str]]:
    """Bars per centre, as id → (title, SVG): within target, satisfaction, mean wait."""
    rows = [r for r in comparison.table.rows if r["key"] != "*"]
    out: dict[str, tuple[str, str]] = {}
    for key, title in (("within_target_pct", "Within target, by centre"),
                       ("satisfied_pct", "Satisfied (4–5), by centre")):
        items = [(r["label"], r.get(key), display(r.get(key), "percent")) for r in rows]
        if any(v is not None for _, v, _ in items):
            out[f"centres_{key}"] = tr(lang, title), bars(tr(lang, title), items, 100.0)
    waits = [(r["label"], None if r.get("wait_mean_s") is None else r["wait_mean_s"] / 60,
              display(r.get("wait_mean_s"), "seconds")) for r in rows]
    top = max((v for _, v, _ in waits if v is not None), default=0)
    if top:
        title = tr(lang, "Mean wait by centre (min)")
        out["centres_wait"] = title, bars(title, waits, top * 1.1)
    return out
