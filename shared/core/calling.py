"""Next at a counter, inside its write transaction: the profile it runs now, the few waiting
tickets the call order could pick (read through the waiting indexes, never the whole queue),
the call order's choice (shared/core/call_order.py) and the call with its event, which records
the profile and the level it was called at."""

from __future__ import annotations

from collections.abc import Mapping

from shared.core import counter_profiles, visits
from shared.core.booked_order import candidate, due_by
from shared.core.call_order import BACKUP, Candidate, Choice, choose, turns_kept
from shared.core.fairness import NORMAL_RANK
from shared.core.queue_tx import TicketRow, Tx

WAITING = "status = 'waiting'"
HEAD = 16      # the first waiting tickets in call order, read once: most Nexts find theirs there


def serves_now(tx: Tx, counter: str) -> set[str]:
    """The services the counter may call now: its own and those of the profile it runs."""
    now = counter_profiles.profile_now(tx, counter)
    return {*tx.config.counter(counter).services,
            *counter_profiles.call_rules(tx.config, counter, now.profile).levels}


def call_next_in(tx: Tx, counter: str, mode: str,
                 staff: str | None) -> tuple[TicketRow | None, Choice | None]:
    """Call the ticket the counter's profile picks (None when it may call nobody); its row
    as called."""
    now, turns = counter_profiles.applying(tx, counter, staff)
    rules = counter_profiles.call_rules(tx.config, counter, now.profile)
    candidates = candidates_for(tx, rules.levels, rules.target_min, rules.backup_after)
    choice = choose(candidates, rules, turns, tx.at, counter_profiles.fairness_of(tx.config))
    if choice is None:
        return None, None
    counter_profiles.note_turn(tx, counter, turns, choice.turn, turns_kept(rules.quota))
    row = visits.call_ticket(tx, counter, mode, staff, int(choice.ticket.id or 0),
                             profile=now.profile, level=choice.level)
    return row, choice


def candidates_for(tx: Tx, levels: Mapping[str, str], target_min: Mapping[str, float],
                   backup_after: float) -> list[Candidate]:
    """The waiting tickets among which the call order's choice surely is: of the primary
    services together, the first in queue order and the first regular one (with the fairness
    rule, each service's oldest regular one); of each backup service, its first, its first
    regular and its best priority ticket past the backup limit; of bookings, each service's
    best due booking (and best regular one) and its earliest booking not yet due. A booking is
    due from `[bookings] call_ahead_min` before its slot: its candidate's slot_at is that moment.
    The bookings' reads run only for the services that have a checked-in booking waiting (one
    read of their index first): with none, the first walk-in is the first ticket. The firsts
    are looked for among the HEAD first waiting tickets of the whole hall first (one read in
    the waiting index's order, whatever the queue's length); a group none of them belongs to
    is read on its own (its services' index, its waiting tickets sorted)."""
    primary = tuple(s for s, lv in levels.items() if lv != BACKUP)
    backup = tuple(s for s, lv in levels.items() if lv == BACKUP)
    cols = "id, service, priority_rank, queued_at, slot_at"
    found: dict[int, Candidate] = {}
    due_slots = due_by(tx)         # bookings whose slot starts by then are due
    booked = booked_waiting(tx, (*primary, *backup))
    head = tx.rows(f"SELECT {cols} FROM tickets INDEXED BY idx_tickets_waiting WHERE {WAITING} "
                   f"ORDER BY priority_rank, queued_at, id LIMIT {HEAD}")

    def keep(r: TicketRow) -> None:
        found[r["id"]] = candidate(tx.config, r)

    def take(where: str, params: tuple, order: str = "priority_rank, queued_at, id",
             limit: str = "LIMIT 1") -> None:
        for r in tx.rows(f"SELECT {cols} FROM tickets WHERE {WAITING} AND {where} "
                         f"ORDER BY {order} {limit}", params):
            keep(r)

    def first_in_head(group: frozenset[str], regular: bool, walk_in: bool) -> bool:
        """Keep the group's first waiting (regular, walk-in) ticket when the head settles it:
        found there, or the head is the whole queue."""
        for r in head:
            if r["service"] in group and (not regular or r["priority_rank"] >= NORMAL_RANK) \
                    and (not walk_in or r["slot_at"] is None):
                keep(r)
                return True
        return len(head) < HEAD

    for group in ([primary] if primary else []) + [(s,) for s in backup]:
        marks = ",".join("?" * len(group))
        members = frozenset(group)
        walk_ins = ("", " AND slot_at IS NULL") if booked & members else ("",)
        for walk_in in walk_ins:
            for regular, rank in ((False, ""), (True, f" AND priority_rank >= {NORMAL_RANK}")):
                if not first_in_head(members, regular, bool(walk_in)):
                    take(f"service IN ({marks}){rank}{walk_in}", group)
        if tx.config.fairness.enabled:
            take(f"id IN (SELECT id FROM (SELECT id, min(queued_at) FROM tickets WHERE {WAITING} "
                 f"AND service IN ({marks}) AND priority_rank >= {NORMAL_RANK} GROUP BY service))",
                 group, limit="")
        if group[0] in backup:
            limit_at = tx.at - backup_after * target_min.get(group[0], 10.0) * 60
            take(f"service = ? AND priority_rank < {NORMAL_RANK} AND queued_at <= ?",
                 (group[0], limit_at))
        for s in group:
            if s not in booked:
                continue
            due = "service = ? AND slot_at IS NOT NULL AND slot_at <= ?"
            take(due, (s, due_slots), "priority_rank, slot_at, id")
            take(f"{due} AND priority_rank >= {NORMAL_RANK}", (s, due_slots), "slot_at, id")
            take("service = ? AND slot_at IS NOT NULL AND slot_at > ?", (s, due_slots),
                 "priority_rank, slot_at, id")
    return list(found.values())


def booked_waiting(tx: Tx, services: tuple[str, ...]) -> set[str]:
    """Which of `services` have a checked-in booked visitor waiting (idx_tickets_waiting_booked:
    as many entries as such visitors, not as the queue is long)."""
    return {r[0] for r in tx.rows(
        "SELECT DISTINCT service FROM tickets INDEXED BY idx_tickets_waiting_booked WHERE "
        f"{WAITING} AND slot_at IS NOT NULL")}.intersection(services)
