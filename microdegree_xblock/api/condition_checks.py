"""
The checks of a recognition's condition to record: who may record it, and each value, field by field.

What :mod:`.conditions` records (from the admin, a CSV file or the REST endpoint) passes these first; each refused
value is named by its field (the CSV column, the JSON key) with its problem, translated.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from ..catalog import compared_course_key
from ..exceptions import UnknownRecognition
from ..models import ConditionRecorder, Program, Recognition, RecognitionCondition

__all__ = ["CONDITION_COLUMNS", "RECORD_ANY_PERMISSION", "CheckedCondition", "check_condition", "covered_courses",
           "FileCheck", "find_learners", "find_recognition", "may_record", "recordable_recognitions", "show"]

RECORD_ANY_PERMISSION = "microdegree.record_any_condition"
# A file's columns, in the order its errors are named.
CONDITION_COLUMNS = ("program", "recognition", "user", "course_key", "passed", "taken_on", "result")
_RESULT_LENGTH = RecognitionCondition._meta.get_field("result").max_length or 64
_TRUE, _FALSE = frozenset({"true", "yes", "1"}), frozenset({"false", "no", "0"})
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The digits of the largest user id (a 64-bit integer); the longest quote of a value in a message.
_ID_DIGITS = 19
_SHOWN = 80


@dataclass(frozen=True)
class CheckedCondition:
    """A condition's checked values; ``course_key`` the program course's stored key, None for a whole program."""

    user_id: int
    course_key: CourseKey | None
    passed: bool
    taken_on: date
    result: str


def may_record(user: Any, recognition: Recognition) -> bool:
    """Whether the user may record this recognition's conditions: a superuser, the permission, or its body's staff."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.has_perm(RECORD_ANY_PERMISSION):
        return True
    return ConditionRecorder.objects.filter(issuer_id=recognition.issuer_id, user_id=user.pk).exists()


def recordable_recognitions(user: Any) -> QuerySet[Recognition]:
    """The recognitions with a condition whose conditions the user may record (the admin's choices and lists)."""
    queryset = Recognition.objects.exclude(condition="").select_related("program", "issuer").order_by(
        "program__slug", "order", "pk")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser or user.has_perm(RECORD_ANY_PERMISSION):
        return queryset
    return queryset.filter(issuer__recorders__user_id=user.pk)


def find_recognition(program_id: object, recognition_id: object) -> Recognition:
    """The recognition with this id in the program with this id (its program and body selected)."""
    found = None
    if isinstance(program_id, str) and isinstance(recognition_id, str):
        found = Recognition.objects.select_related("program", "issuer").filter(
            program__slug=program_id, slug=recognition_id).first()
    if found is None:
        raise UnknownRecognition(f"no recognition {recognition_id!r} in program {program_id!r}")
    return found


