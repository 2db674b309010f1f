"""救济途径 on the item version, added under SQLite's table rebuild without losing the freeze.

SQLite adds this column by rebuilding catalog_itemversion, and renaming the rebuilt table
fails while triggers of other tables refer to it; a rebuild also drops the table's own
triggers. So every catalogue trigger is dropped first and created again afterwards. This
also restores the freeze and delete triggers of catalog_formfield, which the rebuild in 0008
dropped on SQLite. PostgreSQL adds the column in place and keeps its triggers.
"""

from importlib import import_module

from django.db import migrations, models

from onetrip.catalog import sql

_freeze = import_module("onetrip.catalog.migrations.0002_freeze_published")
_freeze_more = import_module("onetrip.catalog.migrations.0004_freeze_form_fields_and_stages")

DROP = [*sql.SQLITE_DROP, *_freeze_more.SQLITE_DROP, *_freeze.SQLITE_DROP]
CREATE = [*_freeze.SQLITE, *_freeze_more.SQLITE, *sql.SQLITE_CREATE]


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0010_online_form"),
    ]

    operations = [
        migrations.RunPython(_sqlite(DROP), _sqlite(CREATE)),
        migrations.AddField(
            model_name="itemversion",
            name="remedy",
            field=models.TextField(
                blank=True,
                max_length=1000,
                help_text="仅在法律另有规定时填写（如劳动争议仲裁不予受理的，可向人民法院起诉）："
                "不予受理、不予批准和撤销的文书以此代替部门的行政复议、行政诉讼告知。",
                verbose_name="救济途径",
            ),
        ),
        migrations.RunPython(_sqlite(CREATE), _sqlite(DROP)),
    ]
