"""How the server runs: uvicorn (httptools parser) with a guarded connection protocol, TLS when
given a certificate, and forwarded headers trusted only from addresses named explicitly.

Why uvicorn and a protocol subclass rather than another server: uvicorn is already the
project's server and its httptools protocol is the fastest pure-Python-hosted HTTP/1.1 path
for a thousand event streams; what it lacks for a public-facing lobby is a deadline on slow
headers (it times out only idle keep-alive connections), a header-size cap for httptools, and
a cap on connections that refuses *before* a request is read (its limit_concurrency still
accepts the socket and reads the request, then answers 503). GuardedProtocol adds those three
at the socket, where they cost nothing per request; the body cap and body deadline are ASGI
middleware (server/http/body_limit.py)."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import socket
import ssl
from asyncio.sslproto import SSLProtocol
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

try:                                   # uvloop's TLS is compiled: used when the loop is uvloop
    import uvloop
    from uvloop.loop import SSLProtocol as UvloopTLS  # type: ignore[attr-defined]
except ImportError:                    # pragma: no cover
    UvloopTLS = None

from server.http.limits import Limits, raise_open_file_limit

log = logging.getLogger(__name__)


def _refusal(status: str, error: str, message: str) -> bytes:
    """A complete HTTP answer that closes the connection, in the API's error shape."""
    body = json.dumps({"error": error, "message": message}).encode()
    return (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


HEADER_TOO_LARGE = _refusal("431 Request Header Fields Too Large", "HeadersTooLarge",
                            "the request line and headers are too large")


@dataclass
class ServeOptions:
    """What `novbe serve` is told: where to listen, TLS, which proxies to trust, limits."""

    host: str = "127.0.0.1"
    port: int = 8700
    certfile: str | Path | None = None
    keyfile: str | Path | None = None
    forwarded_allow_ips: str | None = None    # None: X-Forwarded-* headers are not trusted
    limits: Limits = field(default_factory=Limits)
    backlog: int = 2048

    @property
    def scheme(self) -> str:
        return "https" if self.certfile else "http"


class _ConnectionCount:
    """Open connections, in all and per client address (one event loop: no lock needed)."""

    def __init__(self) -> None:
        self.total = 0
        self.by_address: dict[str, int] = {}

    def admit(self, address: str, limits: Limits) -> bool:
        if self.total >= limits.max_connections:
            return False
        held = self.by_address.get(address, 0)
        if limits.max_per_address and held >= limits.max_per_address:
            return False
        self.total += 1
        self.by_address[address] = held + 1
        return True

    def release(self, address: str) -> None:
        self.total -= 1
        left = self.by_address.get(address, 1) - 1
        if left > 0:
            self.by_address[address] = left
        else:
            self.by_address.pop(address, None)


def guarded_protocol(limits: Limits, tls: ssl.SSLContext | None = None) -> Any:
    """What uvicorn makes a connection with: uvicorn's httptools protocol with a connection cap
    (in all and per address), a deadline for the request line and headers, and a cap on their
    size — all counted from the TCP accept. With `tls`, each accepted socket is first met by
    the loop's own TLS protocol (uvloop's compiled one, else asyncio's), subclassed so that it
    is counted from the accept and its handshake has the header deadline (a
    socket that never says ClientHello holds neither the caps nor a file past the deadline);
    the HTTP protocol starts once the handshake is done, with what is left of the deadline."""
    count = _ConnectionCount()

    class GuardedProtocol(HttpToolsProtocol):
        _admitted = False          # counted by this protocol (plain HTTP)
        _address = ""
        _accepted_at = 0.0         # loop time of the TCP accept
        _deadline: asyncio.TimerHandle | None = None
        _header_bytes = 0
        _awaiting_headers = False
        under_tls: Any = None      # the GuardedTLS protocol it sits in, over TLS

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            if self.under_tls is not None:      # counted at the accept by the TLS wrapper
                self._address, self._accepted_at = (self.under_tls.address,
                                                    self.under_tls.accepted_at)
            else:
                self._address = peer_address(transport)
                self._accepted_at = self.loop.time()
                if not count.admit(self._address, limits):
                    self.transport = transport
                    transport.abort()           # refused before anything is read
                    return
                self._admitted = True
            super().connection_made(transport)
            self._await_headers(since=self._accepted_at)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._admitted:
                self._admitted = False
                count.release(self._address)
            elif self.under_tls is None:
                return                          # refused: nothing was started
            self._cancel_deadline()
            super().connection_lost(exc)

        def _await_headers(self, arm: bool = True, since: float | None = None) -> None:
            """A new request may start: its line and headers must be in within the deadline
            from `since` (default now) when `arm`, or — on a kept-alive connection, where the
            keep-alive timer covers the idle time — from its first byte."""
            self._awaiting_headers = True
            self._header_bytes = 0
            self._cancel_deadline()
            if arm:
                start = self.loop.time() if since is None else since
                self._deadline = self.loop.call_at(start + limits.header_seconds,
                                                   self._too_slow)

        def _cancel_deadline(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self._awaiting_headers and not self.transport.is_closing():
                self.transport.close()      # no answer: a slow client gets nothing back
                if self.under_tls is not None:
                    self.under_tls.abort()  # no polite TLS close for a client this slow

        def data_received(self, data: bytes) -> None:
            if self._awaiting_headers:
                if self._deadline is None:      # the first byte of a kept-alive request
                    self._deadline = self.loop.call_later(limits.header_seconds,
                                                          self._too_slow)
                end = data.find(b"\r\n\r\n")     # a body may follow in the same packet
                self._header_bytes += len(data) if end < 0 else end
                if self._header_bytes > limits.header_bytes:
                    if not self.transport.is_closing():
                        self.transport.write(HEADER_TOO_LARGE)
                        self.transport.close()
                    return
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self._awaiting_headers = False
            self._cancel_deadline()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and not self.pipeline:
                self._await_headers(arm=False)  # idle: keep-alive's; then the same deadline

    def guarded_tls(base: type) -> type:
        """The loop's own TLS protocol (uvloop's, else asyncio's), counted from the accept:
        over the caps the socket is dropped before any handshake; the handshake has the
        header deadline (ssl_handshake_timeout), and the HTTP protocol, once it starts, what
        is left of it."""

        class GuardedTLS(base):
            address = ""
            accepted_at = 0.0
            _admitted = False
            _raw: asyncio.Transport | None = None

            def connection_made(self, transport: asyncio.Transport) -> None:
                self.address = peer_address(transport)
                self.accepted_at = asyncio.get_running_loop().time()
                self._raw = transport
                if not count.admit(self.address, limits):
                    transport.abort()
                    return
                self._admitted = True
                super().connection_made(transport)

            def abort(self) -> None:
                if self._raw is not None and not self._raw.is_closing():
                    self._raw.abort()

            def connection_lost(self, exc: BaseException | None) -> None:
                if not self._admitted:
                    return
                self._admitted = False
                count.release(self.address)
                super().connection_lost(exc)
        return GuardedTLS

    tls_classes: dict[type, type] = {}

    def make(**kwargs: Any) -> asyncio.BaseProtocol:
        http = GuardedProtocol(**kwargs)
        if tls is None:
            return http
        loop = asyncio.get_running_loop()
        base = UvloopTLS if UvloopTLS is not None and isinstance(loop, uvloop.Loop) \
            else SSLProtocol
        cls = tls_classes.get(base) or tls_classes.setdefault(base, guarded_tls(base))
        wrapper = cls(loop, http, tls, None, server_side=True,
                      ssl_handshake_timeout=limits.header_seconds)
        http.under_tls = wrapper
        return wrapper

    make.count = count  # type: ignore[attr-defined]
    return make


def peer_address(transport: asyncio.BaseTransport) -> str:
    """The client's address of a connection ("?" when the transport does not say)."""
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else "?"


def uvicorn_config(app: Any, options: ServeOptions) -> uvicorn.Config:
    """The uvicorn Config for the app under these options (the caller binds the socket)."""
    limits = options.limits
    tls: ssl.SSLContext | None = None
    if options.certfile or options.keyfile:
        if not (options.certfile and options.keyfile):
            raise ValueError("HTTPS needs both --certfile and --keyfile")
        for path in (options.certfile, options.keyfile):
            if not Path(path).is_file():
                raise ValueError(f"no such file: {path}")
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(str(options.certfile), str(options.keyfile))
    return uvicorn.Config(       # TLS is ours (the protocol wraps it), not uvicorn's
        app, http=guarded_protocol(limits, tls), lifespan="on", log_level="warning",
        access_log=False, timeout_graceful_shutdown=3,
        timeout_keep_alive=max(1, round(limits.keep_alive_seconds)),
        backlog=options.backlog, server_header=False,
        proxy_headers=options.forwarded_allow_ips is not None,
        forwarded_allow_ips=options.forwarded_allow_ips or "")


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A bound, listening TCP socket (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def prepare(options: ServeOptions) -> ServeOptions:
    """Raise the open-file limit, then fit the connection cap to it."""
    open_files = raise_open_file_limit()
    limits = options.limits.fitted_to(open_files)
    log.info("open-file limit %s; at most %d connections (%d per address)", open_files,
             limits.max_connections, limits.max_per_address)
    return ServeOptions(options.host, options.port, options.certfile, options.keyfile,
                        options.forwarded_allow_ips, limits, options.backlog)


def settle_heap() -> None:
    """Move everything made so far — modules, the app, the config: about 100,000 objects —
    out of the cyclic garbage collector's way (gc.freeze). Its full collections stop the whole
    process; with 1,000 streams open they took 100–130 ms, now 30–50 ms, and one that fell in
    a burst of Nexts held every one of them (bench/server.py: burst p99 150–200 ms in half of
    the runs). Only for a process that serves and nothing else: frozen objects that later
    become garbage in a cycle are never collected."""
    gc.collect()
    gc.freeze()


class StreamsFirstServer(uvicorn.Server):
    """uvicorn's server that ends the open event streams the moment it is told to stop
    (SIGTERM, Ctrl+C): a board's stream never ends by itself, so uvicorn's graceful shutdown
    waited its 3 s for it and then cancelled it with an ERROR traceback in the log."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        hub = getattr(getattr(self.config.app, "state", None), "hub", None)
        if hub is not None and not self.should_exit:
            hub.close_streams()
        super().handle_exit(sig, frame)


def serve(app: Any, options: ServeOptions) -> None:
    """Run the app in this thread until interrupted (`novbe serve`, the bench's server)."""
    options = prepare(options)
    config = uvicorn_config(app, options)
    sock = listening_socket(options.host, options.port, options.backlog)
    config.load()            # uvicorn's own modules too, before the heap is settled
    settle_heap()
    log.info("%d objects set aside from garbage collection", gc.get_freeze_count())
    StreamsFirstServer(config).run(sockets=[sock])
