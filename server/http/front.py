"""The server's one ASGI layer in front of FastAPI's stack: what five nested layers did, in one
call and with at most one wrapper around `send` — phone look-ups limited per address
(server/http/rate.py), the body capped and read whole before anything else
(server/http/body_limit.py), the two event streams served apart (server/events/sse.py), and
for every other answer the security headers (server/http/security_headers.py) and the
request's time by route (server/ops/metrics.py). Each layer a request crosses costs the event
loop a coroutine and a send wrapper; with eight kiosks issuing that was a fifth of its time."""

from __future__ import annotations

import time
from typing import Any

from server.events.sse import is_stream, serve_stream
from server.http.body_limit import BodyLimit
from server.http.limits import Limits
from server.http.rate import PhoneLookupLimit
from server.http.security_headers import headers_for, with_headers
from server.ops.metrics import observe_request, timed


class Front:
    """In order: the phone limit and the body limit may refuse (nothing else runs, as before);
    a stream is served straight on the connection; anything else goes to `app` and its answer
    gets the headers and is timed (streams and phones are not)."""

    def __init__(self, app: Any, limits: Limits):
        self.app = app
        self.phones = PhoneLookupLimit(app)
        self.bodies = BodyLimit(app, limits)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":                   # lifespan
            await self.app(scope, receive, send)
            return
        if not await self.phones.admit(scope, send):
            return
        receive = await self.bodies.admit(scope, receive, send)
        if receive is None:
            return
        if is_stream(scope):
            await serve_stream(scope, receive, send)
            return
        path = scope["path"]
        extra = headers_for(path)
        status = 500

        async def answer(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = with_headers(message, extra)
            await send(message)

        if not timed(path):
            await self.app(scope, receive, answer)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, answer)
        finally:
            observe_request(scope, status, time.perf_counter() - started)
