"""日期范围 on a form field, added under SQLite's table rebuild without losing the freeze.

As in 0011: SQLite adds the column by rebuilding catalog_formfield, which drops that table's
freeze and delete triggers and cannot rename while other tables' triggers refer to it, so
every catalogue trigger is dropped first and created again afterwards. PostgreSQL adds the
column in place and keeps its triggers.
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
        ("catalog", "0011_item_remedy"),
    ]

    operations = [
        migrations.RunPython(_sqlite(DROP), _sqlite(CREATE)),
        migrations.AddField(
            model_name="formfield",
            name="date_bound",
            field=models.CharField(
                blank=True,
                choices=[
                    ("past", "不晚于填写当天（已发生的日期）"),
                    ("future", "不早于填写当天（尚未到来的日期）"),
                ],
                help_text="日期字段：离职、死亡、发证等已发生的日期选“不晚于填写当天”",
                max_length=10,
                verbose_name="日期范围",
            ),
        ),
        migrations.RunPython(_sqlite(CREATE), _sqlite(DROP)),
    ]
