"""The Debian package, built once per test run (uncompressed: the contents are what is tested)
and unpacked into a folder every user may read, as `dpkg -i` would lay it out."""

from __future__ import annotations

import importlib.util
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
    """novbe_<version>_<arch>.deb built by packaging/build_deb.py, and its files unpacked."""
    folder = Path(tempfile.mkdtemp(prefix="novbe-pkg-"))
    folder.chmod(0o755)
    try:
        deb = load_builder().build(folder / "dist", compress="none")
        root = folder / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        yield BuiltPackage(deb, root)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
