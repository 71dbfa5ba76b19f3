"""An independent recount of a day's report figures: plain SQL over the events table alone
(SQLite's JSON and window functions), written apart from shared.reports — it shares no code,
no fact table and no percentile routine with it. Baku is UTC+4 all year (no DST since 2016)."""

from __future__ import annotations

import sqlite3
from typing import Any

TICKETS = """
WITH iss AS (
  SELECT ticket_id, at AS issued_at, service,
         json_extract(details, '$.estimate_min') AS est
  FROM events WHERE kind = 'issued' AND at >= :start AND at < :end),
calls AS (SELECT ticket_id, MIN(at) AS first_call FROM events WHERE kind = 'called'
          GROUP BY ticket_id),
ends AS (
  SELECT ticket_id,
         coalesce((SELECT json_extract(k.details, '$.outcome') FROM events k
                   WHERE k.ticket_id = events.ticket_id AND k.kind = 'outcome_corrected'
                   AND k.id > events.id ORDER BY k.id DESC LIMIT 1),
                  CASE WHEN kind = 'finished' THEN json_extract(details, '$.outcome') ELSE kind END)
           AS outcome,
         CASE WHEN json_extract(details, '$.ended_at') IS NOT NULL
              THEN CAST(strftime('%s', json_extract(details, '$.ended_at')) AS REAL)
              ELSE at END AS ended
  FROM events WHERE kind IN ('finished', 'no_show', 'cancelled', 'expired')),
moved AS (SELECT DISTINCT ticket_id FROM events WHERE kind = 'transferred'),
rates AS (SELECT ticket_id, json_extract(details, '$.score') AS score FROM events
          WHERE kind = 'rated')
SELECT i.ticket_id, i.service, i.issued_at, i.est, c.first_call - i.issued_at AS wait,
       e.outcome, e.ended - i.issued_at AS lasted, m.ticket_id IS NOT NULL AS moved, r.score,
       CAST(strftime('%H', i.issued_at + 4 * 3600, 'unixepoch') AS INTEGER) AS hour
FROM iss i LEFT JOIN calls c USING (ticket_id) LEFT JOIN ends e USING (ticket_id)
     LEFT JOIN moved m USING (ticket_id) LEFT JOIN rates r USING (ticket_id)
"""

PERCENTILE = """
WITH v AS (SELECT x, ROW_NUMBER() OVER (ORDER BY x) - 1 AS rn, COUNT(*) OVER () AS n FROM ({q}))
SELECT (SELECT x FROM v WHERE rn = CAST((n - 1) * :p AS INTEGER))
     + ((n - 1) * :p - CAST((n - 1) * :p AS INTEGER))
     * (coalesce((SELECT x FROM v WHERE rn = CAST((n - 1) * :p AS INTEGER) + 1),
                 (SELECT x FROM v WHERE rn = CAST((n - 1) * :p AS INTEGER)))
        - (SELECT x FROM v WHERE rn = CAST((n - 1) * :p AS INTEGER)))
FROM v LIMIT 1
"""

VISITS = """
WITH c AS (SELECT id, ticket_id, at AS called, counter, staff FROM events WHERE kind = 'called'
           AND ticket_id IN (SELECT ticket_id FROM events WHERE kind = 'issued'
                             AND at >= :start AND at < :end)),
e AS (SELECT c.*, (SELECT MIN(x.id) FROM events x WHERE x.ticket_id = c.ticket_id AND x.id > c.id
                   AND x.kind IN ('finished', 'no_show', 'transferred', 'cancelled', 'expired'))
                  AS end_id FROM c)
SELECT e.counter, e.staff, e.called,
       (SELECT MIN(s.at) FROM events s WHERE s.ticket_id = e.ticket_id AND s.kind = 'started'
        AND s.id > e.id AND (e.end_id IS NULL OR s.id < e.end_id)) AS started,
       x.kind AS end_kind, json_extract(x.details, '$.outcome') AS outcome, x.at AS ended,
       CASE WHEN x.kind IN ('finished', 'no_show') THEN     -- a ticket's last visit only
       (SELECT json_extract(k.details, '$.outcome') FROM events k WHERE k.ticket_id = e.ticket_id
        AND k.kind = 'outcome_corrected' AND k.id > e.end_id ORDER BY k.id DESC LIMIT 1)
       END AS fixed
FROM e LEFT JOIN events x ON x.id = e.end_id
"""

