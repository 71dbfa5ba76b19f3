"""The centre config: categories, services, priority classes, counters, hours — read from TOML
into pydantic models that mirror the file; every problem is listed at once as "file: key: what"."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails

from shared.errors import ConfigError, UnknownCounter, UnknownPriority, UnknownService

LANGUAGES = ("az", "ru", "en")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRANSFER_POLICIES = ("keep_place", "front", "back")
PRINTER_SCHEMES = ("usb", "tcp", "serial", "file", "cups", "win32", "preview", "dummy")
PAPER_WIDTHS = (384, 512, 576)
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

Names = dict[str, str]
_FILE_TABLE = ConfigDict(extra="forbid")  # how pydantic reads a table of the file: no unknown keys


def default_config_path() -> Path:
    """The bundled DOST centre config."""
    return Path(__file__).resolve().parent.parent / "assets" / "config" / "dost.toml"


def _in(names: Names, lang: str, fallback: str) -> str:
    return names.get(lang) or names.get("az") or fallback


# ---- the centre, as the rest of Növbə sees it --------------------------------------------------
# Frozen dataclasses. Those that are tables of the file as they stand (PriorityClass, Counter,
# KioskSettings, BoardSettings) carry their checks in their annotations, for pydantic to read
# the file with; built in code (dataclasses.replace), nothing checks them.
@dataclass(frozen=True)
class Service:
    """Something a visitor can take a ticket for."""

    id: str
    category: str
    prefix: str
    names: Names
    service_min: float
    target_wait_min: float
    daily_cap: int | None = None

    def name(self, lang: str) -> str:
        return _in(self.names, lang, self.id)


@dataclass(frozen=True)
class Category:
    """A tile on the kiosk: a group of services sharing a ticket prefix."""

    id: str
    prefix: str
    names: Names
    services: tuple[Service, ...]

    def name(self, lang: str) -> str:
        return _in(self.names, lang, self.id)


@dataclass(frozen=True)
class PriorityClass:
    """A class of visitor served before the others (lower rank first)."""

    __pydantic_config__ = _FILE_TABLE
    id: PriorityId
    # Below the visitors of no class (rank 1000) and after transfers to the front (rank 0).
    rank: Annotated[int, Field(ge=1, le=999, strict=True)]
    names: Annotated[NamesTable, Field(alias="name")]

    def name(self, lang: str) -> str:
        return _in(self.names, lang, self.id)


@dataclass(frozen=True)
class Counter:
    """A staff window, with the services it serves."""

    __pydantic_config__ = _FILE_TABLE
    id: CounterId
    names: Annotated[AnyNames, Field(alias="name")] = field(default_factory=dict)
    services: CounterServices = ()
    zone: Annotated[str, BeforeValidator(str)] = "main"

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.id


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening hours in the centre's local time, with closed dates."""

    week: dict[str, tuple[time, time] | None]
    closed_dates: frozenset[date] = frozenset()

    def span(self, day: date) -> tuple[time, time] | None:
        if day in self.closed_dates:
            return None
        return self.week.get(WEEKDAYS[day.weekday()])

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
            span = self.week.get(day)
            out.append((day, f"{span[0]:%H:%M}–{span[1]:%H:%M}" if span else ""))
        return out


@dataclass(frozen=True)
class KioskSettings:
    """How the lobby kiosk behaves."""

    __pydantic_config__ = _FILE_TABLE
    printer: Printer = "preview://tickets"
    paper_width: PaperWidth = 576
    home_after_seconds: AtLeast1 = 12
    idle_seconds: Annotated[int, Field(ge=5, strict=True)] = 60
    tap_guard_ms: Annotated[int, Field(ge=0, strict=True)] = 800
    staff_pin: Pin = "2580"
    footer: NamesTable = field(default_factory=dict)


@dataclass(frozen=True)
class BoardSettings:
    """How the lobby board behaves."""

    __pydantic_config__ = _FILE_TABLE
    speech_languages: Languages = ("az",)
    ticker: NamesTable = field(default_factory=dict)
    history: AtLeast1 = 8
    highlight_seconds: AtLeast1 = 8


