"""The installed program's machine settings: `/etc/novbe/novbe.env`, which the systemd units pass
to every Növbə service, read by the `novbe` command itself — so that IT's `sudo -u novbe novbe
doctor` (or `novbe staff add`) works on the same database, config and links as the services.

Only the program installed by the package reads it (a checkout or a test run never looks at
/etc/novbe), and a setting already in the environment wins, as it does over a unit's file."""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path

from dotenv import dotenv_values

PACKAGE_VENV = Path("/opt/novbe/venv")       # where the Debian package installs the program
SETTINGS_FILE = Path("/etc/novbe/novbe.env")  # the machine's settings, a conffile of the package


class SettingsUnreadable(Exception):
    """The machine's settings file exists but this user cannot read it."""


def load_machine_settings(prefix: Path | None = None, settings: Path = SETTINGS_FILE,
                          environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Put each NOVBE_* setting of the machine's file that the environment lacks into it, when
    this is the packaged program (`prefix`: the running venv); the names set, in file order.
    Empty settings stay unset (the program's defaults apply, as under the units)."""
    environ = os.environ if environ is None else environ
    here = Path(sys.prefix) if prefix is None else prefix
    if here.resolve() != PACKAGE_VENV.resolve() or not settings.is_file():
        return []
    try:
        values = dotenv_values(settings, interpolate=False, encoding="utf-8")
    except OSError as exc:
        raise SettingsUnreadable(
            f"cannot read {settings} ({exc.strerror}): run the command as the novbe user "
            f"(sudo -u novbe novbe …) or as root") from exc
    names = []
    for name, value in values.items():
        if name.startswith("NOVBE_") and value and name not in environ:
            environ[name] = value
            names.append(name)
    return names
