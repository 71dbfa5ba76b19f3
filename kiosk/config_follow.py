"""A running kiosk follows its server's config: every few seconds it asks whether the config
changed (RemoteQueue.fresh_config: one small request, the config itself only on a new version)
and hands a new one to the kiosk — new hours close or open the kiosk at once, new services and
texts show from the next screen. A local kiosk reads its own file and follows nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable

from qtcommon.runner import Runner
from qtcommon.timers import Timers
from shared.config.centre import CONFIG_CHECK_SECONDS, CentreConfig
from shared.core.errors import QueueUnavailable

log = logging.getLogger(__name__)

TIMER = "config"


class ConfigFollower:
    """Asks `fetch` (off the UI thread) every CONFIG_CHECK_SECONDS, and at once when told."""

    def __init__(self, fetch: Callable[[], CentreConfig | None], adopt: Callable[[CentreConfig], None],
                 timers: Timers, runner: Runner, seconds: float = CONFIG_CHECK_SECONDS):
        self.fetch = fetch
        self.adopt = adopt
        self.timers = timers
        self.runner = runner
        self.seconds = seconds
        self.asking = False
        self._failing = False

    def start(self) -> None:
        self.timers.start(TIMER, self.seconds, self.check)

    def check(self) -> None:
        """Ask now (unless a question is on its way); the next one is in CONFIG_CHECK_SECONDS."""
        self.timers.start(TIMER, self.seconds, self.check)
        if self.asking:
            return
        self.asking = True
        self.runner.run(self.fetch, self._answered, self._failed)

    def _answered(self, config: CentreConfig | None) -> None:
        self.asking = False
        if self._failing:
            log.warning("kiosk: the server's config can be read again")
            self._failing = False
        if config is not None:
            self.adopt(config)

    def _failed(self, exc: BaseException) -> None:
        self.asking = False
        if not self._failing and not isinstance(exc, QueueUnavailable):
            log.error("kiosk: cannot read the server's config, keeping the one in use: %s", exc)
        self._failing = True
