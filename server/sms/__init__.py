"""SMS reminders of bookings through the configured gateway (docs/architecture.md, "Bookings")."""
