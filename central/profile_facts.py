"""Migration c006: the central copy keeps the work-profile facts a centre's own report reads —
each call a Next made, with the profile and level its `called` event recorded (folded from the
shipped events by the same fold, shared/reports/fold.py). Every centre is folded again at the
next refresh so that the days shipped before have them too."""

from __future__ import annotations

from server.shipping.link import SCHEMA

READERS_ROLE = "novbe_readers"

C006 = f"""
CREATE TABLE {SCHEMA}.report_profile_calls (
    centre_id text NOT NULL, ticket_id bigint NOT NULL, seq integer NOT NULL,
    service_day text NOT NULL, counter text, profile text, level text,
    PRIMARY KEY (centre_id, ticket_id, seq));
CREATE INDEX report_profile_calls_day ON {SCHEMA}.report_profile_calls (service_day, centre_id);
GRANT SELECT ON {SCHEMA}.report_profile_calls TO {READERS_ROLE};
DELETE FROM {SCHEMA}.report_progress;
"""

MIGRATIONS: list[tuple[str, str]] = [("c006_profile_facts", C006)]
