"""The central copy's personal data kept only as long as needed: each centre's national
bookings lose their name and phone `erase_after_days` (from the centre's newest shipped config;
30 when it says none) after their slot. Run by `novbe central refresh`; each erasure is a change the centre's bookings
link pulls, so the centre's file erases its copy too."""

from __future__ import annotations

import psycopg

from central.bookings.errors import DeskRefused
from central.bookings.offer import offered_config
from server.shipping.link import SCHEMA

DAY_S = 86_400
DEFAULT_DAYS = 30


def erase_due(conn: psycopg.Connection, now: float) -> int:
    """Erase every centre's names and phones that are due; returns how many bookings."""
    erased = 0
    centres = [r[0] for r in conn.execute(
        f"SELECT DISTINCT centre_id FROM {SCHEMA}.bookings WHERE erased_at IS NULL").fetchall()]
    for centre in centres:
        try:
            days = offered_config(conn, centre).bookings.erase_after_days
        except DeskRefused:               # it takes no bookings now: the default period
            days = DEFAULT_DAYS
        cur = conn.execute(f"UPDATE {SCHEMA}.bookings SET name = NULL, phone = NULL, "
                           f"erased_at = %s, changed = nextval('{SCHEMA}.booking_changed') "
                           "WHERE centre_id = %s AND erased_at IS NULL AND slot_start < %s",
                           (now, centre, now - days * DAY_S))
        erased += cur.rowcount or 0
    return erased
