"""PostgreSQL refuses TRUNCATE of audit events too (SQLite has no TRUNCATE)."""

from django.db import migrations

from onetrip.audit import sql


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(
            _run(sql.POSTGRES_TRUNCATE_GUARD), _run(sql.POSTGRES_TRUNCATE_LIFT)
        )
    ]
