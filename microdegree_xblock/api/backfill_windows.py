"""
The backfill's set-based write: new learner course states made by the database itself, awards by the rules.

A window of learners' new states is written from the platform's own tables, and the awards due are decided from
them by the rules (docs/decisions/0041).

On a platform's first backfill nearly every learner and course has no state yet. Their states are what the one
grade row (and the completions) say, so the database writes them with ``INSERT ... SELECT`` straight from the LMS's
``PersistentCourseGrade`` and edx-completion's ``BlockCompletion``, never passing a row through Python. What the
rules decide is decided in Python, by the same :func:`~microdegree_xblock.api.awarding.due_awards` as a grade event,
over the new states that can earn anything (at or above the lowest threshold of their courses).

The rest of a window goes through the row-by-row write (:mod:`.backfill_rows`), whose merge it needs: learners
who already have a state in the course, unknown and retired learners, and grades the rules refuse (negative, not
finite). Used only where the platform's tables and the plugin's share one database.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Round
from django.db.models.lookups import GreaterThan, IsNull
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from .. import compat, conf
from ..models import LearnerCourseState
from ._internal import unretired_users
from .backfill_awards import award_new_states, learners_of
from .backfill_rows import BackfillReport, write_rows
from .sources import platform_rows

__all__ = ["set_based", "write_window"]

log = logging.getLogger(__name__)

# The databases whose INSERT ... SELECT the statements below are written for (Django compiles them for each).
VENDORS = ("sqlite", "mysql", "postgresql")
# The first versions with the random functions the statements use: MariaDB's RANDOM_BYTES, PostgreSQL's
# gen_random_uuid (MySQL has RANDOM_BYTES in every version Django supports).
MARIADB_RANDOM_BYTES = (10, 10)
POSTGRESQL_RANDOM_UUID = 130000
# A grade this far above 1 (or not finite) goes the row-by-row way: there it is counted as 1, or refused, and logged.
GRADE_LIMIT = 1e6
# The states' columns, in the order the statements select them.
COLUMNS = ("user_id", "course_key", "best_percent", "best_percent_at", "best_percent_event", "best_completion",
           "best_completion_at", "best_completion_event", "first_passed_at", "modified")


def set_based() -> bool:
    """
    Whether the database writes the states and awards itself.

    Where the platform's tables share the plugin's database, and ``MICRODEGREE_BACKFILL_SET_BASED`` is on.
    """
    alias = compat.platform_database()
    if not conf.backfill_set_based() or alias is None or alias != router.db_for_write(LearnerCourseState):
        return False
    connection = connections[alias]
    if connection.vendor == "mysql" and connection.mysql_is_mariadb:  # type: ignore[attr-defined]
        return bool(connection.mysql_version >= MARIADB_RANDOM_BYTES)  # type: ignore[attr-defined]
    if connection.vendor == "postgresql":
        return bool(connection.pg_version >= POSTGRESQL_RANDOM_UUID)  # type: ignore[attr-defined]
    return connection.vendor in VENDORS


def write_window(courses: Sequence[CourseKey], blocks: Mapping[str, int | None], window: dict[str, Any], *,
                 wanted: set[str], report: BackfillReport, grade_event: str, completion_event: str) -> list[int]:
    """
    Write one window of learners (inside the caller's transaction); the primary keys of the awards it issued.

    First the rows the set-based statements leave, row by row; then the new states from the grades (with their
    completions) and from completions without a grade, each one statement; then the awards due from those.
    """
    grade, completion = compat.GRADE, compat.COMPLETION
    # On a first run no learner of the window has a state yet: one look saves one per row (should an event make
    # one meanwhile, the insert below fails on the unique key, and the batch is written again).
    # And most windows hold only learners: one count saves a look per row.
    states = LearnerCourseState.objects.filter(learners_of(window), course_key__in=list(courses)).exists()
    strangers = not _all_learners(window)
    refused = Q(Exists(_grades_of(courses, window, completion).filter(_rejected(grade))))
    left_rows = platform_rows(
        courses, blocks, window, grades_where=_leftover(grade, states, strangers) | _rejected(grade),
        completions_where=_leftover(completion, states, strangers) | refused)
    created = write_rows(left_rows, wanted, grade_event=grade_event, completion_event=completion_event,
                         report=report)
    now = timezone.now()
    counted = {key: float(blocks[str(key)] or 0) for key in courses if blocks.get(str(key))}
    completions = compat.completion_rows(courses, **window)
    if completions is not None and not completions.exists():
        completions = None  # nothing to sum: the statements leave the completions out
    alias = router.db_for_write(LearnerCourseState)
    made = _insert(alias, _from_grades(courses, window, counted if completions is not None else {}, now=now,
                                       grade_event=grade_event, completion_event=completion_event, alias=alias,
                                       states=states, strangers=strangers))
    if completions is not None and counted:
        made += _insert(alias, _from_completions(courses, window, counted, now=now, completion_event=completion_event,
                                                 alias=alias, states=states, strangers=strangers))
    report.rows += made
    report.states += made
    if made:
        skip = {(row.user_id, row.course_key) for row in left_rows}
        created += award_new_states(courses, window, now=now, skip=skip, report=report)
    return list(dict.fromkeys(created))  # each once, should the two writes have shared a microsecond


def _known_user(column: str) -> Exists:
    """The row's learner is a user, and not a retired one (the LMS keeps their row, renamed)."""
    return Exists(unretired_users().filter(pk=OuterRef(column)))


def _leftover(columns: compat.PlatformColumns, states: bool, strangers: bool) -> Q:
    """
    A platform row the statements leave: its learner has a state in the course already, or is no user.

    Each is looked for only where the window may hold it: ``states`` at all, ``strangers`` (ids that are no
    learner's, or a retired learner's).
    """
    found = Q(pk__in=[])  # nothing
    if strangers:
        found |= ~Q(_known_user(columns.user))
    if states:
        found |= Q(Exists(LearnerCourseState.objects.filter(user_id=OuterRef(columns.user),
                                                            course_key=OuterRef(columns.course))))
    return found


def _all_learners(window: dict[str, Any]) -> bool:
    """Whether every id of the window is a learner's, none retired (one count on the users' primary key)."""
    users = unretired_users()
    if "user_ids" in window:
        return bool(users.filter(pk__in=window["user_ids"]).count() == len(set(window["user_ids"])))
    return bool(users.filter(pk__gt=window["low"], pk__lte=window["high"]).count() == window["high"] - window["low"])


def _rejected(grade: compat.PlatformColumns) -> Q:
    """A grade the rules refuse or cap with a log line: negative, huge, not finite (PostgreSQL's NaN), missing."""
    return (Q(**{f"{grade.value}__lt": 0}) | Q(**{f"{grade.value}__gte": GRADE_LIMIT})
            | Q(**{f"{grade.value}__isnull": True}))


def _grades_of(courses: Sequence[CourseKey], window: dict[str, Any], columns: compat.PlatformColumns) -> Any:
    """The grade rows of the outer row's learner and course."""
    grade = compat.GRADE
    return compat.grade_rows(courses, **window).filter(**{
        grade.user: OuterRef(columns.user), grade.course: OuterRef(columns.course)})


def _share(done: Any, counted: Mapping[CourseKey, float], course: str) -> Any:
    """A completion sum as a share of its course's completable blocks, at most 1; NULL for a course without."""
    total = Case(*[When(**{course: key}, then=Value(count)) for key, count in counted.items()],
                 default=Value(None), output_field=FloatField())
    return _at_most_one(ExpressionWrapper(done / total, output_field=FloatField()))


def _at_most_one(value: Any) -> Any:
    """``value``, or 1 where it is above 1 (NULL stays NULL, unlike PostgreSQL's LEAST)."""
    return Case(When(GreaterThan(value, 1), then=Value(1.0)), default=value, output_field=FloatField())


def _stored(value: Any, alias: str) -> Any:
    """A share as the state stores it, six places: SQLite keeps a float as it is, the others round to the column."""
    return Round(value, 6) if connections[alias].vendor == "sqlite" else value


def _from_grades(courses: Sequence[CourseKey], window: dict[str, Any], counted: Mapping[CourseKey, float], *,
                 now: datetime, grade_event: str, completion_event: str, alias: str, states: bool,
                 strangers: bool) -> Any:
    """The new states of the window's grades, with their completions where the course counts blocks."""
    grade, completion = compat.GRADE, compat.COMPLETION
    rows = compat.grade_rows(courses, **window).filter(~_leftover(grade, states, strangers), ~_rejected(grade))
    share: Any = Value(None, output_field=FloatField())
    latest: Any = Value(None, output_field=DateTimeField())
    event: Any = Value("")
    if counted:
        pair = compat.completion_rows(courses, **window).filter(**{
            completion.user: OuterRef(grade.user), completion.course: OuterRef(grade.course)}).values(completion.user)
        done = Subquery(pair.annotate(md_done=Sum(completion.value)).values("md_done")[:1],
                        output_field=FloatField())
        share = _share(done, counted, grade.course)
        latest = Case(When(IsNull(share, False), then=Subquery(
            pair.annotate(md_latest=Max(completion.measured)).values("md_latest")[:1])),
            default=None, output_field=DateTimeField())
        event = Case(When(IsNull(share, False), then=Value(completion_event)), default=Value(""),
                     output_field=CharField())
    return _select(rows, (
        F(grade.user), F(grade.course), _stored(_at_most_one(F(grade.value)), alias), F(grade.measured),
        Value(grade_event), _stored(share, alias), latest, event, F(grade.passed), Value(now)))


def _from_completions(courses: Sequence[CourseKey], window: dict[str, Any], counted: Mapping[CourseKey, float], *,
                      now: datetime, completion_event: str, alias: str, states: bool, strangers: bool) -> Any:
    """The new states of the window's completions in courses where the learner has no grade row."""
    completion = compat.COMPLETION
    rows = compat.completion_rows(list(counted), **window).filter(
        ~_leftover(completion, states, strangers), ~Q(Exists(_grades_of(courses, window, completion))))
    grouped = rows.values(completion.user, completion.course).annotate(
        md_done=Sum(completion.value), md_latest=Max(completion.measured))
    return _select(grouped, (
        F(completion.user), F(completion.course), Value(None, output_field=DecimalField()),
        Value(None, output_field=DateTimeField()), Value(""),
        _stored(_share(F("md_done"), counted, completion.course), alias), F("md_latest"), Value(completion_event),
        Value(None, output_field=DateTimeField()), Value(now)))


def _select(rows: Any, values: Sequence[Any]) -> Any:
    """The rows selecting ``values``, in that order and nothing else (the columns of an ``INSERT``)."""
    names = [f"md_{number}" for number in range(len(values))]
    selected = rows.annotate(**dict(zip(names, values, strict=True))).values_list(*names)
    assert list(selected.query.annotation_select) == names, "the selected columns out of order"
    return selected


def _insert(alias: str, selected: Any) -> int:
    """``INSERT INTO`` the state table ``... SELECT`` the rows; how many it inserted."""
    connection = connections[alias]
    sql, params = selected.query.get_compiler(using=alias).as_sql()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(LearnerCourseState._meta.db_table)} "
                       f"({', '.join(quote(column) for column in COLUMNS)}) {sql}", params)
        return max(0, int(cursor.rowcount))
