"""Which work profile a counter runs, inside one queue transaction: a manager's scheduled switch
while its time lasts, else the profile staff or the manager switched it to, else the counter's
default. A switch takes effect at the counter's next Next; each change of the profile a counter
calls by is a `profile_changed` event (when switched, and when a scheduled switch begins or
ends, at the first call it governs)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from shared.config.centre import CentreConfig
from shared.config.per_config import PerConfig
from shared.config.profiles import AT_SLOT, BACKUP, PRIMARY
from shared.core.call_order import CallRules, Fairness
from shared.core.errors import UnknownProfile
from shared.core.queue_tx import Tx

BY_STAFF, BY_MANAGER, BY_SCHEDULE, BY_DEFAULT = "staff", "manager", "schedule", "default"


@dataclass(frozen=True)
class ProfileNow:
    """The profile a counter runs now, why (default, staff, manager, schedule) and, for a
    scheduled one, until when (epoch)."""

    counter: str
    profile: str
    by: str
    until: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProfileNow:
        return cls(str(data["counter"]), str(data["profile"]), str(data["by"]),
                   None if data.get("until") is None else float(data["until"]))


@dataclass(frozen=True)
class ScheduledSwitch:
    """A manager's switch for a time: counter, profile, from and until (epoch)."""

    id: int
    counter: str
    profile: str
    starts_at: float
    ends_at: float
    staff: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScheduledSwitch:
        return cls(int(data["id"]), str(data["counter"]), str(data["profile"]),
                   float(data["starts_at"]), float(data["ends_at"]), data.get("staff"))


_RULES: PerConfig[CallRules] = PerConfig()


def call_rules(config: CentreConfig, counter: str, profile: str | None = None) -> CallRules:
    """The call order's reading of the profile `profile` (the counter's default when None) at
    `counter` — worked out once per config (a Next reads it every time)."""
    return _RULES.get(config, (counter, profile), lambda: _rules(config, counter, profile))


def _rules(config: CentreConfig, counter: str, profile: str | None) -> CallRules:
    p = config.profile(counter, profile)
    levels = {**dict.fromkeys(p.backup, BACKUP), **dict.fromkeys(p.primary, PRIMARY)}
    return CallRules(levels=levels, backup_after=p.backup_after, quota=p.quota,
                     at_slot=p.booked == AT_SLOT, name=p.id,
                     target_min={s: config.service(s).target_wait_min for s in levels})


def fairness_of(config: CentreConfig) -> Fairness:
    """The fairness rule as the call order reads it (multiple 0: off)."""
    return Fairness(config.fairness.wait_multiple if config.fairness.enabled else 0.0,
                    {s.id: s.target_wait_min for s in config.services.values()})


def check_allowed(config: CentreConfig, counter: str, profile: str, manager: bool) -> None:
    """Staff may choose among the counter's profiles; a manager any profile sharing a service
    with the counter."""
    c = config.counter(counter)
    if not manager and profile not in c.profile_choices:
        raise UnknownProfile(f"counter {c.id} may not run profile {profile!r} (its profiles: "
                             f"{', '.join(p or 'default' for p in c.profile_choices)})")
    p = config.profile(c.id, profile)
    if not (*p.primary, *p.backup):
        raise UnknownProfile(f"profile {profile!r} serves none of counter {c.id}'s services")


def profile_now(tx: Tx, counter: str, row: Any = False) -> ProfileNow:
    """The profile counter `counter` calls by at the transaction's instant (`row`: its
    counter_profiles row when already read)."""
    sched = tx.one("SELECT profile, ends_at FROM profile_schedule WHERE counter = ? AND "
                   "ends_at > ? AND starts_at <= ? AND cancelled = 0 ORDER BY id DESC LIMIT 1",
                   (counter, tx.at, tx.at))
    if sched is not None:
        return ProfileNow(counter, sched["profile"], BY_SCHEDULE, sched["ends_at"])
    if row is False:
        row = tx.one("SELECT profile, staff FROM counter_profiles WHERE counter = ?", (counter,))
    if row is not None and row["profile"] is not None:
        by = BY_MANAGER if row["staff"] and row["staff"].startswith("manager:") else BY_STAFF
        return ProfileNow(counter, row["profile"], by)
    return ProfileNow(counter, tx.config.counter(counter).profile, BY_DEFAULT)


