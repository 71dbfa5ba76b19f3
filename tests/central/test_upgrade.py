"""Upgrading a central database that already holds a centre's rows (c001–c002) and a centre
whose queue file is migrated in place: its rows become the generation '', the centre's file
keeps the generation '', and shipping goes on from where it was — nothing is shipped twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from central import schema as central_schema
from server.shipping.shipper import Shipper
from shared.config.centre import load_config
from shared.core.clock import FakeClock
from shared.core.local_queue import LocalQueue
from tests.central.activity import central_rows, file_generation, local_rows, visits
from tests.central.conftest import CENTRE_PASSWORD, centre_config_path
from tests.central.pg_cluster import Cluster
from tests.conftest import MONDAY_10AM

OLD_INSERT = ("INSERT INTO novbe.events (centre_id, id, at, kind, ticket_id, code, service, "
              "counter, staff, source, details) VALUES ('old', %s, %s, %s, %s, %s, %s, %s, %s, "
              "%s, %s)")


@pytest.fixture
def old_central(pg_cluster: Cluster) -> Iterator[str]:
    """A database made by the version before generations (migrations c001 and c002 only),
    with centre `old` registered; its owner's URL."""
    if not pg_cluster._running:
        pg_cluster.start()
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE central_old")
    url = pg_cluster.url(database="central_old")
    with psycopg.connect(url) as conn:
        conn.execute("CREATE SCHEMA novbe")
        conn.execute("CREATE TABLE novbe.migrations (name text PRIMARY KEY, "
                     "applied_at timestamptz NOT NULL DEFAULT now())")
        for name, script in central_schema.MIGRATIONS[:2]:
            conn.execute(script)
            conn.execute("INSERT INTO novbe.migrations (name) VALUES (%s)", (name,))
        role = central_schema.role_for("old")
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(CENTRE_PASSWORD)))
        conn.execute(sql.SQL("GRANT novbe_centres TO {}").format(sql.Identifier(role)))
        conn.execute("INSERT INTO novbe.centres (centre_id, role_name) VALUES ('old', %s)",
                     (role,))
    yield url
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE central_old WITH (FORCE)")
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(
            sql.Identifier(central_schema.role_for("old"))))


def test_an_upgrade_ships_nothing_twice(tmp_path: Path, pg_cluster: Cluster,
                                        old_central: str) -> None:
    """Rows shipped before the upgrade become generation ''; the centre's file, migrated in
    place, is generation '' too; after `central init` the shipper resumes after them and the
    central copy equals the file row for row."""
    centre_url = pg_cluster.url(central_schema.role_for("old"), CENTRE_PASSWORD, "central_old")
    config = load_config(centre_config_path(tmp_path, "old", centre_url))
    db_path = tmp_path / "old.sqlite"
    clock = FakeClock(MONDAY_10AM)
    queue = LocalQueue(db_path, config, clock)
    visits(queue, clock, 15, seed=4)
    queue.close()
    conn = sqlite3.connect(str(db_path))            # as a file from before m009
    conn.execute("DROP TABLE file_generation")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm009_file_generation'")
    conn.commit()
    conn.close()
    shipped = local_rows(db_path)
    with psycopg.connect(centre_url) as pg:            # what the old shipper sent
        pg.cursor().executemany(OLD_INSERT, shipped)
        pg.commit()
    assert central_schema.init(old_central, lambda _: None) == ["c003_generations_and_checks",
                                                               "c004_bookings", "c005_seats_push",
                                                               "c006_profile_facts",
                                                               "c007_share_raise"]

    queue = LocalQueue(db_path, config, clock)         # the upgraded centre: m009 runs
    assert file_generation(db_path) == ""
    visits(queue, clock, 10, seed=5)
    queue.close()
    assert config.central is not None
    shipper = Shipper(db_path, config.central, config)
    try:
        sent = shipper.ship_pending()
        status = shipper.status(ask_central=True)
    finally:
        shipper.close()
    assert sent == len(local_rows(db_path)) - len(shipped)
    assert status.up_to_date and status.generation == ""
    assert central_rows(old_central, "old") == local_rows(db_path)
