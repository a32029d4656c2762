"""Recognitions by outside bodies, elective groups, capstones and nested programmes (docs/decisions/0040)."""

import django.core.validators
import django.db.models.deletion
import opaque_keys.edx.django.models
from decimal import Decimal
from django.conf import settings
import django
from django.db import migrations, models


def _check(name, condition):
    # Django 5.1 renamed CheckConstraint(check=...) to condition=...; Django 4.2 knows only check=.
    if django.VERSION >= (5, 1):
        return models.CheckConstraint(condition=condition, name=name)
    return models.CheckConstraint(check=condition, name=name)


class Migration(migrations.Migration):

    dependencies = [
        ('microdegree', '0007_backfill_run'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ConditionRecorder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ],
            options={
                'verbose_name': 'condition recorder',
                'verbose_name_plural': 'condition recorders',
            },
        ),
        migrations.CreateModel(
            name='ProgramGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=64, verbose_name='id')),
                ('title', models.CharField(max_length=255, verbose_name='title')),
                ('choose', models.PositiveSmallIntegerField(help_text="How many of the group's courses count.", verbose_name='choose')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
            ],
            options={
                'verbose_name': 'elective group',
                'verbose_name_plural': 'elective groups',
                'ordering': ('program', 'order', 'id'),
            },
        ),
        migrations.CreateModel(
            name='ProgramStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
            ],
            options={
                'verbose_name': 'required program',
                'verbose_name_plural': 'required programs',
                'ordering': ('program', 'order', 'id'),
            },
        ),
        migrations.CreateModel(
            name='Recognition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=64, verbose_name='id')),
                ('title', models.CharField(blank=True, help_text='Empty: named after the recognising body.', max_length=255, verbose_name='title')),
                ('all_courses', models.BooleanField(default=False, help_text='Every course of the program, electives included.', verbose_name='all courses')),
                ('whole_program', models.BooleanField(default=False, help_text='A recognition of the micro-degree, not of its courses.', verbose_name='whole program')),
                ('threshold', models.DecimalField(blank=True, decimal_places=4, help_text="That body's share of graded points, 0 to 1. Empty: the course's achievement threshold.", max_digits=5, null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(1)], verbose_name='threshold')),
                ('condition', models.CharField(blank=True, help_text='A further condition someone records, e.g. an on-site exam passed. Empty: none.', max_length=255, verbose_name='condition')),
                ('credit_amount', models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True, verbose_name='credits')),
                ('credit_unit', models.CharField(blank=True, help_text='E.g. ECTS or CME.', max_length=32, verbose_name='credit unit')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
            ],
            options={
                'verbose_name': 'recognition',
                'verbose_name_plural': 'recognitions',
                'ordering': ('program', 'order', 'id'),
            },
        ),
        migrations.CreateModel(
            name='RecognitionCondition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('course_key', opaque_keys.edx.django.models.CourseKeyField(blank=True, help_text="The course the condition is about; empty for a whole program's.", max_length=255, verbose_name='course key')),
                ('passed', models.BooleanField(verbose_name='passed')),
                ('result', models.CharField(blank=True, help_text='E.g. a grade: 1.7.', max_length=64, verbose_name='result')),
                ('taken_on', models.DateField(verbose_name='taken on')),
                ('recorded_at', models.DateTimeField(verbose_name='recorded at')),
            ],
            options={
                'verbose_name': 'recorded condition',
                'verbose_name_plural': 'recorded conditions',
            },
        ),
        migrations.CreateModel(
            name='RecognitionConditionEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('course_key', opaque_keys.edx.django.models.CourseKeyField(blank=True, max_length=255, verbose_name='course key')),
                ('passed', models.BooleanField(verbose_name='passed')),
                ('result', models.CharField(blank=True, max_length=64, verbose_name='result')),
                ('taken_on', models.DateField(verbose_name='taken on')),
                ('recorded_at', models.DateTimeField(verbose_name='recorded at')),
                ('source', models.CharField(help_text='admin, csv or api.', max_length=16, verbose_name='source')),
            ],
            options={
                'verbose_name': 'condition recording',
                'verbose_name_plural': 'condition recordings',
                'ordering': ('-recorded_at', '-id'),
            },
        ),
        migrations.AddField(
            model_name='award',
            name='rule',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='rule'),
        ),
        migrations.AddField(
            model_name='program',
            name='capstone_last',
            field=models.BooleanField(default=False, help_text="The capstone course's achievement record is issued only once every other requirement holds.", verbose_name='capstone last'),
        ),
        migrations.AddField(
            model_name='programcourse',
            name='capstone',
            field=models.BooleanField(default=False, help_text="The program's capstone (a required course; at most one).", verbose_name='capstone'),
        ),
        migrations.AlterField(
            model_name='award',
            name='kind',
            field=models.CharField(choices=[('participation', 'Participation confirmation'), ('achievement', 'Achievement record'), ('degree', 'Micro-degree'), ('recognition', 'Recognition')], max_length=16, verbose_name='kind'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.UniqueConstraint(fields=('user', 'program', 'course_key', 'kind', 'rule', 'generation'), name='microdegree_award_rule_issue_unique'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=_check('microdegree_award_evidence_rule', models.Q(('kind', 'degree'), models.Q(('evidence_threshold__isnull', True), ('evidence_value__isnull', True), ('kind', 'recognition')), models.Q(('evidence_threshold__isnull', False), ('evidence_value__gte', models.F('evidence_threshold')), ('evidence_value__isnull', False)), _connector='OR')),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=_check('microdegree_award_rule_kind', models.Q(models.Q(('kind', 'recognition'), ('rule__gt', '')), models.Q(models.Q(('kind', 'recognition'), _negated=True), ('rule', '')), _connector='OR')),
        ),
        # Only now the old ones: MySQL keeps an index starting with user_id for its foreign key at all times.
        migrations.RemoveConstraint(
            model_name='award',
            name='microdegree_award_evidence',
        ),
        migrations.RemoveConstraint(
            model_name='award',
            name='microdegree_award_issue_unique',
        ),
        migrations.AddField(
            model_name='conditionrecorder',
            name='issuer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recorders', to='microdegree.issuer', verbose_name='recognising body'),
        ),
        migrations.AddField(
            model_name='conditionrecorder',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff member'),
        ),
        migrations.AddField(
            model_name='programgroup',
            name='program',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='groups', to='microdegree.program'),
        ),
        migrations.AddField(
            model_name='programcourse',
            name='group',
            field=models.ForeignKey(blank=True, help_text='Empty: a required course.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='courses', to='microdegree.programgroup', verbose_name='elective group'),
        ),
        migrations.AddField(
            model_name='programstep',
            name='program',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='microdegree.program'),
        ),
        migrations.AddField(
            model_name='programstep',
            name='required',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='microdegree.program', verbose_name='required program'),
        ),
        migrations.AddField(
            model_name='program',
            name='requires',
            field=models.ManyToManyField(blank=True, related_name='required_by', through='microdegree.ProgramStep', to='microdegree.program', verbose_name='required programs'),
        ),
        migrations.AddField(
            model_name='recognition',
            name='courses',
            field=models.ManyToManyField(blank=True, related_name='recognitions', to='microdegree.programcourse', verbose_name='courses'),
        ),
        migrations.AddField(
            model_name='recognition',
            name='issuer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='recognitions', to='microdegree.issuer', verbose_name='recognising body'),
        ),
        migrations.AddField(
            model_name='recognition',
            name='program',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recognitions', to='microdegree.program'),
        ),
        migrations.AddField(
            model_name='recognitioncondition',
            name='recognition',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conditions', to='microdegree.recognition'),
        ),
        migrations.AddField(
            model_name='recognitioncondition',
            name='recorded_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by'),
        ),
        migrations.AddField(
            model_name='recognitioncondition',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='learner'),
        ),
        migrations.AddField(
            model_name='recognitionconditionentry',
            name='recognition',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='microdegree.recognition'),
        ),
        migrations.AddField(
            model_name='recognitionconditionentry',
            name='recorded_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by'),
        ),
        migrations.AddField(
            model_name='recognitionconditionentry',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='learner'),
        ),
        migrations.AddConstraint(
            model_name='conditionrecorder',
            constraint=models.UniqueConstraint(fields=('issuer', 'user'), name='microdegree_condition_recorder_unique'),
        ),
        migrations.AddConstraint(
            model_name='programgroup',
            constraint=models.UniqueConstraint(fields=('program', 'slug'), name='microdegree_program_group_unique'),
        ),
        migrations.AddConstraint(
            model_name='programgroup',
            constraint=_check('microdegree_group_choose_range', models.Q(('choose__gte', 1))),
        ),
        migrations.AddConstraint(
            model_name='programstep',
            constraint=models.UniqueConstraint(fields=('program', 'required'), name='microdegree_program_step_unique'),
        ),
        migrations.AddConstraint(
            model_name='programstep',
            constraint=_check('microdegree_program_step_not_self', models.Q(('program', models.F('required')), _negated=True)),
        ),
        migrations.AddConstraint(
            model_name='recognition',
            constraint=models.UniqueConstraint(fields=('program', 'slug'), name='microdegree_recognition_unique'),
        ),
        migrations.AddConstraint(
            model_name='recognition',
            constraint=_check('microdegree_recognition_threshold_range', models.Q(models.Q(('threshold__gte', Decimal('0.0001')), ('threshold__lte', 1)), ('threshold__isnull', True), _connector='OR')),
        ),
        migrations.AddConstraint(
            model_name='recognition',
            constraint=_check('microdegree_recognition_credits_range', models.Q(models.Q(('credit_amount__gt', Decimal('0')), ('credit_amount__lte', Decimal('1000'))), ('credit_amount__isnull', True), _connector='OR')),
        ),
        migrations.AddConstraint(
            model_name='recognition',
            constraint=_check('microdegree_recognition_credits_unit', models.Q(('credit_amount__isnull', True), models.Q(('credit_unit', ''), _negated=True), _connector='OR')),
        ),
        migrations.AddConstraint(
            model_name='recognitioncondition',
            constraint=models.UniqueConstraint(fields=('recognition', 'user', 'course_key'), name='microdegree_condition_unique'),
        ),
    ]
