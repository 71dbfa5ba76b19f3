"""/manager/reports: a report over any period as a page (tables and SVG charts, printable on
A4) and as CSV, XLSX and JSON downloads — managers only. Bad periods and filters are 422 with
a message naming the problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from server.api.error_status import http_status
from server.auth.sign_in import client_address
from server.http.fair_gate import FairGate, release_memory
from server.pages.manager import manager_session, render_manager, using_facts
from server.pages.web import language, render, wants_html
from shared.collation import sort_key
from shared.core.clock import to_epoch
from shared.core.service_day import service_day
from shared.i18n import tr
from shared.reports.bookings import with_bookings
from shared.reports.charts import report_charts
from shared.reports.export import display, to_csv, to_json, to_xlsx
from shared.reports.facts import FactStore
from shared.reports.figures import known_values
from shared.reports.report import Report, build_report
from shared.reports.request import GROUPINGS, BadReportRequest, make_request

router = APIRouter(include_in_schema=False)
T = TypeVar("T")

Text = Annotated[str | None, Query(max_length=100)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_SLOTS = 2             # reports and exports built at once, per server
REPORT_MAX_WAIT = 20.0       # seconds one may wait for its turn before 429


def _report(request: Request, first: str | None, last: str | None, by: str, service: str | None,
            category: str | None, priority: str | None, counter: str | None,
            staff: str | None) -> Report:
    """Check the request, refresh the facts, build the report (in a worker thread)."""
    app = request.app
    config = app.state.config
    now = app.state.clock.now()
    today = service_day(now, config.tz, config.day_reset_hour)

    def report(facts: FactStore) -> Report:
        facts.refresh(to_epoch(now))
        with facts.reading() as cur:
            known = set(app.state.accounts.staff_names()) | known_values(cur, "staff")
            req = make_request(config, first or today.replace(day=1), last or today, by,
                               services=service, categories=category, priorities=priority,
                               counters=counter, staff=staff, known_staff=known)
            built = build_report(cur, config, req, language(request))
        return with_bookings(built, app.state.queue.path, config)   # appointments
    return using_facts(request, report)


def report_gate() -> FairGate:
    """The gate reports and exports pass through: REPORT_SLOTS built at once per server, a
    client two at a time, others wait up to REPORT_MAX_WAIT s, then 429 with Retry-After."""
    return FairGate("reports", REPORT_SLOTS, per_key=2, max_wait=REPORT_MAX_WAIT)


async def _checked(request: Request, *args: Any) -> Report:
    return await _gated(request, _report, *args)


async def _gated(request: Request, build: Callable[..., T], *args: Any) -> T:
    """Build in a turn of the report gate; bad input answered as a page to a browser."""
    manager_session(request)
    try:
        return await request.app.state.report_gate.run(client_address(request), build,
                                                       request, *args)
    except BadReportRequest as exc:
        if wants_html(request):          # a browser: the problem named in its language
            raise ReportPage(render(request, "error.html", status_code=http_status(exc),
                                    message=exc.text(language(request)))) from exc
        raise


def _workbook(request: Request, *args: Any) -> tuple[str, bytes]:
    """The report as a workbook (file name, bytes) in the same turn; memory handed back after."""
    try:
        report = _report(request, *args)
        return _filename(report, "xlsx"), to_xlsx(report)
    finally:
        release_memory()


class ReportPage(Exception):
    """A finished page that answers the request instead of the report (bad input)."""

    def __init__(self, response: Response):
        super().__init__("report refused")
        self.response = response


def _answer_or_page(fn: Any) -> Any:
    """Answer ReportPage with its page (FastAPI keeps the route's signature via wraps)."""
    import functools

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except ReportPage as page:
            return page.response
    return wrapper


def _filename(report: Report, ext: str, table: str | None = None) -> str:
    r = report.request
    part = f"-{table}" if table else ""
    return f"novbe-report-{r.first_day}-{r.last_day}{part}.{ext}"


@router.get("/manager/reports")
@_answer_or_page
async def reports_page(request: Request, first: Annotated[str | None, Query(alias="from", max_length=20)] = None,
                       last: Annotated[str | None, Query(alias="to", max_length=20)] = None,
                       by: Annotated[str, Query(max_length=20)] = "service",
                       service: Text = None, category: Text = None, priority: Text = None,
                       counter: Text = None, staff: Text = None) -> Response:
    session = manager_session(request)
    report = await _checked(request, first, last, by, service, category, priority, counter, staff)
    lang = report.lang
    config = request.app.state.config
    query = report.request.query()
    charts = report_charts(report, lambda m: tr(lang, m))
    return render_manager(
        request, "manager_reports.html", session, "reports", report=report, charts=charts,
        display=display, query=query, groupings=[(g, tr(lang, _BY_LABELS[g])) for g in GROUPINGS],
        services=sorted(((s.id, s.name(lang)) for s in config.services.values()),
                        key=lambda s: sort_key(lang)(s[1])),
        counters=[(c.id, c.id) for c in config.counters],
        priorities=[(p.id, p.name(lang)) for p in config.priorities],
        export_query="&".join(f"{k}={v}" for k, v in query.items()),
        today=date.today().isoformat())


_BY_LABELS = {"service": "Service", "category": "Category", "counter": "Counter",
              "staff": "Staff member", "priority": "Priority class", "hour": "Hour"}


@router.get("/manager/reports.csv")
@_answer_or_page
async def reports_csv(request: Request, first: Annotated[str | None, Query(alias="from", max_length=20)] = None,
                      last: Annotated[str | None, Query(alias="to", max_length=20)] = None,
                      by: Annotated[str, Query(max_length=20)] = "service",
                      table: Annotated[str | None, Query(max_length=40)] = None,
                      service: Text = None, category: Text = None, priority: Text = None,
                      counter: Text = None, staff: Text = None) -> Response:
    """One table of the report as CSV (default: the table by the chosen grouping)."""
    report = await _checked(request, first, last, by, service, category, priority, counter, staff)
    table_id = table or f"by_{report.request.by}"
    body = "\ufeff" + to_csv(report, table_id)          # the BOM lets Excel read UTF-8
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{_filename(report, "csv", table_id)}"',
        "Cache-Control": "no-store"})


@router.get("/manager/reports.xlsx")
@_answer_or_page
async def reports_xlsx(request: Request, first: Annotated[str | None, Query(alias="from", max_length=20)] = None,
                       last: Annotated[str | None, Query(alias="to", max_length=20)] = None,
                       by: Annotated[str, Query(max_length=20)] = "service",
                       service: Text = None, category: Text = None, priority: Text = None,
                       counter: Text = None, staff: Text = None) -> Response:
    """Every table of the report, one worksheet each."""
    name, body = await _gated(request, _workbook, first, last, by, service, category, priority,
                              counter, staff)
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store"})


@router.get("/manager/reports.json")
@_answer_or_page
async def reports_json(request: Request, first: Annotated[str | None, Query(alias="from", max_length=20)] = None,
                       last: Annotated[str | None, Query(alias="to", max_length=20)] = None,
                       by: Annotated[str, Query(max_length=20)] = "service",
                       service: Text = None, category: Text = None, priority: Text = None,
                       counter: Text = None, staff: Text = None) -> Response:
    report = await _checked(request, first, last, by, service, category, priority, counter, staff)
    return JSONResponse(to_json(report), headers={"Cache-Control": "no-store"})
