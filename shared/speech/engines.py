"""Speech engines: turn one sentence in one language into a WAV file.

Two engines with the same small interface (`SpeechEngine.render(text, lang, out)`):
- Pyttsx3Engine — pyttsx3's espeak driver (the design's choice): `save_to_file` + `runAndWait`.
  pyttsx3 2.99 names espeak-ng voices by their lower-cased file identifier ("trk/az", "zle/ru",
  "gmw/en") with `languages` like ["az"], ["ru"], ["en-gb"]; setting an unknown voice id is
  silently ignored (the old voice stays), so the voice is looked up first and checked after.
- EspeakCliEngine — runs the `espeak-ng` binary (`-v az -w out.wav`): a child process that can
  be killed on a time-out; the fallback when pyttsx3 cannot start or keeps hanging.

An engine object is not thread-safe: SpeechWorker creates and uses it in one thread.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

from shared.speech.errors import SpeechEngineFailed, SpeechEngineHung, VoiceMissing

log = logging.getLogger(__name__)

RATE_WPM = 150  # a little slower than espeak's 175: many listeners are elderly
MIN_WAV_BYTES = 44 + 2 * 2205  # header + 0.1 s: anything shorter is a failed render


class SpeechEngine(Protocol):
    """Renders sentences to WAV files; used from one thread only."""

    name: str

    def render(self, text: str, lang: str, out: Path) -> Path:
        """Write `text` spoken in `lang` to `out`; raise VoiceMissing or SpeechEngineFailed."""

    def close(self) -> None:
        """Release the engine."""


def pick_voice(voices: list[tuple[str, list[str]]], lang: str) -> str | None:
    """The voice id for a language from (id, languages) pairs: an exact language match first
    ("az"), then an id ending in "/<lang>" ("gmw/en"), then a regional variant ("en-gb").
    MBROLA voices ("mb/…", which need separately installed data) and variants are skipped."""
    voices = [(vid, langs) for vid, langs in voices if not vid.startswith(("mb/", "!v"))]
    for vid, langs in voices:
        if lang in langs:
            return vid
    for vid, _ in voices:
        if vid.endswith("/" + lang) or vid == lang:
            return vid
    for vid, langs in voices:
        if any(x.startswith(lang + "-") for x in langs):
            return vid
    return None


def _check_output(out: Path, engine: str) -> Path:
    if not out.exists() or out.stat().st_size < MIN_WAV_BYTES:
        raise SpeechEngineFailed(f"{engine} wrote no audio to {out.name}")
    return out


class Pyttsx3Engine:
    """pyttsx3 (espeak driver on Linux) rendering to files with save_to_file."""

    name = "pyttsx3"

    def __init__(self, driver: str | None = None, rate: int = RATE_WPM):
        try:

            from pyttsx3.engine import Engine

            # A fresh Engine (not pyttsx3.init's cached one): a restart must not reuse a hung one.
            self._engine = Engine(driver)
            self._engine.setProperty("rate", rate)
            self._voices = [(v.id, list(v.languages or [])) for v in self._engine.getProperty("voices")]
        except Exception as exc:  # noqa: BLE001 — any driver failure means "no pyttsx3 here"
            raise SpeechEngineFailed(f"pyttsx3 cannot start: {exc!r}") from exc
        self._errors: list[Any] = []
        self._fallback: EspeakCliEngine | None = None
        self._engine.connect("error", lambda **kw: self._errors.append(kw.get("exception")))
        _quiet_espeak_driver()

    def voice_for(self, lang: str) -> str:
        vid = pick_voice(self._voices, lang)
        if vid is None:
            raise VoiceMissing(f"pyttsx3 has no voice for {lang!r}")
        return vid

    def render(self, text: str, lang: str, out: Path) -> Path:
        try:
            return self._render_once(text, lang, out)
        except SpeechEngineFailed as exc:
            # pyttsx3's espeak loop now and then returns before the file is written; once more.
            log.info("pyttsx3: %s; rendering once more", exc)
        try:
            return self._render_once(text, lang, out)
        except SpeechEngineFailed as exc:
            # Twice without audio (seen under load): this phrase from the espeak-ng program, so
            # the call is still spoken; pyttsx3 stays the engine for the next one.
            log.warning("pyttsx3: %s again; speaking this phrase with the espeak-ng program", exc)
            if self._fallback is None:
                self._fallback = EspeakCliEngine()
            return self._fallback.render(text, lang, out)

    def _render_once(self, text: str, lang: str, out: Path) -> Path:
        vid = self.voice_for(lang)
        out.unlink(missing_ok=True)
        self._errors.clear()
        try:
            self._engine.setProperty("voice", vid)
            self._engine.save_to_file(text, str(out))
            self._engine.runAndWait()
        except Exception as exc:  # noqa: BLE001
            raise SpeechEngineFailed(f"pyttsx3 failed: {exc!r}") from exc
        if self._errors:
            raise SpeechEngineFailed(f"pyttsx3 reported {self._errors[0]!r}")
        current = self._engine.getProperty("voice")
        if current and current != vid:
            raise VoiceMissing(f"pyttsx3 did not switch to voice {vid!r} (still {current!r})")
        return _check_output(out, "pyttsx3")

    def close(self) -> None:
        if self._fallback is not None:
            self._fallback.close()
        try:
            self._engine.stop()
        except Exception:  # noqa: BLE001
            log.debug("pyttsx3 stop failed", exc_info=True)


def _quiet_espeak_driver() -> None:
    """pyttsx3's espeak driver prints "Audio saved to …" for every file; send it to the log."""
    mod = sys.modules.get("pyttsx3.drivers.espeak")
    if mod is not None and not hasattr(mod, "_novbe_quiet"):
        mod.print = lambda *a, **k: log.debug(" ".join(map(str, a)))  # type: ignore[attr-defined]
        mod._novbe_quiet = True  # type: ignore[attr-defined]