def find_learners(values: Iterable[object]) -> dict[object, int]:
    """
    The learners named by username or user id, in two queries: a username first, then a number as a user id.

    A text that is some user's username is that user, even when it is all digits; otherwise digits are a user id.
    """
    values = list(values)
    names = {value.strip() for value in values if isinstance(value, str) and value.strip()}
    ids = {value for value in values if isinstance(value, int) and not isinstance(value, bool)}
    users = get_user_model().objects
    found: dict[object, int] = dict(users.filter(username__in=names).values_list("username", "pk")) if names else {}
    numbers = {name: int(name) for name in names - found.keys()
               if name.isascii() and name.isdigit() and len(name) <= _ID_DIGITS}
    wanted = ids | set(numbers.values())
    known = set(users.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
    found.update({name: pk for name, pk in numbers.items() if pk in known})
    found.update({pk: pk for pk in ids if pk in known})
    return found


def show(value: object) -> str:
    """A value as an error message quotes it: at most 80 characters of its ``repr``."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


def _learner(value: object, learners: Mapping[object, int], errors: dict[str, str]) -> int | None:
    key = value.strip() if isinstance(value, str) else value
    if key is None or key == "":
        errors["user"] = str(_("required: the learner's username or user id"))
    elif not isinstance(key, (str, int)) or isinstance(key, bool) or key not in learners:
        errors["user"] = str(_("no user with the username or id %(user)s") % {"user": show(value)})
    else:
        return learners[key]
    return None


def _course(recognition: Recognition, value: object, covered: Mapping[str, CourseKey],
            errors: dict[str, str]) -> CourseKey | None:
    text = str(value).strip() if isinstance(value, (str, CourseKey)) else value
    if text is None or text == "":
        if not recognition.whole_program:
            errors["course_key"] = str(_("required: the course the condition is about"))
        return None
    if recognition.whole_program:
        errors["course_key"] = str(_("empty: this is a recognition of the whole program"))
        return None
    try:
        parsed = CourseKey.from_string(text) if isinstance(text, str) else None
    except InvalidKeyError:
        parsed = None
    if parsed is None:
        errors["course_key"] = str(_("%(value)s is not a course key") % {"value": show(text)})
        return None
    if (stored := covered.get(compared_course_key(str(parsed)))) is None:
        errors["course_key"] = str(_("%(course)s is not a course of this recognition") % {"course": parsed})
    return stored


def _passed(value: object, errors: dict[str, str]) -> bool:
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    errors["passed"] = str(_("true or false (also yes/no, 1/0)"))
    return False


def _taken_on(value: object, errors: dict[str, str]) -> date:
    taken = value if isinstance(value, date) and not isinstance(value, datetime) else None
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            taken = date.fromisoformat(value.strip())
        except ValueError:
            taken = None
    if taken is None:
        errors["taken_on"] = str(_("a date, YYYY-MM-DD"))
    elif taken > timezone.localdate():
        errors["taken_on"] = str(_("%(date)s is in the future") % {"date": taken.isoformat()})
    return taken or date.min


def _result(value: object, errors: dict[str, str]) -> str:
    text = "" if value is None else value.strip() if isinstance(value, str) else None
    if text is None:
        errors["result"] = str(_("a text"))
    elif len(text) > _RESULT_LENGTH:
        errors["result"] = str(_("at most %(count)d characters") % {"count": _RESULT_LENGTH})
    elif not text.isprintable():
        errors["result"] = str(_("printable characters only (no line breaks or control characters)"))
    return text or ""


def covered_courses(recognition: Recognition) -> dict[str, CourseKey]:
    """The courses a course recognition covers, by compared key (as the catalog compares keys)."""
    courses = recognition.program.courses.all() if recognition.all_courses else recognition.courses.all()
    return {compared_course_key(str(course.course_key)): course.course_key for course in courses
            if course.course_key is not None}


def check_condition(recognition: Recognition, row: Mapping[str, object], learners: Mapping[object, int],
                    covered: Mapping[str, CourseKey]) -> tuple[CheckedCondition | None, dict[str, str]]:
    """A condition's values checked (``row`` by the column names), or the problem of each field."""
    errors: dict[str, str] = {}
    if not recognition.condition:
        errors["recognition"] = str(_("this recognition has no condition to record"))
    user_id = _learner(row.get("user"), learners, errors)
    course_key = _course(recognition, row.get("course_key"), covered, errors)
    values = CheckedCondition(user_id=user_id or 0, course_key=course_key, passed=_passed(row.get("passed"), errors),
                              taken_on=_taken_on(row.get("taken_on"), errors),
                              result=_result(row.get("result"), errors))
    return (None if errors else values), errors


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


class FileCheck:
    """
    A file's rows checked one by one, with what the rows share looked up once (learners, recognitions, rights).

    ``errors`` every refused row's problems, column by column ("row 3, column taken_on: ..."); ``repeated`` how
    many rows repeat an earlier row exactly (recorded once). A row naming the same learner, recognition and course
    as an earlier one with other values is refused: which is meant is not for the file's order to decide.
    """

    def __init__(self, recorded_by: Any, learners: Iterable[object]) -> None:
        self.recorded_by = recorded_by
        self.learners = find_learners(learners)
        self.programs = set(Program.objects.values_list("slug", flat=True))
        self.recognitions: dict[tuple[str, str], Recognition | None] = {}
        self.allowed: dict[int, bool] = {}
        self.covered: dict[int, dict[str, CourseKey]] = {}
        self.seen: dict[tuple[int, int, str], tuple[int, CheckedCondition]] = {}
        self.errors: list[str] = []
        self.repeated = 0

    def _recognition(self, program_id: str, recognition_id: str) -> Recognition | None:
        if (program_id, recognition_id) not in self.recognitions:
            try:
                self.recognitions[(program_id, recognition_id)] = find_recognition(program_id, recognition_id)
            except UnknownRecognition:
                self.recognitions[(program_id, recognition_id)] = None
        return self.recognitions[(program_id, recognition_id)]

    def _checked(self, row: Mapping[str, object], errors: dict[str, str]
                 ) -> tuple[Recognition | None, CheckedCondition | None]:
        program_id, recognition_id = _text(row.get("program")), _text(row.get("recognition"))
        recognition = self._recognition(program_id, recognition_id)
        if program_id not in self.programs:
            errors["program"] = str(_("no program with the id %(id)s") % {"id": show(program_id)})
        elif recognition is None:
            errors["recognition"] = str(_("program %(program)s has no recognition %(id)s") % {
                "program": program_id, "id": show(recognition_id)})
        elif not self.allowed.setdefault(recognition.issuer_id, may_record(self.recorded_by, recognition)):
            errors["recognition"] = str(_("you may not record the conditions of %(body)s") % {
                "body": recognition.issuer.name})
        else:
            if recognition.pk not in self.covered:
                self.covered[recognition.pk] = covered_courses(recognition)
            values, found = check_condition(recognition, row, self.learners, self.covered[recognition.pk])
            errors.update(found)
            return recognition, values
        return None, None

    def row(self, number: int, row: Mapping[str, object]) -> tuple[Recognition, CheckedCondition] | None:
        """One row checked: its recognition and values, or None (refused, its errors kept; or a repeat)."""
        errors: dict[str, str] = {}
        recognition, values = self._checked(row, errors)
        if recognition is not None and values is not None:
            key = (recognition.pk, values.user_id, str(values.course_key))
            if key not in self.seen:
                self.seen[key] = (number, values)
                return recognition, values
            if self.seen[key][1] == values:
                self.repeated += 1
                return None
            errors["user"] = str(_("the same learner and course as row %(row)d, with other values") % {
                "row": self.seen[key][0]})
        for column in sorted(errors, key=CONDITION_COLUMNS.index):
            self.errors.append(str(_("row %(row)d, column %(column)s: %(problem)s") % {
                "row": number, "column": column, "problem": errors[column]}))
        return None
