"""The centre config as a TOML-shaped dict, so a RemoteQueue can rebuild it with parse_config,
and its version: the hash remote kiosks and boards compare to follow a changed config."""

from __future__ import annotations

import hashlib
import json
from datetime import time
from typing import Any

from shared.config.centre import WEEKDAYS, CentreConfig


def _span(span: tuple[time, time] | None) -> str:
    if span is None:
        return ""
    end = "24:00" if span[1] == time(23, 59, 59) else f"{span[1]:%H:%M}"
    return f"{span[0]:%H:%M}-{end}"


def config_to_dict(cfg: CentreConfig, staff_pin: bool = True) -> dict[str, Any]:
    """What parse_config() turns back into an equal CentreConfig. staff_pin=False leaves the
    kiosk's staff PIN out (only kiosks need it)."""
    categories = []
    for cat in cfg.categories:
        entry: dict[str, Any] = {"id": cat.id, "prefix": cat.prefix, "name": dict(cat.names)}
        if len(cat.services) == 1 and cat.services[0].id == cat.id:
            svc = cat.services[0]
            entry.update(service_min=svc.service_min, target_wait_min=svc.target_wait_min)
            if svc.daily_cap is not None:
                entry["daily_cap"] = svc.daily_cap
        else:
            entry["service"] = []
            for svc in cat.services:
                s: dict[str, Any] = {"id": svc.id.split(".", 1)[1], "name": dict(svc.names),
                                     "service_min": svc.service_min,
                                     "target_wait_min": svc.target_wait_min}
                if svc.daily_cap is not None:
                    s["daily_cap"] = svc.daily_cap
                entry["service"].append(s)
        categories.append(entry)
    kiosk: dict[str, Any] = {
        "printer": cfg.kiosk.printer, "paper_width": cfg.kiosk.paper_width,
        "home_after_seconds": cfg.kiosk.home_after_seconds, "idle_seconds": cfg.kiosk.idle_seconds,
        "tap_guard_ms": cfg.kiosk.tap_guard_ms}
    if staff_pin:
        kiosk["staff_pin"] = cfg.kiosk.staff_pin
    if cfg.kiosk.footer:
        kiosk["footer"] = dict(cfg.kiosk.footer)
    board: dict[str, Any] = {"speech_languages": list(cfg.board.speech_languages),
                             "history": cfg.board.history,
                             "highlight_seconds": cfg.board.highlight_seconds}
    if cfg.board.ticker:
        board["ticker"] = dict(cfg.board.ticker)
    hours: dict[str, Any] = {day: _span(cfg.hours.week.get(day)) for day in WEEKDAYS}
    hours["closed_dates"] = sorted(d.isoformat() for d in cfg.hours.closed_dates)
    return {
        "centre": {"id": cfg.centre_id, "name": dict(cfg.names), "timezone": cfg.timezone,
                   "day_reset_hour": cfg.day_reset_hour, "languages": list(cfg.languages),
                   "public_url": cfg.public_url, "transfer": cfg.transfer_policy},
        "hours": hours,
        "kiosk": kiosk,
        "board": board,
        "priority": [{"id": p.id, "rank": p.rank, "name": dict(p.names)} for p in cfg.priorities],
        "category": categories,
        "counter": [{"id": c.id, "name": dict(c.names), "services": list(c.services),
                     "zone": c.zone} for c in cfg.counters],
    }


_versions: dict[int, tuple[CentreConfig, str]] = {}


def config_version(cfg: CentreConfig) -> str:
    """A short hash of everything a device reads of the config (computed once per config):
    equal configs have equal versions; any change — hours, services, texts, the PIN — a new one."""
    found = _versions.get(id(cfg))
    if found is None or found[0] is not cfg:
        body = json.dumps(config_to_dict(cfg), sort_keys=True, ensure_ascii=False)
        found = _versions[id(cfg)] = (cfg, hashlib.sha256(body.encode()).hexdigest()[:16])
    return found[1]
