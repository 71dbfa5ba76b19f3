"""Connections that never speak, over TLS and plain HTTP: the caps (per address and in all)
and the header deadline count from the TCP accept — a socket that never sends a ClientHello
is capped and closed like one that never sends a request line — so a flood of them from one
address does not stop a real HTTPS sign-in."""

from __future__ import annotations

import select
import shutil
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.http.limits import Limits
from server.http.serving import ServeOptions
from shared.config.centre import CentreConfig
from shared.core.clock import FakeClock
from tests.server.live import STAFF, LiveServer, live_server
from tests.server.test_limits import closed_by_server
from tests.server.test_serve_command import self_signed

ATTACKER = "127.0.0.2"
PER_ADDRESS = 50
SILENT = 200            # from one address: four times its share


@pytest.fixture(params=["https", "http"])
def guarded(request: pytest.FixtureRequest, tmp_path: Path, db_path: Path,
            config: CentreConfig, clock: FakeClock) -> Iterator[tuple[LiveServer, ssl.SSLContext | bool]]:
    """A live server with a 4 s header deadline and 50 connections per address, over TLS
    (a self-signed certificate made by openssl) or plain HTTP; and what verifies it."""
    limits = Limits(header_seconds=4.0, max_connections=1000, max_per_address=PER_ADDRESS)
    verify: ssl.SSLContext | bool = True
    options = ServeOptions(limits=limits)
    if request.param == "https":
        if shutil.which("openssl") is None:
            pytest.skip("openssl is not installed")
        cert, key = self_signed(tmp_path)
        options = ServeOptions(certfile=cert, keyfile=key, limits=limits)
        verify = ssl.create_default_context(cafile=str(cert))
    with live_server(db_path, config, clock, options) as live:
        yield live, verify


def silent(live: LiveServer, source: str = ATTACKER) -> socket.socket:
    """A TCP connection from `source` that never sends a byte (no ClientHello either)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(15)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", live.handle.port))
    return sock


def dropped_within(socks: list[socket.socket], expected: int,
                   seconds: float) -> set[socket.socket]:
    """The sockets the server closed, waiting until `expected` are or `seconds` have passed
    (less than the header deadline: those still open are the ones it holds)."""
    dropped: set[socket.socket] = set()
    deadline = time.monotonic() + seconds
    while len(dropped) < expected and (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([s for s in socks if s not in dropped], [], [], left)
        for sock in readable:
            try:
                if sock.recv(1) == b"":
                    dropped.add(sock)
            except ConnectionResetError:
                dropped.add(sock)
    return dropped


def test_a_flood_of_silent_sockets_does_not_stop_a_sign_in(guarded):
    """200 silent sockets from one address: 150 over its share are dropped at once, a real
    sign-in from elsewhere goes through, and the 50 held are closed at the deadline."""
    live, verify = guarded
    flood = [silent(live) for _ in range(SILENT)]
    try:
        dropped = dropped_within(flood, SILENT - PER_ADDRESS, seconds=2.0)
        held = [sock for sock in flood if sock not in dropped]
        assert len(held) == PER_ADDRESS and len(dropped) == SILENT - PER_ADDRESS
        with httpx.Client(base_url=live.url, verify=verify, timeout=30) as colleague:
            answer = colleague.post("/counter/login", data={"username": "aysel",
                                                            "password": STAFF["aysel"]})
        assert answer.status_code == 303
        assert all(closed_by_server(sock, within=10) for sock in held)
    finally:
        for sock in flood:
            sock.close()


def test_silent_sockets_count_towards_the_cap_in_all(tmp_path: Path, db_path: Path,
                                                    config: CentreConfig, clock: FakeClock):
    """Over TLS, 40 silent sockets fill a cap of 40: the next connection is dropped before
    any handshake; once they are cut at the deadline, HTTPS answers again."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = self_signed(tmp_path)
    options = ServeOptions(certfile=cert, keyfile=key, limits=Limits(
        header_seconds=2.0, max_connections=40, max_per_address=0))
    with live_server(db_path, config, clock, options) as live:
        held = [silent(live) for _ in range(40)]
        over = silent(live, "127.0.0.3")
        try:
            assert closed_by_server(over, within=5)
            assert all(closed_by_server(sock, within=10) for sock in held)
            with httpx.Client(base_url=live.url, verify=ssl.create_default_context(cafile=str(cert)),
                          timeout=10) as client:
                assert client.get("/api/health").status_code == 200
        finally:
            for sock in (*held, over):
                sock.close()
