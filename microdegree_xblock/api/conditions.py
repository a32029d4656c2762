"""
The further conditions of recognitions (an on-site exam): recording them, listing them, and what follows.

Recorded in the admin, from a CSV file (a management command) and through a staff REST endpoint, all through
:func:`record_condition` (:func:`record_conditions` for a file: every row checked, then all stored or none), each
value checked by :mod:`.condition_checks`. A recognising body's staff record only for their body
(:class:`~microdegree_xblock.models.ConditionRecorder`); superusers and holders of the permission
``microdegree.record_any_condition`` for every body. Each recording that changes what is stored is kept in the
audit trail (who, when, what, from where); the same values again change nothing and are not kept again.

Recording a passed condition issues the recognition when its other rules hold already (the learner's best grade
meets the body's threshold; for a whole programme's, the degree is held), decided by the same functions as the
event path (:mod:`.awarding`, :mod:`.requirements`) under the same lock. A condition recorded as not passed, or
corrected to it, never takes an award back (docs/decisions/0002, docs/decisions/0040).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..data import RECOGNITION
from ..exceptions import InvalidCondition, NotAllowedToRecord, UnknownRecognition
from ..models import Award, LearnerCourseState, Recognition, RecognitionCondition, RecognitionConditionEntry
from ._internal import NO_COURSE, program_course_rows
from .awarding import due_awards, insert_awards, passed_conditions, read_held
from .condition_checks import (
    CONDITION_COLUMNS,
    RECORD_ANY_PERMISSION,
    CheckedCondition,
    FileCheck,
    check_condition,
    covered_courses,
    find_learners,
    find_recognition,
    may_record,
    recordable_recognitions,
)
from .effects import after_commit
from .requirements import issue_program_recognitions

# With the checks' and the errors' names that the api exports from here.
__all__ = ["CONDITION_COLUMNS", "CONDITION_SOURCES", "MAX_CONDITION_ROWS", "MAX_LISTED_CONDITIONS",
           "RECORD_ANY_PERMISSION", "ConditionInfo", "ConditionRecorded", "ConditionsReport", "InvalidCondition",
           "NotAllowedToRecord", "UnknownRecognition", "list_conditions", "may_record", "record_condition",
           "record_conditions", "recordable_recognitions"]

log = logging.getLogger(__name__)

CONDITION_SOURCES = ("admin", "csv", "api")
MAX_CONDITION_ROWS = 10_000
MAX_LISTED_CONDITIONS = 500
CREATED, CHANGED, UNCHANGED = "created", "changed", "unchanged"


@dataclass(frozen=True)
class ConditionInfo:
    """
    A recorded condition as staff see it.

    ``course_key`` is None for a whole program's recognition; ``recorded_by`` the recorder's username (None once
    that user is gone).
    """

    program_id: str
    recognition_id: str
    user_id: int
    username: str
    course_key: str | None
    passed: bool
    result: str
    taken_on: date
    recorded_by: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class ConditionRecorded:
    """What one recording did: ``outcome`` created, changed or unchanged; ``awarded`` the awards it issued (ids)."""

    condition: ConditionInfo
    outcome: str
    awarded: tuple[str, ...] = ()


@dataclass
class ConditionsReport:
    """What recording a file's rows did (or would do): counts, and every refused row's errors (nothing stored)."""

    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    awarded: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False


def _lookup(recognition: Recognition, values: CheckedCondition) -> dict[str, Any]:
    return {"recognition": recognition, "user_id": values.user_id,
            "course_key": NO_COURSE if values.course_key is None else values.course_key}


def _same(row: RecognitionCondition, values: CheckedCondition) -> bool:
    return (row.passed, row.result, row.taken_on) == (values.passed, values.result, values.taken_on)


def _outcome(recognition: Recognition, values: CheckedCondition) -> str:
    """What recording the values would do, read without a lock (a dry run)."""
    row = RecognitionCondition.objects.filter(**_lookup(recognition, values)).first()
    return CREATED if row is None else UNCHANGED if _same(row, values) else CHANGED


def _store(recognition: Recognition, values: CheckedCondition, *, recorded_by: Any, source: str) -> tuple[str, Any]:
    """Upsert the condition under its row's lock and keep the recording in the audit trail, unless unchanged."""
    lookup, now = _lookup(recognition, values), timezone.now()
    what = {"passed": values.passed, "result": values.result, "taken_on": values.taken_on}
    row = RecognitionCondition.objects.select_for_update().filter(**lookup).first()
    outcome = CHANGED
    if row is None:
        try:
            with transaction.atomic():
                row = RecognitionCondition.objects.create(**lookup, **what, recorded_by=recorded_by, recorded_at=now)
            outcome = CREATED
        except IntegrityError:  # recorded concurrently: lock theirs
            row = RecognitionCondition.objects.select_for_update().get(**lookup)
    if outcome == CHANGED:
        if _same(row, values):
            return UNCHANGED, row
        for name, value in {**what, "recorded_by": recorded_by, "recorded_at": now}.items():
            setattr(row, name, value)
        row.save(update_fields=[*what, "recorded_by", "recorded_at"])
    RecognitionConditionEntry.objects.create(**lookup, **what, recorded_by=recorded_by, recorded_at=now,
                                             source=source)
    return outcome, row


