"""SMS reminders through a fake gateway over real HTTP: on booking, the day before and an
hour before, in the booking's language; a failing gateway retried later by the back-off; a
cancelled booking's reminders skipped; delivery state kept; no [sms], no sender."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from server.pages.desk import sms_line
from server.sms.sender import SmsSender, request_for, retry_after, start_for
from shared.config.centre import CentreConfig
from shared.config.sms import SmsSettings
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.bookings.conftest import PENSION, baku
from tests.sms.fake_gateway import fake_gateway


def _settings(url: str) -> SmsSettings:
    return SmsSettings(url=url, headers={"X-Key": "gateway-key", "Content-Type":
                                         "application/json"},
                       body='{"to": "$phone", "text": "$text", "ref": "$code"}')


def test_three_reminders_in_the_bookings_language(tmp_path: Path, config: CentreConfig) -> None:
    """A Russian booking two days ahead: its message on booking at once, the day-before one a
    day before, the hour-before one an hour before — each once, in Russian, with the code."""
    clock = FakeClock(datetime.fromtimestamp(baku("2026-11-23 10:00"), UTC))
    with fake_gateway() as gateway:
        settings = _settings(gateway.url)
        queue = LocalQueue(tmp_path / "q.sqlite", dataclasses.replace(config, sms=settings), clock)
        sender = SmsSender(queue, settings)
        try:
            slot = baku("2026-11-25 11:00")
            booking = queue.bookings.book_local(PENSION, slot, "ru", "desk", "Анна",
                                                "+994501112233")
            assert sender.round() == 1
            assert sender.round() == 0
            clock.set(datetime.fromtimestamp(slot - 86_400 + 5, UTC))
            assert sender.round() == 1
            clock.set(datetime.fromtimestamp(slot - 3_600 + 5, UTC))
            assert sender.round() == 1
            clock.advance(minutes=10)
            assert sender.round() == 0
            assert queue.bookings.erase_personal_data(slot + 31 * 86_400) == 1
            kept = queue._read(lambda tx: tx.rows("SELECT phone, body, state FROM sms_outbox"))
            assert [tuple(r) for r in kept] == [("", "", "sent")] * 3   # delivery state stays
        finally:
            sender.stop()
            queue.close()
    texts = [r["body"]["text"] for r in gateway.received]
    assert len(texts) == 3 and all(booking.code in t for t in texts)
    assert texts[0].startswith("DOST: ") and "завтра" in texts[1]
    assert all(r["body"]["to"] == "+994501112233" and r["headers"]["X-Key"] == "gateway-key"
               for r in gateway.received)


def test_a_failing_gateway_is_tried_again_and_a_cancelled_booking_skipped(
        tmp_path: Path, config: CentreConfig) -> None:
    """The gateway fails twice: the message waits out the back-off each time, then is sent;
    a booking cancelled before its reminder is due gets none."""
    clock = FakeClock(datetime.fromtimestamp(baku("2026-11-23 10:00"), UTC))
    with fake_gateway(fail_first=2) as gateway:
        settings = _settings(gateway.url)
        queue = LocalQueue(tmp_path / "q.sqlite", dataclasses.replace(config, sms=settings), clock)
        sender = SmsSender(queue, settings)
        try:
            kept = queue.bookings.book_local(PENSION, baku("2026-11-25 11:00"), "az", "desk",
                                             phone="+994501112233")
            assert sender.round() == 0 and queue.bookings.reminder_counts() == {"pending": 3}
            clock.advance(seconds=retry_after(1) - 1)
            assert sender.round() == 0 and len(gateway.received) == 1      # not yet due
            clock.advance(seconds=1)
            assert sender.round() == 0 and len(gateway.received) == 2
            clock.advance(seconds=retry_after(2))
            assert sender.round() == 1
            gone = queue.bookings.book_local(PENSION, baku("2026-11-25 11:30"), "en", "desk",
                                             phone="+994505556677")
            assert sender.round() == 1                   # its message on booking
            queue.bookings.cancel(gone.code, "desk")
            assert sender.round() == 0
            assert queue.bookings.reminder_counts() == {"sent": 2, "pending": 2, "skipped": 2}
            state = queue._read(lambda tx: tx.one(
                "SELECT attempts, last_error FROM sms_outbox WHERE booking_id = ? AND kind = 'booked'",
                (kept.id,)))
            assert tuple(state) == (3, None)
        finally:
            sender.stop()
            queue.close()
    assert retry_after(1) < retry_after(2) < retry_after(3)


def test_no_gateway_no_sender_and_the_request_shape(tmp_path: Path, config: CentreConfig) -> None:
    """Without [sms] nothing is started; a GET gateway gets its values URL-encoded."""
    queue = LocalQueue(tmp_path / "q.sqlite", config, FakeClock(datetime.now(UTC)))
    try:
        assert config.sms is None and start_for(queue) is None
    finally:
        queue.close()
    get = SmsSettings(url="https://sms.example.az/send?to=$phone&msg=$text", method="GET")
    made = request_for(get, "+994501112233", "Sabah 10:00 — kod 3QR6JA", "3QR6JA")
    assert made["url"] == ("https://sms.example.az/send?to=+994501112233&msg=Sabah%2010%3A00%20"
                           "%E2%80%94%20kod%203QR6JA")


def test_a_round_with_nothing_due_takes_no_write(tmp_path: Path, config: CentreConfig,
                                                 monkeypatch) -> None:
    """Rounds every 20 s read the outbox first: once a booking's reminders are planned and its
    message on booking sent, rounds with nothing due take no write transaction — also for a
    booking made two hours ahead, which gets two reminders, not three."""
    clock = FakeClock(datetime.fromtimestamp(baku("2026-11-23 10:00"), UTC))
    with fake_gateway() as gateway:
        settings = _settings(gateway.url)
        queue = LocalQueue(tmp_path / "q.sqlite", dataclasses.replace(config, sms=settings), clock)
        sender = SmsSender(queue, settings)
        writes: list[str] = []
        original_tx = queue._tx

        def counted_tx():  # type: ignore[no-untyped-def]
            writes.append("write")
            return original_tx()

        monkeypatch.setattr(queue, "_tx", counted_tx)
        try:
            queue.bookings.book_local(PENSION, baku("2026-11-23 12:00"), "az", "desk",
                                      phone="+994501112233")
            writes.clear()
            assert sender.round() == 1 and writes           # planned, then sent and kept
            writes.clear()
            for _ in range(3):
                assert sender.round() == 0
                clock.advance(seconds=20)
            assert writes == [], f"{len(writes)} writes with nothing due"
            clock.set(datetime.fromtimestamp(baku("2026-11-23 11:00") + 5, UTC))
            assert sender.round() == 1 and len(writes) == 1  # the hour-before one, kept
            assert sms_line(queue, queue.config, "en") == \
                "SMS reminders: 2 sent, 0 waiting, 0 not delivered."   # the desk's line
        finally:
            sender.stop()
            queue.close()
    assert len(gateway.received) == 2
