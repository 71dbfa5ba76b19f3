"""A report over a period as tables (what the page shows, the CSV and XLSX exports hold and
the CLI prints), each row a dimension's value and its figures from shared.reports.figures,
with labels in the reader's language from the shared catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from shared.config.centre import CentreConfig
from shared.core.errors import NovbeError
from shared.core.profile_text import profile_name
from shared.i18n import tr
from shared.reports.columns import FastFigures
from shared.reports.dialect import SQLITE, Dialect
from shared.reports.figures import (
    NO_PRIORITY,
    Cursor,
    Scope,
    counter_figures,
    ticket_figures,
    visit_figures,
)
from shared.reports.profile_figures import (
    CALLED_BY_CODE,
    idle_by_hour,
    level_figures,
    within_by_profile,
)
from shared.reports.request import ReportRequest

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# (key, label msgid, kind) — kind: text | count | seconds | percent | score | signed
OUTCOME_COLUMNS = [
    ("issued", "Tickets issued", "count"), ("served", "Served", "count"),
    ("unresolved", "Not resolved", "count"), ("referred", "Referred to another agency", "count"),
    ("no_show", "No-shows", "count"), ("cancelled", "Cancelled", "count"),
    ("expired", "Expired", "count"), ("transferred", "Transferred to another service", "count"),
]
WAIT_COLUMNS = [
    ("wait_mean_s", "Wait, mean", "seconds"), ("wait_median_s", "Wait, median", "seconds"),
    ("wait_p90_s", "Wait, p90", "seconds"), ("wait_max_s", "Wait, max", "seconds"),
    ("within_target_pct", "Within target", "percent"),
]
VISIT_TIME_COLUMNS = [
    ("walkup_mean_s", "Walk-up, mean", "seconds"), ("walkup_median_s", "Walk-up, median", "seconds"),
    ("walkup_p90_s", "Walk-up, p90", "seconds"), ("walkup_max_s", "Walk-up, max", "seconds"),
    ("service_mean_s", "Service, mean", "seconds"), ("service_median_s", "Service, median", "seconds"),
    ("service_p90_s", "Service, p90", "seconds"), ("service_max_s", "Service, max", "seconds"),
]
SATISFACTION_COLUMNS = [
    ("ratings", "Ratings", "count"), ("rating_mean", "Mean score", "score"),
    ("satisfied_pct", "Satisfied (4–5)", "percent"), ("response_pct", "Response rate", "percent"),
]
ESTIMATE_COLUMNS = [
    ("estimates", "Estimates", "count"),
    ("estimate_abs_error_median_s", "Median absolute error", "seconds"),
    ("estimate_within5_pct", "Within 5 min", "percent"),
    ("estimate_bias_s", "Bias (real − printed)", "signed"),
]
STAFF_COLUMNS = [
    ("calls", "Calls", "count"), ("visits", "Visits", "count"), ("no_shows", "No-shows", "count"),
    ("walkup_mean_s", "Walk-up, mean", "seconds"), ("service_mean_s", "Service, mean", "seconds"),
    ("service_median_s", "Service, median", "seconds"), ("open_s", "Time open", "seconds"),
    ("idle_waiting_s", "Idle while someone waited", "seconds"),
]
BY_TITLES = {"service": "By service", "category": "By category", "counter": "By counter",
             "staff": "By staff member", "priority": "By priority class", "hour": "By hour of day"}
PROFILE_LEVEL_COLUMNS = [
    ("calls_primary", "Calls, primary level", "count"),
    ("calls_backup", "Calls, backup level", "count"),
    ("calls_direct", "Calls by a ticket's code", "count"),
]
PROFILE_WITHIN_COLUMNS = [("called", "Called tickets", "count"),
                          ("within_target_pct", "Within target", "percent")]
KEY_TITLES = {"profile": "Work profile", "service": "Service", "category": "Category", "counter": "Counter",
              "staff": "Staff member", "priority": "Priority class", "hour": "Hour",
              "day": "Day", "weekday": "Weekday", "all": "Centre"}


@dataclass
class Column:
    key: str
    label: str
    kind: str


@dataclass
class Table:
    """One table of a report: its rows are dicts keyed by the columns' keys."""

    id: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Report:
    """A whole report in one language."""

    request: ReportRequest
    lang: str
    centre: str
    tables: list[Table]

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise NovbeError(f"no table {table_id!r} in this report (tables: "
                         f"{', '.join(t.id for t in self.tables)})")

    def columns_shown(self) -> list[tuple[str, str]]:
        """(key, label) of every figure column of every table, in order (repeats included)."""
        return [(c.key, c.label) for t in self.tables for c in t.columns if c.kind != "text"]

    @property
    def summary(self) -> dict[str, Any]:
        rows = self.table("summary").rows
        return rows[0] if rows else {}


