"""What the central fold may trust: a centre's shipped config versions parsed by the very model a
centre's own config file goes through (shared/config's parse_config), and each shipped event
checked against bounds no real centre crosses. A row that fails is set aside with its reason
(central/facts.py) and never counted; the centre's figures are then marked incomplete.

The bounds (docs/central.md says the same):
- `at` is a finite epoch from 2000-01-01 and at most one day after the row reached the central
  database (its `shipped_at`, the server's clock: a centre's clock may be a little ahead);
- an event kind is one the queue writes; ticket events carry a ticket;
- `details` is empty or a JSON object;
- a ticket is issued once (a second `issued` of the same ticket is a duplicate) for a service
  of the config version in force at that event; a transfer goes to a known service;
- every later event of a ticket falls from one minute before its issue (clocks step back a
  little) to 25 hours after it (a service day with a clock change) — so no wait, walk-up or
  visit is longer than that; an expiry and a day-end finish are written when the day change
  runs (after a weekend, days later), so for them it is the `ended_at` they carry that must
  fall within those 25 hours; a rating may come any time after the issue and is a whole
  number 1–5;
- the printed estimate is 0–1,440 minutes and the people ahead 0–100,000."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from central.schema import EARLIEST_AT, LATEST_AT
from shared.config.centre import LANGUAGES, CentreConfig, parse_config
from shared.core.corrections import CORRECTABLE
from shared.core.errors import ConfigError
from shared.core.model import DEVICE_KINDS

TICKET_KINDS = frozenset({"issued", "called", "recalled", "started", "finished", "no_show",
                          "outcome_corrected", "transferred", "cancelled", "expired", "rated"})
OTHER_KINDS = frozenset({"counter_opened", "counter_paused", "counter_closed", "day_started",
                         *DEVICE_KINDS})
AHEAD_OF_SERVER_S = 86_400        # an event may be dated this far after it arrived
CLOCK_STEP_S = 60                 # a ticket's event may come this long before its issue
TICKET_LIFE_S = 25 * 3600         # …and this long after it: a service day, clock change too
MAX_ESTIMATE_MIN = 1_440
MAX_AHEAD = 100_000


class ConfigRefused(ValueError):
    """A shipped config version that does not describe a centre (the reason says why)."""


def config_data(body: Mapping[str, Any]) -> dict[str, Any]:
    """A shipped report body (shared/config/versions.py) back as the config file's tables."""
    centre = body["centre"]
    names = centre["names"]
    data: dict[str, Any] = {"centre": {
        "id": centre["id"], "name": names, "timezone": centre["timezone"],
        "day_reset_hour": centre["day_reset_hour"],
        "languages": [lang for lang in LANGUAGES if isinstance(names, dict) and lang in names]}}
    services = list(body.get("services", []))
    categories = []
    for c in body.get("categories", []):
        own = [s for s in services if s["category"] == c["id"]]
        entry: dict[str, Any] = {"id": c["id"], "prefix": c["prefix"], "name": c["names"]}
        if len(own) == 1 and own[0]["id"] == c["id"]:      # a category that is its own service
            entry["service_min"] = own[0]["service_min"]
            entry["target_wait_min"] = own[0]["target_wait_min"]
        else:
            entry["service"] = [{"id": str(s["id"]).removeprefix(f"{c['id']}."),
                                 "name": s["names"], "service_min": s["service_min"],
                                 "target_wait_min": s["target_wait_min"]} for s in own]
        categories.append(entry)
    orphans = [s["id"] for s in services if s["category"] not in {c["id"] for c in categories}]
    if orphans:
        raise ConfigRefused(f"service {orphans[0]!r} belongs to no category of the version")
    data["category"] = categories
    data["priority"] = [{"id": p["id"], "rank": p["rank"], "name": p["names"]}
                        for p in body.get("priorities", [])]
    data["counter"] = [{"id": c["id"], "name": c["names"], "services": list(c["services"]),
                        "zone": c.get("zone", "main")} for c in body.get("counters", [])]
    for section in ("hours", "bookings"):       # a centre that takes bookings ships both
        if section in body:
            data[section] = body[section]
    return data


def parse_body(body: Any, source: str) -> CentreConfig:
    """The config a shipped body describes, validated as a centre's own file is; ConfigRefused
    naming the first problem (a missing key, a bad time zone, an unknown service…)."""
    text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    return _parse(text, source)


@functools.lru_cache(maxsize=256)
def _parse(text: str, source: str) -> CentreConfig:
    try:
        body = json.loads(text)
        if not isinstance(body, dict):
            raise ConfigRefused("the config version is not a JSON object")
        return parse_config(config_data(body), source)
    except ConfigError as exc:
        problems = [p.removeprefix(f"{source}: ") for p in exc.problems]
        raise ConfigRefused("; ".join(problems[:3]) + (" …" if len(problems) > 3 else "")) \
            from None
    except KeyError as exc:
        raise ConfigRefused(f"missing key {exc.args[0]!r}") from None
    except (TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, ConfigRefused):
            raise
        raise ConfigRefused(f"malformed: {exc}") from None


