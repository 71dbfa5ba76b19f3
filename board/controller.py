"""BoardController: the board's logic, Qt-free — follows the queue, builds the BoardState,
queues announcements. A view (anything with `show(state)`) is injected and only draws.

The Qt shell (board/app.py) calls `poll()` every `feed.interval_ms` and `tick()` every second;
tests call them directly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from board.announcer import Announcer
from board.calendar_names import date_text, time_text
from board.errors import UnknownZone
from board.feed import EventFeed
from board.state import BoardState, CallView, WaitView
from shared.clock import Clock, SystemClock
from shared.config import CentreConfig
from shared.errors import QueueUnavailable
from shared.i18n import tr
from shared.model import Alert, Event, Snapshot
from shared.queue import Queue

log = logging.getLogger(__name__)

CALL_KINDS = ("called", "recalled")
ALERT_TEXTS = {"printer_paper_out": "paper out", "printer_offline": "printer offline",
               "print_failed": "print failed"}
LABELS = ("Now calling", "Ticket", "Counter", "Recent calls", "Waiting", "No calls yet", "~{n} min",
          "Reconnecting…")


class BoardView(Protocol):
    """Anything that can display a BoardState."""

    def show_state(self, state: BoardState) -> None: ...


def zone_counters(config: CentreConfig, zone: str | None) -> set[str]:
    """The counters a board for `zone` covers (all for None); UnknownZone if there are none."""
    ids = {c.id for c in config.counters if zone is None or c.zone == zone}
    if not ids:
        zones = sorted({c.zone for c in config.counters})
        raise UnknownZone(f"no counter is in zone {zone!r} (zones: {', '.join(zones)})")
    return ids


def alert_text(lang: str, alert: Alert) -> str:
    """"Kiosk 1: paper out" from a device alert."""
    source = alert.source.replace("-", " ").replace("_", " ").strip()
    source = source[:1].upper() + source[1:]
    what = tr(lang, ALERT_TEXTS[alert.kind]) if alert.kind in ALERT_TEXTS else alert.kind
    return f"{source}: {what}" + (f" ({alert.message})" if alert.message and alert.kind not in ALERT_TEXTS else "")


class BoardController:
    """Follows one queue for one board (optionally one zone)."""

    def __init__(self, queue: Queue, config: CentreConfig, feed: EventFeed,
                 view: BoardView | None = None, announcer: Announcer | None = None,
                 zone: str | None = None, lang: str | None = None, clock: Clock | None = None,
                 monotonic: Callable[[], float] = time.monotonic):
        self.queue = queue
        self.config = config
        self.feed = feed
        self.view = view
        self.announcer = announcer
        self.zone = zone
        self.counters = zone_counters(config, zone)
        self.lang = lang or config.languages[0]
        self.clock = clock or getattr(queue, "clock", None) or SystemClock()
        self.monotonic = monotonic
        self.state = BoardState(self.lang)
        self.snapshot: Snapshot | None = None
        self.updates = 0  # how many times the state was rebuilt from the queue
        self.last_event_id = 0
        self._fresh: dict[int, float] = {}  # call event id → monotonic time its highlight ends
        self._stale = False
        self.on_close: Callable[[], object] | None = None  # the Qt shell stops its timers here

    # ---- life ------------------------------------------------------------------------------
    def start(self, wakeup: Callable[[], None] | None = None) -> None:
        """Read the queue once and start following it (old calls are shown, not announced);
        `wakeup` is handed to the feed (a push feed calls it when events arrive)."""
        try:
            snap = self.queue.snapshot(self.zone)
            self.last_event_id = snap.last_event_id
            self.feed.start(snap.last_event_id, wakeup)
            self._apply(snap)
        except QueueUnavailable as exc:
            log.warning("board: queue unavailable at start: %s", exc)
            self.feed.start(0, wakeup)
            self._set_reconnecting(True)
        self.tick()

    def close(self) -> None:
        if getattr(self, "_closed", False):
            return
        self._closed = True
        if self.on_close is not None:
            self.on_close()
        self.feed.close()
        if self.announcer is not None:
            self.announcer.close()

    # ---- following the queue ---------------------------------------------------------------
    def poll(self) -> list[Event]:
        """Take the feed's new events: announce calls, refresh the screen. Never raises for an
        unreachable queue (the board keeps its last state, marked "reconnecting")."""
        try:
            events = self.feed.poll()
        except QueueUnavailable as exc:
            if not self.state.reconnecting:
                log.warning("board: queue unavailable, keeping the last state: %s", exc)
            self._set_reconnecting(True)
            return []
        if events:
            self.last_event_id = events[-1].id
            now = self.monotonic()
            for ev in events:
                if ev.kind in CALL_KINDS and self._in_zone(ev):
                    self._fresh[ev.id] = now + self.config.board.highlight_seconds
                    if self.announcer is not None and ev.code and ev.counter:
                        self.announcer.announce(ev.code, ev.counter, ev.kind == "recalled", ev.id)
        if events or self._stale or self.state.reconnecting:
            self.refresh()
        return events

    def _in_zone(self, ev: Event) -> bool:
        return self.zone is None or (ev.counter in self.counters)

    def refresh(self) -> None:
        """Re-read the snapshot and show it."""
        try:
            snap = self.queue.snapshot(self.zone)
        except QueueUnavailable as exc:
            log.warning("board: cannot read the snapshot: %s", exc)
            self._stale = True
            self._set_reconnecting(True)
            return
        self._stale = False
        self._apply(snap)

    def tick(self) -> None:
        """Once a second: the clock, and the end of highlights."""
        local = self.clock.now().astimezone(self.config.tz) if self.clock else datetime.now(UTC)
        changed = False
        for key, value in (("date_text", date_text(self.lang, local)), ("time_text", time_text(local))):
            if getattr(self.state, key) != value:
                setattr(self.state, key, value)
                changed = True
        now = self.monotonic()
        expired = [k for k, until in self._fresh.items() if until <= now]
        for k in expired:
            del self._fresh[k]
        if expired and self.snapshot is not None:
            self._apply(self.snapshot, show=False)
            changed = True
        if changed:
            self._show()

    # ---- building the state ----------------------------------------------------------------
    def _set_reconnecting(self, value: bool) -> None:
        if self.state.reconnecting != value:
            self.state.reconnecting = value
            self._show()

    def _apply(self, snap: Snapshot, show: bool = True) -> None:
        self.snapshot = snap
        cfg, lang = self.config, self.lang
        st = self.state
        st.reconnecting = False
        st.centre_name = cfg.name(lang)
        st.zone_name = self.zone or ""
        st.ticker = cfg.board.ticker.get(lang) or cfg.board.ticker.get("az", "")
        st.labels = {k: tr(lang, k) for k in LABELS}
        seen: set[str] = set()
        calls: list[CallView] = []
        for c in snap.calls:  # newest first; a ticket is shown once, at its latest call
            if c.code in seen or c.counter not in self.counters:
                continue
            seen.add(c.code)
            calls.append(CallView(c.code, c.counter, c.event_id, c.recall, c.event_id in self._fresh))
            if len(calls) > cfg.board.history:
                break
        st.newest = calls[0] if calls else None
        st.highlighted = bool(st.newest and st.newest.fresh)
        st.recent = calls[1:cfg.board.history + 1]
        st.history_rows = cfg.board.history
        st.waiting = []
        for load in snap.categories:
            try:
                cat = cfg.category(load.id)
            except Exception:  # noqa: BLE001 — a category unknown to this config is skipped
                continue
            st.waiting.append(WaitView(cat.prefix, cat.name(lang), load.waiting, load.estimated_wait_min))
        st.alerts = [alert_text(lang, a) for a in snap.alerts]
        self.updates += 1
        if show:
            self._show()

    def _show(self) -> None:
        if self.view is not None:
            self.view.show_state(self.state)
