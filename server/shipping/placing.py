"""Where the central copy of one history (a centre and its file's generation) stands against the
queue file: the point shipping resumes from, rows missing below it, ids it holds beyond the
newest event here (which no event here can be placed at), and rows it holds that differ from
the ones here. Each finding that is not plain progress is an alert the centre records in
`novbe.ship_alerts`, so the owner sees it too; nothing is dropped in silence."""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from server.shipping.link import SCHEMA

log = logging.getLogger(__name__)

ALERTS_NOTED = 100       # alerts written per finding (all of them are counted)
ALERT_INSERT = f"""
INSERT INTO {SCHEMA}.ship_alerts (centre_id, generation, event_id, problem)
VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING
"""
HELD = f"""
SELECT id, at, kind, ticket_id, code, service, counter, staff, source, details
FROM {SCHEMA}.events WHERE centre_id = %s AND generation = %s AND id = ANY(%s)
"""


@dataclass(frozen=True)
class Placement:
    """The resume point and the ids beyond the newest event here."""

    acknowledged: int       # every event here up to this id is in the central copy
    unplaced: int           # ids the central copy holds above the newest event here
    first_unplaced: int | None


def place(pg: psycopg.Connection, local: sqlite3.Connection, centre_id: str,
          generation: str) -> Placement:
    """Read where the central copy of this history stands (at each (re)connection)."""
    key = (centre_id, generation)
    newest = int(local.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
    row = pg.execute(
        f"SELECT coalesce(max(id) FILTER (WHERE id <= %s), 0), count(*) FILTER (WHERE id > %s), "
        f"min(id) FILTER (WHERE id > %s) FROM {SCHEMA}.events WHERE centre_id = %s AND "
        "generation = %s", (newest, newest, newest, *key)).fetchone()
    ack, unplaced, first = (int(row[0]), int(row[1]), row[2]) if row else (0, 0, None)
    if unplaced:
        beyond = [r[0] for r in pg.execute(
            f"SELECT id FROM {SCHEMA}.events WHERE centre_id = %s AND generation = %s AND "
            "id > %s ORDER BY id LIMIT %s", (*key, newest, ALERTS_NOTED))]
        note(pg, key, beyond, "unplaced")
        log.error("central copy: it holds %d events of centre %s beyond the newest one here "
                  "(#%d), the first #%s: they were not shipped from this file (see novbe central "
                  "status)", unplaced, centre_id, newest, first)
    return Placement(_first_gap(pg, local, key, ack), unplaced, first)


def _first_gap(pg: psycopg.Connection, local: sqlite3.Connection, key: tuple[str, str],
               ack: int) -> int:
    """The highest id up to which the central copy holds as many events as the file does
    (ack itself when nothing below it is missing; found by halving otherwise)."""
    def same(upto: int) -> bool:
        theirs = pg.execute(f"SELECT count(*) FROM {SCHEMA}.events WHERE centre_id = %s AND "
                            "generation = %s AND id <= %s", (*key, upto)).fetchone()
        mine = local.execute("SELECT count(*) FROM events WHERE id <= ?", (upto,)).fetchone()
        return int(theirs[0] if theirs else 0) == int(mine[0])
    if same(ack):
        return ack
    low, high = 0, ack          # same(low) holds, same(high) does not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if same(middle) else (low, middle)
    log.warning("central copy: events of centre %s from #%d on are missing there: shipping "
                "them again", key[0], high)
    return low


def compare(pg: psycopg.Connection, key: tuple[str, str], sent: Sequence[tuple[Any, ...]],
            inserted: set[int]) -> int:
    """The rows of a batch the central copy held already: those that differ from the ones here
    are noted as alerts. Returns how many differ."""
    held_ids = [r[0] for r in sent if r[0] not in inserted]
    if not held_ids:
        return 0
    theirs = {r[0]: tuple(r) for r in pg.execute(HELD, (*key, held_ids))}
    mine = {r[0]: tuple(r) for r in sent}
    differ = [i for i in held_ids if not _same_row(mine[i], theirs.get(i))]
    if differ:
        note(pg, key, differ[:ALERTS_NOTED], "differs")
        log.error("central copy: %d events of centre %s it holds differ from this file's (the "
                  "first #%d): left as they are, see novbe central status", len(differ), key[0],
                  differ[0])
    return len(differ)


def note(pg: psycopg.Connection, key: tuple[str, str], ids: Sequence[int], problem: str) -> None:
    """Record alerts (inside the caller's transaction, or on their own)."""
    if ids:
        with pg.cursor() as cur:
            cur.executemany(ALERT_INSERT, [(*key, i, problem) for i in ids])


def alerts(pg: psycopg.Connection, key: tuple[str, str]) -> dict[str, int]:
    """The alerts recorded for this history, by problem."""
    return {str(p): int(n) for p, n in pg.execute(
        f"SELECT problem, count(*) FROM {SCHEMA}.ship_alerts WHERE centre_id = %s AND "
        "generation = %s GROUP BY problem", key)}


def _same_row(mine: tuple[Any, ...], theirs: tuple[Any, ...] | None) -> bool:
    if theirs is None or len(mine) != len(theirs):
        return False
    for a, b in zip(mine, theirs, strict=True):
        if isinstance(a, float) or isinstance(b, float):
            if a is None or b is None or not math.isclose(float(a), float(b), rel_tol=0,
                                                           abs_tol=1e-6):
                return False
        elif a != b:
            return False
    return True
