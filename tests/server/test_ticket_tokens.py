"""A ticket's token (the phone page's only key) goes to the kiosk that issued it and to the phone
that holds it — never to staff sessions, boards or other devices."""

from __future__ import annotations

import httpx

from tests.server.live import LiveServer

JOB = "employment.job-seeker"
PENSION = "pensions.age"


def test_the_issuing_kiosk_gets_the_token(server: LiveServer):
    """POST /api/tickets answers with the token the kiosk prints as a QR code."""
    with server.device_client("kiosk") as kiosk:
        issued = kiosk.post("/api/tickets", json={"service": JOB}).json()
    assert issued["token"] == server.queue.ticket(issued["code"]).token


def test_tokens_are_absent_from_staff_and_device_reads(server: LiveServer):
    """Staff, board, counter and kiosk reads (ticket, waiting, counters, snapshot, counter
    actions) carry no ticket token."""
    tickets = [server.queue.issue(s) for s in (JOB, JOB, PENSION, PENSION)]
    tokens = [t.token for t in tickets]
    staff = server.staff_client("aysel", counter="3")
    acted = [staff.api("POST", "/api/counters/3/next"),
             staff.api("POST", "/api/counters/3/recall"),
             staff.api("POST", "/api/counters/3/start")]
    reads = [staff.get(path) for path in ("/api/tickets/A-001", "/api/waiting",
                                          "/api/counters/3", "/api/snapshot")]
    for role in ("board", "kiosk", "counter"):
        with server.device_client(role) as device:
            reads += [device.get(path) for path in (f"/api/tickets/{tickets[1].code}",
                                                    "/api/waiting", "/api/counters/3",
                                                    "/api/snapshot")]
    with server.device_client("counter") as counter:
        acted += [counter.post("/api/counters/5/open"),
                  counter.post("/api/counters/5/call", json={"ticket": "B-001"}),
                  counter.post("/api/counters/5/finish"),
                  counter.post("/api/counters/5/next"),
                  counter.post("/api/counters/5/transfer", json={"service": JOB}),
                  counter.post("/api/counters/5/pause")]
    for response in acted + reads:
        assert response.status_code == 200, (response.url, response.text)
        assert "token" not in response.text, response.url
        assert not any(token in response.text for token in tokens), response.url
    assert staff.get("/api/counters/3").json()["ticket"]["code"] == "A-001"


def test_staff_cannot_rate_a_visit(server: LiveServer):
    """A staff member who cannot see the token cannot rate their own visit as the visitor."""
    server.queue.issue(JOB)
    staff = server.staff_client("aysel", counter="3")
    called = staff.api("POST", "/api/counters/3/next").json()
    staff.api("POST", "/api/counters/3/finish", json={"outcome": "unresolved"})
    seen = staff.get(f"/api/tickets/{called['code']}").json()
    assert "token" not in seen
    guesses = [called["code"], str(called["id"]), seen.get("token", "")]
    with httpx.Client(base_url=server.url) as anyone:
        for guess in guesses:
            assert anyone.post(f"/api/status/{guess or 'none'}/rate",
                               json={"score": 5}).status_code in (404, 422)
    assert server.queue.ticket(called["code"]).rating is None


def test_the_phone_still_sees_and_rates_its_ticket(server: LiveServer):
    """The phone routes, which already hold the token, keep answering with the ticket."""
    ticket = server.queue.issue(JOB)
    server.queue.call_next("3")
    server.queue.finish("3")
    with httpx.Client(base_url=server.url) as phone:
        assert phone.get(f"/api/status/{ticket.token}").json()["code"] == ticket.code
        rated = phone.post(f"/api/status/{ticket.token}/rate", json={"score": 4})
    assert rated.status_code == 200 and rated.json()["rating"] == 4
