"""Django's SQLite backend, with a flush that respects the append-only audit table."""
