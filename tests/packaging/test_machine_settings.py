"""The packaged `novbe` reads the machine's /etc/novbe/novbe.env as its systemd units do, so
IT's commands (`sudo -u novbe novbe doctor`) see the services' database and links; a checkout
never reads it."""

from __future__ import annotations

from pathlib import Path

from novbe.machine_settings import PACKAGE_VENV, load_machine_settings

SETTINGS = """# a comment
NOVBE_ROLE=server
NOVBE_DB=/var/lib/novbe/novbe.sqlite
NOVBE_SERVER=
NOVBE_PORT=8701
NOVBE_BACKUP_DIR="/mnt/share/novbe backups"
OTHER=ignored
"""


def test_the_packaged_program_takes_the_machines_settings(tmp_path: Path):
    """In /opt/novbe/venv: unset NOVBE_* settings come from the file (quotes removed), one
    already in the environment wins, empty ones and others' names stay unset."""
    settings = tmp_path / "novbe.env"
    settings.write_text(SETTINGS)
    environ = {"NOVBE_PORT": "9000"}
    names = load_machine_settings(PACKAGE_VENV, settings, environ)
    assert names == ["NOVBE_ROLE", "NOVBE_DB", "NOVBE_BACKUP_DIR"]
    assert environ == {"NOVBE_PORT": "9000", "NOVBE_ROLE": "server",
                       "NOVBE_DB": "/var/lib/novbe/novbe.sqlite",
                       "NOVBE_BACKUP_DIR": "/mnt/share/novbe backups"}


def test_a_checkout_never_reads_the_machines_settings(tmp_path: Path):
    """Any other venv (a checkout, a test run) leaves the environment as it is."""
    settings = tmp_path / "novbe.env"
    settings.write_text(SETTINGS)
    environ: dict[str, str] = {}
    assert load_machine_settings(tmp_path / ".venv", settings, environ) == []
    assert environ == {}
    assert load_machine_settings(PACKAGE_VENV, tmp_path / "none.env", environ) == []
