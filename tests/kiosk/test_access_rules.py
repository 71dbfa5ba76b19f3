"""The kiosk's accessibility rules without Qt (a recording view and voice, manual timers, a real
LocalQueue): audio mode by keypad and touch, what is said, time-out warnings, large text, help,
the staff exit."""

from __future__ import annotations

import pytest

from kiosk.keypad import Key
from kiosk.menus import LARGE_PAGE
from kiosk.speaker import DEFAULT_VOLUME_LEVEL
from kiosk.spoken import screen_phrases
from kiosk.timeouts import AUDIO_IDLE_FACTOR, AUDIO_WARN_SECONDS, WARN_SECONDS
from shared.speech.numbers import spoken_code
from tests.kiosk.recording import make_controller, press


def number_of(ctl, name: str) -> int:
    return [n for n, _ in ctl.access.choices()].index(name) + 1


def go_by_digits(ctl, clock, name: str) -> None:
    """Press the choice's number (one or two digits), then Enter."""
    for d in str(number_of(ctl, name)):
        press(ctl, clock, Key.DIGIT, int(d), think=0.5)
    assert ctl.access.focus == name
    press(ctl, clock, Key.CHOOSE)


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_a_keypad_visit_in_audio_mode_is_spoken_throughout(local_queue, config, clock, lang):
    """Any key starts audio help; the first screen offers each language in its own voice; digits
    and Enter go through every screen; the ticket is read aloud with the call-by-voice promise."""
    ctl, view, voice, _ = make_controller(local_queue, config, clock)
    assert all(not s.phrases for s in voice.said)          # silent until audio help starts
    press(ctl, clock, Key.DOWN)                       # the first key only turns audio on
    assert ctl.access.audio and ctl.access.focus is None
    first = voice.last
    assert [p.lang for p in first.phrases[1:]] == list(config.languages)
    go_by_digits(ctl, clock, f"tile:{lang}")
    assert ctl.screen.name == "categories" and ctl.lang == lang
    said = voice.last
    assert said.interrupt and all(p.lang == lang for p in said.phrases)
    assert "Enter" in said.phrases[0].text            # the key guide, once per visitor
    go_by_digits(ctl, clock, "tile:benefits")
    assert ctl.screen.name == "services"
    assert "Enter" not in voice.last.phrases[0].text
    press(ctl, clock, Key.DOWN)
    press(ctl, clock, Key.DOWN)
    assert ctl.access.focus == ctl.access.choices()[1][0]
    go_by_digits(ctl, clock, "tile:benefits.birth")
    go_by_digits(ctl, clock, "tile:none")
    assert ctl.screen.name == "ticket"
    ticket = ctl.screen.ticket
    text = voice.last.text
    assert spoken_code(lang, ticket.prefix, ticket.number) in text
    assert ctl.screen.service in text and ctl.screen.called_by_voice in text
    assert ticket.language == lang and local_queue.ticket(ticket.code).token == ticket.token


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_what_is_said_is_what_is_shown(local_queue, config, clock, lang):
    """On every screen of a visit, each text on screen is in what is said (titles, choices,
    back and start over, the ticket's lines)."""
    ctl, view, voice, _ = make_controller(local_queue, config, clock)
    press(ctl, clock, Key.CHOOSE)
    seen = []

    def check():
        screen = ctl.screen
        said = " ".join(p.text for p in screen_phrases(screen, config.languages[0]))
        shown = [line for t in screen.tiles for line in t.label.split("\n")]  # a line a language
        for attr in ("title", "subtitle", "back", "home", "service", "priority", "ahead", "wait",
                     "print_message", "your_number", "done", "body"):
            shown.append(getattr(screen, attr, ""))
        shown += list(getattr(screen, "titles", ()))
        missing = [x for x in shown if x and x.rstrip(".") not in said]
        assert missing == [], (screen.name, missing)
        seen.append(screen.name)

    check()
    go_by_digits(ctl, clock, f"tile:{lang}")
    check()
    go_by_digits(ctl, clock, "tile:pensions")
    check()
    go_by_digits(ctl, clock, "tile:pensions.age")
    check()
    go_by_digits(ctl, clock, "tile:elderly")
    check()
    assert seen == ["language", "categories", "services", "priorities", "ticket"]


def test_first_touch_speaks_a_tile_and_the_second_chooses_it(local_queue, config, clock):
    """In audio mode a touch on a tile says it (with its number) and focuses it; a second touch
    on it chooses; a touch on another tile moves the focus instead."""
    ctl, view, voice, _ = make_controller(local_queue, config, clock)
    ctl.tap_audio()
    clock.advance(1)
    ctl.tap_language("ru")
    assert ctl.screen.name == "language" and ctl.access.focus == "tile:ru"
    assert voice.last.interrupt and voice.last.phrases[0].lang == "ru"
    assert ctl.screen.frame.focus == "tile:ru"        # the ring is drawn
    clock.advance(1)
    ctl.tap_language("az")
    assert ctl.screen.name == "language" and ctl.access.focus == "tile:az"
    clock.advance(1)
    ctl.tap_language("az")
    assert ctl.screen.name == "categories"


