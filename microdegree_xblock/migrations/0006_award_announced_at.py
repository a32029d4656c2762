"""
An award records when its ``BADGE_AWARDED`` was sent (docs/decisions/0028-celery-tasks-acks-late-and-idempotent.rst).

Awards of earlier releases that hold a signed credential went through the after-commit work, which signs and then
announces: they are taken as announced (at their issue time), so that re-running that work never announces them
again. Awards without one never had that work run (a lost task) and stay unannounced.
"""

from django.db import migrations, models


def mark_processed_awards_announced(apps, schema_editor):  # pylint: disable=unused-argument
    award_model = apps.get_model("microdegree", "Award")
    signed = apps.get_model("microdegree", "SignedCredential").objects.filter(award=models.OuterRef("pk"))
    award_model.objects.filter(models.Exists(signed), announced_at__isnull=True).update(
        announced_at=models.F("issued_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('microdegree', '0005_award_reissue'),
    ]

    operations = [
        migrations.AddField(
            model_name='award',
            name='announced_at',
            field=models.DateTimeField(editable=False, null=True, verbose_name='announced at'),
        ),
        migrations.RunPython(mark_processed_awards_announced, migrations.RunPython.noop),
    ]
