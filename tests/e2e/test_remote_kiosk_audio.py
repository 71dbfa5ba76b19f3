"""Audio guidance works the same on a remote kiosk: a keypad visit over RemoteQueue (real
uvicorn) says the same as over the local file, and the outage screen is spoken too."""

from __future__ import annotations

import pytest

from kiosk.keypad import Key
from kiosk.spoken import screen_phrases
from shared.client.remote_queue import RemoteQueue
from shared.core.local_queue import LocalQueue
from tests.kiosk.recording import make_controller, press
from tests.server.live import LiveServer


def keypad_visit(ctl, clock) -> None:
    """Any key, then 2 (Русский), Enter; the labour category, Enter; 1 (regular), Enter."""
    press(ctl, clock, Key.CHOOSE)
    press(ctl, clock, Key.DIGIT, 2, think=0.5)
    press(ctl, clock, Key.CHOOSE)
    number = [n for n, _ in ctl.access.choices()].index("tile:labour") + 1
    for d in str(number):
        press(ctl, clock, Key.DIGIT, int(d), think=0.5)
    press(ctl, clock, Key.CHOOSE)
    press(ctl, clock, Key.DIGIT, 1, think=0.5)
    press(ctl, clock, Key.CHOOSE)
    assert ctl.screen.name == "ticket"


@pytest.fixture
def remote(server: LiveServer):
    queue = RemoteQueue(server.url, server.device_token, timeout=10)
    yield queue
    queue.close()


def test_a_remote_kiosk_speaks_what_a_local_one_does(server: LiveServer, remote: RemoteQueue,
                                                     tmp_path, config):
    """The same keypad script on RemoteQueue and on a LocalQueue file: the same phrases up to
    the ticket, and a ticket read aloud that the server holds."""
    ctl, view, voice, _ = make_controller(remote, remote.config, server.clock, source="kiosk-remote")
    keypad_visit(ctl, server.clock)
    ticket = ctl.screen.ticket
    assert server.queue.ticket(ticket.code).source == "kiosk-remote"
    said_remote = [p.text for s in voice.said for p in s.phrases]

    local = LocalQueue(tmp_path / "local.sqlite", config, server.clock)
    try:
        ctl2, _, voice2, _ = make_controller(local, config, server.clock, source="kiosk-remote")
        keypad_visit(ctl2, server.clock)
        said_local = [p.text for s in voice2.said for p in s.phrases]
    finally:
        local.close()
    before_ticket = said_remote.index(screen_phrases(ctl.screen, "az")[0].text)
    assert said_remote[:before_ticket] == said_local[:before_ticket]
    assert screen_phrases(ctl.screen, "az")[0].text in said_remote


def test_a_remote_kiosk_says_it_is_out_of_service_in_every_language(server: LiveServer,
                                                                     remote: RemoteQueue):
    """In audio mode, the server going away is said in az, ru and en (each in its voice)."""
    ctl, view, voice, timers = make_controller(remote, remote.config, server.clock,
                                               source="kiosk-remote")
    press(ctl, server.clock, Key.CHOOSE)
    server.handle.stop()
    press(ctl, server.clock, Key.DIGIT, 1, think=0.5)
    press(ctl, server.clock, Key.CHOOSE)              # the language: categories need no server
    number = [n for n, _ in ctl.access.choices()].index("tile:labour") + 1
    for d in str(number):
        press(ctl, server.clock, Key.DIGIT, int(d), think=0.5)
    press(ctl, server.clock, Key.CHOOSE)
    press(ctl, server.clock, Key.DIGIT, 1, think=0.5)
    press(ctl, server.clock, Key.CHOOSE)              # the issue fails: out of service
    assert ctl.screen.name == "out_of_service"
    assert [p.lang for p in voice.last.phrases] == ["az", "ru", "en"]


def test_a_remote_kiosks_help_key_reaches_the_server(server: LiveServer, remote: RemoteQueue):
    """The keypad's Help on a remote kiosk raises the alert in the server's queue (what consoles
    read) and the visitor is told help is coming."""
    ctl, view, voice, _ = make_controller(remote, remote.config, server.clock, source="kiosk-2")
    press(ctl, server.clock, Key.HELP)
    assert ctl.screen.name == "message" and ctl.screen.kind == "help"
    assert [(a.source, a.kind) for a in server.queue.snapshot().alerts] == [("kiosk-2", "help_requested")]
    assert "Kömək gəlir" in voice.last.text