class Labeller:
    """Dimension values as people read them, in one language."""

    def __init__(self, config: CentreConfig, lang: str):
        self.config, self.lang = config, lang

    def __call__(self, by: str, key: Any) -> str:
        cfg, lang = self.config, self.lang
        if by == "service" and key in cfg.services:
            return cfg.service(key).name(lang)
        if by == "category":
            for c in cfg.categories:
                if c.id == key:
                    return c.name(lang)
        if by == "priority":
            if key == NO_PRIORITY:
                return tr(lang, "Everyone else")
            for p in cfg.priorities:
                if p.id == key:
                    return p.name(lang)
        if by == "counter":
            return tr(lang, "Counter {counter}", counter=key)
        if by == "hour":
            return f"{int(key):02d}:00"
        if by == "profile":
            return tr(lang, "Called by its code") if key == CALLED_BY_CODE else \
                profile_name(cfg, key, lang)
        if by == "weekday":
            return tr(lang, WEEKDAYS[int(key)])
        if by == "all":
            return cfg.name(lang)
        return str(key) if key not in (None, "") else "—"


def _columns(lang: str, key_by: str, *groups: list[tuple[str, str, str]]) -> list[Column]:
    cols = [Column("label", tr(lang, KEY_TITLES[key_by]), "text")]
    for group in groups:
        cols += [Column(k, tr(lang, label), kind) for k, label, kind in group]
    return cols


