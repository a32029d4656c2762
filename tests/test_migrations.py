"""
Migration 0004 brings values earlier releases let through into range before the database starts refusing them.

Run on the real schema: migrate back to 0003, write the bad rows with raw SQL (as a release without the checks
could), migrate forward, and read what is stored and what was printed.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("microdegree", "0003_badge_images")]
AFTER = [("microdegree", "0004_stored_value_ranges")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _sql(statement: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall()) if cursor.description else []


@pytest.fixture
def at_0003():
    _migrate(BEFORE)
    yield
    _migrate(AFTER)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("microdegree"))


def test_out_of_range_catalog_values_are_brought_into_range_and_printed(at_0003, capsys):
    _sql("INSERT INTO microdegree_program (slug, title, description, learning_outcomes, eqf_level, participation_form,"
         " assessment_type, quality_assurance, badge_image_url) VALUES ('p', 'P', '', '', 12, '', '', '', '')")
    program_id = _sql("SELECT id FROM microdegree_program WHERE slug = 'p'")[0][0]
    rows = [("course-v1:A+B+1", 1500, 70, Decimal("1.5"), Decimal("0.00001")),
            ("course-v1:A+B+2", 20, None, Decimal("0.7"), None)]
    for order, (key, hours, ects, achievement, participation) in enumerate(rows):
        _sql("INSERT INTO microdegree_programcourse (program_id, course_key, title, hours, ects, planned, "
             "\"order\", achievement_threshold, participation_threshold, badge_image_url) "
             "VALUES (%s, %s, 'C', %s, %s, %s, %s, %s, %s, '')".replace('"order"', connection.ops.quote_name("order")),
             (program_id, key, hours, ects, False, order, achievement, participation))
    user = get_user_model().objects.create(username="learner")
    _sql("INSERT INTO microdegree_learnercoursestate (user_id, course_key, best_percent, best_percent_event, "
         "best_completion, best_completion_event, modified) VALUES (%s, 'course-v1:A+B+1', 1.2, '', NULL, '', "
         "'2026-01-01 00:00:00')", (user.pk,))

    _migrate(AFTER)

    courses = _sql("SELECT course_key, hours, ects, achievement_threshold, participation_threshold "
                   "FROM microdegree_programcourse ORDER BY course_key")
    assert [(key, Decimal(str(hours)), ects, None if a is None else Decimal(str(a)), p)
            for key, hours, ects, a, p in courses] == [
        ("course-v1:A+B+1", Decimal(1000), None, None, None),
        ("course-v1:A+B+2", Decimal(20), None, Decimal("0.7"), None),
    ]
    assert _sql("SELECT eqf_level FROM microdegree_program") == [(None,)]
    assert [Decimal(str(v)) for (v,) in _sql("SELECT best_percent FROM microdegree_learnercoursestate")] == [1]
    printed = capsys.readouterr().out
    # Each old value as the database prints it (MariaDB keeps the column's places: 1500.0, 1.5000).
    for says in (r"hours 1500(\.0)? is out of range; it is now 1,000 hours", r"ects 70(\.0)? is out of range",
                 r"achievement_threshold 1\.50* is out of range; it is now empty \(the platform default\)",
                 r"participation_threshold \S+ is out of range", "eqf_level 12", r"best_percent 1\.20*"):
        assert re.search(says, printed), says
