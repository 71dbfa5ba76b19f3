"""Every report figure, defined once: portable SQL over the fact tables (shared.reports.facts)
plus percentiles from histograms (shared.percentile). The same functions serve the
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

from shared.percentile import percentile
from shared.reports.dialect import SQLITE, Dialect

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
INTEGER_KEYS = ("hour", "weekday", "weekday_hour")
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

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the facts (beyond the period and the centre)."""
        return bool(self.services or self.categories or self.priorities or self.counters
                    or self.staff)

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


def _mean(total: Any, n: Any) -> float | None:
    return None if not n or total is None else float(total) / n


# What each group of tickets adds up to: (name, SQL over report_tickets t joined to its
# service's target g). Every ticket figure is derived from these sums (derive_ticket) and the
# percentiles; the sums of several days add up (MAX for the maxima), which is what the daily
# rollups of shared.reports.columns keep.
_FINISHED_SQL = ", ".join(f"'{o}'" for o in FINISHED)
TICKET_SUMS: list[tuple[str, str]] = [
    ("issued", "COUNT(*)"),
    *[(o, f"SUM(CASE WHEN t.outcome = '{o}' THEN 1 ELSE 0 END)") for o in TICKET_OUTCOMES],
    ("transferred", "SUM(t.transferred)"),
    ("called", "COUNT(t.wait_s)"), ("wait_sum", "SUM(t.wait_s)"), ("wait_max_s", "MAX(t.wait_s)"),
    ("within_target",
     "SUM(CASE WHEN t.wait_s IS NOT NULL AND t.wait_s <= g.target_s THEN 1 ELSE 0 END)"),
    ("target_base",
     "SUM(CASE WHEN t.wait_s IS NOT NULL OR t.left_uncalled_s > g.target_s THEN 1 ELSE 0 END)"),
    ("ratings", "COUNT(t.rating)"), ("rating_sum", "SUM(t.rating)"),
    ("satisfied", "SUM(CASE WHEN t.rating >= 4 THEN 1 ELSE 0 END)"),
    ("finished", f"SUM(CASE WHEN t.outcome IN ({_FINISHED_SQL}) THEN 1 ELSE 0 END)"),
    ("estimates", "COUNT(t.estimate_error_s)"), ("estimate_error_sum", "SUM(t.estimate_error_s)"),
    ("estimate_within5", "SUM(CASE WHEN ABS(t.estimate_error_s) <= 300 THEN 1 ELSE 0 END)"),
]
VISIT_SUMS: list[tuple[str, str]] = [
    ("calls", "COUNT(*)"),
    ("visits", f"SUM(CASE WHEN v.end_kind IN ({_FINISHED_SQL}) THEN 1 ELSE 0 END)"),
    ("no_shows", "SUM(CASE WHEN v.end_kind = 'no_show' THEN 1 ELSE 0 END)"),
    ("transferred_on", "SUM(CASE WHEN v.end_kind = 'transferred' THEN 1 ELSE 0 END)"),
    ("walkups", "COUNT(v.walkup_s)"), ("walkup_sum", "SUM(v.walkup_s)"),
    ("walkup_max_s", "MAX(v.walkup_s)"),
    ("services", "COUNT(v.service_s)"), ("service_sum", "SUM(v.service_s)"),
    ("service_max_s", "MAX(v.service_s)"),
]
MAXIMA = ("wait_max_s", "walkup_max_s", "service_max_s")
# The percentiles: (figure, table alias, value, p)
TICKET_PERCENTILES = (("wait_median_s", "t.wait_s", 0.5), ("wait_p90_s", "t.wait_s", 0.9),
                      ("estimate_abs_error_median_s", "ABS(t.estimate_error_s)", 0.5))
VISIT_PERCENTILES = (("walkup_median_s", "v.walkup_s", 0.5), ("walkup_p90_s", "v.walkup_s", 0.9),
                     ("service_median_s", "v.service_s", 0.5), ("service_p90_s", "v.service_s", 0.9))


def target_join(centre_column: str | None) -> str:
    return "JOIN report_targets g ON g.service = t.service" + (
        f" AND g.{centre_column} = t.{centre_column}" if centre_column else "")


def ticket_sums_sql(key: str, where: str, centre_column: str | None = None) -> str:
    """The sums of the tickets matching `where`, per value of the SQL expression `key`."""
    sums = ", ".join(expr for _, expr in TICKET_SUMS)
    return (f"SELECT {key}, {sums} FROM report_tickets t {target_join(centre_column)} "
            f"WHERE {where} GROUP BY 1")


