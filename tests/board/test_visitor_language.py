"""The board speaks to the visitor it calls: Azerbaijani first, then the language the visitor
chose at the kiosk when it differs; and its screen takes turns in every language."""

from __future__ import annotations

from board.announcer import PAUSE_AFTER_CHIME, PAUSE_BETWEEN_LANGUAGES, TAIL, Announcer
from board.chime import chime_path
from board.controller import BoardController
from board.phrases import announcement_text
from board.rotation import DWELL_FIRST_S, DWELL_OTHER_S
from shared.core.feed import LocalFeed
from shared.speech.sinks import RecordingSink
from shared.speech.wavfile import duration


def _board(local_queue, config, announcer=None, monotonic=None) -> BoardController:
    extra = {"monotonic": monotonic} if monotonic else {}
    return BoardController(local_queue, config, LocalFeed(local_queue, local_queue.path),
                           announcer=announcer, **extra)


def test_ru_ticket_is_called_in_az_then_ru(qtbot, local_queue, config, speech, tmp_path):
    """A ru ticket is announced in az then ru (one WAV: chime, az sentence, ru sentence); an
    az ticket in az only. Tickets issued before the board started and after are both known."""
    sink = RecordingSink()
    announcer = Announcer(sink, config.board.speech_languages, speech, out_dir=tmp_path / "w",
                          keep_wavs=True)
    before = local_queue.issue("pensions.age", language="ru")        # before the board started
    board = _board(local_queue, config, announcer)
    board.start()
    after_az = local_queue.issue("pensions.age", language="az")
    after_en = local_queue.issue("pensions.age", language="en")
    board.poll()
    called = [local_queue.call_next(c) for c in ("4", "5", "6")]
    assert [t.code for t in called] == [before.code, after_az.code, after_en.code]
    qtbot.waitUntil(lambda: (board.poll() or True) and len(sink.played) == 3, timeout=60000)
    assert [a.spoken for a in announcer.history] == [["az", "ru"], ["az"], ["az", "en"]]
    assert all(not a.problems for a in announcer.history)

    # the WAV holds both sentences in turn: its length is about the sum of its parts (speech of
    # the same sentence may differ by a few tenths if the worker changed engines meanwhile)
    parts = {}
    for lang in ("az", "ru"):
        parts[lang] = speech.render(announcement_text(lang, before.code, "4"), lang,
                                    tmp_path / f"alone-{lang}.wav")
    expected = (duration(chime_path()) + PAUSE_AFTER_CHIME + duration(parts["az"])
                + PAUSE_BETWEEN_LANGUAGES + duration(parts["ru"]) + TAIL)
    assert abs(sink.played[0].seconds - expected) < 0.1 * expected
    assert sink.played[0].seconds > sink.played[1].seconds + 1.0  # a whole ru sentence more
    board.close()


def test_screen_language_takes_turns(local_queue, config):
    """Without a fixed language the board shows az, then ru, then en, then az again — each for
    a calm while (headings, ticker and category names in that language)."""
    now = [1000.0]
    board = _board(local_queue, config, monotonic=lambda: now[0])
    board.start()
    seen = []
    for _ in range(int((DWELL_FIRST_S + 2 * DWELL_OTHER_S) * 2) + 1):
        board.tick()
        st = board.state
        if not seen or seen[-1][0] != st.lang:
            seen.append((st.lang, st.ticker, st.labels["Waiting"], st.waiting[0].name))
        now[0] += 1.0
    assert [s[0] for s in seen] == ["az", "ru", "en", "az", "ru", "en", "az"]
    by_lang = {s[0]: s[1:] for s in seen}
    assert by_lang["ru"] == (config.board.ticker["ru"], "Ожидают", "Занятость")
    assert by_lang["en"] == (config.board.ticker["en"], "Waiting", "Employment")
    assert by_lang["az"][2] == "Məşğulluq"
    board.close()


def test_a_board_given_a_language_keeps_it(local_queue, config):
    """`lang=` fixes the board's language: no rotation."""
    now = [0.0]
    board = BoardController(local_queue, config, LocalFeed(local_queue, local_queue.path),
                            lang="ru", monotonic=lambda: now[0])
    board.start()
    for _ in range(60):
        now[0] += 1.0
        board.tick()
        assert board.state.lang == "ru"
    board.close()