def _issue(recognition: Recognition, values: CheckedCondition) -> list[Award]:
    """
    The recognition, if now due, issued; under the lock of the learner's course state (taken before the store).

    A savepoint of its own: a concurrent insert of the same award rolls back only this, not the recording.
    """
    if not values.passed:
        return []
    try:
        with transaction.atomic():
            if recognition.whole_program:
                return issue_program_recognitions(values.user_id, recognition.program_id)
            key = str(values.course_key)
            rows = [row for row in program_course_rows(key) if row.program_pk == recognition.program_id]
            state = LearnerCourseState.objects.select_for_update().filter(
                user_id=values.user_id, course_key=key).first()
            if state is None or not rows:
                return []
            held = read_held(values.user_id, key)
            due = [award for award in due_awards(state, rows, held, issued_at=timezone.now(),
                                                 conditions=passed_conditions(state, rows, held))
                   if award.kind == RECOGNITION and award.rule == recognition.slug]
            return insert_awards([Award(**award._asdict()) for award in due])
    except IntegrityError:
        log.warning("microdegree: recognition %s for user %s issued concurrently", recognition.slug, values.user_id)
        return []


def _record(recognition: Recognition, values: CheckedCondition, *, recorded_by: Any, source: str
            ) -> tuple[str, Any, list[Award]]:
    """Store and issue in the caller's transaction: the learner's course state is locked first, as events lock it."""
    if values.course_key is not None:
        list(LearnerCourseState.objects.select_for_update().filter(
            user_id=values.user_id, course_key=str(values.course_key)).values_list("pk", flat=True))
    outcome, row = _store(recognition, values, recorded_by=recorded_by, source=source)
    created = _issue(recognition, values)
    if outcome != UNCHANGED:
        log.info("microdegree: condition of recognition %s (program %s) %s for user %s by user %s (%s)",
                 recognition.slug, recognition.program.slug, outcome, values.user_id,
                 getattr(recorded_by, "pk", None), source)
    return outcome, row, created


def _info(recognition: Recognition, values: CheckedCondition, *, username: str, recorded_by: str | None,
          recorded_at: datetime) -> ConditionInfo:
    return ConditionInfo(
        program_id=recognition.program.slug, recognition_id=recognition.slug, user_id=values.user_id,
        username=username, course_key=None if values.course_key is None else str(values.course_key),
        passed=values.passed, result=values.result, taken_on=values.taken_on, recorded_by=recorded_by,
        recorded_at=recorded_at)