# Elementary intervals between every instant something happened that day; for each counter,
# whether it was open, free and someone waited for a service it serves during the interval.
INTERVALS = """
WITH RECURSIVE pts(t) AS (
  SELECT DISTINCT at FROM events WHERE at >= :start AND at < :end
  UNION SELECT :end),
ordered AS (SELECT t, LEAD(t) OVER (ORDER BY t) AS u FROM pts),
counter_state AS (
  SELECT o.t, o.u, k.counter,
    (SELECT kind FROM events z WHERE z.counter = k.counter AND z.kind LIKE 'counter_%'
       AND z.at >= :start AND z.at <= o.t ORDER BY z.id DESC LIMIT 1) AS last_kind,
    (SELECT staff FROM events z WHERE z.counter = k.counter AND z.kind LIKE 'counter_%'
       AND z.at >= :start AND z.at <= o.t ORDER BY z.id DESC LIMIT 1) AS staff
  FROM ordered o, (SELECT DISTINCT counter FROM events WHERE counter IS NOT NULL
                   AND at >= :start AND at < :end) k
  WHERE o.u IS NOT NULL)
SELECT counter, staff, t, u, last_kind = 'counter_opened' AS open,
  EXISTS (SELECT 1 FROM events cl WHERE cl.kind = 'called' AND cl.counter = s.counter
          AND cl.at <= s.t AND cl.at >= :start
          AND NOT EXISTS (SELECT 1 FROM events en WHERE en.ticket_id = cl.ticket_id
              AND en.id > cl.id AND en.at <= s.t
              AND en.kind IN ('finished', 'no_show', 'transferred', 'cancelled', 'expired'))) AS busy
FROM counter_state s
"""

WAITING_AT = """
SELECT service FROM (
  SELECT q.ticket_id, q.id, CASE WHEN q.kind = 'transferred'
         THEN json_extract(q.details, '$.to_service') ELSE q.service END AS service
  FROM events q
  WHERE q.kind IN ('issued', 'transferred') AND q.at <= :t AND q.at >= :start
    AND NOT EXISTS (SELECT 1 FROM events n WHERE n.ticket_id = q.ticket_id AND n.id > q.id
        AND n.at <= :t AND n.kind IN ('called', 'cancelled'))
    AND NOT EXISTS (SELECT 1 FROM events n WHERE n.ticket_id = q.ticket_id AND n.id > q.id
        AND n.kind = 'transferred' AND n.at <= :t)
    AND NOT EXISTS (SELECT 1 FROM events n WHERE n.ticket_id = q.ticket_id AND n.kind = 'expired'
        AND CAST(strftime('%s', json_extract(n.details, '$.ended_at')) AS REAL) <= :t))
"""


