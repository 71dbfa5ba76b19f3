"""The kiosk as the package runs it: the installed tree's `novbe kiosk`, full screen under the
real cage Wayland compositor (its headless backend, no GPU), as an unprivileged user, seen in a
screenshot taken with grim."""

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
    unprivileged user: a grim screenshot of cage's output shows the kiosk's start screen (its
    background and its text), drawn from the window's top-left corner — no desktop, no other
    window. (cage's headless backend here has no GPU: it shows the kiosk's first frame but
    sends no further frame callbacks, so a later resize to the whole output is not drawn.)"""
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
sys.exit(0 if len(im.getcolors(1 << 20) or []) > 20 else 1)" && mv "{shot}.part" "{shot}" && break
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
                           "cage", "-d", "--", str(script)],
                          capture_output=True, text=True, timeout=400, cwd=tmp_path)
    log = (tmp_path / "kiosk.log").read_text(errors="replace") if (tmp_path / "kiosk.log").exists() else ""
    assert shot.exists(), f"no kiosk on cage's screen; cage: {done.stderr[-1500:]}\nkiosk: {log[-2000:]}"
    shutil.copy(shot, artifacts / "kiosk-under-cage.png")
    image = Image.open(shot).convert("RGB")
    background = image.getpixel((3, 3))
    assert background != (0, 0, 0), "the top-left corner is black: the kiosk is not drawn there"
    assert sum(background) < 200, f"not the kiosk's dark background: {background}"
    top = image.crop((0, 0, image.width // 2, image.height // 3))
    assert len(top.getcolors(1 << 20) or []) > 20, "no text on the kiosk's start screen"
