"""The queue's SQLite file: opening it safely, its migrations, backups and restores."""
