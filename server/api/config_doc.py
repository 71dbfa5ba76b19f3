"""The version of the centre config a remote kiosk or board follows: a hash of the config
document it reads (shared.config.centre.config_document)."""

from __future__ import annotations

import hashlib
import json

from shared.config.centre import CentreConfig, config_document

_versions: dict[int, tuple[CentreConfig, str]] = {}


def config_version(cfg: CentreConfig) -> str:
    """A short hash of everything a device reads of the config (computed once per config):
    equal configs have equal versions; any change — hours, services, texts, the PIN — a new one."""
    found = _versions.get(id(cfg))
    if found is None or found[0] is not cfg:
        body = json.dumps(config_document(cfg, device=True), sort_keys=True, ensure_ascii=False)
        found = _versions[id(cfg)] = (cfg, hashlib.sha256(body.encode()).hexdigest()[:16])
    return found[1]
