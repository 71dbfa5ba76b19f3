"""The Debian package, built once per test run (uncompressed: the contents are what is tested)
and unpacked into a folder every user may read, as `dpkg -i` would lay it out."""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_builder():
    """packaging/build_deb.py (a script: `packaging` is also the name of a PyPI library)."""
    spec = importlib.util.spec_from_file_location("novbe_build_deb", ROOT / "packaging/build_deb.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class BuiltPackage:
    deb: Path
    root: Path          # the package's files, unpacked (root/opt/novbe/venv/bin/novbe …)

    @property
    def python(self) -> Path:
        return self.root / "opt/novbe/venv/bin/python"


@pytest.fixture(scope="session")
def package() -> Iterator[BuiltPackage]:
    """novbe_<version>_<arch>.deb built by packaging/build_deb.py, and its files unpacked — once
    per run: the first xdist worker to ask builds it under a lock in the run's shared folder
    (NOVBE_TEST_RUN_DIR, made and removed by the run's first process), the others wait and use
    it. Each build is a whole venv installed: minutes of CPU."""
    run_dir = os.environ.get("NOVBE_TEST_RUN_DIR")
    if not run_dir:                 # not under tests/conftest.py: a folder of its own
        folder = Path(tempfile.mkdtemp(prefix="novbe-pkg-"))
        folder.chmod(0o755)
        try:
            yield _build(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    folder = Path(run_dir) / "package"
    with open(Path(run_dir) / "package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "built").exists():
            shutil.rmtree(folder, ignore_errors=True)     # a build that failed half-way
            folder.mkdir(mode=0o755)
            folder.chmod(0o755)
            built = _build(folder)
            (folder / "built").write_text(built.deb.name, encoding="utf-8")
    yield BuiltPackage(folder / "dist" / (folder / "built").read_text(encoding="utf-8"),
                       folder / "root")


def _build(folder: Path) -> BuiltPackage:
    deb = load_builder().build(folder / "dist", compress="none")
    root = folder / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return BuiltPackage(deb, root)
