"""The state of each centre's central copy, as the owner and the national reports see it: which
generation of its history is current, the config its figures are read with (the newest shipped
version that parses, central/screening.py), the rows set aside and the shipping alerts, and
whether its figures are complete."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg

from central.schema import SCHEMA, CentralError
from central.screening import ConfigRefused, Version, parse_body
from shared.config.centre import CentreConfig


def current_generation(conn: psycopg.Connection, centre_id: str) -> str:
    """The generation the centre announced last ('' for history shipped before generations)."""
    row = conn.execute(f"SELECT generation FROM {SCHEMA}.generations WHERE centre_id = %s "
                       "ORDER BY announced_at DESC, generation DESC LIMIT 1",
                       (centre_id,)).fetchone()
    return str(row[0]) if row else ""


@dataclass
class ConfigChoice:
    """A centre's usable config versions (oldest first), the newest of them, and the versions
    refused with their reasons (ref "hash@from_event_id" → reason)."""

    config: CentreConfig | None
    versions: list[Version] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def config_choice(conn: psycopg.Connection, centre_id: str,
                  generation: str | None = None) -> ConfigChoice:
    """Every config version the centre shipped for this generation (default: the current one)
    parsed as a centre's own config is; the newest that parses is the one figures use."""
    if generation is None:
        generation = current_generation(conn, centre_id)
    rows = conn.execute(f"SELECT hash, from_event_id, body FROM {SCHEMA}.config_versions "
                        "WHERE centre_id = %s AND generation = %s "
                        "ORDER BY from_event_id, recorded_at", (centre_id, generation)).fetchall()
    choice = ConfigChoice(None)
    for digest, first, body in rows:
        try:
            config = parse_body(body, f"central:{centre_id}")
        except ConfigRefused as exc:
            choice.refused[f"{digest}@{first}"] = f"config version refused: {exc}"
            continue
        choice.config = config
        choice.versions.append(Version(int(first), frozenset(config.services)))
    return choice


def centre_config(conn: psycopg.Connection, centre_id: str) -> CentreConfig:
    """The config the centre's figures are read with: the newest usable version of its current
    history (or, while that has none, of an earlier one — for names only)."""
    choice = config_choice(conn, centre_id)
    if choice.config is not None:
        return choice.config
    for (generation,) in conn.execute(
            f"SELECT generation FROM {SCHEMA}.generations WHERE centre_id = %s "
            "ORDER BY announced_at DESC", (centre_id,)).fetchall():
        older = config_choice(conn, centre_id, str(generation))
        if older.config is not None:
            return older.config
    why = "; ".join(list(choice.refused.values())[:1]) or "it has shipped none yet (it ships " \
        "its config with its first batch)"
    raise CentralError(f"centre {centre_id!r} has no usable config: {why}")


def centre_name(conn: psycopg.Connection, centre_id: str, lang: str) -> str:
    """The centre's name in this language, or its id when it has no usable config."""
    try:
        return centre_config(conn, centre_id).name(lang)
    except CentralError:
        return centre_id


@dataclass
class CentreHealth:
    """Why one centre's national figures may not be whole."""

    centre_id: str
    generation: str
    generations: int               # histories the central copy holds for it
    events: int                    # rows of the current generation
    set_aside: dict[str, int]      # rows set aside by what: 'event', 'config'
    set_aside_rows: list[tuple[str, str, str]]   # (what, ref, reason), the first few
    alerts: dict[str, int]         # shipping alerts of the current generation by problem
    problem: str | None            # the last refresh of this centre failed: why
    refreshed_at: datetime | None

    @property
    def complete(self) -> bool:
        return not self.set_aside and not self.alerts and self.problem is None

    def summary(self) -> str:
        """One line: what keeps its figures from being whole."""
        parts = []
        if self.problem:
            parts.append(f"refresh failed: {self.problem}")
        aside = sum(self.set_aside.values())
        if aside:
            parts.append(f"{aside} rows set aside")
        for problem, n in sorted(self.alerts.items()):
            parts.append(f"{n} events {'differ from the centre' if problem == 'differs' else 'the centre cannot place'}")
        return "; ".join(parts) or "complete"

    def to_json(self) -> dict[str, Any]:
        return {"centre_id": self.centre_id, "generation": self.generation,
                "generations": self.generations, "events": self.events,
                "complete": self.complete, "summary": self.summary(),
                "set_aside": [{"what": w, "ref": r, "reason": why}
                              for w, r, why in self.set_aside_rows],
                "alerts": self.alerts, "problem": self.problem,
                "refreshed_at": self.refreshed_at.isoformat() if self.refreshed_at else None}


def health(conn: psycopg.Connection, centres: Iterable[str], shown: int = 20) -> list[CentreHealth]:
    """Each centre's health, `shown` of its set-aside rows listed (all are counted)."""
    out = []
    for centre in centres:
        generation = current_generation(conn, centre)
        key = (centre, generation)
        counts = conn.execute(
            f"SELECT (SELECT count(*) FROM {SCHEMA}.generations WHERE centre_id = %s), "
            f"(SELECT count(*) FROM {SCHEMA}.events WHERE centre_id = %s AND generation = %s)",
            (centre, *key)).fetchone()
        rows = conn.execute(
            f"SELECT what, ref, reason FROM {SCHEMA}.set_aside WHERE centre_id = %s AND "
            "generation = %s ORDER BY what, length(ref), ref", key).fetchall()
        aside: dict[str, int] = {}
        for what, _, _ in rows:
            aside[what] = aside.get(what, 0) + 1
        alerts: dict[str, int] = dict(conn.execute(
            f"SELECT problem, count(*) FROM {SCHEMA}.ship_alerts WHERE centre_id = %s AND "
            "generation = %s GROUP BY problem", key).fetchall())
        progress = conn.execute(
            f"SELECT problem, refreshed_at, generation FROM {SCHEMA}.report_progress "
            "WHERE centre_id = %s", (centre,)).fetchone()
        problem = progress[0] if progress else None
        out.append(CentreHealth(centre, generation, int(counts[0]) if counts else 0,
                                int(counts[1]) if counts else 0, aside,
                                [(str(w), str(r), str(why)) for w, r, why in rows[:shown]],
                                {str(k): int(v) for k, v in alerts.items()}, problem,
                                progress[1] if progress else None))
    return out
