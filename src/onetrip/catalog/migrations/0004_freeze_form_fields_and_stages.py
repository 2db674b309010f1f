"""Extend the published-version freeze (0002) to form fields and review stages."""

from django.db import migrations

TABLES = ["catalog_formfield", "catalog_reviewstage"]
MESSAGE = "published item versions are immutable"

SQLITE = []
for table in TABLES:
    SQLITE += [
        f"""CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table}
        WHEN (SELECT status FROM catalog_itemversion WHERE id = NEW.version_id) = 'published'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
        f"""CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table}
        WHEN (SELECT status FROM catalog_itemversion WHERE id = OLD.version_id) = 'published'
          OR (SELECT status FROM catalog_itemversion WHERE id = NEW.version_id) = 'published'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    ]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {t}_frozen_{op};" for t in TABLES
               for op in ("insert", "update")]
POSTGRES = [
    f"""CREATE TRIGGER {t}_frozen BEFORE INSERT OR UPDATE ON {t}
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_child_of_frozen();"""
    for t in TABLES
]
POSTGRES_DROP = [f"DROP TRIGGER IF EXISTS {t}_frozen ON {t};" for t in TABLES]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_form_fields_and_stages")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
