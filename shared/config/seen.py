"""Checks across the tables of a centre config file: what validation has met so far (languages,
ids, prefixes, services, counters), carried as pydantic's validation context while a file is
read. Built in code, without that context, a config part checks only its own values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import AfterValidator, ValidationError, ValidationInfo
from pydantic_core import InitErrorDetails

Found = list[tuple[tuple[str | int, ...], str]]
OWN = "own"     # in a work profile: the services of the counter that runs it


def problems(found: Found) -> ValidationError:
    """Several problems at once, each at its own key below the value checked."""
    return ValidationError.from_exception_data("config", [
        InitErrorDetails(type="value_error", loc=loc, input=None, ctx={"error": ValueError(what)})
        for loc, what in found])


@dataclass
class Seen:
    """What validation has met so far. Pydantic validates fields in the order a model declares
    them and list items in order, so the file is read top to bottom and each table is checked
    against the tables above it: names against [centre] languages, a prefix against the
    categories before, a counter's services against every category."""

    languages: tuple[str, ...] = ()
    ids: set[str] = field(default_factory=set)  # of categories and services
    prefixes: dict[str, str] = field(default_factory=dict)  # prefix → "category.<id>"
    services: dict[str, list[str]] = field(default_factory=dict)  # category → its services
    priorities: set[str] = field(default_factory=lambda: {"none"})  # "none" means no class
    counters: set[str] = field(default_factory=set)
    served: set[str] = field(default_factory=set)
    profiles: dict[str, set[str]] = field(default_factory=dict)  # profile → its services

    @staticmethod
    def new(ident: str, taken: set[str], what: str = "duplicate id") -> str:
        if ident in taken:
            raise ValueError(what)
        taken.add(ident)
        return ident

    def centre_languages(self, languages: tuple[str, ...]) -> tuple[str, ...]:
        if not languages:
            raise ValueError("must be a list of az, ru, en; got []")
        self.languages = languages
        return languages

    def category_id(self, cid: str) -> str:
        self.services.setdefault(cid, [])
        return self.new(cid, self.ids)

    def service_id(self, sid: str, category: str) -> str:
        """A service's full id ("<category>.<id>"); a category without services is its own."""
        if sid != category:
            self.services.setdefault(category, []).append(self.new(sid, self.ids))
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
        return self.expand_services(wanted, mark_served=True)

    def expand_services(self, wanted: Any, allow_empty: bool = False,
                        verb: str = "serves", mark_served: bool = False,
                        own: bool = False) -> tuple[str, ...]:
        """Service ids from a list of service or category ids ("*": every service); each one
        named must exist. With `own`, the word "own" stays: the services of the counter that
        runs the profile."""
        if not isinstance(wanted, list | tuple) or not (wanted or allow_empty):
            raise ValueError("must list at least one service or category id")
        services, unknown = [], []
        for s in wanted:
            if s == "*":
                services += self.services_of(*self.services)
            elif own and s == OWN:
                services.append(OWN)
            elif isinstance(s, str) and (s in self.services or s in self.ids):
                services += self.services_of(s) if s in self.services else [s]
            else:
                unknown.append(s)
        if mark_served:
            self.served.update(services)
        if unknown:
            raise problems([((), f"{verb} unknown service {s!r}") for s in unknown])
        return tuple(dict.fromkeys(services))

    def profile_id(self, pid: str) -> str:
        self.profiles[self.new(pid, set(self.profiles))] = set()
        return pid

    def profile_services(self, pid: str, services: tuple[str, ...]) -> None:
        if pid in self.profiles:
            self.profiles[pid].update(services)

    def counter_profile(self, pid: str, services: tuple[str, ...]) -> str:
        """A profile a counter names must exist and share a service with the counter."""
        if pid == "":
            return pid
        if pid not in self.profiles:
            known = ", ".join(sorted(self.profiles)) or "none defined"
            raise ValueError(f"unknown profile {pid!r} (known: {known})")
        if services and OWN not in self.profiles[pid] and not self.profiles[pid] & set(services):
            raise ValueError(f"profile {pid!r} lists none of this counter's services")
        return pid

    def unserved(self) -> list[str]:
        """The key of every service no counter serves (once counters are read): its tickets
        could never be called."""
        return [f"category.{s}" if s in self.services else f"service.{s}"
                for s in self.services_of(*self.services) if self.counters and s not in self.served]


def seen(info: ValidationInfo) -> Seen | None:
    """What the file read so far, or None when the value is built in code."""
    return info.context if isinstance(info.context, Seen) else None


def seen_by(check: Callable[[Seen, Any, ValidationInfo], Any]) -> AfterValidator:
    """A check across tables, made only while a file is read."""
    def checked(value: Any, info: ValidationInfo) -> Any:
        read = seen(info)
        return value if read is None else check(read, value, info)
    return AfterValidator(checked)
