"""Form answers are encrypted at rest: copy each into an encrypted column, then swap."""

from django.db import migrations

import onetrip.core.crypto


def seal(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    for app in Application.objects.only("pk", "data").iterator():
        Application.objects.filter(pk=app.pk).update(data_sealed=app.data or {})


def unseal(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    for app in Application.objects.only("pk", "data_sealed").iterator():
        Application.objects.filter(pk=app.pk).update(data=app.data_sealed or {})


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_material_state_label")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="data_sealed",
            field=onetrip.core.crypto.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(seal, unseal),
        migrations.RemoveField(model_name="application", name="data"),
        migrations.RenameField(model_name="application", old_name="data_sealed", new_name="data"),
        migrations.AlterField(
            model_name="application",
            name="data",
            field=onetrip.core.crypto.EncryptedJSONField(
                blank=True, default=dict, verbose_name="表单内容"
            ),
        ),
    ]
