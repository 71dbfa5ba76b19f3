"""The two-tone chime that opens every announcement (a soft "ding-dong", E5 then C5).

The bundled assets/sounds/chime.wav is made by this module (`python -m board.chime`); it is
synthesised from sines with a few bell-like partials and an exponential decay — no samples of
anyone else's sound."""

from __future__ import annotations

import array
import math
from pathlib import Path

from shared.speech.wavfile import RATE, write_mono

CHIME_PATH = Path(__file__).resolve().parent.parent / "assets" / "sounds" / "chime.wav"

# (start s, frequency Hz, length s): a major third down, the second tone longer.
TONES = ((0.0, 659.25, 0.9), (0.55, 523.25, 1.25))
PARTIALS = ((1.0, 1.0), (2.0, 0.35), (3.0, 0.12), (4.2, 0.05))  # (ratio, amplitude): bell-like
LEVEL = 0.45  # peak level as a fraction of full scale: clear, not harsh


def chime_samples(rate: int = RATE) -> array.array:
    """The chime as mono 16-bit samples."""
    total = max(start + length for start, _, length in TONES)
    buf = [0.0] * int(total * rate)
    for start, freq, length in TONES:
        first = int(start * rate)
        for i in range(int(length * rate)):
            t = i / rate
            attack = min(1.0, t / 0.008)  # 8 ms attack: no click
            env = attack * math.exp(-t * 3.2) * min(1.0, (length - t) / 0.05)
            s = sum(a * math.sin(2 * math.pi * freq * r * t) for r, a in PARTIALS)
            buf[first + i] += env * s
    peak = max(abs(x) for x in buf) or 1.0
    scale = LEVEL * 32767 / peak
    return array.array("h", (int(x * scale) for x in buf))


def write_chime(path: Path = CHIME_PATH, rate: int = RATE) -> Path:
    """Write the chime WAV (the bundled one is made with this)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_mono(path, chime_samples(rate), rate)


def chime_path() -> Path:
    """The bundled chime, made on first use if it is missing."""
    if not CHIME_PATH.exists():
        write_chime(CHIME_PATH)
    return CHIME_PATH


if __name__ == "__main__":
    print(write_chime())
