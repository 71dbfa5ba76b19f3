"""Security of the server: who may change the queue, and what a phone may see."""

from __future__ import annotations

import re
import sqlite3

import httpx
import pytest

from server.api import routes as api
from server.app import create_app
from server.pages import counter as pages_counter
from server.pages import phone as pages_phone
from tests.server.live import STAFF, LiveServer

JOB = "employment.job-seeker"
PHONE_ROUTES = {"/api/status/{token}/rate", "/t/{token}/rate"}   # the token is the credential
SIGN_IN = {"/counter/login"}


def state_changing_routes() -> list[str]:
    """Every POST/PUT/PATCH/DELETE route of every router the app includes."""
    paths = []
    for router in (api.router, pages_counter.router, pages_phone.router):
        for route in router.routes:
            methods = getattr(route, "methods", None) or set()
            if methods & {"POST", "PUT", "PATCH", "DELETE"}:
                paths.append(route.path)
    return sorted(paths)


def fill(path: str, token: str = "A-001") -> str:
    return path.replace("{counter}", "3").replace("{ref}", "A-001").replace("{token}", token)


def test_every_state_changing_route_needs_a_session_or_device(server: LiveServer):
    """Without a session or a device token, every POST is refused with 401/403."""
    server.queue.issue(JOB)
    routes = [p for p in state_changing_routes() if p not in PHONE_ROUTES | SIGN_IN]
    assert len(routes) >= 15
    with httpx.Client(base_url=server.url) as anonymous:
        for path in routes:
            response = anonymous.post(fill(path), json={"service": JOB, "ticket": "A-001",
                                                         "source": "x", "kind": "printed"},
                                      data=None)
            assert response.status_code in (401, 403), (path, response.status_code, response.text)
    assert server.queue.last_event_id() == 2   # day_started + issued: nothing else happened


def test_phone_routes_need_the_tickets_own_token(server: LiveServer):
    """Rating without the right token finds nothing, and there is no list of tickets."""
    ticket = server.queue.issue(JOB)
    with httpx.Client(base_url=server.url) as anonymous:
        assert anonymous.post("/api/status/wrong-token-1234/rate", json={"score": 5}).status_code == 404
        assert anonymous.get("/api/status/wrong-token-1234").status_code == 404
        assert anonymous.get(f"/api/status/{ticket.code}").status_code in (404, 422)
        for listing in ("/t/", "/t", "/api/waiting", "/api/snapshot", "/api/events",
                        f"/api/tickets/{ticket.code}", "/api/events/stream", "/api/config"):
            response = anonymous.get(listing)
            assert response.status_code in (401, 404), listing
            assert ticket.token not in response.text
        page = anonymous.get(f"/t/{ticket.token}")
        assert page.status_code == 200 and ticket.code in page.text


def test_staff_of_counter_3_cannot_act_for_counter_4(server: LiveServer):
    """A session that opened counter 3 is refused every action on counter 4."""
    server.queue.issue("pensions.age")
    server.queue.open_counter("4", staff="rauf")
    staff = server.staff_client("aysel", counter="3")
    for action in ("next", "recall", "start", "finish", "no-show", "pause", "close"):
        response = staff.api("POST", f"/api/counters/4/{action}")
        assert response.status_code == 403, (action, response.text)
    assert staff.api("POST", "/api/counters/4/transfer", json={"service": JOB}).status_code == 403
    assert staff.api("POST", "/api/counters/4/call", json={"ticket": "B-001"}).status_code == 403
    assert server.queue.counter_state("4").ticket is None
    assert staff.api("POST", "/api/counters/3/pause").status_code == 200


def test_staff_requests_need_the_csrf_token_and_same_origin(server: LiveServer):
    """A session cookie alone (a forged cross-site request) cannot change the queue."""
    server.queue.issue(JOB)
    staff = server.staff_client("aysel", counter="3")
    assert staff.post("/api/counters/3/next").status_code == 403             # no CSRF header
    assert staff.post("/api/counters/3/next",
                      headers={"X-CSRF-Token": "guess"}).status_code == 403
    forged = staff.api("POST", "/api/counters/3/next", headers={"Origin": "http://evil.example"})
    assert forged.status_code == 403
    assert staff.post("/counter/logout", data={"csrf": "guess"}).status_code == 403
    assert server.queue.counter_state("3").ticket is None
    assert staff.api("POST", "/api/counters/3/next").status_code == 200


