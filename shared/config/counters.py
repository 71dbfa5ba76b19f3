"""Where and when visitors are served: the counters (staff windows and the services each serves)
and the weekly opening hours — validated pydantic dataclasses, frozen, read from and written as
the file's [[counter]] and [hours] tables."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, PlainValidator, ValidationInfo
from pydantic.dataclasses import dataclass

from shared.config.seen import seen, seen_by
from shared.config.values import (
    TABLE,
    WEEKDAYS,
    AnyNames,
    ClosedDates,
    Span,
    check,
    is_counter_id,
)


def _served(wanted: Any, info: ValidationInfo) -> tuple[str, ...]:
    """The services a counter serves: read from a file, a category id or "*" stands for its
    services and each one must exist."""
    read = seen(info)
    if read is not None:
        return read.counter_services(wanted)
    if not isinstance(wanted, list | tuple):
        raise ValueError("must list at least one service or category id")
    return tuple(str(s) for s in wanted)


def _profile_name(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a profile id, got {value!r}")
    return value


def _profile_names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(p, str) for p in value):
        raise ValueError(f"must be a list of profile ids, got {value!r}")
    return tuple(value)


@dataclass(frozen=True, kw_only=True, config=TABLE)
class Counter:
    """A staff window, with the services it serves (its number is its id)."""

    id: Annotated[str, check(is_counter_id, "must be a short id like \"7\", got {got}"),
                  seen_by(lambda read, cid, _: read.new(cid, read.counters))]
    names: Annotated[AnyNames, Field(default_factory=dict, validation_alias="name",
                                     serialization_alias="name")]
    services: Annotated[tuple[str, ...], Field(validate_default=True), PlainValidator(_served),
                        PlainSerializer(list)] = ()
    zone: Annotated[str, BeforeValidator(str)] = "main"
    # its default work profile ("": every service it serves primary, priority first) and the
    # others staff may choose at it (shared/config/profiles.py)
    profile: Annotated[str, BeforeValidator(_profile_name), seen_by(
        lambda read, pid, info: read.counter_profile(pid, info.data.get("services", ())))] = ""
    profiles: Annotated[tuple[str, ...], BeforeValidator(_profile_names), seen_by(
        lambda read, pids, info: tuple(read.counter_profile(p, info.data.get("services", ()))
                                       for p in pids)), PlainSerializer(list)] = ()

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.id

    @property
    def profile_choices(self) -> tuple[str, ...]:
        """The profiles staff may run at this counter: its default first."""
        return tuple(dict.fromkeys((self.profile, *self.profiles)))


WORKDAY = (time(9), time(18))


@dataclass(frozen=True, kw_only=True, config=TABLE)
class OpeningHours:
    """Weekly opening hours in the centre's local time ("09:00-18:00" or "" closed per weekday),
    with dates the centre is closed."""

    mon: Span = WORKDAY
    tue: Span = WORKDAY
    wed: Span = WORKDAY
    thu: Span = WORKDAY
    fri: Span = WORKDAY
    sat: Span = None
    sun: Span = None
    closed_dates: ClosedDates = frozenset()

    @classmethod
    def weekly(cls, week: dict[str, tuple[time, time] | None],
               closed_dates: frozenset[date] = frozenset()) -> OpeningHours:
        """Hours from a {weekday: span} table; a weekday it leaves out is closed."""
        return cls(**{day: week.get(day) for day in WEEKDAYS}, closed_dates=closed_dates)

    @property
    def week(self) -> dict[str, tuple[time, time] | None]:
        return {day: getattr(self, day) for day in WEEKDAYS}

    def span(self, day: date) -> tuple[time, time] | None:
        if day in self.closed_dates:
            return None
        span: tuple[time, time] | None = getattr(self, WEEKDAYS[day.weekday()])
        return span

    def is_open(self, local: datetime) -> bool:
        span = self.span(local.date())
        return span is not None and span[0] <= local.time() < span[1]

    def closing_time(self, local: datetime) -> datetime | None:
        span = self.span(local.date())
        if span is None:
            return None
        return datetime.combine(local.date(), span[1], local.tzinfo)

    def describe(self) -> list[tuple[str, str]]:
        """(weekday, "09:00–18:00" or "") pairs for a closed screen."""
        out = []
        for day in WEEKDAYS:
            span = getattr(self, day)
            out.append((day, f"{span[0]:%H:%M}–{span[1]:%H:%M}" if span else ""))
        return out