def test_a_screen_that_changes_by_itself_never_cuts_a_word(local_queue, config, clock, tmp_path):
    """Speech the visitor causes interrupts; a screen the kiosk changes by itself (the printer
    answered, the time-out warning) only replaces what is queued or is added after it."""
    from kiosk.spooler import PrintOutcome

    ctl, view, voice, timers = make_controller(local_queue, config, clock)
    press(ctl, clock, Key.CHOOSE)
    go_by_digits(ctl, clock, "tile:az")
    assert voice.last.interrupt
    timers.fire("idle")
    assert not voice.last.interrupt and "30" in voice.last.text
    press(ctl, clock, Key.DOWN)                          # keeps the place, says nothing new
    go_by_digits(ctl, clock, "tile:labour")
    go_by_digits(ctl, clock, "tile:none")
    ctl.print_outcome(PrintOutcome(ctl.screen.ticket, ok=True, kind="printed"))
    assert voice.said[-1].added and voice.said[-1].text == "Biletinizi götürün"


def test_volume_goes_up_and_down_and_resets_for_the_next_visitor(local_queue, config, clock):
    """Plus and minus change the volume (and say so); the next visitor starts at the default,
    with audio help and large text off."""
    ctl, view, voice, timers = make_controller(local_queue, config, clock)
    press(ctl, clock, Key.LOUDER)
    press(ctl, clock, Key.LOUDER)
    press(ctl, clock, Key.LOUDER)
    assert voice.level == 5 and "5" in voice.last.text
    go_by_digits(ctl, clock, "tile:en")
    go_by_digits(ctl, clock, "tile:labour")
    ctl.tap_large()
    clock.advance(1)
    go_by_digits(ctl, clock, "tile:none")
    assert ctl.screen.name == "ticket"
    timers.fire("home")
    assert ctl.screen.name == "language"
    assert voice.level == DEFAULT_VOLUME_LEVEL and not ctl.access.audio and not ctl.access.large
    assert ctl.screen.frame.audio is False and ctl.screen.frame.large is False


def test_idle_time_out_warns_with_a_countdown_and_a_tap_keeps_the_place(local_queue, config, clock):
    """Idle time runs out: a warning counts down on screen; a tap keeps the visitor where they
    were; left alone, the countdown ends at the language screen."""
    ctl, view, voice, timers = make_controller(local_queue, config, clock)
    ctl.tap_language("az")
    clock.advance(1)
    ctl.tap_category("pensions")
    assert timers.pending["idle"][0] == config.kiosk.idle_seconds
    timers.fire("idle")
    assert ctl.screen.name == "services" and str(WARN_SECONDS) in ctl.screen.frame.warning
    timers.fire("warn")
    assert str(WARN_SECONDS - 1) in ctl.screen.frame.warning
    ctl.activity()                                     # a tap anywhere
    assert ctl.screen.name == "services" and ctl.screen.frame.warning == ""
    assert not timers.active("warn")
    timers.fire("idle")
    for _ in range(WARN_SECONDS):
        timers.fire("warn")
    assert ctl.screen.name == "language"


def test_audio_mode_gives_more_time(local_queue, config, clock):
    """In audio mode the idle time is longer and the countdown too."""
    ctl, view, voice, timers = make_controller(local_queue, config, clock)
    press(ctl, clock, Key.CHOOSE)
    go_by_digits(ctl, clock, "tile:az")
    assert timers.pending["idle"][0] == config.kiosk.idle_seconds * AUDIO_IDLE_FACTOR
    timers.fire("idle")
    assert str(AUDIO_WARN_SECONDS) in ctl.screen.frame.warning
    assert str(AUDIO_WARN_SECONDS) in voice.last.text


def test_large_text_shows_at_most_six_choices_a_page(local_queue, config, clock):
    """Aa: the twelve categories come six to a page with tiles to turn the page; the choice is
    kept when the page turns back; Aa again shows them all."""
    ctl, view, voice, _ = make_controller(local_queue, config, clock)
    ctl.tap_large()
    clock.advance(1)
    ctl.tap_language("az")
    clock.advance(1)
    screen = ctl.screen
    assert screen.frame.large and screen.pages == 2
    assert len([t for t in screen.tiles if not t.id.startswith("page:")]) == LARGE_PAGE
    assert screen.tiles[-1].id == "page:next"
    ctl.tap_category("page:next")
    clock.advance(1)
    assert ctl.screen.page == 1 and ctl.screen.tiles[0].id == "page:prev"
    shown = {t.id for t in ctl.screen.tiles}
    assert len(shown - {"page:prev"}) == len(config.categories) - LARGE_PAGE
    ctl.tap_large()
    clock.advance(1)
    assert ctl.screen.pages == 1 and len(ctl.screen.tiles) == len(config.categories)


