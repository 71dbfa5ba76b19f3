"""What a report is asked for — a period, a grouping and filters — checked before anything is
read: a period that ends before it starts, one longer than a year, an unknown service,
category, priority class, counter or staff member is refused with a message naming it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.config.centre import CentreConfig
from shared.core.errors import NovbeError
from shared.i18n import tr
from shared.reports.figures import NO_PRIORITY, Scope

MAX_DAYS = 366
GROUPINGS = ("service", "category", "counter", "staff", "priority", "hour")


class BadReportRequest(NovbeError):
    """A report was asked for with a period or filter that cannot be answered."""

    def __init__(self, msgid: str, **values: Any):
        self.msgid, self.values = msgid, values
        super().__init__(msgid.format(**values))

    def text(self, lang: str) -> str:
        """The message in the reader's language (the shared catalog)."""
        return tr(lang, self.msgid, **self.values)


@dataclass(frozen=True)
class ReportRequest:
    """A checked report request."""

    first_day: date
    last_day: date
    by: str = "service"
    services: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def scope(self, centre_column: str | None = None,
              centre: str | tuple[str, ...] | None = None) -> Scope:
        return Scope(self.first_day.isoformat(), self.last_day.isoformat(), self.services,
                     self.categories, self.priorities, self.counters, self.staff,
                     centre_column, centre)

    def query(self) -> dict[str, str]:
        """The request as URL query parameters (for the page's links and exports)."""
        out = {"from": self.first_day.isoformat(), "to": self.last_day.isoformat(), "by": self.by}
        for key, values in (("service", self.services), ("category", self.categories),
                            ("priority", self.priorities), ("counter", self.counters),
                            ("staff", self.staff)):
            if values:
                out[key] = values[0]
        return out


def parse_day(value: str | date, what: str) -> date:
    """An ISO date (YYYY-MM-DD), or BadReportRequest naming the field."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadReportRequest("'{field}' must be a date like 2026-11-01, got {value}",
                               field=what, value=repr(value)) from None


def _clean(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(v.strip() for v in values if v and v.strip())


def make_request(config: CentreConfig, first: str | date, last: str | date,
                 by: str = "service", *, services: Iterable[str] | str | None = None,
                 categories: Iterable[str] | str | None = None,
                 priorities: Iterable[str] | str | None = None,
                 counters: Iterable[str] | str | None = None,
                 staff: Iterable[str] | str | None = None,
                 known_staff: Iterable[str] = ()) -> ReportRequest:
    """A checked request; `known_staff` are the staff names a filter may name."""
    first_day, last_day = parse_day(first, "from"), parse_day(last, "to")
    if first_day > last_day:
        raise BadReportRequest("the period starts ({first}) after it ends ({last})",
                               first=first_day.isoformat(), last=last_day.isoformat())
    span = (last_day - first_day).days + 1
    if span > MAX_DAYS:
        raise BadReportRequest("a report covers at most {most} days; {first} … {last} is "
                               "{days} days", most=MAX_DAYS, first=first_day.isoformat(),
                               last=last_day.isoformat(), days=span)
    if by not in GROUPINGS:
        raise BadReportRequest("'by' must be one of {known}, got {value}",
                               known=", ".join(GROUPINGS), value=repr(by))
    req = ReportRequest(first_day, last_day, by, _clean(services), _clean(categories),
                        _clean(priorities), _clean(counters), _clean(staff))
    for s in req.services:
        if s not in config.services:
            raise BadReportRequest("unknown service {value} in the filter", value=repr(s))
    known_cats = {c.id for c in config.categories}
    for c in req.categories:
        if c not in known_cats:
            raise BadReportRequest("unknown category {value} in the filter", value=repr(c))
    known_prio = {p.id for p in config.priorities} | {NO_PRIORITY}
    for p in req.priorities:
        if p not in known_prio:
            raise BadReportRequest("unknown priority class {value} in the filter (known: "
                                   "{known})", value=repr(p), known=", ".join(sorted(known_prio)))
    known_counters = {c.id for c in config.counters}
    for c in req.counters:
        if c not in known_counters:
            raise BadReportRequest("unknown counter {value} in the filter", value=repr(c))
    names = set(known_staff)
    for s in req.staff:
        if s not in names:
            raise BadReportRequest("unknown staff member {value} in the filter", value=repr(s))
    return req


def last_days(today: date, n: int) -> tuple[date, date]:
    """The n service days up to and including today."""
    return today - timedelta(days=n - 1), today
