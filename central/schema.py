"""The central PostgreSQL database of all centres: its schema as append-only migrations, the
roles (one login per centre that may add only its own centre's rows, read-only report users),
and connecting with the URL's TLS settings honoured.

Tables (schema `novbe`), every row carrying its centre:
  centres          one row per centre and the login role it ships with
  events           each centre's event log, the same columns as the centre's SQLite `events`
                   (id is the centre's own event id), key (centre_id, id)
  config_versions  the centre's config as it was (names, targets, time zone) by hash, from
                   the first event it applies to
Row-level security: the role `novbe_centres` (every centre login is a member) sees and adds only
rows whose centre_id is its own; `novbe_readers` reads every row; nobody but the owner updates
or deletes anything."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import psycopg
from psycopg import sql

from server.shipping.link import (
    SCHEMA,
    CentralError,
    connect,
)
from shared.config.central import CENTRE_ID_RE

log = logging.getLogger(__name__)

CENTRES_ROLE = "novbe_centres"
READERS_ROLE = "novbe_readers"
MIGRATION_LOCK = 0x6E6F7662   # pg_advisory_xact_lock key: one `central init` at a time


def role_for(centre_id: str) -> str:
    """The login role of a centre (quoted as an identifier wherever it is used)."""
    return f"novbe_centre_{centre_id}"


def _own_centre() -> str:
    return (f"(SELECT c.centre_id FROM {SCHEMA}.centres c WHERE c.role_name = current_user)")


MIGRATIONS: list[tuple[str, str]] = [
    ("c001_initial", f"""
CREATE TABLE {SCHEMA}.centres (
    centre_id text PRIMARY KEY CHECK (centre_id ~ '^[a-z0-9][a-z0-9_.-]{{0,39}}$'),
    role_name text NOT NULL UNIQUE,
    added_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {SCHEMA}.events (
    centre_id text NOT NULL REFERENCES {SCHEMA}.centres,
    id bigint NOT NULL,
    at double precision NOT NULL,
    kind text NOT NULL,
    ticket_id bigint,
    code text,
    service text,
    counter text,
    staff text,
    source text,
    details text,
    shipped_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (centre_id, id)
);
CREATE INDEX events_kind_at ON {SCHEMA}.events (kind, at, centre_id);
CREATE INDEX events_ticket ON {SCHEMA}.events (centre_id, ticket_id);
CREATE TABLE {SCHEMA}.config_versions (
    centre_id text NOT NULL REFERENCES {SCHEMA}.centres,
    hash text NOT NULL,
    from_event_id bigint NOT NULL,
    recorded_at double precision NOT NULL,
    body jsonb NOT NULL,
    PRIMARY KEY (centre_id, hash, from_event_id)
);
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{CENTRES_ROLE}') THEN
        CREATE ROLE {CENTRES_ROLE} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READERS_ROLE}') THEN
        CREATE ROLE {READERS_ROLE} NOLOGIN;
    END IF;
