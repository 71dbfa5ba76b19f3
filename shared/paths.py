"""Where Növbə keeps its files: the queue database and logs in the user's data dir."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from shared.config.centre import default_config_path


def data_dir() -> Path:
    """The folder for the database and the log (NOVBE_DATA overrides it)."""
    return Path(os.environ.get("NOVBE_DATA") or user_data_dir("novbe", appauthor=False))


def default_db_path() -> Path:
    """The queue database: $NOVBE_DB, else novbe.sqlite in the data dir."""
    return Path(os.environ.get("NOVBE_DB") or data_dir() / "novbe.sqlite")


def default_config() -> Path:
    """The centre config: $NOVBE_CONFIG, else the bundled DOST config."""
    return Path(os.environ.get("NOVBE_CONFIG") or default_config_path())
