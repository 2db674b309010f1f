"""The database itself refuses UPDATE and DELETE of audit events (SQL in onetrip/audit/sql.py)."""

from django.db import migrations

from onetrip.audit import sql


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": sql.SQLITE_CREATE, "postgresql": sql.POSTGRES_CREATE}),
            _run({"sqlite": sql.SQLITE_DROP, "postgresql": sql.POSTGRES_DROP}),
        )
    ]
