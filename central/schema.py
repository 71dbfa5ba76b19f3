"""The central PostgreSQL database of all centres: its schema as append-only migrations, the
roles (one login per centre that may add only its own centre's rows, read-only report users),
and connecting with the URL's TLS settings honoured.

Tables (schema `novbe`), every row carrying its centre:
  centres          one row per centre and the login role it ships with
  events           each centre's event log, the same columns as the centre's SQLite `events`
                   (id is the centre's own event id) and the generation of the history it
                   belongs to, key (centre_id, generation, id)
  config_versions  the centre's config as it was (names, targets, time zone) by hash, from
                   the first event it applies to
  generations      each history a centre shipped; the one announced last is current
  ship_alerts      rows a centre's shipper found different, or ids it could not place
  set_aside        rows the refresh would not count, with the reason
Row-level security: the role `novbe_centres` (every centre login is a member) sees and adds only
rows whose centre_id is its own; `novbe_readers` reads every row; nobody but the owner updates
or deletes anything. CHECK constraints refuse what no centre writes (c003)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from central.bookings.schema import MIGRATIONS as BOOKING_MIGRATIONS
from central.profile_facts import MIGRATIONS as PROFILE_MIGRATIONS
from server.shipping.link import (
    SCHEMA,
    CentralError,
    connect,
    first_line,
)
from shared.config.central import CENTRE_ID_RE

log = logging.getLogger(__name__)
T = TypeVar("T")

CENTRES_ROLE = "novbe_centres"
READERS_ROLE = "novbe_readers"
MIGRATION_LOCK = 0x6E6F7662   # pg_advisory_xact_lock key: one `central init` at a time
EARLIEST_AT = 946684800        # 2000-01-01 UTC: no centre's event is older
LATEST_AT = 4102444800         # 2100-01-01 UTC: none is younger (NaN and ±Infinity neither)
EVENT_FIELDS = ("centre_id, generation, id, at, kind, ticket_id, code, service, counter, staff, "
                "source, details")


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
    ("c003_generations_and_checks", f"""
-- Generations (issue 24): a queue file restored from a backup, or copied, starts a new history
-- whose event ids repeat the old ones; each history ships under its own generation and the
-- central copy keeps them apart. Rows shipped before are the generation '' (each centre's
-- file upgraded in place keeps '' until it is restored or copied).
ALTER TABLE {SCHEMA}.events ADD COLUMN generation text NOT NULL DEFAULT '';
ALTER TABLE {SCHEMA}.events DROP CONSTRAINT events_pkey;
ALTER TABLE {SCHEMA}.events ADD PRIMARY KEY (centre_id, generation, id);
DROP INDEX {SCHEMA}.events_ticket;
CREATE INDEX events_ticket ON {SCHEMA}.events (centre_id, generation, ticket_id, id);
DROP INDEX {SCHEMA}.events_centre_at;
CREATE INDEX events_centre_at ON {SCHEMA}.events (centre_id, generation, at);
ALTER TABLE {SCHEMA}.config_versions ADD COLUMN generation text NOT NULL DEFAULT '';
ALTER TABLE {SCHEMA}.config_versions DROP CONSTRAINT config_versions_pkey;
ALTER TABLE {SCHEMA}.config_versions ADD PRIMARY KEY (centre_id, generation, hash, from_event_id);
CREATE TABLE {SCHEMA}.generations (
    centre_id text NOT NULL REFERENCES {SCHEMA}.centres,
    generation text NOT NULL CHECK (generation ~ '^[0-9a-f]{{0,32}}$'),
    announced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (centre_id, generation));
INSERT INTO {SCHEMA}.generations (centre_id, generation, announced_at)
    SELECT centre_id, '', min(shipped_at) FROM {SCHEMA}.events GROUP BY centre_id;
-- What a centre's shipper could not place: a row of its own that differs from the central
-- copy's, or an id beyond its newest event. Added by the centre, read by the owner.
CREATE TABLE {SCHEMA}.ship_alerts (
    centre_id text NOT NULL REFERENCES {SCHEMA}.centres,
    generation text NOT NULL,
    event_id bigint NOT NULL,
    problem text NOT NULL CHECK (problem IN ('differs', 'unplaced')),
    noted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (centre_id, generation, event_id, problem));
-- Rows the fold would not count, with the reason (written by `novbe central refresh`).
CREATE TABLE {SCHEMA}.set_aside (
    centre_id text NOT NULL, generation text NOT NULL,
    what text NOT NULL CHECK (what IN ('event', 'config')), ref text NOT NULL,
    reason text NOT NULL, noted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (centre_id, generation, what, ref));
ALTER TABLE {SCHEMA}.report_progress ADD COLUMN generation text NOT NULL DEFAULT '',
    ADD COLUMN problem text, ADD COLUMN set_aside integer NOT NULL DEFAULT 0;
