"""The staffing planner's page over real HTTP: managers only, a small learned day planned and
compared with a change, bad input and a second concurrent plan answered 4xx on the page."""

from __future__ import annotations

import html
import re

from tests.reports.known_day import DAY, build_known_day
from tests.reports.test_routes import manager
from tests.server.live import LiveServer, StaffClient

LEARNED = f"/manager/plan?scenario=learned&first={DAY}&last={DAY}&lang=en"


def text(r) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", r.text))


def test_only_managers_plan(server: LiveServer):
    """Counter staff get 403 on the plan page; strangers 401; a manager sees the form."""
    rauf = server.staff_client("rauf")
    for path in ("/manager/plan?lang=en", "/manager/plan?scenario=busy&target=90&lang=en"):
        r = rauf.get(path)
        assert r.status_code == 403 and "rauf is not a manager" in text(r), path
        assert StaffClient(server.url).get(path).status_code == 401, path
    r = manager(server).get("/manager/plan?lang=en")
    assert r.status_code == 200
    assert 'id="plan-form"' in r.text and 'href="/manager/plan"' in r.text
    assert "plan-chart" not in r.text
    assert re.findall(r'<option value="(\w+)"', r.text)[:3] == ["normal", "busy", "learned"]


def test_a_learned_day_is_planned_and_compared(server: LiveServer):
    """A day learned from the centre's own history is planned for 90 %; closing two counters
    at 09:00 is shown beside it with fewer counter-hours."""
    build_known_day(server.queue, server.clock)
    r = manager(server).get(f"{LEARNED}&target=90&change_kind=close&change_n=2&change_from=9"
                            "&change_to=10")
    assert r.status_code == 200, text(r)
    assert "<svg" in r.text and "plan-chart" in r.text
    page = text(r)
    assert "Plan for 90 %" in page and "Close 2 counters 09:00–10:00" in page
    assert re.findall(r'<tr data-hour="(\d+)">', r.text) == ["9", "10"]
    foot = r.text[r.text.index("<tfoot>"):]
    plan_hours, changed_hours = (int(n) for n in re.findall(r'<th class="num">(\d+)</th>', foot))
    assert re.search(rf'id="p-hours">{plan_hours}<', r.text)
    assert changed_hours < plan_hours                       # two fewer at 09:00 (at least 1 stays)
    first_row = re.search(r'<tr data-hour="9">(.*?)</tr>', r.text, re.S)[1]
    counters = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', first_row)]
    assert counters[1] == max(1, counters[0] - 2)


def test_bad_input_is_named_on_the_page(server: LiveServer):
    """Target outside 1–100, an unknown day, a malformed change, dates with no history: 422
    with the problem named, in the page's language."""
    build_known_day(server.queue, server.clock)
    client = manager(server)
    cases = {
        f"{LEARNED}&target=150": "The target is a percentage from 1 to 100, not 150",
        f"{LEARNED}&target=0": "not 0",
        f"{LEARNED}&target=lots": "not lots",
        "/manager/plan?scenario=holiday&lang=en": "Unknown day to plan: holiday",
        f"{LEARNED}&change_n=three": "The change needs a number of counters",
        f"{LEARNED}&change_n=3&change_from=14&change_to=13": "must end after it starts",
        f"{LEARNED}&change_n=3&change_from=15&change_to=16": "outside the planned day",
        "/manager/plan?scenario=learned&first=2026-01-01&last=2026-01-02&lang=en":
            "no tickets from 2026-01-01 to 2026-01-02",
        "/manager/plan?scenario=learned&first=yesterday&lang=en": "give the first and last day",
        "/manager/plan?scenario=learned&first=0001-01-01&last=9999-12-31&lang=en":
            "Learn from at most 366 days at a time, not 3652059",
    }
    for path, message in cases.items():
        r = client.get(path)
        assert r.status_code == 422, (path, r.status_code)
        assert message in text(r), (path, text(r)[-600:])
        assert 'id="plan-error"' in r.text
    r = client.get(f"{LEARNED.replace('lang=en', 'lang=az')}&target=150")
    assert r.status_code == 422 and "150" in text(r) and "percentage" not in text(r)


def test_a_second_plan_while_one_runs_is_refused(server: LiveServer):
    """While a plan is being worked out (its gate held), another is refused with 409 and a
    message, not queued, and the progress says it runs; once done, planning works again and
    the progress counts every hour of the day worked out."""
    build_known_day(server.queue, server.clock)
    client = manager(server)
    client.get("/manager/plan?lang=en")
    app = server.handle.app
    from server.pages.plan import gate_of

    assert client.get("/manager/plan/progress.json").json() == {"running": False, "done": 0,
                                                                 "total": 0}
    with gate_of(app):
        r = client.get(f"{LEARNED}&target=90")
        assert r.status_code == 409
        assert "Another staffing plan is being worked out right now" in text(r)
        assert client.get("/manager/plan/progress.json").json()["running"] is True
    assert client.get(f"{LEARNED}&target=90").status_code == 200
    assert client.get("/manager/plan/progress.json").json() == {"running": False, "done": 2,
                                                                 "total": 2}   # 09:00, 10:00
    assert server.staff_client("rauf").get("/manager/plan/progress.json").status_code == 403


def test_the_plan_page_recommends_work_profiles(server: LiveServer):
    """Asked for profiles too, the page shows a recommendation at the plan's own counter-hours
    with the day's within-target share without and with it."""
    build_known_day(server.queue, server.clock)
    r = manager(server).get(f"{LEARNED}&target=90&profiles=1")
    assert r.status_code == 200, text(r)
    page = text(r)
    assert 'id="profile-plan"' in r.text and "Recommended work profiles" in page
    assert re.search(r"At the same counter-hours: within target [\d.]+ % → [\d.]+ %", page)
    assert 'id="want-profiles" checked' in r.text
