"""A throwaway PostgreSQL for the whole session (initdb + pg_ctl as an unprivileged user, TLS
on, a free port), a fresh central database for each test, and centres that ship to it. If
PostgreSQL cannot start the tests FAIL with the reason: nothing here is skipped silently."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from central import schema as central_schema
from tests.central.pg_cluster import Cluster, ClusterFailed, make_cluster

CENTRE_PASSWORD = "centre-password-0123"
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's PostgreSQL server (stopped and deleted at the end)."""
    try:
        cluster = make_cluster()
    except (ClusterFailed, OSError) as exc:
        pytest.fail(f"could not start a throwaway PostgreSQL for the central tests: {exc}",
                    pytrace=False)
    try:
        yield cluster
    finally:
        cluster.destroy()


@dataclass
class CentralDb:
    """One initialised central database of the test cluster."""

    cluster: Cluster
    name: str
    centres: list[str] = field(default_factory=list)

    @property
    def admin_url(self) -> str:
        return self.cluster.url(database=self.name)

    def centre_url(self, centre_id: str, password: str = CENTRE_PASSWORD, **params: str) -> str:
        return self.cluster.url(central_schema.role_for(centre_id), password, self.name, **params)

    def add_centre(self, centre_id: str, password: str = CENTRE_PASSWORD) -> str:
        central_schema.add_centre(self.admin_url, centre_id, password)
        self.centres.append(centre_id)
        return self.centre_url(centre_id, password)

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True)


@pytest.fixture
def central(pg_cluster: Cluster) -> Iterator[CentralDb]:
    """A new central database, initialised; its centre roles are dropped afterwards."""
    if not pg_cluster._running:      # a test that stopped the server and failed before restart
        pg_cluster.start()
    name = f"central_{next(_numbers)}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = CentralDb(pg_cluster, name)
    central_schema.init(db.admin_url, lambda _: None)
    yield db
    if not pg_cluster._running:
        pg_cluster.start()
    roles = [central_schema.role_for(c) for c in db.centres]
    with psycopg.connect(db.admin_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        for role in roles:
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        for role in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def centre_config_path(tmp_path: Path, centre_id: str, url: str | None) -> Path:
    """The bundled DOST config as centre `centre_id`, shipping to `url` (None: nowhere)."""
    from shared.config.centre import default_config_path

    text = default_config_path().read_text(encoding="utf-8")
    text = text.replace('id = "dost-abseron"', f'id = "{centre_id}"', 1)
    title = centre_id.capitalize()
    text = text.replace('name = { az = "DOST Mərkəzi — Abşeron", ru = "Центр DOST — Абшерон", '
                        'en = "DOST Centre — Absheron" }',
                        f'name = {{ az = "DOST Mərkəzi — {title}", ru = "Центр DOST — {title}", '
                        f'en = "DOST Centre — {title}" }}', 1)
    if url is not None:
        text += f'\n[central]\nurl = "{url}"\n'
    path = tmp_path / f"{centre_id}.toml"
    path.write_text(text, encoding="utf-8")
    return path
