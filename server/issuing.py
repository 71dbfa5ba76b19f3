"""Issuing over HTTP at most once per request: a kiosk sends a random `request_id` with each
issue and retries with the same one when the answer is lost; the server remembers the ticket of
each request id for the service day and hands the same ticket back instead of a second one."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from fastapi import Request

from server.schemas import IssueBody
from shared import store
from shared.errors import NovbeError, TicketNotFound
from shared.model import Ticket
from shared.queue import Queue

log = logging.getLogger(__name__)
_state_lock = threading.Lock()


class IssueRequests:
    """request id → ticket, in the queue's database (table issue_requests, kept for a day)."""

    def __init__(self, path: str | Path):
        self.db = store.connect(path)
        self._lock = threading.Lock()                         # one connection, many threads
        self._stripes = [threading.Lock() for _ in range(64)]  # one request id at a time

    def lock_for(self, request_id: str) -> threading.Lock:
        """Held while a request id is looked up, issued and remembered: a retry arriving
        while the first try is still running waits for it and then finds its ticket."""
        return self._stripes[hash(request_id) % len(self._stripes)]

    def token_for(self, request_id: str) -> str | None:
        """The token of the ticket issued for this request id, if any."""
        with self._lock:
            row = self.db.conn.execute("SELECT token FROM issue_requests WHERE request_id = ?",
                                       (request_id,)).fetchone()
        return row[0] if row else None

    def remember(self, request_id: str, ticket: Ticket) -> None:
        """Keep request id → ticket for the ticket's service day (older days are forgotten)."""
        with self._lock, store.write(self.db):
            self.db.conn.execute("DELETE FROM issue_requests WHERE service_day < ?",
                                 (ticket.service_day,))
            self.db.conn.execute(
                "INSERT OR REPLACE INTO issue_requests(request_id, service_day, ticket_id, token, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (request_id, ticket.service_day, ticket.id, ticket.token, time.time()))


def issue_requests_of(request: Request) -> IssueRequests:
    """The app's IssueRequests, opened on first use over the accounts' database file."""
    state = request.app.state
    with _state_lock:
        found = getattr(state, "issue_requests", None)
        if found is None:
            found = state.issue_requests = IssueRequests(state.accounts.path)
        return found


def issue_once(request: Request, body: IssueBody, source: str) -> Ticket:
    """Issue the ticket the body asks for — or, for a request id seen before today, return the
    ticket issued for it then (as it is now)."""
    queue: Queue = request.app.state.queue

    def issue() -> Ticket:
        return queue.issue(body.service, priority=body.priority, language=body.language,
                           source=body.source or source, check_hours=body.check_hours)

    if body.request_id is None:
        return issue()
    requests = issue_requests_of(request)
    with requests.lock_for(body.request_id):
        token = requests.token_for(body.request_id)
        if token is not None:
            try:
                return queue.ticket(token)
            except TicketNotFound:
                pass
        ticket = issue()
        try:
            requests.remember(body.request_id, ticket)
        except (NovbeError, sqlite3.Error) as exc:   # the ticket stands; only a retry could miss it
            log.warning("could not remember issue request %s for %s: %s", body.request_id,
                        ticket.code, exc)
        return ticket
