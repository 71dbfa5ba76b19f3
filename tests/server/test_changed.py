"""A write pokes the event hub; a write to the bookings also wakes the link to the national
desk, so the call centre sees a reception booking or a check-in at once, not 15 s later."""

from __future__ import annotations

from types import SimpleNamespace

from server.api.routes import changed


class Recorder:
    def __init__(self) -> None:
        self.times = 0

    def poke(self) -> None:
        self.times += 1

    wake = poke


def _request(link: Recorder | None) -> SimpleNamespace:
    state = SimpleNamespace(hub=Recorder(), booking_link=link)
    return SimpleNamespace(app=SimpleNamespace(state=state))


def test_a_bookings_write_wakes_the_link_and_other_writes_do_not() -> None:
    """Issuing pokes the hub only; a booking made, cancelled or checked in wakes the link too."""
    link = Recorder()
    request = _request(link)
    changed(request)
    assert (request.app.state.hub.times, link.times) == (1, 0)
    changed(request, bookings=True)
    assert (request.app.state.hub.times, link.times) == (2, 1)


def test_a_centre_without_the_link_books_as_before() -> None:
    """No central database or no [bookings]: nothing to wake, the hub is still poked."""
    request = _request(None)
    changed(request, bookings=True)
    assert request.app.state.hub.times == 1
