"""Long periods fast: per service day, the sums of shared.reports.figures for every grouping
(rows that add up over any range of days) and the day's durations as compact numpy columns
(percentiles over a year sort 400,000 numbers in memory instead of grouping them in SQLite).

Both are derived from the facts when a day is folded again, and give the very figures the
direct queries give (tests/reports/test_fast_path.py compares them): the sums are the same SQL
per day, the percentiles the same definition (shared.percentile) over the same values.
They serve unfiltered reports of the local SQLite file; a filtered report, or the central
PostgreSQL copy, reads the facts directly."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

import numpy as np

from shared.percentile import percentile_sorted
from shared.reports.figures import (
    INTEGER_KEYS,
    MAXIMA,
    TICKET_DIMENSIONS,
    TICKET_PERCENTILES,
    TICKET_SUMS,
    VISIT_DIMENSIONS,
    VISIT_PERCENTILES,
    VISIT_SUMS,
    Scope,
    derive_ticket,
    derive_visit,
    ticket_sums_sql,
    visit_sums_sql,
)

ROLLUP_TICKET_DIMS = ("all", "service", "category", "priority", "hour", "weekday_hour", "day")
ROLLUP_VISIT_DIMS = ("all", "service", "category", "priority", "hour", "counter", "staff", "day")
TICKET_DTYPE = np.dtype([("service", "<i2"), ("category", "<i2"), ("priority", "<i2"),
                         ("hour", "i1"), ("weekday", "i1"), ("wait", "<i4"), ("abs_err", "<i4")])
VISIT_DTYPE = np.dtype([("service", "<i2"), ("category", "<i2"), ("priority", "<i2"),
                        ("hour", "i1"), ("counter", "<i2"), ("staff", "<i2"),
                        ("walkup", "<i4"), ("service_s", "<i4")])
WORDS = ("service", "category", "priority", "counter", "staff")
NONE = "none"

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS report_ticket_sums (service_day TEXT NOT NULL, dim TEXT NOT NULL, "
    "key TEXT, " + ", ".join(f"{n} INTEGER" for n, _ in TICKET_SUMS) + ")",
    "CREATE INDEX IF NOT EXISTS idx_report_ticket_sums ON report_ticket_sums(dim, service_day)",
    "CREATE TABLE IF NOT EXISTS report_visit_sums (service_day TEXT NOT NULL, dim TEXT NOT NULL, "
    "key TEXT, " + ", ".join(f"{n} INTEGER" for n, _ in VISIT_SUMS) + ")",
    "CREATE INDEX IF NOT EXISTS idx_report_visit_sums ON report_visit_sums(dim, service_day)",
    "CREATE TABLE IF NOT EXISTS report_day_columns (service_day TEXT PRIMARY KEY, words TEXT, "
    "tickets BLOB, visits BLOB)",
)
TABLES = ("report_ticket_sums", "report_visit_sums", "report_day_columns")


def forget_day(conn: sqlite3.Connection, day: str) -> None:
    """A day folded again: its rollups and columns are out of date until write_day."""
    for table in TABLES:
        conn.execute(f"DELETE FROM {table} WHERE service_day = ?", (day,))


def write_day(conn: sqlite3.Connection, day: str) -> None:
    """The day's rollups and columns, from its facts."""
    forget_day(conn, day)
    scope = Scope(day, day)
    for alias, kind, sums, dims, dimensions, sums_sql in (
            ("t", "ticket", TICKET_SUMS, ROLLUP_TICKET_DIMS, TICKET_DIMENSIONS, ticket_sums_sql),
            ("v", "visit", VISIT_SUMS, ROLLUP_VISIT_DIMS, VISIT_DIMENSIONS, visit_sums_sql)):
        where, params = scope.where(alias, kind)
        names = ", ".join(n for n, _ in sums)
        for dim in dims:
            conn.execute(f"INSERT INTO report_{kind}_sums (service_day, dim, key, {names}) "
                         f"SELECT ?, ?, * FROM ({sums_sql(dimensions[dim], where)}) AS s",
                         (day, dim, *params))
    words: dict[str, list[str]] = {w: [] for w in WORDS}

    def code(word: str, value: str | None) -> int:
        value = value if value else (NONE if word == "priority" else "")
        seen = words[word]
        if value not in seen:
            seen.append(value)
        return seen.index(value)

    tickets = np.array([(code("service", svc), code("category", cat), code("priority", prio),
                         hour, weekday, -1 if wait is None else wait,
                         -1 if err is None else abs(err))
                        for svc, cat, prio, hour, weekday, wait, err in conn.execute(
                            "SELECT service, category, priority, hour, weekday, wait_s, "
                            "estimate_error_s FROM report_tickets WHERE service_day = ?", (day,))],
                       dtype=TICKET_DTYPE)
    visits = np.array([(code("service", svc), code("category", cat), code("priority", prio),
                        hour, code("counter", counter), code("staff", staff),
                        -1 if walk is None else walk, -1 if served is None else served)
                       for svc, cat, prio, hour, counter, staff, walk, served in conn.execute(
                           "SELECT service, category, priority, hour, counter, staff, walkup_s, "
                           "service_s FROM report_visits WHERE service_day = ?", (day,))],
                      dtype=VISIT_DTYPE)
    conn.execute("INSERT INTO report_day_columns (service_day, words, tickets, visits) "
                 "VALUES (?, ?, ?, ?)", (day, json.dumps(words, ensure_ascii=False),
                                        tickets.tobytes(), visits.tobytes()))


