"""A printed wait reads the same on ticket, kiosk, board and phone (issue 13): a point, or a
range when the estimate gives one, in Azerbaijani, Russian and English."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.render import render_ticket, ticket_lines
from server.pages.views import phone_view
from shared.waits.text import short_wait, wait_phrase

RANGES = {"az": "10–15 dəqiqə", "ru": "10–15 минут", "en": "10–15 minutes"}
POINTS = {"az": "təxminən 7 dəqiqə", "ru": "около 7 минут", "en": "about 7 minutes"}


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_point_and_range_in_each_language(lang):
    """7 minutes reads as a point; 10–15 as a range; the board's short forms likewise."""
    assert wait_phrase(lang, 7, 7, 7) == POINTS[lang]
    assert wait_phrase(lang, 12, 10, 15) == RANGES[lang]
    assert short_wait(lang, 12, 10, 15) == {"az": "10–15 dəq", "ru": "10–15 мин",
                                            "en": "10–15 min"}[lang]
    assert short_wait(lang, 7) == {"az": "~7 dəq", "ru": "~7 мин", "en": "~7 min"}[lang]


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_ticket_and_phone_show_the_range(local_queue, config, artifacts, lang):
    """A ticket whose estimate is a range prints it, and the phone page says the same."""
    ticket = local_queue.issue("pensions.age", language=lang)
    ranged = dataclasses.replace(ticket, ahead=6, estimated_wait_min=12, wait_low_min=10,
                                 no_counter_open=False, opens_at=None,
                                 wait_high_min=15)
    assert ticket_lines(ranged, config)["wait"].endswith(RANGES[lang])
    img = render_ticket(ranged, config, 576)
    out = artifacts / "tickets" / f"ticket-range-{lang}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out)
    view = phone_view(ranged, config, lang)
    assert RANGES[lang] in str(view)


def test_phone_shows_a_wait_with_nobody_ahead_when_counters_are_busy(local_queue, config):
    """Nobody ahead but every counter busy: the phone shows the wait, not an empty one."""
    ticket = local_queue.issue("pensions.age", language="en")
    busy = dataclasses.replace(ticket, ahead=0, estimated_wait_min=4, wait_low_min=4,
                               no_counter_open=False, opens_at=None,
                               wait_high_min=4)
    view = phone_view(busy, config, "en")
    assert view["wait_text"] == "about 4 minutes"
