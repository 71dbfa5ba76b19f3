"""The server: a FastAPI app over one queue (create_app) and a uvicorn runner in a thread
(run_server_in_thread) for the demo and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import socket
import sqlite3
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.api import booking_routes, help_routes, profile_routes
from server.api import routes as api
from server.api.error_status import http_status
from server.auth.accounts import Accounts
from server.auth.sign_in import password_gate
from server.auth.throttle import SignInThrottle
from server.events.hub import POLL_SECONDS, EventHub
from server.events.sse import STREAM_DOCS
from server.http.front import Front
from server.http.limits import Limits
from server.http.offload import Lanes
from server.http.serving import ServeOptions, listening_socket, uvicorn_config
from server.ops import fleet
from server.ops import metrics as ops_metrics
from server.pages import assist as pages_assist
from server.pages import counter as pages_counter
from server.pages import desk as pages_desk
from server.pages import manager as pages_manager
from server.pages import phone as pages_phone
from server.pages import plan as pages_plan
from server.pages import reports as reports_routes
from server.pages.docs import add_offline_docs
from server.pages.web import STATIC_DIR, wants_html
from server.served_queue import ServedQueue
from server.shipping import bookings_link
from server.shipping import process as shipping_process
from server.shipping import status_api as central_api
from server.sms import sender as sms_sender
from shared.client.api_table import error_body
from shared.config.centre import CentreConfig
from shared.core.clock import Clock
from shared.core.errors import ConfigError, NoTicketWaiting, NovbeError
from shared.version import VERSION

log = logging.getLogger(__name__)

DEFAULT_PORT = 8700
# The server reports through its own /metrics (server/ops/metrics.py); FastAPI's OpenTelemetry
# hooks, on by default, asked OpenTelemetry for its providers on every request (5 % of the
# event loop's time per issue) to find none configured.
NO_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
class NovbeApp(FastAPI):
    """FastAPI with one layer outside its whole middleware stack (server/http/front.py): phone
    look-ups per address, bodies capped before anything reads them, the event streams written
    straight to the connection, security headers and request times."""

    def __init__(self, limits: Limits, **kwargs: Any):
        self.limits = limits
        super().__init__(**kwargs)

    def build_middleware_stack(self) -> Any:
        return Front(super().build_middleware_stack(), self.limits)

    def openapi(self) -> dict[str, Any]:
        """The API's OpenAPI document, the event streams the front layer serves included."""
        if self.openapi_schema is None:
            super().openapi()["paths"].update(STREAM_DOCS)
        return super().openapi()


def _error(exc: Exception, status: int, name: str | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(exc, name), status_code=status, headers=headers)


async def _novbe_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NovbeError)
    retry_after = getattr(exc, "retry_after", None)      # TooManyAttempts, Busy
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    if isinstance(exc, ConfigError):
        return JSONResponse(error_body(exc), status_code=http_status(exc))
    if wants_html(request):
        return pages_counter.error_page(request, exc, headers)
    if isinstance(exc, NoTicketWaiting) and exc.ended is not None:   # Next ended a visit first
        return JSONResponse({"error": "NoTicketWaiting", "message": str(exc),
                             "ended": exc.ended.to_json()}, status_code=http_status(exc))
    return _error(exc, http_status(exc), headers=headers)


