"""The manager's routes over real HTTP: managers only, the live data, reports and exports,
and bad input answered 4xx with the problem named."""

from __future__ import annotations

import csv
import html
import io

import pytest
from openpyxl import load_workbook

from tests.reports.known_day import DAY, JOB, build_known_day
from tests.server.live import STAFF, LiveServer, StaffClient

ROUTES = ("/manager", "/manager/live.json", f"/manager/reports?from={DAY}&to={DAY}",
          f"/manager/reports.csv?from={DAY}&to={DAY}", f"/manager/reports.xlsx?from={DAY}&to={DAY}",
          f"/manager/reports.json?from={DAY}&to={DAY}")


def manager(server: LiveServer) -> StaffClient:
    client = StaffClient(server.url)
    assert client.post("/manager/login", data={"username": "aysel",
                                               "password": STAFF["aysel"]}).status_code == 303
    return client


def test_counter_staff_and_strangers_are_refused(server: LiveServer):
    """Counter staff get 403 on every manager route; without a session, 401 (or the sign-in)."""
    rauf = server.staff_client("rauf")
    for path in ROUTES:
        r = rauf.get(f"{path}{'&' if '?' in path else '?'}lang=en")
        assert r.status_code == 403, path
        assert "rauf is not a manager" in html.unescape(r.text), path
    stranger = StaffClient(server.url)
    assert stranger.get("/manager").status_code == 200            # the sign-in form
    assert 'action="/manager/login"' in stranger.get("/manager").text
    for path in ROUTES[1:]:
        assert stranger.get(path).status_code == 401, path


def test_live_data_follows_the_queue(server: LiveServer):
    """The live view's data shows who waits, who serves where, and today's figures."""
    q = server.queue
    client = manager(server)
    q.open_counter("1", "rauf")
    first = q.issue(JOB)
    q.issue(JOB)
    data = client.get("/manager/live.json?lang=en").json()
    assert data["today"]["issued"] == 2 and data["today"]["waiting"] == 2
    assert data["services"][0]["waiting"] == 2
    assert data["idle"] == [{"id": "1", "staff": "rauf", "waiting_for_it": 2}]
    q.call_next("1")
    server.clock.advance(seconds=90)
    data = client.get("/manager/live.json?lang=en").json()
    one = next(c for c in data["counters"] if c["id"] == "1")
    assert one["visit"]["code"] == first.code and one["visit"]["running_s"] == 90
    assert data["idle"] == [] and data["today"]["wait_mean_s"] == 0.0


def test_report_exports_hold_the_known_day(server: LiveServer):
    """The report page, its CSV and its XLSX carry the known day's figures."""
    build_known_day(server.queue, server.clock)
    client = manager(server)
    page = client.get(f"/manager/reports?from={DAY}&to={DAY}&lang=en")
    assert page.status_code == 200 and "<svg" in page.text and "Within target" in page.text
    r = client.get(f"/manager/reports.csv?from={DAY}&to={DAY}&by=staff&lang=en")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {row["Staff member"]: row["Idle while someone waited (min)"] for row in rows} == \
        {"aysel": "5.0", "leyla": "0.0", "rauf": "4.0"}
    r = client.get(f"/manager/reports.xlsx?from={DAY}&to={DAY}&lang=az")
    wb = load_workbook(io.BytesIO(r.content))
    assert "Xidmət üzrə" in wb.sheetnames


def test_every_grouping_renders(server: LiveServer):
    """The report page and its CSV answer for every grouping (hours with calls but no arrivals,
    staff without visits: a group one side lacks shows dashes, never a 500)."""
    from shared.reports.request import GROUPINGS

    build_known_day(server.queue, server.clock)
    client = manager(server)
    for by in GROUPINGS:
        for path in ("/manager/reports", "/manager/reports.csv", "/manager/reports.xlsx"):
            r = client.get(f"{path}?from={DAY}&to={DAY}&by={by}&lang=ru")
            assert r.status_code == 200, (path, by, r.text[:300])


@pytest.mark.parametrize(("query", "says"), [
    ("from=2026-11-30&to=2026-11-01", "after it ends"),
    ("from=2025-01-01&to=2026-11-30", "at most 366 days"),
    (f"from={DAY}&to={DAY}&service=nope", "unknown service 'nope'"),
    (f"from={DAY}&to={DAY}&staff=ghost", "unknown staff member 'ghost'"),
    (f"from={DAY}&to={DAY}&by=weather", "'by' must be one of"),
    ("from=yesterday&to=2026-11-01", "'from' must be a date"),
])
def test_bad_report_requests_are_422(server: LiveServer, query: str, says: str):
    """Bad periods and filters: 422 with the problem named, as JSON and as a page."""
    client = manager(server)
    for path in ("/manager/reports.json", "/manager/reports.csv"):
        r = client.get(f"{path}?{query}")
        assert r.status_code == 422 and says in r.json()["message"], path
    r = client.get(f"/manager/reports?{query}&lang=en", headers={"Accept": "text/html"})
    assert r.status_code == 422 and says in html.unescape(r.text)


def test_a_bad_period_is_named_in_the_readers_language(server: LiveServer):
    """In a browser the problem is told in az / ru, not only in English."""
    client = manager(server)
    for lang, says in (("az", "bitdiyi tarixdən (2026-11-01) sonra başlayır"),
                       ("ru", "после своего конца (2026-11-01)")):
        r = client.get(f"/manager/reports.csv?from=2026-11-30&to=2026-11-01&lang={lang}",
                       headers={"Accept": "text/html"})
        assert r.status_code == 422 and says in html.unescape(r.text)
