"""The SMS sender of `novbe serve`: a thread that has the bookings ledger plan each booking's
reminders into the queue file's outbox (shared/bookings/outbox.py: read first, a write only
when something is due) and sends those due through the `[sms]` gateway — one HTTP request per message
with httpx, a failed one tried again later by the one back-off rule (shared/backoff.py), given
up after MAX_ATTEMPTS — keeping each message's delivery state. No `[sms]`: nothing is sent."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from server.served_queue import ServedQueue
from shared.backoff import Backoff
from shared.config.sms import SmsSettings, filled

log = logging.getLogger(__name__)

EVERY_S = 20.0
BATCH = 20
MAX_ATTEMPTS = 8
RETRY_FIRST_S, RETRY_MOST_S = 30.0, 3600.0


@dataclass(frozen=True)
class Outcome:
    """One message's try: delivered, or why not."""

    sent: bool
    error: str | None = None


def retry_after(attempts: int) -> float:
    """How long after its `attempts`-th failure a message is tried again."""
    backoff = Backoff(RETRY_FIRST_S, RETRY_MOST_S)
    wait = RETRY_FIRST_S
    for _ in range(attempts):
        wait = backoff.failed()
    return wait


def request_for(settings: SmsSettings, phone: str, text: str, code: str) -> dict[str, Any]:
    """The gateway request of one message: method, URL, headers and body, templates filled."""
    values = {"phone": phone, "text": text, "code": code}
    url = filled(settings.url, values, lambda v: quote(v, safe="+"))
    if settings.method == "GET":
        return {"method": "GET", "url": url, "headers": dict(settings.headers)}
    escape = (lambda v: json.dumps(v, ensure_ascii=False)[1:-1]) if settings.json_body() \
        else (lambda v: v)
    return {"method": "POST", "url": url, "headers": dict(settings.headers),
            "content": filled(settings.body, values, escape).encode("utf-8")}


def deliver(client: httpx.Client, settings: SmsSettings, phone: str, text: str,
            code: str) -> Outcome:
    """Send one message; a 2xx answer is delivered, anything else is said (never the phone)."""
    try:
        answer = client.request(**request_for(settings, phone, text, code),
                                timeout=settings.timeout_s)
    except httpx.HTTPError as exc:
        return Outcome(False, f"{type(exc).__name__}: the gateway could not be reached")
    if 200 <= answer.status_code < 300:
        return Outcome(True)
    return Outcome(False, f"the gateway answered {answer.status_code}")


class SmsSender:
    """Plans and sends one centre's reminders; `round()` once, or `start()` a thread."""

    def __init__(self, queue: ServedQueue, settings: SmsSettings, every_s: float = EVERY_S):
        self.bookings = queue.bookings
        self.settings = settings
        self.every_s = every_s
        self._client = httpx.Client()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def round(self) -> int:
        """Plan new reminders, skip those of closed bookings, send what is due; returns how
        many were delivered now. Nothing to do: no write (the ledger reads first)."""
        sent = 0
        for message in self.bookings.reminders_due(BATCH):
            outcome = deliver(self._client, self.settings, message.phone, message.body,
                              message.code)
            self._record(message.id, message.attempts + 1, outcome)
            sent += outcome.sent
        return sent

    def _record(self, message: int, attempts: int, outcome: Outcome) -> None:
        if outcome.sent:
            self.bookings.reminder_tried(message, attempts)
            return
        self.bookings.reminder_tried(message, attempts, outcome.error or "not delivered",
                                     None if attempts >= MAX_ATTEMPTS else retry_after(attempts))
        log.warning("SMS reminder %d not delivered (try %d): %s", message, attempts,
                    outcome.error)

    def start(self) -> SmsSender:
        self._thread = threading.Thread(target=self._loop, name="novbe-sms", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.round()
            except Exception:         # the centre goes on; the next round tries again
                log.exception("SMS reminders: a round failed")
            self._stop.wait(self.every_s)


def start_for(queue: ServedQueue) -> SmsSender | None:
    """The running sender of a server whose centre has `[sms]` and takes bookings, else None."""
    config = queue.config
    if config.sms is None or not config.bookings.enabled:
        return None
    return SmsSender(queue, config.sms).start()