def _finite(value: Any) -> Any:
    """JSON-safe: NaN and infinities (which Python's json reads) become their text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


async def _invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _finite(jsonable_encoder(exc.errors(), custom_encoder={Exception: str}))
    where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
                      + (f" (got {e['input']!r})" if _short(e.get("input")) else "")
                      for e in errors[:5])
    return JSONResponse({"error": "InvalidInput", "message": f"invalid input — {where}",
                         "detail": errors}, status_code=422)


def _short(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and len(repr(value)) <= 80


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (unknown route, wrong method, unreadable body) in the API's
    error shape instead of {"detail": …}."""
    assert isinstance(exc, StarletteHTTPException)
    names = {400: "InvalidInput", 404: "NotFound", 405: "MethodNotAllowed"}
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 400 and "parsing the body" in message:
        message = "the request body is not valid JSON (UTF-8)"
    return JSONResponse({"error": names.get(exc.status_code, "HTTPError"), "message": message},
                        status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _bad_text(request: Request, exc: Exception) -> JSONResponse:
    return _error(exc, 400, "InvalidInput")


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("database error on %s: %s", request.url.path, exc)
    return _error(Exception("the queue database is unavailable"), 503, "QueueUnavailable")


def create_app(queue: ServedQueue, config: CentreConfig | None = None, *,
               accounts: Accounts | None = None, db_path: str | Path | None = None,
               clock: Clock | None = None, secure_cookies: bool = False,
               poll_seconds: float | None = None, limits: Limits | None = None) -> FastAPI:
    """The whole server over one queue. Accounts live in `db_path` (default: the queue's file)."""
    limits = limits or Limits()
    config = config or queue.config
    if accounts is None:
        path = db_path or queue.path
        if path is None:
            raise ValueError("create_app needs accounts or db_path for a queue without a file")
        accounts = Accounts(path)
    hub = EventHub(queue, POLL_SECONDS if poll_seconds is None else poll_seconds,
                   live_credentials=accounts.live_credentials)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.lanes = Lanes.create()
        hub.settle = app.state.lanes.writes_settled
        await hub.start()
        app.state.shipper = shipping_process.start_for(config, db_path or queue.path)
        app.state.booking_link = bookings_link.start_for(queue, db_path or queue.path)
        app.state.sms = sms_sender.start_for(queue)
        app.state.ready.set()
        try:
            async with fleet.watching(app):
                yield
        finally:
            await hub.stop()
            if app.state.shipper is not None:
                await asyncio.to_thread(app.state.shipper.stop)
            if app.state.booking_link is not None:
                await asyncio.to_thread(app.state.booking_link.stop)
            if app.state.sms is not None:
                await asyncio.to_thread(app.state.sms.stop)
            app.state.lanes.close()

    app = NovbeApp(limits, title="Növbə server", version=VERSION, lifespan=lifespan,
                  docs_url=None, redoc_url=None, telemetry=NO_OPENTELEMETRY,
                  description="The queue of a social-services centre over HTTP: counter "
                              "console, phone ticket page, JSON API and live events.")
    app.state.queue = queue
    app.state.config = config
    app.state.accounts = accounts
    app.state.hub = hub
    app.state.shipper = None   # set at start-up when the config has [central]
    app.state.booking_link = None   # …and [bookings]
    app.state.sms = None            # [sms] and [bookings]: reminders sent
    app.state.clock = clock or queue.clock
    app.state.throttle = SignInThrottle()
    app.state.password_gate = password_gate()
    app.state.report_gate = reports_routes.report_gate()
    app.state.secure_cookies = secure_cookies
    app.state.ready = threading.Event()

    app.state.limits = limits
    app.add_exception_handler(NovbeError, _novbe_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_input)
    app.add_exception_handler(UnicodeError, _bad_text)
    app.add_exception_handler(sqlite3.DatabaseError, _database_error)

    app.state.metrics = ops_metrics.Metrics(app.state)
    app.include_router(api.router)       # first: the kiosks' and counters' calls match sooner
    app.include_router(ops_metrics.router)
    app.include_router(fleet.router)
    app.include_router(help_routes.router)
    app.include_router(booking_routes.router)
    app.include_router(profile_routes.router)
    app.include_router(central_api.router)
    app.include_router(pages_counter.router)
    app.include_router(pages_phone.router)
    app.include_router(pages_manager.router)
    app.include_router(reports_routes.router)
    app.include_router(pages_plan.router)
    app.include_router(pages_assist.router)
    app.include_router(pages_desk.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    add_offline_docs(app)
    return app


@dataclass
class ServerHandle:
    """A running server: its base URL, and stop()."""

    url: str
    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket
    _stopped: bool = field(default=False, repr=False)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def wait(self) -> None:
        """Block until the server stops (Ctrl+C still reaches the caller)."""
        while self.thread.is_alive():
            self.thread.join(0.5)

    def stop(self, timeout: float = 10.0) -> None:
        """End the open event streams, shut uvicorn down and wait for its thread."""
        if self._stopped:
            return
        self._stopped = True
        self.app.state.hub.close_streams()
        self.server.should_exit = True
        self.thread.join(timeout)
        with contextlib.suppress(OSError):
            self.sock.close()


def run_server_in_thread(queue: ServedQueue, config: CentreConfig | None = None,
                         host: str = "127.0.0.1", port: int = 0, *,
                         app: FastAPI | None = None, options: ServeOptions | None = None,
                         **app_options: Any) -> ServerHandle:
    """Start uvicorn over the queue in a daemon thread; returns once it is serving. `options`
    sets TLS, trusted proxies and limits (the host and port given here win)."""
    options = options or ServeOptions()
    options = ServeOptions(host, port, options.certfile, options.keyfile,
                           options.forwarded_allow_ips, options.limits, options.backlog)
    app = app or create_app(queue, config, limits=options.limits, **app_options)
    sock = listening_socket(host, port, options.backlog)
    bound = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"novbe-server-{bound}", daemon=True)
    thread.start()
    if not app.state.ready.wait(30):
        server.should_exit = True
        raise RuntimeError("the server did not start within 30 s")
    shown = f"[{host}]" if ":" in host else host
    return ServerHandle(f"{options.scheme}://{shown}:{bound}", app, server, thread, sock)
