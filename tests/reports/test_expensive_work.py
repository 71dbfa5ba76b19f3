"""Expensive work bounded on a real server: reports and exports a few at a time (others wait
or get 429 with Retry-After), an abandoned plan run stopped, phone look-ups rate-limited per
address while a real phone and the devices are not slowed."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from server.pages.reports import REPORT_SLOTS
from tests.reports.known_day import build_known_day
from tests.reports.test_routes import manager
from tests.server.live import LiveServer

YEAR = "from=2026-01-01&to=2026-12-31"


def test_year_long_exports_run_a_few_at_a_time(server: LiveServer):
    """Eight year-long XLSX exports at once: never more than two are built at the same time,
    the others wait their turn or are refused with 429 and Retry-After — none fails."""
    build_known_day(server.queue, server.clock)
    client = manager(server)
    answers: list[httpx.Response] = []
    start = threading.Barrier(8)

    def export() -> None:
        with httpx.Client(base_url=server.url, cookies=client.cookies, timeout=60) as c:
            start.wait()
            answers.append(c.get(f"/manager/reports.xlsx?{YEAR}&by=staff"))
    threads = [threading.Thread(target=export) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert len(answers) == 8
    assert {a.status_code for a in answers} <= {200, 429}
    assert any(a.status_code == 200 for a in answers)
    assert all(int(a.headers["retry-after"]) > 0 for a in answers if a.status_code == 429)
    assert server.handle.app.state.report_gate.peak <= REPORT_SLOTS


@pytest.mark.slow
def test_an_abandoned_plan_run_is_stopped(server: LiveServer):
    """A manager asks for the busiest day's plan and the browser gives up after a second: the
    run stops at its next step (the plan gate is free again long before a whole run's minute)
    and the next plan can be asked for."""
    client = manager(server)
    try:
        client.get("/manager/plan?scenario=busy&target=90&lang=en", timeout=1.0)
    except httpx.ReadTimeout:
        pass
    else:
        raise AssertionError("the busiest day's plan should take longer than a second")
    deadline = time.monotonic() + 40
    while client.get("/manager/plan/progress.json").json()["running"]:
        assert time.monotonic() < deadline, "the abandoned plan is still running after 40 s"
        threading.Event().wait(0.2)
    progress = server.handle.app.state.plan_progress
    assert progress.stop.is_set() and progress.done < progress.total


def test_phone_look_ups_are_rate_limited_per_address(server: LiveServer):
    """300 status look-ups from one address get 429 with Retry-After past the address's
    allowance; a phone at another address opens its page and status at once; a board with
    its device token at the flooding address is not counted."""
    ticket = server.queue.issue("employment.job-seeker")
    flood = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=server.url, transport=flood, timeout=10) as attacker:
        codes = [attacker.get(f"/api/status/{ticket.token}") for _ in range(300)]
        board = attacker.get("/api/snapshot",
                             headers={"Authorization": f"Bearer {server.board_token}"})
    refused = [r for r in codes if r.status_code == 429]
    assert refused and {r.status_code for r in codes} == {200, 429}
    assert all(int(r.headers["retry-after"]) >= 1 for r in refused)
    assert board.status_code == 200
    phone = httpx.HTTPTransport(local_address="127.0.0.3")
    with httpx.Client(base_url=server.url, transport=phone, timeout=10) as visitor:
        assert visitor.get(f"/t/{ticket.token}").status_code == 200
        assert visitor.get(f"/api/status/{ticket.token}").status_code == 200