def visit_sums_sql(key: str, where: str) -> str:
    sums = ", ".join(expr for _, expr in VISIT_SUMS)
    return f"SELECT {key}, {sums} FROM report_visits v WHERE {where} GROUP BY 1"


def derive_ticket(s: dict[str, Any]) -> dict[str, Any]:
    """Every ticket figure from a group's sums (and its percentiles, if known)."""
    out = {name: (s.get(name) or 0) for name, _ in TICKET_SUMS if name not in MAXIMA}
    out.update({
        "wait_mean_s": _mean(s.get("wait_sum"), s.get("called")),
        "wait_median_s": s.get("wait_median_s"), "wait_p90_s": s.get("wait_p90_s"),
        "wait_max_s": s.get("wait_max_s"),
        "within_target_pct": _pct(s.get("within_target"), s.get("target_base")),
        "rating_mean": _mean(s.get("rating_sum"), s.get("ratings")),
        "satisfied_pct": _pct(s.get("satisfied"), s.get("ratings")),
        "response_pct": _pct(s.get("ratings"), s.get("finished")),
        "estimate_abs_error_median_s": s.get("estimate_abs_error_median_s"),
        "estimate_within5_pct": _pct(s.get("estimate_within5"), s.get("estimates")),
        "estimate_bias_s": _mean(s.get("estimate_error_sum"), s.get("estimates")),
    })
    return out


def derive_visit(s: dict[str, Any]) -> dict[str, Any]:
    """Every visit figure from a group's sums (and its percentiles, if known)."""
    out = {name: (s.get(name) or 0) for name in ("calls", "visits", "no_shows", "transferred_on")}
    for prefix, n in (("walkup", "walkups"), ("service", "services")):
        out[f"{prefix}_mean_s"] = _mean(s.get(f"{prefix}_sum"), s.get(n))
        out[f"{prefix}_median_s"] = s.get(f"{prefix}_median_s")
        out[f"{prefix}_p90_s"] = s.get(f"{prefix}_p90_s")
        out[f"{prefix}_max_s"] = s.get(f"{prefix}_max_s")
    return out


def _sums(cur: Cursor, dialect: Dialect, sql: str, params: list[Any],
          names: list[tuple[str, str]]) -> dict[Any, dict[str, Any]]:
    return {row[0]: dict(zip((n for n, _ in names), row[1:], strict=True))
            for row in _rows(cur, dialect, sql, params)}


def _with_percentiles(cur: Cursor, dialect: Dialect, sums: dict[Any, dict[str, Any]],
                      table: str, key: str, where: str, params: list[Any],
                      wanted: tuple[tuple[str, str, float], ...]) -> None:
    hists: dict[str, dict[Any, list[tuple[float, int]]]] = {}
    for name, value, p in wanted:
        if value not in hists:
            hists[value] = _histograms(cur, dialect, table, key, value, where, params)
        for k, s in sums.items():
            s[name] = percentile(hists[value].get(k, []), p)


def ticket_figures(cur: Cursor, scope: Scope, by: str = "all",
                   dialect: Dialect = SQLITE) -> dict[Any, dict[str, Any]]:
    """Ticket figures per value of `by` (a key of TICKET_DIMENSIONS), read from the facts."""
    key = TICKET_DIMENSIONS[by]
    where, params = scope.where("t", "ticket")
    sums = _sums(cur, dialect, ticket_sums_sql(key, where, scope.centre_column), params,
                 TICKET_SUMS)
    _with_percentiles(cur, dialect, sums, "report_tickets t", key, where, params,
                      TICKET_PERCENTILES)
    return {k: derive_ticket(s) for k, s in sums.items()}


def visit_figures(cur: Cursor, scope: Scope, by: str = "all",
                  dialect: Dialect = SQLITE) -> dict[Any, dict[str, Any]]:
    """Visit figures per value of `by` (a key of VISIT_DIMENSIONS), read from the facts."""
    key = VISIT_DIMENSIONS[by]
    where, params = scope.where("v", "visit")
    sums = _sums(cur, dialect, visit_sums_sql(key, where), params, VISIT_SUMS)
    _with_percentiles(cur, dialect, sums, "report_visits v", key, where, params,
                      VISIT_PERCENTILES)
    return {k: derive_visit(s) for k, s in sums.items()}


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
