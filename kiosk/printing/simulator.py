"""A network ticket printer simulated by a real TCP server on 127.0.0.1 (tests, benchmarks,
trying a kiosk without hardware): it reads the ESC/POS stream command by command, keeps what it
would print, and answers DLE EOT status queries as a printer in the chosen state would —
ready, paper out, offline, not at all ("silent"), or dying in the middle of a ticket ("stall")."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field

from kiosk.printing.status import OFFLINE_PRINTER, PAPER_OK, PAPER_OUT, READY_PRINTER
from kiosk.raster import DLE, command_length

STATES = ("ready", "paper_out", "offline", "silent", "stall")


@dataclass
class Job:
    """The bytes one connection sent, without the status queries."""

    data: bytearray = field(default_factory=bytearray)
    queries: int = 0


class NetworkPrinterSimulator:
    """`state` may be changed at any time; `jobs` are completed connections with print data."""

    def __init__(self, state: str = "ready", keep_jobs: bool = True):
        self.state = state
        self.jobs: list[bytes] = []
        self.keep_jobs = keep_jobs
        self.job_count = 0
        self.queries = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"tcp://127.0.0.1:{self.port}?timeout=0.5"
        self._changed = threading.Condition()
        self._stop = False
        self._threads: list[threading.Thread] = []
        accept = threading.Thread(target=self._accept, name="net-printer", daemon=True)
        accept.start()
        self._threads.append(accept)

    # ---- test side ------------------------------------------------------------------------
    def set_state(self, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"unknown printer state {state!r} (known: {', '.join(STATES)})")
        self.state = state

    def wait_for_jobs(self, count: int, timeout: float = 10.0) -> list[bytes]:
        """Block until `count` jobs have arrived (or fail after timeout seconds)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.job_count >= count, timeout):
                raise TimeoutError(f"the printer got {self.job_count} jobs, expected {count}")
            return list(self.jobs)

    def close(self) -> None:
        self._stop = True
        self._server.close()

    # ---- printer side ---------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()

    def _answer(self, conn: socket.socket, query: int, stalled: bool) -> None:
        state = self.state
        if state == "silent" or stalled:
            return
        if query == 1:
            conn.sendall(bytes((OFFLINE_PRINTER if state == "offline" else READY_PRINTER,)))
        elif query == 4:
            conn.sendall(bytes((PAPER_OUT if state == "paper_out" else PAPER_OK,)))
        else:
            conn.sendall(bytes((0x12,)))

    def _serve(self, conn: socket.socket) -> None:
        job = Job()
        buffer = bytearray()
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                buffer += chunk
                data = bytes(buffer)
                i = 0
                while i < len(data):
                    size = command_length(data, i)
                    if size is None:
                        break
                    command = data[i:i + size]
                    stalled = self.state == "stall" and bool(job.data)
                    if command[:2] == DLE + b"\x04":
                        job.queries += 1
                        self.queries += 1
                        self._answer(conn, command[2], stalled)
                    else:
                        job.data += command
                    i += size
                del buffer[:i]
        if job.data and self.state != "stall":  # a stalled printer printed nothing whole
            with self._changed:
                self.job_count += 1
                if self.keep_jobs:
                    self.jobs.append(bytes(job.data))
                self._changed.notify_all()


def closed_port_url() -> str:
    """A tcp:// URL where nothing listens (a printer that is switched off)."""
    s = socket.create_server(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"tcp://127.0.0.1:{port}?timeout=0.5"
