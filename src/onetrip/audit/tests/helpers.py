"""Raw-SQL helpers that act as an attacker with owner rights on the database would."""

from __future__ import annotations

import json

from django.db import connection


def protection_disable() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")


def after_overwrite(*, seq: int, after: dict) -> int:
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE audit_auditevent SET "after" = %s{cast} WHERE seq = %s',
            [json.dumps(after), seq],
        )
        return cursor.rowcount


def event_delete(*, seq: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [seq])
        return cursor.rowcount


def events_truncate() -> None:
    """TRUNCATE the audit table (PostgreSQL), as someone with SQL access might."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
