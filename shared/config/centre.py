"""The centre config: one validated, frozen pydantic model that is what the rest of Növbə reads
(categories, services, priority classes, counters, hours, settings — looked up by id), what a
file is read into (every problem listed at once as "file: key: what") and what the server sends
its remote devices, read back by the same model (config_document → parse_config)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AliasPath,
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_serializer,
)
from pydantic.dataclasses import dataclass

from shared.config.bookings import BookingSettings
from shared.config.central import CentralSettings
from shared.config.counters import Counter, OpeningHours
from shared.config.problems import problem_lines
from shared.config.profiles import Profile, everything_primary
from shared.config.seen import Seen, seen_by
from shared.config.services import Category, PriorityClass, Service
from shared.config.settings import (
    BoardSettings,
    FairnessSettings,
    KioskSettings,
    VisitSettings,
    WaitSettings,
)
from shared.config.sms import SmsSettings
from shared.config.values import (
    ESTIMATORS,
    ID_RE,
    LANGUAGES,
    PAPER_WIDTHS,
    PRINTER_SCHEMES,
    TABLE,
    TRANSFER_POLICIES,
    WEEKDAYS,
    Hour,
    Id,
    Languages,
    Names,
    NamesTable,
    TimeZone,
    Transfer,
    Url,
    in_language,
)
from shared.core.errors import (
    ConfigError,
    UnknownCounter,
    UnknownPriority,
    UnknownProfile,
    UnknownService,
)

__all__ = [
    "ESTIMATORS", "ID_RE", "LANGUAGES", "PAPER_WIDTHS", "PRINTER_SCHEMES", "TRANSFER_POLICIES",
    "WEEKDAYS", "CONFIG_CHECK_SECONDS", "BoardSettings", "BookingSettings", "Category", "CentralSettings", "CentreConfig", "Counter",
    "FairnessSettings", "KioskSettings", "Names", "OpeningHours", "PriorityClass", "Profile", "Service",
    "VisitSettings", "WaitSettings", "config_document", "default_config_path",
    "load_config", "parse_config", "parse_config_file", "read_config_file",
]

CONFIG_CHECK_SECONDS = 10.0   # how often a running remote kiosk or board asks for the config's version
# The [centre] table's keys, by the config's own name for each.
CENTRE_KEYS = {"languages": "languages", "centre_id": "id", "names": "name",
               "timezone": "timezone", "day_reset_hour": "day_reset_hour",
               "public_url": "public_url", "transfer_policy": "transfer"}
# The lists of tables, by the config's own name for each.
LISTS = {"categories": "category", "priorities": "priority", "profiles": "profile",
         "counters": "counter"}


def default_config_path() -> Path:
    """The bundled DOST centre config."""
    return Path(__file__).resolve().parents[2] / "assets" / "config" / "dost.toml"


def _centre(key: str) -> Any:
    """A value of the [centre] table."""
    return Field(validation_alias=AliasPath("centre", CENTRE_KEYS[key]))


def _section(name: str, needed: bool = False) -> Any:
    """A list of [[name]] tables (at least one when `needed`)."""
    def tables(value: Any) -> Any:
        if needed and not (isinstance(value, list | tuple) and value):
            raise ValueError(f"at least one [[{name}]] is needed")
        if not isinstance(value, list | tuple):
            raise ValueError(f"must be a list of [[{name}]] tables")
        return value
    return BeforeValidator(tables)


def _list(field: str) -> Any:
    return Field(validation_alias=LISTS[field], serialization_alias=LISTS[field],
                 validate_default=True)


def _central(value: Any, info: ValidationInfo) -> Any:
    """[central] centre_id defaults to [centre] id."""
    if isinstance(value, dict) and "centre_id" not in value:
        if "centre_id" not in info.data:
            return None  # the centre's own id is broken, and reported
        return {**value, "centre_id": info.data["centre_id"]}
    return value


@dataclass(frozen=True, kw_only=True, config=TABLE)
class CentreConfig:
    """Everything a centre configures, validated; things are looked up by id. Fields are
    validated in this order, so each table is checked against those above it."""

    source: Annotated[str, Field(exclude=True)] = "<config>"
    languages: Annotated[Languages, _centre("languages"),
                         seen_by(lambda read, v, _: read.centre_languages(v))] = LANGUAGES
    centre_id: Annotated[Id, _centre("centre_id")] = "centre"
    names: Annotated[NamesTable, _centre("names")]
    timezone: Annotated[TimeZone, _centre("timezone")] = "Asia/Baku"
    day_reset_hour: Annotated[Hour, _centre("day_reset_hour")] = 3
    public_url: Annotated[Url, _centre("public_url")] = ""
    transfer_policy: Annotated[Transfer, _centre("transfer_policy")] = "keep_place"
    hours: OpeningHours = OpeningHours()
    categories: Annotated[tuple[Category, ...], _section("category", needed=True),
                          _list("categories")] = ()
    priorities: Annotated[tuple[PriorityClass, ...], _section("priority"), _list("priorities"),
                          AfterValidator(lambda ps: tuple(sorted(ps, key=lambda p: p.rank)))] = ()
    profiles: Annotated[tuple[Profile, ...], _section("profile"), _list("profiles")] = ()
    counters: Annotated[tuple[Counter, ...], _section("counter", needed=True),
                        _list("counters")] = ()
    kiosk: KioskSettings = KioskSettings()
    board: BoardSettings = BoardSettings()
    waits: WaitSettings = WaitSettings()
    fairness: FairnessSettings = FairnessSettings()
    visits: VisitSettings = VisitSettings()
    bookings: BookingSettings = BookingSettings()
    central: Annotated[CentralSettings | None, BeforeValidator(_central)] = None  # shipping
    sms: SmsSettings | None = None     # booking reminders' gateway (none: no SMS)

    @model_serializer(mode="wrap")
    def _as_file(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Written as the file is: the [centre] values in their table."""
        flat: dict[str, Any] = handler(self)
        centre = {key: flat.pop(field) for field, key in CENTRE_KEYS.items() if field in flat}
        return {"centre": centre, **flat}

    @cached_property
    def services(self) -> dict[str, Service]:
        return {s.id: s for c in self.categories for s in c.services}

    @cached_property
    def _by_id(self) -> dict[str, dict[str, Any]]:
        return {"category": {c.id: c for c in self.categories},
                "priority class": {p.id: p for p in self.priorities},
                "counter": {c.id: c for c in self.counters},
                "profile": {p.id: p for p in self.profiles}}

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def name(self, lang: str) -> str:
        return in_language(self.names, lang, self.centre_id)

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
        found: Category = self._find("category", category_id, UnknownService)
        return found

    def priority(self, priority_id: str | None) -> PriorityClass | None:
        if not priority_id or priority_id == "none":
            return None
        found: PriorityClass = self._find("priority class", priority_id, UnknownPriority)
        return found

    def counter(self, counter_id: str | int) -> Counter:
        found: Counter = self._find("counter", str(counter_id), UnknownCounter)
        return found

    def profile(self, counter_id: str, profile_id: str | None = None) -> Profile:
        """The profile `profile_id` as counter `counter_id` runs it (its default profile when
        None; "" is every service it serves primary; "own" in a profile: its services)."""
        c = self.counter(counter_id)
        pid = c.profile if profile_id is None else profile_id
        if pid == "":
            return everything_primary(c.services)
        found: Profile = self._find("profile", pid, UnknownProfile)
        return found.for_counter(c.services)

    def counters_serving(self, service_id: str) -> list[Counter]:
        return [c for c in self.counters if service_id in c.services]


