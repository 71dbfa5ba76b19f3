"""The owner's upkeep of a centre's central copy: dropping rows that cannot be counted (those the
refresh set aside, ids the centre's shipper could not place or found different, histories
that are no longer current), after which the centre ships its own rows again and the next
refresh folds the centre from scratch."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from central.facts import forget_centre
from central.health import current_generation
from central.schema import SCHEMA, CentralError, connect, needs_owner_rights

ID_LIST_RE = re.compile(r"^\d+(-\d+)?$")
EVENT_REF = "(CASE WHEN a.what = 'event' THEN a.ref::bigint END)"   # a set-aside event's id


@dataclass
class Dropped:
    """What drop_rows removed."""

    events: int = 0
    configs: int = 0
    generations: int = 0


def parse_ids(text: str) -> list[tuple[int, int]]:
    """Event ids as "5,7,10-20" → [(5, 5), (7, 7), (10, 20)]; a clear message otherwise."""
    spans = []
    for part in (p.strip() for p in text.split(",")):
        if not ID_LIST_RE.match(part):
            raise CentralError(f"event ids are numbers or ranges like 5,7,10-20; got {part!r}")
        low, _, high = part.partition("-")
        first, last = int(low), int(high or low)
        if first > last or last >= 2**63:
            raise CentralError(f"not a range of event ids: {part!r}")
        spans.append((first, last))
    return spans


@needs_owner_rights
def drop_rows(url: str, centre_id: str, *, set_aside: bool = False,
              events: Iterable[tuple[int, int]] = (), old_generations: bool = False) -> Dropped:
    """Delete rows of a centre's central copy (as the owner): those its current history has set
    aside, these event ids of its current history, and/or every history but the current one.
    Their alerts go with them; the centre's facts are folded again by the next refresh."""
    spans = list(events)
    if not (set_aside or spans or old_generations):
        raise CentralError("say which rows to drop: --set-aside, --events IDS or "
                           "--old-generations")
    out = Dropped()
    with connect(url, app="novbe-central-admin") as conn, conn.transaction():
        if not conn.execute(f"SELECT 1 FROM {SCHEMA}.centres WHERE centre_id = %s",
                            (centre_id,)).fetchone():
            raise CentralError(f"no centre {centre_id!r} in the central database")
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ("novbe-facts:" + centre_id,))
        key = (centre_id, current_generation(conn, centre_id))
        if set_aside:
            out.events += conn.execute(
                f"DELETE FROM {SCHEMA}.events e USING {SCHEMA}.set_aside a WHERE "
                "a.centre_id = %s AND a.generation = %s AND a.what = 'event' AND "
                "e.centre_id = a.centre_id AND e.generation = a.generation AND "
                f"e.id = {EVENT_REF}", key).rowcount
            out.configs += conn.execute(
                f"DELETE FROM {SCHEMA}.config_versions c USING {SCHEMA}.set_aside a WHERE "
                "a.centre_id = %s AND a.generation = %s AND a.what = 'config' AND "
                "c.centre_id = a.centre_id AND c.generation = a.generation AND "
                "c.hash || '@' || c.from_event_id = a.ref", key).rowcount
            conn.execute(f"DELETE FROM {SCHEMA}.ship_alerts s USING {SCHEMA}.set_aside a "
                         "WHERE a.centre_id = %s AND a.generation = %s AND s.centre_id = "
                         f"a.centre_id AND s.generation = a.generation AND s.event_id = "
                         f"{EVENT_REF}", key)
            conn.execute(f"DELETE FROM {SCHEMA}.set_aside WHERE centre_id = %s AND "
                         "generation = %s", key)
        for first, last in spans:
            out.events += conn.execute(
                f"DELETE FROM {SCHEMA}.events WHERE centre_id = %s AND generation = %s AND "
                "id BETWEEN %s AND %s", (*key, first, last)).rowcount
            conn.execute(f"DELETE FROM {SCHEMA}.ship_alerts WHERE centre_id = %s AND "
                         "generation = %s AND event_id BETWEEN %s AND %s", (*key, first, last))
            conn.execute(f"DELETE FROM {SCHEMA}.set_aside a WHERE centre_id = %s AND "
                         f"generation = %s AND {EVENT_REF} BETWEEN %s AND %s",
                         (*key, first, last))
        if old_generations:
            for table in ("events", "config_versions", "ship_alerts", "set_aside"):
                n = conn.execute(f"DELETE FROM {SCHEMA}.{table} WHERE centre_id = %s AND "
                                 "generation <> %s", key).rowcount
                if table == "events":
                    out.events += n
            out.generations = conn.execute(
                f"DELETE FROM {SCHEMA}.generations WHERE centre_id = %s AND generation <> %s",
                key).rowcount
        forget_centre(conn, centre_id)
    return out
