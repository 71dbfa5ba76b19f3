"""The kiosk's rules through real taps: one tap one ticket, time-outs, hours, caps, lockdown,
staff exit, queue outage."""

from __future__ import annotations

import tomllib

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from shared.config.centre import default_config_path, parse_config
from shared.core.errors import QueueUnavailable
from shared.core.local_queue import LocalQueue
from shared.version import VERSION
from tests.kiosk.conftest import SIZES, find_button, screenshot, tap
from tests.kiosk.recording import RecordingVoice


def _to_priorities(qtbot, window, clock, lang="az"):
    tap(qtbot, window, f"tile:{lang}", clock)
    tap(qtbot, window, "tile:pensions", clock)
    tap(qtbot, window, "tile:pensions.age", clock)


def test_double_tap_on_priority_gives_one_ticket(qtbot, make_kiosk, clock, local_queue):
    """Two taps in quick succession on the last tile issue exactly one ticket."""
    window = make_kiosk()
    _to_priorities(qtbot, window, clock)
    tile = find_button(window, "tile:none")
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)  # the finger lands again, no time passes
    qtbot.waitUntil(lambda: window.controller.screen.name == "ticket")
    assert len([e for e in local_queue.events() if e.kind == "issued"]) == 1


def test_tiles_are_disabled_while_issuing(qtbot, make_kiosk, clock):
    """While the ticket is being issued the page does not take taps."""
    window = make_kiosk()
    _to_priorities(qtbot, window, clock)
    page = window.current_page()
    qtbot.mouseClick(find_button(window, "tile:none"), Qt.MouseButton.LeftButton)
    assert window.controller.issuing and not page.isEnabled()
    qtbot.waitUntil(lambda: window.controller.screen.name == "ticket")
    assert window.current_page().isEnabled() and not window.controller.issuing


