"""An officer's working opinion is kept apart from the step's note, which the applicant reads.

Earlier steps wrote the opinion into the note as "<step>。意见：<opinion>"; those are split.
开始办理 had no step text: its note was the opinion itself.
"""

from django.db import migrations, models

MARKED_STEPS = ("accept", "accept_deficient", "pass_stage")
MARK = "。意见："


def split(apps, schema_editor):
    Event = apps.get_model("applications", "ApplicationEvent")
    rows = Event.objects.filter(action__in=MARKED_STEPS, note__contains=MARK)
    for event in rows.iterator():
        event.note, event.opinion = event.note.split(MARK, 1)
        event.save(update_fields=["note", "opinion"])
    Event.objects.filter(action="start").exclude(note="").update(opinion=models.F("note"), note="")


def join(apps, schema_editor):
    Event = apps.get_model("applications", "ApplicationEvent")
    for event in Event.objects.exclude(opinion="").iterator():
        event.note = f"{event.note}{MARK}{event.opinion}" if event.note else event.opinion
        event.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0009_online_form"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicationevent",
            name="opinion",
            field=models.TextField(blank=True, verbose_name="工作意见"),
        ),
        migrations.RunPython(split, join),
    ]
