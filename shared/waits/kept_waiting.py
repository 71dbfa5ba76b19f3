"""The waiting tickets kept between reads and caught up per event: how many people are ahead of a
ticket issued now, from counts in memory instead of a count over the whole queue.

Every change to a ticket appends an event naming it (docs/architecture.md, the queue contract),
so bringing the kept tickets up to a read's newest event is reading again the few tickets the
events since name (tickets are never deleted): each is dropped, and kept again while it waits
(service, priority rank, queue time; a checked-in booking's slot, kept apart: it counts only
once due, shared/waits/reading.people_ahead). More than CATCH_UP events since, or a read older than what is kept (another thread's read
brought it further), and the read is answered in SQL instead; the first read, or one after a gap,
loads every waiting ticket once.

The issue takes the count read before its write when no event came between (one look at the
newest event id inside the write: shared/core/issuing.py)."""

from __future__ import annotations

import heapq
import threading

from shared.core.booked_order import due_by
from shared.core.changes import changes_since
from shared.core.fairness import NORMAL_RANK
from shared.core.queue_tx import Tx
from shared.waits.ahead import ALWAYS, AheadRule

CATCH_UP = 512        # at most this many events since are caught up with; more: load again


class KeptWaiting:
    """The waiting tickets of one queue file, as of its event `seen`, shared by its threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: int | None = None
        self._tickets: dict[int, tuple[str, int, float]] = {}   # id → service, rank, queued at
        self._counts: dict[str, dict[int, int]] = {}            # service → rank → waiting
        self._booked: dict[int, tuple[str, int, float]] = {}    # id → service, rank, slot at
        self._latest = float("-inf")      # no kept ticket queued later (not lowered on removal)
        # every waiting ticket (bookings too) by service, for the board: how many, the oldest
        self._queued: dict[int, tuple[str, float]] = {}          # id → service, queued at
        self._per_service: dict[str, int] = {}
        self._oldest: dict[str, list[tuple[float, int]]] = {}   # heaps, gone ones left till met

    def ahead(self, tx: Tx, last: int, rule: AheadRule, rank: int) -> int | None:
        """People ahead of a ticket of `rank` issued at `tx.at` under `rule` (who counts ahead
        by the counters' profiles now, shared/waits/ahead.py), in this read (`last`: its newest
        event id) — as reading.people_ahead counts them. None when this read is older than what
        is kept, a ticket waits with a queue time after `tx.at` (the clock stepped back), or the
        rule counts a service only up to a queue time (a backup service at some counter): then
        count in SQL."""
        if any(limit != ALWAYS for limit in rule.before.values()):
            return None
        is_priority = rank < NORMAL_RANK
        with self._lock:
            if not self._bring_up(tx, last) or self._latest > tx.at:
                return None
            due = due_by(tx)
            walk_ins = sum(n for service in rule.before
                           for r, n in self._counts.get(service, {}).items()
                           if r <= rank and (not rule.same_kind or (r < NORMAL_RANK) == is_priority))
            return walk_ins + sum(
                1 for service, r, slot_at in self._booked.values()
                if slot_at <= due and service in rule.before and r <= rank
                and (not rule.same_kind or (r < NORMAL_RANK) == is_priority))

    def load(self, tx: Tx, last: int) -> dict[str, tuple[int, float]] | None:
        """Per service with anyone waiting, how many wait and the oldest queue time, in this
        read (`last`: its newest event id) — as a count grouped by service would; None when
        this read is older than what is kept (then count in SQL)."""
        with self._lock:
            if not self._bring_up(tx, last):
                return None
            return {service: (n, self._oldest_of(service))
                    for service, n in self._per_service.items()}

    def _oldest_of(self, service: str) -> float:
        heap = self._oldest[service]
        while self._queued.get(heap[0][1]) != (service, heap[0][0]):
            heapq.heappop(heap)           # gone since, or kept again with another time
        return heap[0][0]

    def _bring_up(self, tx: Tx, last: int) -> bool:
        if self._seen is not None and last < self._seen:
            return False                  # an older snapshot than the one kept
        if self._seen is None or last - self._seen > CATCH_UP:
            self._load(tx)
        elif last > self._seen:
            for c in changes_since(tx, self._seen, last):
                t = c.ticket
                if t is not None:
                    self._drop(t.id)
                    if t.status == "waiting":
                        self._keep(t.id, t.service, t.rank, t.queued_at, t.slot_at)
        self._seen = last
        return True

    def _load(self, tx: Tx) -> None:
        self._tickets, self._counts, self._booked = {}, {}, {}
        self._queued, self._per_service, self._oldest = {}, {}, {}
        self._latest = float("-inf")
        for tid, service, rank, queued_at, slot_at in tx.rows(
                "SELECT id, service, priority_rank, queued_at, slot_at FROM tickets "
                "WHERE status = 'waiting'"):
            self._keep(tid, service, rank, queued_at, slot_at)

    def _keep(self, tid: int, service: str, rank: int, queued_at: float,
              slot_at: float | None) -> None:
        self._latest = max(self._latest, queued_at)
        self._queued[tid] = (service, queued_at)
        self._per_service[service] = self._per_service.get(service, 0) + 1
        heap = self._oldest.setdefault(service, [])
        if len(heap) > 2 * self._per_service[service] + 64:    # mostly gone ones: keep it small
            heap[:] = [(q, t) for q, t in heap if self._queued.get(t) == (service, q)]
            heapq.heapify(heap)
        heapq.heappush(heap, (queued_at, tid))
        if slot_at is not None:
            self._booked[tid] = (service, rank, slot_at)
            return
        self._tickets[tid] = (service, rank, queued_at)
        by_rank = self._counts.setdefault(service, {})
        by_rank[rank] = by_rank.get(rank, 0) + 1

    def _drop(self, tid: int) -> None:
        queued = self._queued.pop(tid, None)
        if queued is not None:
            n = self._per_service[queued[0]] - 1
            if n:
                self._per_service[queued[0]] = n
            else:
                del self._per_service[queued[0]]
                del self._oldest[queued[0]]
        self._booked.pop(tid, None)
        kept = self._tickets.pop(tid, None)
        if kept is not None:
            by_rank = self._counts[kept[0]]
            by_rank[kept[1]] -= 1
            if not by_rank[kept[1]]:
                del by_rank[kept[1]]
