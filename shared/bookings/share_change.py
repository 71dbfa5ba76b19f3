"""A `national_share` lowered after national bookings exist: what the centre says when it runs
with the new config. Nothing is cancelled: every national booking stays booked; the national
desk books under the older, larger share until central has the new config and the centre has
pulled after it; from then each coming slot holds the larger of its new national seats and its
national bookings, and the centre books only what is left (shared/bookings/seats.local_free)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.bookings import rows
from shared.bookings.seats import split
from shared.bookings.slots import capacity
from shared.config.centre import CentreConfig
from shared.core.queue_tx import Tx
from shared.i18n import ntr, tr


@dataclass(frozen=True)
class ShareLowered:
    """The share now, the larger one the national desk may still book under (None: central has
    the new one already), the coming national bookings, and the coming slots that keep more
    national bookings than the new share gives them."""

    share: float
    central: float | None
    national: int
    slots_over: int

    def said(self, lang: str = "en") -> str:
        """The message in plain words (logged at start; the reception page's note)."""
        kept = ntr(lang, "{n} national booking for a coming slot stays booked; none is cancelled.",
                   "{n} national bookings for coming slots stay booked; none is cancelled.",
                   self.national)
        over = ntr(lang, "{n} slot keeps more national bookings than the new share gives: the "
                   "centre books only the seats left there.",
                   "{n} slots keep more national bookings than the new share gives: the "
                   "centre books only the seats left there.", self.slots_over)
        head = tr(lang, "The national desk's share of each slot is lowered to {share} "
                  "([bookings] national_share).", share=f"{self.share:.0%}")
        wait = "" if self.central is None else " " + tr(
            lang, "Until the central database has the new config and this centre has pulled "
            "after it, the national desk may still book {share} of each slot, so the centre's "
            "own seats do not grow yet.", share=f"{self.central:.0%}")
        return f"{head} {kept}{wait}" + (f" {over}" if self.slots_over else "")


def lowered_share(tx: Tx, config: CentreConfig) -> ShareLowered | None:
    """What a lowered `national_share` means now, or None when national bookings are not held
    beyond it and central books under no larger share."""
    share = config.bookings.national_share
    central = rows.central_shares(tx)
    coming = tx.rows("SELECT service, slot_start, count(*) AS n FROM bookings WHERE channel IN "
                    "(?, ?) AND status != 'cancelled' AND slot_start > ? "
                    "GROUP BY service, slot_start", (*rows.NATIONAL, tx.at))
    over = sum(1 for r in coming if r["service"] in config.services and r["n"] > split(
        capacity(config, r["service"], r["slot_start"]), share).national)
    if central <= share and not over:
        return None
    return ShareLowered(share, central if central > share else None,
                        sum(int(r["n"]) for r in coming), over)