def recount_day(conn: sqlite3.Connection, start: float, end: float,
                counter_services: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """The day's figures from the events table alone."""
    p = {"start": start, "end": end}
    rows = conn.execute(TICKETS, p).fetchall()
    out: dict[str, Any] = {"issued": len(rows)}
    for o in ("served", "unresolved", "referred", "no_show", "cancelled", "expired"):
        out[o] = sum(1 for r in rows if r[5] == o)
    out["transferred"] = sum(1 for r in rows if r[7])
    waits = f"SELECT c.first_call - i.issued_at AS x FROM ({TICKETS}) i " \
            "JOIN (SELECT ticket_id, MIN(at) AS first_call FROM events WHERE kind = 'called' " \
            "GROUP BY ticket_id) c USING (ticket_id)"
    agg = conn.execute(f"SELECT COUNT(x), AVG(x), MAX(x) FROM ({waits})", p).fetchone()
    out["called"], out["wait_mean_s"], out["wait_max_s"] = agg
    out["wait_median_s"] = conn.execute(PERCENTILE.format(q=waits), {**p, "p": 0.5}).fetchone()[0]
    out["wait_p90_s"] = conn.execute(PERCENTILE.format(q=waits), {**p, "p": 0.9}).fetchone()[0]
    out["within_target"] = sum(1 for r in rows if r[4] is not None and r[4] <= 600)
    out["target_base"] = sum(1 for r in rows if r[4] is not None or (r[6] or 0) > 600)
    scores = [r[8] for r in rows if r[8] is not None]
    out["ratings"] = len(scores)
    out["rating_mean"] = sum(scores) / len(scores) if scores else None
    out["satisfied"] = sum(1 for s in scores if s >= 4)
    out["finished"] = sum(1 for r in rows if r[5] in ("served", "unresolved", "referred"))
    errs = f"SELECT i.wait - 60 * i.est AS x FROM ({TICKETS}) i WHERE i.wait IS NOT NULL"
    agg = conn.execute(f"SELECT COUNT(x), AVG(x), SUM(ABS(x) <= 300) FROM ({errs})", p).fetchone()
    out["estimates"], out["estimate_bias_s"], within5 = agg
    out["estimate_within5"] = within5
    out["estimate_abs_error_median_s"] = conn.execute(
        PERCENTILE.format(q=f"SELECT ABS(x) AS x FROM ({errs})"), {**p, "p": 0.5}).fetchone()[0]
    out["hours"] = {h: sum(1 for r in rows if r[9] == h) for h in {r[9] for r in rows}}
    out.update(_visits(conn, p))
    out.update(_counters(conn, p, counter_services))
    return out


def _visits(conn: sqlite3.Connection, p: dict[str, float]) -> dict[str, Any]:
    visits = [_corrected(r) for r in conn.execute(VISITS, p).fetchall()]
    walk = [r[3] - r[2] for r in visits if r[3] is not None]
    service = [(r[6] - (r[3] if r[3] is not None else r[2])) for r in visits
               if (r[4] == "finished" and r[5] != "day_end") or (r[4] == "transferred" and r[3])]
    per_counter: dict[str, int] = {}
    for r in visits:
        if r[4] == "finished" and r[5] in ("served", "unresolved", "referred"):
            per_counter[r[0]] = per_counter.get(r[0], 0) + 1
    return {"calls": len(visits), "walkup_mean_s": sum(walk) / len(walk) if walk else None,
            "walkups": sorted(walk), "service_times": sorted(service),
            "visits_per_counter": per_counter}


def _corrected(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A visit whose outcome a console put right ends as corrected: a no-show, or finished."""
    fixed = row[7]
    if fixed is None:
        return row[:7]
    kind, outcome = ("no_show", None) if fixed == "no_show" else ("finished", fixed)
    return (*row[:4], kind, outcome, row[6])


def _counters(conn: sqlite3.Connection, p: dict[str, float],
              counter_services: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    open_s: dict[str, float] = {}
    idle_s: dict[str, float] = {}
    for counter, _staff, t, u, is_open, busy in conn.execute(INTERVALS, p).fetchall():
        if not is_open:
            continue
        open_s[counter] = open_s.get(counter, 0) + (u - t)
        if busy:
            continue
        waiting = {r[0] for r in conn.execute(WAITING_AT, {**p, "t": t})}
        if waiting & set(counter_services.get(counter, ())):
            idle_s[counter] = idle_s.get(counter, 0) + (u - t)
    return {"open_per_counter": open_s, "idle_per_counter": idle_s}
