"""The config model's own document: every shipped config and a few hundred generated variants of
the DOST one come back equal after config_document → JSON → parse_config; a device's copy leaves
out only the staff PIN and [central]; parts built in code are checked and frozen."""

from __future__ import annotations

import copy
import dataclasses
import json
import random
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.config.centre import (
    LANGUAGES,
    PAPER_WIDTHS,
    WEEKDAYS,
    CentreConfig,
    KioskSettings,
    OpeningHours,
    config_document,
    default_config_path,
    load_config,
    parse_config,
)
from tests.examples import examples
from tests.shared.helpers import dost_data

SHIPPED = sorted((default_config_path().parent).glob("*.toml"))
DOST = dost_data()


def round_trip(config: CentreConfig) -> CentreConfig:
    """The config as a remote device gets it: its document, over JSON, read back."""
    return parse_config(json.loads(json.dumps(config_document(config))), config.source)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_config_comes_back_equal(path: Path):
    """Each config in assets/config survives its own document unchanged, lookups included."""
    config = load_config(path)
    again = round_trip(config)
    assert again == config
    assert again.services == config.services and again.hours.week == config.hours.week


def test_the_sections_the_old_copy_dropped_come_back():
    """[waits], [fairness] and [central] travel with the rest (a copy once came back with
    fairness off and a 45-minute pause)."""
    data = dost_data()
    data["fairness"] = {"enabled": True, "wait_multiple": 1.5}
    data["waits"] = {"estimator": "simple", "pause_min": 20}
    data["central"] = {"url": "postgresql://c@central.example.az/novbe?sslmode=verify-full"}
    config = parse_config(data, "sections.toml")
    again = round_trip(config)
    assert (again.fairness.enabled, again.fairness.wait_multiple) == (True, 1.5)
    assert (again.waits.estimator, again.waits.pause_min) == ("simple", 20)
    assert again.central == config.central and again.central is not None
    assert again.central.centre_id == "dost-abseron"
    assert again == config


def test_a_devices_copy_leaves_out_only_the_pin_and_central():
    """A board's copy has no staff PIN and no [central]; read back it differs from the server's
    config in those two only (the PIN falls back to the file default)."""
    data = dost_data()
    data["kiosk"]["staff_pin"] = "731904"
    data["central"] = {"url": "postgresql://c:secret@central.example.az/novbe"}
    config = parse_config(data, "pin.toml")
    document = config_document(config, device=True, staff_pin=False)
    assert "central" not in document and "staff_pin" not in document["kiosk"]
    assert "secret" not in json.dumps(document)
    board = parse_config(document, "pin.toml")
    assert board == dataclasses.replace(config, central=None,
                                        kiosk=dataclasses.replace(config.kiosk, staff_pin="2580"))
    kiosk = parse_config(config_document(config, device=True), "pin.toml")
    assert kiosk.kiosk.staff_pin == "731904" and kiosk.central is None


def test_parts_built_in_code_are_checked_and_frozen():
    """A part built in code checks its own values (no cross-table checks without a file) and
    cannot be changed after."""
    with pytest.raises(ValueError, match="paper_width"):
        KioskSettings(paper_width=500)
    hours = OpeningHours.weekly({"mon": (time(8), time(12))}, frozenset({date(2026, 12, 31)}))
    assert hours.week["mon"] == (time(8), time(12)) and hours.week["tue"] is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        hours.mon = None  # type: ignore[misc]


# ---- a few hundred variants ------------------------------------------------------------------
SPANS = ("", "08:00-17:00", "09:00-18:00", "00:00-24:00", "10:30-14:15", "07:45-20:00")
WORDS = ("Mərkəz", "Şöbə", "Центр", "Отдел", "Centre", "Hall", "Ağdaş", "Gəncə", "Шеки")


def _names(rng: random.Random) -> dict[str, str]:
    return {lang: " ".join(rng.sample(WORDS, rng.randint(1, 3))) for lang in LANGUAGES}


@st.composite
def variants(draw: st.DrawFn) -> dict[str, Any]:
    """The DOST config with settings, hours, numbers, names, counters and sections changed —
    every change one a centre could make. The sections come from hypothesis' draws, the many
    small changes from a random source it seeds (drawing each one costs more than the check)."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    data = copy.deepcopy(DOST)
    centre = data["centre"]
    centre["transfer"] = draw(st.sampled_from(["keep_place", "front", "back"]))
    centre["day_reset_hour"] = draw(st.integers(0, 23))
    centre["public_url"] = draw(st.sampled_from(["", "http://10.0.0.5:8700", "https://q.example.az"]))
    centre["name"] = _names(rng)
    data["hours"] = {day: rng.choice(SPANS) for day in WEEKDAYS if rng.random() < 0.7}
    data["hours"]["closed_dates"] = [date(2026, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
                                     for _ in range(rng.randint(0, 4))]
    for cat in data["category"]:
        if rng.random() < 0.4:
            cat["service_min"] = round(rng.uniform(0.5, 60), rng.randint(0, 3))
        if rng.random() < 0.3:
            cat["daily_cap"] = rng.randint(1, 500)
        for svc in cat.get("service", []):
            if rng.random() < 0.4:
                svc["target_wait_min"] = rng.choice([rng.randint(0, 90), rng.uniform(0, 90)])
            if rng.random() < 0.3:
                svc["daily_cap"] = rng.randint(1, 300)
            if rng.random() < 0.2:
                svc["name"] = _names(rng)
    for prio in data.get("priority", []):
        prio["rank"] = rng.randint(1, 999)
    for counter in data["counter"]:
        counter["zone"] = rng.choice(["main", "hall-2", "upstairs"])
    if draw(st.booleans()):
        data["counter"].append({"id": "99", "services": ["*"], "name": _names(rng)})
    data["kiosk"] = {"paper_width": draw(st.sampled_from(PAPER_WIDTHS)),
                     "idle_seconds": rng.randint(5, 600),
                     "staff_pin": str(rng.randint(0, 10**8 - 1)).zfill(rng.randint(4, 8))[-8:],
                     "footer": _names(rng)}
    data["board"] = {"speech_languages": rng.sample(LANGUAGES, rng.randint(0, 3)),
                     "history": rng.randint(1, 20)}
    data["waits"] = {"estimator": draw(st.sampled_from(["replay", "simple"])),
                     "pause_min": rng.uniform(1, 120)}
    data["fairness"] = {"enabled": draw(st.booleans()), "wait_multiple": rng.uniform(0.1, 5)}
    if draw(st.booleans()):
        data["central"] = {"url": "postgresql://u@central.example.az/novbe?sslmode=require",
                           **({"centre_id": "baku-1"} if draw(st.booleans()) else {})}
    return data


@pytest.mark.slow
@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants())
def test_generated_variants_come_back_equal(data: dict[str, Any]):
    """Every generated variant is a valid config that its document gives back equal."""
    config = parse_config(data, "variant.toml")
    assert round_trip(config) == config
