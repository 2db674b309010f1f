"""Published versions and their content cannot be deleted either (see catalog/sql.py)."""

from django.db import migrations

from onetrip.catalog import sql


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_search_text_on_item")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": sql.SQLITE_CREATE, "postgresql": sql.POSTGRES_CREATE}),
            _run({"sqlite": sql.SQLITE_DROP, "postgresql": sql.POSTGRES_DROP}),
        )
    ]
