"""The national report's work-profile tables: per centre, the calls its counters' Nexts made at
the primary and at the backup level of their profiles (and by a ticket's code), and the share of
tickets called within target per profile of their first call — the figures a centre's own
report defines (shared/reports/profile_figures.py), read over each centre's shipped facts
(central/profile_facts.py) one centre at a time, then added up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from central.facts import QmarkCursor, only_centres
from central.health import centre_config, centre_name
from central.schema import CentralError
from shared.config.centre import CentreConfig
from shared.core.profile_text import profile_name
from shared.i18n import tr
from shared.reports.figures import Scope
from shared.reports.profile_figures import (
    CALLED_BY_CODE,
    DIRECT,
    LEVEL_KEYS,
    level_figures,
    within_by_profile,
)
from shared.reports.report import Column, Table
from shared.reports.request import ReportRequest

LEVEL_COLUMNS = [("calls_primary", "Calls, primary level", "count"),
                 ("calls_backup", "Calls, backup level", "count"),
                 ("backup_pct", "Backup share of profile calls", "percent"),
                 ("calls_direct", "Calls by a ticket's code", "count")]
WITHIN_COLUMNS = [("called", "Called tickets", "count"),
                  ("within_target", "Called within target", "count"),
                  ("within_target_pct", "Within target", "percent")]


def profile_tables(conn: psycopg.Connection, request: ReportRequest, centres: Sequence[str],
                   lang: str, configs: dict[str, CentreConfig]) -> list[Table]:
    """Calls by profile level per centre, and within target per centre and profile ([] when
    no counter of these centres called by a profile in the period). `configs`: each centre's
    config for its profiles' names (a centre missing from it is named by its ids)."""
    scope = request.scope()
    levels: list[dict[str, Any]] = []
    within: list[dict[str, Any]] = []
    level_sum = _level_row("all", tr(lang, "All together"), {})
    within_sum: dict[str, int] = {"called": 0, "within_target": 0}
    for centre in centres:
        by_counter, by_profile = _read(conn, centre, scope)
        if not by_counter and not by_profile:
            continue
        name = centre_name(conn, centre, lang)
        totals = {k: sum(row.get(k, 0) for row in by_counter.values())
                  for k in (*LEVEL_KEYS.values(), DIRECT)}
        levels.append(_level_row(centre, name, totals))
        for k, v in totals.items():
            level_sum[k] += v
        called = sum(r["called"] for r in by_profile.values())
        met = sum(r["within_target"] for r in by_profile.values())
        within.append(_within_row(centre, name, called, met))
        config = configs.get(centre)
        for profile in sorted(by_profile, key=lambda p: (p == CALLED_BY_CODE, p)):
            row = by_profile[profile]
            within.append(_within_row(f"{centre}:{profile}",
                                      "— " + _profile_label(config, profile, lang),
                                      row["called"], row["within_target"]))
        within_sum["called"] += called
        within_sum["within_target"] += met
    if not levels:
        return []
    if len(centres) > 1:
        levels.append(_level_row("all", level_sum["label"], level_sum))
        within.append(_within_row("all", tr(lang, "All together"), within_sum["called"],
                                  within_sum["within_target"]))
    return [
        Table("profile_levels_centres", tr(lang, "Calls by profile level, per centre"),
              _columns(lang, "Centre", LEVEL_COLUMNS), levels),
        Table("profile_within_centres", tr(lang, "Within target by work profile, per centre"),
              _columns(lang, "Centre and work profile", WITHIN_COLUMNS), within),
    ]


def _read(conn: psycopg.Connection, centre: str, scope: Scope
          ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """One centre's figures, read with only its facts visible (ticket ids repeat across
    centres, and the figures join tickets by id)."""
    with conn.transaction(force_rollback=True), only_centres(conn, [centre]):
        cur = QmarkCursor(conn)
        return level_figures(cur, scope), within_by_profile(cur, scope)


def _level_row(key: str, label: str, totals: dict[str, int]) -> dict[str, Any]:
    row: dict[str, Any] = {"key": key, "label": label,
                           **{k: totals.get(k, 0) for k in (*LEVEL_KEYS.values(), DIRECT)}}
    by_profile = row["calls_primary"] + row["calls_backup"]
    row["backup_pct"] = 100.0 * row["calls_backup"] / by_profile if by_profile else None
    return row


def _within_row(key: str, label: str, called: int, met: int) -> dict[str, Any]:
    return {"key": key, "label": label, "called": called, "within_target": met,
            "within_target_pct": 100.0 * met / called if called else None}


def _profile_label(config: CentreConfig | None, profile: str, lang: str) -> str:
    if profile == CALLED_BY_CODE:
        return tr(lang, "Called by its code")
    if config is None:
        return profile or "—"
    return profile_name(config, profile, lang)


def _columns(lang: str, key_title: str, columns: list[tuple[str, str, str]]) -> list[Column]:
    return [Column("label", tr(lang, key_title), "text"),
            *[Column(k, tr(lang, title), kind) for k, title, kind in columns]]


def centre_configs(conn: psycopg.Connection, centres: Sequence[str]) -> dict[str, CentreConfig]:
    """Each centre's config as its figures are read with (left out: one with none usable)."""
    out = {}
    for centre in centres:
        try:
            out[centre] = centre_config(conn, centre)
        except CentralError:
            continue
    return out
