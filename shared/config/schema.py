"""Reading a centre config file: pydantic models that mirror the file's tables, the checks of
each value and across tables, and every problem at once in "file: key: what" words. Imported
only when a file is read (shared.config.centre.parse_config): pydantic and building these validators
cost a command-line start ~0.2 s, and a cached config needs neither."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
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

from shared.config.central import CENTRE_ID_RE, CentralSettings, url_problem
from shared.config.centre import (
    ESTIMATORS,
    ID_RE,
    LANGUAGES,
    PAPER_WIDTHS,
    PRINTER_SCHEMES,
    TRANSFER_POLICIES,
    WEEKDAYS,
    BoardSettings,
    Category,
    CentreConfig,
    Counter,
    FairnessSettings,
    KioskSettings,
    Names,
    OpeningHours,
    PriorityClass,
    Service,
    WaitSettings,
)
from shared.core.errors import ConfigError


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
    """A table of the file: no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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


# The dataclasses' defaults are the file's.
_COUNTER, _KIOSK, _BOARD = Counter(id=""), KioskSettings(), BoardSettings()
_WAITS, _FAIRNESS = WaitSettings(), FairnessSettings()


class PriorityTable(_Table):
    """[[priority]]: a class of visitor served before the others (lower rank first)."""

    id: PriorityId
    # Below the visitors of no class (rank 1000) and after transfers to the front (rank 0).
    rank: Annotated[int, Field(ge=1, le=999, strict=True)]
    name: NamesTable

    def priority(self) -> PriorityClass:
        return PriorityClass(self.id, self.rank, self.name)


class CounterTable(_Table):
    """[[counter]]: a staff window and the services (or categories, or "*") it serves."""

    id: CounterId
    name: AnyNames = _COUNTER.names
    services: CounterServices = _COUNTER.services
    zone: Annotated[str, BeforeValidator(str)] = _COUNTER.zone

    def counter(self) -> Counter:
        return Counter(self.id, self.name, self.services, self.zone)




class KioskTable(_Table):
    """[kiosk]: how the lobby kiosk behaves."""

    printer: Printer = _KIOSK.printer
    paper_width: PaperWidth = _KIOSK.paper_width
    home_after_seconds: AtLeast1 = _KIOSK.home_after_seconds
    idle_seconds: Annotated[int, Field(ge=5, strict=True)] = _KIOSK.idle_seconds
    tap_guard_ms: Annotated[int, Field(ge=0, strict=True)] = _KIOSK.tap_guard_ms
    staff_pin: Pin = _KIOSK.staff_pin
    footer: NamesTable = _KIOSK.footer

    def settings(self) -> KioskSettings:
        return KioskSettings(**dict(self), printer_named="printer" in self.model_fields_set)


class BoardTable(_Table):
    """[board]: how the lobby board behaves."""

    speech_languages: Languages = _BOARD.speech_languages
    ticker: NamesTable = _BOARD.ticker
    history: AtLeast1 = _BOARD.history
    highlight_seconds: AtLeast1 = _BOARD.highlight_seconds

    def settings(self) -> BoardSettings:
        return BoardSettings(**dict(self))


class WaitsTable(_Table):
    """[waits]: how printed waits are estimated (issue 13)."""

    estimator: Annotated[str, _check(lambda v: v in ESTIMATORS,
                                     f"must be one of {', '.join(ESTIMATORS)}, got {{got}}")] = _WAITS.estimator
    pause_min: Annotated[float, Field(ge=1, strict=True)] = _WAITS.pause_min

    def settings(self) -> WaitSettings:
        return WaitSettings(**dict(self))


class FairnessTable(_Table):
    """[fairness]: the fairness rule, off or on (issue 13)."""

    enabled: Annotated[bool, Field(strict=True)] = _FAIRNESS.enabled
    wait_multiple: Annotated[float, Field(gt=0, strict=True)] = _FAIRNESS.wait_multiple

    def settings(self) -> FairnessSettings:
        return FairnessSettings(**dict(self))


def _central_url(value: Any) -> Any:
    problem = url_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _central_id(value: Any) -> Any:
    if value is not None and (not isinstance(value, str) or not CENTRE_ID_RE.match(value)):
        raise ValueError("must be an id of lowercase letters, digits, '_', '-', '.' "
                         f"(at most 40), got {value!r}")
    return value


class CentralTable(_Table):
    """[central]: the national PostgreSQL this centre ships its event log to (issue 14)."""

    url: Annotated[str, PlainValidator(_central_url)]
    centre_id: Annotated[str | None, PlainValidator(_central_id)] = None

    def settings(self, centre_id: str) -> CentralSettings:
        return CentralSettings(url=self.url, centre_id=self.centre_id or centre_id)


class ConfigFile(_Table):
    """The whole file."""

    centre: CentreTable
    hours: HoursTable = HoursTable()
    category: Annotated[list[CategoryTable], _tables("category", needed=True),
                        Field(validate_default=True)] = []
    priority: Annotated[list[PriorityTable], _tables("priority")] = []
    counter: Annotated[list[CounterTable], _tables("counter", needed=True),
                       Field(validate_default=True)] = []
    kiosk: KioskTable = KioskTable()
    board: BoardTable = BoardTable()
    waits: WaitsTable = WaitsTable()
    fairness: FairnessTable = FairnessTable()
    central: CentralTable | None = None

    def centre_config(self, source: str) -> CentreConfig:
        centre, hours = self.centre, self.hours
        return CentreConfig(
            source=source, centre_id=centre.id, names=centre.name, timezone=centre.timezone,
            day_reset_hour=centre.day_reset_hour, public_url=centre.public_url,
            languages=centre.languages, transfer_policy=centre.transfer,
            hours=OpeningHours({d: getattr(hours, d) for d in WEEKDAYS}, frozenset(hours.closed_dates)),
            categories=tuple(c.category() for c in self.category),
            priorities=tuple(sorted((p.priority() for p in self.priority), key=lambda p: p.rank)),
            counters=tuple(c.counter() for c in self.counter),
            kiosk=self.kiosk.settings(), board=self.board.settings(),
            waits=self.waits.settings(), fairness=self.fairness.settings(),
            central=self.central.settings(centre.id) if self.central else None)


# ---- saying what is wrong with a file -----------------------------------------
def validate(data: dict[str, Any], source: str) -> CentreConfig:
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
