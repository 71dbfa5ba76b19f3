"""Bad input gets a clear 4xx in the API's one error shape ({"error", "message"}), never a 500."""

from __future__ import annotations

import httpx

from tests.server.live import LiveServer

JOB = "employment.job-seeker"


def error_of(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) >= {"error", "message"} and body["message"], body
    return body["error"]


def test_nan_score_is_a_4xx(server: LiveServer):
    """{"score": NaN} to the public rating route is refused with 422, not a 500."""
    ticket = server.queue.issue(JOB)
    with httpx.Client(base_url=server.url, timeout=10) as phone:
        for raw in (b'{"score": NaN}', b'{"score": Infinity}', b'{"score": -Infinity}'):
            response = phone.post(f"/api/status/{ticket.token}/rate", content=raw,
                                  headers={"Content-Type": "application/json"})
            assert response.status_code == 422, (raw, response.text)
            assert error_of(response) == "InvalidInput"


def test_bad_last_event_id_is_a_4xx(server: LiveServer):
    """A Last-Event-ID of a Unicode digit or of 5,000 digits gets 422 with a message."""
    headers = {"Authorization": f"Bearer {server.board_token}"}
    with httpx.Client(base_url=server.url, timeout=10) as board:
        for value in ("²", "٣", "1" * 5000, "12a"):
            response = board.get("/api/events/stream",
                                 headers={**headers, "Last-Event-ID": value.encode()})
            assert response.status_code == 422, (value[:10], response.text)
            assert error_of(response) == "BadStreamRequest"
            assert "Last-Event-ID" in response.json()["message"]


def test_malformed_json_has_the_same_error_shape(server: LiveServer):
    """Broken JSON, JSON that is not UTF-8, an unknown route and a wrong method all answer
    {"error", "message"} like every other error."""
    with server.device_client() as kiosk:
        for raw in (b'{"service": ', b'\xff\xfe{"service": "x"}', b"[1, 2"):
            response = kiosk.post("/api/tickets", content=raw,
                                  headers={"Content-Type": "application/json"})
            assert 400 <= response.status_code < 500, (raw, response.text)
            assert error_of(response) == "InvalidInput"
        assert error_of(kiosk.get("/api/no-such-route")) == "NotFound"
        assert error_of(kiosk.delete("/api/tickets")) == "MethodNotAllowed"
