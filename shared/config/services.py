"""What a visitor can take a ticket for: categories (the kiosk's tiles, each with its prefix), their
services, and the priority classes served first — validated pydantic dataclasses, frozen, read
from and written as the file's [[category]], [[category.service]] and [[priority]] tables."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
)
from pydantic.dataclasses import dataclass

from shared.config.seen import Found, problems, seen_by
from shared.config.values import (
    TABLE,
    AtLeast1,
    Id,
    Minutes,
    NamesTable,
    Prefix,
    ServiceMinutes,
    in_language,
    is_id,
    name_field,
)

# What a category's services take from it unless they say otherwise (the file's defaults).
SERVICE_MIN, TARGET_WAIT_MIN = 7.0, 10.0


@dataclass(frozen=True, kw_only=True, config=TABLE)
class Service:
    """Something a visitor can take a ticket for. Its id is "<category>.<id>" (the category's own
    id for a category without services); numbers it does not set are its category's."""

    category: Annotated[str, Field(exclude=True)]
    prefix: Annotated[Prefix, Field(exclude=True)]
    id: Annotated[Id, seen_by(lambda read, sid, info: read.service_id(sid, info.data.get("category", "")))]
    names: Annotated[NamesTable, name_field()]
    service_min: ServiceMinutes
    target_wait_min: Minutes
    daily_cap: AtLeast1 | None = None

    def name(self, lang: str) -> str:
        return in_language(self.names, lang, self.id)

    @model_serializer(mode="wrap")
    def _as_table(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        table: dict[str, Any] = handler(self)
        table["id"] = self.id.removeprefix(f"{self.category}.")
        return table


def _services_of_category(tables: Any, info: ValidationInfo) -> Any:
    """A category's [[category.service]] tables as whole services: their full id, the
    category's prefix and the numbers they do not set; none: the category is its own service.
    Services built in code pass as they are."""
    if not isinstance(tables, list | tuple):
        raise ValueError("must be a list of [[category.service]] tables")
    cat = info.data
    if "id" not in cat or "prefix" not in cat:
        return ()  # the category's own id or prefix is already reported
    inherited = {"service_min": cat.get("service_min", SERVICE_MIN),
                 "target_wait_min": cat.get("target_wait_min", TARGET_WAIT_MIN),
                 "daily_cap": cat.get("daily_cap")}
    if not tables:
        return ({"category": cat["id"], "prefix": cat["prefix"], "id": cat["id"],
                 "name": cat.get("names", {}), **inherited},)
    misplaced: Found = [((i, key), "unknown key") for i, t in enumerate(tables) if isinstance(t, dict)
                 for key in ("category", "prefix") if key in t]
    if misplaced:
        raise problems(misplaced)
    return tuple(_whole(t, cat["id"], cat["prefix"], inherited) for t in tables)


def _whole(table: Any, category: str, prefix: str, inherited: dict[str, Any]) -> Any:
    if not isinstance(table, dict):
        return table  # a Service built in code, or something pydantic will name
    whole = {**table, "category": category, "prefix": prefix}
    if is_id(table.get("id")):  # a broken id stays as written, to be named as it is
        whole["id"] = f"{category}.{table['id']}"
    for key, value in inherited.items():
        if whole.get(key) is None:
            whole[key] = value
    return whole


@dataclass(frozen=True, kw_only=True, config=TABLE)
class Category:
    """A tile on the kiosk: a group of services sharing a ticket prefix. Its service_min,
    target_wait_min and daily_cap are what its services take unless they set their own."""

    id: Annotated[Id, seen_by(lambda read, cid, _: read.category_id(cid))]
    prefix: Annotated[Prefix, seen_by(lambda read, p, info: read.prefix(p, info.data.get("id", "?")))]
    names: Annotated[NamesTable, name_field()]
    service_min: ServiceMinutes = SERVICE_MIN
    target_wait_min: Minutes = TARGET_WAIT_MIN
    daily_cap: AtLeast1 | None = None
    services: Annotated[tuple[Service, ...], BeforeValidator(_services_of_category), Field(
        validation_alias="service", serialization_alias="service", validate_default=True)] = ()

    def name(self, lang: str) -> str:
        return in_language(self.names, lang, self.id)

    @property
    def is_own_service(self) -> bool:
        """A category without services: its one service is itself."""
        return len(self.services) == 1 and self.services[0].id == self.id

    @model_serializer(mode="wrap")
    def _as_table(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        table: dict[str, Any] = handler(self)
        if self.is_own_service:
            table.pop("service", None)
            table.pop("services", None)
        return table


@dataclass(frozen=True, kw_only=True, config=TABLE)
class PriorityClass:
    """A class of visitor served before the others (lower rank first)."""

    id: Annotated[Id, seen_by(lambda read, pid, _: read.new(pid, read.priorities,
                                                            "duplicate or reserved id"))]
    # Below the visitors of no class (rank 1000) and after transfers to the front (rank 0).
    rank: Annotated[int, Field(ge=1, le=999, strict=True)]
    names: Annotated[NamesTable, name_field()]

    def name(self, lang: str) -> str:
        return in_language(self.names, lang, self.id)

