"""The one server of the two event streams (GET /api/events/stream and GET /t/{token}/events):
the server's front layer (server/http/front.py) hands them here before the app, and they are
opened with server/events/streams.py and written straight to the connection. With a thousand
phones and boards following, every layer between a batch and the socket is paid a thousand
times, so no FastAPI route serves them; STREAM_DOCS describes them in the API's OpenAPI document."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from server.api.error_status import http_status
from server.api.schemas import MAX_ID
from server.events.hub import BATCH, KEEP_ALIVE, sse_event
from server.events.streams import (
    LANGS,
    RETRY_MS,
    OpenedStream,
    open_event_stream,
    open_phone_stream,
)
from shared.client.api_table import EVENT_STREAM, error_body
from shared.core.errors import NovbeError

STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


STREAM_PATH = EVENT_STREAM.url()
PHONE_PATH = "/t/{token}/events"
_REFUSED = {"description": "Refused: the error body names what is wrong",
            "content": {"application/json": {"schema": {
                "type": "object", "required": ["error", "message"],
                "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}}}}
_EVENTS = {"description": f"Server-Sent Events (`retry: {RETRY_MS}` first)",
           "content": {"text/event-stream": {"schema": {"type": "string"}}}}

STREAM_DOCS: dict[str, Any] = {
    STREAM_PATH: {"get": {
        "tags": ["board"], "summary": "Event stream", "operationId": "event_stream",
        "description": "Queue events as Server-Sent Events (`id:` is the event id; reconnecting "
                       "with Last-Event-ID, or ?after_id=, resumes after it). Without either, "
                       "starts from now. The stream ends when the caller's device token is "
                       "revoked or staff session ends.",
        "parameters": [
            {"name": "after_id", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}},
            {"name": "last-event-id", "in": "header", "required": False,
             "schema": {"type": "string", "pattern": "^[0-9]{1,19}$"}}],
        "responses": {"200": _EVENTS, "401": _REFUSED, "403": _REFUSED, "422": _REFUSED}}},
    PHONE_PATH: {"get": {
        "tags": ["phone"], "summary": "Phone stream", "operationId": "phone_stream",
        "description": "The ticket's status as Server-Sent Events (`event: status`): now, then "
                       "on changes; `event: end` once it will not change any more.",
        "parameters": [
            {"name": "token", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,100}$"}},
            {"name": "lang", "in": "query", "required": False,
             "schema": {"type": "string", "enum": list(LANGS), "default": "az"}}],
        "responses": {"200": _EVENTS, "404": _REFUSED, "422": _REFUSED}}},
}


def is_stream(scope: dict) -> bool:
    """Whether an HTTP request asks for one of the two streams (GET, by its path)."""
    path = scope["path"]
    return scope["method"] == "GET" and (
        path == STREAM_PATH
        or (path.startswith("/t/") and path.endswith("/events") and path.count("/") == 3))


async def serve_stream(scope: dict, receive: Any, send: Any) -> None:
    """Open the stream `scope` asks for and write it until it ends or the client leaves (a
    refusal in the API's error shape); `send` is the server's own, so the hub may write to
    the socket directly."""
    path = scope["path"]
    request = Request(scope, receive)
    try:
        if path == STREAM_PATH:
            opened = await open_event_stream(request, request.query_params.get("after_id"))
            await follow_disconnect(serve_event_stream(opened, send), receive)
            return
        body = await open_phone_stream(request, path.split("/")[2],
                                       request.query_params.get("lang"))
    except NovbeError as exc:
        response = JSONResponse(error_body(exc), status_code=http_status(exc))
        await response(scope, receive, send)
        return
    await follow_disconnect(stream(body, send), receive)


async def serve_event_stream(opened: OpenedStream, send: Any) -> None:
    """Write the queue's events to one stream: whatever the hub has after this stream's
    cursor; then, caught up, idle — the hub itself writes each new batch to the socket (one
    write of bytes shared by every stream, no wake-up of this task) — until the stream falls
    behind, its client leaves, the hub closes or its credential is no longer live."""
    hub, sub = opened.hub, opened.subscription
    try:
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
        await send({"type": "http.response.body", "body": opened.greeting, "more_body": True})
        direct = direct_writer(send)
        beats = hub.beats
        while not sub.ended:
            newest = hub.last_id
            data = hub.since(sub.cursor)
            if data is None:                 # too far behind the ring: read the database
                events = await asyncio.to_thread(opened.queue.events, sub.cursor, BATCH)
                if not events:
                    continue
                data, newest = b"".join(sse_event(e) for e in events), events[-1].id
            if data:
                await send({"type": "http.response.body", "body": data, "more_body": True})
                sub.cursor = max(sub.cursor, newest)
            elif beats != hub.beats:
                beats = hub.beats
                await send({"type": "http.response.body", "body": KEEP_ALIVE, "more_body": True})
            else:
                await hub.idle(sub, direct)
                beats = hub.beats            # the hub wrote any keep-alive meanwhile
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        hub.unsubscribe(sub)


def direct_writer(send: Any) -> Any:
    """How the hub may write chunks straight to this stream's socket: uvicorn's connection
    behind `send`, while it takes more (None under any other server: the task writes)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    flow = getattr(cycle, "flow", None)
    if transport is None or flow is None or not getattr(cycle, "chunked_encoding", False):
        return None

    def write(frame: bytes) -> bool:
        if flow.write_paused or transport.is_closing():
            return False
        transport.write(frame)
        return True
    return write


async def stream(body: AsyncIterator[str | bytes], send: Any) -> None:
    """Send the chunks of an async iterator as they come (the phone's stream)."""
    try:
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
        async for chunk in body:
            data = chunk if isinstance(chunk, bytes) else chunk.encode()
            await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        with contextlib.suppress(Exception):
            await body.aclose()  # type: ignore[attr-defined]


async def follow_disconnect(work: Coroutine[Any, Any, None], receive: Any) -> None:
    """Run a stream's work; stop it when the client goes away (a normal end)."""
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
        await work
    except asyncio.CancelledError:
        if not left.is_set():
            raise
        task.uncancel()        # the client left: a normal end, not a cancellation
    finally:
        watcher.cancel()
