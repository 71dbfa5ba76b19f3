"""Which language the board shows now: a calm cycle through the centre's languages.

The first language (Azerbaijani) stays longest; each other language gets its turn so a visitor
who reads only Russian or English finds the headings and the ticker in their language within
half a minute. Nothing changes faster than every DWELL_OTHER_S seconds: a board that flickers
between languages is read by nobody."""

from __future__ import annotations

from collections.abc import Sequence

DWELL_FIRST_S = 20.0   # the centre's first language
DWELL_OTHER_S = 10.0   # each other language


class LanguageRotation:
    """`language(elapsed)`: the language shown `elapsed` seconds after the board started."""

    def __init__(self, languages: Sequence[str], first_s: float = DWELL_FIRST_S,
                 other_s: float = DWELL_OTHER_S):
        if not languages:
            raise ValueError("a language rotation needs at least one language")
        self.turns = [(lang, first_s if i == 0 else other_s) for i, lang in enumerate(languages)]
        self.cycle_s = sum(seconds for _, seconds in self.turns)

    def language(self, elapsed: float) -> str:
        t = max(0.0, elapsed) % self.cycle_s
        for lang, seconds in self.turns:
            if t < seconds:
                return lang
            t -= seconds
        return self.turns[-1][0]
