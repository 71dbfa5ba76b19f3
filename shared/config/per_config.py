"""What is worked out from a centre config, kept with it: a config is immutable, so the call
rules of a counter's profile or the counters serving a service never change for it — keyed by
the config object itself, so a config read again (a change) starts afresh."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from shared.config.centre import CentreConfig

V = TypeVar("V")
_MISSING = object()


class PerConfig(Generic[V]):
    """Values derived from a config, per key; past `configs` configs, or `keys` keys of one
    config (profiles switched many times over), it starts again."""

    def __init__(self, configs: int = 16, keys: int = 4096) -> None:
        self._entries: dict[int, tuple[CentreConfig, dict[Hashable, V]]] = {}
        self._configs, self._keys = configs, keys

    def get(self, config: CentreConfig, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for `key` under `config`, made by `make` the first time."""
        entry = self._entries.get(id(config))
        if entry is None or entry[0] is not config:
            if len(self._entries) > self._configs:
                self._entries.clear()
            entry = self._entries[id(config)] = (config, {})
        found = entry[1].get(key, _MISSING)
        if found is _MISSING:
            if len(entry[1]) > self._keys:
                entry[1].clear()
            found = entry[1][key] = make()
        return found  # type: ignore[return-value]
