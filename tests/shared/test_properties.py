"""Property-based: random sequences of queue operations keep tickets, counters and events
consistent (hypothesis' stateful testing over a real SQLite file)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from shared.config.centre import load_config
from shared.core.clock import FakeClock
from shared.core.errors import NoTicketWaiting, NovbeError, QueueUnavailable
from shared.core.local_queue import LocalQueue
from shared.core.model import AT_COUNTER, Status
from shared.core.service_day import service_day
from tests.shared.helpers import JOB, LABOUR, LEGAL, PENSION, UNEMPLOYMENT

CONFIG = load_config()
SERVICES = (JOB, UNEMPLOYMENT, LABOUR, PENSION, LEGAL)
COUNTERS = ("1", "3", "4", "15", "20")
PRIORITIES = (None, None, None, "veteran", "elderly", "parent")

# What each event kind makes of the ticket's status (None: no change).
EVENT_STATUS = {
    "issued": Status.WAITING, "called": Status.CALLED, "recalled": None,
    "started": Status.SERVING, "finished": Status.DONE, "no_show": Status.NO_SHOW,
    "cancelled": Status.CANCELLED, "transferred": Status.WAITING, "expired": Status.EXPIRED,
    "rated": None,
}


class QueueMachine(RuleBasedStateMachine):
    """A queue file driven by random operations through two connections; after each step its
    state must agree with its events."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="novbe-prop-"))
        self.clock = FakeClock("2026-11-23T06:00:00+00:00")
        self.q = LocalQueue(self.dir / "q.sqlite", CONFIG, self.clock)
        self.other = LocalQueue(self.dir / "q.sqlite", CONFIG, self.clock)  # a second connection
        self.tokens: list[str] = []

    def teardown(self) -> None:
        self.q.close()
        self.other.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _refusable(self, op, *args):
        """Run an operation; a refusal (named error) must leave the database untouched."""
        before = self.q.last_event_id()
        try:
            return op(*args)
        except NoTicketWaiting:
            return None  # Next still ends the current visit: it may write
        except QueueUnavailable:
            raise
        except NovbeError:
            assert self.q.last_event_id() == before, f"{op.__name__} refused but wrote events"
            return None

    def _token(self, i: int) -> str:
        return self.tokens[i % len(self.tokens)]

    # ---- rules --------------------------------------------------------------------------------
    @initialize(service=st.sampled_from(SERVICES))
    def first_visitor(self, service):
        self.tokens.append(self.q.issue(service).token)

    @rule(service=st.sampled_from(SERVICES), priority=st.sampled_from(PRIORITIES))
    def issue(self, service, priority):
        t = self.q.issue(service, priority=priority)
        assert t.status == Status.WAITING
        self.tokens.append(t.token)

    @rule(counter=st.sampled_from(COUNTERS))
    def call_next(self, counter):
        today = service_day(self.clock.now(), CONFIG.tz, CONFIG.day_reset_hour).isoformat()
        expected = [t.id for t in self.q.waiting(counter) if t.service_day == today][:1]
        got = self._refusable(self.q.call_next, counter)
        assert ([got.id] if got else []) == expected, "call_next skipped the head of the line"

    @precondition(lambda self: self.tokens)
    @rule(counter=st.sampled_from(COUNTERS), i=st.integers(0, 1000), by_code=st.booleans())
    def call(self, counter, i, by_code):
        ref = self._token(i)
        if by_code:
            ref = self.q.status(ref).code
        self._refusable(self.q.call, counter, ref)

    @rule(counter=st.sampled_from(COUNTERS),
          op=st.sampled_from(("recall", "start", "no_show", "open_counter", "pause_counter",
                              "close_counter")))
    def counter_op(self, counter, op):
        self._refusable(getattr(self.q, op), counter)

    @rule(counter=st.sampled_from(COUNTERS), outcome=st.sampled_from(("served", "unresolved", "referred")))
    def finish(self, counter, outcome):
        self._refusable(self.q.finish, counter, outcome)

    @rule(counter=st.sampled_from(COUNTERS), service=st.sampled_from(SERVICES))
    def transfer(self, counter, service):
        self._refusable(self.q.transfer, counter, service)

    @precondition(lambda self: self.tokens)
    @rule(i=st.integers(0, 1000))
    def cancel(self, i):
        self._refusable(self.q.cancel, self._token(i))

    @precondition(lambda self: self.tokens)
    @rule(i=st.integers(0, 1000), score=st.integers(1, 5))
    def rate(self, i, score):
        self._refusable(self.q.rate, self._token(i), score)

    @rule(seconds=st.integers(1, 900))
    def time_passes(self, seconds):
        self.clock.advance(seconds)

    @rule()
    def other_connection(self):
        self.q, self.other = self.other, self.q

    @rule()
    def next_morning(self):
        self.clock.advance(hours=20)

    # ---- invariants -----------------------------------------------------------------------------
    @invariant()
    def tickets_agree_with_their_events(self):
        status: dict[int, Status] = {}
        service: dict[int, str] = {}
        last_id = 0
        for e in self.q.events(0, limit=100_000):
            assert e.id > last_id
            last_id = e.id
            if e.ticket_id is None or e.kind not in EVENT_STATUS:
                continue
            if e.kind == "issued":
                assert e.ticket_id not in status, "issued twice"
                service[e.ticket_id] = e.service
            # every event tells the service the ticket had when it happened
            assert e.service == service[e.ticket_id], (e.kind, e.service, service[e.ticket_id])
            if e.kind == "transferred":
                assert e.details["from_service"] == e.service
                service[e.ticket_id] = e.details["to_service"]
            new = EVENT_STATUS[e.kind]
            if new is not None:
                status[e.ticket_id] = new
        tickets = [self.q.status(tok) for tok in self.tokens]
        assert len(status) == len(tickets)
        for t in tickets:
            assert t.status == status[t.id], f"{t.code} is {t.status}, its events say {status[t.id]}"
            assert t.service == service[t.id]
        snap = self.q.snapshot()
        waiting = Counter(service[tid] for tid, s in status.items() if s == Status.WAITING)
        for load in snap.services:
            assert load.waiting == waiting.get(load.id, 0), load.id

        holders = [c for c in snap.counters if c.ticket]
        held = [c.ticket.id for c in holders]
        assert len(held) == len(set(held)), "two counters hold the same ticket"
        for c in holders:
            assert c.ticket.status in AT_COUNTER and c.ticket.counter == c.id
        at_counter = {t.id for t in tickets if t.status in AT_COUNTER}
        assert at_counter == set(held), "a called ticket no counter holds (or the reverse)"


class TestQueueOperations(QueueMachine.TestCase):
    """Random sequences of queue operations keep tickets, counters and events consistent."""

    settings = settings(max_examples=int(os.environ.get("NOVBE_PROP_EXAMPLES", 60)),
                        stateful_step_count=40, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow])
