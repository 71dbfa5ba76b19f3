"""How a counter's work profile reads on the console and the manager's view: its name (the
implicit one has a catalog name), why it runs (default, chosen at the counter, set by the
manager, scheduled until a time) and the choices offered — in the reader's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.config.centre import CentreConfig
from shared.core.counter_profiles import BY_SCHEDULE, ProfileNow, ScheduledSwitch
from shared.i18n import tr

DEFAULT_NAME = "All its services"
BY_TEXTS = {"default": "its default", "staff": "chosen at the counter",
            "manager": "set by the manager", "schedule": "scheduled until {until}"}


def profile_name(config: CentreConfig, profile: str, lang: str) -> str:
    """A profile's name in `lang` ("" is the counter's implicit profile)."""
    if profile == "":
        return tr(lang, DEFAULT_NAME)
    found = {p.id: p for p in config.profiles}.get(profile)
    return found.name(lang) if found is not None else profile


def clock_time(config: CentreConfig, epoch: float) -> str:
    """"12:30" in the centre's time zone."""
    return f"{datetime.fromtimestamp(epoch, config.tz):%H:%M}"


def profile_line(config: CentreConfig, now: ProfileNow, lang: str) -> dict[str, Any]:
    """A counter's profile now, JSON-ready: id, name and why."""
    until = clock_time(config, now.until) if now.until is not None else ""
    why = tr(lang, BY_TEXTS[now.by], until=until) if now.by == BY_SCHEDULE else tr(lang, BY_TEXTS[now.by])
    return {"id": now.profile, "name": profile_name(config, now.profile, lang), "by": now.by,
            "by_text": why, "until": until or None}


def choices(config: CentreConfig, counter: str, lang: str, manager: bool) -> list[dict[str, str]]:
    """The profiles offered at a counter: staff its own, a manager every one sharing a service
    with it (its default first)."""
    c = config.counter(counter)
    ids = list(c.profile_choices)
    if manager:
        ids += [p.id for p in config.profiles if p.id not in ids
                and set((*p.primary, *p.backup)) & set(c.services)]
        if "" not in ids:
            ids.append("")
    return [{"id": p, "name": profile_name(config, p, lang)} for p in ids]


def scheduled_line(config: CentreConfig, s: ScheduledSwitch, lang: str) -> dict[str, Any]:
    return {"id": s.id, "counter": s.counter, "profile": s.profile,
            "name": profile_name(config, s.profile, lang),
            "from": clock_time(config, s.starts_at), "until": clock_time(config, s.ends_at)}