-- The database refuses nonsense itself (rows from before stay until folded: NOT VALID).
CREATE FUNCTION {SCHEMA}.is_json_object(value text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN value IS NULL OR value = '' OR jsonb_typeof(value::jsonb) = 'object';
EXCEPTION WHEN others THEN
    RETURN false;
END $$;
ALTER TABLE {SCHEMA}.events
    ADD CONSTRAINT events_at_sane CHECK (at >= {EARLIEST_AT} AND at < {LATEST_AT}) NOT VALID,
    ADD CONSTRAINT events_id_positive CHECK (id > 0) NOT VALID,
    ADD CONSTRAINT events_kind_word CHECK (kind ~ '^[a-z_]{{1,40}}$') NOT VALID,
    ADD CONSTRAINT events_details_json CHECK ({SCHEMA}.is_json_object(details)) NOT VALID,
    ADD CONSTRAINT events_generation_hex CHECK (generation ~ '^[0-9a-f]{{0,32}}$') NOT VALID;
ALTER TABLE {SCHEMA}.config_versions
    ADD CONSTRAINT config_body_object CHECK (jsonb_typeof(body) = 'object' AND body ? 'centre')
        NOT VALID,
    ADD CONSTRAINT config_recorded_sane CHECK (recorded_at >= {EARLIEST_AT} AND
        recorded_at < {LATEST_AT}) NOT VALID,
    ADD CONSTRAINT config_from_positive CHECK (from_event_id > 0) NOT VALID;
-- The time a row arrived is the server's, never the centre's.
REVOKE INSERT ON {SCHEMA}.events FROM {CENTRES_ROLE};
GRANT INSERT ({EVENT_FIELDS}) ON {SCHEMA}.events TO {CENTRES_ROLE};
GRANT SELECT, INSERT ON {SCHEMA}.ship_alerts TO {CENTRES_ROLE};
GRANT SELECT ON {SCHEMA}.generations TO {CENTRES_ROLE};
GRANT INSERT (centre_id, generation) ON {SCHEMA}.generations TO {CENTRES_ROLE};
GRANT SELECT ON {SCHEMA}.generations, {SCHEMA}.ship_alerts, {SCHEMA}.set_aside TO {READERS_ROLE};
ALTER TABLE {SCHEMA}.generations ENABLE ROW LEVEL SECURITY;
ALTER TABLE {SCHEMA}.ship_alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON {SCHEMA}.generations FOR SELECT TO {CENTRES_ROLE}
    USING (centre_id = {_own_centre()});
CREATE POLICY add_own_rows ON {SCHEMA}.generations FOR INSERT TO {CENTRES_ROLE}
    WITH CHECK (centre_id = {_own_centre()});
CREATE POLICY own_rows ON {SCHEMA}.ship_alerts FOR SELECT TO {CENTRES_ROLE}
    USING (centre_id = {_own_centre()});
CREATE POLICY add_own_rows ON {SCHEMA}.ship_alerts FOR INSERT TO {CENTRES_ROLE}
    WITH CHECK (centre_id = {_own_centre()});
CREATE POLICY read_all ON {SCHEMA}.generations FOR SELECT TO {READERS_ROLE} USING (true);
CREATE POLICY read_all ON {SCHEMA}.ship_alerts FOR SELECT TO {READERS_ROLE} USING (true);
"""),
    *sorted([*BOOKING_MIGRATIONS, *PROFILE_MIGRATIONS]),     # c004, c005, c006, c007
]


def needs_owner_rights(fn: Callable[..., T]) -> Callable[..., T]:
    """An owner's command (its first argument the URL) whose missing right (CREATEROLE, owning
    the database) is told as what to do, not as a traceback."""
    @functools.wraps(fn)
    def run(url: str, *args: Any, **kwargs: Any) -> T:
        try:
            return fn(url, *args, **kwargs)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise CentralError(_missing_right(url, exc)) from exc
    return run


@needs_owner_rights
def init(url: str, out: Callable[[str], None] = log.info) -> list[str]:
    """Create or migrate the central schema (as the database's owner or an admin role);
    returns the migrations applied now. Safe to run again and from two places at once."""
    return _init(url, out)


def _missing_right(url: str, exc: psycopg.Error) -> str:
    user = unquote(urlsplit(url).username or "") or "the owner"
    said = first_line(exc)
    if "create role" in said.lower() or "createrole" in said.lower():
        return (f"{user} may not create roles ({said}); as a superuser run: "
                f"ALTER ROLE {user} CREATEROLE;  (or createuser --createrole --pwprompt {user})"
                " — see docs/central.md")
    return (f"{user} lacks a right `central init` needs ({said}); it must own the database "
            f"(createdb --owner {user} …) and have CREATEROLE — see docs/central.md")


def _init(url: str, out: Callable[[str], None]) -> list[str]:
    with connect(url, app="novbe-central-init") as conn, conn.transaction():
        rights = conn.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles "
                              "WHERE rolname = current_user").fetchone()
        if not (rights and rights[0]):    # add-centre needs it too: say so now, change nothing
            raise psycopg.errors.InsufficientPrivilege("permission denied to create role")
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


@needs_owner_rights
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


@needs_owner_rights
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


@needs_owner_rights
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
