"""The work-profile figures of a centre's own report (issue 22), from its facts cache: calls by
profile level per counter, within-target share per profile, and idle-while-someone-waited time
per counter and hour. Each is defined once here; shared/reports/explain.py says what it means.

- A call's level is the one its Next recorded (primary, or backup: a backup service called
  because no primary ticket waited or because it had waited past its limit); a call of a
  ticket by its code has none ("direct").
- Within target per profile: of the tickets whose first call was made by Next under that
  profile, the share called within their service's target wait (as "within target", counting
  only tickets that were called).
- Idle while someone waited, per hour: the counter's idle time (open, nobody at it, someone
  waiting for a service it serves) falling in each local hour."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from shared.reports.dialect import SQLITE, Dialect
from shared.reports.figures import Cursor, Scope

LEVEL_KEYS = {"primary": "calls_primary", "backup": "calls_backup"}
DIRECT = "calls_direct"
CALLED_BY_CODE = "\x00code"          # the profile key of first calls made by a ticket's code


def _where(scope: Scope, alias: str) -> tuple[str, list[Any]]:
    parts, params = [f"{alias}.service_day BETWEEN ? AND ?"], [scope.first_day, scope.last_day]
    if scope.counters:
        parts.append(f"{alias}.counter IN ({','.join('?' * len(scope.counters))})")
        params.extend(scope.counters)
    return " AND ".join(parts), params


def level_figures(cur: Cursor, scope: Scope, dialect: Dialect = SQLITE
                  ) -> dict[str, dict[str, Any]]:
    """Per counter: calls at the primary level, at the backup level, and by a ticket's code."""
    where, params = _where(scope, "p")
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {**dict.fromkeys(LEVEL_KEYS.values(), 0),
                                                         DIRECT: 0})
    for counter, level, n in cur.execute(dialect.sql(
            f"SELECT p.counter, p.level, COUNT(*) FROM report_profile_calls p WHERE {where} "
            "GROUP BY 1, 2"), params).fetchall():
        out[counter][LEVEL_KEYS.get(level, DIRECT)] += n
    return dict(out)


def within_by_profile(cur: Cursor, scope: Scope, dialect: Dialect = SQLITE
                      ) -> dict[str, dict[str, Any]]:
    """Per profile of the first call: tickets called, and the share within target."""
    where, params = _where(scope, "p")
    out: dict[str, dict[str, Any]] = {}
    for profile, level, called, within in cur.execute(dialect.sql(
            "SELECT p.profile, MAX(p.level), COUNT(*), SUM(CASE WHEN t.wait_s <= g.target_s "
            "THEN 1 ELSE 0 END) FROM report_profile_calls p "
            "JOIN report_tickets t ON t.ticket_id = p.ticket_id "
            "LEFT JOIN report_targets g ON g.service = t.service "
            f"WHERE p.seq = 1 AND {where} GROUP BY p.profile"), params).fetchall():
        key = CALLED_BY_CODE if profile is None and level is None else (profile or "")
        row = out.setdefault(key, {"called": 0, "within_target": 0})
        row["called"] += called
        row["within_target"] += within or 0
    for row in out.values():
        row["within_target_pct"] = 100.0 * row["within_target"] / row["called"] if row["called"] \
            else None
    return out


def idle_by_hour(cur: Cursor, scope: Scope, dialect: Dialect = SQLITE
                 ) -> dict[str, dict[str, Any]]:
    """Per counter: idle-while-someone-waited seconds in each local hour ("idle_h09": …)."""
    where, params = _where(scope, "i")
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    for counter, hour, seconds in cur.execute(dialect.sql(
            f"SELECT i.counter, i.hour, SUM(i.idle_waiting_s) FROM report_idle_hours i "
            f"WHERE {where} GROUP BY 1, 2"), params).fetchall():
        out[counter][f"idle_h{int(hour):02d}"] = seconds or 0
    return dict(out)
