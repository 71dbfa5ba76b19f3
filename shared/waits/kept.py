"""The newcomers' replay kept between reads (shared/waits/newcomers.py): what the read before an
issue and a board's read answer from, at a cost that does not grow with the queue.

One replay of the whole queue is kept. A read after it catches up with the events since: a
ticket issued or transferred into a service is an arrival (Newcomers.arrived adds its share of
work); calls and visits are left to the time passing (the wait that much nearer). A counter
opening, pausing or closing, a work profile switched or scheduled, a new day, another config or
more than CATCH_UP events since make the kept replay unfit: the read replays afresh; so does a newcomer of a service only a few
calls away when tickets arrived since for its counters (Newcomers.outdated).

A kept replay older than FRESH_S is due for a fresh one. With a `background` runner (the queue's
own worker, when it runs on the real clock) the fresh replay is made there, in a read of its own,
while reads go on answering from the kept one for at most STALE_S; without one (a fake clock:
tests and the day simulator, which must repeat exactly) the read that finds it due replays. While
one replay runs, other reads answer from the one before it (a replay not done in STALE_S is
taken as lost: a background runner that never ran it cannot hold the reads back)."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from shared.core.changes import changes_since, newest_event
from shared.core.errors import QueueUnavailable
from shared.core.queue_tx import Tx
from shared.waits.newcomers import Newcomers
from shared.waits.state import WaitEstimate

log = logging.getLogger(__name__)

FRESH_S = 5.0         # a replay this old is due for a fresh one
STALE_S = 30.0        # … and, while one is made in the background, serves at most this long
CATCH_UP = 512        # at most this many events since are caught up with; more: replay
# (a work profile switched or scheduled changes which counters call each service)
CAPACITY_KINDS = frozenset({"counter_opened", "counter_paused", "counter_closed", "day_started",
                            "profile_changed", "profile_scheduled",
                            "profile_schedule_cancelled"})

Background = Callable[[Callable[[Tx], None]], None]   # runs a function in a read elsewhere


class BehindReads:
    """A queue's worker thread for the fresh replays: each runs in a read of its own there
    (through `read`, the queue's read on this thread's reader connection), one at a time."""

    def __init__(self, read: Callable[[Callable[[Tx], None]], object]):
        self._read = read
        self._worker = ThreadPoolExecutor(1, "novbe-waits")

    def __call__(self, fn: Callable[[Tx], None]) -> None:
        with contextlib.suppress(RuntimeError):     # shut down: the queue is closing
            self._worker.submit(self._run, fn)

    def _run(self, fn: Callable[[Tx], None]) -> None:
        with contextlib.suppress(QueueUnavailable):  # closed meanwhile
            self._read(fn)

    def settle(self) -> None:
        """Wait until the replays handed over so far are done."""
        self._worker.submit(lambda: None).result()

    def close(self) -> None:
        """Wait for the replay under way (its reader is closed next); drop any not begun."""
        self._worker.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Kept:
    """A replay and what it stands for: the config, service day, instant and newest event it
    was brought up to; `full`: its drawn replays were run (not only the expected one)."""

    config: object
    day: date
    at: float
    seen: int
    newcomers: Newcomers
    full: bool


class KeptNewcomers:
    """The kept replay of the newcomers, shared by the reads of every thread of one queue."""

    def __init__(self, replay: Callable[[Tx], Newcomers], background: Background | None = None):
        self._replay = replay              # a fresh Newcomers from this read's queue state
        self.background = background
        self._kept: _Kept | None = None
        self._lock = threading.Lock()
        self._checked: tuple[Tx, Newcomers] | None = None   # in this read, already checked
        self._replay_since: float | None = None   # a fresh replay runs, begun then

    def _replaying(self, at: float) -> bool:
        """Whether a fresh replay is running (one begun STALE_S ago is taken as lost)."""
        return self._replay_since is not None and 0 <= at - self._replay_since < STALE_S

    def estimate(self, tx: Tx, service: str, quick: bool = False,
                 last: int | None = None) -> WaitEstimate:
        """The printed wait of a newcomer of no priority class of `service`, in this read
        (`last`: its newest event id, when the caller has read it already)."""
        newcomers = self._newcomers_of(tx, service, quick, last)
        with self._lock:
            return newcomers.estimate(service, quick, tx.at)

    def _newcomers_of(self, tx: Tx, service: str, quick: bool, last: int | None) -> Newcomers:
        if self._checked is not None and self._checked[0] is tx:
            return self._checked[1]
        if last is None:
            last = newest_event(tx)
        with self._lock:
            kept = self._fit(tx, last)
            if kept is not None and kept.newcomers.outdated(service, quick):
                kept = None
            if kept is None and self._replaying(tx.at) and self._kept is not None and \
                    self._kept.config is tx.config and self._kept.day == tx.day:
                kept = self._kept           # another read is replaying: the one before it
            if kept is not None:
                if self.background is not None and not self._replaying(tx.at) and (
                        tx.at - kept.at >= FRESH_S or not kept.full):
                    self._replay_since = tx.at
                    self.background(self._refresh)
                self._checked = tx, kept.newcomers
                return kept.newcomers
            self._replay_since = tx.at
        try:                        # replayed outside the lock: other reads go on meanwhile
            # the others when asked; with a background runner the drawn replays too, so the
            # issues after a board's read find them made
            quick = quick and self.background is None
            newcomers = self._fresh(tx, (service,), quick)
        finally:
            with self._lock:
                self._replay_since = None
        with self._lock:
            self._kept = _Kept(tx.config, tx.day, tx.at, last, newcomers, not quick)
            self._checked = tx, newcomers
        return newcomers

    def _fresh(self, tx: Tx, services: Iterable[str], quick: bool) -> Newcomers:
        newcomers = self._replay(tx)
        for service in services:        # every service, as asked
            newcomers.spread(service, quick)
        return newcomers

    def _refresh(self, tx: Tx) -> None:
        """The fresh replay, in the background runner's own read."""
        try:
            last = newest_event(tx)
            newcomers = self._fresh(tx, tx.config.services, quick=False)
            with self._lock:
                if self._kept is None or self._kept.at <= tx.at:
                    self._kept = _Kept(tx.config, tx.day, tx.at, last, newcomers, True)
        except Exception:          # the reads go on with the kept one, then replay themselves
            log.exception("the waits' replay in the background failed")
        finally:
            with self._lock:
                self._replay_since = None

    def _fit(self, tx: Tx, last: int) -> _Kept | None:
        """The kept replay brought up to this read's event `last`, or None if not fit."""
        kept = self._kept
        if kept is None or kept.config is not tx.config or kept.day != tx.day:
            return None
        limit = STALE_S if self.background is not None else FRESH_S
        if not -FRESH_S < tx.at - kept.at < limit:     # a little newer than this read: fine
            return None
        if last <= kept.seen:       # other reads (or the worker) brought it further already
            return kept
        if not catch_up(tx, kept.newcomers, kept.seen, last):
            return None
        kept.seen = last
        return kept


def catch_up(tx: Tx, newcomers: Newcomers, seen: int, last: int) -> bool:
    """Bring `newcomers` up to the events after `seen`: tickets issued or transferred into a
    service arrived (Newcomers.arrived); calls and visits are left to the time passing. False
    when the counters able to call changed or the day began, or more than CATCH_UP events have
    happened: then a fresh replay is due."""
    if last - seen > CATCH_UP:
        return False
    changes = changes_since(tx, seen, last)
    if any(c.kind in CAPACITY_KINDS for c in changes):
        return False
    for c in changes:
        if c.kind == "issued" and c.service:
            newcomers.arrived(c.service)
        elif c.kind == "transferred" and c.to_service:
            newcomers.arrived(c.to_service)
    return True