class _Columns:
    """A period's columns, day after day, with every word coded in one vocabulary."""

    def __init__(self, cur: Any, scope: Scope):
        self.words: dict[str, list[str]] = {w: [] for w in WORDS}
        index: dict[str, dict[str, int]] = {w: {} for w in WORDS}
        tickets, visits, t_days, v_days = [], [], [], []
        self.days: list[str] = []
        day_index: dict[str, int] = {}
        for day, words_json, t_blob, v_blob in cur.execute(
                "SELECT service_day, words, tickets, visits FROM report_day_columns "
                "WHERE service_day BETWEEN ? AND ? ORDER BY service_day",
                (scope.first_day, scope.last_day)).fetchall():
            local = json.loads(words_json)
            luts = {}
            for w in WORDS:
                lut = []
                for value in local[w]:
                    if value not in index[w]:
                        index[w][value] = len(self.words[w])
                        self.words[w].append(value)
                    lut.append(index[w][value])
                luts[w] = np.array(lut or [0], dtype=np.int32)
            t = np.frombuffer(t_blob, dtype=TICKET_DTYPE)
            v = np.frombuffer(v_blob, dtype=VISIT_DTYPE)
            tickets.append(self._recode(t, luts, ("service", "category", "priority")))
            visits.append(self._recode(v, luts, ("service", "category", "priority", "counter",
                                                 "staff")))
            if day not in day_index:      # the central copy has a row per centre and day
                day_index[day] = len(self.days)
                self.days.append(day)
            t_days.append(np.full(len(t), day_index[day], dtype=np.int32))
            v_days.append(np.full(len(v), day_index[day], dtype=np.int32))
        self.tickets = _concat(tickets, ("service", "category", "priority", "hour", "weekday",
                                         "wait", "abs_err"))
        self.visits = _concat(visits, ("service", "category", "priority", "hour", "counter",
                                       "staff", "walkup", "service_s"))
        self.tickets["day"] = np.concatenate(t_days) if t_days else np.zeros(0, np.int32)
        self.visits["day"] = np.concatenate(v_days) if v_days else np.zeros(0, np.int32)

    @staticmethod
    def _recode(arr: np.ndarray, luts: dict[str, np.ndarray],
                coded: Sequence[str]) -> dict[str, np.ndarray]:
        out = {name: arr[name].astype(np.int32) for name in arr.dtype.names or ()}
        for w in coded:
            out[w] = luts[w][out[w]] if len(arr) else out[w]
        return out

    def keys(self, table: dict[str, np.ndarray], by: str) -> tuple[np.ndarray, Any]:
        """Each row's group under `by`, and how to name a group."""
        n = len(next(iter(table.values())))
        if by == "all":
            return np.zeros(n, np.int32), lambda i: "all"
        if by == "weekday_hour":
            return table["weekday"] * 100 + table["hour"], int
        if by in ("hour", "weekday"):
            return table[by], int
        if by == "day":
            return table["day"], lambda i: self.days[i]
        return table[by], lambda i: self.words[by][i]