def record_condition(*, program_id: str, recognition_id: str, learner: int | str | None,
                     course_key: str | None = None, passed: bool | str | None, taken_on: date | str | None,
                     result: str = "", recorded_by: Any, source: str, dry_run: bool = False) -> ConditionRecorded:
    """
    Record a learner's condition of a recognition (an on-site exam passed or not), and issue what is now due.

    Every value is checked (None: missing, refused where required): ``learner`` a username or a user id;
    ``course_key`` the course (one the recognition covers), None for a whole program's recognition; ``passed`` a
    bool (or true/false, yes/no, 1/0); ``taken_on`` a date (or YYYY-MM-DD), not in the future; ``result`` at most
    64 printable characters. Idempotent: the same values again change
    nothing and write no audit entry. ``dry_run`` checks everything and says what would happen, writing nothing.

    Raises:
        UnknownRecognition: the program has no recognition with that id.
        NotAllowedToRecord: ``recorded_by`` may not record this recognition's conditions (checked before the rest).
        InvalidCondition: a value is refused (``errors`` by field).
    """
    if source not in CONDITION_SOURCES:
        raise ValueError(f"unknown source {source!r}")
    recognition = find_recognition(program_id, recognition_id)
    if not may_record(recorded_by, recognition):
        raise NotAllowedToRecord(f"user {getattr(recorded_by, 'pk', None)} for recognition {recognition.pk}")
    row = {"user": learner, "course_key": course_key, "passed": passed, "taken_on": taken_on, "result": result}
    values, errors = check_condition(recognition, row, find_learners([learner]), covered_courses(recognition))
    if values is None:
        raise InvalidCondition(errors)
    username = get_user_model().objects.values_list("username", flat=True).get(pk=values.user_id)
    if dry_run:
        return ConditionRecorded(_info(recognition, values, username=username, recorded_by=recorded_by.username,
                                       recorded_at=timezone.now()), _outcome(recognition, values))
    with transaction.atomic():
        outcome, stored, created = _record(recognition, values, recorded_by=recorded_by, source=source)
        if created:
            after_commit([award.pk for award in created])
    info = _info(recognition, values, username=username, recorded_at=stored.recorded_at,
                 recorded_by=stored.recorded_by.username if stored.recorded_by_id else None)
    return ConditionRecorded(info, outcome, tuple(str(award.uuid) for award in created))


def record_conditions(rows: Iterable[tuple[int, Mapping[str, object]]], *, recorded_by: Any, source: str = "csv",
                      dry_run: bool = False) -> ConditionsReport:
    """
    Record a file's conditions: every row checked first, then all of them stored in one transaction, or none.

    ``rows`` are (row number, the row by :data:`CONDITION_COLUMNS`). Each refused row is named with each refused
    column ("row 3, column taken_on: ..."); with any, nothing is stored. At most :data:`MAX_CONDITION_ROWS` rows.
    Idempotent, row by row as :func:`record_condition`: a file recorded again changes nothing.
    """
    rows = list(rows)
    report = ConditionsReport(rows=len(rows), dry_run=dry_run)
    if len(rows) > MAX_CONDITION_ROWS:
        report.errors.append(str(_("more than %(count)d rows: split the file") % {"count": MAX_CONDITION_ROWS}))
        return report
    check = FileCheck(recorded_by, [row.get("user") for _number, row in rows])
    checked = [found for number, row in rows if (found := check.row(number, row)) is not None]
    report.errors, report.unchanged = check.errors, check.repeated
    if report.errors:
        return report
    if dry_run:
        for recognition, values in checked:
            outcome = _outcome(recognition, values)
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report
    with transaction.atomic():
        awarded: list[int] = []
        for recognition, values in checked:
            outcome, _stored, created = _record(recognition, values, recorded_by=recorded_by, source=source)
            setattr(report, outcome, getattr(report, outcome) + 1)
            awarded += [award.pk for award in created]
        if awarded:
            after_commit(awarded)
    report.awarded = len(awarded)
    return report


def list_conditions(*, program_id: str, recognition_id: str, viewer: Any, offset: int = 0,
                    limit: int = 100) -> tuple[int, list[ConditionInfo]]:
    """
    A recognition's recorded conditions, latest first, for someone who may record them: (how many, the page).

    At most :data:`MAX_LISTED_CONDITIONS` per page. Raises as :func:`record_condition` (UnknownRecognition,
    NotAllowedToRecord).
    """
    recognition = find_recognition(program_id, recognition_id)
    if not may_record(viewer, recognition):
        raise NotAllowedToRecord(f"user {getattr(viewer, 'pk', None)} for recognition {recognition.pk}")
    offset, limit = max(0, offset), max(1, min(limit, MAX_LISTED_CONDITIONS))
    queryset = RecognitionCondition.objects.filter(recognition=recognition).select_related(
        "user", "recorded_by").order_by("-recorded_at", "-pk")
    page = [_info(recognition, CheckedCondition(user_id=row.user_id, course_key=row.course_key or None,
                                                passed=row.passed, taken_on=row.taken_on, result=row.result),
                  username=row.user.username, recorded_by=row.recorded_by.username if row.recorded_by else None,
                  recorded_at=row.recorded_at)
            for row in queryset[offset:offset + limit]]
    return queryset.count(), page

