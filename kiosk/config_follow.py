"""A running kiosk follows its server's config: every few seconds it asks whether the config
changed (RemoteQueue.fresh_config: one small request, the config itself only on a new version)
and hands a new one to the kiosk — new hours close or open the kiosk at once, new services and
texts show from the next screen. A local kiosk reads its own file and follows nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from qtcommon.runner import Runner
from qtcommon.timers import Timers
from shared.config.centre import CONFIG_CHECK_SECONDS, CentreConfig
from shared.core.errors import NovbeError, QueueUnavailable

if TYPE_CHECKING:
    from kiosk.controller import KioskController

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


def adopt(ctl: KioskController, config: CentreConfig) -> None:
    """The server's config changed: the kiosk uses it from now on. Outside the new hours it
    closes at once (a visitor half-way through is told now, not after the last tap); inside
    them a closed kiosk opens; the next screens use the new services and texts. The staff PIN,
    the out-of-service languages and the idle time follow too."""
    if config == ctl.config:
        return
    log.warning("kiosk: the server's config changed; following it")
    ctl.config = config
    ctl.staff.config, ctl.staff.lock.pin = config, config.kiosk.staff_pin
    ctl.outage.languages = config.languages
    ctl.access.idle.idle_seconds = config.kiosk.idle_seconds
    if ctl.spooler is not None:
        ctl.spooler.config = config
    if ctl.screen is None or ctl.issuing:
        return
    name = ctl.screen.name
    choosing = name in ("categories", "services", "priorities")
    if name in ("language", "closed") or (choosing and not (
            config.hours.is_open(ctl.clock.now().astimezone(config.tz)) and _choice_exists(ctl))):
        ctl.home()


def _choice_exists(ctl: KioskController) -> bool:
    """The visitor's category and service so far are still in the config."""
    try:
        if ctl.category:
            ctl.config.category(ctl.category)
        if ctl.service:
            ctl.config.service(ctl.service)
    except NovbeError:
        return False
    return True
