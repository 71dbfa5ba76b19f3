"""BodyLimit: an ASGI middleware that caps every request body BEFORE the app reads it, for every
route, signed in or not. A Content-Length over the cap is refused without reading a byte; a
chunked body is counted as it streams and refused as soon as it passes the cap; a body that
trickles in slower than the deadline is cut. The app then gets the (small) body in one piece.
Every refusal closes the connection, so the rest of an oversized body is never read."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from server.http.limits import Limits

CLOSE = (b"connection", b"close")


class BodyRefused(Exception):
    """The request body is too large, malformed in its framing, or too slow."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error = status, error


async def refuse(send: Any, status: int, error: str, message: str) -> None:
    """Answer in the API's error shape and close the connection."""
    body = json.dumps({"error": error, "message": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), CLOSE]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class BodyLimit:
    """Reads at most `limits.body_bytes` of a request body, within `limits.body_seconds`."""

    def __init__(self, app: Any, limits: Limits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        admitted = await self.admit(scope, receive, send)
        if admitted is not None:
            await self.app(scope, admitted, send)

    async def admit(self, scope: dict, receive: Any, send: Any) -> Any:
        """The receive() the app may read the whole body from, or None once the request was
        refused (the answer is sent)."""
        length: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding":
                chunked = True
        if length is None and not chunked:        # HTTP/1.1: no body at all
            return receive
        try:
            if length is not None:
                declared = _declared_length(length)
                if declared > self.limits.body_bytes:
                    raise BodyRefused(413, "BodyTooLarge", self._too_large(declared))
            body = await self._read(receive)
        except BodyRefused as refused:
            await refuse(send, refused.status, refused.error, str(refused))
            return None
        return _replay(body, receive)

    def _too_large(self, size: int | None = None) -> str:
        got = f" (got {size} bytes)" if size is not None else ""
        return f"the request body may be at most {self.limits.body_bytes} bytes{got}"

    async def _read(self, receive: Any) -> bytes:
        """The whole body, or BodyRefused once it passes the cap or the deadline."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.body_seconds
        parts: list[bytes] = []
        size = 0
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyRefused(408, "BodyTooSlow", "the request body did not arrive within "
                                  f"{self.limits.body_seconds:g} s") from None
            if message["type"] == "http.disconnect":
                raise BodyRefused(400, "ClientLeft", "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.body_bytes:
                raise BodyRefused(413, "BodyTooLarge", self._too_large())
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)


def _declared_length(value: bytes) -> int:
    if not value.isdigit() or len(value) > 18:
        raise BodyRefused(400, "InvalidInput", "Content-Length must be a whole number of bytes")
    return int(value)


def _replay(body: bytes, receive: Any) -> Any:
    """A receive() that gives the body once, then passes on (to hear a disconnect)."""
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replay
