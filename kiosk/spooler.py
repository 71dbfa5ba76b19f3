"""The print spooler: prints tickets off the UI thread, reports each outcome as a queue event,
keeps the tickets that failed and prints them again by itself when the printer comes back.

A ticket kept through a fault is printed again only if the queue still has it waiting (or being
called) today: after a long paper-out most of the kept tickets have been served, cancelled or
have expired, and printing them would only confuse the next visitors. Each kept ticket is asked
about just before its reprint; a fresh ticket prints without asking (it was just issued)."""

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
from shared.config.centre import CentreConfig
from shared.core.clock import Clock
from shared.core.errors import NovbeError, QueueUnavailable, TicketNotFound
from shared.core.model import Status, Ticket
from shared.core.queue import Queue
from shared.core.service_day import service_day

log = logging.getLogger(__name__)

REPRINTABLE = (Status.WAITING, Status.CALLED)  # a kept ticket is reprinted only in these states
DROPPED_IN_MESSAGE = 10  # the printer_ok message names at most this many dropped tickets


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
                 retry_seconds: float = 5.0, width: int | None = None, clock: Clock | None = None,
                 on_fault: Callable[[bool], None] | None = None):
        """`notify` gets each ticket's outcome and `on_fault` each change of the printer's
        state (True: faulted, False: printing again), both from the worker thread. `clock`
        says which service day it is (by default the queue's clock)."""
        self.queue = queue
        self.config = config
        self.device = open_printer(printer) if isinstance(printer, str) else printer
        self.source = source
        self.notify = notify or (lambda outcome: None)
        self.on_fault = on_fault or (lambda faulted: None)
        self.retry_seconds = retry_seconds
        self.width = width or config.kiosk.paper_width
        self.clock: Clock = clock or queue.clock
        self._jobs: deque[Ticket] = deque()
        self._failed_once: set[int] = set()
        self._faulted = False
        self.fault_kind: str | None = None  # the last fault's event kind, while faulted
        self._dropped_in_fault: list[str] = []  # "B-001 (done)", for the printer_ok message
        self.dropped: deque[tuple[Ticket, str]] = deque(maxlen=500)  # (ticket, why), latest last
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

    def condition(self) -> dict[str, str]:
        """The printer and its paper as the heartbeat tells them (from the last print)."""
        if not self._faulted:
            return {"printer": "ok", "paper": "ok"}
        if self.fault_kind == "printer_paper_out":
            return {"printer": "ok", "paper": "out"}
        return {"printer": "offline", "paper": "unknown"}

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
                if not self._stopping and not self._jobs:
                    # faulted with nothing to print: ask the printer itself now and then
                    self._wake.wait(self.retry_seconds if self._faulted else None)
                if self._stopping:
                    return
                ticket = self._jobs[0] if self._jobs else None
            if ticket is None:
                if self._faulted:
                    self._probe()
                continue
            result = self._attempt(ticket)
            if result in ("printed", "dropped"):
                with self._wake:
                    if self._jobs and self._jobs[0] is ticket:
                        self._jobs.popleft()
                continue
            with self._wake:  # printer fault or queue unreachable: wait for the retry time,
                if not self._stopping:  # a new ticket or retry_now
                    self._wake.wait(self.retry_seconds)

    def _attempt(self, ticket: Ticket) -> str:
        """Print one ticket: "printed", "dropped" (no longer wanted), "failed" (printer fault)
        or "held" (kept through a fault, and the queue cannot say whether it is still wanted)."""
        if ticket.id in self._failed_once:
            verdict, current = self._still_wanted(ticket)
            if verdict != "print":
                return verdict
            ticket = current
        return "printed" if self._print(ticket) else "failed"

    def _still_wanted(self, ticket: Ticket) -> tuple[str, Ticket]:
        """Ask the queue about a ticket kept through a fault: ("print", its current state),
        ("dropped", …) when it is no longer waiting or called today, ("held", …) when the queue
        cannot be reached."""
        try:
            current = self.queue.status(ticket.token)
        except QueueUnavailable as exc:
            log.warning("ticket %s kept: cannot ask the queue whether it is still waiting (%s)",
                        ticket.code, exc)
            return "held", ticket
        except TicketNotFound:
            self._drop(ticket, "unknown to the queue")
            return "dropped", ticket
        except Exception as exc:  # the queue answered oddly: print it rather than block the printer
            log.warning("ticket %s: asking the queue failed (%s); printing it again anyway",
                        ticket.code, exc)
            return "print", ticket
        if current.status not in REPRINTABLE:
            self._drop(ticket, str(current.status))
            return "dropped", ticket
        today = service_day(self.clock.now(), self.config.tz, self.config.day_reset_hour).isoformat()
        if current.service_day != today:  # the queue expires these itself; never print one anyway
            self._drop(ticket, f"from {current.service_day}")
            return "dropped", ticket
        return "print", current  # print the current number of people ahead and wait

    def _drop(self, ticket: Ticket, why: str) -> None:
        self._failed_once.discard(ticket.id)
        self._dropped_in_fault.append(f"{ticket.code} ({why})")
        self.dropped.append((ticket, why))
        log.info("ticket %s of %s not printed again: %s", ticket.code, ticket.service_day, why)

    def _probe(self) -> None:
        """Faulted, nothing left to print: is the printer back? (Transports that cannot ask
        stay faulted until the next ticket prints.)"""
        try:
            status = self.device.status()
            if status is not None:
                status.raise_if_unusable()
        except PrinterError:
            return
        except Exception:
            log.exception("asking %s for its status failed unexpectedly", self.device.url)
            return
        finally:
            self.device.close()
        if status is not None:
            self._recovered()

    def _recovered(self) -> None:
        if not self._faulted:
            return
        message = f"{self.device.url}: printing again"
        if self._dropped_in_fault:
            names = ", ".join(self._dropped_in_fault[:DROPPED_IN_MESSAGE])
            more = len(self._dropped_in_fault) - DROPPED_IN_MESSAGE
            message += (f"; {len(self._dropped_in_fault)} kept ticket(s) not printed again, no longer "
                        f"waiting: {names}{f' and {more} more' if more > 0 else ''}")
        self._dropped_in_fault = []
        log.info("%s", message)
        self._report("printer_ok", message, None)
        self._faulted = False        # after the report: whoever sees it cleared finds the event
        self.fault_kind = None
        self.on_fault(False)

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
        self._recovered()
        self._failed_once.discard(ticket.id)
        self._report("printed", f"{ticket.code}{' (reprint)' if reprint else ''}", ticket.id)
        self.notify(PrintOutcome(ticket, True, "printed", "", reprint))
        return True

    def _failed(self, ticket: Ticket, exc: PrinterError) -> None:
        kind = fault_kind(exc)
        self.fault_kind = kind
        if not self._faulted:
            self._faulted = True
            self.on_fault(True)
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
