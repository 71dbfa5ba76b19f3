"""Staff alerts as people read them: "The printer of Kiosk 1 is out of paper", in az/ru/en.

One wording for every surface (the board's staff line, the counter console); the phrases and
the device names ("Kiosk 1" → "1 nömrəli kiosk" / "Киоск 1") are in the shared catalog
(assets/locale/<lang>/shared.po). The device's own words (`Alert.message`, often a transport
error in English) are never part of the sentence: they are for the log and for IT."""

from __future__ import annotations

import re

from shared.core.model import Alert
from shared.core.presence import OFFLINE_AFTER_S
from shared.i18n import tr

ALERT_MESSAGES = {
    "printer_paper_out": "The printer of {source} is out of paper",
    "print_failed": "The printer of {source} failed to print",
    "printer_offline": "The printer of {source} is offline",
    "board_silent": "{source} is silent: no sound device, calls are not heard",
    "speech_missing": "{source} only chimes: calls are not spoken",
    "device_offline": "{source} is offline: not heard from for {seconds} seconds",
    "help_requested": "A visitor needs help at {source}",
    "version_unsupported": "{source} runs a version the server does not support: update it",
}
# Alerts a device shows on its own staff line without the queue: a server that does not
# support the device's version (board/version_check.py).
VERSION_UNSUPPORTED = "version_unsupported"
OWN_ALERT_KINDS = (VERSION_UNSUPPORTED,)
UNKNOWN_ALERT = "{source} needs a staff member's attention"
DEVICE_WORDS = {  # device id prefix → (name alone, numbered name, named name)
    "kiosk": ("Kiosk", "Kiosk {n}", "Kiosk “{name}”"),
    "board": ("Board", "Board {n}", "Board “{name}”"),
}
_DEVICE_ID = re.compile(r"(kiosk|board)(?:[-_ ]+(.*))?", re.IGNORECASE)


def _words(source: str) -> str:
    return " ".join(source.replace("-", " ").replace("_", " ").split())


def source_name(source: str, lang: str = "en") -> str:
    """A device id as people read it, in `lang`: "kiosk-1" → "Kiosk 1" / "1 nömrəli kiosk" /
    "Киоск 1"; "board-hall" → "Board “hall”"; another id is shown as written ("lobby-pc" →
    "Lobby pc")."""
    m = _DEVICE_ID.fullmatch(source.strip())
    if m is None:
        name = _words(source)
        return name[:1].upper() + name[1:]
    alone, numbered, named = DEVICE_WORDS[m[1].lower()]
    rest = _words(m[2] or "")
    if not rest:
        return tr(lang, alone)
    if rest.isdigit():
        return tr(lang, numbered, n=rest)
    return tr(lang, named, name=rest)


def alert_text(lang: str, alert: Alert) -> str:
    """The alert in `lang`: "The printer of Kiosk 1 is out of paper" (a kind without a phrase
    reads "Kiosk 1 needs a staff member's attention")."""
    source = source_name(alert.source, lang)
    return tr(lang, ALERT_MESSAGES.get(alert.kind, UNKNOWN_ALERT), source=source,
              seconds=OFFLINE_AFTER_S)