END $$;
REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC;
GRANT USAGE ON SCHEMA {SCHEMA} TO {CENTRES_ROLE}, {READERS_ROLE};
GRANT SELECT ON {SCHEMA}.centres TO {CENTRES_ROLE};
GRANT SELECT, INSERT ON {SCHEMA}.events, {SCHEMA}.config_versions TO {CENTRES_ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {READERS_ROLE};
ALTER TABLE {SCHEMA}.centres ENABLE ROW LEVEL SECURITY;
ALTER TABLE {SCHEMA}.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE {SCHEMA}.config_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_centre ON {SCHEMA}.centres FOR SELECT TO {CENTRES_ROLE}
    USING (role_name = current_user);
CREATE POLICY own_rows ON {SCHEMA}.events FOR SELECT TO {CENTRES_ROLE}
    USING (centre_id = {_own_centre()});
CREATE POLICY add_own_rows ON {SCHEMA}.events FOR INSERT TO {CENTRES_ROLE}
    WITH CHECK (centre_id = {_own_centre()});
CREATE POLICY own_rows ON {SCHEMA}.config_versions FOR SELECT TO {CENTRES_ROLE}
    USING (centre_id = {_own_centre()});
CREATE POLICY add_own_rows ON {SCHEMA}.config_versions FOR INSERT TO {CENTRES_ROLE}
    WITH CHECK (centre_id = {_own_centre()});
CREATE POLICY read_all ON {SCHEMA}.centres FOR SELECT TO {READERS_ROLE} USING (true);
CREATE POLICY read_all ON {SCHEMA}.events FOR SELECT TO {READERS_ROLE} USING (true);
CREATE POLICY read_all ON {SCHEMA}.config_versions FOR SELECT TO {READERS_ROLE} USING (true);
"""),
    ("c002_report_facts", f"""
-- The report facts of every centre (shared/reports/fold.py over each centre's events), so the
-- figures of shared/reports/figures.py run here as they do on a centre: a derived cache,
-- refreshed by `novbe central refresh` (the owner), read by novbe_readers.
CREATE INDEX events_centre_at ON {SCHEMA}.events (centre_id, at);
CREATE TABLE {SCHEMA}.report_tickets (
    centre_id text NOT NULL, ticket_id bigint NOT NULL, service_day text NOT NULL,
    issued_at double precision NOT NULL, hour integer, weekday integer, service text,
    category text, priority text, estimate_min integer, ahead integer,
    called_at double precision, wait_s integer, outcome text, ended_at double precision,
    left_uncalled_s integer, transferred integer, rating integer, estimate_error_s integer,
    PRIMARY KEY (centre_id, ticket_id));
CREATE INDEX report_tickets_day ON {SCHEMA}.report_tickets (service_day, centre_id);
CREATE TABLE {SCHEMA}.report_visits (
    centre_id text NOT NULL, ticket_id bigint NOT NULL, seq integer NOT NULL,
    service_day text NOT NULL, service text, category text, priority text, counter text,
    staff text, hour integer, called_at double precision, started_at double precision,
    ended_at double precision, end_kind text, walkup_s integer, service_s integer,
    PRIMARY KEY (centre_id, ticket_id, seq));
CREATE INDEX report_visits_day ON {SCHEMA}.report_visits (service_day, centre_id);
CREATE TABLE {SCHEMA}.report_counters (
    centre_id text NOT NULL, service_day text NOT NULL, counter text NOT NULL, staff text,
    open_s integer, idle_waiting_s integer);
CREATE INDEX report_counters_day ON {SCHEMA}.report_counters (service_day, centre_id);
CREATE TABLE {SCHEMA}.report_targets (
    centre_id text NOT NULL, service text NOT NULL, target_s integer,
    PRIMARY KEY (centre_id, service));
CREATE TABLE {SCHEMA}.report_progress (
    centre_id text PRIMARY KEY, last_event_id bigint NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT now());
GRANT SELECT ON {SCHEMA}.report_tickets, {SCHEMA}.report_visits, {SCHEMA}.report_counters,
    {SCHEMA}.report_targets, {SCHEMA}.report_progress TO {READERS_ROLE};
"""),
]


def init(url: str, out: Callable[[str], None] = log.info) -> list[str]:
    """Create or migrate the central schema (as the database's owner or an admin role);
    returns the migrations applied now. Safe to run again and from two places at once."""
    with connect(url, app="novbe-central-init") as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA)))
        conn.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.migrations ("
                     "name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        done = {r[0] for r in conn.execute(f"SELECT name FROM {SCHEMA}.migrations")}
        applied = []
        for name, script in MIGRATIONS:
            if name in done:
                continue
            conn.execute(script)
            conn.execute(f"INSERT INTO {SCHEMA}.migrations(name) VALUES (%s)", (name,))
            applied.append(name)
            out(f"applied {name}")
    return applied


def pending(conn: psycopg.Connection) -> list[str]:
    """The migrations this database still lacks (all of them when it was never initialised)."""
    exists = conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.migrations",)).fetchone()
    if not exists or exists[0] is None:
        return [name for name, _ in MIGRATIONS]
    done = {r[0] for r in conn.execute(f"SELECT name FROM {SCHEMA}.migrations")}
    return [name for name, _ in MIGRATIONS if name not in done]


def _check_centre_id(centre_id: str) -> None:
    if not CENTRE_ID_RE.match(centre_id):
        raise CentralError(f"a centre id is lowercase letters, digits, '_', '-', '.' "
                           f"(at most 40), got {centre_id!r}")


def add_centre(url: str, centre_id: str, password: str) -> str:
    """Add a centre and its login role (member of novbe_centres, so it may add only rows of its
    own centre); returns the role name. A centre that exists already is refused."""
    _check_centre_id(centre_id)
    _check_password(password)
    role = role_for(centre_id)
    with connect(url, app="novbe-central-admin") as conn, conn.transaction():
        _require_schema(conn)
        if conn.execute(f"SELECT 1 FROM {SCHEMA}.centres WHERE centre_id = %s",
                        (centre_id,)).fetchone():
            raise CentralError(f"centre {centre_id!r} exists already (to change its password: "
                               f"novbe central passwd URL {centre_id})")
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(CENTRES_ROLE),
                                                      sql.Identifier(role)))
        conn.execute(f"INSERT INTO {SCHEMA}.centres(centre_id, role_name) VALUES (%s, %s)",
                     (centre_id, role))
    return role


def set_centre_password(url: str, centre_id: str, password: str) -> str:
    """Give a centre's login a new password (the old one stops working at once)."""
    _check_centre_id(centre_id)
    _check_password(password)
    with connect(url, app="novbe-central-admin") as conn, conn.transaction():
        _require_schema(conn)
        row = conn.execute(f"SELECT role_name FROM {SCHEMA}.centres WHERE centre_id = %s",
                           (centre_id,)).fetchone()
        if row is None:
            raise CentralError(f"no centre {centre_id!r} in the central database")
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(row[0]),
                                                                  sql.Literal(password)))
        return str(row[0])


def add_reader(url: str, name: str, password: str) -> str:
    """A login that may read every centre's rows and change none (national reports)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", name):
        raise CentralError(f"a reader's name is lowercase letters, digits and '_', got {name!r}")
    _check_password(password)
    with connect(url, app="novbe-central-admin") as conn, conn.transaction():
        _require_schema(conn)
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)))
        else:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(READERS_ROLE),
                                                      sql.Identifier(name)))
    return name


def centres(url: str) -> list[str]:
    """The centres the central database knows, by id."""
    with connect(url, app="novbe-central") as conn:
        _require_schema(conn)
        return [r[0] for r in conn.execute(f"SELECT centre_id FROM {SCHEMA}.centres ORDER BY 1")]


def _require_schema(conn: psycopg.Connection) -> None:
    missing = pending(conn)
    if missing:
        raise CentralError("the central database is not initialised or is out of date "
                           f"(missing {', '.join(missing)}): run novbe central init URL as its owner")


def _check_password(password: str) -> None:
    if len(password) < 12:
        raise CentralError("a centre's or reader's password needs at least 12 characters")
