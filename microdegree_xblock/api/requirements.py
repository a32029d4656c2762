"""
The awards a programme's requirement tree decides after commit (docs/decisions/0040).

A capstone's record once the rest holds, the degree's inputs, the recognitions of a whole programme.

The decisions are the pure rules' (:mod:`microdegree_xblock.rules.tree`, :mod:`microdegree_xblock.rules.programs`);
this module reads their inputs and inserts what they say is due, each award once (the unique key decides). The
callers (:mod:`.effects`, :mod:`.conditions`) run the work that follows after commit.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .. import conf
from ..data import ACHIEVEMENT, DEGREE, RECOGNITION, RecognitionRule, slot
from ..models import Award, LearnerCourseState, Program, ProgramCourse, ProgramStep, Recognition, RecognitionCondition
from ..rules import programs as program_rules
from ..rules import to_share
from ..rules.tree import AllOf, holds
from ._internal import NO_COURSE, course_info, insert_award, program_course_rows
from .awarding import due_awards, insert_awards, read_held
from .structure import programs_with_structure, tree_of

__all__ = ["achieved_and_degrees", "capstone_ready", "course_rules", "degree_due", "issue_capstone_if_ready",
           "issue_program_recognitions", "outer_program_pks", "program_tree"]

log = logging.getLogger(__name__)


def program_tree(program_pk: int) -> tuple[Program, AllOf]:
    """A programme and its requirement tree, by primary key (four queries)."""
    program = programs_with_structure().get(pk=program_pk)
    return program, tree_of(program)


def achieved_and_degrees(user_id: int, program_pk: int) -> tuple[set[str], set[str]]:
    """The learner's valid achievement records in a programme (course keys) and valid degrees (programme ids)."""
    achieved, degrees = set(), set()
    for key, kind, program_id, slug in Award.objects.filter(user_id=user_id, revoked_at__isnull=True).filter(
            kind__in=(ACHIEVEMENT, DEGREE)).values_list("course_key", "kind", "program_id", "program__slug"):
        if kind == DEGREE:
            degrees.add(slug)
        elif program_id == program_pk:
            achieved.add(str(key))
    return achieved, degrees


def capstone_ready(user_id: int, program_pk: int, capstone_key: str) -> bool:
    """Whether every requirement of a programme but its capstone holds for the learner (the capstone may come)."""
    _program, tree = program_tree(program_pk)
    achieved, degrees = achieved_and_degrees(user_id, program_pk)
    return program_rules.capstone_ready(tree, capstone_key, achieved, degrees)


def issue_capstone_if_ready(user_id: int, program_pk: int) -> list[Award]:
    """
    Issue the capstone's record of a programme that takes it last, once the rest holds, from the stored state.

    Under the lock of the learner's state in the capstone course, as every course award is inserted.
    """
    capstone = ProgramCourse.objects.filter(program_id=program_pk, capstone=True, program__capstone_last=True,
                                            planned=False).select_related("program").first()
    if capstone is None:
        return []
    if Award.objects.filter(user_id=user_id, program_id=program_pk, course_key=capstone.course_key,
                            kind=ACHIEVEMENT).exists():
        return []
    if not capstone_ready(user_id, program_pk, str(capstone.course_key)):
        return []
    rows = [row for row in program_course_rows(str(capstone.course_key)) if row.program_pk == program_pk]
    with transaction.atomic():
        state = LearnerCourseState.objects.select_for_update().filter(
            user_id=user_id, course_key=capstone.course_key).first()
        if state is None or not rows:
            return []
        held = read_held(user_id, str(capstone.course_key))
        due = [award for award in due_awards(state, rows, held, issued_at=timezone.now(), ready=lambda row: True)
               if award.kind == ACHIEVEMENT]
        created = insert_awards([Award(**award._asdict()) for award in due])
    if created:
        log.info("microdegree: capstone record issued to user %s in program %s", user_id, capstone.program.slug)
    return created


def _passed_conditions(user_id: int, recognitions: Iterable[RecognitionRule]) -> set[tuple[int, str]]:
    """The whole programme's recognitions whose condition the learner passed, as the rules take them."""
    wanted = [rec.pk for rec in recognitions if rec.needs_condition]
    if not wanted:
        return set()
    return {(pk, "") for pk in RecognitionCondition.objects.filter(
        user_id=user_id, recognition_id__in=wanted, course_key=NO_COURSE, passed=True,
    ).values_list("recognition_id", flat=True)}


def issue_program_recognitions(user_id: int, program_pk: int) -> list[Award]:
    """The recognitions of a whole programme now due (the learner holds its degree), issued once each."""
    recognitions = list(Recognition.objects.filter(program_id=program_pk, whole_program=True))
    if not recognitions:
        return []
    program, tree = program_tree(program_pk)
    rec_rules = tuple(RecognitionRule(pk=rec.pk, rule=rec.slug, course_key="",
                                      threshold=None if rec.threshold is None else to_share(rec.threshold),
                                      needs_condition=bool(rec.condition)) for rec in recognitions)
    achieved, degrees = achieved_and_degrees(user_id, program_pk)
    held = {slot(kind, rule) for kind, rule in Award.objects.filter(
        user_id=user_id, program_id=program_pk, kind=RECOGNITION, course_key=NO_COURSE).values_list("kind", "rule")}
    grades = dict(LearnerCourseState.objects.filter(user_id=user_id, course_key__in=[
        course.course_key for course in program.courses.all()]).values_list("course_key", "best_percent"))
    rule = program_rules.ProgramRule(id=program.slug, courses=(), tree=tree, recognitions=rec_rules)
    due = program_rules.program_recognitions_due(
        rule, grades={str(key): value for key, value in grades.items()}, achieved=achieved, degrees=degrees,
        held=held, conditions=_passed_conditions(user_id, rec_rules))
    created = []
    now = timezone.now()
    for award in due:
        row = Award(user_id=user_id, program_id=program_pk, course_key=None, kind=RECOGNITION, rule=award.rule,
                    issued_at=now, evidence_value=award.value, evidence_threshold=award.threshold,
                    evidence_event_type="microdegree.recognition.program")
        if insert_award(row):
            log.info("microdegree: recognition %s of program %s issued to user %s", award.rule, program.slug, user_id)
            created.append(row)
    return created


def outer_program_pks(program_pk: int) -> list[int]:
    """The programmes that require this one's micro-degree as a step."""
    return list(ProgramStep.objects.filter(required_id=program_pk).values_list("program_id", flat=True))


def degree_due(user_id: int, program_pk: int) -> bool:
    """Whether a programme's requirement tree holds for the learner (valid records and degrees only)."""
    _program, tree = program_tree(program_pk)
    achieved, degrees = achieved_and_degrees(user_id, program_pk)
    return holds(tree, achieved, degrees)


def course_rules(program: Program):  # type: ignore[no-untyped-def]
    """A stored programme's course rules, thresholds resolved against the platform's defaults."""
    defaults = conf.default_thresholds()
    return tuple(course_info(course, defaults).rule for course in program.courses.all())

