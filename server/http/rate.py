"""Unauthenticated phone look-ups rate-limited per address: a token bucket per client address
for /t/{token} (the page, its event stream, its rating) and /api/status/{token}, so a flood
of look-ups cannot slow the boards and counters, while one phone — a page load, a stream that
reconnects, a rating — never comes near the limit. Devices (an Authorization header) are not
counted here: they have their own tokens and roles."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

PHONE_BURST = 40.0          # look-ups an address may make at once
PHONE_PER_SECOND = 4.0      # and then this many a second, for ever
KEYS_REMEMBERED = 20_000    # addresses remembered (bounded memory; the oldest go first)
PHONE_PREFIXES = ("/t/", "/api/status/")


class TokenBuckets:
    """One bucket per key, refilled at `rate` a second up to `burst`."""

    def __init__(self, rate: float, burst: float, now: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self._now = rate, burst, now
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """Take one token: 0.0 when there was one, else the seconds until there is."""
        now = self._now()
        tokens, then = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > KEYS_REMEMBERED:
            self._buckets.popitem(last=False)
        return wait


class PhoneLookupLimit:
    """Pure ASGI middleware: phone look-ups over an address's bucket get 429 + Retry-After
    (in the API's error shape) before anything else runs."""

    def __init__(self, app: Any, buckets: TokenBuckets | None = None):
        self.app = app
        self.buckets = buckets or TokenBuckets(PHONE_PER_SECOND, PHONE_BURST)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or await self.admit(scope, send):
            await self.app(scope, receive, send)

    async def admit(self, scope: dict, send: Any) -> bool:
        """Whether this HTTP request may go on; False once refused (the 429 is sent)."""
        if (scope["path"].startswith(PHONE_PREFIXES)
                and not any(k == b"authorization" for k, _ in scope.get("headers", ()))):
            client = scope.get("client")
            wait = self.buckets.take(str(client[0]) if client else "?")
            if wait:
                await _refuse(send, wait)
                return False
        return True


async def _refuse(send: Any, wait: float) -> None:
    seconds = max(1, int(wait + 0.999))
    body = json.dumps({"error": "TooManyLookups", "message": "too many ticket look-ups from "
                       f"this address; try again in {seconds} s"}).encode()
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(seconds).encode())]})
    await send({"type": "http.response.body", "body": body})
