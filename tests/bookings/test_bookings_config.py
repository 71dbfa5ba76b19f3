"""The [bookings] section: defaults, the capacity lookup, and bad values named as "file: key: what"."""

from __future__ import annotations

import copy

import pytest

from shared.bookings.slots import capacity, seats
from shared.config.centre import parse_config
from shared.core.errors import ConfigError
from tests.bookings.conftest import ASSESSMENT, PENSION, baku
from tests.shared.helpers import dost_data


def test_capacity_is_the_most_specific_entry_by_hour(config):
    """A service's own entry wins over its category's; hours outside every entry take none."""
    assert capacity(config, PENSION, baku("2026-11-23 09:00")) == 2
    assert capacity(config, ASSESSMENT, baku("2026-11-23 09:30")) == 0
    assert seats(config, ASSESSMENT, baku("2026-11-23 10:00")).national == 1
    assert capacity(config, "labour", baku("2026-11-23 10:00")) == 0


def test_bad_values_are_named():
    """Each bad value is named by its key, all at once."""
    data = copy.deepcopy(dost_data())
    data["bookings"].update(slot_min=0, national_share=1.5, late_min=-1)
    data["bookings"]["capacity"][0].update(service="passports")
    data["bookings"]["capacity"][1].update(hours="")
    with pytest.raises(ConfigError) as err:
        parse_config(data, "dost.toml")
    problems = err.value.problems
    assert "dost.toml: bookings.slot_min: must be at least 5, got 0" in problems
    assert "dost.toml: bookings.national_share: must be at most 1.0, got 1.5" in problems
    assert "dost.toml: bookings.late_min: must be at least 0, got -1" in problems
    assert "dost.toml: bookings.capacity[0].service: unknown service or category 'passports'" in problems
    assert any(p.startswith("dost.toml: bookings.capacity[1].hours: must be the hours") for p in problems)


def test_no_capacity_means_no_bookings():
    """A file without [bookings] takes none."""
    data = copy.deepcopy(dost_data())
    del data["bookings"]
    assert not parse_config(data).bookings.enabled
