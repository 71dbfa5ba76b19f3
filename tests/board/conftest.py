"""Board test helpers: a board (controller + widget) on the test's LocalQueue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from board.announcer import Announcer
from board.controller import BoardController
from shared.core.feed import LocalFeed
from shared.speech.sinks import RecordingSink
from shared.speech.worker import SpeechWorker


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def speech() -> Iterator[SpeechWorker]:
    worker = SpeechWorker()
    yield worker
    worker.close()


@pytest.fixture
def board(local_queue, config, sink, speech, tmp_path) -> Iterator[BoardController]:
    """A Qt-free board (no view) following the test's queue, announcing into a RecordingSink."""
    announcer = Announcer(sink, config.board.speech_languages, speech, out_dir=tmp_path / "wavs")
    controller = BoardController(local_queue, config, LocalFeed(local_queue, local_queue.path),
                                 announcer=announcer)
    controller.start()
    yield controller
    controller.close()
