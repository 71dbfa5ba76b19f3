"""Appointments on the central side: the national bookings, the 142 call centre's page and the
portals' API (docs/architecture.md, "Bookings")."""
