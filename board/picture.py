"""What a snapshot of the queue looks like on one board: its headings, the calls of its
counters (newest first, each ticket once), the waits of each category and the staff alerts —
filled into the BoardState, in the board's language. No queue, no Qt."""

from __future__ import annotations

from board.state import BoardState, CallView, WaitView
from shared.config.centre import CentreConfig
from shared.core.alerts import alert_text
from shared.core.errors import NovbeError
from shared.core.model import Alert, Snapshot
from shared.i18n import ntr, tr

LABELS = ("Now calling", "Ticket", "Counter", "Recent calls", "Waiting", "No calls yet", "~{n} min",
          "{low}–{high} min", "from {time}", "not open yet", "Reconnecting…", "For staff:")


def dress(st: BoardState, cfg: CentreConfig, lang: str, zone: str | None) -> None:
    """What the board shows before any read: centre name, zone, ticker, headings."""
    st.centre_name = cfg.name(lang)
    st.zone_name = zone or ""
    st.ticker = cfg.board.ticker.get(lang) or cfg.board.ticker.get("az", "")
    st.labels = {k: tr(lang, k) for k in LABELS}


def draw_calls(st: BoardState, snap: Snapshot, cfg: CentreConfig, counters: set[str],
               fresh: dict[int, float]) -> None:
    """The newest call and the recent ones of this board's counters (`fresh`: highlighted)."""
    seen: set[str] = set()
    calls: list[CallView] = []
    for c in snap.calls:  # newest first; a ticket is shown once, at its latest call
        if c.code in seen or c.counter not in counters:
            continue
        seen.add(c.code)
        calls.append(CallView(c.code, c.counter, c.event_id, c.recall, c.event_id in fresh))
        if len(calls) > cfg.board.history:
            break
    st.newest = calls[0] if calls else None
    st.highlighted = bool(st.newest and st.newest.fresh)
    st.recent = calls[1:cfg.board.history + 1]
    st.history_rows = cfg.board.history


def draw_waits(st: BoardState, snap: Snapshot, cfg: CentreConfig, lang: str) -> None:
    """Each category's people waiting and estimate (a category unknown to the config is left out)."""
    st.waiting = []
    for load in snap.categories:
        try:
            cat = cfg.category(load.id)
        except NovbeError:
            continue
        st.waiting.append(WaitView(cat.prefix, cat.name(lang), load.waiting, load.estimated_wait_min,
                                   load.wait_low_min, load.wait_high_min,
                                   load.no_counter_open, load.opens_at))


def draw_alerts(st: BoardState, alerts: list[Alert], lang: str) -> None:
    """The staff line's alerts, with their count (it leads the line when they take pages)."""
    st.alerts = [alert_text(lang, a) for a in alerts]
    st.alerts_heading = ntr(lang, "{n} alert", "{n} alerts", len(alerts))
