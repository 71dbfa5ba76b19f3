"""The things the queue hands out: tickets, events, counter states and the board's snapshot."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Where a ticket is in its life."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_STATUSES = (Status.WAITING, Status.CALLED, Status.SERVING)
AT_COUNTER = (Status.CALLED, Status.SERVING)

# The allowed transitions: action → the statuses a ticket may be in for it (the ticket life of
# docs/architecture.md: waiting → called → serving → done | no_show | cancelled; transfer back to waiting).
TRANSITIONS: dict[str, tuple[Status, ...]] = {
    "call": (Status.WAITING,),
    "recall": (Status.CALLED,),
    "start": (Status.CALLED,),
    "finish": AT_COUNTER,
    "no_show": (Status.CALLED,),
    "transfer": AT_COUNTER,
    "cancel": (Status.WAITING, Status.CALLED),
    "rate": (Status.DONE,),
}


class Outcome(StrEnum):
    """How a visit ended at the counter."""

    SERVED = "served"
    UNRESOLVED = "unresolved"
    REFERRED = "referred"
    DAY_END = "day_end"


FINISH_OUTCOMES = (Outcome.SERVED, Outcome.UNRESOLVED, Outcome.REFERRED)  # what staff record


class CounterMode(StrEnum):
    """Whether a counter is taking visitors."""

    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


# What a device reports about itself, by channel: the event kinds that raise its alert, and those
# that clear it again (a kiosk's printer; a board's sound). One state per device and channel.
DEVICE_CHANNELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "printer": (("print_failed", "printer_paper_out", "printer_offline"), ("printer_ok", "printed")),
    "sound": (("board_silent", "speech_missing"), ("board_ok",)),
    "presence": (("device_offline",), ("device_online",)),
    "help": (("help_requested",), ("help_acknowledged",)),
}
DEVICE_ALERT_KINDS = tuple(k for alerts, _ in DEVICE_CHANNELS.values() for k in alerts)
DEVICE_OK_KINDS = ("printer_ok", "board_ok", "device_online")
DEVICE_KINDS = tuple(k for alerts, oks in DEVICE_CHANNELS.values() for k in (*alerts, *oks))
# Who reports each channel's events, locally or over the API with its token: a kiosk its printer
# and its visitors' calls for help, a board its sound. Presence is the queue's own reading of
# heartbeats (shared/core/presence.py): no device reports it. The API accepts exactly these kinds.
CHANNEL_REPORTERS = {"printer": "kiosk", "sound": "board", "help": "kiosk"}
REPORTED_KINDS = tuple(k for c, (alerts, oks) in DEVICE_CHANNELS.items()
                       if c in CHANNEL_REPORTERS for k in (*alerts, *oks))


def device_channel(kind: str) -> str | None:
    """The channel a device event belongs to (None for a kind no device raises)."""
    return next((c for c, (alerts, oks) in DEVICE_CHANNELS.items() if kind in (*alerts, *oks)),
                None)


def reporting_role(kind: str) -> str | None:
    """The device role ("kiosk" or "board") that may raise a device event of `kind` (None: no
    device does)."""
    channel = device_channel(kind)
    return CHANNEL_REPORTERS.get(channel) if channel is not None else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


@dataclass
class VisitEnd:
    """What a counter action recorded about the visit it ended: the ticket, how the visit ended
    (served, unresolved, referred or no_show) and how long it lasted (start — or call, when
    nobody pressed Start — to end; None for a visitor who did not come)."""

    ticket_id: int
    code: str
    outcome: str
    seconds: int | None

    def to_json(self) -> dict[str, Any]:
        return {"ticket_id": self.ticket_id, "code": self.code, "outcome": self.outcome,
                "seconds": self.seconds}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VisitEnd:
        seconds = data.get("seconds")
        return cls(int(data["ticket_id"]), str(data["code"]), str(data["outcome"]),
                   None if seconds is None else int(seconds))


@dataclass
class Ticket:
    """One visitor's place in the queue."""

    id: int
    code: str
    prefix: str
    number: int
    service: str
    priority: str | None
    language: str
    source: str | None
    token: str
    status: Status
    service_day: str
    issued_at: datetime
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counter: str | None = None
    outcome: str | None = None
    recalls: int = 0
    transfers: int = 0
    rating: int | None = None
    ahead: int = 0
    estimated_wait_min: int = 0
    wait_low_min: int = 0      # the printed range, when high > low ("10–15 min", issue 13)
    wait_high_min: int = 0
    recalled_at: datetime | None = None   # the last recall: the walk-up counts from it
    no_counter_open: bool = False          # no counter for its service open: say so, no minutes
    opens_at: str | None = None            # …and the centre opens at this time today ("09:00")
    ended: VisitEnd | None = None          # the visit the action that gave this ticket ended
    slot_at: datetime | None = None        # a booked visitor's slot start (None: a walk-in)

    def to_json(self, include_token: bool = False) -> dict[str, Any]:
        """The ticket as JSON, without the phone page's secret token unless include_token (only
        the issuing kiosk, the phone itself and the local CLI get it)."""
        data = {
            "id": self.id, "code": self.code, "prefix": self.prefix, "number": self.number,
            "service": self.service, "priority": self.priority, "language": self.language,
            "source": self.source, "token": self.token, "status": str(self.status),
            "service_day": self.service_day, "issued_at": _iso(self.issued_at),
            "called_at": _iso(self.called_at), "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at), "counter": self.counter,
            "outcome": self.outcome, "recalls": self.recalls, "transfers": self.transfers,
            "rating": self.rating, "ahead": self.ahead,
            "estimated_wait_min": self.estimated_wait_min,
            "wait_low_min": self.wait_low_min, "wait_high_min": self.wait_high_min,
            "recalled_at": _iso(self.recalled_at),
            "no_counter_open": self.no_counter_open, "opens_at": self.opens_at,
            "ended": self.ended.to_json() if self.ended else None,
            "slot_at": _iso(self.slot_at),
        }   # by hand, not dataclasses.asdict: no deep copy of every field
        if not include_token:
            del data["token"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ticket:
        data = dict(data)
        data.setdefault("token", "")     # sent without its token: not this reader's secret
        for key in ("issued_at", "called_at", "started_at", "finished_at", "recalled_at",
                    "slot_at"):
            if data.get(key):
                data[key] = datetime.fromisoformat(data[key])
        data["status"] = Status(data["status"])
        if data.get("ended"):
            data["ended"] = VisitEnd.from_json(data["ended"])
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Event:
    """One change to the queue, as boards and reports read it."""

    id: int
    at: datetime
    kind: str
    ticket_id: int | None = None
    code: str | None = None
    service: str | None = None
    counter: str | None = None
    staff: str | None = None
    source: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": _iso(self.at), "kind": self.kind,
                "ticket_id": self.ticket_id, "code": self.code, "service": self.service,
                "counter": self.counter, "staff": self.staff, "source": self.source,
                "details": dict(self.details)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        data = dict(data)
        data["at"] = datetime.fromisoformat(data["at"])
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class CounterState:
    """A counter window as staff and the board see it."""

    id: str
    mode: CounterMode = CounterMode.CLOSED
    staff: str | None = None
    ticket: Ticket | None = None

    def to_json(self, include_token: bool = False) -> dict[str, Any]:
        return {"id": self.id, "mode": str(self.mode), "staff": self.staff,
                "ticket": self.ticket.to_json(include_token) if self.ticket else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CounterState:
        return cls(data["id"], CounterMode(data["mode"]), data.get("staff"),
                   Ticket.from_json(data["ticket"]) if data.get("ticket") else None)


@dataclass
class Call:
    """A number called to a counter, as the board shows it."""

    event_id: int
    at: datetime
    code: str
    counter: str
    service: str
    recall: bool = False


@dataclass
class ServiceLoad:
    """How many wait for a service (or category) and for about how long."""

    id: str
    waiting: int
    estimated_wait_min: int
    oldest_wait_min: int = 0
    wait_low_min: int = 0      # the range a new visitor would be shown, when high > low
    wait_high_min: int = 0
    no_counter_open: bool = False   # no counter for it open: words, not minutes (shared/waits)
    opens_at: str | None = None


@dataclass
class Alert:
    """Something staff should see: a kiosk printer out of paper, offline…"""

    source: str
    kind: str
    message: str
    at: datetime


@dataclass
class Snapshot:
    """Everything a board shows at one instant."""

    service_day: str
    last_event_id: int
    calls: list[Call]
    services: list[ServiceLoad]
    categories: list[ServiceLoad]
    counters: list[CounterState]
    alerts: list[Alert]

    def to_json(self, include_token: bool = False) -> dict[str, Any]:
        data = asdict(self)
        for call in data["calls"]:
            call["at"] = _iso(call["at"])
        for alert in data["alerts"]:
            alert["at"] = _iso(alert["at"])
        data["counters"] = [c.to_json(include_token) for c in self.counters]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        return cls(
            service_day=data["service_day"], last_event_id=data["last_event_id"],
            calls=[Call(**{**c, "at": datetime.fromisoformat(c["at"])}) for c in data["calls"]],
            services=[ServiceLoad(**s) for s in data["services"]],
            categories=[ServiceLoad(**s) for s in data["categories"]],
            counters=[CounterState.from_json(c) for c in data["counters"]],
            alerts=[Alert(**{**a, "at": datetime.fromisoformat(a["at"])}) for a in data["alerts"]],
        )
