"""Keyboard shortcuts of the counter console, taken from the labels in the page's language:
"Başla" is B in az, "Начать" Н in ru, "Start" S in en. Each action gets the first letter of a
word of its label that no earlier action took, else any free letter of its label."""

from __future__ import annotations


def upper(letter: str, lang: str) -> str:
    """A letter as printed on the key cap (Azerbaijani i → İ, ı → I)."""
    if lang == "az" and letter in "iı":
        return {"i": "İ", "ı": "I"}[letter]
    return letter.upper()


def lower(letter: str, lang: str) -> str:
    """A letter as the key gives it (Azerbaijani İ → i, I → ı)."""
    if lang == "az" and letter in "İI":
        return {"İ": "i", "I": "ı"}[letter]
    return letter.lower()


def shortcut_keys(labels: list[str], lang: str) -> list[str]:
    """One key per label, in order (lower case, as KeyboardEvent.key gives it); "" for a label
    with no free letter."""
    taken: set[str] = set()
    keys = []
    for label in labels:
        words = label.replace("-", " ").split()
        candidates = [w[0] for w in words if w[:1].isalpha()]
        candidates += [ch for ch in label if ch.isalpha()]
        key = next((k for k in (lower(c, lang) for c in candidates) if k not in taken), "")
        taken.add(key)
        keys.append(key)
    return keys
