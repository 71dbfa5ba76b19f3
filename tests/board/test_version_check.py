"""A board whose version the server does not support says so on its own staff line (in the
board's language, as staff read alerts) and drops it once a server that supports it answers."""

from __future__ import annotations

from shared.core.alerts import alert_text
from shared.version import VERSION


def test_an_unsupported_version_is_on_the_staff_line_until_a_server_supports_it(board):
    """The server answers 99.0.0: the board's staff line names it; 99.0 again changes nothing;
    the server's own version clears it."""
    board.refresh()
    assert board.state.alerts == []
    assert board.version_check.heard("99.0.0")
    board.refresh()
    assert board.state.alerts == ["Tablo serverin dəstəkləmədiyi versiyada işləyir: onu yeniləyin"]
    assert not board.version_check.heard("99.0.1")          # still unsupported: no change
    assert board.version_check.heard(VERSION)
    board.refresh()
    assert board.state.alerts == []


def test_the_alert_reads_in_every_language(board):
    """The phrase is in the shared catalog in az, ru and en."""
    board.version_check.heard("99.0.0")
    alert = board.version_check.staff_alerts([], board.clock.now())[0]
    assert alert_text("en", alert) == "Board runs a version the server does not support: update it"
    assert alert_text("ru", alert).endswith("версии, которую сервер не поддерживает: обновите его")
