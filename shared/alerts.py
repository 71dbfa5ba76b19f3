"""Staff alerts as people read them: "The printer of Kiosk 1 is out of paper", in az/ru/en.

One wording for every surface (the board's alert strip, the counter console); the phrases are
in the shared catalog (assets/locale/<lang>/shared.po)."""

from __future__ import annotations

from shared.i18n import tr
from shared.model import Alert

ALERT_MESSAGES = {
    "printer_paper_out": "The printer of {source} is out of paper",
    "print_failed": "The printer of {source} failed to print",
    "printer_offline": "The printer of {source} is offline",
}


def source_name(source: str) -> str:
    """A device id as people read it: "kiosk-1" → "Kiosk 1"."""
    name = " ".join(source.replace("-", " ").replace("_", " ").split())
    return name[:1].upper() + name[1:]


def alert_text(lang: str, alert: Alert) -> str:
    """The alert in `lang`: "The printer of Kiosk 1 is out of paper" (a kind without a phrase
    shows as "Kiosk 1: kind (message)")."""
    source = source_name(alert.source)
    msgid = ALERT_MESSAGES.get(alert.kind)
    if msgid is not None:
        return tr(lang, msgid, source=source)
    return f"{source}: {alert.kind}" + (f" ({alert.message})" if alert.message else "")
