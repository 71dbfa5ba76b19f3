"""The print spooler: prints tickets off the UI thread, reports each outcome as a queue event,
keeps the tickets that failed and prints them again by itself when the printer comes back."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.printing import (
    PaperOut,
    PrinterDevice,
    PrinterError,
    PrinterTimeout,
    PrinterUnavailable,
    open_printer,
)
from kiosk.render import render_ticket
from shared.config import CentreConfig
from shared.errors import NovbeError
from shared.model import Ticket
from shared.queue import Queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintOutcome:
    """What happened to one ticket's printing (`kind` is the event kind reported)."""

    ticket: Ticket
    ok: bool
    kind: str
    message: str = ""
    reprint: bool = False


def fault_kind(exc: PrinterError) -> str:
    """The device event kind for a printer error."""
    if isinstance(exc, PaperOut):
        return "printer_paper_out"
    if isinstance(exc, PrinterTimeout):
        return "print_failed"
    if isinstance(exc, PrinterUnavailable):  # off, unplugged, unreachable, or says offline
        return "printer_offline"
    return "print_failed"


class PrintSpooler:
    """One worker thread and a FIFO of tickets; `notify` is called from the worker thread."""

    def __init__(self, queue: Queue, config: CentreConfig, printer: str | PrinterDevice,
                 source: str = "kiosk", notify: Callable[[PrintOutcome], None] | None = None,
                 retry_seconds: float = 5.0, width: int | None = None):
        self.queue = queue
        self.config = config
        self.device = open_printer(printer) if isinstance(printer, str) else printer
        self.source = source
        self.notify = notify or (lambda outcome: None)
        self.retry_seconds = retry_seconds
        self.width = width or config.kiosk.paper_width
        self._jobs: deque[Ticket] = deque()
        self._failed_once: set[int] = set()
        self._faulted = False
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    # ---- UI side ----------------------------------------------------------------------------
    def start(self) -> PrintSpooler:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kiosk-printer", daemon=True)
            self._thread.start()
        return self

    def submit(self, ticket: Ticket) -> None:
        """Queue a committed ticket for printing; returns at once."""
        with self._wake:
            self._jobs.append(ticket)
            self._wake.notify()

    def retry_now(self) -> None:
        """Try the pending tickets now instead of at the next retry."""
        with self._wake:
            self._wake.notify()

    def pending(self) -> list[Ticket]:
        """Tickets not printed yet (waiting, or kept because the printer failed)."""
        with self._wake:
            return list(self._jobs)

    @property
    def faulted(self) -> bool:
        return self._faulted

    def stop(self, timeout: float = 5.0) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.device.close()

    # ---- worker side ------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopping and not self._jobs:
                    self._wake.wait()
                if self._stopping:
                    return
                ticket = self._jobs[0]
            if self._print(ticket):
                with self._wake:
                    if self._jobs and self._jobs[0] is ticket:
                        self._jobs.popleft()
                continue
            with self._wake:  # printer fault: wait for the retry time, a new ticket or retry_now
                if not self._stopping:
                    self._wake.wait(self.retry_seconds)

    def _print(self, ticket: Ticket) -> bool:
        try:
            image = render_ticket(ticket, self.config, self.width)
            self.device.print_ticket(image, name=f"{ticket.service_day}-{ticket.code}")
        except PrinterError as exc:
            self._failed(ticket, exc)
            return False
        except Exception as exc:  # a bug must not kill the printer thread: keep the ticket
            log.exception("printing %s failed unexpectedly", ticket.code)
            self._failed(ticket, PrinterError(f"unexpected error: {exc}"))
            return False
        reprint = ticket.id in self._failed_once
        if self._faulted:
            self._faulted = False
            self._report("printer_ok", f"{self.device.url}: printing again", None)
        self._failed_once.discard(ticket.id)
        self._report("printed", f"{ticket.code}{' (reprint)' if reprint else ''}", ticket.id)
        self.notify(PrintOutcome(ticket, True, "printed", "", reprint))
        return True

    def _failed(self, ticket: Ticket, exc: PrinterError) -> None:
        kind = fault_kind(exc)
        self._faulted = True
        failed = self.pending() or [ticket]
        for t in failed:  # every waiting ticket is told once; retries are quiet
            if t.id in self._failed_once:
                continue
            self._failed_once.add(t.id)
            log.warning("ticket %s not printed: %s", t.code, exc)
            self._report(kind, str(exc), t.id)
            self.notify(PrintOutcome(t, False, kind, str(exc)))

    def _report(self, kind: str, message: str, ticket_id: int | None) -> None:
        try:
            self.queue.report_device(self.source, kind, message, ticket_id)
        except NovbeError as exc:
            log.warning("cannot report %s to the queue: %s", kind, exc)
        except Exception:
            log.exception("cannot report %s to the queue", kind)


def print_now(queue: Queue, config: CentreConfig, ticket: Ticket, printer: str | PrinterDevice,
              source: str = "cli", width: int | None = None) -> None:
    """Print one ticket in this thread and report the outcome; raise the PrinterError."""
    device = open_printer(printer) if isinstance(printer, str) else printer
    try:
        device.print_ticket(render_ticket(ticket, config, width), name=f"{ticket.service_day}-{ticket.code}")
    except PrinterError as exc:
        try:
            queue.report_device(source, fault_kind(exc), str(exc), ticket.id)
        except NovbeError as report_exc:
            log.warning("cannot report the print failure: %s", report_exc)
        raise
    finally:
        device.close()
    queue.report_device(source, "printed", ticket.code, ticket.id)
