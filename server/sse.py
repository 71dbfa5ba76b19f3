"""FastStreams: an ASGI middleware that serves the two event streams itself — the same
openers as server/streams.py, written straight to the connection. With a thousand phones and
boards following, every layer between a batch and the socket is paid a thousand times."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from server.streams import open_event_stream, open_phone_stream
from shared.errors import NovbeError

STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


class FastStreams:
    """Serves GET /api/events/stream and GET /t/{token}/events; everything else passes on."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "GET" or not (
                path == "/api/events/stream"
                or (path.startswith("/t/") and path.endswith("/events") and path.count("/") == 3)):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            if path == "/api/events/stream":
                body = await open_event_stream(request, request.query_params.get("after_id"))
            else:
                body = await open_phone_stream(request, path.split("/")[2],
                                               request.query_params.get("lang"))
        except NovbeError as exc:
            response = JSONResponse({"error": type(exc).__name__, "message": str(exc)},
                                    status_code=exc.http_status)
            await response(scope, receive, send)
            return
        await stream(body, receive, send)


async def stream(body: AsyncIterator[str | bytes], receive: Any, send: Any) -> None:
    """Send the chunks as they come; stop when the client goes away."""
    task = asyncio.current_task()
    assert task is not None
    left = asyncio.Event()

    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        left.set()
        task.cancel()
    watcher = asyncio.create_task(watch())
    try:
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
        async for chunk in body:
            data = chunk if isinstance(chunk, bytes) else chunk.encode()
            await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    except asyncio.CancelledError:
        if not left.is_set():
            raise
        task.uncancel()        # the client left: a normal end, not a cancellation
    finally:
        watcher.cancel()
        with contextlib.suppress(Exception):
            await body.aclose()  # type: ignore[attr-defined]
