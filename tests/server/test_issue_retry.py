"""Remote issuing leaves no ghost tickets: a retry with the same request id gets the same
ticket, RemoteQueue retries a lost answer once, and waits for writes longer than the server
waits for its database."""

from __future__ import annotations

import httpx

from shared.client.remote_queue import RemoteQueue
from shared.store.database import BUSY_TIMEOUT_MS
from tests.server.live import LiveServer

JOB = "employment.job-seeker"


def test_an_issue_retried_with_the_same_request_id_returns_the_same_ticket(server: LiveServer):
    """The second POST with a request id already used answers with the first ticket, and no
    second ticket is issued; another request id issues a new one."""
    body = {"service": JOB, "request_id": "kiosk-1-aaaaaaaaaaaaaaaa"}
    with server.device_client("kiosk") as kiosk:
        first = kiosk.post("/api/tickets", json=body).json()
        again = kiosk.post("/api/tickets", json=body).json()
        other = kiosk.post("/api/tickets", json={**body, "request_id": "kiosk-1-bbbbbbbbbbbbbbbb"})
    assert again == first
    assert other.json()["code"] == "A-002"
    assert [t.code for t in server.queue.waiting()] == ["A-001", "A-002"]
    assert [e.kind for e in server.queue.events()].count("issued") == 2


class LoseFirstAnswer(httpx.HTTPTransport):
    """Delivers every request, but the first issue's answer is lost on the way back."""

    def __init__(self) -> None:
        super().__init__()
        self.issue_bodies: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path == "/api/tickets":
            self.issue_bodies.append(request.content)
            if len(self.issue_bodies) == 1:
                response.close()
                raise httpx.ReadError("connection reset while reading the answer", request=request)
        return response


def test_remote_queue_retries_a_lost_issue_with_the_same_request_id(server: LiveServer):
    """RemoteQueue.issue resends once after a transport error, with the same request id, and
    gets the ticket that was issued — one ticket, not a ghost and a second one."""
    transport = LoseFirstAnswer()
    with RemoteQueue(server.url, server.device_token, transport=transport) as remote:
        ticket = remote.issue(JOB, source="kiosk-1")
    assert len(transport.issue_bodies) == 2
    assert transport.issue_bodies[0] == transport.issue_bodies[1]
    assert b'"request_id"' in transport.issue_bodies[0]
    assert ticket.code == "A-001" and ticket.token == server.queue.ticket("A-001").token
    assert len(server.queue.waiting()) == 1


def test_remote_writes_wait_longer_than_the_servers_busy_timeout():
    """A write's timeout outlasts the server's SQLite busy timeout (so a slow commit is not
    reported as "out of service"), while reads keep the short one."""
    remote = RemoteQueue("http://127.0.0.1:9", "token-xyz", timeout=3)
    assert remote.write_timeout > BUSY_TIMEOUT_MS / 1000
    assert remote.timeout == 3
    remote.close()
