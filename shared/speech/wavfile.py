"""Small WAV helpers (standard library only): read, write, join, measure.

The announcement pipeline works with 16-bit PCM WAVs; everything is converted to one format
(mono, 22 050 Hz — what espeak-ng produces) so that chime and speech can be joined."""

from __future__ import annotations

import array
import math
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

RATE = 22050


class BadWav(ValueError):
    """The file is not a 16-bit PCM WAV this board can read."""


@dataclass(frozen=True)
class WavStats:
    """How long a WAV lasts and how loud it is (amplitudes as fractions of full scale)."""

    seconds: float
    rms: float
    peak: float


def read_mono(path: Path, rate: int = RATE) -> array.array:
    """The samples of a 16-bit WAV as mono at `rate` (channels averaged, linear resampling)."""
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, src_rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise BadWav(f"{path}: {exc}") from exc
    if width != 2:
        raise BadWav(f"{path}: {8 * width}-bit samples, expected 16-bit")
    samples = array.array("h")
    samples.frombytes(frames[: len(frames) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    if channels > 1:
        samples = array.array("h", (sum(samples[i:i + channels]) // channels
                                    for i in range(0, len(samples) - channels + 1, channels)))
    if src_rate != rate and samples:
        samples = _resample(samples, src_rate, rate)
    return samples


def _resample(samples: array.array, src: int, dst: int) -> array.array:
    n = int(len(samples) * dst / src)
    step = src / dst
    last = len(samples) - 1
    out = array.array("h", bytes(2 * n))
    for i in range(n):
        pos = i * step
        j = int(pos)
        frac = pos - j
        a = samples[min(j, last)]
        b = samples[min(j + 1, last)]
        out[i] = int(a + (b - a) * frac)
    return out


def silence(seconds: float, rate: int = RATE) -> array.array:
    """That many seconds of silence."""
    return array.array("h", bytes(2 * int(seconds * rate)))


def write_mono(path: Path, samples: array.array, rate: int = RATE) -> Path:
    """Write mono 16-bit samples as a WAV (atomically: a temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    data = array.array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    tmp.replace(path)
    return path


def join(parts: list[Path | float], out: Path, rate: int = RATE) -> Path:
    """Join WAV files and pauses (a float is seconds of silence) into one WAV."""
    samples = array.array("h")
    for part in parts:
        samples.extend(silence(part, rate) if isinstance(part, (int, float)) else read_mono(part, rate))
    return write_mono(out, samples, rate)


def duration(path: Path) -> float:
    """Seconds of audio in a WAV file."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError) as exc:
        raise BadWav(f"{path}: {exc}") from exc


def stats(path: Path) -> WavStats:
    """Duration, RMS and peak of a WAV (like `sox FILE -n stat`)."""
    samples = read_mono(path)
    if not samples:
        return WavStats(0.0, 0.0, 0.0)
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768
    peak = max(abs(min(samples)), abs(max(samples))) / 32768
    return WavStats(len(samples) / RATE, rms, peak)
