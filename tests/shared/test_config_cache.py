"""The command line's validated-config cache: the second load of a file needs no pydantic; a
changed file, changed code or a damaged cache is validated again; a broken file is never kept."""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from shared.config import cache as config_cache
from shared.config.cache import cache_file, load_config_cached
from shared.config.centre import default_config_path, load_config
from shared.core.errors import ConfigError
from tests.shared.test_config import GOOD

ROOT = Path(__file__).resolve().parents[2]

# A fresh Python that loads the config through the cache and tells what it got and whether it
# had to import pydantic (it validates only on a miss).
LOAD = """
import sys
from shared.config.cache import load_config_cached
config = load_config_cached(sys.argv[1])
print(repr(config))
print("pydantic" in sys.modules)
"""


def load_fresh(path: Path, data: Path) -> tuple[str, bool]:
    """(repr of the config, whether pydantic was imported) from a new process."""
    env = {**os.environ, "NOVBE_DATA": str(data)}
    done = subprocess.run([sys.executable, "-c", LOAD, str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    config, imported = done.stdout.splitlines()
    return config, imported == "True"


@pytest.fixture
def centre(tmp_path: Path) -> Path:
    path = tmp_path / "centre.toml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_second_load_uses_the_cache_without_pydantic(centre, tmp_path):
    """The first process validates (pydantic) and keeps the config; the second gets the same
    config from the cache without importing pydantic."""
    data = tmp_path / "data"
    first, validated = load_fresh(centre, data)
    assert validated and cache_file(str(centre), data / "cache").is_file()
    second, validated_again = load_fresh(centre, data)
    assert not validated_again
    assert first == second == repr(load_config(centre))


def test_cached_config_is_the_validated_one(tmp_path):
    """The bundled config read back from the cache equals the one validated from the file, its
    lookups work and its parts are still frozen dataclasses that dataclasses.replace builds on."""
    load_config_cached(None, tmp_path)
    cached = load_config_cached(None, tmp_path)
    fresh = load_config()
    assert cached == fresh and cached.source == str(default_config_path())
    assert cached.services == fresh.services
    assert cached.counter("3").services == fresh.counter("3").services
    assert cached.hours.describe() == fresh.hours.describe()
    assert dataclasses.replace(cached.kiosk, idle_seconds=30).idle_seconds == 30


def test_a_changed_file_is_validated_again(centre, tmp_path):
    """Editing the file (same path) makes the next load validate the new bytes and keep those."""
    data = tmp_path / "data"
    load_fresh(centre, data)
    centre.write_text(GOOD.replace('en = "Centre"', 'en = "Social centre"'), encoding="utf-8")
    config, validated = load_fresh(centre, data)
    assert validated and "Social centre" in config
    assert load_fresh(centre, data) == (config, False)


def test_a_broken_file_is_never_kept(centre, tmp_path):
    """A broken file raises the same ConfigError as load_config, every time, and leaves no cache;
    a good copy kept earlier is not used for the broken bytes."""
    cache = tmp_path / "cache"
    load_config_cached(centre, cache)
    kept = cache_file(str(centre), cache).read_bytes()
    centre.write_text(GOOD.replace('"Asia/Baku"', '"Mars/Olympus"'), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError) as info:
            load_config_cached(centre, cache)
        assert info.value.problems == [f"{centre}: centre.timezone: unknown time zone 'Mars/Olympus'"]
    assert cache_file(str(centre), cache).read_bytes() == kept
    elsewhere = tmp_path / "other-cache"
    with pytest.raises(ConfigError):
        load_config_cached(centre, elsewhere)
    assert not elsewhere.exists() or not any(elsewhere.iterdir())


def test_a_missing_file_is_the_same_error_as_load_config(tmp_path):
    """No file: the ConfigError names it, as load_config's does."""
    with pytest.raises(ConfigError) as info:
        load_config_cached(tmp_path / "nowhere.toml", tmp_path / "cache")
    assert info.value.problems == [f"{tmp_path / 'nowhere.toml'}: file not found"]


class _Trap:
    """A pickle that would run a program when loaded by a plain unpickler."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "not-a-config", "trap"])
def test_a_damaged_cache_is_ignored_and_rewritten(centre, tmp_path, damage):
    """A cache file that is garbage, cut short, empty, holds something else or a pickle that
    would run code is ignored: the file is validated again, nothing runs, and the cache is
    rewritten so the next process needs no pydantic again."""
    data = tmp_path / "data"
    load_fresh(centre, data)
    where = cache_file(str(centre), data / "cache")
    good = where.read_bytes()
    head, key, _ = good.split(b"\n", 2)
    marker = tmp_path / "ran"
    where.write_bytes({
        "garbage": os.urandom(2000),
        "truncated": good[: len(good) * 2 // 3],
        "empty": b"",
        "not-a-config": b"\n".join([head, key, pickle.dumps({"centre_id": "x"})]),
        "trap": b"\n".join([head, key, pickle.dumps(_Trap(marker))]),
    }[damage])
    config, validated = load_fresh(centre, data)
    assert validated and config == repr(load_config(centre))
    assert not marker.exists()
    assert where.read_bytes() == good
    assert load_fresh(centre, data) == (config, False)


def test_changed_code_invalidates_the_cache(centre, tmp_path, monkeypatch):
    """The source of the modules that define and check a config is part of the key: once it
    changes, the kept copy no longer stands for the file and it is validated again."""
    cache = tmp_path / "cache"
    schema = tmp_path / "config_schema.py"
    schema.write_bytes(Path(config_cache.__file__).with_name("schema.py").read_bytes())
    monkeypatch.setattr(config_cache, "SCHEMA_FILES", (schema,))
    load_config_cached(centre, cache)
    before = cache_file(str(centre), cache).read_bytes()
    assert load_config_cached(centre, cache) == load_config(centre)
    assert cache_file(str(centre), cache).read_bytes() == before
    schema.write_bytes(schema.read_bytes() + b"\n# a change\n")
    assert load_config_cached(centre, cache) == load_config(centre)
    after = cache_file(str(centre), cache).read_bytes()
    assert after != before and after.split(b"\n")[1] != before.split(b"\n")[1]


def test_an_unwritable_cache_is_skipped(centre, tmp_path):
    """A cache folder that cannot be made (its parent is a file) costs only the validation."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    for _ in range(2):
        assert load_config_cached(centre, blocker / "cache") == load_config(centre)


def test_cli_status_loads_the_centre_config_from_the_cache(tmp_path):
    """`novbe status` keeps the config on its first run; a second run in a fresh process
    imports no pydantic."""
    env = {**os.environ, "NOVBE_DATA": str(tmp_path / "data"), "NOVBE_DB": str(tmp_path / "q.sqlite")}
    env.pop("NOVBE_CONFIG", None)
    run = """
import sys
from novbe.cli import main
code = main(["status"])
print("pydantic" in sys.modules, code)
"""
    outputs = [subprocess.run([sys.executable, "-c", run], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60) for _ in range(2)]
    for done in outputs:
        assert done.returncode == 0, done.stderr
    assert outputs[0].stdout.splitlines()[-1] == "True 0"
    assert outputs[1].stdout.splitlines()[-1] == "False 0"
    assert "nobody waiting" in outputs[1].stdout
