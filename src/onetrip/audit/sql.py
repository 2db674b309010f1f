"""Trigger SQL that makes audit_auditevent append-only, shared by the migration and the backend.

SQLite statements are idempotent (IF [NOT] EXISTS) so the SQLite backend's flush can drop and
recreate them around its DELETEs. PostgreSQL also refuses TRUNCATE (a statement trigger: row
triggers do not see it); its backend's flush, which empties tables with TRUNCATE, lifts that
one trigger for its own statement and puts it back (onetrip/core/db/backends/postgresql).
SQLite has no TRUNCATE.
"""

TABLE = "audit_auditevent"
MESSAGE = "审计事件只能追加，不能修改或删除"

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
]

POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END;
    $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();""",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS audit_refuse_change();",
]

POSTGRES_TRUNCATE_GUARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();""",
]
POSTGRES_TRUNCATE_LIFT = [f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};"]
