"""
What one programme owes one learner.

Its course awards (a capstone's last, where the programme says so), the recognitions of outside bodies, the
micro-degree, and the recognitions of the whole programme.

Pure functions over plain data. The event path decides one course at a time with the same functions
(:func:`due_recognitions`, :func:`capstone_ready`); :func:`program_awards_due` is the whole decision for one
programme, which the property tests drive to its fixpoint.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from decimal import Decimal

from ..data import (
    ACHIEVEMENT,
    DEGREE,
    PARTICIPATION,
    RECOGNITION,
    AwardDue,
    CourseRule,
    LearnerState,
    RecognitionRule,
    slot,
)
from . import due_course_awards, meets, to_share
from .tree import AllOf, holds

__all__ = ["ProgramRule", "ThresholdSlot", "capstone_ready", "due_recognitions", "lowest_thresholds",
           "program_awards_due", "program_recognitions_due", "threshold_slots"]

# What a learner holds, by place: (course key, or "" for the programme itself; the award's slot).
Held = Set[tuple[str, str]]
# The recognitions' conditions a learner passed: (the recognition's pk, the course key, or "" for a programme's).
Passed = Set[tuple[int, str]]


@dataclass(frozen=True)
class ProgramRule:
    """
    Everything that decides a programme's awards.

    Attributes:
        id (str): the programme's id.
        courses (tuple[CourseRule, ...]): every course of the programme: required, elective and capstone.
        tree (AllOf): the requirement tree the degree needs.
        capstone (str): the key of the course whose record comes last ("": none, or its order not enforced).
        recognitions (tuple[RecognitionRule, ...]): the outside bodies' rules, for courses and for the programme.
    """

    id: str
    courses: tuple[CourseRule, ...]
    tree: AllOf
    capstone: str = ""
    recognitions: tuple[RecognitionRule, ...] = field(default=())


def capstone_ready(tree: AllOf, capstone: str, achieved: Iterable[str], degrees: Iterable[str]) -> bool:
    """Whether a capstone taken last may now be earned: every other requirement of the programme holds."""
    return holds(tree, {*achieved, capstone}, degrees)


@dataclass(frozen=True)
class ThresholdSlot:
    """
    An award of a course that one measure decides alone: due, unless held, when the measure meets the threshold.

    Attributes:
        kind (str): participation, achievement or recognition.
        rule (str): the recognition's id ("" for the platform's own awards).
        measure (str): ``best_percent`` or ``best_completion``: the state's field that decides it, and its evidence.
        threshold (Decimal): the threshold it must meet.
    """

    kind: str
    rule: str
    measure: str
    threshold: Decimal


def threshold_slots(course: CourseRule, recognitions: Iterable[RecognitionRule]
                    ) -> tuple[ThresholdSlot, ...] | None:
    """
    A course's awards as thresholds on one measure each: the rules as data, for a database to apply to many states.

    An award of a slot not held is due exactly when :func:`due_course_awards` and :func:`due_recognitions` say so
    (a property test holds them to it). None when an award of the course needs more than a threshold: a recorded
    condition (an on-site exam). A capstone taken last is the caller's to leave out (it waits for the programme).
    """
    if course.planned:
        return ()
    slots = [ThresholdSlot(PARTICIPATION, "", "best_completion", course.participation_threshold),
             ThresholdSlot(ACHIEVEMENT, "", "best_percent", course.achievement_threshold)]
    for rec in recognitions:
        if not rec.course_key or rec.threshold is None:
            continue
        if rec.needs_condition:
            return None
        slots.append(ThresholdSlot(RECOGNITION, rec.rule, "best_percent", rec.threshold))
    return tuple(slots)


def lowest_thresholds(courses: Iterable[tuple[CourseRule, Iterable[RecognitionRule]]]
                      ) -> tuple[Decimal | None, Decimal | None]:
    """
    ``(grade, completion)``: the lowest shares at which any of these courses' awards can be due, None for none.

    A state below both earns nothing here (:func:`due_course_awards`, :func:`due_recognitions`), whatever it holds,
    so a caller may leave such states undecided (the backfill reads only the states at or above either).
    """
    grades: list[Decimal] = []
    completions: list[Decimal] = []
    for course, recognitions in courses:
        if course.planned:
            continue
        grades.append(course.achievement_threshold)
        completions.append(course.participation_threshold)
        grades += [rec.threshold for rec in recognitions if rec.course_key and rec.threshold is not None]
    return (min(grades) if grades else None), (min(completions) if completions else None)


def due_recognitions(recognitions: Iterable[RecognitionRule], state: LearnerState, *, held: Set[str],
                     conditions: Passed) -> list[AwardDue]:
    """
    The course recognitions now due from a learner's state in that course, and not yet held.

    Each is decided by its own body's threshold against the best grade seen, and by its condition, when it has
    one, recorded as passed for that course (``conditions``). Programme recognitions (no course)
    are not decided here.
    """
    due = []
    for rec in recognitions:
        if not rec.course_key or rec.threshold is None or slot(RECOGNITION, rec.rule) in held:
            continue
        if rec.needs_condition and (rec.pk, rec.course_key) not in conditions:
            continue
        if meets(state.best_percent, rec.threshold):
            assert state.best_percent is not None
            due.append(AwardDue(RECOGNITION, to_share(state.best_percent), rec.threshold, rule=rec.rule))
    return due


def program_recognitions_due(program: ProgramRule, *, grades: Mapping[str, Decimal | None], achieved: Set[str],
                             degrees: Set[str], held: Set[str], conditions: Passed) -> list[AwardDue]:
    """
    The recognitions of the whole programme now due: the learner holds its degree, and its condition is recorded.

    A programme recognition with a threshold of its own needs the requirement tree to hold with only the courses
    whose best grade meets that threshold (a body recognising the degree at 70 % asks 70 % of every course the
    degree counts); its evidence is the lowest of those grades.
    """
    if program.id not in degrees:
        return []
    due = []
    for rec in program.recognitions:
        if rec.course_key or slot(RECOGNITION, rec.rule) in held:
            continue
        if rec.needs_condition and (rec.pk, rec.course_key) not in conditions:
            continue
        if rec.threshold is None:
            due.append(AwardDue(RECOGNITION, None, None, rule=rec.rule))
            continue
        counted = {key for key in achieved if meets(grades.get(key), rec.threshold)}
        if holds(program.tree, counted, degrees):
            lowest = min(to_share(grades[key]) for key in counted if grades.get(key) is not None)
            due.append(AwardDue(RECOGNITION, lowest, rec.threshold, rule=rec.rule))
    return due


def program_awards_due(program: ProgramRule, states: Mapping[str, LearnerState], held: Held, *,
                       conditions: Passed = frozenset(), degrees: Set[str] = frozenset()
                       ) -> list[tuple[str, AwardDue]]:
    """
    Every award of one programme now due to a learner and not yet held, each with its place (course key or "").

    ``held`` the learner's awards in this programme by place and slot (revoked ones included: they are not
    issued again), ``degrees`` the programmes whose degree the learner validly holds. Achievement records count
    for the degree only when held and valid; here, those in ``held`` are taken as valid.
    """
    slots: dict[str, set[str]] = {}
    for place, what in held:
        slots.setdefault(place, set()).add(what)
    due: list[tuple[str, AwardDue]] = []
    achieved = {place for place, what in held if what == ACHIEVEMENT}
    capstone = next((course for course in program.courses if course.course_key == program.capstone), None)
    for course in program.courses:
        if course is capstone:
            continue
        state = states.get(course.course_key, LearnerState())
        _course_dues(program, course, state, slots.get(course.course_key, set()), conditions=conditions, due=due,
                     achieved=achieved)
    if capstone is not None:
        state = states.get(capstone.course_key, LearnerState())
        held_here = set(slots.get(capstone.course_key, set()))
        if not capstone_ready(program.tree, capstone.course_key, achieved, degrees):
            held_here.add(ACHIEVEMENT)  # not yet: the record waits until the rest holds
        _course_dues(program, capstone, state, held_here, conditions=conditions, due=due, achieved=achieved)
    holding = set(degrees)
    if DEGREE not in slots.get("", set()) and holds(program.tree, achieved, degrees):
        due.append(("", AwardDue(DEGREE, None, None)))
        holding.add(program.id)
    elif DEGREE in slots.get("", set()):
        holding.add(program.id)
    grades = {key: state.best_percent for key, state in states.items()}
    for award in program_recognitions_due(program, grades=grades, achieved=achieved, degrees=holding,
                                          held=slots.get("", set()), conditions=conditions):
        due.append(("", award))
    return due


def _course_dues(program: ProgramRule, course: CourseRule, state: LearnerState, held: set[str], *,
                 conditions: Passed, due: list[tuple[str, AwardDue]], achieved: set[str]) -> None:
    for award in due_course_awards(course, state, held):
        due.append((course.course_key, award))
        if award.kind == ACHIEVEMENT:
            achieved.add(course.course_key)
    if course.planned:
        return
    mine = [rec for rec in program.recognitions if rec.course_key == course.course_key]
    for award in due_recognitions(mine, state, held=held, conditions=conditions):
        due.append((course.course_key, award))
