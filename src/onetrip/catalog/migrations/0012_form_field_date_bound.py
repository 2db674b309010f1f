"""日期范围 on a form field, added under SQLite's table rebuild without losing the freeze.

As in 0011: SQLite adds the column by rebuilding catalog_formfield, which drops that table's
freeze and delete triggers and cannot rename while other tables' triggers refer to it, so
every catalogue trigger is dropped first and created again afterwards, with 0011's
statements. PostgreSQL adds the column in place and keeps its triggers.
"""

from importlib import import_module

from django.db import migrations, models

_rebuild = import_module("onetrip.catalog.migrations.0011_item_remedy")
DROP = _rebuild._sqlite(_rebuild.DROP)
CREATE = _rebuild._sqlite(_rebuild.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_item_remedy"),
    ]

    operations = [
        migrations.RunPython(DROP, CREATE),
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
        migrations.RunPython(CREATE, DROP),
    ]
