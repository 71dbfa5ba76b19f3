"""The centre config: categories, services, priority classes, counters, hours — loaded from TOML
and validated, every problem listed with the file, the key and what is wrong."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.central_settings import CentralSettings, parse_central
from shared.errors import ConfigError, UnknownCounter, UnknownPriority, UnknownService

LANGUAGES = ("az", "ru", "en")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRANSFER_POLICIES = ("keep_place", "front", "back")
PRINTER_SCHEMES = ("usb", "tcp", "serial", "file", "cups", "win32", "preview", "dummy")
PAPER_WIDTHS = (384, 512, 576)
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

Names = dict[str, str]


def default_config_path() -> Path:
    """The bundled DOST centre config."""
    return Path(__file__).resolve().parent.parent / "assets" / "config" / "dost.toml"


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
        return self.names.get(lang) or self.names.get("az") or self.id


@dataclass(frozen=True)
class Category:
    """A tile on the kiosk: a group of services sharing a ticket prefix."""

    id: str
    prefix: str
    names: Names
    services: tuple[Service, ...]

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("az") or self.id


@dataclass(frozen=True)
class PriorityClass:
    """A class of visitor served before the others (lower rank first)."""

    id: str
    rank: int
    names: Names

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("az") or self.id


@dataclass(frozen=True)
class Counter:
    """A staff window, with the services it serves."""

    id: str
    names: Names
    services: tuple[str, ...]
    zone: str = "main"

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

    printer: str = "preview://tickets"
    paper_width: int = 576
    home_after_seconds: int = 12
    idle_seconds: int = 60
    tap_guard_ms: int = 800
    staff_pin: str = "2580"
    footer: Names = field(default_factory=dict)


@dataclass(frozen=True)
class BoardSettings:
    """How the lobby board behaves."""

    speech_languages: tuple[str, ...] = ("az",)
    ticker: Names = field(default_factory=dict)
    history: int = 8
    highlight_seconds: int = 8


@dataclass(frozen=True)
class CentreConfig:
    """Everything a centre configures, validated."""

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
    central: CentralSettings | None = None   # [central]: shipping to the national PostgreSQL
    _services: dict[str, Service] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for cat in self.categories:
            for svc in cat.services:
                self._services[svc.id] = svc

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("az") or self.centre_id

    @property
    def services(self) -> dict[str, Service]:
        return self._services

    def service(self, service_id: str) -> Service:
        try:
            return self._services[service_id]
        except KeyError:
            raise UnknownService(f"unknown service {service_id!r}") from None

    def category(self, category_id: str) -> Category:
        for cat in self.categories:
            if cat.id == category_id:
                return cat
        raise UnknownService(f"unknown category {category_id!r}")

    def priority(self, priority_id: str | None) -> PriorityClass | None:
        if priority_id in (None, "", "none"):
            return None
        for p in self.priorities:
            if p.id == priority_id:
                return p
        raise UnknownPriority(f"unknown priority class {priority_id!r}")

    def counter(self, counter_id: str) -> Counter:
        counter_id = str(counter_id)
        for c in self.counters:
            if c.id == counter_id:
                return c
        raise UnknownCounter(f"unknown counter {counter_id!r}")

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
    """Validate a config dict (as read from TOML); raise ConfigError listing every problem."""
    return _Parser(data, source).parse()


class _Parser:
    def __init__(self, data: dict[str, Any], source: str):
        self.data = data
        self.source = source
        self.problems: list[str] = []
        self.languages: tuple[str, ...] = LANGUAGES

    def fail(self, key: str, what: str) -> None:
        self.problems.append(f"{self.source}: {key}: {what}")

    def table(self, parent: dict, key: str, where: str, required: bool = False) -> dict:
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(where, "missing")
            return {}
        if not isinstance(value, dict):
            self.fail(where, f"must be a table, got {type(value).__name__}")
            return {}
        return value

    def number(self, parent: dict, key: str, where: str, default: float | None = None,
               minimum: float = 0, integer: bool = False, required: bool = False) -> Any:
        value = parent.get(key, default)
        if value is None:
            if required:
                self.fail(where, "missing")
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            integer and not isinstance(value, int)
        ):
            self.fail(where, f"must be a {'whole ' if integer else ''}number, got {value!r}")
            return default
        if value < minimum:
            self.fail(where, f"must be at least {minimum}, got {value!r}")
            return default
        return value

    def names(self, parent: dict, key: str, where: str) -> Names:
        value = parent.get(key)
        if value is None:
            self.fail(where, "missing (a table of names in " + "/".join(self.languages) + ")")
            return {}
        if isinstance(value, str):
            value = {"az": value}
        if not isinstance(value, dict):
            self.fail(where, "must be a table like { az = \"…\", ru = \"…\", en = \"…\" }")
            return {}
        for lang in self.languages:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.fail(f"{where}.{lang}", "missing translation")
        for lang in value:
            if lang not in LANGUAGES:
                self.fail(f"{where}.{lang}", f"unknown language (known: {', '.join(LANGUAGES)})")
        return {k: str(v) for k, v in value.items() if isinstance(v, str)}

    def ident(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.fail(where, f"must be an id of lowercase letters, digits, '_', '-', '.'; got {value!r}")
            return str(value)
        return value

    def parse(self) -> CentreConfig:
        data = self.data
        centre = self.table(data, "centre", "centre", required=True)
        langs = centre.get("languages", list(LANGUAGES))
        if not isinstance(langs, list) or not langs or any(x not in LANGUAGES for x in langs):
            self.fail("centre.languages", f"must be a list of {', '.join(LANGUAGES)}; got {langs!r}")
        else:
            self.languages = tuple(langs)
        centre_id = self.ident(centre.get("id", "centre"), "centre.id")
        names = self.names(centre, "name", "centre.name")
        tz_name = centre.get("timezone", "Asia/Baku")
        try:
            ZoneInfo(str(tz_name))
        except (ZoneInfoNotFoundError, ValueError):
            self.fail("centre.timezone", f"unknown time zone {tz_name!r}")
            tz_name = "UTC"
        reset = self.number(centre, "day_reset_hour", "centre.day_reset_hour", 3, integer=True)
        if isinstance(reset, int) and reset > 23:
            self.fail("centre.day_reset_hour", f"must be an hour 0–23, got {reset}")
            reset = 3
        public_url = centre.get("public_url", "")
        if not isinstance(public_url, str) or (
            public_url and not re.match(r"^https?://", public_url)
        ):
            self.fail("centre.public_url", f"must be an http(s) URL or empty, got {public_url!r}")
            public_url = ""
        transfer = centre.get("transfer", "keep_place")
        if transfer not in TRANSFER_POLICIES:
            self.fail("centre.transfer", f"must be one of {', '.join(TRANSFER_POLICIES)}, got {transfer!r}")
            transfer = "keep_place"

        hours = self.hours(self.table(data, "hours", "hours"))
        categories = self.categories(data.get("category"))
        priorities = self.priorities(data.get("priority", []))
        service_ids = {s.id for c in categories for s in c.services} | {c.id for c in categories}
        counters = self.counters(data.get("counter"), categories, service_ids)
        if counters:
            self.unserved(categories, counters)
        kiosk = self.kiosk(self.table(data, "kiosk", "kiosk"))
        board = self.board(self.table(data, "board", "board"))
        central = parse_central(data.get("central"), centre_id, self.fail)
        for key in data:
            if key not in ("centre", "hours", "category", "priority", "counter", "kiosk", "board",
                           "central"):
                self.fail(key, "unknown section")
        if self.problems:
            raise ConfigError(self.problems)
        return CentreConfig(
            source=self.source, centre_id=centre_id, names=names, timezone=str(tz_name),
            day_reset_hour=int(reset), public_url=public_url.rstrip("/"),
            languages=self.languages, transfer_policy=transfer, hours=hours,
            categories=tuple(categories), priorities=tuple(priorities),
            counters=tuple(counters), kiosk=kiosk, board=board, central=central,
        )

    def hours(self, table: dict) -> OpeningHours:
        week: dict[str, tuple[time, time] | None] = {}
        for day in WEEKDAYS:
            value = table.get(day, "09:00-18:00" if day not in ("sat", "sun") else "")
            if value in ("", "closed"):
                week[day] = None
                continue
            m = re.match(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$", str(value))
            if not m or int(m[1]) > 23 or int(m[3]) > 24 or int(m[2]) > 59 or int(m[4]) > 59:
                self.fail(f"hours.{day}", f"must look like \"09:00-18:00\" or \"\", got {value!r}")
                week[day] = None
                continue
            start = time(int(m[1]), int(m[2]))
            end = time(23, 59, 59) if int(m[3]) == 24 else time(int(m[3]), int(m[4]))
            if end <= start:
                self.fail(f"hours.{day}", f"closes before it opens: {value!r}")
            week[day] = (start, end)
        closed: set[date] = set()
        for i, d in enumerate(table.get("closed_dates", [])):
            try:
                closed.add(d if isinstance(d, date) else date.fromisoformat(str(d)))
            except ValueError:
                self.fail(f"hours.closed_dates[{i}]", f"not a date: {d!r}")
        for key in table:
            if key not in WEEKDAYS and key != "closed_dates":
                self.fail(f"hours.{key}", "unknown key (use mon…sun, closed_dates)")
        return OpeningHours(week, frozenset(closed))

    def categories(self, raw: Any) -> list[Category]:
        if not isinstance(raw, list) or not raw:
            self.fail("category", "at least one [[category]] is needed")
            return []
        out: list[Category] = []
        prefixes: dict[str, str] = {}
        seen_ids: set[str] = set()
        for i, cat in enumerate(raw):
            if not isinstance(cat, dict):
                self.fail(f"category[{i}]", "must be a table")
                continue
            cid = self.ident(cat.get("id"), f"category[{i}].id")
            where = f"category.{cid}"
            if cid in seen_ids:
                self.fail(f"{where}.id", "duplicate id")
            seen_ids.add(cid)
            prefix = cat.get("prefix")
            if not isinstance(prefix, str) or not re.fullmatch(r"[A-Z]{1,2}", prefix):
                self.fail(f"{where}.prefix", f"must be one or two capital Latin letters, got {prefix!r}")
                prefix = "?"
            elif prefix in prefixes:
                self.fail(f"{where}.prefix", f"duplicate prefix {prefix!r} (also used by {prefixes[prefix]})")
            else:
                prefixes[prefix] = where
            cnames = self.names(cat, "name", f"{where}.name")
            svc_min = self.number(cat, "service_min", f"{where}.service_min", 7, minimum=0.5)
            target = self.number(cat, "target_wait_min", f"{where}.target_wait_min", 10, minimum=0)
            cap = self.number(cat, "daily_cap", f"{where}.daily_cap", None, minimum=1, integer=True)
            services: list[Service] = []
            raw_services = cat.get("service", [])
            if not isinstance(raw_services, list):
                self.fail(f"{where}.service", "must be a list of [[category.service]] tables")
                raw_services = []
            for j, svc in enumerate(raw_services):
                if not isinstance(svc, dict):
                    self.fail(f"{where}.service[{j}]", "must be a table")
                    continue
                sid = self.ident(svc.get("id"), f"{where}.service[{j}].id")
                full = f"{cid}.{sid}"
                swhere = f"service.{full}"
                if full in seen_ids:
                    self.fail(f"{swhere}.id", "duplicate id")
                seen_ids.add(full)
                services.append(Service(
                    id=full, category=cid, prefix=prefix,
                    names=self.names(svc, "name", f"{swhere}.name"),
                    service_min=self.number(svc, "service_min", f"{swhere}.service_min", svc_min, minimum=0.5),
                    target_wait_min=self.number(svc, "target_wait_min", f"{swhere}.target_wait_min", target),
                    daily_cap=self.number(svc, "daily_cap", f"{swhere}.daily_cap", cap, minimum=1, integer=True),
                ))
            if not services:
                services.append(Service(cid, cid, prefix, cnames, svc_min, target, cap))
            out.append(Category(cid, prefix, cnames, tuple(services)))
        return out

    def priorities(self, raw: Any) -> list[PriorityClass]:
        if not isinstance(raw, list):
            self.fail("priority", "must be a list of [[priority]] tables")
            return []
        out = []
        ids: set[str] = set()
        for i, p in enumerate(raw):
            if not isinstance(p, dict):
                self.fail(f"priority[{i}]", "must be a table")
                continue
            pid = self.ident(p.get("id"), f"priority[{i}].id")
            if pid in ids or pid == "none":
                self.fail(f"priority.{pid}.id", "duplicate or reserved id")
            ids.add(pid)
            rank = self.number(p, "rank", f"priority.{pid}.rank", None, minimum=1, integer=True, required=True)
            out.append(PriorityClass(pid, int(rank or 1), self.names(p, "name", f"priority.{pid}.name")))
        return sorted(out, key=lambda p: p.rank)

    def counters(self, raw: Any, categories: list[Category], known: set[str]) -> list[Counter]:
        if not isinstance(raw, list) or not raw:
            self.fail("counter", "at least one [[counter]] is needed")
            return []
        by_cat = {c.id: [s.id for s in c.services] for c in categories}
        out = []
        ids: set[str] = set()
        for i, c in enumerate(raw):
            if not isinstance(c, dict):
                self.fail(f"counter[{i}]", "must be a table")
                continue
            cid = str(c.get("id", ""))
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", cid):
                self.fail(f"counter[{i}].id", f"must be a short id like \"7\", got {c.get('id')!r}")
            if cid in ids:
                self.fail(f"counter.{cid}.id", "duplicate id")
            ids.add(cid)
            raw_services = c.get("services")
            if not isinstance(raw_services, list) or not raw_services:
                self.fail(f"counter.{cid}.services", "must list at least one service or category id")
                raw_services = []
            services: list[str] = []
            for s in raw_services:
                if s == "*":
                    services += [x for ids_ in by_cat.values() for x in ids_]
                elif s in by_cat:
                    services += by_cat[s]
                elif s in known:
                    services.append(s)
                else:
                    self.fail(f"counter.{cid}.services", f"serves unknown service {s!r}")
            names = c.get("name", {})
            if not isinstance(names, dict):
                names = {lang: str(names) for lang in LANGUAGES}
            zone = str(c.get("zone", "main"))
            out.append(Counter(cid, {k: str(v) for k, v in names.items()},
                               tuple(dict.fromkeys(services)), zone))
        return out

    def unserved(self, categories: list[Category], counters: list[Counter]) -> None:
        """Report every service no counter serves: its tickets could never be called."""
        served = {s for c in counters for s in c.services}
        for cat in categories:
            for svc in cat.services:
                if svc.id not in served:
                    key = f"category.{cat.id}" if svc.id == cat.id else f"service.{svc.id}"
                    self.fail(key, "no counter serves it")

    def kiosk(self, table: dict) -> KioskSettings:
        printer = table.get("printer", "preview://tickets")
        scheme = str(printer).split("://", 1)[0] if "://" in str(printer) else ""
        if scheme not in PRINTER_SCHEMES:
            self.fail("kiosk.printer", f"must be a printer URL ({', '.join(s + '://' for s in PRINTER_SCHEMES)}), got {printer!r}")
        width = table.get("paper_width", 576)
        if width not in PAPER_WIDTHS:
            self.fail("kiosk.paper_width", f"must be one of {PAPER_WIDTHS} dots, got {width!r}")
            width = 576
        pin = str(table.get("staff_pin", "2580"))
        if not re.fullmatch(r"\d{4,8}", pin):
            self.fail("kiosk.staff_pin", "must be 4–8 digits")
        footer = self.names(table, "footer", "kiosk.footer") if "footer" in table else {}
        return KioskSettings(
            printer=str(printer), paper_width=int(width),
            home_after_seconds=int(self.number(table, "home_after_seconds", "kiosk.home_after_seconds", 12, 1, True)),
            idle_seconds=int(self.number(table, "idle_seconds", "kiosk.idle_seconds", 60, 5, True)),
            tap_guard_ms=int(self.number(table, "tap_guard_ms", "kiosk.tap_guard_ms", 800, 0, True)),
            staff_pin=pin, footer=footer,
        )

    def board(self, table: dict) -> BoardSettings:
        langs = table.get("speech_languages", ["az"])
        if not isinstance(langs, list) or any(x not in LANGUAGES for x in langs):
            self.fail("board.speech_languages", f"must be a list of {', '.join(LANGUAGES)}; got {langs!r}")
            langs = ["az"]
        ticker = self.names(table, "ticker", "board.ticker") if "ticker" in table else {}
        return BoardSettings(
            speech_languages=tuple(langs), ticker=ticker,
            history=int(self.number(table, "history", "board.history", 8, 1, True)),
            highlight_seconds=int(self.number(table, "highlight_seconds", "board.highlight_seconds", 8, 1, True)),
        )
