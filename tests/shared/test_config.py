"""The centre config: the bundled DOST file loads; a broken file lists every problem with its
file and key, from the library and from `novbe check-config`."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from shared.config.centre import default_config_path, load_config
from shared.core.errors import ConfigError, UnknownCounter, UnknownPriority, UnknownService

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
[centre]
id = "test-centre"
name = { az = "Mərkəz", ru = "Центр", en = "Centre" }
timezone = "Asia/Baku"

[[priority]]
id = "veteran"
rank = 1
name = { az = "Qazilər", ru = "Ветераны", en = "Veterans" }

[[category]]
id = "pensions"
prefix = "B"
name = { az = "Pensiya", ru = "Пенсии", en = "Pensions" }
  [[category.service]]
  id = "age"
  name = { az = "Yaşa görə", ru = "По возрасту", en = "Old age" }

[[category]]
id = "labour"
prefix = "H"
name = { az = "Əmək", ru = "Труд", en = "Labour" }

[[counter]]
id = "1"
services = ["pensions", "labour"]
"""


def write(tmp_path: Path, text: str, name: str = "centre.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def test_bundled_dost_config_loads():
    """The default DOST config is valid: 12 categories, 30 services, 4 classes, 20 counters."""
    cfg = load_config()
    assert cfg.source == str(default_config_path())
    assert (len(cfg.categories), len(cfg.services), len(cfg.priorities), len(cfg.counters)) == (12, 30, 4, 20)
    assert cfg.timezone == "Asia/Baku" and cfg.day_reset_hour == 3
    assert cfg.transfer_policy == "keep_place"
    assert len({c.prefix for c in cfg.categories}) == 12
    for svc in cfg.services.values():
        assert all(svc.names.get(lang) for lang in ("az", "ru", "en")), svc.id
        assert cfg.counters_serving(svc.id), f"nobody serves {svc.id}"
    assert [p.id for p in cfg.priorities][:1] == ["veteran"]


def test_minimal_config_loads(tmp_path):
    """A small valid file loads; a category without services is its own service."""
    cfg = load_config(write(tmp_path, GOOD))
    assert list(cfg.services) == ["pensions.age", "labour"]
    assert cfg.counter("1").services == ("pensions.age", "labour")


@pytest.mark.parametrize("change, expected", [
    (("prefix = \"H\"", "prefix = \"B\""),
     "category.labour.prefix: duplicate prefix 'B' (also used by category.pensions)"),
    (("services = [\"pensions\", \"labour\"]", "services = [\"pensions\", \"labour\", \"nope\"]"),
     "counter.1.services: serves unknown service 'nope'"),
    (("timezone = \"Asia/Baku\"", "timezone = \"Mars/Olympus\""),
     "centre.timezone: unknown time zone 'Mars/Olympus'"),
    (("ru = \"По возрасту\", ", ""),
     "service.pensions.age.name.ru: missing translation"),
    (("rank = 1", "rank = \"first\""),
     "priority.veteran.rank: must be a whole number, got 'first'"),
    (("rank = 1", "rank = 1000"),
     "priority.veteran.rank: must be at most 999, got 1000"),
], ids=["duplicate-prefix", "unknown-service", "unknown-timezone", "missing-translation",
        "bad-rank", "priority-ranked-after-everyone"])
def test_each_problem_names_file_key_and_what(tmp_path, change, expected):
    """One broken setting gives one problem: "file: key: what is wrong"."""
    path = write(tmp_path, GOOD.replace(*change))
    assert problems(path) == [f"{path}: {expected}"]


def test_every_problem_is_listed_at_once(tmp_path):
    """A file with several problems lists all of them, not just the first."""
    text = (GOOD.replace('prefix = "H"', 'prefix = "B"')
                .replace('"pensions", "labour"]', '"pensions", "labour", "nope"]')
                .replace('"Asia/Baku"', '"Mars/Olympus"')
                .replace('en = "Labour"', 'en = ""'))
    path = write(tmp_path, text)
    assert problems(path) == [
        f"{path}: centre.timezone: unknown time zone 'Mars/Olympus'",
        f"{path}: category.labour.prefix: duplicate prefix 'B' (also used by category.pensions)",
        f"{path}: category.labour.name.en: missing translation",
        f"{path}: counter.1.services: serves unknown service 'nope'",
    ]


def test_every_service_no_counter_serves_is_reported(tmp_path):
    """A service (or a category without services) that no counter serves could never be called:
    each one is reported."""
    survivor = ('  [[category.service]]\n  id = "survivor"\n'
                '  name = { az = "Ailə başçısını itirməyə görə", ru = "По потере кормильца", '
                'en = "Survivor" }\n')
    text = (GOOD.replace("\n[[category]]\nid = \"labour\"", "\n" + survivor + "\n[[category]]\nid = \"labour\"")
                .replace('services = ["pensions", "labour"]', 'services = ["pensions.age"]'))
    path = write(tmp_path, text)
    assert problems(path) == [
        f"{path}: service.pensions.survivor: no counter serves it",
        f"{path}: category.labour: no counter serves it",
    ]


def test_broken_toml_names_the_file_and_line(tmp_path):
    """A TOML syntax error is one problem naming the file and where the parser stopped."""
    path = write(tmp_path, GOOD.replace('id = "test-centre"', 'id = "test-centre'))
    [problem] = problems(path)
    assert problem.startswith(f"{path}: not valid TOML: ")
    assert "line 3" in problem


def test_missing_file(tmp_path):
    """A config path that does not exist says so, naming it."""
    path = tmp_path / "nowhere.toml"
    assert problems(path) == [f"{path}: file not found"]


def test_missing_sections_and_unknown_keys(tmp_path):
    """No categories or counters, and a misspelt section, are each reported."""
    path = write(tmp_path, '[centre]\nname = { az = "A", ru = "Б", en = "C" }\n[counters]\nx = 1\n')
    assert problems(path) == [
        f"{path}: category: at least one [[category]] is needed",
        f"{path}: counter: at least one [[counter]] is needed",
        f"{path}: counters: unknown section",
    ]


def _check_config(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "novbe", "check-config", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_check_config_cli_prints_every_problem_and_exits_2(tmp_path):
    """`novbe check-config` on a bad file prints each problem on its own line and exits 2."""
    path = write(tmp_path, GOOD.replace('"Asia/Baku"', '"Mars/Olympus"')
                               .replace('"pensions", "labour"]', '"pensions", "labour", "nope"]'))
    done = _check_config(path)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "novbe: the centre config is broken:"
    assert [line.strip() for line in lines[1:]] == [
        f"{path}: centre.timezone: unknown time zone 'Mars/Olympus'",
        f"{path}: counter.1.services: serves unknown service 'nope'",
    ]


def test_check_config_cli_accepts_the_bundled_file():
    """`novbe check-config` on the DOST file says OK and exits 0."""
    done = _check_config(default_config_path())
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout and "30 services" in done.stdout


@pytest.mark.parametrize("change, expected", [
    (("[[counter]]\nid = \"1\"", "[[counter]]\nid = \"1\"\nservics = [\"labour\"]"),
     "counter.1.servics: unknown key"),
    (("timezone = \"Asia/Baku\"", "timezone = \"Asia/Baku\"\nlanguage = \"az\""),
     "centre.language: unknown key"),
    (("id = \"age\"", "id = \"age\"\n  service_min = \"7\""),
     "service.pensions.age.service_min: must be a number, got '7'"),
    (("prefix = \"H\"", "prefix = \"H\"\ndaily_cap = 2.5"),
     "category.labour.daily_cap: must be a whole number, got 2.5"),
    (("id = \"age\"", "id = \"Old Age\""),
     "category.pensions.service[0].id: must be an id of lowercase letters, digits, '_', '-', "
     "'.'; got 'Old Age'"),
    (("id = \"age\"\n", "id = \"age\"\n  name = { az = \"A\", ru = \"Б\", en = \"C\" }\n"
                        "  [[category.service]]\n  id = \"age\"\n"),
     "service.pensions.age.id: duplicate id"),
    (("en = \"Veterans\" }", "en = \"Veterans\" }\n[[priority]]\nid = \"none\"\nrank = 2\n"
                               "name = { az = \"Heç\", ru = \"Нет\", en = \"None\" }"),
     "priority.none.id: duplicate or reserved id"),
], ids=["unknown-key-in-a-table", "unknown-key-in-centre", "number-as-text", "fraction-cap",
        "broken-id-named-by-position", "duplicate-service-id", "reserved-priority-id"])
def test_more_problems_name_file_key_and_what(tmp_path, change, expected):
    """Misspelt keys, numbers written as text, broken and repeated ids: each is one problem at
    its key (a table whose id is broken is named by its position)."""
    text = GOOD.replace(*change)
    assert text != GOOD
    path = write(tmp_path, text)
    assert problems(path) == [f"{path}: {expected}"]


def test_problems_in_tables_and_across_them_come_together(tmp_path):
    """A broken value and a service no counter serves are listed together, not one per run."""
    text = (GOOD.replace('"Asia/Baku"', '"Mars/Olympus"')
                .replace('services = ["pensions", "labour"]', 'services = ["pensions"]'))
    path = write(tmp_path, text)
    assert problems(path) == [
        f"{path}: centre.timezone: unknown time zone 'Mars/Olympus'",
        f"{path}: category.labour: no counter serves it",
    ]


def test_loaded_parts_are_frozen_dataclasses_looked_up_by_id(tmp_path):
    """The loaded config's parts are frozen dataclasses (dataclasses.replace works and checks
    nothing again); services, counters and priority classes are found by id, unknown ones
    raise the queue's named errors."""
    cfg = load_config(write(tmp_path, GOOD))
    counter = cfg.counter(1)  # a counter number is its id
    assert dataclasses.is_dataclass(counter) and counter.zone == "main"
    moved = dataclasses.replace(counter, zone="hall-2")
    assert (moved.zone, moved.services, counter.zone) == ("hall-2", counter.services, "main")
    with pytest.raises(dataclasses.FrozenInstanceError):
        counter.zone = "x"  # type: ignore[misc]
    quiet = dataclasses.replace(cfg.board, ticker={"az": "yalnız azərbaycanca"})
    assert quiet.ticker == {"az": "yalnız azərbaycanca"}
    assert cfg.service("pensions.age").prefix == "B" and cfg.priority("veteran").rank == 1
    assert cfg.priority(None) is None and cfg.priority("none") is None
    assert cfg.category("labour").services[0].id == "labour"
    for lookup, wrong, error in [(cfg.service, "nope", UnknownService),
                                 (cfg.counter, "99", UnknownCounter),
                                 (cfg.priority, "vip", UnknownPriority),
                                 (cfg.category, "nope", UnknownService)]:
        with pytest.raises(error, match=repr(wrong)):
            lookup(wrong)


def test_services_inherit_their_category_numbers(tmp_path):
    """A service without its own service_min, target_wait_min or daily_cap takes its
    category's; its own values win."""
    text = GOOD.replace('prefix = "B"\n', 'prefix = "B"\nservice_min = 12\ndaily_cap = 40\n').replace(
        'id = "age"\n', 'id = "age"\n  daily_cap = 5\n')
    cfg = load_config(write(tmp_path, text))
    age, labour = cfg.service("pensions.age"), cfg.service("labour")
    assert (age.service_min, age.target_wait_min, age.daily_cap) == (12, 10, 5)
    assert (labour.service_min, labour.target_wait_min, labour.daily_cap) == (7, 10, None)


@pytest.mark.parametrize("visits, expected", [
    ("walk_up_s = -5", "visits.walk_up_s: must be at least 0, got -5"),
    ("walk_up_s = \"60\"", "visits.walk_up_s: must be a whole number, got '60'"),
    ("undo_s = 1000", "visits.undo_s: must be at most 300, got 1000"),
    ("walkup_s = 60", "visits.walkup_s: unknown key"),
], ids=["negative", "text", "too-long-undo", "misspelt"])
def test_visits_settings_are_checked(tmp_path, visits, expected):
    """[visits] (what Next records, the Undo window): each bad value is named at its key."""
    path = write(tmp_path, GOOD + f"\n[visits]\n{visits}\n")
    assert problems(path) == [f"{path}: {expected}"]


def test_visits_settings_default_to_the_bundled_file():
    """The bundled config writes the defaults out: 60 s walk-up, 20 s to undo an outcome."""
    from shared.config.centre import load_config

    visits = load_config().visits
    assert (visits.walk_up_s, visits.undo_s) == (60, 20)
