"""
The dashboard's figures: awards per program, course and month, the funnel, the median time to a degree.

Every figure is an aggregate computed by the database (``values``/``annotate``/``Count``, ``TruncMonth``, window
functions), so :func:`get_report` runs the same six queries whatever the number of awards and programs, and reads
rows bounded by the catalog and the months covered, never one row per award or learner
(docs/decisions/0037-admin-dashboard-and-exports.rst).
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connections, router
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from ...data import ACHIEVEMENT, DEGREE, PARTICIPATION, RECOGNITION
from ...models import Award, LearnerCourseState, Program, ProgramCourse
from .filters import ReportFilters, in_period

__all__ = [
    "COURSE_KINDS", "FUNNEL_STEPS", "REPORTED_KINDS", "CourseReport", "FunnelStep", "KindCounts", "ProgramReport",
    "Report", "get_report", "program_choices",
]

# The award kinds reported, in their order on the dashboard and in the exports (recognitions, of every body, between
# the records and the degree); the queries, the tables, the charts and the CSV columns take every kind listed.
REPORTED_KINDS: tuple[str, ...] = (PARTICIPATION, ACHIEVEMENT, RECOGNITION, DEGREE)
COURSE_KINDS: tuple[str, ...] = tuple(kind for kind in REPORTED_KINDS if kind != DEGREE)

# The funnel's steps, in order (their labels are the dashboard's; these ids are the CSV's columns).
FUNNEL_STEPS: tuple[str, ...] = ("progress", "one_record", "half_the_courses", "all_but_one", "degree")


@dataclass(frozen=True)
class KindCounts:
    """
    Awards counted by kind, the valid ones and the revoked ones apart.

    Attributes:
        valid (dict[str, int]): kind -> awards not revoked.
        revoked (dict[str, int]): kind -> awards revoked.
    """

    valid: dict[str, int] = field(default_factory=dict)
    revoked: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CourseReport:
    """
    One course of a program: its awards in total and per month (first day of the month -> counts).

    Attributes:
        course_key (str): the course's key.
        title (str): the course's title in the program.
        total (KindCounts): every award of the course in the period.
        by_month (dict[date, KindCounts]): the months with awards.
    """

    course_key: str
    title: str
    total: KindCounts
    by_month: dict[date, KindCounts]


@dataclass(frozen=True)
class FunnelStep:
    """
    One step of a program's funnel: its id (one of ``FUNNEL_STEPS``), the learners who reached it.

    Attributes:
        step (str): the step's id.
        learners (int): how many learners reached it.
        needed (int): the achievement records it needs (0 for the first step and the degree).
    """

    step: str
    learners: int
    needed: int = 0


@dataclass(frozen=True)
class ProgramReport:
    """
    One program's figures.

    Attributes:
        program_id (str): the program's slug.
        title (str): its title.
        courses (list[CourseReport]): its courses, in their order, with their awards.
        total (KindCounts): every award of the program in the period, degrees included.
        by_month (dict[date, KindCounts]): the same per month.
        funnel (list[FunnelStep]): how far learners got, up to the end of the period.
        degrees_timed (int): the degrees of the period whose learner holds an achievement record of the program.
        median_to_degree (timedelta | None): the median time from a learner's first achievement record in the
            program to their degree, over those degrees; None without any.
    """

    program_id: str
    title: str
    courses: list[CourseReport]
    total: KindCounts
    by_month: dict[date, KindCounts]
    funnel: list[FunnelStep]
    degrees_timed: int = 0
    median_to_degree: timedelta | None = None


@dataclass(frozen=True)
class Report:
    """
    The dashboard's figures.

    Attributes:
        filters (ReportFilters): what it covers.
        programs (list[ProgramReport]): the programs covered, in title order.
        months (list[date]): every month from the first with awards to the last (first days), for the charts.
        total (KindCounts): every award covered.
        program_choices (list[tuple[str, str]]): every program (slug, title), for the filter form.
    """

    filters: ReportFilters
    programs: list[ProgramReport]
    months: list[date]
    total: KindCounts
    program_choices: list[tuple[str, str]]


def _counts(rows: list[dict[str, Any]]) -> KindCounts:
    valid: dict[str, int] = defaultdict(int)
    revoked: dict[str, int] = defaultdict(int)
    for row in rows:
        valid[row["kind"]] += row["valid"]
        revoked[row["kind"]] += row["revoked"]
    return KindCounts(valid=dict(valid), revoked=dict(revoked))


def _by_month(rows: list[dict[str, Any]]) -> dict[date, KindCounts]:
    months: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        months[row["month"]].append(row)
    return {month: _counts(month_rows) for month, month_rows in sorted(months.items())}


def _month_rows(filters: ReportFilters) -> list[dict[str, Any]]:
    """Query 3: awards per program, course, kind and month, valid and revoked apart (bounded by the catalog)."""
    rows = (Award.objects.filter(in_period(filters), kind__in=REPORTED_KINDS).order_by()
            .annotate(month=TruncMonth("issued_at"))
            .values("program_id", "course_key", "kind", "month")
            .annotate(valid=Count("pk", filter=Q(revoked_at__isnull=True)),
                      revoked=Count("pk", filter=Q(revoked_at__isnull=False))))
    return [{**row, "course_key": str(row["course_key"] or ""),
             "month": timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime) else row["month"]}
            for row in rows]


def _learners_with_progress(program_pks: list[int]) -> dict[int, int]:
    """
    Query 4: per program, the learners with a learner course state in one of its courses.

    One pass over the states, joined to the program courses on the course key (an index of the program courses; no
    ORM relation joins the two) and grouped by program: one row per program.
    """
    state, course = LearnerCourseState._meta, ProgramCourse._meta
    connection = connections[router.db_for_read(LearnerCourseState)]
    quote = connection.ops.quote_name
    program, key = quote(str(course.get_field("program").column)), quote(str(course.get_field("course_key").column))
    learner, state_key = quote(str(state.get_field("user").column)), quote(str(state.get_field("course_key").column))
    placeholders = ", ".join(["%s"] * len(program_pks))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pc.{program}, COUNT(DISTINCT s.{learner}) FROM {quote(state.db_table)} s "  # noqa: S608
                       f"INNER JOIN {quote(course.db_table)} pc ON pc.{key} = s.{state_key} "
                       f"WHERE pc.{program} IN ({placeholders}) GROUP BY pc.{program}", program_pks)
        return {int(pk): int(count) for pk, count in cursor.fetchall()}


def _records_histogram(filters: ReportFilters) -> list[tuple[int, int, bool, int]]:
    """
    Query 5: (program pk, achievement records held, degree held, learners) up to the end of the period.

    The database counts each learner's valid records in the program's courses (a derived table grouped by program
    and learner), then the learners per number of records: at most (courses + 1) x 2 rows per program.
    """
    in_program = ProgramCourse.objects.filter(program_id=OuterRef("program_id"), course_key=OuterRef("course_key"))
    per_learner = (Award.objects.filter(in_period(filters, start=False), revoked_at__isnull=True)
                   .filter(Q(kind=DEGREE) | Q(Exists(in_program), kind=ACHIEVEMENT)).order_by()
                   .values(in_program=F("program_id"), learner=F("user_id"))
                   .annotate(records=Count("course_key", filter=Q(kind=ACHIEVEMENT), distinct=True),
                             degree=Count("pk", filter=Q(kind=DEGREE))))
    sql, params = per_learner.query.sql_with_params()
    connection = connections[per_learner.db]
    quote = connection.ops.quote_name
    program, records, degree = quote("in_program"), quote("records"), quote("degree")
    held = f"CASE WHEN {degree} > 0 THEN 1 ELSE 0 END"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {program}, {records}, {held}, COUNT(*) FROM ({sql}) per_learner "  # noqa: S608
                       f"GROUP BY {program}, {records}, {held}", params)
        return [(int(pk), int(count), bool(has), int(learners)) for pk, count, has, learners in cursor.fetchall()]


def _median_rows(filters: ReportFilters) -> dict[int, tuple[int, list[timedelta]]]:
    """
    Query 6: per program, the degrees timed and the one or two middle times from first record to degree.

    Window functions rank the degrees of the period by that time within their program; only the middle ranks
    (twice the rank between the count and the count + 2) leave the database: at most two rows per program.
    """
    first_record = (Award.objects.filter(program_id=OuterRef("program_id"), user_id=OuterRef("user_id"),
                                         kind=ACHIEVEMENT).order_by("issued_at").values("issued_at")[:1])
    rows = (Award.objects.filter(in_period(filters), kind=DEGREE, revoked_at__isnull=True).order_by()
            .annotate(first=Subquery(first_record)).filter(first__isnull=False)
            .annotate(took=ExpressionWrapper(F("issued_at") - F("first"), output_field=DurationField()))
            .annotate(rank=Window(RowNumber(), partition_by=[F("program_id")], order_by=[F("took").asc(),
                                                                                       F("pk").asc()]),
                      total=Window(Count("pk"), partition_by=[F("program_id")]))
            .annotate(twice=F("rank") * 2)
            .filter(twice__gte=F("total"), twice__lte=F("total") + 2)
            .values_list("program_id", "total", "took"))
    medians: dict[int, tuple[int, list[timedelta]]] = {}
    for pk, total, took in rows:
        medians.setdefault(pk, (total, []))[1].append(took)
    return medians


def _funnel(course_count: int, progress: int, histogram: list[tuple[int, bool, int]]) -> list[FunnelStep]:
    """The steps; a degree holder counts in every step, whatever records they hold now."""
    def reached(needed: int) -> int:
        return sum(learners for records, degree, learners in histogram if degree or records >= needed)
    half, all_but_one = max(1, math.ceil(course_count / 2)), max(1, course_count - 1)
    return [
        FunnelStep("progress", progress),
        FunnelStep("one_record", reached(1), 1),
        FunnelStep("half_the_courses", reached(half), half),
        FunnelStep("all_but_one", reached(all_but_one), all_but_one),
        FunnelStep("degree", sum(learners for _records, degree, learners in histogram if degree)),
    ]


def _months_between(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def program_choices() -> list[tuple[str, str]]:
    """Every program as (slug, title), in title order, for a filter form. One query."""
    return list(Program.objects.order_by("title", "slug").values_list("slug", "title"))


def get_report(filters: ReportFilters) -> Report:
    """
    The dashboard's figures for the filters: six queries, whatever the number of awards and programs.

    Awards are counted by the day they were issued, in the period; the funnel counts where learners stand at
    its end (the start does not apply: a step is reached once); the median times the degrees of the period.
    """
    programs = list(Program.objects.order_by("title", "slug").values_list("pk", "slug", "title"))
    chosen = [row for row in programs if not filters.program_id or row[1] == filters.program_id]
    by_pk = {pk: (slug, title) for pk, slug, title in chosen}
    courses: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for program_pk, key, course_title in (ProgramCourse.objects.filter(program_id__in=list(by_pk))
                                          .order_by("program_id", "order", "id")
                                          .values_list("program_id", "course_key", "title")):
        courses[program_pk].append((str(key), course_title))
    rows = _month_rows(filters) if by_pk else []
    progress = _learners_with_progress(list(by_pk)) if by_pk else {}
    histogram: dict[int, list[tuple[int, bool, int]]] = defaultdict(list)
    for program_pk, records, degree, learners in _records_histogram(filters) if by_pk else []:
        histogram[program_pk].append((records, degree, learners))
    medians = _median_rows(filters) if by_pk else {}

    by_program: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_course: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_program[row["program_id"]].append(row)
        by_course[row["program_id"], row["course_key"]].append(row)
    reports = []
    for pk, (slug, title) in by_pk.items():
        program_rows = by_program[pk]
        course_reports = [CourseReport(key, course_title, _counts(by_course[pk, key]), _by_month(by_course[pk, key]))
                          for key, course_title in courses[pk]]
        timed, middle = medians.get(pk, (0, []))
        reports.append(ProgramReport(
            program_id=slug, title=title, courses=course_reports, total=_counts(program_rows),
            by_month=_by_month(program_rows), funnel=_funnel(len(courses[pk]), progress.get(pk) or 0, histogram[pk]),
            degrees_timed=timed, median_to_degree=sum(middle, timedelta()) / len(middle) if middle else None))
    months_seen = sorted({row["month"] for row in rows})
    months = _months_between(months_seen[0], months_seen[-1]) if months_seen else []
    total = _counts(rows)
    return Report(filters=filters, programs=reports, months=months, total=total,
                  program_choices=[(slug, title) for _pk, slug, title in programs])
