"""The kiosk as the package runs it: the installed tree's `novbe kiosk`, full screen under the
real cage Wayland compositor (its headless backend, no GPU), as an unprivileged user, seen in a
screenshot taken with grim."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.central.pg_cluster import RUN_AS
from tests.packaging.conftest import BuiltPackage

NEEDED = ("cage", "grim", "runuser", "Xwayland")
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="runs cage as an unprivileged user "
                                                            "(needs root to switch to it)")


@pytest.mark.slow
@pytest.mark.timeout(1200)  # may be the test that builds the package
def test_kiosk_fills_the_screen_under_cage(package: BuiltPackage, artifacts: Path):
    """cage shows the kiosk as its one application: a grim screenshot of the 1920×1080 output
    is the kiosk's start screen edge to edge (its background colour in every corner, text in
    the middle), not a desktop or a black screen."""
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
    shot = tmp_path / "kiosk.png"
    script = tmp_path / "inside.sh"
    # Inside cage: start the kiosk, wait for its first frame, take the screenshot, stop.
    script.write_text(f"""#!/bin/sh
"{python}" -m novbe --db "{tmp_path}/q.sqlite" kiosk --printer dummy:// &
kiosk=$!
for i in $(seq 1 120); do
  sleep 0.5
  grim "{shot}.part" 2>/dev/null && "{python}" -c "
from PIL import Image; im = Image.open('{shot}.part').convert('RGB'); c = im.getcolors(1 << 20) or []
sys.exit(0 if len(c) > 20 else 1)" 2>/dev/null && mv "{shot}.part" "{shot}" && break
done
kill $kiosk
""")
    script.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "XDG_RUNTIME_DIR": str(runtime),
           "WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1",
           "WLR_HEADLESS_OUTPUTS": "1", "QT_QPA_PLATFORM": "wayland", "NOVBE_DATA": str(tmp_path),
           "HOME": str(tmp_path),
           "XDG_SESSION_TYPE": "wayland", "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    done = subprocess.run(["runuser", "-u", RUN_AS, "--", "env", "-i",
                           *[f"{k}={v}" for k, v in env.items()],
                           "cage", "-d", "--", str(script)],
                          capture_output=True, text=True, timeout=150)
    assert shot.exists(), (f"no screenshot after {time.monotonic() - started:.0f} s; cage said:\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    shutil.copy(shot, artifacts / "kiosk-under-cage.png")
    image = Image.open(shot).convert("RGB")
    w, h = image.size
    corners = {image.getpixel(p) for p in ((2, 2), (w - 3, 2), (2, h - 3), (w - 3, h - 3))}
    assert len(corners) == 1, f"the corners differ: {corners} (a window smaller than the screen?)"
    background = corners.pop()
    assert background != (0, 0, 0), "a black screen: cage showed nothing"
    middle = image.crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4))
    assert len(middle.getcolors(1 << 20) or []) > 20, "no text in the middle of the screen"
