"""The one phone-number rule of bookings (the centre's desk, the national desk, the portal API):
a number as typed — spaces, dashes, brackets, a leading 0 as dialled in Azerbaijan — is kept
in E.164 form (+994…; another country's number with its own + code); anything that is not a
valid number is refused with a message saying so. Parsing and validity are Google's
libphonenumber rules (the `phonenumbers` package)."""

from __future__ import annotations

import phonenumbers

from shared.bookings.errors import BadPhone

HOME_REGION = "AZ"
MAX_TYPED = 40
# The sentence every desk shows (a catalog msgid, az/ru/en in assets/locale/*/bookings.po).
PHONE_RULE = ("Not a phone number: type it as +994 50 123 45 67 or 050 123 45 67 "
              "(another country's with its + code).")


def normal_phone(typed: str | None) -> str | None:
    """The number in E.164 form (an Azerbaijani one as +994 and nine digits), None when nothing
    was typed, or BadPhone."""
    text = " ".join((typed or "").split())
    if not text:
        return None
    if len(text) > MAX_TYPED:
        raise BadPhone(f"phone {text[:MAX_TYPED]!r}…: longer than {MAX_TYPED} characters")
    if any(ch.isalpha() for ch in text):
        raise BadPhone(f"phone {text!r}: has letters")
    try:
        number = phonenumbers.parse(text, HOME_REGION)
    except phonenumbers.NumberParseException as exc:
        raise BadPhone(f"phone {text!r}: {exc._msg}") from None
    if not phonenumbers.is_valid_number(number):
        raise BadPhone(f"phone {text!r}: not a valid number for "
                       f"{phonenumbers.region_code_for_number(number) or 'any country'}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
