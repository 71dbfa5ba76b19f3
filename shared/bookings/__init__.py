"""Appointments: bookings of a slot at a centre, made by the national desk, the reception or a
portal, checked in at the kiosk (docs/architecture.md, "Bookings")."""
