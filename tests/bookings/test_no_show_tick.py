"""The server's watch tick turns bookings past their late window into no-shows (one event each)
and wakes the event hub and the link to the national desk."""

from __future__ import annotations

from types import SimpleNamespace

from server.ops.fleet import expire_no_shows
from tests.bookings.conftest import PENSION, baku


class Hub:
    def __init__(self) -> None:
        self.pokes = 0

    def poke(self) -> None:
        self.pokes += 1

    wake = poke     # the bookings link, recorded the same way


def test_the_tick_files_no_shows(booking_queue, clock):
    """A 10:30 booking nobody checked in for: at 10:46 the tick files it, once, and tells the
    hub and the national desk's link."""
    booking_queue.bookings.book_local(PENSION, baku("2026-11-23 10:30"), "az", "r")
    hub, link = Hub(), Hub()
    app = SimpleNamespace(state=SimpleNamespace(queue=booking_queue, hub=hub, booking_link=link))
    assert expire_no_shows(app) == 0 and hub.pokes == 0
    clock.set("2026-11-23T06:46:00+00:00")
    assert expire_no_shows(app) == 1 and hub.pokes == 1 and link.pokes == 1
    assert expire_no_shows(app) == 0
    assert [e.kind for e in booking_queue.events()][-1] == "booking_no_show"
