"""What the board shows, as plain data: the view draws a BoardState and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallView:
    """One call as the board shows it: "A-015 → 7"."""

    code: str
    counter: str
    event_id: int
    recall: bool = False
    fresh: bool = False  # within its highlight time


@dataclass(frozen=True)
class WaitView:
    """One category's queue: letter, name, people waiting, estimated wait."""

    prefix: str
    name: str
    waiting: int
    estimated_wait_min: int
    wait_low_min: int = 0      # a range when high > low ("10–15 min")
    wait_high_min: int = 0
    no_counter_open: bool = False   # words instead of minutes: "from 09:00" / "not open yet"
    opens_at: str | None = None


@dataclass
class BoardState:
    """Everything on the screen at one moment, with texts already in the board's language."""

    lang: str
    centre_name: str = ""
    zone_name: str = ""
    date_text: str = ""
    time_text: str = ""
    ticker: str = ""
    newest: CallView | None = None
    highlighted: bool = False  # the newest call blinks while this is true
    recent: list[CallView] = field(default_factory=list)
    history_rows: int = 8  # rows kept for `recent`, so a short history does not grow huge
    waiting: list[WaitView] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    alerts_heading: str = ""  # "3 alerts", leading the staff line when they take pages
    reconnecting: bool = False
    labels: dict[str, str] = field(default_factory=dict)  # headings in the board's language
