"""SpeechWorker: a thread that owns one speech engine, with a time-out and restarts.

pyttsx3 engines must be created and run in one thread, and an engine can hang inside
runAndWait. The worker creates its engine in its own thread and renders one request at a time;
a caller waits at most `timeout_s`. When an engine hangs, its thread is abandoned (it is a
daemon thread) and a new thread with a new engine takes over; an engine that cannot start, or
that hangs `max_hangs` times in a row, is replaced by the next engine factory (pyttsx3 first,
then the espeak-ng program)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from shared.speech.engines import EspeakCliEngine, Pyttsx3Engine, SpeechEngine
from shared.speech.errors import SpeechEngineFailed, SpeechEngineHung, SpeechError

log = logging.getLogger(__name__)

EngineFactory = Callable[[], SpeechEngine]
_Request = tuple[str, str, Path, Future] | None


def default_factories() -> list[EngineFactory]:
    """pyttsx3 (the design's engine), then the espeak-ng program as the fallback."""
    return [Pyttsx3Engine, EspeakCliEngine]


class _EngineThread(threading.Thread):
    def __init__(self, factory: EngineFactory, number: int):
        super().__init__(name=f"speech-{number}", daemon=True)
        self.factory = factory
        self.requests: queue.Queue[_Request] = queue.Queue()
        self.started_ok: Future[str] = Future()

    def run(self) -> None:
        try:
            engine = self.factory()
        except Exception as exc:  # noqa: BLE001 — reported to the caller below
            self.started_ok.set_exception(exc if isinstance(exc, SpeechError)
                                          else SpeechEngineFailed(f"cannot start: {exc!r}"))
            return
        self.started_ok.set_result(getattr(engine, "name", type(engine).__name__))
        try:
            while (item := self.requests.get()) is not None:
                text, lang, out, fut = item
                if not fut.set_running_or_notify_cancel():
                    continue
                try:
                    fut.set_result(engine.render(text, lang, out))
                except Exception as exc:  # noqa: BLE001
                    fut.set_exception(exc if isinstance(exc, SpeechError)
                                      else SpeechEngineFailed(f"{exc!r}"))
        finally:
            engine.close()


class SpeechWorker:
    """Renders sentences to WAVs on an engine-owning thread; thread-safe, one render at a time."""

    def __init__(self, factories: Sequence[EngineFactory] | None = None, timeout_s: float = 8.0,
                 start_timeout_s: float = 15.0, max_hangs: int = 2):
        self.factories = list(factories) if factories is not None else default_factories()
        self.timeout_s = timeout_s
        self.start_timeout_s = start_timeout_s
        self.max_hangs = max_hangs
        self.restarts = 0
        self.engine_name: str | None = None
        self._index = 0
        self._hangs = 0
        self._threads = 0
        self._thread: _EngineThread | None = None
        self._lock = threading.Lock()

    def _ensure_thread(self) -> _EngineThread:
        while self._thread is None:
            if self._index >= len(self.factories):
                raise SpeechEngineFailed("no speech engine could start")
            self._threads += 1
            thread = _EngineThread(self.factories[self._index], self._threads)
            thread.start()
            try:
                self.engine_name = thread.started_ok.result(self.start_timeout_s)
                self._thread = thread
                log.info("speech engine %s started", self.engine_name)
            except (SpeechError, FutureTimeout) as exc:
                cause = "did not start in time" if isinstance(exc, FutureTimeout) else str(exc)
                log.warning("speech engine #%d %s; trying the next one", self._index + 1, cause)
                thread.requests.put(None)
                self._index += 1
        return self._thread

    def render(self, text: str, lang: str, out: Path) -> Path:
        """Render one sentence (blocks the calling thread, never longer than the time-out);
        raise VoiceMissing, SpeechEngineFailed or SpeechEngineHung."""
        with self._lock:
            thread = self._ensure_thread()
            fut: Future[Path] = Future()
            thread.requests.put((text, lang, Path(out), fut))
            try:
                result = fut.result(self.timeout_s)
            except FutureTimeout:
                fut.cancel()
                self._restart_after_hang(thread)
                raise SpeechEngineHung(
                    f"{self.engine_name} did not finish within {self.timeout_s:.0f} s; "
                    "restarted it") from None
            self._hangs = 0
            return result

    def _restart_after_hang(self, thread: _EngineThread) -> None:
        thread.requests.put(None)  # if it ever wakes up, it ends
        self._thread = None
        self.restarts += 1
        self._hangs += 1
        if self._hangs >= self.max_hangs:
            log.warning("speech engine %s hung %d times in a row; switching to the next engine",
                        self.engine_name, self._hangs)
            self._index += 1
            self._hangs = 0
        else:
            log.warning("speech engine %s hung; starting a new one", self.engine_name)

    def close(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._thread.requests.put(None)
                self._thread.join(timeout=2)
                self._thread = None
