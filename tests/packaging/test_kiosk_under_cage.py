"""The kiosk as the package runs it: the installed tree's `novbe kiosk`, full screen under the
real cage Wayland compositor (its headless backend, no GPU), as an unprivileged user, seen in a
screenshot taken with grim.

Why cage runs here with its output turned 180° (`-r -r`): cage 0.1.4 (Debian 12, wlroots 0.15)
hands a full-screen client's buffer straight to the output ("direct scan-out") instead of
compositing it. On the headless backend a screenshot (wlr-screencopy) then forces a composited
frame whose commit wlroots refuses ("Basic output test failed for HEADLESS-1"), and grim gets the
last frame cage did composite — the kiosk's first one, drawn at Qt's default 2/3 size before cage
made it full screen. The kiosk itself was full screen and repainting all along (WAYLAND_DEBUG
shows a 1280×720 buffer committed on every change and every frame callback answered). A turned
output rules scan-out out (the buffer's transform differs from the output's), so cage composites
every frame and the screenshot shows what the output shows; grim turns the picture back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from tests.central.pg_cluster import RUN_AS
from tests.packaging.conftest import ROOT, BuiltPackage

NEEDED = ("cage", "grim", "runuser", "Xwayland")
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="runs cage as an unprivileged user "
                                                            "(needs root to switch to it)")


@pytest.mark.slow
@pytest.mark.timeout(1200)  # may be the test that builds the package
def test_kiosk_runs_as_cages_one_application(package: BuiltPackage, artifacts: Path):
    """The installed tree's `novbe kiosk` (locked down, as the unit starts it) under cage as an
    unprivileged user: a grim screenshot of cage's output shows the kiosk's start screen over
    the whole output (its background in every corner, its text) — a frame drawn after cage made
    it full screen, no desktop, no other window."""
    missing = [t for t in NEEDED if shutil.which(t) is None]
    assert not missing, f"install {', '.join(missing)} (./run does)"
    # pytest's tmp_path sits in a folder only root may enter: the unprivileged user needs its own.
    tmp_path = Path(tempfile.mkdtemp(prefix="novbe-cage-"))
    tmp_path.chmod(0o777)
    try:
        _run_kiosk_under_cage(package.python, tmp_path, artifacts)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _run_kiosk_under_cage(python: Path, tmp_path: Path, artifacts: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    shutil.chown(runtime, RUN_AS)
    config = tmp_path / "centre.toml"   # the shipped PIN is refused by a real kiosk
    config.write_text(re.sub(r'(?m)^staff_pin = .*$', 'staff_pin = "7391"',
                             (ROOT / "assets/config/dost.toml").read_text()))
    shot = tmp_path / "kiosk.png"
    script = tmp_path / "inside.sh"
    # Inside cage: start the kiosk, take screenshots until its start screen is drawn, stop.
    script.write_text(f"""#!/bin/sh
cd "{tmp_path}"
"{python}" -m novbe --config "{config}" --db "{tmp_path}/q.sqlite" kiosk --printer dummy:// \
  > "{tmp_path}/kiosk.log" 2>&1 &
kiosk=$!
end=$(( $(date +%s) + 240 ))
while [ "$(date +%s)" -lt "$end" ]; do
  sleep 2
  grim "{shot}.part" 2>/dev/null && "{python}" -c "
from PIL import Image; import sys
im = Image.open('{shot}.part').convert('RGB')
w, h = im.size
sys.exit(0 if len(im.getcolors(1 << 20) or []) > 20 and im.getpixel((w - 3, h - 3)) != (0, 0, 0)
         else 1)" && mv "{shot}.part" "{shot}" && break
done
kill $kiosk
""")
    script.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "XDG_RUNTIME_DIR": str(runtime),
           "WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1",
           "QT_QPA_PLATFORM": "wayland", "NOVBE_DATA": str(tmp_path), "HOME": str(tmp_path),
           "XDG_SESSION_TYPE": "wayland"}
    done = subprocess.run(["runuser", "-u", RUN_AS, "--", "env", "-i",
                           *[f"{k}={v}" for k, v in env.items()],
                           "cage", "-d", "-r", "-r", "--", str(script)],
                          capture_output=True, text=True, timeout=400, cwd=tmp_path)
    log = (tmp_path / "kiosk.log").read_text(errors="replace") if (tmp_path / "kiosk.log").exists() else ""
    assert shot.exists(), f"no kiosk on cage's screen; cage: {done.stderr[-1500:]}\nkiosk: {log[-2000:]}"
    shutil.copy(shot, artifacts / "kiosk-under-cage.png")
    assert "Basic output test failed" not in done.stderr, \
        f"cage could not show a frame: the screenshot may be stale\n{done.stderr[-1500:]}"
    image = Image.open(shot).convert("RGB")
    background = image.getpixel((3, 3))
    assert background != (0, 0, 0), "the top-left corner is black: the kiosk is not drawn there"
    assert sum(background) < 200, f"not the kiosk's dark background: {background}"
    w, h = image.size
    for corner in ((w - 3, 3), (3, h - 3), (w - 3, h - 3)):   # full screen, not a first frame
        assert image.getpixel(corner) == background, f"{corner} is {image.getpixel(corner)}: " \
            "the kiosk does not cover cage's output"
    top = image.crop((0, 0, image.width // 2, image.height // 3))
    assert len(top.getcolors(1 << 20) or []) > 20, "no text on the kiosk's start screen"