def _concat(parts: list[dict[str, np.ndarray]], names: Sequence[str]) -> dict[str, np.ndarray]:
    return {n: (np.concatenate([p[n] for p in parts]) if parts else np.zeros(0, np.int32))
            for n in names}


class _Sorted:
    """One duration column without its missing values (−1), sorted once."""

    def __init__(self, values: np.ndarray):
        self.mask = values >= 0
        self.order = np.argsort(values[self.mask], kind="stable")
        self.values = values[self.mask][self.order]


def _group_percentiles(keys: np.ndarray, column: _Sorted, name_of: Any,
                       wanted: Sequence[tuple[str, float]]) -> dict[Any, dict[str, Any]]:
    k = keys[column.mask][column.order]
    if len(k) and int(k.max()) < 32768 and int(k.min()) >= 0:
        k = k.astype(np.int16)          # a stable sort of 16-bit keys is a radix sort
    by_key = np.argsort(k, kind="stable")   # values stay sorted within each group
    k, v = k[by_key], column.values[by_key]
    out: dict[Any, dict[str, Any]] = {}
    if not len(k):
        return out
    bounds = np.flatnonzero(np.diff(k)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(k)]))
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        group = v[a:b]
        out[name_of(int(k[a]))] = {name: percentile_sorted(group, p) for name, p in wanted}
    return out


def _rollup(cur: Any, table: str, names: list[tuple[str, str]], dim: str,
            scope: Scope) -> dict[Any, dict[str, Any]]:
    cols = ", ".join(f"MAX({n})" if n in MAXIMA else f"SUM({n})" for n, _ in names)
    out = {}
    for row in cur.execute(f"SELECT key, {cols} FROM {table} WHERE dim = ? AND service_day "
                           "BETWEEN ? AND ? GROUP BY key", (dim, scope.first_day,
                                                            scope.last_day)).fetchall():
        key = int(row[0]) if dim in INTEGER_KEYS else row[0]
        out[key] = dict(zip((n for n, _ in names), row[1:], strict=True))
    return out


class FastFigures:
    """ticket_figures / visit_figures of an unfiltered scope, from the daily rollups and
    columns (the same figures, read faster over long periods)."""

    def __init__(self, cur: Any, scope: Scope):
        if scope.filtered or scope.centre_column:
            raise ValueError("the daily rollups hold unfiltered figures of one centre")
        self.cur, self.scope = cur, scope
        self._columns: _Columns | None = None
        self._sorted: dict[tuple[str, str], _Sorted] = {}

    def _sorted_column(self, table: str, column: str) -> _Sorted:
        if (table, column) not in self._sorted:
            cols = self.columns
            self._sorted[table, column] = _Sorted((cols.tickets if table == "tickets"
                                                   else cols.visits)[column])
        return self._sorted[table, column]

    @property
    def columns(self) -> _Columns:
        if self._columns is None:
            self._columns = _Columns(self.cur, self.scope)
        return self._columns

    def tickets(self, by: str) -> dict[Any, dict[str, Any]]:
        sums = _rollup(self.cur, "report_ticket_sums", TICKET_SUMS, by, self.scope)
        cols = self.columns
        keys, name_of = cols.keys(cols.tickets, by)
        for column, rows in (("wait", [(n, p) for n, v, p in TICKET_PERCENTILES if "wait" in v]),
                             ("abs_err", [(n, p) for n, v, p in TICKET_PERCENTILES
                                          if "estimate" in v])):
            found = _group_percentiles(keys, self._sorted_column("tickets", column), name_of,
                                       rows)
            for k, s in sums.items():
                s.update(found.get(k, {n: None for n, _ in rows}))
        return {k: derive_ticket(s) for k, s in sums.items()}

    def visits(self, by: str) -> dict[Any, dict[str, Any]]:
        sums = _rollup(self.cur, "report_visit_sums", VISIT_SUMS, by, self.scope)
        cols = self.columns
        keys, name_of = cols.keys(cols.visits, by)
        for column, prefix in (("walkup", "v.walkup_s"), ("service_s", "v.service_s")):
            rows = [(n, p) for n, v, p in VISIT_PERCENTILES if v == prefix]
            found = _group_percentiles(keys, self._sorted_column("visits", column), name_of,
                                       rows)
            for k, s in sums.items():
                s.update(found.get(k, {n: None for n, _ in rows}))
        return {k: derive_visit(s) for k, s in sums.items()}