def _merge(*parts: dict[Any, dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for part in parts:
        for k, figures in part.items():
            out.setdefault(k, {}).update(figures)
    return out


def _order(by: str, config: CentreConfig, keys: list[Any]) -> list[Any]:
    if by == "service":
        known = list(config.services)
        return sorted(keys, key=lambda k: (known.index(k) if k in known else len(known), k))
    if by == "category":
        known = [c.id for c in config.categories]
        return sorted(keys, key=lambda k: (known.index(k) if k in known else len(known), k))
    if by == "priority":
        known = [p.id for p in config.priorities] + [NO_PRIORITY]
        return sorted(keys, key=lambda k: (known.index(k) if k in known else len(known), k))
    if by == "counter":
        known = [c.id for c in config.counters]
        return sorted(keys, key=lambda k: (known.index(k) if k in known else len(known), k))
    return sorted(keys, key=lambda k: (str(type(k)), k))


def _table(table_id: str, title: str, by: str, data: dict[Any, dict[str, Any]],
           columns: list[Column], label: Labeller, config: CentreConfig) -> Table:
    rows = []
    for k in _order(by, config, list(data)):
        row: dict[str, Any] = {c.key: None for c in columns}   # a group one side lacks
        row.update(data[k])
        row.update(key=k, label=label(by, k))
        rows.append(row)
    return Table(table_id, title, columns, rows)


def build_report(cur: Cursor, config: CentreConfig, request: ReportRequest, lang: str = "az",
                 dialect: Dialect = SQLITE, centre_column: str | None = None,
                 centre: str | None = None, profiles: bool = False) -> Report:
    """Every table of the report over the request's period, in `lang`; with `profiles` the
    work-profile tables too (from the centre's own facts cache: the central copy has none)."""
    scope = request.scope(centre_column, centre)
    label = Labeller(config, lang)
    fast = FastFigures(cur, scope) if not scope.filtered and not centre_column and \
        dialect is SQLITE else None

    def t(msgid: str, **kw: Any) -> str:
        return tr(lang, msgid, **kw)

    done: dict[tuple[str, str], dict[Any, dict[str, Any]]] = {}   # each grouping read once

    def tickets(by: str) -> dict[Any, dict[str, Any]]:
        if ("t", by) not in done:
            done["t", by] = fast.tickets(by) if fast else ticket_figures(cur, scope, by, dialect)
        return done["t", by]

    def visits(by: str) -> dict[Any, dict[str, Any]]:
        if ("v", by) not in done:
            done["v", by] = fast.visits(by) if fast else visit_figures(cur, scope, by, dialect)
        return done["v", by]

    tables = [_table("summary", t("Summary"), "all", _merge(tickets("all"), visits("all")),
                     _columns(lang, "all", OUTCOME_COLUMNS, WAIT_COLUMNS, VISIT_TIME_COLUMNS,
                              SATISFACTION_COLUMNS, ESTIMATE_COLUMNS), label, config)]
    by = request.by
    if by in ("counter", "staff"):
        data = _merge(visits(by), counter_figures(cur, scope, by, dialect))
        cols = _columns(lang, by, STAFF_COLUMNS, VISIT_TIME_COLUMNS[1:4], VISIT_TIME_COLUMNS[6:])
    else:
        data = _merge(tickets(by), visits(by))
        cols = _columns(lang, by, OUTCOME_COLUMNS, WAIT_COLUMNS, VISIT_TIME_COLUMNS,
                        SATISFACTION_COLUMNS)
    tables.append(_table(f"by_{by}", t(BY_TITLES[by]), by, data, cols, label, config))
    for who in ("counter", "staff"):
        if who != by:
            tables.append(_table(who + "s" if who == "counter" else "staff",
                                 t("Per counter") if who == "counter" else t("Per staff member"),
                                 who, _merge(visits(who), counter_figures(cur, scope, who, dialect)),
                                 _columns(lang, who, STAFF_COLUMNS), label, config))
    if by != "service":
        tables.append(_table("within_target", t("Within target by service"), "service",
                             tickets("service"),
                             _columns(lang, "service", [("called", "Called tickets", "count")],
                                      WAIT_COLUMNS), label, config))
    tables.append(_table("priority", t("Priority classes and everyone else"), "priority",
                         tickets("priority"),
                         _columns(lang, "priority", [("issued", "Tickets issued", "count"),
                                                     ("called", "Called tickets", "count")],
                                  WAIT_COLUMNS), label, config))
    tables.append(_heatmap(tickets("weekday_hour"), lang))
    tables.append(_table("by_hour_waits", t("Waits by hour of day"), "hour", tickets("hour"),
                         _columns(lang, "hour", [("issued", "Tickets issued", "count")], WAIT_COLUMNS),
                         label, config))
    tables.append(_satisfaction(tickets("day"), request, lang))
    tables.append(_table("estimates_hour", t("Printed wait against the real wait, by hour"),
                         "hour", tickets("hour"), _columns(lang, "hour", ESTIMATE_COLUMNS),
                         label, config))
    tables.append(_table("estimates_service",
                         t("Printed wait against the real wait, by service"), "service",
                         tickets("service"), _columns(lang, "service", ESTIMATE_COLUMNS),
                         label, config))
    if profiles:
        tables += _profile_tables(cur, config, scope, label, lang)
    return Report(request, lang, config.name(lang), tables)


def _profile_tables(cur: Cursor, config: CentreConfig, scope: Scope, label: Labeller,
                    lang: str) -> list[Table]:
    """The work-profile figures (shared/reports/profile_figures.py)."""
    idle = idle_by_hour(cur, scope)
    hours = sorted({k for row in idle.values() for k in row})
    idle_cols = [Column("label", tr(lang, "Counter"), "text")] + [
        Column(k, f"{k[-2:]}:00", "seconds") for k in hours]
    return [
        _table("profile_levels", tr(lang, "Calls by profile level"), "counter",
               level_figures(cur, scope), _columns(lang, "counter", PROFILE_LEVEL_COLUMNS),
               label, config),
        _table("profile_within", tr(lang, "Within target by work profile"), "profile",
               within_by_profile(cur, scope), _columns(lang, "profile", PROFILE_WITHIN_COLUMNS),
               label, config),
        _table("idle_hours", tr(lang, "Idle while someone waited, by counter and hour"),
               "counter", idle, idle_cols, label, config),
    ]


def _heatmap(data: dict[Any, dict[str, Any]], lang: str) -> Table:
    cols = [Column("weekday", tr(lang, "Weekday"), "text"), Column("hour", tr(lang, "Hour"), "text"),
            Column("issued", tr(lang, "Arrivals"), "count"),
            Column("wait_mean_s", tr(lang, "Wait, mean"), "seconds"),
            Column("wait_median_s", tr(lang, "Wait, median"), "seconds")]
    rows = []
    for k in sorted(data):
        wd, hour = divmod(int(k), 100)
        rows.append({"key": k, "weekday_index": wd, "hour_index": hour,
                     "weekday": tr(lang, WEEKDAYS[wd]), "hour": f"{hour:02d}:00", **data[k]})
    return Table("heatmap", tr(lang, "Arrivals and waits by hour and weekday"), cols, rows)


def _satisfaction(data: dict[Any, dict[str, Any]], request: ReportRequest, lang: str) -> Table:
    cols = [Column("label", tr(lang, "Day"), "text"), Column("issued", tr(lang, "Tickets issued"), "count"),
            *[Column(k, tr(lang, label), kind) for k, label, kind in SATISFACTION_COLUMNS]]
    rows = []
    day = request.first_day
    while day <= request.last_day:          # every day of the period, quiet ones too
        key = day.isoformat()
        if key in data:
            rows.append({"key": key, "label": key, **data[key]})
        day += timedelta(days=1)
    return Table("satisfaction", tr(lang, "Satisfaction by day"), cols, rows)


def today_request(day: date) -> ReportRequest:
    """One service day, by service (the live view's 'today so far')."""
    return ReportRequest(day, day, "service")
