"""Time-outs that warn (EN 301 549 5.1.3.x, WCAG 2.2.1's spirit at a kiosk): when nobody has
touched the kiosk for the idle time, it does not go back to the start at once — it says so on
screen (and aloud in audio mode) with a countdown, and any tap or key keeps the visitor's place.
Audio mode gives more time: listening to a screen takes longer than reading it."""

from __future__ import annotations

from collections.abc import Callable

from qtcommon.timers import Timers

WARN_SECONDS = 20            # the countdown before starting over
AUDIO_IDLE_FACTOR = 2        # audio mode: twice the idle time before the warning…
AUDIO_WARN_SECONDS = 30      # …and a longer countdown
AUDIO_HOME_FACTOR = 3        # the ticket screen stays three times as long (it is read aloud)


class IdleWarning:
    """The idle timer ("idle"), then the countdown ("warn", one tick a second). `changed()` is
    called when the warning appears, counts down or goes; `expired()` when it ran out."""

    def __init__(self, timers: Timers, idle_seconds: int, changed: Callable[[bool], None],
                 expired: Callable[[], None]):
        self.timers = timers
        self.idle_seconds = idle_seconds
        self._changed, self._expired = changed, expired
        self.left: int | None = None     # seconds left while the warning shows
        self.audio = False

    @property
    def warning(self) -> bool:
        return self.left is not None

    def restart(self, audio: bool) -> None:
        """Someone acted: the full idle time again, and no warning."""
        self.audio = audio
        was = self.warning
        self.left = None
        self.timers.stop("warn")
        factor = AUDIO_IDLE_FACTOR if audio else 1
        self.timers.start("idle", self.idle_seconds * factor, self.idle)
        if was:
            self._changed(False)

    def stop(self) -> None:
        self.left = None
        self.timers.stop("idle")
        self.timers.stop("warn")

    def idle(self) -> None:
        """The idle time ran out: warn and count down."""
        self.left = AUDIO_WARN_SECONDS if self.audio else WARN_SECONDS
        self.timers.start("warn", 1, self.tick)
        self._changed(True)

    def tick(self) -> None:
        if self.left is None:
            return
        self.left -= 1
        if self.left <= 0:
            self.left = None
            self._expired()
            return
        self.timers.start("warn", 1, self.tick)
        self._changed(False)
