"""SQLite whose flush lifts onetrip's DELETE-refusing triggers for its own DELETEs.

Django's flush (TransactionTestCase, live-server tests, `onetrip flush`) empties every table
with DELETE on SQLite, which the append-only audit table and the frozen catalogue versions
refuse; here those triggers are dropped first and recreated after, in the same transaction,
from the SQL their migrations use (onetrip/audit/sql.py, onetrip/catalog/sql.py).
PostgreSQL flushes with TRUNCATE, which its row triggers do not see; its own backend lifts the
audit table's TRUNCATE trigger instead (onetrip/core/db/backends/postgresql).
"""

from __future__ import annotations

from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.db.backends.sqlite3.operations import DatabaseOperations as SQLiteOperations

from onetrip.audit import sql as audit_sql
from onetrip.catalog import sql as catalog_sql

GUARDS = [
    ({audit_sql.TABLE}, audit_sql.SQLITE_DROP, audit_sql.SQLITE_CREATE),
    (set(catalog_sql.TABLES), catalog_sql.SQLITE_DROP, catalog_sql.SQLITE_CREATE),
]


class DatabaseOperations(SQLiteOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        before, after = [], []
        for guarded, drop, create in GUARDS:
            if guarded & set(tables):
                before += drop
                after += create
        return [*before, *statements, *after]


class DatabaseWrapper(SQLiteDatabaseWrapper):
    ops_class = DatabaseOperations
