"""A fake SMS gateway over real HTTP (http.server on 127.0.0.1, its own thread): it records
every request and answers 500 to the first `fail_first` of them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Gateway:
    """What the fake gateway received."""

    url: str
    fail_first: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def fake_gateway(fail_first: int = 0) -> Iterator[Gateway]:
    """A running fake gateway; its URL ends in /send."""
    gateway = Gateway("", fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            gateway.received.append({"path": self.path, "headers": dict(self.headers),
                                     "body": json.loads(body.decode("utf-8"))})
            failing = len(gateway.received) <= gateway.fail_first
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