def test_second_tap_of_a_double_tap_does_not_choose_on_the_next_screen(qtbot, make_kiosk, clock):
    """A double tap on a category does not also pick the service under the finger."""
    window = make_kiosk()
    tap(qtbot, window, "tile:ru", clock)
    qtbot.mouseClick(find_button(window, "tile:pensions"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(find_button(window, "tile:pensions.age"), Qt.MouseButton.LeftButton)
    assert window.controller.screen.name == "services"
    clock.advance(1)
    qtbot.mouseClick(find_button(window, "tile:pensions.age"), Qt.MouseButton.LeftButton)
    assert window.controller.screen.name == "priorities"


def test_idle_timeout_warns_then_returns_to_the_language_screen(qtbot, make_kiosk, clock, config,
                                                                artifacts):
    """Nobody touches the screen for idle_seconds: a warning counts down on screen, then the
    kiosk starts over."""
    from kiosk.timeouts import WARN_SECONDS

    window = make_kiosk()
    _to_priorities(qtbot, window, clock)
    assert window.timers.interval("idle") == config.kiosk.idle_seconds
    window.timers.fire("idle")
    assert window.controller.screen.name == "priorities"
    assert find_button(window, "tile:none") and window.findChild(QWidget, "timeout-warning").isVisible()
    screenshot(window, artifacts, "timeout-warning")
    banner = window.findChild(QWidget, "timeout-warning")
    qtbot.mouseClick(banner, Qt.MouseButton.LeftButton)   # keeps the place, presses nothing under it
    assert window.controller.screen.name == "priorities" and not banner.isVisible()
    clock.advance(2)
    window.timers.fire("idle")
    for _ in range(WARN_SECONDS):
        window.timers.fire("warn")
    assert window.controller.screen.name == "language"
    assert not window.timers.active("idle")


def test_ticket_screen_goes_home_after_the_configured_time(qtbot, make_kiosk, clock, config):
    """The ticket stays home_after_seconds, then the next visitor sees the language screen."""
    window = make_kiosk()
    _to_priorities(qtbot, window, clock)
    tap(qtbot, window, "tile:none", clock)
    qtbot.waitUntil(lambda: window.controller.screen.name == "ticket")
    assert window.timers.interval("home") == config.kiosk.home_after_seconds
    window.timers.fire("home")
    assert window.controller.screen.name == "language"


def test_closed_outside_hours_and_reopens(qtbot, make_kiosk, clock, artifacts):
    """On Sunday the kiosk shows the closed screen with the week's hours, every text in every
    language (nobody has chosen one); on Monday it opens."""
    clock.set("2026-11-22T08:00:00+00:00")  # Sunday 12:00 in Baku
    for size in ("landscape", "portrait", "tablet"):
        window = make_kiosk(SIZES[size])
        screen = window.controller.screen
        assert screen.name == "closed"
        assert screen.hours[0] == ("Bazar ertəsi · Понедельник · Monday", "09:00–18:00")
        assert screen.hours[6] == ("Bazar · Воскресенье · Sunday", "bağlıdır · выходной · closed")
        assert screen.hours_title == "İş saatları · Часы работы · Opening hours"
        screenshot(window, artifacts, f"closed-{size}")
    clock.set("2026-11-23T05:00:00+00:00")  # Monday 09:00
    window.timers.fire("reopen")
    assert window.controller.screen.name == "language"


def test_closing_while_choosing_shows_closed_instead_of_a_ticket(qtbot, make_kiosk, clock, local_queue):
    """A visitor who reaches the last tap after closing time gets the closed screen, no ticket."""
    window = make_kiosk()
    _to_priorities(qtbot, window, clock)
    clock.set("2026-11-23T14:30:00+00:00")  # 18:30 in Baku
    tap(qtbot, window, "tile:none", clock)
    qtbot.waitUntil(lambda: window.controller.screen.name == "closed")
    assert not [e for e in local_queue.events() if e.kind == "issued"]


@pytest.fixture
def capped_config():
    with default_config_path().open("rb") as fh:
        data = tomllib.load(fh)
    pensions = next(c for c in data["category"] if c["id"] == "pensions")
    pensions["daily_cap"] = 1
    return parse_config(data, "capped")


def test_daily_cap_says_so_instead_of_issuing(qtbot, make_kiosk, clock, capped_config, db_path, artifacts):
    """When a service's tickets for today are all issued, the kiosk says so in the visitor's
    language."""
    queue = LocalQueue(db_path, capped_config, clock)
    queue.issue("pensions.age")
    window = make_kiosk(queue=queue, cfg=capped_config)
    _to_priorities(qtbot, window, clock, lang="ru")
    tap(qtbot, window, "tile:none", clock)
    qtbot.waitUntil(lambda: window.controller.screen.name == "message")
    screen = window.controller.screen
    assert screen.kind == "daily_cap" and "закончились" in screen.body
    screenshot(window, artifacts, "daily-cap-ru")
    assert len([e for e in queue.events() if e.kind == "issued"]) == 1
    queue.close()


def test_past_closing_estimate_says_so(qtbot, make_kiosk, clock, local_queue, artifacts):
    """Near closing, a service whose queue would run past closing time is refused politely."""
    clock.set("2026-11-23T13:45:00+00:00")  # 17:45 in Baku
    for _ in range(12):  # 12 × 7 min over the 4 counters serving pensions: past 18:00
        local_queue.issue("pensions.age")
    window = make_kiosk()
    _to_priorities(qtbot, window, clock, lang="en")
    tap(qtbot, window, "tile:none", clock)
    qtbot.waitUntil(lambda: window.controller.screen.name == "message")
    screen = window.controller.screen
    assert screen.kind == "past_closing" and "18:00" in screen.body
    screenshot(window, artifacts, "past-closing-en")


@pytest.mark.parametrize("key,modifier", [
    (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
    (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_Return, Qt.KeyboardModifier.AltModifier),
    (Qt.Key.Key_F12, Qt.KeyboardModifier.NoModifier),
])
def test_keyboard_cannot_leave_or_act(qtbot, make_kiosk, clock, key, modifier):
    """Alt+F4, Ctrl+Q, keys held with Ctrl/Alt and keys that are no keypad key do nothing, and
    a close request is refused."""
    window = make_kiosk()
    tap(qtbot, window, "tile:az", clock)
    qtbot.keyClick(window, key, modifier)
    qtbot.keyClick(window.current_page(), key, modifier)
    window.close()
    assert window.isVisible()
    assert window.controller.screen.name == "categories" and not window.controller.access.audio


def test_escape_is_the_keypads_back_and_never_leaves(qtbot, make_kiosk, clock):
    """Escape is a keypad key (Back): it turns audio help on, then goes back — the window stays."""
    window = make_kiosk(voice=RecordingVoice())
    tap(qtbot, window, "tile:az", clock)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.controller.access.audio and window.controller.screen.name == "categories"
    clock.advance(1)
    qtbot.keyClick(window.current_page(), Qt.Key.Key_Escape)
    window.close()
    assert window.isVisible() and window.controller.screen.name == "language"


def test_locked_window_is_frameless_full_screen_without_cursor(qtbot, make_kiosk):
    """lock_down() makes the window frameless, full screen and hides the cursor."""
    window = make_kiosk()
    window.lock_down()
    qtbot.waitUntil(window.isFullScreen)
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert window.cursor().shape() == Qt.CursorShape.BlankCursor


def test_staff_leave_with_hidden_corner_and_pin(qtbot, make_kiosk, clock, config, artifacts):
    """Five taps in the hidden corner open the PIN pad; a wrong PIN is refused, the right one exits."""
    window = make_kiosk()
    for _ in range(5):
        qtbot.mouseClick(find_button(window, "staff-corner"), Qt.MouseButton.LeftButton)
    assert window.controller.screen.name == "pin"
    for key in "1111":
        tap(qtbot, window, f"pin:{key}", clock, think=0)
    tap(qtbot, window, "pin:✓", clock, think=0)
    assert window.controller.screen.error
    screenshot(window, artifacts, "staff-pin-wrong")
    with qtbot.waitSignal(window.exited):
        for key in config.kiosk.staff_pin:
            tap(qtbot, window, f"pin:{key}", clock, think=0)
        tap(qtbot, window, "pin:✓", clock, think=0)
    assert not window.isVisible()


def test_four_corner_taps_do_nothing(qtbot, make_kiosk, clock):
    """Fewer taps than needed, or a pause over 3 s between two of them, never open the PIN pad."""
    window = make_kiosk()
    for _ in range(4):
        qtbot.mouseClick(find_button(window, "staff-corner"), Qt.MouseButton.LeftButton)
    clock.advance(3.5)
    qtbot.mouseClick(find_button(window, "staff-corner"), Qt.MouseButton.LeftButton)
    assert window.controller.screen.name == "language"


class SwitchableQueue:
    """The real LocalQueue behind a switch that cuts it off like a lost network would."""

    def __init__(self, queue: LocalQueue):
        self._queue = queue
        self.config = queue.config
        self.down = False

    def __getattr__(self, name):
        attr = getattr(self._queue, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            if self.down:
                raise QueueUnavailable("the queue server cannot be reached")
            return attr(*args, **kwargs)
        return call


def test_queue_outage_shows_out_of_service_and_recovers(qtbot, make_kiosk, clock, local_queue, artifacts):
    """When the queue cannot be reached the kiosk says it is out of service, asks again by
    itself, and returns to the language screen once the queue answers."""
    queue = SwitchableQueue(local_queue)
    window = make_kiosk(queue=queue)
    _to_priorities(qtbot, window, clock)
    queue.down = True
    tap(qtbot, window, "tile:none", clock)
    qtbot.waitUntil(lambda: window.controller.screen.name == "out_of_service")
    screenshot(window, artifacts, "out-of-service")
    assert window.timers.active("probe")
    window.timers.fire("probe")  # still down: asks again later
    qtbot.waitUntil(lambda: window.timers.active("probe"))
    assert window.controller.screen.name == "out_of_service"
    queue.down = False
    window.timers.fire("probe")
    qtbot.waitUntil(lambda: window.controller.screen.name == "language")


class LostAnswerQueue(SwitchableQueue):
    """The real queue issues the ticket, but the answer is lost on the way back (a server that
    committed after the kiosk's time-out)."""

    def issue(self, *args, **kwargs):
        self._queue.issue(*args, **kwargs)
        self.down = True
        raise QueueUnavailable("the queue server did not answer in time")


def test_a_ticket_issued_after_the_kiosk_gave_up_is_withdrawn(qtbot, make_kiosk, clock, local_queue,
                                                              caplog):
    """The kiosk said "out of service"; the queue had issued the ticket anyway. When the queue
    answers again the kiosk finds it by its request id, cancels it (no phantom is called) and
    says so in its log."""
    queue = LostAnswerQueue(local_queue)
    window = make_kiosk(queue=queue)
    _to_priorities(qtbot, window, clock)
    tap(qtbot, window, "tile:none", clock)
    qtbot.waitUntil(lambda: window.controller.screen.name == "out_of_service")
    phantom = local_queue.waiting()[0]
    assert window.controller.abandoned
    queue.down = False
    window.timers.fire("probe")
    qtbot.waitUntil(lambda: local_queue.ticket(phantom.code).status == "cancelled")
    assert local_queue.waiting() == [] and window.controller.abandoned.pending == []
    qtbot.waitUntil(lambda: window.controller.screen.name == "language")
    # the answer reaches the window's thread after the cancel: awaited here, not in a later test
    qtbot.waitUntil(lambda: f"cancelled {phantom.code}: issued after this kiosk had given up"
                    in caplog.text)


def test_kiosk_started_while_the_queue_is_down_waits_for_it(qtbot, make_kiosk, local_queue):
    """A remote kiosk that starts before its server shows out of service until it answers."""
    queue = SwitchableQueue(local_queue)
    queue.down = True
    window = make_kiosk(queue=queue)
    qtbot.waitUntil(lambda: window.controller.screen.name == "out_of_service")
    queue.down = False
    window.timers.fire("probe")
    qtbot.waitUntil(lambda: window.controller.screen.name == "language")


def _open_pin_pad(qtbot, window):
    for _ in range(5):
        qtbot.mouseClick(find_button(window, "staff-corner"), Qt.MouseButton.LeftButton)
    assert window.controller.screen.name == "pin"


def _enter_pin(qtbot, window, clock, pin):
    for key in pin:
        tap(qtbot, window, f"pin:{key}", clock, think=0)
    tap(qtbot, window, "pin:✓", clock, think=0)


def test_pin_pad_locks_after_five_wrong_pins(qtbot, make_kiosk, clock, config, artifacts, caplog):
    """Five wrong PINs lock the keypad for 60 s (said on screen, logged); even the right PIN
    does nothing then, leaving and coming back does not unlock it; after the lock it works."""
    window = make_kiosk()
    ctl = window.controller
    _open_pin_pad(qtbot, window)
    for attempt in range(4):
        _enter_pin(qtbot, window, clock, "1111")
        assert ctl.screen.error == "Yanlış PİN kod" and not ctl.screen.locked, attempt
    with caplog.at_level("WARNING", logger="kiosk.staff_exit"):
        _enter_pin(qtbot, window, clock, "1111")
    assert ctl.screen.locked and "10:01:00" in ctl.screen.error  # 10:00:00 + 60 s, Baku time
    assert "locked for 60 s" in caplog.text
    assert window.timers.interval("pin_lock") == 60
    assert not find_button(window, "pin:1").isEnabled()
    assert find_button(window, "pin-cancel").isEnabled()
    screenshot(window, artifacts, "staff-pin-locked")

    for key in config.kiosk.staff_pin:  # the keys are off, and the controller refuses them too
        ctl.tap_pin_key(key)
    ctl.tap_pin_key("✓")
    assert ctl.screen.name == "pin" and ctl.screen.locked and window.isVisible()

    tap(qtbot, window, "pin-cancel", clock, think=0)
    _open_pin_pad(qtbot, window)
    assert ctl.screen.locked  # the lock is the kiosk's, not the screen's

    clock.advance(30)
    window.timers.fire("pin_lock")  # a timer firing early does not unlock it
    assert ctl.screen.locked and window.timers.active("pin_lock")
    clock.advance(30)
    window.timers.fire("pin_lock")
    assert ctl.screen.name == "pin" and not ctl.screen.locked and not ctl.screen.error
    assert find_button(window, "pin:1").isEnabled()
    with qtbot.waitSignal(window.exited):
        _enter_pin(qtbot, window, clock, config.kiosk.staff_pin)


def test_pin_lock_doubles_when_the_wrong_pins_go_on(qtbot, make_kiosk, clock):
    """After a lock runs out, five more wrong PINs lock the pad for twice as long."""
    window = make_kiosk()
    _open_pin_pad(qtbot, window)
    for _ in range(5):
        _enter_pin(qtbot, window, clock, "0000")
    assert window.timers.interval("pin_lock") == 60
    clock.advance(60)
    window.timers.fire("pin_lock")
    for _ in range(5):
        _enter_pin(qtbot, window, clock, "0000")
    assert window.controller.screen.locked and window.timers.interval("pin_lock") == 120


def test_a_server_that_does_not_support_the_kiosk_puts_it_out_of_service(
        qtbot, make_kiosk, local_queue, monkeypatch, artifacts):
    """The heartbeat's answer names a version the kiosk's is not supported by: the kiosk is out
    of service at once, with a line for staff naming both versions (no probe brings it back);
    an answer from a server that supports it brings the language screen back."""
    monkeypatch.setattr("kiosk.outage.VERSION", "0.1.0")     # this kiosk is older than the file
    window = make_kiosk()
    qtbot.waitUntil(lambda: window.controller.screen.name == "out_of_service")
    screen = window.controller.screen
    assert f"bu kiosk 0.1.0 versiyasında işləyir; server {VERSION}" in screen.bodies[0]
    assert "Update this kiosk." in screen.bodies[-1]
    assert not window.timers.active("probe")
    screenshot(window, artifacts, "out-of-service-version")
    window.controller.outage.server_version("0.1.4")          # a server of its own version
    qtbot.waitUntil(lambda: window.controller.screen.name == "language")
