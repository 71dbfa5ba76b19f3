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
from board.call_languages import CALL_KINDS, CallLanguages
from board.errors import UnknownZone
from board.picture import draw_alerts, draw_calls, draw_waits, dress
from board.read_scheduler import RETRY_MAX_S as RETRY_MAX_S  # re-exported: the retry limit
from board.read_scheduler import ReadScheduler
from board.rotation import LanguageRotation
from board.sound_health import SoundMonitor
from board.sound_report import SoundReporter
from board.state import BoardState
from board.version_check import VersionCheck
from qtcommon.runner import InlineRunner, Runner
from shared.config.centre import CONFIG_CHECK_SECONDS, CentreConfig
from shared.core.clock import Clock
from shared.core.errors import QueueUnavailable
from shared.core.feed import EventFeed
from shared.core.model import DEVICE_ALERT_KINDS, Event, Snapshot
from shared.core.queue import Queue

log = logging.getLogger(__name__)

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
    answers. `follow_config` (default: the queue's `fresh_config`; None on a file) is asked
    with a read every CONFIG_CHECK_SECONDS and when the queue answers again: a changed server
    config is taken while running. Without `lang` the screen's language rotates (board/rotation.py). `sound` (a
    SoundMonitor the audio sink and the announcer report to) turns a silent board into a device
    report of `source` — an alert on this board's staff line and on every counter console."""

    def __init__(self, queue: Queue, config: CentreConfig, feed: EventFeed,
                 view: BoardView | None = None, announcer: Announcer | None = None,
                 zone: str | None = None, lang: str | None = None, clock: Clock | None = None,
                 monotonic: Callable[[], float] = time.monotonic, runner: Runner | None = None,
                 fetch_config: Callable[[], CentreConfig] | None = None,
                 sound: SoundMonitor | None = None, source: str | None = None,
                 follow_config: Callable[[], CentreConfig | None] | None = None):
        self.queue = queue
        self.config = config
        self.feed = feed
        self.view = view
        self.announcer = announcer
        self.zone = zone
        self.counters = zone_counters(config, zone)
        self._lang_given = lang is not None
        self.lang = lang or config.languages[0]
        self.clock = clock or queue.clock
        self.monotonic = monotonic
        self.runner: Runner = runner or InlineRunner()
        self.fetch_config = fetch_config
        self.follow_config = follow_config or queue.fresh_config
        self._config_due = monotonic() + CONFIG_CHECK_SECONDS
        self._reconnects = 0   # the feed's reconnections seen
        self.source = source or (f"board-{zone}" if zone else "board")
        self.sound = sound
        self.sound_report = (SoundReporter(queue, self.runner, sound, self.source)
                             if sound is not None else None)
        self.version_check = VersionCheck(self.source)
        self._own_alerts = [o.staff_alerts for o in (self.sound_report, self.version_check) if o]
        self.scheduler = ReadScheduler(self.runner, monotonic)
        self._started = monotonic()
        self.rotation = LanguageRotation(config.languages)
        self.state = BoardState(self.lang)
        self._dress()
        self.snapshot: Snapshot | None = None
        self.updates = 0  # how many times the state was rebuilt from the queue
        self.last_event_id = 0
        self._fresh: dict[int, float] = {}  # call event id → monotonic time its highlight ends
        self._stale = False  # the snapshot must be read again
        self._feed_started = False
        self._refreshes = 0
        self._wakeup: Callable[[], None] | None = None
        self._closed = False
        self.on_close: Callable[[], object] | None = None  # the Qt shell stops its timers here
        self.call_languages = CallLanguages(queue)

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
        # the feed is closed on the runner's thread once the read in flight is over (closing
        # its SQLite connection under a running read would crash); a quick read is waited for
        self.runner.close(self.feed.close, CLOSE_WAIT_S)
        if self.announcer is not None:
            self.announcer.close()

    @property
    def reading(self) -> bool:
        """A read of the queue is in flight."""
        return self.scheduler.reading

    @property
    def reads(self) -> int:
        """How many reads were handed to the runner."""
        return self.scheduler.reads

    # ---- following the queue ---------------------------------------------------------------
    def poll(self) -> list[Event]:
        """Start the next read unless one is in flight or the retry time has not come. Returns
        the events applied during this call (all of them with InlineRunner; [] when the read
        runs on another thread). Never raises for an unreachable queue."""
        if self._closed or not self.scheduler.due():
            return []
        return self._read()

    def _feed_wakeup(self) -> None:
        """The feed's wakeup (any thread): news from the feed ends the retry wait."""
        self.scheduler.wake()
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
        reconnects = self.feed.reconnects
        if reconnects != self._reconnects:   # the stream is back: the server may have restarted
            self._reconnects, self._config_due = reconnects, 0.0
        config_fn: Callable[[], CentreConfig | None] | None = self.fetch_config
        if config_fn is None and self.monotonic() >= self._config_due:
            config_fn = self.follow_config
            self._config_due = self.monotonic() + CONFIG_CHECK_SECONDS

        asked = self._refreshes

        def done(result: _Read) -> None:
            applied.extend(self._done(result, asked))

        self.scheduler.submit(lambda: self._work(kind, config_fn), done, self._failed)
        return applied

    def _work(self, kind: str, config_fn: Callable[[], CentreConfig | None] | None) -> _Read:
        """One read, on the runner's thread: touches the queue and the feed, never the state."""
        out = _Read(kind)
        try:
            if config_fn is not None:
                try:
                    out.config = config_fn()
                except QueueUnavailable:
                    raise
                except Exception as exc:  # noqa: BLE001 — a bad server config: keep the local one
                    out.config_problem = f"{type(exc).__name__}: {exc}"
            if kind == "start":
                out.snapshot = self.queue.snapshot(self.zone)
                self.feed.start(out.snapshot.last_event_id, self._feed_wakeup)
            elif kind == "events":
                out.events = self.feed.poll()
                out.languages = self.call_languages.of(out.events, self._in_zone)
            else:
                out.snapshot = self.queue.snapshot(self.zone)
        except QueueUnavailable as exc:
            out.problem = exc
        return out

    def _done(self, result: _Read, asked: int) -> list[Event]:
        """A read's result, on the UI thread (`asked`: the refreshes asked for before it)."""
        if self._closed:
            return []
        if result.config_problem is not None:
            log.error("board: cannot use the server's config, keeping the one in use: %s",
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
        if self.state.reconnecting:
            self._config_due = 0.0   # back: the server may have restarted with another config
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
        self.scheduler.back_off()

    def _available(self) -> None:
        if self.state.reconnecting:
            log.warning("board: the queue answers again")
            self.state.reconnecting = False  # shown with the snapshot that follows
        self.scheduler.recovered()

    def _adopt_config(self, config: CentreConfig) -> None:
        """The server's config has arrived, or changed: use it (unless it lacks this board's
        zone)."""
        first, self.fetch_config = self.fetch_config is not None, None
        if dataclasses.replace(config, source=self.config.source) == self.config:
            if first:
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
        log.warning("board: the server answered; now using its config instead of the local one"
                    if first else "board: the server's config changed; following it")
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
        """A new sound state is reported to the queue (board/sound_report.py); True when the
        staff line changes."""
        if self.sound_report is None or self.snapshot is None:
            return False  # after the first snapshot: the board's reads come first
        if not self.sound_report.check(self.snapshot.alerts, self.state.reconnecting):
            return False
        self._apply(self.snapshot, show=False)
        return True

    # ---- building the state ----------------------------------------------------------------
    def _set_reconnecting(self, value: bool) -> None:
        if self.state.reconnecting != value:
            self.state.reconnecting = value
            self._show()

    def _dress(self) -> None:
        dress(self.state, self.config, self.lang, self.zone)

    def _apply(self, snap: Snapshot, show: bool = True) -> None:
        self.snapshot = snap
        self._dress()
        draw_calls(self.state, snap, self.config, self.counters, self._fresh)
        draw_waits(self.state, snap, self.config, self.lang)
        alerts = [a for a in snap.alerts if a.kind in DEVICE_ALERT_KINDS]
        for own in self._own_alerts:
            alerts = own(alerts, self.clock.now())
        draw_alerts(self.state, alerts, self.lang)
        self.updates += 1
        if show:
            self._show()

    def _show(self) -> None:
        if self.view is not None:
            self.view.show_state(self.state)
