"""Növbə's version, as installed (pyproject.toml's `version`): servers report it, devices and
`novbe doctor` compare it."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("novbe")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0+unknown"


def supports(server: str, device: str) -> bool:
    """Whether a server at version `server` supports a device at version `device`: the same
    major and minor version (a fix release on either side changes nothing the two say)."""
    return major_minor(server) == major_minor(device)


def major_minor(text: str) -> tuple[int, ...]:
    """(major, minor) of a version string; () when it has none ("0+unknown" → (0,))."""
    parts = []
    for piece in text.split("+")[0].split(".")[:2]:
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)
