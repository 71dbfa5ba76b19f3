"""The real `novbe kiosk` on a bare X server (Xvfb, no window manager — a kiosk PC started with
xinit): the window covers the whole screen by itself, and the screen shows the kiosk."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from shared.config.centre import default_config_path

ROOT = Path(__file__).resolve().parents[2]
XVFB, XWININFO = shutil.which("Xvfb"), shutil.which("xwininfo")
pytestmark = [pytest.mark.skipif(XVFB is None or XWININFO is None,
                                 reason="Xvfb and xwininfo (Debian xvfb, x11-utils) are needed"),
              pytest.mark.slow]  # an X server per screen size
KIOSK_BACKGROUND = (0x0B, 0x1F, 0x3A)  # kiosk.widgets.BACKGROUND
GRAB = ("import sys\nfrom PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication(sys.argv[:1])\n"
        "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)\n")


def wait_for(predicate, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def bare_x(request) -> Iterator[str]:
    """A bare X server of the size given by the test's parameter; yields its DISPLAY."""
    width, height = request.param
    xvfb = subprocess.Popen([XVFB, "-displayfd", "1", "-screen", "0", f"{width}x{height}x24",
                             "-nolisten", "tcp"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    number = xvfb.stdout.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(10)


def top_windows(display: str) -> list[tuple[str, int, int, int, int]]:
    """(title, width, height, x, y) of the root window's children, from xwininfo."""
    out = subprocess.run([XWININFO, "-root", "-children"], env={**os.environ, "DISPLAY": display},
                         capture_output=True, text=True, timeout=20).stdout
    found = []
    for m in re.finditer(r'^\s+0x[0-9a-f]+ "(.*)": .*?(\d+)x(\d+)\+(-?\d+)\+(-?\d+)', out, re.M):
        found.append((m[1], int(m[2]), int(m[3]), int(m[4]), int(m[5])))
    return found


@pytest.mark.parametrize("bare_x", [(1920, 1080), (1080, 1920), (1280, 800)], indirect=True,
                         ids=["1920x1080", "1080x1920", "1280x800"])
def test_kiosk_covers_a_bare_x_screen(bare_x, tmp_path, artifacts, request):
    """`novbe kiosk` under Xvfb with no window manager: its window is exactly the screen (not
    1280x800 in a corner), and a grab of the whole screen is the kiosk from corner to corner."""
    width, height = request.node.callspec.params["bare_x"]
    config = tmp_path / "centre.toml"
    config.write_text(default_config_path().read_text(encoding="utf-8")
                      .replace('staff_pin = "2580"', 'staff_pin = "7391"'), encoding="utf-8")
    env = {**os.environ, "DISPLAY": bare_x, "QT_QPA_PLATFORM": "xcb", "NOVBE_DATA": str(tmp_path)}
    kiosk = subprocess.Popen([sys.executable, "-m", "novbe", "--db", str(tmp_path / "q.sqlite"),
                              "--config", str(config), "kiosk",
                              "--printer", f"preview://{tmp_path}/tickets"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        def kiosk_window():
            return [w for w in top_windows(bare_x) if w[0].startswith("Növbə —")]
        wait_for(lambda: kiosk.poll() is None and kiosk_window() and
                 kiosk_window()[0][1:] == (width, height, 0, 0) or kiosk.poll() is not None,
                 what="the kiosk window to cover the screen")
        assert kiosk.poll() is None, kiosk.stderr.read()
        shot = artifacts / "kiosk" / f"bare-x-{width}x{height}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)

        def grabbed() -> bool:  # the first frame may still be on its way to the X server
            subprocess.run([sys.executable, "-c", GRAB, str(shot)], env=env, timeout=60, check=True)
            with Image.open(shot) as img:
                rgb = img.convert("RGB")
            corners = [rgb.getpixel(p) for p in ((2, 2), (width - 3, 2), (2, height - 3))]
            return rgb.size == (width, height) and all(c == KIOSK_BACKGROUND for c in corners)
        wait_for(grabbed, what="the kiosk to be drawn over the whole screen")
    finally:
        kiosk.send_signal(signal.SIGTERM)
        kiosk.wait(10)


KEYPAD_RUN = r"""
import sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication
from shared.config.centre import load_config
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from kiosk.window import KioskWindow

class Voice:  # what is said is checked elsewhere (real espeak-ng): here, the screens
    level = 3
    def __init__(self): self.said = []
    def say(self, phrases, interrupt=False): self.said.append([p.text for p in phrases])
    def add(self, phrases): self.said.append([p.text for p in phrases])
    def set_level(self, level): self.level = level
    def reset_volume(self): self.level = 3

app = QApplication(sys.argv[:1])
config = load_config()
clock = FakeClock("2026-11-23T06:00:00+00:00")
queue = LocalQueue(sys.argv[1], config, clock)
voice = Voice()
w = KioskWindow(queue, config, "dummy://", locked=True, clock=clock, source="kiosk-2", voice=voice)
w.lock_down()
out = sys.argv[2]

def shot(name):
    app.processEvents()
    QGuiApplication.primaryScreen().grabWindow(0).save(f"{out}-{name}.png")

def key(k):
    QTest.keyClick(w.current_page(), k); clock.advance(1); app.processEvents()

def run():
    key(Qt.Key.Key_Down)                 # the first key: audio help
    key(Qt.Key.Key_1)                    # Azərbaycanca, focused
    shot("1-language-focus")
    key(Qt.Key.Key_Return)
    QTest.mouseClick(w.current_page().findChild(QAbstractButton, "large"), Qt.MouseButton.LeftButton)
    clock.advance(1); app.processEvents()
    key(Qt.Key.Key_2)
    shot("2-categories-large-focus")
    print(w.controller.screen.name, w.controller.access.audio, w.controller.access.large,
          w.isFullScreen(), len([s for s in voice.said if s]), flush=True)
    w.exit_kiosk()
    app.quit()

QTimer.singleShot(500, run)
app.exec()
"""


@pytest.mark.parametrize("bare_x", [(1080, 1920)], indirect=True, ids=["1080x1920"])
def test_keypad_and_large_text_full_screen_on_a_bare_x_screen(bare_x, tmp_path, artifacts):
    """The locked-down kiosk full screen on Xvfb takes keypad keys (audio help, a digit, Enter)
    and the Aa button; the whole X screen is saved at each step."""
    env = {**os.environ, "DISPLAY": bare_x, "QT_QPA_PLATFORM": "xcb", "NOVBE_DATA": str(tmp_path)}
    prefix = artifacts / "kiosk" / "bare-x-1080x1920-keypad"
    prefix.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-c", KEYPAD_RUN, str(tmp_path / "q.sqlite"), str(prefix)],
                          cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    screen, audio, large, full, spoken = done.stdout.split()
    assert (screen, audio, large, full) == ("categories", "True", "True", "True"), done.stdout
    assert int(spoken) >= 4   # language screen, the focus, categories, the focus again
    for step in ("1-language-focus", "2-categories-large-focus"):
        with Image.open(f"{prefix}-{step}.png") as img:
            assert img.size == (1080, 1920)
            assert img.convert("RGB").getpixel((2, 2)) == KIOSK_BACKGROUND
