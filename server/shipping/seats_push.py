"""The centre's free seats on the central database, pushed as what changed since the last push
central committed: the centre keeps, beside its queue file, the seats it last pushed and that
push's token; central keeps the token of the last push it committed. The same token on both
sides: only the changed, new and gone slots travel. Any other token (the first push, a push
whose commit was cut, a restart from an older state file, central restored): the centre's rows
there are replaced whole. So nothing is lost and nothing stale stays, whatever is cut."""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from server.shipping.link import SCHEMA

Key = tuple[str, float]          # (service, slot start)
MOST_FREE = 1000                 # the central column's bound


@dataclass
class PushedSeats:
    """What central holds of the centre's free seats after the last committed push."""

    token: str | None = None
    free: dict[Key, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PushFigures:
    """One push: the rows written or deleted, and whether central's copy was replaced whole."""

    rows: int
    whole: bool


def seats_path_for(state_path: Path) -> Path:
    """Where the pushed seats are kept: beside the link's own state."""
    return state_path.with_name(state_path.name.removesuffix(".json") + ".seats.json")


def read_pushed(path: Path) -> PushedSeats:
    """The seats last pushed (none when missing or unreadable: the next push is whole)."""
    try:
        data = json.loads(path.read_text())
        return PushedSeats(str(data["token"]), {(str(s), float(at)): int(free)
                                                for s, at, free in data["free"]})
    except (OSError, ValueError, TypeError, KeyError):
        return PushedSeats()


def write_pushed(path: Path, pushed: PushedSeats) -> None:
    """Keep the seats central committed (written whole, then renamed)."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps({"token": pushed.token,
                                   "free": [[s, at, n] for (s, at), n in pushed.free.items()]}))
        tmp.replace(path)


def changes(before: dict[Key, int], now: dict[Key, int]
            ) -> tuple[list[tuple[str, float, int]], list[Key]]:
    """(slots new or changed with their free seats, slots no longer offered)."""
    upsert = [(s, at, n) for (s, at), n in now.items() if before.get((s, at)) != n]
    return upsert, [k for k in before if k not in now]


def push(pg: psycopg.Connection, centre: str, pushed: PushedSeats, current: dict[Key, int],
         at: float) -> tuple[PushedSeats, PushFigures]:
    """Bring central's copy of the centre's free seats to `current` in one transaction; the
    seats central now holds (to keep only once this returned: the commit is done)."""
    current = {k: min(n, MOST_FREE) for k, n in current.items()}
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
                            "free, as_of) VALUES (%s, %s, %s, %s, %s) ON CONFLICT (centre_id, "
                            "service, slot_start) DO UPDATE SET free = EXCLUDED.free, "
                            "as_of = EXCLUDED.as_of",
                            [(centre, s, start, n, at) for s, start, n in upsert])
            cur.executemany(f"DELETE FROM {SCHEMA}.local_seats WHERE centre_id = %s AND "
                            "service = %s AND slot_start = %s",
                            [(centre, s, start) for s, start in gone])
        pg.execute(f"UPDATE {SCHEMA}.booking_pulls SET pushed_at = %s, push_token = %s "
                   "WHERE centre_id = %s", (at, token, centre))
    return PushedSeats(token if row is not None else None, current), \
        PushFigures(len(upsert) + len(gone), whole)
