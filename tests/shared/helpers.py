"""Small helpers the tests of shared/ use: config variants and event bookkeeping."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

from shared.config.centre import CentreConfig, default_config_path, parse_config

# Services of the bundled DOST config the tests lean on.
JOB = "employment.job-seeker"  # prefix A, counters 1, 2, 3, 20
UNEMPLOYMENT = "employment.unemployment"  # prefix A
LABOUR = "labour"  # prefix H, counters 3, 15, 20
PENSION = "pensions.age"  # prefix B, counters 4, 5, 6, 20
LEGAL = "social-legal"  # prefix K, counters 15, 16, 20


def dost_data() -> dict[str, Any]:
    """The bundled DOST config as a plain dict, to edit into variants."""
    return tomllib.loads(default_config_path().read_text(encoding="utf-8"))


def config_variant(source: str = "variant.toml", transfer: str | None = None,
                   caps: dict[str, int] | None = None, reset_hour: int | None = None,
                   zones: dict[str, str] | None = None) -> CentreConfig:
    """The DOST config with a different transfer policy, daily caps per category, reset hour or
    zones per counter id."""
    data = copy.deepcopy(dost_data())
    if transfer is not None:
        data["centre"]["transfer"] = transfer
    if reset_hour is not None:
        data["centre"]["day_reset_hour"] = reset_hour
    for cat in data["category"]:
        if caps and cat["id"] in caps:
            cat["daily_cap"] = caps[cat["id"]]
    for counter in data["counter"]:
        if zones and counter["id"] in zones:
            counter["zone"] = zones[counter["id"]]
    return parse_config(data, source)


def kinds(events: list[Any], ticket_id: int | None = None) -> list[str]:
    """The kinds of these events (without the day's bookkeeping), optionally of one ticket only."""
    return [e.kind for e in events
            if e.kind != "day_started" and (ticket_id is None or e.ticket_id == ticket_id)]