NOW_SQL = ("SELECT 1, id, counter, profile, ends_at FROM profile_schedule WHERE ends_at > ? AND "
           "starts_at <= ? AND cancelled = 0 UNION ALL SELECT 0, 0, counter, profile, staff "
           "FROM counter_profiles WHERE profile IS NOT NULL ORDER BY 1, 2")


def profiles_now(tx: Tx) -> dict[str, ProfileNow]:
    """Every counter's profile now: the switches scheduled now (the latest of a counter's
    governs) and the profiles chosen, in one statement."""
    return _profiles_of(tx.config, _rows_now(tx))


_IDS: PerConfig[dict[str, str]] = PerConfig()


def profile_ids_now(tx: Tx) -> dict[str, str]:
    """Each counter's profile id now (as profiles_now), made once per config and rows read —
    every issue and board read asks, and the rows seldom change. Shared: never change it."""
    rows = _rows_now(tx)
    return _IDS.get(tx.config, rows, lambda: {cid: p.profile for cid, p in
                                              _profiles_of(tx.config, rows).items()})


def _rows_now(tx: Tx) -> tuple[tuple[Any, ...], ...]:
    return tuple(map(tuple, tx.conn.execute(NOW_SQL, (tx.at, tx.at)).fetchall()))


def _profiles_of(config: CentreConfig, rows: tuple[tuple[Any, ...], ...]
                 ) -> dict[str, ProfileNow]:
    scheduled: dict[str, tuple[str, float]] = {}
    chosen: dict[str, tuple[str, str]] = {}
    for by_schedule, _order, counter, profile, ends_or_staff in rows:
        if by_schedule:
            scheduled[counter] = (profile, ends_or_staff)
        else:
            chosen[counter] = (profile, ends_or_staff or "")
    out = {}
    for c in config.counters:
        if c.id in scheduled:
            out[c.id] = ProfileNow(c.id, scheduled[c.id][0], BY_SCHEDULE, scheduled[c.id][1])
        elif c.id in chosen:
            profile, staff = chosen[c.id]
            out[c.id] = ProfileNow(c.id, profile,
                                   BY_MANAGER if staff.startswith("manager:") else BY_STAFF)
        else:
            out[c.id] = ProfileNow(c.id, c.profile, BY_DEFAULT)
    return out


def switch(tx: Tx, counter: str, profile: str, staff: str | None, manager: bool) -> ProfileNow:
    """Switch the counter to `profile` from its next Next; the event says who and from what
    (a scheduled switch running now still governs until it ends)."""
    check_allowed(tx.config, counter, profile, manager)
    before = profile_now(tx, counter)
    who = f"manager:{staff or ''}" if manager else staff
    tx.conn.execute(
        "INSERT INTO counter_profiles(counter, profile, since, staff, applied) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(counter) DO UPDATE SET profile = excluded.profile, "
        "since = excluded.since, staff = excluded.staff, applied = excluded.applied, turns = ''",
        (counter, profile, tx.at, who, profile))
    tx.event("profile_changed", None, counter, staff, profile=profile, previous=before.profile,
             by=BY_MANAGER if manager else BY_STAFF)
    return profile_now(tx, counter)


