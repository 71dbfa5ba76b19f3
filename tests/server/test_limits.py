"""The server holds against abusive clients on a real uvicorn on 127.0.0.1: slow and idle clients
are cut, connections are capped, oversized or slow bodies are refused before they are read."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.http.limits import Limits
from server.http.serving import ServeOptions
from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from tests.server.live import LiveServer, live_server

JOB = "employment.job-seeker"
QUICK = Limits(header_seconds=1.0, body_seconds=1.0, keep_alive_seconds=1.0,
               max_connections=1000, max_per_address=0, body_bytes=8 * 1024)


@pytest.fixture
def quick(db_path: Path, config: CentreConfig, clock: FakeClock) -> Iterator[LiveServer]:
    """A live server whose deadlines are one second."""
    with live_server(db_path, config, clock, ServeOptions(limits=QUICK)) as live:
        yield live


def connect(live: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", live.handle.port), timeout=15)
    return sock


def closed_by_server(sock: socket.socket, within: float = 15.0) -> bool:
    """Whether the server closes the connection (EOF or reset) within `within` seconds."""
    sock.settimeout(within)
    try:
        while sock.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def exchange(live: LiveServer, request: bytes) -> bytes:
    """Send raw bytes on a fresh connection; everything the server answers until it closes."""
    sock = connect(live)
    try:
        sock.sendall(request)
        return answer(sock)
    finally:
        sock.close()


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(15)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def test_slow_headers_are_cut_while_counters_keep_working(quick: LiveServer):
    """Three hundred clients sending half a request are cut after the header deadline, and a
    counter's Next goes through while they hang on."""
    quick.queue.issue(JOB)
    slow = []
    for _ in range(300):
        sock = connect(quick)
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(sock)
    staff = quick.staff_client("aysel", counter="1")
    try:
        response = staff.api("POST", "/api/counters/1/next")
    finally:
        staff.close()
    assert response.status_code == 200, response.text
    assert all(closed_by_server(sock) for sock in slow)
    for sock in slow:
        sock.close()


def test_idle_connection_is_cut(quick: LiveServer):
    """A connection that never sends a byte is closed by the server after seconds."""
    sock = connect(quick)
    assert closed_by_server(sock)
    sock.close()


def test_next_request_on_a_kept_alive_connection_has_the_same_deadline(quick: LiveServer):
    """After one answer, a client that starts its next request and stalls is cut too."""
    sock = connect(quick)
    sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(10)
    assert b"200 OK" in sock.recv(4096)
    sock.sendall(b"GET /api/health HTTP/1.1\r\n")
    assert closed_by_server(sock)
    sock.close()


def answered_once_the_closes_are_seen(live: LiveServer, within: float = 15.0) -> bool:
    """Ask for /api/health until it is answered: the server sees closed connections on its own
    loop, a moment after the client closes them, and refuses a new one at once till then."""
    deadline = time.monotonic() + within
    with httpx.Client(base_url=live.url, timeout=10) as client:
        while True:
            try:
                return client.get("/api/health").status_code == 200
            except httpx.TransportError:      # refused: the cap still counts a closed one
                if time.monotonic() > deadline:
                    return False


def test_connections_are_capped_in_all(db_path: Path, config: CentreConfig, clock: FakeClock):
    """Connections over the cap are refused at once (before a byte is read), and accepted again
    once others close."""
    options = ServeOptions(limits=Limits(max_connections=40, max_per_address=0))
    with live_server(db_path, config, clock, options) as live:
        held = [connect(live) for _ in range(40)]
        over = connect(live)
        assert closed_by_server(over, within=5)
        over.close()
        for sock in held:
            sock.close()
        assert answered_once_the_closes_are_seen(live)


def test_connections_are_capped_per_address(db_path: Path, config: CentreConfig,
                                            clock: FakeClock):
    """One address cannot take more than its share of connections."""
    options = ServeOptions(limits=Limits(max_connections=1000, max_per_address=10))
    with live_server(db_path, config, clock, options) as live:
        held = [connect(live) for _ in range(10)]
        over = connect(live)
        assert closed_by_server(over, within=5)
        for sock in (*held, over):
            sock.close()


def test_oversized_headers_are_refused(quick: LiveServer):
    """Headers larger than the cap get 431 and the connection closes."""
    data = exchange(quick, b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000
                    + b"\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 431")


def test_declared_body_over_the_cap_is_refused_unread(quick: LiveServer):
    """An anonymous POST announcing a 100 MB body gets 413 from its headers alone: the server
    answers without waiting for (or reading) a byte of the body."""
    data = exchange(quick, b"POST /counter/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    b"application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 413")
    assert b'"error": "BodyTooLarge"' in data


def test_body_just_over_the_cap_is_refused_on_every_route(quick: LiveServer):
    """A body one byte over the cap is refused with 413 on public, device and staff routes
    alike; one byte under passes on to the route (which answers for itself)."""
    cap = QUICK.body_bytes
    routes = ["/api/tickets", "/api/status/" + "x" * 20 + "/rate", "/counter/login",
              "/api/counters/1/next"]
    with httpx.Client(base_url=quick.url, timeout=10) as client:
        for route in routes:
            over = client.post(route, content=b"{" + b" " * cap,
                               headers={"Content-Type": "application/json"})
            assert over.status_code == 413, (route, over.text)
            assert over.json()["error"] == "BodyTooLarge"
            under = client.post(route, content=b" " * (cap - 10) + b"{}",
                                headers={"Content-Type": "application/json"})
            assert under.status_code not in (413, 500), (route, under.text)


def test_chunked_body_is_counted_as_it_streams(quick: LiveServer):
    """A chunked body (no Content-Length) is cut with 413 once it passes the cap."""
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    with httpx.Client(base_url=quick.url, timeout=10) as client:
        response = client.post("/api/tickets", content=chunks(),
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "BodyTooLarge"


def test_slow_body_is_cut(quick: LiveServer):
    """A body that trickles in slower than the deadline gets 408 and the connection closes."""
    data = exchange(quick, b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    b"application/json\r\nContent-Length: 100\r\n\r\n{")
    assert data.startswith(b"HTTP/1.1 408")
    assert b'"error": "BodyTooSlow"' in data
