"""A `national_share` raised while the centre's own desk has booked coming slots: what the centre
reports to central and what it says. The centre's own seats shrink at once and it never books a
local seat past them; a slot whose local bookings already pass them keeps them. Central books
the raised national seats of a slot only within its capacity less the local bookings the centre
reported in a push made under the raised share — until then under the older, smaller one
(central/bookings/raise_guard.py; the argument is in docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.bookings import rows
from shared.bookings.seats import split
from shared.bookings.slots import capacity
from shared.config.centre import CentreConfig
from shared.config.versions import canonical
from shared.core.queue_tx import Tx
from shared.i18n import ntr, tr
from shared.store import identity


@dataclass(frozen=True)
class LocalReport:
    """The centre's own bookings holding a seat per coming (service, slot), and the config
    version (its history's generation and from-event id; 0: not recorded) it books under."""

    counts: dict[tuple[str, float], int]
    generation: str
    version: int


def local_report(tx: Tx, config: CentreConfig, after: float) -> LocalReport:
    """What the link pushes with the free seats, read in one transaction of the queue file."""
    return LocalReport(rows.local_counts(tx, after), identity.generation(tx.conn),
                       rows.running_version(tx, canonical(config)[0]))


@dataclass(frozen=True)
class ShareRaised:
    """The share now, the smaller one central may still book under until this centre has
    reported its bookings under the new share (None: central has the new one), and the coming
    slots whose local bookings pass the new local seats."""

    share: float
    older: float | None
    slots_over: int

    def said(self, lang: str = "en") -> str:
        """The message in plain words (logged at start; the reception page's note)."""
        head = tr(lang, "The national desk's share of each slot is raised to {share} ([bookings] "
                  "national_share): this desk books only the seats left to it from now on.",
                  share=f"{self.share:.0%}")
        over = ntr(lang, "{n} coming slot already has more bookings made here than that: they "
                   "stay booked, and the national desk books there only the seats still free.",
                   "{n} coming slots already have more bookings made here than that: they "
                   "stay booked, and the national desk books there only the seats still free.",
                   self.slots_over)
        if self.older is None:
            wait = ""
        elif self.older == 0:        # "no more than 0%" reads as a mistake
            wait = " " + tr(lang, "Until this centre has reported its bookings to the central "
                            "database under the new share, the national desk books none of "
                            "its seats.")
        else:
            wait = " " + tr(
                lang, "Until this centre has reported its bookings to the central database "
                "under the new share, the national desk books no more than {share} of each "
                "slot.", share=f"{self.older:.0%}")
        return head + (f" {over}" if self.slots_over else "") + wait


def raised_share(tx: Tx, config: CentreConfig) -> ShareRaised | None:
    """What a raised `national_share` means now, or None when central books under no smaller
    share and no coming slot has more local bookings than the new split leaves it (after a
    share raised from the one recorded before it: a capacity lowered, or a share lowered, is
    not a raise)."""
    share = config.bookings.national_share
    older = _central_share(tx)
    over = sum(1 for (service, start), n in rows.local_counts(tx, tx.at).items()
               if service in config.services
               and n > split(capacity(config, service, start), share).local)
    pending = older is not None and older < share
    before = _share_before(tx, share)
    raised = before is not None and before < share     # not a capacity or a share lowered
    if not pending and not (over and raised):
        return None
    return ShareRaised(share, older if pending else None, over)


def _smallest_share(tx: Tx) -> float | None:
    """The smallest share of every recorded version that takes bookings (None: none does)."""
    value = tx.value("SELECT min(coalesce(json_extract(body, '$.bookings.national_share'), ?)) "
                     "FROM config_versions WHERE json_type(body, '$.bookings') IS NOT NULL",
                     (rows.DEFAULT_SHARE,))
    return None if value is None else float(value)


def _share_before(tx: Tx, share: float) -> float | None:
    """The share of the newest recorded version whose share is not `share` — the one it was
    changed from (None: no version taking bookings had another)."""
    value = tx.value("SELECT s FROM (SELECT coalesce(json_extract(body, "
                     "'$.bookings.national_share'), ?) AS s, from_event_id, recorded_at FROM "
                     "config_versions WHERE json_type(body, '$.bookings') IS NOT NULL) "
                     "WHERE abs(s - ?) > 1e-9 ORDER BY from_event_id DESC, recorded_at DESC "
                     "LIMIT 1", (rows.DEFAULT_SHARE, share))
    return None if value is None else float(value)


def _central_share(tx: Tx) -> float | None:
    """The share of the config version central had at the last pull; before any pull, the
    smallest of every recorded version (None: no version takes bookings)."""
    since = tx.value("SELECT value FROM meta WHERE key = ?", (rows.CENTRAL_CONFIG_KEY,))
    if since is None:
        return _smallest_share(tx)
    value = tx.value("SELECT coalesce(json_extract(body, '$.bookings.national_share'), ?) FROM "
                     "config_versions WHERE json_type(body, '$.bookings') IS NOT NULL AND "
                     "from_event_id = ? ORDER BY recorded_at DESC LIMIT 1",
                     (rows.DEFAULT_SHARE, int(since)))
    return None if value is None else float(value)