class EspeakCliEngine:
    """The espeak-ng program, one child process per sentence."""

    name = "espeak-ng"

    def __init__(self, binary: str = "espeak-ng", timeout_s: float = 10.0, rate: int = RATE_WPM):
        path = shutil.which(binary)
        if path is None:
            raise SpeechEngineFailed(f"{binary} is not installed")
        self.binary, self.timeout_s, self.rate = path, timeout_s, rate
        self._voices: dict[str, str | None] = {}

    def voice_for(self, lang: str) -> str:
        if lang not in self._voices:
            try:
                listing = subprocess.run([self.binary, f"--voices={lang}"], capture_output=True,
                                         text=True, timeout=self.timeout_s).stdout
            except (OSError, subprocess.SubprocessError) as exc:
                raise SpeechEngineFailed(f"espeak-ng --voices failed: {exc}") from exc
            pairs = []
            for line in listing.splitlines()[1:]:
                cols = line.split()
                if len(cols) >= 5:
                    pairs.append((cols[4].lower(), [cols[1]]))
            self._voices[lang] = pick_voice(pairs, lang)
        vid = self._voices[lang]
        if vid is None:
            raise VoiceMissing(f"espeak-ng has no voice for {lang!r}")
        return vid

    def render(self, text: str, lang: str, out: Path) -> Path:
        vid = self.voice_for(lang)
        out.unlink(missing_ok=True)
        try:
            proc = subprocess.run([self.binary, "-v", vid, "-s", str(self.rate), "-w", str(out), text],
                                  capture_output=True, text=True, timeout=self.timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise SpeechEngineHung(f"espeak-ng took longer than {self.timeout_s:.0f} s") from exc
        except OSError as exc:
            raise SpeechEngineFailed(f"espeak-ng cannot run: {exc}") from exc
        if proc.returncode != 0:
            raise SpeechEngineFailed(f"espeak-ng exited {proc.returncode}: {proc.stderr.strip()[:200]}")
        return _check_output(out, "espeak-ng")

    def close(self) -> None:
        pass
