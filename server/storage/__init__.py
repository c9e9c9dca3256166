"""Storage behind a small repository: the database is the source of truth."""
