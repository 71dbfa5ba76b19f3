"""The centre's free seats on the central database, pushed as what changed since the last push
central committed: the centre keeps, beside its queue file, the seats it last pushed and that
push's token; central keeps the token of the last push it committed. The same token on both
sides: only the changed, new and gone slots travel. Any other token (the first push, a push
whose commit was cut, a restart from an older state file, central restored): the centre's rows
there are replaced whole. So nothing is lost and nothing stale stays, whatever is cut. Each
slot carries the centre's own bookings too, and each push the config version it was made under:
central caps a slot's national seats with them (central/bookings/raise_guard.py)."""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from server.shipping.link import SCHEMA

Key = tuple[str, float]          # (service, slot start)
Seats = tuple[int, int]          # (free, booked): the centre's free seats and its own bookings
MOST_FREE = 1000                 # the central columns' bound


@dataclass
class PushedSeats:
    """What central holds of the centre's free seats after the last committed push."""

    token: str | None = None
    free: dict[Key, Seats] = field(default_factory=dict)


@dataclass(frozen=True)
class PushFigures:
    """One push: the rows written or deleted, and whether central's copy was replaced whole."""

    rows: int
    whole: bool


def seats_path_for(state_path: Path) -> Path:
    """Where the pushed seats are kept: beside the link's own state."""
    return state_path.with_name(state_path.name.removesuffix(".json") + ".seats.json")


def read_pushed(path: Path) -> PushedSeats:
    """The seats last pushed (none when missing, unreadable or of the format before the
    bookings were counted: the next push is whole)."""
    try:
        data = json.loads(path.read_text())
        return PushedSeats(str(data["token"]), {(str(s), float(at)): (int(free), int(booked))
                                                for s, at, free, booked in data["seats"]})
    except (OSError, ValueError, TypeError, KeyError):
        return PushedSeats()


def write_pushed(path: Path, pushed: PushedSeats) -> None:
    """Keep the seats central committed (written whole, then renamed)."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps({"token": pushed.token, "seats": [
            [s, at, free, booked] for (s, at), (free, booked) in pushed.free.items()]}))
        tmp.replace(path)


def changes(before: dict[Key, Seats], now: dict[Key, Seats]
            ) -> tuple[list[tuple[str, float, Seats]], list[Key]]:
    """(slots new or changed with their seats, slots no longer offered)."""
    upsert = [(s, at, n) for (s, at), n in now.items() if before.get((s, at)) != n]
    return upsert, [k for k in before if k not in now]


def push(pg: psycopg.Connection, centre: str, pushed: PushedSeats, current: dict[Key, Seats],
         at: float, version: tuple[str, int] = ("", 0)) -> tuple[PushedSeats, PushFigures]:
    """Bring central's copy of the centre's seats to `current` in one transaction, noting the
    config version (generation, from-event id) they were counted under; the seats central now
    holds (to keep only once this returned: the commit is done)."""
    current = {k: (min(free, MOST_FREE), min(booked, MOST_FREE))
               for k, (free, booked) in current.items()}
    token = uuid.uuid4().hex
    with pg.transaction():
        row = pg.execute(f"SELECT push_token FROM {SCHEMA}.booking_pulls WHERE centre_id = %s "
                         "FOR UPDATE", (centre,)).fetchone()
        whole = pushed.token is None or row is None or row[0] != pushed.token
        if whole:
            pg.execute(f"DELETE FROM {SCHEMA}.local_seats WHERE centre_id = %s", (centre,))
            upsert, gone = changes({}, current)
        else:
            upsert, gone = changes(pushed.free, current)
        with pg.cursor() as cur:
            cur.executemany(f"INSERT INTO {SCHEMA}.local_seats (centre_id, service, slot_start, "
                            "free, booked, as_of) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT "
                            "(centre_id, service, slot_start) DO UPDATE SET free = "
                            "EXCLUDED.free, booked = EXCLUDED.booked, as_of = EXCLUDED.as_of",
                            [(centre, s, start, free, booked, at)
                             for s, start, (free, booked) in upsert])
            cur.executemany(f"DELETE FROM {SCHEMA}.local_seats WHERE centre_id = %s AND "
                            "service = %s AND slot_start = %s",
                            [(centre, s, start) for s, start in gone])
        pg.execute(f"UPDATE {SCHEMA}.booking_pulls SET pushed_at = %s, push_token = %s, "
                   "push_generation = %s, push_config = %s WHERE centre_id = %s",
                   (at, token, version[0], version[1], centre))
    return PushedSeats(token if row is not None else None, current), \
        PushFigures(len(upsert) + len(gone), whole)
