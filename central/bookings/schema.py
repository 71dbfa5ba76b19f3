"""Migration c004: the national bookings on the central PostgreSQL — the booked places, their
history, each slot's national seats as a counter row the database itself keeps within the
national share, the centre's free local seats as it last pushed them, portals' tokens and when
each centre last pulled its list (docs/architecture.md, "Bookings")."""

from __future__ import annotations

from server.shipping.link import PULL_LOCK, SCHEMA

CENTRES_ROLE = "novbe_centres"
READERS_ROLE = "novbe_readers"
BOOKERS_ROLE = "novbe_bookers"   # the call centre's page and the portals' API (a login in it)
STATUSES = "('booked', 'cancelled', 'checked_in', 'no_show', 'late_walk_in')"
CODE_RE = "^[34679ACDEFGHJKMNPQRTWXY]{6}$"



def _own() -> str:
    return f"(SELECT c.centre_id FROM {SCHEMA}.centres c WHERE c.role_name = current_user)"


C004 = f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{BOOKERS_ROLE}') THEN
        CREATE ROLE {BOOKERS_ROLE} NOLOGIN;
    END IF;
END $$;
-- One row per slot the national desk has booked at least once: its national seats (from the
-- centre's shipped config when the row was made), how many are booked and its cut-off. The
-- CHECK keeps `booked` within `national` whatever runs at once: each booking is one UPDATE of
-- this row (a row lock), so a hundred requests for ten seats get ten rows and ninety refusals.
CREATE TABLE {SCHEMA}.booking_seats (
    centre_id text NOT NULL REFERENCES {SCHEMA}.centres,
    service text NOT NULL,
    slot_start double precision NOT NULL,
    national integer NOT NULL CHECK (national >= 0),
    booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
    cutoff_at double precision NOT NULL,
    CONSTRAINT seats_within_national_share CHECK (booked <= national),
    PRIMARY KEY (centre_id, service, slot_start));
CREATE SEQUENCE {SCHEMA}.booking_changed;
CREATE TABLE {SCHEMA}.bookings (
    id uuid PRIMARY KEY,
    centre_id text NOT NULL REFERENCES {SCHEMA}.centres,
    service text NOT NULL CHECK (length(service) BETWEEN 1 AND 120),
    slot_start double precision NOT NULL
        CHECK (slot_start >= 946684800 AND slot_start < 4102444800),
    code text NOT NULL CHECK (code ~ '{CODE_RE}'),
    lang text NOT NULL CHECK (lang IN ('az', 'ru', 'en')),
    channel text NOT NULL CHECK (channel IN ('call_centre', 'reception', 'api')),
    made_by text NOT NULL CHECK (length(made_by) BETWEEN 1 AND 120),
    status text NOT NULL CHECK (status IN {STATUSES}),
    name text CHECK (length(name) <= 120),
    phone text CHECK (phone ~ '^\\+?[0-9]{{7,15}}$'),
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL,
    ticket text CHECK (length(ticket) <= 20),
    request_key text UNIQUE,
    erased_at double precision,
    changed bigint NOT NULL DEFAULT nextval('{SCHEMA}.booking_changed'));
-- A code names one open booking of a centre (a finished booking's code may come again).
CREATE UNIQUE INDEX bookings_open_code ON {SCHEMA}.bookings (centre_id, code)
    WHERE status = 'booked';
CREATE INDEX bookings_code ON {SCHEMA}.bookings (centre_id, code);
CREATE INDEX bookings_changed ON {SCHEMA}.bookings (centre_id, changed);
CREATE INDEX bookings_slot ON {SCHEMA}.bookings (centre_id, service, slot_start);
CREATE INDEX bookings_erase ON {SCHEMA}.bookings (slot_start) WHERE erased_at IS NULL;
-- Every change of a booking, as it happened and who made it (no name, no phone).
CREATE TABLE {SCHEMA}.booking_changes (
    seq bigserial PRIMARY KEY,
    booking_id uuid NOT NULL REFERENCES {SCHEMA}.bookings ON DELETE CASCADE,
    at double precision NOT NULL,
    status text NOT NULL CHECK (status IN {STATUSES}),
    by_whom text NOT NULL,
    source text NOT NULL CHECK (source IN ('central', 'centre')),
    event_id bigint,
    UNIQUE (booking_id, source, event_id));
CREATE INDEX booking_changes_booking ON {SCHEMA}.booking_changes (booking_id, seq);
-- The centre's own free seats per slot as its link last pushed them (shown "as of").
CREATE TABLE {SCHEMA}.local_seats (
    centre_id text NOT NULL REFERENCES {SCHEMA}.centres,
    service text NOT NULL,
    slot_start double precision NOT NULL,
    free integer NOT NULL CHECK (free >= 0 AND free <= 1000),
    as_of double precision NOT NULL,
    PRIMARY KEY (centre_id, service, slot_start));
-- When each centre last pulled its national list (the database's clock), through which
-- cut-off that list is final, and when it last pushed its free seats (the centre's clock).
CREATE TABLE {SCHEMA}.booking_pulls (
    centre_id text PRIMARY KEY REFERENCES {SCHEMA}.centres,
    pulled_at double precision NOT NULL,
    final_through double precision NOT NULL,
    pushed_at double precision);
-- A portal's token (its SHA-256 only), and the centres it may book at (NULL: every centre).
CREATE TABLE {SCHEMA}.portals (
    name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{{0,39}}$'),
    token_sha256 text NOT NULL UNIQUE,
    centres text[],
    added_at timestamptz NOT NULL DEFAULT now());
GRANT SELECT, INSERT, UPDATE ON {SCHEMA}.bookings, {SCHEMA}.booking_seats TO {BOOKERS_ROLE};
GRANT SELECT, INSERT ON {SCHEMA}.booking_changes TO {BOOKERS_ROLE};
GRANT SELECT ON {SCHEMA}.local_seats, {SCHEMA}.booking_pulls, {SCHEMA}.portals,
    {SCHEMA}.centres, {SCHEMA}.config_versions, {SCHEMA}.generations TO {BOOKERS_ROLE};
GRANT USAGE ON SCHEMA {SCHEMA} TO {BOOKERS_ROLE};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {BOOKERS_ROLE};
GRANT SELECT ON {SCHEMA}.bookings, {SCHEMA}.booking_changes, {SCHEMA}.booking_seats,
    {SCHEMA}.local_seats, {SCHEMA}.booking_pulls TO {READERS_ROLE};
-- A centre reads its own bookings (to merge them), writes its own free seats and pulls.
GRANT SELECT ON {SCHEMA}.bookings TO {CENTRES_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON {SCHEMA}.local_seats TO {CENTRES_ROLE};
GRANT SELECT, INSERT, UPDATE ON {SCHEMA}.booking_pulls TO {CENTRES_ROLE};
ALTER TABLE {SCHEMA}.bookings ENABLE ROW LEVEL SECURITY;
ALTER TABLE {SCHEMA}.booking_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE {SCHEMA}.booking_seats ENABLE ROW LEVEL SECURITY;
ALTER TABLE {SCHEMA}.local_seats ENABLE ROW LEVEL SECURITY;
ALTER TABLE {SCHEMA}.booking_pulls ENABLE ROW LEVEL SECURITY;
ALTER TABLE {SCHEMA}.portals ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON {SCHEMA}.bookings FOR SELECT TO {CENTRES_ROLE}
    USING (centre_id = {_own()});
CREATE POLICY own_rows ON {SCHEMA}.local_seats FOR ALL TO {CENTRES_ROLE}
    USING (centre_id = {_own()}) WITH CHECK (centre_id = {_own()});
CREATE POLICY own_rows ON {SCHEMA}.booking_pulls FOR ALL TO {CENTRES_ROLE}
    USING (centre_id = {_own()}) WITH CHECK (centre_id = {_own()});
CREATE POLICY desk ON {SCHEMA}.bookings FOR ALL TO {BOOKERS_ROLE} USING (true) WITH CHECK (true);
CREATE POLICY desk ON {SCHEMA}.booking_changes FOR ALL TO {BOOKERS_ROLE}
    USING (true) WITH CHECK (true);
CREATE POLICY desk ON {SCHEMA}.booking_seats FOR ALL TO {BOOKERS_ROLE}
    USING (true) WITH CHECK (true);
CREATE POLICY desk ON {SCHEMA}.local_seats FOR SELECT TO {BOOKERS_ROLE} USING (true);
CREATE POLICY desk ON {SCHEMA}.booking_pulls FOR SELECT TO {BOOKERS_ROLE} USING (true);
CREATE POLICY desk ON {SCHEMA}.portals FOR SELECT TO {BOOKERS_ROLE} USING (true);
CREATE POLICY read_all ON {SCHEMA}.bookings FOR SELECT TO {READERS_ROLE} USING (true);
CREATE POLICY read_all ON {SCHEMA}.booking_changes FOR SELECT TO {READERS_ROLE} USING (true);
CREATE POLICY read_all ON {SCHEMA}.booking_seats FOR SELECT TO {READERS_ROLE} USING (true);
CREATE POLICY read_all ON {SCHEMA}.local_seats FOR SELECT TO {READERS_ROLE} USING (true);
CREATE POLICY read_all ON {SCHEMA}.booking_pulls FOR SELECT TO {READERS_ROLE} USING (true);
-- A booking's change at the centre (checked in, no-show, late walk-in, cancelled at the desk)
-- reaches central as the centre's shipped event; this trigger applies it to the national row of
-- that centre (never another centre's), once per event, and records it in the history. It
-- never refuses the event itself: what it cannot apply it leaves (the event stays shipped).
CREATE FUNCTION {SCHEMA}.apply_booking_event() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $$
DECLARE
    wanted text;
    target uuid;
    was text;
BEGIN
    wanted := CASE NEW.kind WHEN 'booking_checked_in' THEN 'checked_in'
        WHEN 'booking_no_show' THEN 'no_show' WHEN 'booking_late_walk_in' THEN 'late_walk_in'
        WHEN 'booking_cancelled' THEN 'cancelled' END;
    IF wanted IS NULL THEN
        RETURN NEW;
    END IF;
    BEGIN
        target := (NEW.details::jsonb ->> 'booking')::uuid;
    EXCEPTION WHEN others THEN
        RETURN NEW;
    END;
    PERFORM pg_advisory_xact_lock_shared({PULL_LOCK}, hashtext(NEW.centre_id));
    SELECT status INTO was FROM bookings WHERE id = target AND centre_id = NEW.centre_id
        FOR UPDATE;
    IF was IS NULL OR was <> 'booked' THEN
        RETURN NEW;          -- not a national booking, or no longer open (already applied)
    END IF;
    UPDATE bookings SET status = wanted, updated_at = NEW.at, ticket = coalesce(NEW.code, ticket),
        changed = nextval('{SCHEMA}.booking_changed') WHERE id = target;
    IF wanted = 'cancelled' THEN
        UPDATE booking_seats s SET booked = s.booked - 1 FROM bookings b
            WHERE b.id = target AND s.centre_id = b.centre_id AND s.service = b.service
            AND s.slot_start = b.slot_start AND s.booked > 0;
    END IF;
    INSERT INTO booking_changes (booking_id, at, status, by_whom, source, event_id)
        VALUES (target, NEW.at, wanted, coalesce(NEW.staff, NEW.source, 'centre'), 'centre',
                NEW.id) ON CONFLICT DO NOTHING;
    RETURN NEW;
END $$;
CREATE TRIGGER apply_booking_event AFTER INSERT ON {SCHEMA}.events
    FOR EACH ROW WHEN (NEW.kind LIKE 'booking\\_%') EXECUTE FUNCTION {SCHEMA}.apply_booking_event();
"""

# The token of the centre's last committed push of its free seats: the centre pushes only what
# changed since the push whose token it holds, and everything again when the tokens differ.
C005 = f"""
ALTER TABLE {SCHEMA}.booking_pulls ADD COLUMN push_token text CHECK (length(push_token) <= 64);
"""

# A raised national share (central/bookings/raise_guard.py): each push says how many local
# bookings each slot has and which of the centre's config versions it was made under; central
# books a slot's national seats only within capacity less what the centre may have booked.
# Every centre's next push is whole (its rows had no counts before).
C007 = f"""
ALTER TABLE {SCHEMA}.local_seats ADD COLUMN booked integer NOT NULL DEFAULT 0
    CHECK (booked >= 0 AND booked <= 1000);
ALTER TABLE {SCHEMA}.booking_pulls ADD COLUMN push_config bigint CHECK (push_config >= 0),
    ADD COLUMN push_generation text CHECK (push_generation ~ '^[0-9a-f]{{0,32}}$');
UPDATE {SCHEMA}.booking_pulls SET push_token = NULL;
"""

MIGRATIONS: list[tuple[str, str]] = [("c004_bookings", C004), ("c005_seats_push", C005),
                                     ("c007_share_raise", C007)]
