"""The kiosk window with a keypad's Qt key events, large text and the reach range: screenshots
in az at 1080×1920 and 1920×1080, the smallest capital letter measured against EN 301 549's
0.7° rule, and every choice of a tall portrait screen below the reach line."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.legibility import clipped_texts, smallest_text
from kiosk.metrics import min_cap_px, reach_top_px
from kiosk.widgets import Tile
from tests.kiosk.conftest import SIZES, find_button, screenshot, tap
from tests.kiosk.recording import RecordingVoice


def key(qtbot, window, clock, k, think: float = 1.0) -> None:
    qtbot.keyClick(window.current_page(), k)
    clock.advance(think)


def test_a_keypad_alone_gets_a_ticket_with_every_screen_spoken(qtbot, make_kiosk, clock, artifacts):
    """Qt key events from a keypad: any key starts audio help, digits move (the focus ring is
    drawn), Enter chooses, down and the keypad's 5 (Clear) work too; the ticket is read."""
    voice = RecordingVoice()
    window = make_kiosk(SIZES["portrait"], voice=voice)
    ctl = window.controller
    key(qtbot, window, clock, Qt.Key.Key_Down)
    assert ctl.access.audio and voice.last.phrases[-1].lang == "en"
    key(qtbot, window, clock, Qt.Key.Key_1, think=0.3)
    assert find_button(window, "tile:az").focused
    screenshot(window, artifacts, "keypad-portrait-az-1-language-focus")
    key(qtbot, window, clock, Qt.Key.Key_Return)
    assert ctl.screen.name == "categories"
    names = [n for n, _ in ctl.access.choices()]
    for _ in range(names.index("tile:pensions") + 1):
        key(qtbot, window, clock, Qt.Key.Key_Down, think=0.3)
    assert find_button(window, "tile:pensions").focused
    screenshot(window, artifacts, "keypad-portrait-az-2-categories-focus")
    key(qtbot, window, clock, Qt.Key.Key_Clear)          # the numeric keypad's 5
    assert ctl.screen.name == "services"
    key(qtbot, window, clock, Qt.Key.Key_1, think=0.3)
    key(qtbot, window, clock, Qt.Key.Key_Enter)
    assert ctl.screen.name == "priorities"
    key(qtbot, window, clock, Qt.Key.Key_1, think=0.3)
    key(qtbot, window, clock, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctl.screen.name == "ticket" and ctl.screen.print_state == "printed")
    assert "Nömrəniz səsli elan olunacaq" in " ".join(s.text for s in voice.said)
    screenshot(window, artifacts, "keypad-portrait-az-3-ticket")


@pytest.mark.parametrize("size", ["portrait", "landscape"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_every_screen_in_az_with_letters_measured_and_choices_in_reach(
        qtbot, make_kiosk, clock, artifacts, size, large):
    """Every screen of a visit in az (with the help message and the time-out warning), saved;
    in large text the smallest capital letter drawn is at least the 0.7° figure (25 px at
    1080 px across); on the tall portrait screen every choice starts below the reach line."""
    width, height = SIZES[size]
    window = make_kiosk(SIZES[size], voice=RecordingVoice())
    ctl = window.controller
    name = f"az-{size}-{'large' if large else 'normal'}"
    smallest = []

    def look(step: str) -> None:
        QApplication.processEvents()
        screenshot(window, artifacts, f"{name}-{step}")
        found = smallest_text(window)            # the page and the warning laid over it
        assert found is not None
        assert clipped_texts(window) == [], step
        smallest.append((step, found))
        top = reach_top_px(width, height)
        for tile in window.current_page().findChildren(Tile):
            if tile.isVisible():
                y = tile.mapTo(window, QPoint(0, 0)).y()
                assert y >= top, (step, tile.objectName(), y, top)

    if large:
        tap(qtbot, window, "large", clock)
    look("1-language")
    tap(qtbot, window, "tile:az", clock)
    look("2-categories")
    if large:
        tap(qtbot, window, "tile:page:next", clock)
        look("2b-categories-page-2")
        tap(qtbot, window, "tile:page:prev", clock)
    tap(qtbot, window, "tile:benefits", clock)
    look("3-services")
    tap(qtbot, window, "tile:benefits.birth", clock)
    window.timers.fire("idle")
    assert window.findChild(QWidget, "timeout-warning").isVisible()
    look("4-priorities-warning")
    tap(qtbot, window, "help", clock)
    qtbot.waitUntil(lambda: ctl.screen.name == "message" and ctl.screen.kind == "help")
    look("5-help")
    tap(qtbot, window, "done", clock)
    tap(qtbot, window, "tile:disability", clock)
    qtbot.waitUntil(lambda: ctl.screen.name == "ticket" and ctl.screen.print_state == "printed")
    look("6-ticket")
    if large:
        need = min_cap_px(min(width, height))
        assert need == 25 if min(width, height) == 1080 else need > 0
        low = [(step, s.widget, s.cap_px) for step, s in smallest if s.cap_px < need]
        assert low == [], f"capital letters below {need} px: {low}"


@pytest.mark.slow
@pytest.mark.parametrize("size", ["portrait", "landscape"])
def test_large_text_fits_every_menu_page_in_every_language(qtbot, make_kiosk, clock, config, size):
    """Large text, az/ru/en: every page of categories, of every category's services and of the
    priority classes — nothing clipped, no capital letter under the 0.7° figure."""
    window = make_kiosk(SIZES[size], voice=RecordingVoice())
    ctl = window.controller
    need = min_cap_px(min(SIZES[size]))
    bad = []

    def check(tag: str) -> None:
        QApplication.processEvents()
        window.grab()
        found, clipped = smallest_text(window), clipped_texts(window)
        if clipped or found is None or found.cap_px < need:
            bad.append((tag, clipped, found))

    for lang in ("az", "ru", "en"):
        ctl.home()
        ctl.access.large, ctl.lang = True, lang
        for page in (0, 1):
            ctl.page = page
            ctl._categories()
            check(f"{lang} categories {page + 1}")
        for cat in config.categories:
            ctl.category, ctl.page = cat.id, 0
            ctl._services()
            for page in range(ctl.screen.pages):
                ctl.page = page
                ctl._services()
                check(f"{lang} {cat.id} {page + 1}")
        ctl.service, ctl.page = config.categories[0].services[0].id, 0
        ctl._priorities()
        check(f"{lang} priorities")
    assert bad == []
