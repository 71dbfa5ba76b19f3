"""What the board says for a call, in each language, from the board.po catalog."""

from __future__ import annotations

from shared.i18n import tr
from shared.speech.numbers import letter_name, number_words, spoken_counter

CALL_MSGID = "Ticket {letter} {number}, please go to counter {counter}."
RECALL_MSGID = "Once more:"


def split_code(code: str) -> tuple[str, int]:
    """"A-015" → ("A", 15); a code without a dash is split at its first digit."""
    if "-" in code:
        prefix, _, digits = code.partition("-")
    else:
        i = next((k for k, ch in enumerate(code) if ch.isdigit()), len(code))
        prefix, digits = code[:i], code[i:]
    return prefix, int(digits) if digits.isdigit() else 0


def announcement_text(lang: str, code: str, counter: str, recall: bool = False) -> str:
    """The sentence spoken for a call: ("az", "A-015", "7") →
    "a on beş nömrəli bilet, yeddi nömrəli pəncərəyə yaxınlaşın." """
    prefix, number = split_code(code)
    letters = " ".join(letter_name(lang, ch) for ch in prefix)
    words = number_words(lang, number) if number else ""
    text = tr(lang, CALL_MSGID, letter=letters, number=words, counter=spoken_counter(lang, counter))
    return f"{tr(lang, RECALL_MSGID)} {text}" if recall else text
