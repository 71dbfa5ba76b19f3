"""Every report figure, defined once: portable SQL over the fact tables (shared.reports.facts)
plus percentiles from histograms (shared.reports.percentile). The same functions serve the
live view (today), the reports (any period), the exports and the CLI; the central copy runs
them on PostgreSQL over the same tables with a centre column (Scope.centre_column).

Ticket figures (grouped by the service the ticket was issued for, its category, priority
class, local hour of issue, weekday of its service day, or the service day):
  issued; served / unresolved / referred (finished at a counter with that outcome); day_end
  (still being served when the day ended); no_show; cancelled; expired (still waiting or
  called when the day ended); open (today, not ended yet); transferred (at least once);
  wait = issue → first call, over called tickets: mean, median, p90, max;
  within target = called with wait ≤ the service's target ÷ (called + left uncalled after
  waiting longer than the target): a ticket cancelled or expired before its target passed
  is in neither — nobody knows whether it would have been called in time;
  satisfaction: ratings, mean score, satisfied = share of ratings of 4 or 5, response rate =
  ratings ÷ tickets finished at a counter (served, unresolved, referred);
  truth of the printed wait, over called tickets with a printed estimate: error = real wait −
  printed wait; median absolute error, share within ±5 minutes, bias = mean error (positive:
  people waited longer than printed).
Visit figures (grouped by the visit's service, category, priority, local hour of the call,
counter or staff member): calls; visits = calls finished served / unresolved / referred;
no_shows; transferred on; walk-up = call → start; service = start → end; mean, median, p90, max.
Counter figures (by counter or staff member): time open, time idle while someone waited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from shared.reports.dialect import SQLITE, Dialect
from shared.reports.percentile import percentile

NO_PRIORITY = "none"
FINISHED = ("served", "unresolved", "referred")
TICKET_OUTCOMES = ("served", "unresolved", "referred", "day_end", "no_show", "cancelled",
                   "expired", "open")

TICKET_DIMENSIONS = {
    "all": "'all'", "category": "t.category", "service": "t.service",
    "priority": f"coalesce(t.priority, '{NO_PRIORITY}')", "hour": "t.hour",
    "weekday": "t.weekday", "day": "t.service_day", "weekday_hour": "t.weekday * 100 + t.hour",
}
VISIT_DIMENSIONS = {
    "all": "'all'", "category": "v.category", "service": "v.service",
    "priority": f"coalesce(v.priority, '{NO_PRIORITY}')", "hour": "v.hour",
    "counter": "v.counter", "staff": "coalesce(v.staff, '')", "day": "v.service_day",
}
COUNTER_DIMENSIONS = {"all": "'all'", "counter": "c.counter", "staff": "coalesce(c.staff, '')",
                      "day": "c.service_day"}


class Cursor(Protocol):
    def execute(self, sql: str, params: Any = ...) -> Any: ...


@dataclass(frozen=True)
class Scope:
    """Which facts a figure counts: service days first_day…last_day (ISO dates, inclusive),
    optionally only some services, categories, priority classes, counters or staff members,
    and — in the central copy — one centre, or several (a tuple of centre ids)."""

    first_day: str
    last_day: str
    services: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    centre_column: str | None = None
    centre: str | tuple[str, ...] | None = None

    def where(self, alias: str, kind: str) -> tuple[str, list[Any]]:
        """The WHERE clause of a fact table (kind: ticket | visit | counter) and its params."""
        parts = [f"{alias}.service_day BETWEEN ? AND ?"]
        params: list[Any] = [self.first_day, self.last_day]
        if self.centre_column and isinstance(self.centre, tuple):
            parts.append(f"{alias}.{self.centre_column} IN ({','.join('?' * len(self.centre))})")
            params.extend(self.centre)
        elif self.centre_column:
            parts.append(f"{alias}.{self.centre_column} = ?")
            params.append(self.centre)

        def among(column: str, values: Sequence[str]) -> None:
            if values:
                parts.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        if kind in ("ticket", "visit"):
            among(f"{alias}.service", self.services)
            among(f"{alias}.category", self.categories)
            among(f"coalesce({alias}.priority, '{NO_PRIORITY}')", self.priorities)
        if kind == "visit" or kind == "counter":
            among(f"{alias}.counter", self.counters)
            among(f"coalesce({alias}.staff, '')", self.staff)
        elif (self.counters or self.staff) and kind == "ticket":
            # tickets that had a visit at one of these counters / with these staff
            inner = ["v.ticket_id = t.ticket_id"]
            sub: list[Any] = []
            if self.counters:
                inner.append(f"v.counter IN ({','.join('?' * len(self.counters))})")
                sub.extend(self.counters)
            if self.staff:
                inner.append(f"coalesce(v.staff, '') IN ({','.join('?' * len(self.staff))})")
                sub.extend(self.staff)
            if self.centre_column:
                inner.append(f"v.{self.centre_column} = t.{self.centre_column}")
            parts.append(f"EXISTS (SELECT 1 FROM report_visits v WHERE {' AND '.join(inner)})")
            params.extend(sub)
        return " AND ".join(parts), params


def _rows(cur: Cursor, dialect: Dialect, sql: str, params: list[Any]) -> list[Any]:
    return list(cur.execute(dialect.sql(sql), params).fetchall())


def _histograms(cur: Cursor, dialect: Dialect, table: str, key: str, value: str,
                where: str, params: list[Any]) -> dict[Any, list[tuple[float, int]]]:
    out: dict[Any, list[tuple[float, int]]] = defaultdict(list)
    for k, v, n in _rows(cur, dialect, f"SELECT {key}, {value}, COUNT(*) FROM {table} "
                         f"WHERE {where} AND {value} IS NOT NULL GROUP BY 1, 2", params):
        out[k].append((v, n))
    return out


def _pct(part: Any, whole: Any) -> float | None:
    return None if not whole else 100.0 * (part or 0) / whole


def _times(prefix: str, hist: list[tuple[float, int]], mean: Any, top: Any) -> dict[str, Any]:
    return {f"{prefix}_mean_s": None if mean is None else float(mean),
            f"{prefix}_median_s": percentile(hist, 0.5),
            f"{prefix}_p90_s": percentile(hist, 0.9),
            f"{prefix}_max_s": top}


def ticket_figures(cur: Cursor, scope: Scope, by: str = "all",
                   dialect: Dialect = SQLITE) -> dict[Any, dict[str, Any]]:
    """Ticket figures per value of `by` (a key of TICKET_DIMENSIONS)."""
    key = TICKET_DIMENSIONS[by]
    where, params = scope.where("t", "ticket")
    outcome_sums = ", ".join(f"SUM(CASE WHEN t.outcome = '{o}' THEN 1 ELSE 0 END)"
                             for o in TICKET_OUTCOMES)
    finished = ", ".join(f"'{o}'" for o in FINISHED)
    target_join = "JOIN report_targets g ON g.service = t.service" + (
        f" AND g.{scope.centre_column} = t.{scope.centre_column}" if scope.centre_column else "")
    sql = f"""
        SELECT {key}, COUNT(*), {outcome_sums}, SUM(t.transferred),
          COUNT(t.wait_s), AVG(t.wait_s), MAX(t.wait_s),
          SUM(CASE WHEN t.wait_s IS NOT NULL AND t.wait_s <= g.target_s THEN 1 ELSE 0 END),
          SUM(CASE WHEN t.wait_s IS NOT NULL OR t.left_uncalled_s > g.target_s THEN 1 ELSE 0 END),
          COUNT(t.rating), AVG(t.rating),
          SUM(CASE WHEN t.rating >= 4 THEN 1 ELSE 0 END),
          SUM(CASE WHEN t.outcome IN ({finished}) THEN 1 ELSE 0 END),
          COUNT(t.estimate_error_s), AVG(t.estimate_error_s),
          SUM(CASE WHEN ABS(t.estimate_error_s) <= 300 THEN 1 ELSE 0 END)
        FROM report_tickets t {target_join}
        WHERE {where} GROUP BY 1"""
    waits = _histograms(cur, dialect, "report_tickets t", key, "t.wait_s", where, params)
    errors = _histograms(cur, dialect, "report_tickets t", key, "ABS(t.estimate_error_s)",
                         where, params)
    out: dict[Any, dict[str, Any]] = {}
    for row in _rows(cur, dialect, sql, params):
        k, issued, *rest = row
        outcomes = dict(zip(TICKET_OUTCOMES, rest[:len(TICKET_OUTCOMES)], strict=True))
        (transferred, called, wait_mean, wait_max, within, base, ratings, rating_mean,
         satisfied, finished_n, estimates, bias, within5) = rest[len(TICKET_OUTCOMES):]
        out[k] = {
            "issued": issued, **outcomes, "transferred": transferred or 0, "called": called,
            **_times("wait", waits.get(k, []), wait_mean, wait_max),
            "within_target": within or 0, "target_base": base or 0,
            "within_target_pct": _pct(within, base),
            "ratings": ratings, "rating_mean": None if rating_mean is None else float(rating_mean),
            "satisfied": satisfied or 0, "satisfied_pct": _pct(satisfied, ratings),
            "finished": finished_n or 0, "response_pct": _pct(ratings, finished_n),
            "estimates": estimates, "estimate_abs_error_median_s": percentile(errors.get(k, []), 0.5),
            "estimate_within5_pct": _pct(within5, estimates),
            "estimate_bias_s": None if bias is None else float(bias),
        }
    return out


def visit_figures(cur: Cursor, scope: Scope, by: str = "all",
                  dialect: Dialect = SQLITE) -> dict[Any, dict[str, Any]]:
    """Visit figures per value of `by` (a key of VISIT_DIMENSIONS)."""
    key = VISIT_DIMENSIONS[by]
    where, params = scope.where("v", "visit")
    finished = ", ".join(f"'{o}'" for o in FINISHED)
    sql = f"""
        SELECT {key}, COUNT(*),
          SUM(CASE WHEN v.end_kind IN ({finished}) THEN 1 ELSE 0 END),
          SUM(CASE WHEN v.end_kind = 'no_show' THEN 1 ELSE 0 END),
          SUM(CASE WHEN v.end_kind = 'transferred' THEN 1 ELSE 0 END),
          AVG(v.walkup_s), MAX(v.walkup_s), AVG(v.service_s), MAX(v.service_s)
        FROM report_visits v WHERE {where} GROUP BY 1"""
    walkups = _histograms(cur, dialect, "report_visits v", key, "v.walkup_s", where, params)
    services = _histograms(cur, dialect, "report_visits v", key, "v.service_s", where, params)
    out: dict[Any, dict[str, Any]] = {}
    for k, calls, visits, no_shows, moved, w_mean, w_max, s_mean, s_max in _rows(
            cur, dialect, sql, params):
        out[k] = {"calls": calls, "visits": visits or 0, "no_shows": no_shows or 0,
                  "transferred_on": moved or 0,
                  **_times("walkup", walkups.get(k, []), w_mean, w_max),
                  **_times("service", services.get(k, []), s_mean, s_max)}
    return out


def counter_figures(cur: Cursor, scope: Scope, by: str = "counter",
                    dialect: Dialect = SQLITE) -> dict[Any, dict[str, Any]]:
    """Time open and time idle while someone waited, per value of `by` (COUNTER_DIMENSIONS)."""
    key = COUNTER_DIMENSIONS[by]
    where, params = scope.where("c", "counter")
    sql = f"""SELECT {key}, SUM(c.open_s), SUM(c.idle_waiting_s) FROM report_counters c
              WHERE {where} GROUP BY 1"""
    return {k: {"open_s": open_s or 0, "idle_waiting_s": idle or 0}
            for k, open_s, idle in _rows(cur, dialect, sql, params)}


def known_values(cur: Cursor, column: str, dialect: Dialect = SQLITE,
                 centre_column: str | None = None, centre: str | None = None) -> set[str]:
    """Every counter or staff member the facts have ever seen (to check a filter's names)."""
    if column not in ("counter", "staff"):
        raise ValueError(column)
    where = f" AND {centre_column} = ?" if centre_column else ""
    params = [centre] if centre_column else []
    found: set[str] = set()
    for table in ("report_visits", "report_counters"):
        found.update(r[0] for r in _rows(cur, dialect, f"SELECT DISTINCT {column} FROM {table} "
                                         f"WHERE {column} IS NOT NULL{where}", params))
    return found