@dataclass(frozen=True)
class ShippedEvent:
    """An event as the central copy holds it, with when it arrived and its ticket's issue."""

    id: int
    at: float
    kind: str
    ticket_id: int | None
    service: str | None
    details: str | None
    shipped_at: float
    issue_id: int | None = None       # the ticket's first `issued` event
    issue_at: float | None = None


@dataclass(frozen=True)
class Version:
    """The services of one usable config version, from the event it applies to."""

    from_event_id: int
    services: frozenset[str]


def services_at(versions: Sequence[Version], event_id: int) -> frozenset[str]:
    """The services of the version in force at an event (before the first recorded version:
    the first one — a centre records its version when shipping starts, after its history)."""
    current = versions[0].services if versions else frozenset()
    for v in versions:
        if v.from_event_id <= event_id:
            current = v.services
    return current


def event_problem(e: ShippedEvent, versions: Sequence[Version]) -> str | None:
    """Why this event cannot be counted, or None when it can."""
    if not isinstance(e.at, float | int) or not math.isfinite(e.at):
        return f"time {e.at!r} is not a finite number"
    if not EARLIEST_AT <= e.at < LATEST_AT:
        return f"time {e.at!r} is not between 2000 and 2100"
    if e.at > e.shipped_at + AHEAD_OF_SERVER_S:
        return (f"dated {_when(e.at)}, more than a day after it arrived "
                f"({_when(e.shipped_at)})")
    if e.kind not in TICKET_KINDS and e.kind not in OTHER_KINDS:
        return f"unknown kind {e.kind!r}"
    try:
        details = json.loads(e.details) if e.details else {}
    except ValueError:
        return "details are not JSON"
    if not isinstance(details, dict):
        return "details are not a JSON object"
    if e.kind not in TICKET_KINDS:
        return None
    if e.ticket_id is None:
        return f"a {e.kind} event without a ticket"
    known = services_at(versions, e.id)
    if e.service is not None and e.service not in known:
        return f"unknown service {e.service!r} (not in the config version in force)"
    if e.kind == "issued":
        return _issue_problem(e, details)
    return _ticket_event_problem(e, details, known)


def _issue_problem(e: ShippedEvent, details: dict[str, Any]) -> str | None:
    if e.service is None:
        return "an issue without a service"
    if e.issue_id is not None and e.issue_id != e.id:
        return f"ticket {e.ticket_id} issued again (first issued by event #{e.issue_id})"
    estimate, ahead = details.get("estimate_min"), details.get("ahead")
    if estimate is not None and not _whole(estimate, 0, MAX_ESTIMATE_MIN):
        return f"printed estimate {estimate!r} min is not 0–{MAX_ESTIMATE_MIN}"
    if ahead is not None and not _whole(ahead, 0, MAX_AHEAD):
        return f"{ahead!r} people ahead is not 0–{MAX_AHEAD}"
    return None


def _ticket_event_problem(e: ShippedEvent, details: dict[str, Any],
                          known: frozenset[str]) -> str | None:
    if e.issue_at is None:
        return None                       # a ticket never issued: the fold ignores its events
    # an expiry or a day-end finish is written when the day change runs: its ended_at counts
    written_later = e.kind in ("rated", "expired") or (
        e.kind == "finished" and details.get("outcome") == "day_end")
    within = math.inf if written_later else TICKET_LIFE_S
    since = e.at - e.issue_at
    if not -CLOCK_STEP_S <= since <= within:
        return (f"{e.kind} {_span(since)} after ticket {e.ticket_id} was issued "
                f"(allowed: {_span(-CLOCK_STEP_S)} to {_span(within)})")
    if e.kind == "rated" and not _whole(details.get("score"), 1, 5):
        return f"rating {details.get('score')!r} is not a whole number 1–5"
    if e.kind == "outcome_corrected" and details.get("outcome") not in CORRECTABLE:
        return f"outcome corrected to unknown {details.get('outcome')!r}"
    if e.kind == "transferred" and details.get("to_service") not in known:
        return f"transfer to unknown service {details.get('to_service')!r}"
    ended = details.get("ended_at")
    if ended is not None and e.kind in ("finished", "expired"):
        try:
            at = datetime.fromisoformat(str(ended)).timestamp()
        except (ValueError, OverflowError, OSError):
            return f"ended_at {ended!r} is not a time"
        if not -CLOCK_STEP_S <= at - e.issue_at <= TICKET_LIFE_S:
            return f"ended_at {ended!r} is not within {_span(TICKET_LIFE_S)} of the issue"
    return None


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _when(epoch: float) -> str:
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (ValueError, OverflowError, OSError):
        return repr(epoch)


def _span(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{sign}{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{sign}{seconds / 3600:.1f} h"
    return f"{sign}{seconds / 86_400:.0f} days"
