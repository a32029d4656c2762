"""Who may record the conditions of every recognising body: a permission (docs/decisions/0040)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('microdegree', '0008_recognitions_electives_steps'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='recognitioncondition',
            options={
                'permissions': [('record_any_condition', 'Can record the conditions of every recognising body')],
                'verbose_name': 'recorded condition',
                'verbose_name_plural': 'recorded conditions',
            },
        ),
    ]