def test_session_cookie_is_httponly_and_samesite_strict(server: LiveServer):
    """The session cookie is out of reach of scripts and of other sites."""
    with httpx.Client(base_url=server.url) as client:
        response = client.post("/counter/login", data={"username": "aysel",
                                                       "password": STAFF["aysel"]})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "novbe_session=" in cookie
    assert "HttpOnly" in cookie and re.search("SameSite=strict", cookie, re.I)


def test_wrong_password_repeated_is_throttled(server: LiveServer):
    """After five wrong passwords even the right one is refused for a while (429)."""
    with httpx.Client(base_url=server.url) as client:
        for _ in range(5):
            wrong = client.post("/counter/login", data={"username": "aysel", "password": "nope-nope"})
            assert wrong.status_code == 401
        locked = client.post("/counter/login", data={"username": "aysel",
                                                     "password": STAFF["aysel"]})
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 0
        assert "novbe_session" not in locked.headers.get("set-cookie", "")


@pytest.mark.real_scrypt_cost     # 40 at once against checks of their real length
def test_parallel_wrong_passwords_are_counted_before_checking(server: LiveServer):
    """40 wrong passwords sent at once: at most 5 are checked (401), the rest are refused
    (429) before the password check — the throttle cannot be raced."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(i: int) -> int:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            return client.post("/counter/login", data={"username": "aysel",
                                                       "password": f"guess-{i:04d}"}).status_code
    with ThreadPoolExecutor(40) as pool:
        codes = list(pool.map(attempt, range(40)))
    assert codes.count(401) <= 5
    assert codes.count(401) + codes.count(429) == 40


def test_revoked_device_token_stops_working(server: LiveServer):
    """A device token works until `device remove`, then every request is refused."""
    token = server.accounts.add_device("kiosk-2")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers) as kiosk:
        assert kiosk.post("/api/tickets", json={"service": JOB}).status_code == 200
        server.accounts.remove_device("kiosk-2")
        assert kiosk.post("/api/tickets", json={"service": JOB}).status_code == 401
        assert kiosk.get("/api/snapshot").status_code == 401
    assert len(server.queue.waiting()) == 1


def test_staff_cannot_issue_tickets_or_report_printers(server: LiveServer):
    """Issuing and printer reports are for device tokens only."""
    staff = server.staff_client("aysel", counter="3")
    assert staff.api("POST", "/api/tickets", json={"service": JOB}).status_code == 403
    assert staff.api("POST", "/api/devices/report",
                     json={"source": "x", "kind": "printed"}).status_code == 403


def test_passwords_and_tokens_are_stored_hashed(server: LiveServer):
    """The database holds scrypt hashes and token digests, never the secrets."""
    raw = server.db_path.read_bytes()
    for password in STAFF.values():
        assert password.encode() not in raw
    assert server.device_token.encode() not in raw
    with sqlite3.connect(server.db_path) as db:
        hashes = [r[0] for r in db.execute("SELECT password_hash FROM staff")]
    assert hashes and all(h.startswith("scrypt$") for h in hashes)


def test_bad_input_gets_a_4xx_with_a_message(server: LiveServer):
    """Unknown services, bad JSON and wrong types are 4xx with a message, not 500."""
    with server.device_client() as kiosk:
        cases = [
            kiosk.post("/api/tickets", json={"service": "no-such"}),
            kiosk.post("/api/tickets", content=b"{not json", headers={"Content-Type": "application/json"}),
            kiosk.post("/api/tickets", json={"service": JOB, "language": "xx"}),
            kiosk.post("/api/tickets", content=b'{"service": "\\ud800"}',
                       headers={"Content-Type": "application/json"}),
            kiosk.post("/api/counters/99/next"),
            kiosk.post("/api/counters/3/finish", json={"outcome": "magic"}),
            kiosk.get("/api/events", params={"after_id": -1}),
            kiosk.get("/api/events", params={"after_id": 10**30}),
        ]
    for response in cases:
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["message"]


def test_serve_binds_loopback_by_default():
    """`novbe serve` listens on 127.0.0.1 unless --host says otherwise."""
    from novbe.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8700)


def test_create_app_needs_somewhere_for_accounts(config):
    """A queue without a file needs an explicit accounts store."""
    class NoFile:
        path = None
    queue = NoFile()
    queue.config = config
    with pytest.raises(ValueError):
        create_app(queue, config)


def test_pages_send_security_headers(server: LiveServer):
    """Pages forbid framing and sniffing and load scripts only from the server itself."""
    with httpx.Client(base_url=server.url) as client:
        response = client.get("/counter")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]
