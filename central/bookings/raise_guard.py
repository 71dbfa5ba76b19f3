"""A raised `national_share` never overbooks: the national seats central may book of a slot are
the newest config's, capped by capacity less the centre's own bookings as its last committed
push reported them, and less the most local seats any config version the centre may have
booked under since that push gave it (docs/architecture.md, "Raising `national_share`")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from central.screening import ConfigRefused, parse_body
from server.shipping.link import SCHEMA
from shared.bookings.seats import SlotSeats, national_cap
from shared.bookings.slots import seats as slot_seats
from shared.config.centre import CentreConfig
from shared.core.errors import NovbeError

RAISED = "share_raised"            # capped by the centre's own bookings it reported
PENDING = "share_raise_pending"    # capped by an older share until the centre reports under it
PARSED_MOST = 512                  # config versions kept parsed (all centres)
_PARSED: dict[tuple[str, str], CentreConfig | None] = {}
_UNREAD = object()


@dataclass(frozen=True)
class NationalSeats:
    """A slot's seats with the national ones central may book now; `why` names what capped
    them below the config's share (None: nothing did); `local_booked` as last reported."""

    seats: SlotSeats
    why: str | None
    local_booked: int


class RaiseGuard:
    """One centre's cap on its national seats, read in the desk's transaction (which holds the
    centre's pull lock shared, so no pull moves the centre's versions meanwhile): two statements,
and one more per slot for its local bookings."""

    def __init__(self, conn: psycopg.Connection, config: CentreConfig):
        centre = config.centre_id
        row = conn.execute(
            f"SELECT g.gen, p.push_token, p.push_generation, p.push_config, (SELECT "
            f"max(v.from_event_id) FROM {SCHEMA}.config_versions v WHERE v.centre_id = %(c)s "
            f"AND v.generation = g.gen) FROM (SELECT coalesce((SELECT generation FROM "
            f"{SCHEMA}.generations WHERE centre_id = %(c)s ORDER BY announced_at DESC, "
            f"generation DESC LIMIT 1), '') AS gen) g LEFT JOIN {SCHEMA}.booking_pulls p "
            "ON p.centre_id = %(c)s", {"c": centre}).fetchone()
        assert row is not None                  # the sub-select always gives one row
        generation, token, pushed_generation, pushed_config, newest = row
        self.reported = (token is not None and pushed_generation == generation
                         and pushed_config is not None)
        since = int(pushed_config) if self.reported else 0
        top = int(newest) if newest is not None else 0
        bodies = conn.execute(
            f"SELECT DISTINCT ON (hash) hash, body FROM {SCHEMA}.config_versions WHERE "
            "centre_id = %s AND generation = %s AND from_event_id BETWEEN %s AND %s",
            (centre, generation, min(since, top), top)).fetchall()
        self.config = config
        self.conn = conn
        self.versions = [_parsed(centre, digest, body) for digest, body in bodies]

    def national(self, service: str, slot_start: float, local_booked: int | None = None
                 ) -> NationalSeats:
        """The slot's seats under the newest config with the national ones capped; its local
        bookings as last pushed are read unless given (0 when the centre never reported: the
        versions' cap then covers every booking it made)."""
        seats = slot_seats(self.config, service, slot_start)
        if local_booked is None:
            local_booked = self.local_booked(service, slot_start)
        locals_ = [_local_seats(v, service, slot_start, seats.capacity) for v in self.versions]
        national = national_cap(seats, local_booked, locals_)
        by_local, by_versions = seats.capacity - local_booked, national_cap(seats, 0, locals_)
        why = None if national >= seats.national else RAISED if by_local <= by_versions \
            else PENDING
        return NationalSeats(SlotSeats(seats.capacity, national), why, local_booked)

    def local_booked(self, service: str, slot_start: float) -> int:
        """The centre's own bookings of the slot as its last committed push reported them."""
        if not self.reported:
            return 0
        row = self.conn.execute(f"SELECT booked FROM {SCHEMA}.local_seats WHERE centre_id = %s "
                                "AND service = %s AND slot_start = %s",
                                (self.config.centre_id, service, slot_start)).fetchone()
        return 0 if row is None else int(row[0])


def _parsed(centre: str, digest: str, body: Any) -> CentreConfig | None:
    """A version's config (None: central cannot read it), parsed once per hash: a version's
    body never changes, and the desk reads one or two of them on every booking."""
    key = (centre, digest)
    kept = _PARSED.get(key, _UNREAD)
    if kept is not _UNREAD:
        return kept  # type: ignore[return-value]
    try:
        found: CentreConfig | None = parse_body(body, f"central:{centre}")
    except ConfigRefused:
        found = None
    if len(_PARSED) >= PARSED_MOST:     # the desk's threads share it: what is returned is
        _PARSED.clear()                 # this call's own value, whoever clears meanwhile
    _PARSED[key] = found
    return found


def _local_seats(config: CentreConfig | None, service: str, slot_start: float,
                 capacity: int) -> int:
    """The most local seats a version let the centre book of the slot: a version central
    cannot read counts as the whole capacity (nothing national until the centre reports)."""
    if config is None:
        return capacity
    if not config.bookings.enabled:
        return 0
    try:
        return slot_seats(config, service, slot_start).local
    except (NovbeError, KeyError):
        return 0