CONFIG = TypeAdapter(CentreConfig)


# ---- reading a file, and the copy a remote device reads ----------------------------------------
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
    """Validate a config as its file's tables (read from TOML, or a config_document); raise
    ConfigError listing every problem, each as "source: key: what": the values', then keys the
    [centre] table does not know, then every service no counter serves."""
    if not isinstance(data, dict):
        raise ConfigError([f"{source}: must be a table of sections, got {type(data).__name__}"])
    read, config, problems = Seen(languages=LANGUAGES), None, []
    try:
        config = CONFIG.validate_python({**data, "source": source}, context=read,
                                        by_alias=True, by_name=False)
    except ValidationError as exc:
        problems = problem_lines(exc, data, LISTS)
    problems += _unknown_keys(data)
    problems += [f"{key}: no counter serves it" for key in read.unserved()]
    if config is None or problems:
        raise ConfigError([f"{source}: {problem}" for problem in problems])
    return config


def _unknown_keys(data: dict[str, Any]) -> list[str]:
    """What the model's own check cannot see: keys of [centre] (read into the config's top
    level) and a `source` section (the config's own record of where it came from)."""
    centre = data.get("centre")
    found = ["source: unknown section"] if "source" in data else []
    if "centre" in data and not isinstance(centre, dict):
        return [*found, f"centre: must be a table, got {type(centre).__name__}"]
    known = set(CENTRE_KEYS.values())
    return found + [f"centre.{key}: unknown key" for key in (centre or {}) if key not in known]


def config_document(config: CentreConfig, device: bool = False, staff_pin: bool = True
                    ) -> dict[str, Any]:
    """The config as its file's tables, JSON-ready: parse_config reads it back into an equal
    config. For a remote `device` the [central] section is left out (the agency's database is
    the server's business), and the kiosk's staff PIN unless `staff_pin`."""
    exclude: dict[str, Any] = {}
    if device:
        exclude["central"] = True
        exclude["sms"] = True            # the gateway's headers may hold its key
    if not staff_pin:
        exclude["kiosk"] = {"staff_pin"}
    document: dict[str, Any] = CONFIG.dump_python(config, mode="json", by_alias=True,
                                                  exclude=exclude or None)
    return document