@dataclass(frozen=True)
class CentreConfig:
    """Everything a centre configures, validated; things are looked up by id in dicts."""

    source: str
    centre_id: str
    names: Names
    timezone: str
    day_reset_hour: int
    public_url: str
    languages: tuple[str, ...]
    transfer_policy: str
    hours: OpeningHours
    categories: tuple[Category, ...]
    priorities: tuple[PriorityClass, ...]
    counters: tuple[Counter, ...]
    kiosk: KioskSettings
    board: BoardSettings
    services: dict[str, Service] = field(init=False, repr=False, compare=False)
    _by_id: dict[str, dict[str, Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "services", {s.id: s for c in self.categories for s in c.services})
        object.__setattr__(self, "_by_id", {
            "category": {c.id: c for c in self.categories},
            "priority class": {p.id: p for p in self.priorities},
            "counter": {c.id: c for c in self.counters}})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def name(self, lang: str) -> str:
        return _in(self.names, lang, self.centre_id)

    def service(self, service_id: str) -> Service:
        try:
            return self.services[service_id]
        except KeyError:
            raise UnknownService(f"unknown service {service_id!r}") from None

    def _find(self, kind: str, key: str, unknown: type[Exception]) -> Any:
        try:
            return self._by_id[kind][key]
        except KeyError:
            raise unknown(f"unknown {kind} {key!r}") from None

    def category(self, category_id: str) -> Category:
        return self._find("category", category_id, UnknownService)

    def priority(self, priority_id: str | None) -> PriorityClass | None:
        if not priority_id or priority_id == "none":
            return None
        return self._find("priority class", priority_id, UnknownPriority)

    def counter(self, counter_id: str) -> Counter:
        return self._find("counter", str(counter_id), UnknownCounter)

    def counters_serving(self, service_id: str) -> list[Counter]:
        return [c for c in self.counters if service_id in c.services]


def competing_services(config: CentreConfig) -> dict[str, tuple[str, ...]]:
    """For each service, the services whose earlier waiting tickets are surely called before a
    ticket of it: those served by every counter that serves it (the intersection of those
    counters' services; the service alone when no counter serves it). Counting only these keeps
    "people ahead" a true lower bound."""
    out: dict[str, tuple[str, ...]] = {}
    for sid in config.services:
        sets = [set(c.services) for c in config.counters if sid in c.services]
        common = set.intersection(*sets) if sets else {sid}
        out[sid] = tuple(s for s in config.services if s in common)
    return out


# ---- single values of the file, each saying what is wrong when it is --------------------------
def _check(ok: Callable[[Any], Any], what: str, then: Callable[[Any], Any] = str,
           after: bool = False) -> Any:
    """A value the file must get right: ok(value), or the problem `what` ({got}: the value). The
    check replaces pydantic's own for the type unless it comes `after` it."""
    def check(value: Any) -> Any:
        if not ok(value):
            raise ValueError(what.format(got=repr(value)))
        return then(value)
    return AfterValidator(check) if after else PlainValidator(check)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(ID_RE.match(value))


def _is_counter_id(value: Any) -> bool:
    return isinstance(value, str | int) and bool(re.fullmatch(r"[A-Za-z0-9_-]{1,16}", str(value)))


def _zone(value: Any) -> bool:
    try:
        return bool(ZoneInfo(str(value)))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False


def _date(value: Any) -> date | None:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return None


def _span(value: Any) -> tuple[time, time] | None:
    """Opening and closing time from "09:00-18:00" (24:00: midnight); "" or "closed": None."""
    if value in ("", "closed"):
        return None
    m = re.match(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$", str(value))
    if not m or int(m[1]) > 23 or int(m[3]) > 24 or int(m[2]) > 59 or int(m[4]) > 59:
        raise ValueError(f"must look like \"09:00-18:00\" or \"\", got {value!r}")
    start = time(int(m[1]), int(m[2]))
    end = time(23, 59, 59) if int(m[3]) == 24 else time(int(m[3]), int(m[4]))
    if end <= start:
        raise ValueError(f"closes before it opens: {value!r}")
    return start, end


def _names(value: Any, info: ValidationInfo) -> Names:
    """A name in each of the centre's languages ({ az = "…", ru = "…", en = "…" })."""
    if isinstance(value, str):
        value = {"az": value}
    if not isinstance(value, dict):
        raise ValueError("must be a table like { az = \"…\", ru = \"…\", en = \"…\" }")
    found: Found = [((lang,), "missing translation") for lang in _seen(info).languages
                    if not isinstance(value.get(lang), str) or not value[lang].strip()]
    found += [((lang,), f"unknown language (known: {', '.join(LANGUAGES)})")
              for lang in value if lang not in LANGUAGES]
    if found:
        raise _problems(found)
    return {k: v for k, v in value.items() if isinstance(v, str)}


Id = Annotated[str, _check(_is_id, "must be an id of lowercase letters, digits, '_', '-', '.'; got {got}")]
Prefix = Annotated[str, _check(lambda v: isinstance(v, str) and re.fullmatch(r"[A-Z]{1,2}", v),
                               "must be one or two capital Latin letters, got {got}")]
NamesTable = Annotated[Names, PlainValidator(_names)]
AnyNames = Annotated[Names, PlainValidator(  # a counter's: anything, as text
    lambda v: {k: str(x) for k, x in v.items()} if isinstance(v, dict) else dict.fromkeys(LANGUAGES, str(v)))]
Languages = Annotated[tuple[str, ...], _check(
    lambda v: isinstance(v, list | tuple) and all(x in LANGUAGES for x in v),
    f"must be a list of {', '.join(LANGUAGES)}; got {{got}}", tuple)]
TimeZone = Annotated[str, _check(_zone, "unknown time zone {got}")]
Hour = Annotated[int, Field(ge=0, strict=True),
                 _check(lambda h: h <= 23, "must be an hour 0–23, got {got}", int, after=True)]
Url = Annotated[str, _check(lambda v: isinstance(v, str) and (not v or re.match(r"^https?://", v)),
                            "must be an http(s) URL or empty, got {got}", lambda v: v.rstrip("/"))]
Transfer = Annotated[str, _check(lambda v: v in TRANSFER_POLICIES,
                                 f"must be one of {', '.join(TRANSFER_POLICIES)}, got {{got}}")]
Span = Annotated[tuple[time, time] | None, PlainValidator(_span)]
Day = Annotated[date, _check(_date, "not a date: {got}", _date)]
Printer = Annotated[str, _check(
    lambda v: re.match(rf"^({'|'.join(PRINTER_SCHEMES)})://", str(v)),
    f"must be a printer URL ({', '.join(s + '://' for s in PRINTER_SCHEMES)}), got {{got}}")]
PaperWidth = Annotated[int, _check(lambda v: v in PAPER_WIDTHS,
                                   f"must be one of {PAPER_WIDTHS} dots, got {{got}}", int)]
Pin = Annotated[str, _check(lambda v: re.fullmatch(r"\d{4,8}", str(v)), "must be 4–8 digits")]
Minutes = Annotated[float, Field(ge=0, strict=True)]  # strict: 7 or 7.5, never "7"
ServiceMinutes = Annotated[float, Field(ge=0.5, strict=True)]
AtLeast1 = Annotated[int, Field(ge=1, strict=True)]


# ---- checks across tables ---------------------------------------------------------------------
@dataclass
class _Seen:
    """What validation has met so far. Pydantic validates fields in the order a model declares
    them and list items in order, so the file is read top to bottom and each table is checked
    against the tables above it: names against [centre] languages, a prefix against the
    categories before, a counter's services against every category."""

    languages: tuple[str, ...] = LANGUAGES
    ids: set[str] = field(default_factory=set)  # of categories and services
    prefixes: dict[str, str] = field(default_factory=dict)  # prefix → "category.<id>"
    services: dict[str, list[str]] = field(default_factory=dict)  # category → its services
    category: str | None = None  # whose [[category.service]] tables are being read
    priorities: set[str] = field(default_factory=lambda: {"none"})  # "none" means no class
    counters: set[str] = field(default_factory=set)
    served: set[str] = field(default_factory=set)

    @staticmethod
    def new(ident: str, taken: set[str], what: str = "duplicate id") -> str:
        if ident in taken:
            raise ValueError(what)
        taken.add(ident)
        return ident

    def centre_languages(self, languages: tuple[str, ...]) -> tuple[str, ...]:
        if not languages:
            raise ValueError(f"must be a list of {', '.join(LANGUAGES)}; got []")
        self.languages = languages
        return languages

    def category_id(self, cid: str) -> str:
        self.category = cid
        self.services.setdefault(cid, [])
        return self.new(cid, self.ids)

    def service_id(self, sid: str) -> str:
        if self.category is not None:
            self.services[self.category].append(self.new(f"{self.category}.{sid}", self.ids))
        return sid

    def prefix(self, prefix: str, category: str) -> str:
        if prefix in self.prefixes:
            raise ValueError(f"duplicate prefix {prefix!r} (also used by {self.prefixes[prefix]})")
        self.prefixes[prefix] = f"category.{category}"
        return prefix

    def services_of(self, *categories: str) -> list[str]:
        """A category without services is its own one."""
        return [s for c in categories for s in self.services[c] or [c]]

    def counter_services(self, wanted: Any) -> tuple[str, ...]:
        """A category id, or "*" for all, stands for its services; each one named must exist."""
        if not isinstance(wanted, list) or not wanted:
            raise ValueError("must list at least one service or category id")
        services, unknown = [], []
        for s in wanted:
            if s == "*":
                services += self.services_of(*self.services)
            elif isinstance(s, str) and (s in self.services or s in self.ids):
                services += self.services_of(s) if s in self.services else [s]
            else:
                unknown.append(s)
        self.served.update(services)
        if unknown:
            raise _problems([((), f"serves unknown service {s!r}") for s in unknown])
        return tuple(dict.fromkeys(services))

    def unserved(self) -> list[str]:
        """The key of every service no counter serves (once counters are read): its tickets
        could never be called."""
        return [f"category.{s}" if s in self.services else f"service.{s}"
                for s in self.services_of(*self.services) if self.counters and s not in self.served]


def _seen(info: ValidationInfo) -> _Seen:
    return info.context if isinstance(info.context, _Seen) else _Seen()


def _seen_by(check: Callable[[_Seen, Any, ValidationInfo], Any]) -> AfterValidator:
    return AfterValidator(lambda value, info: check(_seen(info), value, info))


Found = list[tuple[tuple[str | int, ...], str]]


def _problems(found: Found) -> ValidationError:
    """Several problems at once, each at its own key below the value checked."""
    return ValidationError.from_exception_data("config", [
        InitErrorDetails(type="value_error", loc=loc, input=None, ctx={"error": ValueError(what)})
        for loc, what in found])


def _tables(name: str, needed: bool = False) -> BeforeValidator:
    def check(value: Any) -> Any:
        if needed and not (isinstance(value, list) and value):
            raise ValueError(f"at least one [[{name}]] is needed")
        if not isinstance(value, list):
            raise ValueError(f"must be a list of [[{name}]] tables")
        return value
    return BeforeValidator(check)


PriorityId = Annotated[Id, _seen_by(
    lambda seen, pid, _: seen.new(pid, seen.priorities, "duplicate or reserved id"))]
CounterId = Annotated[str, _check(_is_counter_id, "must be a short id like \"7\", got {got}"),
                      _seen_by(lambda seen, cid, _: seen.new(cid, seen.counters))]
CounterServices = Annotated[tuple[str, ...], Field(validate_default=True), PlainValidator(
    lambda wanted, info: _seen(info).counter_services(wanted))]


# ---- the file's tables --------------------------------------------------------------------------
class _Table(BaseModel):
    """A table of the file that only reading the file needs (the others are dataclasses, above)."""

    model_config = _FILE_TABLE | ConfigDict(frozen=True)


class CentreTable(_Table):
    """[centre]: who the centre is, in which languages, and how its day runs."""

    languages: Annotated[Languages, _seen_by(lambda seen, v, _: seen.centre_languages(v))] = LANGUAGES
    id: Id = "centre"
    name: NamesTable
    timezone: TimeZone = "Asia/Baku"
    day_reset_hour: Hour = 3
    public_url: Url = ""
    transfer: Transfer = "keep_place"


WORKDAY = (time(9), time(18))


class HoursTable(_Table):
    """[hours]: "09:00-18:00" or "" (closed) per weekday, and dates the centre is closed."""

    mon: Span = WORKDAY
    tue: Span = WORKDAY
    wed: Span = WORKDAY
    thu: Span = WORKDAY
    fri: Span = WORKDAY
    sat: Span = None
    sun: Span = None
    closed_dates: list[Day] = []


class ServiceTable(_Table):
    """[[category.service]]: a service of the category above; unset numbers are the category's."""

    id: Annotated[Id, _seen_by(lambda seen, sid, _: seen.service_id(sid))]
    name: NamesTable
    service_min: ServiceMinutes | None = None
    target_wait_min: Minutes | None = None
    daily_cap: AtLeast1 | None = None


class CategoryTable(_Table):
    """[[category]]: a kiosk tile and its prefix; without services it is its own service."""

    id: Annotated[Id, _seen_by(lambda seen, cid, _: seen.category_id(cid))]
    prefix: Annotated[Prefix, _seen_by(lambda seen, p, info: seen.prefix(p, info.data.get("id", "?")))]
    name: NamesTable
    service_min: ServiceMinutes = 7
    target_wait_min: Minutes = 10
    daily_cap: AtLeast1 | None = None
    service: Annotated[list[ServiceTable], _tables("category.service")] = []

    @model_validator(mode="before")
    @classmethod
    def _next(cls, data: Any, info: ValidationInfo) -> Any:
        _seen(info).category = None  # until this category's id is read
        return data

    def category(self) -> Category:
        def service(sid: str, t: ServiceTable | CategoryTable) -> Service:
            return Service(sid, self.id, self.prefix, t.name,
                           self.service_min if t.service_min is None else t.service_min,
                           self.target_wait_min if t.target_wait_min is None else t.target_wait_min,
                           self.daily_cap if t.daily_cap is None else t.daily_cap)
        services = tuple(service(f"{self.id}.{s.id}", s) for s in self.service)
        return Category(self.id, self.prefix, self.name, services or (service(self.id, self),))


class ConfigFile(_Table):
    """The whole file."""

    centre: CentreTable
    hours: HoursTable = HoursTable()
    category: Annotated[list[CategoryTable], _tables("category", needed=True),
                        Field(validate_default=True)] = []
    priority: Annotated[list[PriorityClass], _tables("priority")] = []
    counter: Annotated[list[Counter], _tables("counter", needed=True),
                       Field(validate_default=True)] = []
    kiosk: KioskSettings = KioskSettings()
    board: BoardSettings = BoardSettings()

    def centre_config(self, source: str) -> CentreConfig:
        centre, hours = self.centre, self.hours
        return CentreConfig(
            source=source, centre_id=centre.id, names=centre.name, timezone=centre.timezone,
            day_reset_hour=centre.day_reset_hour, public_url=centre.public_url,
            languages=centre.languages, transfer_policy=centre.transfer,
            hours=OpeningHours({d: getattr(hours, d) for d in WEEKDAYS}, frozenset(hours.closed_dates)),
            categories=tuple(c.category() for c in self.category),
            priorities=tuple(sorted(self.priority, key=lambda p: p.rank)),
            counters=tuple(self.counter), kiosk=self.kiosk, board=self.board)


# ---- reading a file, and saying what is wrong with it -----------------------------------------
def load_config(path: str | Path | None = None) -> CentreConfig:
    """Read and validate a centre config; raise ConfigError listing every problem."""
    path = Path(path) if path else default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    return parse_config(data, str(path))


def parse_config(data: dict[str, Any], source: str = "<config>") -> CentreConfig:
    """Validate a config dict (as read from TOML); raise ConfigError listing every problem:
    pydantic's, in "key: what" words, then every service no counter serves."""
    seen, file, problems = _Seen(), None, []
    try:
        file = ConfigFile.model_validate(data, context=seen)
    except ValidationError as exc:
        problems = [f"{_key(e['loc'], data)}: {_what(e)}" for e in exc.errors()]
    problems += [f"{key}: no counter serves it" for key in seen.unserved()]
    if file is None or problems:
        raise ConfigError([f"{source}: {problem}" for problem in problems])
    return file.centre_config(source)


_SAYS = {  # pydantic's own checks, in the words of the rest of Növbə
    "missing": "missing",
    "int_type": "must be a whole number, got {input!r}",
    "float_type": "must be a number, got {input!r}",
    "greater_than_equal": "must be at least {ge}, got {input!r}",
    "less_than_equal": "must be at most {le}, got {input!r}",
    "model_type": "must be a table, got {kind}",
    "dataclass_type": "must be a table, got {kind}",
    "list_type": "must be a list, got {input!r}",
}
_UNKNOWN: dict[tuple[str | int, ...], str] = {
    (): "unknown section", ("hours",): "unknown key (use mon…sun, closed_dates)"}


def _what(error: ErrorDetails) -> str:
    kind, loc, ctx = error["type"], error["loc"], error.get("ctx", {})
    if kind == "value_error":
        return str(ctx["error"])
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return _UNKNOWN.get(loc[:-1], "unknown key")
    if kind == "missing" and loc[-1] == "name":
        return f"missing (a table of names in {'/'.join(LANGUAGES)})"
    if kind in _SAYS:
        return _SAYS[kind].format(input=error["input"], kind=type(error["input"]).__name__, **ctx)
    return error["msg"]


def _key(loc: tuple[str | int, ...], data: Any) -> str:
    """The dotted key of an error's place. A table in a list is named by its id
    ("category.pensions", "service.pensions.age", "counter.7"), or by its position when the id
    is what is broken ("category[2].id")."""
    parts: list[str] = []
    node = data
    for step in loc:
        has = step in node if isinstance(node, dict) else (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node))
        node = node[step] if has else None
        if isinstance(step, str):
            parts.append(step)
            continue
        ident = node.get("id") if isinstance(node, dict) else None
        if not (_is_counter_id if parts[0] == "counter" else _is_id)(ident):
            parts[-1] += f"[{step}]"
        elif parts[-1:] == ["service"] and len(parts) == 3:  # category.<id>.service
            parts = ["service", parts[1], str(ident)]
        else:
            parts.append(str(ident))
    return ".".join(parts)
