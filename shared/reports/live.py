"""The manager's live view of the hall: who waits for what and for how long against the
target, every counter and its current visit, counters idle while people wait for what they
serve, staff alerts, and today's figures so far (the report's own definitions, over today)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.config.centre import CentreConfig
from shared.core.alerts import alert_text
from shared.core.clock import to_epoch
from shared.core.counter_profiles import ProfileNow, ScheduledSwitch
from shared.core.model import Snapshot
from shared.core.profile_text import choices, profile_line, scheduled_line
from shared.i18n import tr
from shared.reports.facts import FactStore
from shared.reports.figures import Scope, ticket_figures, visit_figures


def hall_view(snapshot: Snapshot, facts: FactStore, config: CentreConfig, now: datetime,
              lang: str, profiles: tuple[dict[str, ProfileNow], list[ScheduledSwitch]] | None = None
              ) -> dict[str, Any]:
    """Everything the live page shows, as JSON-ready data; `profiles`: every counter's work
    profile now and the scheduled switches (the queue's profiles_now)."""
    running, planned = profiles or ({}, [])
    at = to_epoch(now)
    facts.refresh(at, rollups=False)       # today's facts are enough here
    day = snapshot.service_day
    with facts.reading() as cur:
        today = ticket_figures(cur, Scope(day, day)).get("all", {})
        visits = visit_figures(cur, Scope(day, day)).get("all", {})
    waiting = {s.id: s for s in snapshot.services}
    services = []
    for s in snapshot.services:
        if not s.waiting:
            continue
        svc = config.service(s.id)
        services.append({"id": s.id, "name": svc.name(lang), "waiting": s.waiting,
                         "longest_min": s.oldest_wait_min, "target_min": svc.target_wait_min,
                         "late": s.oldest_wait_min > svc.target_wait_min,
                         "estimate_min": s.estimated_wait_min})
    categories = [{"id": c.id, "name": config.category(c.id).name(lang), "waiting": c.waiting,
                   "longest_min": c.oldest_wait_min} for c in snapshot.categories if c.waiting]
    counters, idle = [], []
    for c in snapshot.counters:
        cfg = config.counter(c.id)
        people = sum(waiting[s].waiting for s in cfg.services if s in waiting)
        visit = None
        if c.ticket is not None:
            t = c.ticket
            since = t.started_at or t.called_at
            visit = {"code": t.code, "status": str(t.status), "status_text": tr(lang, str(t.status)),
                     "service": config.service(t.service).name(lang),
                     "running_s": int(at - to_epoch(since)) if since else None}
        row = {"id": c.id, "name": cfg.name(lang), "mode": str(c.mode),
               "mode_text": tr(lang, {"open": "Open", "paused": "Paused",
                                      "closed": "Closed"}[str(c.mode)]),
               "staff": c.staff, "serves": _serves(config, cfg.services, lang),
               "visit": visit, "waiting_for_it": people,
               "idle": str(c.mode) == "open" and c.ticket is None and people > 0,
               "profile": profile_line(config, running[c.id], lang) if c.id in running else None,
               "profile_choices": choices(config, c.id, lang, manager=True)}
        counters.append(row)
        if row["idle"]:
            idle.append({"id": c.id, "staff": c.staff, "waiting_for_it": people})
    return {
        "service_day": day, "now": at, "last_event_id": snapshot.last_event_id,
        "services": services, "categories": categories, "counters": counters, "idle": idle,
        "scheduled": [scheduled_line(config, s, lang) for s in planned],
        "day_start": to_epoch(now.astimezone(config.tz).replace(hour=0, minute=0, second=0,
                                                                 microsecond=0)),
        "alerts": [{"kind": a.kind, "source": a.source, "text": alert_text(lang, a),
                    "message": a.message, "at": a.at.timestamp()}
                   for a in snapshot.alerts],
        "today": {
            "issued": today.get("issued", 0), "served": today.get("served", 0),
            "no_show": today.get("no_show", 0), "cancelled": today.get("cancelled", 0),
            "waiting": sum(s.waiting for s in snapshot.services),
            "wait_mean_s": today.get("wait_mean_s"), "wait_median_s": today.get("wait_median_s"),
            "wait_p90_s": today.get("wait_p90_s"),
            "within_target_pct": today.get("within_target_pct"),
            "satisfied_pct": today.get("satisfied_pct"), "rating_mean": today.get("rating_mean"),
            "ratings": today.get("ratings", 0), "service_mean_s": visits.get("service_mean_s"),
        },
    }


def _serves(config: CentreConfig, services: tuple[str, ...], lang: str) -> str:
    """What a counter serves, shortly: its categories' names."""
    cats: list[str] = []
    for s in services:
        name = config.category(config.service(s).category).name(lang)
        if name not in cats:
            cats.append(name)
    return ", ".join(cats)
