"""PostgreSQL whose flush lifts the audit table's TRUNCATE-refusing trigger for its own
TRUNCATE (TransactionTestCase, live-server tests, `onetrip flush`), in the same transaction,
and puts it back after. Row triggers (UPDATE, DELETE) do not see TRUNCATE and stay as they are.
"""

from __future__ import annotations

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

from onetrip.audit import sql as audit_sql


class DatabaseOperations(PostgresOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements or audit_sql.TABLE not in tables:
            return statements
        return [*audit_sql.POSTGRES_TRUNCATE_LIFT, *statements, *audit_sql.POSTGRES_TRUNCATE_GUARD]


class DatabaseWrapper(PostgresDatabaseWrapper):
    ops_class = DatabaseOperations
