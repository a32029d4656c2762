"""An award can be re-issued: the unique constraint counts issues (docs/decisions/0027-re-issuing-an-award.rst)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('microdegree', '0004_stored_value_ranges'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='award',
            name='generation',
            field=models.PositiveSmallIntegerField(default=0, editable=False, help_text='0: issued by the rules; 1 and up: re-issued by an admin.', verbose_name='issue'),
        ),
        migrations.AddField(
            model_name='award',
            name='reissue_of',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reissued_as', to='microdegree.award', verbose_name='re-issue of'),
        ),
        migrations.AddField(
            model_name='award',
            name='reissue_reason',
            field=models.TextField(blank=True, editable=False, verbose_name='re-issue reason'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.UniqueConstraint(fields=('user', 'program', 'course_key', 'kind', 'generation'), name='microdegree_award_issue_unique'),
        ),
        # Dropped after the new one exists: on MySQL/MariaDB the unique index may be the one the user foreign key
        # uses, which InnoDB refuses to drop while no other index starts with user_id.
        migrations.RemoveConstraint(
            model_name='award',
            name='microdegree_award_unique',
        ),
    ]
