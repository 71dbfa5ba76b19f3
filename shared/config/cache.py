"""A validated centre config kept for the command line, so a one-shot command (`novbe status`,
`novbe issue`) starts without importing pydantic or building its validators (~0.2 s).

The parsed CentreConfig is pickled in the data dir (data_dir()/cache), one file per config path,
under a key: the sha256 of the file's bytes, its path, the Python version and the source of the
modules that define and check a config (shared/config/centre.py, shared/config/schema.py) — so editing
the file or the code re-validates. A broken config is never kept. A cache that cannot be read,
is corrupt or holds anything but a config's own parts is ignored (the file is validated again
and the cache rewritten); one that cannot be written is skipped. Neither is ever an error."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import os
import pickle
import sys
from pathlib import Path

from shared.config import central as central_settings
from shared.config import centre as config_module
from shared.config.centre import (
    CentreConfig,
    default_config_path,
    parse_config_file,
    read_config_file,
)

log = logging.getLogger(__name__)

CACHE_FORMAT = b"novbe-config-cache 1"
# The code that decides what a valid file means and what a config holds: part of the key.
SCHEMA_FILES = tuple(Path(__file__).with_name(name)
                     for name in ("centre.py", "schema.py", "central.py"))

# What a pickled CentreConfig is made of; the cache may construct nothing else.
# The classes a cached config may hold: every dataclass of the modules that define a centre
# config's parts (found, not listed, so a new settings table needs no edit here).
CONFIG_MODULES = (config_module, central_settings)
_PARTS = {(m.__name__, name) for m in CONFIG_MODULES for name, obj in vars(m).items()
          if dataclasses.is_dataclass(obj) and isinstance(obj, type) and obj.__module__ == m.__name__
          } | {("datetime", "date"), ("datetime", "time"), ("builtins", "frozenset"),
               ("builtins", "set")}


def load_config_cached(path: str | Path | None = None, cache_dir: Path | None = None) -> CentreConfig:
    """load_config through the cache: the same config, or the same ConfigError, as
    load_config(path); the file is validated only when the cache has no copy for its bytes."""
    path = Path(path) if path else default_config_path()
    raw = read_config_file(path)
    source = str(path)
    key = cache_key(raw, source)
    if key is None:  # the code's source is not there to key on (an install without .py files)
        return parse_config_file(raw, source)
    where = cache_file(source, cache_dir)
    config = _read(where, key)
    if config is None:
        config = parse_config_file(raw, source)  # raises ConfigError: nothing is kept
        _write(where, key, config)
    return config


def cache_file(source: str, cache_dir: Path | None = None) -> Path:
    """Where the cached copy of the config read from `source` lives."""
    if cache_dir is None:
        from shared.paths import data_dir

        cache_dir = data_dir() / "cache"
    return cache_dir / f"config-{hashlib.sha256(source.encode()).hexdigest()[:16]}.pickle"


def cache_key(raw: bytes, source: str) -> bytes | None:
    """The hex sha256 that a cached copy must carry to stand for this file read by this code;
    None when that code's source cannot be read."""
    digest = hashlib.sha256(CACHE_FORMAT)
    digest.update(sys.version.encode())
    try:
        for schema in SCHEMA_FILES:
            digest.update(hashlib.sha256(schema.read_bytes()).digest())
    except OSError:
        return None
    digest.update(hashlib.sha256(source.encode()).digest())
    digest.update(hashlib.sha256(raw).digest())
    return digest.hexdigest().encode()


class _ConfigUnpickler(pickle.Unpickler):
    """Constructs only the parts of a CentreConfig: a cache file that names anything else is
    refused like any corrupt one, and runs no code."""

    def find_class(self, module: str, name: str) -> type:
        if (module, name) not in _PARTS:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a centre config")
        return super().find_class(module, name)


def _read(where: Path, key: bytes) -> CentreConfig | None:
    """The cached config if `where` holds one under `key`; None for a miss or any damage."""
    try:
        blob = where.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.debug("config cache %s unreadable: %s", where, exc)
        return None
    head, _, rest = blob.partition(b"\n")
    stored_key, _, payload = rest.partition(b"\n")
    if head != CACHE_FORMAT or stored_key != key:
        return None
    try:
        config = _ConfigUnpickler(io.BytesIO(payload)).load()
    except Exception as exc:  # a damaged pickle fails in many ways; each is only a miss
        log.debug("config cache %s ignored: %s", where, exc)
        return None
    return config if isinstance(config, CentreConfig) else None


def _write(where: Path, key: bytes, config: CentreConfig) -> None:
    """Keep `config` under `key`, whole or not at all (a new file renamed into place)."""
    import tempfile

    tmp: str | None = None
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{where.name}.", suffix=".tmp", dir=where.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(CACHE_FORMAT + b"\n" + key + b"\n")
            pickle.dump(config, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, where)
        tmp = None
    except (OSError, pickle.PicklingError) as exc:
        log.debug("config cache %s not written: %s", where, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
