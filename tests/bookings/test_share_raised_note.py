"""What the centre says of a raised `national_share` (its start-up warning and the reception
desk's note), read from its own file: the slots whose bookings pass the new local seats, the
older share central books under until it has the new one — and nothing for a capacity lowered."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from shared.bookings import rows
from shared.config import versions
from shared.config.centre import CentreConfig, load_config
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.bookings.conftest import PENSION, baku

SLOT = "2026-11-23 15:00"


def _variant(config: CentreConfig, tmp_path: Path, name: str, old: str, new: str) -> CentreConfig:
    text = Path(config.source).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_config(path)


def booked_then_changed(db_path: Path, first: CentreConfig, then: CentreConfig,
                        clock: FakeClock) -> None:
    """Both pension seats of 15:00 booked at reception under `first`; then `first` and `then`
    recorded as the file's config versions (as `novbe serve` does when the config changes)."""
    queue = LocalQueue(db_path, first, clock)
    for _ in range(2):
        queue.bookings.book_local(PENSION, baku(SLOT), "az", "reception-1")
    queue.close()
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    try:
        versions.record(conn, first, 1.0)
        versions.record(conn, then, 2.0)
    finally:
        conn.close()


def _run(db_path: Path, first: CentreConfig, then: CentreConfig, clock: FakeClock) -> LocalQueue:
    """The centre, booked under `first`, run with `then` (booked_then_changed)."""
    booked_then_changed(db_path, first, then, clock)
    return LocalQueue(db_path, then, clock)


def test_a_raise_past_the_local_bookings_is_said(tmp_path: Path, config: CentreConfig,
                                                 clock: FakeClock) -> None:
    """Share 0 then 0.5 (2 seats: 1 local): one slot over, central's older share 0 until a pull
    reads the new version; then only the slot is said."""
    older = _variant(config, tmp_path, "share-0", "national_share = 0.5\n",
                     "national_share = 0.0\n")
    queue = _run(tmp_path / "q.sqlite", older, config, clock)
    try:
        note = queue.bookings.share_raised()
        assert note is not None and (note.share, note.older, note.slots_over) == (0.5, 0.0, 1)
        assert "books none of its seats" in note.said("en")
        newest = queue._read(lambda tx: tx.value("SELECT max(from_event_id) FROM "
                                                 "config_versions"))
        with queue._tx() as tx:
            rows.set_central_config(tx, int(newest))
        note = queue.bookings.share_raised()
        assert note is not None and note.older is None and note.slots_over == 1
        assert "1 coming slot already has more bookings made here" in note.said("en")
        assert "1 будущем интервале" in note.said("ru")
    finally:
        queue.close()


def test_a_capacity_lowered_is_no_raise(tmp_path: Path, config: CentreConfig,
                                        clock: FakeClock) -> None:
    """Pensions' 4 seats lowered to 2 with the share unchanged: nothing said of a raise."""
    old = 'service = "pensions"\nhours = "09:00-17:00"\nseats = 2\n'
    wider = _variant(config, tmp_path, "seats-4", old, old.replace("seats = 2", "seats = 4"))
    queue = _run(tmp_path / "q.sqlite", wider, config, clock)
    try:
        assert queue.bookings.share_raised() is None
    finally:
        queue.close()


def test_a_share_lowered_after_a_raise_is_no_raise(tmp_path: Path, config: CentreConfig,
                                                   clock: FakeClock) -> None:
    """Share 0, then 0.75, then lowered to 0.5 with central on 0.75: the slot over its one local
    seat is not said to come from a raise (the share before this one was larger)."""
    nothing = _variant(config, tmp_path, "share-0", "national_share = 0.5\n",
                       "national_share = 0.0\n")
    most = _variant(config, tmp_path, "share-75", "national_share = 0.5\n",
                    "national_share = 0.75\n")
    db_path = tmp_path / "q.sqlite"
    booked_then_changed(db_path, nothing, most, clock)
    conn = sqlite3.connect(str(db_path), isolation_level=None)
    try:
        pulled = versions.record(conn, most, 3.0).from_event_id   # central read the 0.75 one
        versions.record(conn, config, 4.0)
    finally:
        conn.close()
    queue = LocalQueue(db_path, config, clock)
    try:
        with queue._tx() as tx:
            rows.set_central_config(tx, pulled)
        assert queue._read(lambda tx: rows.local_counts(tx, tx.at)) == {(PENSION, baku(SLOT)): 2}
        assert queue.bookings.share_raised() is None
    finally:
        queue.close()


def test_a_share_raised_from_nothing_says_the_desk_books_none_yet():
    """Raised from 0: the note says the national desk books none of its seats until the new
    share is reported — not "no more than 0%" — in each language; a share above 0 is named."""
    from shared.bookings.share_raise import ShareRaised

    from_nothing = ShareRaised(0.3, 0.0, 0)
    assert "books none of its seats" in from_nothing.said("en")
    assert "than 0%" not in from_nothing.said("en")
    assert "heç bir yerə yazmır" in from_nothing.said("az")
    assert "ни одного места" in from_nothing.said("ru")
    assert "no more than 20% of each slot" in ShareRaised(0.3, 0.2, 0).said("en")
