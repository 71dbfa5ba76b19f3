"""The security headers every answer carries (a page's CSP; the API docs without it, their
bundled viewer runs inline script): one list of byte pairs made once, added to a response's
start message unless the response set that header itself."""

from __future__ import annotations

from typing import Any

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"),
}
HEADERS = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
DOCS_HEADERS = [h for h in HEADERS if h[0] != b"content-security-policy"]


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    """The headers an answer for `path` gets."""
    return DOCS_HEADERS if path.startswith("/docs") else HEADERS


def with_headers(message: dict, extra: list[tuple[bytes, bytes]]) -> dict:
    """An http.response.start message with `extra` added where the response has not set them."""
    headers = message.get("headers", [])
    present = {k.lower() for k, _ in headers}
    return {**message, "headers": [*headers, *(h for h in extra if h[0] not in present)]}


class SecurityHeaders:
    """Pure ASGI middleware adding the headers to every response (no per-chunk cost on
    streams, unlike BaseHTTPMiddleware); the centre's server does the same in its one front
    layer (server/http/front.py)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = with_headers(message, extra)
            await send(message)
        await self.app(scope, receive, send_with_headers)
