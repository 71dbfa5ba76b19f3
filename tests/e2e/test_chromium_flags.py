"""The browser tests' --disable-features keeps every feature Playwright itself turns off:
Chromium reads only the last --disable-features, so ours replaces Playwright's."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import CHROMIUM_ARGS, PLAYWRIGHT_DISABLED_FEATURES

DISABLED_LIST = re.compile(r"disabledFeatures = \[(.*?)\]", re.S)


def playwrights_disabled_features() -> set[str]:
    """The feature names in the installed Playwright driver's `disabledFeatures` list."""
    import playwright

    lib = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    for path in (lib / "coreBundle.js", lib / "server" / "chromium" / "chromiumSwitches.js"):
        if path.is_file() and (found := DISABLED_LIST.search(path.read_text(encoding="utf-8"))):
            body = re.sub(r"//[^\n]*", "", found.group(1))
            return set(re.findall(r'"([A-Za-z0-9]+)"', body))
    raise AssertionError(f"no disabledFeatures list in Playwright's driver under {lib}")


def test_our_disabled_features_include_playwrights():
    """Every feature the installed Playwright disables is in PLAYWRIGHT_DISABLED_FEATURES."""
    ours = next(a for a in CHROMIUM_ARGS if a.startswith("--disable-features="))
    theirs = playwrights_disabled_features()
    assert len(theirs) >= 5
    assert theirs <= set(PLAYWRIGHT_DISABLED_FEATURES) <= set(ours.split("=", 1)[1].split(","))
    assert sum(a.startswith("--disable-features=") for a in CHROMIUM_ARGS) == 1
