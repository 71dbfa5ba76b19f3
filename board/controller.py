"""BoardController: the board's logic, Qt-free — follows the queue, builds the BoardState,
queues announcements. A view (anything with `show_state(state)`) is injected and only draws.

The Qt shell (board/app.py) calls `poll()` every `feed.interval_ms` and `tick()` every second,
on the UI thread; tests call them directly. Neither ever waits for the queue: every read (the
first snapshot, the feed's new events, a fresh snapshot) is handed to an injected Runner
(qtcommon/runner.py) — a worker thread in the Qt shell, InlineRunner (at once) by default — and
its result is applied when the runner calls back on the UI thread. At most one read is in
flight; while the queue is unavailable the board keeps its last state, shows "reconnecting"
and tries again after 1 s, 2 s, 4 s, 8 s, then every 10 s (at once when the feed wakes it)."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from board.announcer import Announcer
from board.calendar_names import date_text, time_text
from board.errors import UnknownZone
from board.feed import EventFeed
from board.rotation import LanguageRotation
from board.sound_health import SoundMonitor, SoundState
from board.state import BoardState, CallView, WaitView
from qtcommon.runner import InlineRunner, Runner
from shared.backoff import Backoff
from shared.config.centre import CentreConfig
from shared.core.alerts import alert_text
from shared.core.clock import Clock, SystemClock
from shared.core.errors import NovbeError, QueueUnavailable
from shared.core.model import DEVICE_ALERT_KINDS, Alert, Event, Snapshot
from shared.core.queue import Queue
from shared.i18n import tr

log = logging.getLogger(__name__)

CALL_KINDS = ("called", "recalled")
LABELS = ("Now calling", "Ticket", "Counter", "Recent calls", "Waiting", "No calls yet", "~{n} min",
          "{low}–{high} min", "Reconnecting…", "For staff:")
RETRY_FIRST_S, RETRY_MAX_S = 1.0, 10.0
CLOSE_WAIT_S = 2.0  # close() waits this long at most for a read in flight


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


@dataclass
class _Read:
    """What one read of the queue brought back (made on the runner's thread)."""

    kind: str  # "start" (first snapshot, then the feed starts), "events" or "snapshot"
    events: list[Event] = field(default_factory=list)
    snapshot: Snapshot | None = None
    config: CentreConfig | None = None
    config_problem: str | None = None  # the server's config came but cannot be used
    problem: QueueUnavailable | None = None
    languages: dict[int, str] = field(default_factory=dict)  # call event id → ticket's language


class BoardController:
    """Follows one queue for one board (optionally one zone).

    `fetch_config`, when given, is called (off the UI thread) until it answers: a board whose
    server was unreachable at start shows with a local config and takes the server's when it
    answers. Without `lang` the screen's language rotates (board/rotation.py). `sound` (a
    SoundMonitor the audio sink and the announcer report to) turns a silent board into a device
    report of `source` — an alert on this board's staff line and on every counter console."""

    def __init__(self, queue: Queue, config: CentreConfig, feed: EventFeed,
                 view: BoardView | None = None, announcer: Announcer | None = None,
                 zone: str | None = None, lang: str | None = None, clock: Clock | None = None,
                 monotonic: Callable[[], float] = time.monotonic, runner: Runner | None = None,
                 fetch_config: Callable[[], CentreConfig] | None = None,
                 sound: SoundMonitor | None = None, source: str | None = None):
        self.queue = queue
        self.config = config
        self.feed = feed
        self.view = view
        self.announcer = announcer
        self.zone = zone
        self.counters = zone_counters(config, zone)
        self._lang_given = lang is not None
        self.lang = lang or config.languages[0]
        self.clock = clock or getattr(queue, "clock", None) or SystemClock()
        self.monotonic = monotonic
        self.runner: Runner = runner or InlineRunner()
        self.fetch_config = fetch_config
        self.source = source or (f"board-{zone}" if zone else "board")
        self.sound = sound
        self.sound_state: SoundState | None = None  # the last state reported (or being reported)
        self._sound_unsent: SoundState | None = None  # to report again once the queue answers
        self._started = monotonic()
        self.rotation = LanguageRotation(config.languages)
        self.state = BoardState(self.lang)
        self._dress()
        self.snapshot: Snapshot | None = None
        self.updates = 0  # how many times the state was rebuilt from the queue
        self.reads = 0  # how many reads were handed to the runner
        self.last_event_id = 0
        self._fresh: dict[int, float] = {}  # call event id → monotonic time its highlight ends
        self._stale = False  # the snapshot must be read again
        self._feed_started = False
        self._reading = False
        self._retry_at: float | None = None  # no read before this (monotonic), while unavailable
        self._backoff = Backoff(RETRY_FIRST_S, RETRY_MAX_S)
        self._wakes = 0  # bumped by the feed's wakeup (any thread)
        self._wakes_at_read = 0
        self._refreshes = 0
        self._wakeup: Callable[[], None] | None = None
        self._closed = False
        self.on_close: Callable[[], object] | None = None  # the Qt shell stops its timers here
        self._ticket_languages: dict[int, str] = {}  # ticket id → language, from "issued" events

    # ---- life ------------------------------------------------------------------------------
    def start(self, wakeup: Callable[[], None] | None = None) -> None:
        """Show the clock and start reading the queue: the first snapshot (old calls are shown,
        not announced), then the feed from its last event. `wakeup` is handed to the feed (a
        push feed calls it, from any thread, when events arrive or its connection changes)."""
        self._wakeup = wakeup
        self.tick()
        self._read()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.on_close is not None:
            self.on_close()
        close_runner = getattr(self.runner, "close", None)
        if callable(close_runner):
            # the feed is closed on the runner's thread once the read in flight is over (closing
            # its SQLite connection under a running read would crash); a quick read is waited for
            close_runner(self.feed.close, CLOSE_WAIT_S)
        else:
            self.feed.close()
        if self.announcer is not None:
            self.announcer.close()

    @property
    def reading(self) -> bool:
        """A read of the queue is in flight."""
        return self._reading

    # ---- following the queue ---------------------------------------------------------------
    def poll(self) -> list[Event]:
        """Start the next read unless one is in flight or the retry time has not come. Returns
        the events applied during this call (all of them with InlineRunner; [] when the read
        runs on another thread). Never raises for an unreachable queue."""
        if self._closed or self._reading:
            return []
        if (self._retry_at is not None and self.monotonic() < self._retry_at
                and self._wakes == self._wakes_at_read):
            return []
        return self._read()

    def _feed_wakeup(self) -> None:
        """The feed's wakeup (any thread): news from the feed ends the retry wait."""
        self._wakes += 1
        if self._wakeup is not None:
            self._wakeup()

    @property
    def following(self) -> bool:
        """The first snapshot is in and the feed follows the events after it: calls committed
        from now on are announced (those before are the board's starting picture)."""
        return self._feed_started

    def refresh(self) -> None:
        """Read the snapshot again (soon) and show it."""
        self._stale = True
        self._refreshes += 1  # a read already in flight does not count as this one
        self.poll()

    def _read(self) -> list[Event]:
        return self._submit("events" if self._feed_started else "start")

    def _submit(self, kind: str) -> list[Event]:
        applied: list[Event] = []
        want_config = self.fetch_config is not None

        asked = self._refreshes

        def done(result: _Read) -> None:
            applied.extend(self._done(result, asked))

        self._reading = True
        self._wakes_at_read = self._wakes
        self.reads += 1
        self.runner.run(lambda: self._work(kind, want_config), done, self._failed)
        return applied

    def _work(self, kind: str, want_config: bool) -> _Read:
        """One read, on the runner's thread: touches the queue and the feed, never the state."""
        out = _Read(kind)
        try:
            if want_config and self.fetch_config is not None:
                try:
                    out.config = self.fetch_config()
                except QueueUnavailable:
                    raise
                except Exception as exc:  # noqa: BLE001 — a bad server config: keep the local one
                    out.config_problem = f"{type(exc).__name__}: {exc}"
            if kind == "start":
                out.snapshot = self.queue.snapshot(self.zone)
                self.feed.start(out.snapshot.last_event_id, self._feed_wakeup)
            elif kind == "events":
                out.events = self.feed.poll()
                out.languages = self._call_languages(out.events)
            else:
                out.snapshot = self.queue.snapshot(self.zone)
        except QueueUnavailable as exc:
            out.problem = exc
        return out

    def _call_languages(self, events: list[Event]) -> dict[int, str]:
        """The ticket's language of each call among `events` (on the runner's thread): from the
        "issued" event when the board saw it, else asked of the queue (a ticket issued before
        the board started)."""
        out: dict[int, str] = {}
        for ev in events:
            if ev.kind == "issued" and ev.ticket_id is not None and ev.details.get("language"):
                self._ticket_languages[ev.ticket_id] = str(ev.details["language"])
            elif ev.kind in CALL_KINDS and ev.code and self._in_zone(ev):
                lang = self._ticket_languages.get(ev.ticket_id or -1)
                if lang is None:
                    try:
                        lang = self.queue.ticket(ev.code).language
                    except NovbeError as exc:  # QueueUnavailable included: announced in az only
                        log.warning("board: the language of %s is unknown (%s)", ev.code, exc)
                        continue
                    if ev.ticket_id is not None:
                        self._ticket_languages[ev.ticket_id] = lang
                out[ev.id] = lang
        if len(self._ticket_languages) > 5000:  # a long day: keep memory flat
            self._ticket_languages.clear()
        return out

    def _done(self, result: _Read, asked: int) -> list[Event]:
        """A read's result, on the UI thread (`asked`: the refreshes asked for before it)."""
        self._reading = False
        if self._closed:
            return []
        if result.config_problem is not None and self.fetch_config is not None:
            log.error("board: cannot use the server's config, keeping the local one: %s",
                      result.config_problem)
            self.fetch_config = None
        if result.config is not None:
            self._adopt_config(result.config)
        if result.kind == "start" and result.snapshot is not None:
            self._feed_started = True
            self.last_event_id = result.snapshot.last_event_id
        events = result.events
        if events:
            self._take_events(events, result.languages)
        if result.problem is not None:
            self._unavailable(result.problem)
            return events
        if result.snapshot is not None:
            self._stale = self._refreshes != asked  # a refresh asked for meanwhile still waits
            self._available()
            self._apply(result.snapshot)
            return events
        if events or self._stale or self.state.reconnecting:
            # the feed answered: read the snapshot now (announcements are already queued)
            self._stale = True
            events = events + self._submit("snapshot")
        return events

    def _failed(self, exc: BaseException) -> None:
        """A read raised something unexpected: log it and retry as for an unavailable queue."""
        self._reading = False
        if self._closed:
            return
        if not self.state.reconnecting:  # the traceback once, not at every retry
            log.error("board: reading the queue failed: %r", exc, exc_info=exc)
        self._unavailable(QueueUnavailable(f"reading the queue failed: {exc}"))

    def _take_events(self, events: list[Event], languages: dict[int, str] | None = None) -> None:
        """Announce the calls (in the board's languages and the ticket's) and highlight them."""
        self.last_event_id = events[-1].id
        now = self.monotonic()
        for ev in events:
            if ev.kind in CALL_KINDS and self._in_zone(ev):
                self._fresh[ev.id] = now + self.config.board.highlight_seconds
                if self.announcer is not None and ev.code and ev.counter:
                    self.announcer.announce(ev.code, ev.counter, ev.kind == "recalled", ev.id,
                                            language=(languages or {}).get(ev.id))

    def _unavailable(self, exc: QueueUnavailable) -> None:
        if not self.state.reconnecting:
            log.warning("board: queue unavailable, keeping the last state: %s", exc)
        self._set_reconnecting(True)
        self._retry_at = self.monotonic() + self._backoff.failed()

    def _available(self) -> None:
        if self.state.reconnecting:
            log.warning("board: the queue answers again")
            self.state.reconnecting = False  # shown with the snapshot that follows
        self._retry_at = None
        self._backoff.succeeded()

    def _adopt_config(self, config: CentreConfig) -> None:
        """The server's config has arrived: use it (unless it lacks this board's zone)."""
        self.fetch_config = None
        if dataclasses.replace(config, source=self.config.source) == self.config:
            log.warning("board: the server answered; its config is the local one")
            return
        try:
            counters = zone_counters(config, self.zone)
        except UnknownZone as exc:
            log.error("board: the server's config cannot be used (%s); keeping the local one", exc)
            return
        self.config, self.counters = config, counters
        self.rotation = LanguageRotation(config.languages)
        if not self._lang_given:
            self.lang = self.state.lang = config.languages[0]
        if self.announcer is not None:
            self.announcer.languages = tuple(config.board.speech_languages)
        log.warning("board: the server answered; now using its config instead of the local one")
        self._dress()
        if self.snapshot is not None:
            self._apply(self.snapshot)
        else:
            self._show()

    def _in_zone(self, ev: Event) -> bool:
        return self.zone is None or (ev.counter in self.counters)

    def tick(self) -> None:
        """Once a second: the clock, the language's turn, the end of highlights, and the sound's
        state (its report is handed to the runner; no queue reads)."""
        local = self.clock.now().astimezone(self.config.tz) if self.clock else datetime.now(UTC)
        changed = self._rotate()
        changed = self._check_sound() or changed
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

    def _rotate(self) -> bool:
        """Show the language whose turn it is (unless the board was given one)."""
        if self._lang_given:
            return False
        lang = self.rotation.language(self.monotonic() - self._started)
        if lang == self.lang:
            return False
        self.lang = self.state.lang = lang
        if self.snapshot is not None:
            self._apply(self.snapshot, show=False)
        else:
            self._dress()
        return True

    # ---- the board's own sound -------------------------------------------------------------
    def _check_sound(self) -> bool:
        """A new sound state (heard / silent / chime only) is reported to the queue as this
        board's device state; returns True when the staff line changes."""
        if self.sound is None or self.snapshot is None:
            return False  # after the first snapshot: the board's reads come first
        state = self.sound.take_change()
        if state is None:
            if self._sound_unsent is not None and not self.state.reconnecting:
                self._report_sound(self._sound_unsent)
            return False
        first = self.sound_state is None
        self.sound_state = state
        if state.kind != "board_ok":
            log.warning("board %s: %s (%s)", self.source, state.kind, state.message)
        elif first and not any(a.source == self.source for a in self.snapshot.alerts):
            return False  # heard from the start, and no old alert to clear: nothing to report
        else:
            log.warning("board %s: calls are heard again", self.source)
        self._report_sound(state)
        if self.snapshot is not None:
            self._apply(self.snapshot, show=False)
        return True

    def _report_sound(self, state: SoundState) -> None:
        self._sound_unsent = None

        def failed(exc: BaseException) -> None:
            if isinstance(exc, QueueUnavailable):
                self._sound_unsent = state  # sent again when the queue answers
            else:
                log.error("board %s: cannot report %s to the queue: %s", self.source,
                          state.kind, exc)

        self.runner.run(lambda: self.queue.report_device(self.source, state.kind, state.message),
                        lambda _: None, failed)

    def _own_alert(self) -> Alert | None:
        """This board's sound alert as it knows it itself (shown even while the queue has not
        got it yet, or cannot be reached)."""
        st = self.sound_state
        if st is None or st.kind not in DEVICE_ALERT_KINDS:
            return None
        return Alert(self.source, st.kind, st.message, self.clock.now())

    # ---- building the state ----------------------------------------------------------------
    def _set_reconnecting(self, value: bool) -> None:
        if self.state.reconnecting != value:
            self.state.reconnecting = value
            self._show()

    def _dress(self) -> None:
        """What the board shows before any read: centre name, zone, ticker, headings."""
        cfg, lang, st = self.config, self.lang, self.state
        st.centre_name = cfg.name(lang)
        st.zone_name = self.zone or ""
        st.ticker = cfg.board.ticker.get(lang) or cfg.board.ticker.get("az", "")
        st.labels = {k: tr(lang, k) for k in LABELS}

    def _apply(self, snap: Snapshot, show: bool = True) -> None:
        self.snapshot = snap
        cfg, lang = self.config, self.lang
        st = self.state
        self._dress()
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
            st.waiting.append(WaitView(cat.prefix, cat.name(lang), load.waiting, load.estimated_wait_min,
                                       load.wait_low_min, load.wait_high_min))
        alerts = [a for a in snap.alerts if a.kind in DEVICE_ALERT_KINDS]
        own = self._own_alert()
        if own is not None:
            if not any(a.source == self.source for a in alerts):
                alerts.append(own)  # not in the queue yet (or the queue is out of reach)
        elif self.sound_state is not None:  # heard again: its old alert is being cleared
            alerts = [a for a in alerts if a.source != self.source]
        st.alerts = [alert_text(lang, a) for a in alerts]
        self.updates += 1
        if show:
            self._show()

    def _show(self) -> None:
        if self.view is not None:
            self.view.show_state(self.state)
