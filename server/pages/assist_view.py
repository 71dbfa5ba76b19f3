"""What the help desk (/assist) shows, as plain data in the reader's language: the services to
choose from, the kiosk printers with their state, the open help requests, and a ticket just
issued (with the QR code of its phone page)."""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg

from server.pages.views import phone_view
from shared.collation import sorted_by_name
from shared.config.centre import CentreConfig
from shared.core.alerts import alert_text, source_name
from shared.core.help_requests import REQUESTED
from shared.core.local_queue import LocalQueue
from shared.core.model import DEVICE_CHANNELS, Ticket
from shared.i18n import tr

PRINTER_ALERTS = DEVICE_CHANNELS["printer"][0]


def service_choices(config: CentreConfig, lang: str) -> list[dict[str, str]]:
    """Every service with its category, in `lang`'s alphabetical order (ICU collation)."""
    return sorted_by_name(({"id": s.id, "name": s.name(lang), "category": c.name(lang)}
                           for c in config.categories for s in c.services),
                          lambda s: s["name"], lang)


def assist_state(queue: LocalQueue, lang: str) -> dict[str, Any]:
    """The kiosk printers (each with its state now) and the open help requests."""
    snapshot = queue.snapshot()
    faults = {a.source: a for a in snapshot.alerts if a.kind in PRINTER_ALERTS}
    kiosks = []
    for source in queue.kiosk_printers():
        fault = faults.get(source)
        kiosks.append({"source": source, "name": source_name(source, lang), "ok": fault is None,
                       "state": alert_text(lang, fault) if fault else tr(lang, "Printer ready")})
    helps = [{"source": a.source, "text": alert_text(lang, a), "at": a.at.timestamp()}
             for a in snapshot.alerts if a.kind == REQUESTED]
    return {"kiosks": kiosks, "help": helps, "last_event_id": snapshot.last_event_id}


def phone_link(ticket: Ticket, config: CentreConfig, base_url: str) -> str:
    """The ticket's phone page: under the centre's public address, else under the address this
    page was opened at (a visitor's phone on the centre's Wi-Fi reaches it there)."""
    base = (config.public_url or base_url).rstrip("/")
    return f"{base}/t/{ticket.token}"


def qr_svg(payload: str) -> str:
    """The QR code of `payload` as inline SVG markup (scales to any screen, no image file)."""
    image = qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=4)
    svg: str = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def issued_view(ticket: Ticket, config: CentreConfig, lang: str, print_at: str | None,
                base_url: str) -> dict[str, Any]:
    """A ticket just issued at the help desk, as the page shows it: where it prints, or the QR
    code the visitor scans with their phone."""
    phone = phone_view(ticket, config, lang)      # the same words as the visitor's phone
    view: dict[str, Any] = {key: phone[key] for key in ("code", "service", "priority",
                                                        "ahead_text", "wait_text")}
    view["print_at"] = print_at
    if print_at is not None:
        kiosk = source_name(print_at, lang)
        view["kiosk_name"] = kiosk
        view["delivery_text"] = tr(lang, "Sent to the printer of {kiosk}: it prints between "
                                         "the kiosk's own tickets.", kiosk=kiosk)
    else:
        link = phone_link(ticket, config, base_url)
        view["phone_url"] = link
        view["qr_svg"] = qr_svg(link)
        view["delivery_text"] = tr(lang, "Let the visitor scan this code with their phone's "
                                         "camera: their ticket opens there and follows the queue.")
    return view