def schedule(tx: Tx, counter: str, profile: str, starts_at: float, ends_at: float,
             staff: str | None) -> ScheduledSwitch:
    """A manager's switch for a time (from its first Next after `starts_at` until `ends_at`)."""
    check_allowed(tx.config, counter, profile, manager=True)
    if ends_at <= starts_at:
        raise UnknownProfile("a scheduled switch must end after it starts")
    if ends_at <= tx.at:
        raise UnknownProfile("a scheduled switch must end in the future")
    cur = tx.conn.execute(
        "INSERT INTO profile_schedule(counter, profile, starts_at, ends_at, staff, made_at) "
        "VALUES (?, ?, ?, ?, ?, ?)", (counter, profile, starts_at, ends_at, staff, tx.at))
    tx.event("profile_scheduled", None, counter, staff, profile=profile, starts_at=starts_at,
             ends_at=ends_at)
    return ScheduledSwitch(int(cur.lastrowid or 0), counter, profile, starts_at, ends_at, staff)


def cancel_schedule(tx: Tx, switch_id: int, staff: str | None) -> None:
    """Call off a scheduled switch (it ends now if it had begun)."""
    row = tx.one("SELECT counter, profile FROM profile_schedule WHERE id = ? AND cancelled = 0",
                 (switch_id,))
    if row is None:
        raise UnknownProfile(f"no scheduled switch {switch_id}")
    tx.conn.execute("UPDATE profile_schedule SET cancelled = 1 WHERE id = ?", (switch_id,))
    tx.event("profile_schedule_cancelled", None, row["counter"], staff, profile=row["profile"],
             switch=switch_id)


def scheduled(tx: Tx, counter: str | None = None) -> list[ScheduledSwitch]:
    """The scheduled switches not yet over, earliest first."""
    rows = tx.rows("SELECT id, counter, profile, starts_at, ends_at, staff FROM profile_schedule "
                   "WHERE ends_at > ? AND cancelled = 0 AND (? IS NULL OR counter = ?) "
                   "ORDER BY starts_at, id", (tx.at, counter, counter))
    return [ScheduledSwitch(r["id"], r["counter"], r["profile"], r["starts_at"], r["ends_at"],
                            r["staff"]) for r in rows]


def turns_now(tx: Tx, counter: str) -> tuple[ProfileNow, str, list[str]]:
    """The profile the counter calls by now, the one its last Next ran, and the recent quota
    turns that still count — those taken under the profile it runs now (a change starts them
    afresh). A counter whose last Next ran no switched profile (`applied` NULL: its turns were
    noted under its default) ran its config's default. Next (applying) and the console's list
    (shared/core/next_calls.py) both read the turns here."""
    row = tx.one("SELECT profile, staff, applied, turns FROM counter_profiles WHERE counter = ?",
                 (counter,))
    now = profile_now(tx, counter, row)
    applied = row["applied"] if row is not None else None
    if applied is None:
        applied = tx.config.counter(counter).profile
    kept = row["turns"].split(",") if row is not None and row["turns"] else []
    return now, applied, kept if applied == now.profile else []


def applying(tx: Tx, counter: str, staff: str | None) -> tuple[ProfileNow, list[str]]:
    """At a Next: the profile it calls by and the counter's recent quota turns (turns_now);
    when that profile is not the one its last Next ran, a `profile_changed` event first."""
    now, applied, turns = turns_now(tx, counter)
    if applied != now.profile:
        tx.event("profile_changed", None, counter, staff, profile=now.profile,
                 previous=applied, by=now.by, until=now.until)
        tx.conn.execute(
            "INSERT INTO counter_profiles(counter, applied, turns) VALUES (?, ?, '') "
            "ON CONFLICT(counter) DO UPDATE SET applied = excluded.applied, turns = ''",
            (counter, now.profile))
    return now, turns


def note_turn(tx: Tx, counter: str, turns: list[str], turn: str | None, keep: int) -> None:
    """Remember the quota turn a call took (the last `keep` are what the quota reads)."""
    if turn is None or keep <= 0:
        return
    kept = ",".join([*turns, turn][-keep:])
    tx.conn.execute("INSERT INTO counter_profiles(counter, turns) VALUES (?, ?) "
                    "ON CONFLICT(counter) DO UPDATE SET turns = excluded.turns", (counter, kept))
