"""Tickets issued for a visitor by a volunteer or reception (the /assist page): who issued it,
why it has priority, and the kiosk whose printer prints it — and the kiosks' side of that, the
print requests addressed to one kiosk that it has not printed yet.

A print request is no table of its own: it is the `issued` event of an assisted ticket naming a
kiosk (`details.print_at`), and it stays pending until that ticket has a `printed` event. A kiosk
asks for its pending requests (LocalQueue.print_requests, or GET /api/print-requests/{kiosk}
for a remote kiosk) and prints them through its own spooler, between its own tickets."""

from __future__ import annotations

from dataclasses import dataclass

from shared.config.centre import LANGUAGES, CentreConfig
from shared.core.errors import NovbeError
from shared.core.model import DEVICE_CHANNELS
from shared.core.queue_tx import TICKET_COLUMNS, TicketRow, Tx

ASSIST_CHANNEL = "assist"        # the issued event's source and the ticket's: where it was issued
MAX_REASON = 200                 # characters of a priority reason
KIOSK_SOURCE_MAX = 64
PRINTER_KINDS = tuple(k for pair in DEVICE_CHANNELS["printer"] for k in pair)


class AssistRefused(NovbeError):
    """An assisted issue names something wrong; `field` is the form field to fix and `msgid`
    the sentence (a catalog message id) that says what is wrong."""

    def __init__(self, field: str, msgid: str, detail: str = ""):
        self.field, self.msgid = field, msgid
        super().__init__(f"{field}: {msgid}{f' ({detail})' if detail else ''}")


@dataclass(frozen=True)
class Assisted:
    """Who issued a ticket for a visitor and how it reaches them: printed at a kiosk
    (`print_at`, a kiosk's source id) or shown as a QR code for their own phone (None)."""

    staff: str
    reason: str | None = None       # why the visitor has priority (required with a priority)
    print_at: str | None = None


def checked(config: CentreConfig, service: str, priority: str | None, reason: str | None,
            language: str, print_at: str | None) -> tuple[str, str | None, str | None, str | None]:
    """The assisted issue's fields cleaned (service, priority, reason, print_at), or
    AssistRefused naming the first field that is wrong."""
    service = (service or "").strip()
    if not service:
        raise AssistRefused("service", "Choose a service")
    if service not in config.services:
        raise AssistRefused("service", "There is no such service; choose one from the list",
                            service)
    priority = (priority or "").strip() or None
    reason = " ".join((reason or "").split()) or None
    if priority is not None:
        if not any(p.id == priority for p in config.priorities):
            raise AssistRefused("priority", "There is no such priority class", priority)
        if reason is None:
            raise AssistRefused("reason", "Say why the visitor has priority")
        if len(reason) > MAX_REASON:
            raise AssistRefused("reason", "The reason is too long (at most 200 characters)")
    else:
        reason = None                  # a reason without a priority class is not kept
    if language not in LANGUAGES:
        raise AssistRefused("language", "Choose the visitor's language", language)
    print_at = (print_at or "").strip() or None
    if print_at is not None and (len(print_at) > KIOSK_SOURCE_MAX or not print_at.isprintable()):
        raise AssistRefused("kiosk", "Choose a kiosk printer from the list")
    return service, priority, reason, print_at


def pending_prints(tx: Tx, source: str) -> list[TicketRow]:
    """Today's assisted tickets addressed to the kiosk `source` that are still waiting or called
    and have no `printed` event yet, oldest first."""
    return tx.rows(
        f"SELECT {', '.join('t.' + c.strip() for c in TICKET_COLUMNS.split(','))} "
        "FROM tickets t JOIN events e ON e.ticket_id = t.id AND e.kind = 'issued' "
        "WHERE t.service_day = ? AND t.status IN ('waiting', 'called') AND t.source = ? "
        "AND json_extract(e.details, '$.print_at') = ? "
        "AND NOT EXISTS (SELECT 1 FROM events p WHERE p.ticket_id = t.id AND p.kind = 'printed') "
        "ORDER BY t.id", (tx.day.isoformat(), ASSIST_CHANNEL, source))


def kiosk_printers(tx: Tx) -> list[str]:
    """The kiosks that have a printer, as the event log knows them: every source that ever
    reported a printer event, in id order (each found by one index seek on events(kind, source))."""
    found: set[str] = set()
    for kind in PRINTER_KINDS:
        last = ""
        while True:
            row = tx.one("SELECT source FROM events WHERE kind = ? AND source > ? "
                         "ORDER BY source LIMIT 1", (kind, last))
            if row is None:
                break
            last = row[0]
            found.add(last)
    return sorted(found)


def issue_details(assisted: Assisted) -> dict[str, str]:
    """What the issued event records of an assisted issue besides its staff and source."""
    details = {"channel": ASSIST_CHANNEL}
    if assisted.reason:
        details["reason"] = assisted.reason
    if assisted.print_at:
        details["print_at"] = assisted.print_at
    return details

