"""Shipping the centre's event log to the central PostgreSQL, in a process of its own, and how far behind it is."""
