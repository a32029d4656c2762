"""
The database refuses a stored number outside its range (microdegree_xblock/limits.py, docs/decisions/0026).

Before the constraints are added, catalog values that earlier releases let through are brought into range, each
change printed (a threshold or ECTS out of range becomes empty, i.e. the platform default; hours are clamped),
so that the migration never fails on them and every read afterwards can hold what it finds. Learners' best values
are clamped to [0, 1]. An award whose evidence is out of range (no release wrote one) stops the migration with its
id: awards are records and are never changed here.
"""
from decimal import Decimal

import django
from django.db import migrations, models

SMALLEST_THRESHOLD = Decimal("0.0001")


def _check(name, condition):
    # Django 5.1 renamed CheckConstraint(check=...) to condition=...; Django 4.2 knows only check=.
    if django.VERSION >= (5, 1):
        return models.CheckConstraint(condition=condition, name=name)
    return models.CheckConstraint(check=condition, name=name)


def _between(field, low, high, *, nullable=True, low_open=False):
    within = models.Q(**{f"{field}__gt" if low_open else f"{field}__gte": low, f"{field}__lte": high})
    return within | models.Q(**{f"{field}__isnull": True}) if nullable else within


# (table, column, SQL condition of a bad value, SQL of the value it gets, what the change means)
FIXES = [
    ("microdegree_programcourse", "achievement_threshold", "{c} < 0.0001 OR {c} > 1", "NULL",
     "empty (the platform default)"),
    ("microdegree_programcourse", "participation_threshold", "{c} < 0.0001 OR {c} > 1", "NULL",
     "empty (the platform default)"),
    ("microdegree_programcourse", "ects", "{c} < 0 OR {c} > 60", "NULL", "empty (no ECTS credits)"),
    ("microdegree_programcourse", "hours", "{c} > 1000", "1000", "1,000 hours"),
    ("microdegree_programcourse", "hours", "{c} <= 0", "0.1", "0.1 hours"),
    ("microdegree_program", "eqf_level", "{c} < 1 OR {c} > 8", "NULL", "empty (no EQF level)"),
    ("microdegree_learnercoursestate", "best_percent", "{c} > 1", "1", "1"),
    ("microdegree_learnercoursestate", "best_percent", "{c} < 0", "0", "0"),
    ("microdegree_learnercoursestate", "best_completion", "{c} > 1", "1", "1"),
    ("microdegree_learnercoursestate", "best_completion", "{c} < 0", "0", "0"),
]


def bring_into_range(apps, schema_editor):  # pylint: disable=unused-argument
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for table, column, bad, value, meaning in FIXES:
            where = bad.format(c=quote(column))
            cursor.execute(f"SELECT id, CAST({quote(column)} AS CHAR(40)) FROM {quote(table)} WHERE {where}")
            for pk, old in cursor.fetchall():
                print(f"  microdegree: {table} {pk}: {column} {old} is out of range; it is now {meaning}. "
                      "Check it in the Django admin.")
            cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = {value} WHERE {where}")
        cursor.execute(
            "SELECT uuid FROM microdegree_award WHERE kind <> 'degree' AND (evidence_value IS NULL OR "
            "evidence_threshold IS NULL OR evidence_value < evidence_threshold OR evidence_value < 0 OR "
            "evidence_value > 1 OR evidence_threshold < 0.0001 OR evidence_threshold > 1)"
        )
        broken = [str(row[0]) for row in cursor.fetchall()]
    if broken:
        raise RuntimeError(f"awards with evidence out of range, which no release of the plugin writes: "
                           f"{', '.join(broken[:20])}. Awards are never changed by a migration; correct them by "
                           "hand, then migrate again.")


class Migration(migrations.Migration):

    dependencies = [
        ('microdegree', '0003_badge_images'),
    ]

    operations = [
        migrations.RunPython(bring_into_range, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name='award',
            constraint=_check('microdegree_award_evidence', models.Q(kind='degree') | models.Q(
                evidence_value__isnull=False, evidence_threshold__isnull=False,
                evidence_value__gte=models.F('evidence_threshold'))),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=_check('microdegree_award_value_range', _between('evidence_value', Decimal(0), Decimal(1))),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=_check('microdegree_award_threshold_range',
                              _between('evidence_threshold', SMALLEST_THRESHOLD, 1)),
        ),
        migrations.AddConstraint(
            model_name='learnercoursestate',
            constraint=_check('microdegree_state_percent_range', _between('best_percent', Decimal(0), Decimal(1))),
        ),
        migrations.AddConstraint(
            model_name='learnercoursestate',
            constraint=_check('microdegree_state_completion_range',
                              _between('best_completion', Decimal(0), Decimal(1))),
        ),
        migrations.AddConstraint(
            model_name='program',
            constraint=_check('microdegree_program_eqf_range', _between('eqf_level', 1, 8)),
        ),
        migrations.AddConstraint(
            model_name='programcourse',
            constraint=_check('microdegree_course_hours_range',
                              _between('hours', Decimal(0), Decimal(1000), nullable=False, low_open=True)),
        ),
        migrations.AddConstraint(
            model_name='programcourse',
            constraint=_check('microdegree_course_ects_range', _between('ects', Decimal(0), Decimal(60))),
        ),
        migrations.AddConstraint(
            model_name='programcourse',
            constraint=_check('microdegree_course_achievement_range',
                              _between('achievement_threshold', SMALLEST_THRESHOLD, 1)),
        ),
        migrations.AddConstraint(
            model_name='programcourse',
            constraint=_check('microdegree_course_participation_range',
                              _between('participation_threshold', SMALLEST_THRESHOLD, 1)),
        ),
    ]
