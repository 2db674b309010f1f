"""Database backends for onetrip."""
