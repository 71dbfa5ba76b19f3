"""The one seam between SQLite and PostgreSQL in the reports: how parameters are written and
which column types hold an epoch. Every figure's SQL is written once, with `?` parameters and
only standard SQL (CASE, COUNT, SUM, AVG, MAX, ABS, GROUP BY ordinals, EXISTS); the time zone,
JSON and percentiles are done in Python (shared.reports.fold, shared.percentile), so the
same text runs on both."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """A database family the report SQL runs on."""

    name: str
    placeholder: str        # how a positional parameter is written
    float_type: str         # a column type that holds an epoch to the second and below

    def sql(self, text: str) -> str:
        """The statement with `?` parameters written this dialect's way."""
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)

    def ddl(self, text: str) -> str:
        """A CREATE statement with FLOAT written as this dialect's epoch type."""
        return text.replace(" FLOAT", " " + self.float_type)


SQLITE = Dialect("sqlite", "?", "REAL")
POSTGRES = Dialect("postgresql", "%s", "DOUBLE PRECISION")   # psycopg's positional style
