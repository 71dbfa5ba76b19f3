"""The whole visit by taps, in every language and on every screen size, with screenshots."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.kiosk.conftest import SIZES, assert_big_targets, screenshot, tap

# The edit-test loop (./run tests --fast) walks one visit; CI walks every language and size.
VISITS = [pytest.param(lang, size, marks=() if (lang, size) == ("az", "landscape")
                       else pytest.mark.slow)
          for lang in ("az", "ru", "en") for size in SIZES]


@pytest.mark.parametrize("lang, size", VISITS)
def test_visit_by_taps_gives_one_printed_ticket(qtbot, make_kiosk, clock, local_queue, artifacts,
                                                tmp_path, lang, size):
    """A visitor taps language → category → service → priority and gets one ticket in their
    language, shown on screen and printed."""
    window = make_kiosk(SIZES[size])
    ctl = window.controller
    name = f"{size}-{lang}"
    assert ctl.screen.name == "language"
    screenshot(window, artifacts, f"{name}-1-language")
    assert_big_targets(window)
    tap(qtbot, window, f"tile:{lang}", clock)
    assert ctl.screen.name == "categories" and len(ctl.screen.tiles) == 12
    screenshot(window, artifacts, f"{name}-2-categories")
    assert_big_targets(window)
    tap(qtbot, window, "tile:benefits", clock)
    assert ctl.screen.name == "services"
    screenshot(window, artifacts, f"{name}-3-services")
    assert_big_targets(window)
    tap(qtbot, window, "tile:benefits.birth", clock)
    assert ctl.screen.name == "priorities"
    screenshot(window, artifacts, f"{name}-4-priorities")
    assert_big_targets(window)
    tap(qtbot, window, "tile:elderly", clock)
    qtbot.waitUntil(lambda: ctl.screen.name == "ticket" and ctl.screen.print_state == "printed")
    screenshot(window, artifacts, f"{name}-5-ticket")
    assert_big_targets(window)

    ticket = ctl.screen.ticket
    assert (ticket.service, ticket.priority, ticket.language) == ("benefits.birth", "elderly", lang)
    assert local_queue.ticket(ticket.code).token == ticket.token
    printed = sorted((tmp_path / "tickets").glob("*.png"))
    assert [p.name for p in printed] == [f"{ticket.service_day}-{ticket.code}.png"]
    with Image.open(printed[0]) as img:
        assert img.width == 576
    kinds = [e.kind for e in local_queue.events() if e.ticket_id == ticket.id]
    assert kinds == ["issued", "printed"]


def test_category_with_one_service_skips_the_service_screen(qtbot, make_kiosk, clock):
    """A category without sub-services goes straight to the priority classes."""
    window = make_kiosk()
    tap(qtbot, window, "tile:az", clock)
    tap(qtbot, window, "tile:labour", clock)
    assert window.controller.screen.name == "priorities"
    assert window.controller.service == "labour"


def test_back_and_start_over_buttons(qtbot, make_kiosk, clock):
    """Back goes one screen back; Start over goes to the language screen."""
    window = make_kiosk()
    ctl = window.controller
    tap(qtbot, window, "tile:ru", clock)
    tap(qtbot, window, "tile:pensions", clock)
    tap(qtbot, window, "tile:pensions.age", clock)
    tap(qtbot, window, "back", clock)
    assert ctl.screen.name == "services"
    tap(qtbot, window, "back", clock)
    assert ctl.screen.name == "categories"
    tap(qtbot, window, "home", clock)
    assert ctl.screen.name == "language"
