"""The national desk's named refusals: each carries a `reason` (a word the API answers with) and
the catalog sentence that says it in the reader's language (no HTTP status here)."""

from __future__ import annotations

from typing import Any

from shared.bookings.phone import PHONE_RULE
from shared.core.errors import NovbeError
from shared.i18n import tr

# reason → the sentence (a catalog msgid, az/ru/en in assets/locale)
SAID: dict[str, str] = {
    "unknown_centre": "There is no centre {centre}.",
    "no_bookings": "{centre} takes no bookings.",
    "unknown_service": "{centre} does not offer this service.",
    "closed_day": "{centre} is closed on {day}.",
    "not_a_slot": "{time} is not a slot of this service.",
    "past_cutoff": "The national desk no longer books {time}: book at the centre itself.",
    "slot_full": "Every seat of {time} is taken: choose another time.",
    "share_lowered": "The centre now gives the national desk {seats} seats of {time}; the {booked} "
                     "booked before stay booked, so none is free: choose another time.",
    "share_raised": "The centre's own desk had booked {local} of the {capacity} seats of {time} "
                    "before the national share was raised; they stay booked, so the national "
                    "desk has {seats} there and none is free: choose another time.",
    "share_raise_pending": "The centre has raised the national share but not yet reported its "
                           "own bookings under it: until it does, the national desk has {seats} "
                           "of the {capacity} seats of {time}, and none is free: choose another "
                           "time.",
    "no_seats": "This service takes no bookings at {time}.",
    "bad_phone": PHONE_RULE,
    "bad_name": "A name is at most 120 characters.",
    "bad_language": "The language is az, ru or en.",
    "unknown_code": "No booking with the code {code} at {centre}.",
    "not_open": "The booking {code} is {status}: there is nothing to cancel.",
    "not_your_centre": "This portal may not book at {centre}.",
    "request_reused": "This request id was used for another booking.",
}


# said after a full slot's refusal when the same day has a slot the desk can still book
NEAREST_SAID = "The nearest time with a free seat that day is {nearest}."


class DeskRefused(NovbeError):
    """What was asked of the national desk cannot be done; `reason` says which rule refused."""

    def __init__(self, reason: str, **params: Any):
        self.reason = reason
        self.params = params
        nearest = (" " + NEAREST_SAID.format(nearest=params["nearest"])
                   if params.get("nearest") else "")
        super().__init__(f"{reason}: " + SAID[reason].format(**{k: params.get(k, "")
                                                                 for k in _names(reason)})
                         + nearest)

    def said(self, lang: str) -> str:
        """The refusal in plain words in `lang` (with the nearest free time, when known)."""
        said = tr(lang, SAID[self.reason], **{k: self.params.get(k, "") for k in _names(self.reason)})
        if self.params.get("nearest"):
            said += " " + tr(lang, NEAREST_SAID, nearest=self.params["nearest"])
        return said


class NotFound(DeskRefused):
    """No such booking (or centre): the API answers 404."""


def _names(reason: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(SAID[reason]) if f]
