"""The centre config as the rest of Növbə sees it: categories, services, priority classes,
counters, hours — frozen dataclasses looked up by id. Reading a TOML file checks it with pydantic
(shared.config.schema, imported only then), listing every problem at once as "file: key: what";
this module itself imports no pydantic, so a program that gets its config another way (a cached
copy: shared.config.cache) starts without it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from shared.config.central import CentralSettings
from shared.core.errors import ConfigError, UnknownCounter, UnknownPriority, UnknownService

LANGUAGES = ("az", "ru", "en")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRANSFER_POLICIES = ("keep_place", "front", "back")
PRINTER_SCHEMES = ("usb", "tcp", "serial", "file", "cups", "win32", "preview", "dummy")
PAPER_WIDTHS = (384, 512, 576)
ESTIMATORS = ("replay", "simple")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

Names = dict[str, str]
CONFIG_CHECK_SECONDS = 10.0   # how often a running remote kiosk or board asks for the config's version


def default_config_path() -> Path:
    """The bundled DOST centre config."""
    return Path(__file__).resolve().parents[2] / "assets" / "config" / "dost.toml"


def _in(names: Names, lang: str, fallback: str) -> str:
    return names.get(lang) or names.get("az") or fallback


# ---- the centre, as the rest of Növbə sees it --------------------------------------------------
# Frozen dataclasses, checked only when read from a file (shared.config.schema); built in code
# (dataclasses.replace), nothing checks them. The defaults below are the file's defaults too.
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

    id: str
    rank: int  # 1–999: before the visitors of no class (1000), after transfers to the front (0)
    names: Names

    def name(self, lang: str) -> str:
        return _in(self.names, lang, self.id)


@dataclass(frozen=True)
class Counter:
    """A staff window, with the services it serves."""

    id: str
    names: Names = field(default_factory=dict)
    services: tuple[str, ...] = ()
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
    printer_named: bool = False   # the file names [kiosk] printer (else the default above)


@dataclass(frozen=True)
class BoardSettings:
    """How the lobby board behaves."""

    speech_languages: tuple[str, ...] = ("az",)
    ticker: Names = field(default_factory=dict)
    history: int = 8
    highlight_seconds: int = 8


@dataclass(frozen=True)
class WaitSettings:
    """[waits] How printed waits are estimated (issue 13): `replay` (the call order replayed
    over the counters, shared/waits/replay.py) or `simple` (people ahead × median visit / open
    counters, the first one); a paused counter is expected back after `pause_min`."""

    estimator: str = "replay"
    pause_min: float = 45.0


@dataclass(frozen=True)
class FairnessSettings:
    """[fairness] The fairness rule (issue 13, shared/core/fairness.py): when enabled, a regular
    visitor waiting `wait_multiple` × their service's target wait joins the priority line then,
    called before the priority visitors who came after that moment."""

    enabled: bool = False
    wait_multiple: float = 2.0


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
    waits: WaitSettings = field(default_factory=WaitSettings)
    fairness: FairnessSettings = field(default_factory=FairnessSettings)
    central: CentralSettings | None = None   # [central]: shipping to the national PostgreSQL
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


# ---- reading a file ----------------------------------------------------------------------------
def load_config(path: str | Path | None = None) -> CentreConfig:
    """Read and validate a centre config (the bundled one by default); raise ConfigError listing
    every problem."""
    path = Path(path) if path else default_config_path()
    return parse_config_file(read_config_file(path), str(path))


def read_config_file(path: Path) -> bytes:
    """The file's bytes, or a ConfigError naming it when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None


def parse_config_file(raw: bytes, source: str) -> CentreConfig:
    """Validate the bytes of a centre config file (UTF-8 TOML) read from `source`."""
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{source}: cannot read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{source}: not valid TOML: {exc}"]) from None
    return parse_config(data, source)


def parse_config(data: dict[str, Any], source: str = "<config>") -> CentreConfig:
    """Validate a config dict (as read from TOML); raise ConfigError listing every problem, each
    as "source: key: what". Pydantic is imported here, on first use, not with this module."""
    from shared.config.schema import validate

    return validate(data, source)