def test_help_tells_the_visitor_and_raises_an_alert_until_acknowledged(local_queue, config, clock):
    """Help: a `help_requested` device event from this kiosk, an open alert in the queue's
    snapshot until `help_acknowledged`; the visitor is told help is coming and Continue goes
    back to where they were."""
    ctl, view, voice, _ = make_controller(local_queue, config, clock, source="kiosk-2")
    ctl.tap_language("ru")
    clock.advance(1)
    ctl.tap_category("pensions")
    clock.advance(1)
    ctl.tap_help()
    clock.advance(1)
    assert ctl.screen.name == "message" and ctl.screen.kind == "help"
    assert ctl.screen.title == "Помощь уже идёт"
    alerts = local_queue.snapshot().alerts
    assert [(a.source, a.kind) for a in alerts] == [("kiosk-2", "help_requested")]
    ctl.tap_done()
    assert ctl.screen.name == "services" and ctl.lang == "ru"
    local_queue.report_device("kiosk-2", "help_acknowledged")
    assert local_queue.snapshot().alerts == []


def test_a_help_call_that_fails_says_so(local_queue, config, clock):
    """When the queue refuses the help event, the visitor is told to ask at the desk."""
    from shared.core.errors import QueueUnavailable

    class Refusing:
        def __init__(self, queue):
            self._q = queue

        def __getattr__(self, name):
            return getattr(self._q, name)

        def report_device(self, *a, **kw):
            raise QueueUnavailable("the server cannot be reached")

    ctl, view, voice, _ = make_controller(Refusing(local_queue), config, clock)
    ctl.tap_language("en")
    clock.advance(1)
    ctl.tap_help()
    assert ctl.screen.kind == "help_failed" and "reception" in ctl.screen.body


def test_keypad_help_key_in_audio_mode_calls_staff(local_queue, config, clock):
    """The keypad's Help key raises the same alert (and, as the first key, turns audio on)."""
    ctl, view, voice, _ = make_controller(local_queue, config, clock)
    press(ctl, clock, Key.HELP)
    assert ctl.access.audio and ctl.screen.kind == "help"
    assert [a.kind for a in local_queue.snapshot().alerts] == ["help_requested"]


def test_staff_corner_taps_each_within_three_seconds_of_the_last(local_queue, config, clock):
    """Five corner taps, each within 3 s of the one before, open the PIN pad (8 s in all);
    a pause over 3 s starts the count again."""
    ctl, view, voice, _ = make_controller(local_queue, config, clock)
    for _ in range(4):
        ctl.tap_staff_corner()
        clock.advance(3.5)
    ctl.tap_staff_corner()
    assert ctl.screen.name == "language"
    for _ in range(4):
        clock.advance(2)
        ctl.tap_staff_corner()
    assert ctl.screen.name == "pin"


def test_pin_pad_is_in_the_centres_language_not_the_last_visitors(local_queue, config, clock):
    """A Russian visitor's screens, then the staff corner: the PIN pad reads in Azerbaijani."""
    ctl, view, voice, _ = make_controller(local_queue, config, clock)
    ctl.tap_language("ru")
    assert ctl.screen.title == "Чем мы можем помочь?" or ctl.lang == "ru"
    for _ in range(5):
        ctl.tap_staff_corner()
    assert ctl.screen.name == "pin" and ctl.screen.title == "Əməkdaşın PİN kodu"
    for key in "1111":
        ctl.tap_pin_key(key)
    ctl.tap_pin_key("✓")
    assert ctl.screen.error == "Yanlış PİN kod"
    for key in config.kiosk.staff_pin:
        ctl.tap_pin_key(key)
    ctl.tap_pin_key("✓")
    assert view.exited


def test_enter_on_the_ticket_reads_it_again_and_keeps_it_on_screen(local_queue, config, clock):
    """In audio mode the ticket stays three times as long, and Enter reads it once more with
    the full time again (a blind visitor may want the number twice)."""
    from kiosk.timeouts import AUDIO_HOME_FACTOR

    ctl, view, voice, timers = make_controller(local_queue, config, clock)
    press(ctl, clock, Key.CHOOSE)
    for target in ("tile:az", "tile:labour", "tile:none"):
        go_by_digits(ctl, clock, target)
    assert ctl.screen.name == "ticket"
    assert timers.pending["home"][0] == config.kiosk.home_after_seconds * AUDIO_HOME_FACTOR
    timers.stop("home")
    timers.start("home", 1, ctl.home)                  # nearly gone…
    said = len(voice.said)
    press(ctl, clock, Key.CHOOSE)
    assert len(voice.said) == said + 1 and voice.last.phrases[0].text.startswith("Sizin nömrəniz")
    assert timers.pending["home"][0] == config.kiosk.home_after_seconds * AUDIO_HOME_FACTOR


def test_the_closed_screen_is_spoken_in_every_language(local_queue, config, clock):
    """Outside opening hours a keypad key turns audio on and the closed screen is said: each
    language's title in its own voice, then the week's hours in the centre's language."""
    clock.advance(days=6)                                  # Sunday
    ctl, view, voice, _ = make_controller(local_queue, config, clock)
    assert ctl.screen.name == "closed"
    press(ctl, clock, Key.DOWN)
    langs = [p.lang for p in voice.last.phrases]
    assert langs == [*config.languages, config.languages[0]]
    assert ctl.screen.hours_title.split(" · ")[0] in voice.last.phrases[-1].text
