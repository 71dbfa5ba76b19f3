"""Work profiles: who a counter calls — each service primary, backup (called when no primary
ticket waits, or once a backup ticket has waited `backup_after` × its target) or not served; the
priority rule (priority first, or a quota such as 2 regular : 1 priority when both wait); how
booked visitors are taken. A profile may name services beyond a counter's own (a pensions
window helping the child-benefit queue), and "own" for the services of the counter running it. Validated pydantic dataclasses, frozen, read from and written as the
file's [[profile]] tables; a counter names its default profile and those staff may choose."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated, Any

from pydantic import Field, PlainSerializer, PlainValidator, ValidationInfo
from pydantic.dataclasses import dataclass

from shared.config.seen import OWN, Seen, seen, seen_by
from shared.config.values import TABLE, NamesTable, in_language, is_id, name_field

PRIMARY, BACKUP, NOT_SERVED = "primary", "backup", "not_served"
LEVELS = (PRIMARY, BACKUP)
AT_SLOT, BY_ARRIVAL = "at_slot", "arrival"
BOOKED_RULES = (AT_SLOT, BY_ARRIVAL)
PRIORITY_FIRST = "first"
QUOTA_RE = re.compile(r"(\d{1,2}):(\d{1,2})")
DEFAULT_PROFILE = ""        # a counter's implicit profile: every service primary, as before profiles


def _services(wanted: Any, info: ValidationInfo) -> tuple[str, ...]:
    """Service ids; read from a file a category id or "*" stands for its services, each must
    exist."""
    read = seen(info)
    if read is not None:
        services = read.expand_services(wanted, allow_empty=info.field_name == "backup",
                                        verb="lists", own=True)
        read.profile_services(info.data.get("id", ""), services)
        return services
    if not isinstance(wanted, list | tuple):
        raise ValueError("must be a list of service or category ids")
    return tuple(str(s) for s in wanted)


def _priority_rule(value: Any) -> str:
    """"first" (priority visitors before everyone, as without profiles) or "N:M" — N regular
    visitors for every M priority ones while both wait."""
    if value == PRIORITY_FIRST:
        return PRIORITY_FIRST
    m = QUOTA_RE.fullmatch(str(value)) if isinstance(value, str) else None
    if m is None or int(m[1]) < 1 or int(m[2]) < 1:
        raise ValueError(f"must be \"first\" or a quota like \"2:1\" (regular:priority), got {value!r}")
    return f"{int(m[1])}:{int(m[2])}"


def _booked(value: Any) -> str:
    if value not in BOOKED_RULES:
        raise ValueError(f"must be one of {', '.join(BOOKED_RULES)}, got {value!r}")
    return str(value)


def _profile_id(value: Any) -> str:
    """A profile's id; "" is the implicit default profile of every counter (built in code)."""
    if value == DEFAULT_PROFILE or is_id(value):
        return str(value)
    raise ValueError(f"must be an id of lowercase letters, digits, '_', '-', '.'; got {value!r}")


Services = Annotated[tuple[str, ...], PlainValidator(_services), PlainSerializer(list)]


def _no_overlap(read: Seen, backup: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
    """A service has one level."""
    primary = info.data.get("primary", ())
    both = [s for s in backup if s in primary]
    if both:
        raise ValueError(f"{', '.join(both)} also primary: a service has one level")
    return backup


@dataclass(frozen=True, kw_only=True, config=TABLE)
class Profile:
    """A named way of calling: the services a counter running it calls first (primary), those
    it helps with (backup), the priority rule and how booked visitors are taken. A service it
    does not list is not served while it runs (only the counter's own services count)."""

    id: Annotated[str, PlainValidator(_profile_id), seen_by(lambda read, pid, _: read.profile_id(pid))]
    names: Annotated[NamesTable, name_field()]
    primary: Annotated[Services, Field(validate_default=True)] = ()
    backup: Annotated[Services, Field(validate_default=True), seen_by(_no_overlap)] = ()
    backup_after: Annotated[float, Field(gt=0, strict=True)] = 2.0
    priority: Annotated[str, PlainValidator(_priority_rule)] = PRIORITY_FIRST
    booked: Annotated[str, PlainValidator(_booked)] = AT_SLOT

    def name(self, lang: str) -> str:
        return in_language(self.names, lang, self.id)

    @property
    def quota(self) -> tuple[int, int] | None:
        """(regular, priority) calls per round while both wait, or None: priority first."""
        m = QUOTA_RE.fullmatch(self.priority)
        return None if m is None else (int(m[1]), int(m[2]))

    def for_counter(self, services: tuple[str, ...]) -> Profile:
        """This profile at a counter serving `services` ("own" replaced by them; a service
        both primary and backup there is primary)."""
        own = lambda ids: tuple(dict.fromkeys(  # noqa: E731
            s for x in ids for s in (services if x == OWN else (x,))))
        primary = own(self.primary)
        return replace(self, primary=primary,
                       backup=tuple(s for s in own(self.backup) if s not in primary))

    def level(self, service: str) -> str:
        if service in self.primary:
            return PRIMARY
        return BACKUP if service in self.backup else NOT_SERVED


def everything_primary(services: tuple[str, ...]) -> Profile:
    """A counter's implicit default profile: all its services primary, priority first."""
    return Profile(id=DEFAULT_PROFILE, names={}, primary=services)
