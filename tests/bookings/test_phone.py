"""The one phone rule of bookings: what a desk or portal types becomes E.164 (+994… for an
Azerbaijani number), and what is not a phone number is refused with a message saying so."""

from __future__ import annotations

import pytest

from shared.bookings.errors import BadPhone
from shared.bookings.phone import normal_phone
from tests.bookings.conftest import PENSION, baku


@pytest.mark.parametrize(("typed", "kept"), [
    ("+994 50 123 45 67", "+994501234567"),
    ("050 123 45 67", "+994501234567"),
    ("0501234567", "+994501234567"),
    ("994 50 123-45-67", "+994501234567"),
    ("(012) 493-12-34", "+994124931234"),
    ("  +994 (55) 765 43 21 ", "+994557654321"),
    ("+7 916 123-45-67", "+79161234567"),
    ("", None),
    ("   ", None),
    (None, None),
])
def test_a_number_as_typed_is_kept_in_e164(typed: str | None, kept: str | None) -> None:
    """Spaces, dashes, brackets and the dialled 0 go; an Azerbaijani number gets +994."""
    assert normal_phone(typed) == kept


@pytest.mark.parametrize(("typed", "said"), [
    ("call me", "has letters"),
    ("12-ab", "has letters"),
    ("12345", "not a valid number"),
    ("+994 50 123", "not a valid number"),
    ("+994 50 123 45 67 89", "not a valid number"),
    ("+", "phone '+'"),
    ("1" * 41, "longer than 40"),
])
def test_what_is_no_phone_number_is_refused_saying_why(typed: str, said: str) -> None:
    """Letters, too few or too many digits, a bare +: refused, the message quoting what came."""
    with pytest.raises(BadPhone, match="phone") as caught:
        normal_phone(typed)
    assert said in str(caught.value)


def test_the_centres_desk_keeps_the_number_in_one_form(ledger) -> None:
    """A reception booking stores the number as E.164; a bad one is refused, nothing booked."""
    slot = baku("2026-11-23 11:00")
    with pytest.raises(BadPhone):
        ledger.book_local(PENSION, slot, "az", "reception:leyla", phone="050 12")
    booking = ledger.book_local(PENSION, slot, "az", "reception:leyla", phone="050 123 45 67")
    assert booking.phone == "+994501234567"
    assert ledger.find(booking.code).phone == "+994501234567"
