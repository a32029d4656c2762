"""
The learner's side, read only: progress toward every program, and the awards held.

One implementation behind the REST progress API, the XBlock panel and the achievements page. A programme's progress
follows its requirement tree (docs/decisions/0040): its required courses, elective groups ("1 of 2 chosen"), a
capstone taken last, the programmes it requires (each a node with its own progress); per course, every recognition
of an outside body it can bring with the learner's standing against each; the credits earned per unit.
"""
from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from .. import conf, rules
from ..data import (
    ACHIEVEMENT,
    COURSE_NODE,
    DEGREE,
    EARNED,
    GROUP_NODE,
    MET,
    MISSING,
    NOT_PASSED,
    NOT_RECORDED,
    PARTICIPATION,
    PASSED,
    PLANNED,
    PROGRAM_NODE,
    RECOGNITION,
    AwardInfo,
    CourseInfo,
    CourseProgress,
    CreditTotal,
    LearnerState,
    ProgramInfo,
    ProgramProgress,
    RecognitionInfo,
    RecognitionStanding,
    RecordedCondition,
    RequirementProgress,
)
from ..models import (
    Award,
    LearnerCourseState,
    Program,
    ProgramCourse,
    ProgramIssuer,
    ProgramStep,
    Recognition,
    RecognitionCondition,
)
from ..rules.programs import capstone_ready
from ..rules.tree import AllOf, AnyOf, Course, Degree, Node, holds
from ._internal import award_info, award_row, course_info, issuer_info

__all__ = ["get_award", "get_learner_awards", "get_learner_progress"]

# An award's place in a learner's progress: (program id, course key or "" for the programme, kind, rule).
AwardSlot = tuple[str, str, str, str]


def get_learner_awards(*, user_id: int) -> list[AwardInfo]:
    """Every award of a learner, revoked ones included, oldest first (one query)."""
    awards = Award.objects.filter(user_id=user_id).select_related("program").order_by("issued_at", "id")
    return [award_info(award) for award in awards]


def get_award(award_id: str | uuid.UUID) -> AwardInfo:
    """
    One award by its public id.

    Raises:
        UnknownAward: if the id is malformed or no award has it.
    """
    return award_info(award_row(award_id))


@dataclass
class _Read:
    """What the fixed queries read: the stored programmes and the learner's records, by what looks them up."""

    programs: dict[str, Program]
    infos: dict[str, ProgramInfo]
    steps: dict[str, list[str]]
    recognition_courses: dict[int, set[int]]
    states: dict[str, LearnerState] = field(default_factory=dict)
    awards: dict[AwardSlot, AwardInfo] = field(default_factory=dict)
    held: Counter[tuple[str, str]] = field(default_factory=Counter)  # valid recognition awards by (program, rule)
    conditions: dict[tuple[int, str], RecordedCondition] = field(default_factory=dict)
    degrees: set[str] = field(default_factory=set)
    done: dict[str, ProgramProgress] = field(default_factory=dict)


def _closure(program_ids: Iterable[str], steps: dict[str, list[str]]) -> set[str]:
    """The programmes and every programme they require, at any depth."""
    folded = {slug.casefold(): inner for slug, inner in steps.items()}  # as a case-insensitive collation finds them
    found, todo = set(), list(program_ids)
    while todo:
        slug = todo.pop()
        if slug not in found:
            found.add(slug)
            todo.extend(folded.get(slug.casefold(), ()))
    return found


def _read_catalog(program_id: str | None) -> _Read | None:
    """The programmes (all, or one and those it requires) with their structure: six queries whatever their number."""
    steps: dict[str, list[str]] = defaultdict(list)
    for outer, inner in ProgramStep.objects.order_by("order", "id").values_list("program__slug", "required__slug"):
        steps[outer].append(inner)
    queryset = Program.objects.prefetch_related(
        Prefetch("program_issuers", queryset=ProgramIssuer.objects.select_related("issuer")),
        Prefetch("courses", queryset=ProgramCourse.objects.select_related("group").order_by("order", "id")),
        Prefetch("recognitions", queryset=Recognition.objects.select_related("issuer").order_by("order", "id")),
    ).order_by("title", "slug")
    if program_id is not None:
        queryset = queryset.filter(slug__in=sorted(_closure([program_id], steps)))
    programs = {program.slug: program for program in queryset}
    if not programs:
        return None
    chosen: dict[int, set[int]] = defaultdict(set)
    for rec_pk, course_pk in Recognition.courses.through.objects.filter(
            recognition__program__in=[p.pk for p in programs.values()]).values_list("recognition_id",
                                                                                   "programcourse_id"):
        chosen[rec_pk].add(course_pk)
    defaults = conf.default_thresholds()
    infos = {slug: ProgramInfo(
        id=slug, title=program.title, description=program.description,
        issuers=tuple(issuer_info(link.issuer) for link in program.program_issuers.all()),
        courses=tuple(course_info(course, defaults) for course in program.courses.all()),
    ) for slug, program in programs.items()}
    return _Read(programs=programs, infos=infos, steps=steps, recognition_courses=chosen)


def _read_learner(read: _Read, user_id: int) -> None:
    """The learner's course states, valid awards and recorded conditions in these programmes: three queries."""
    keys = {course.course_key for info in read.infos.values() for course in info.courses}
    for row in LearnerCourseState.objects.filter(user_id=user_id, course_key__in=sorted(keys)):
        read.states[str(row.course_key)] = LearnerState(best_percent=row.best_percent,
                                                        best_completion=row.best_completion)
    slugs = list(read.programs)
    for award in (Award.objects.filter(user_id=user_id, program__slug__in=slugs, revoked_at__isnull=True)
                  .select_related("program")):
        info = award_info(award)
        read.awards[(info.program_id, info.course_key or "", info.kind, info.rule)] = info
        if info.kind == RECOGNITION:
            read.held[(info.program_id, info.rule)] += 1
        elif info.kind == DEGREE:
            read.degrees.add(info.program_id)
    for rec_pk, key, passed, result, taken_on in RecognitionCondition.objects.filter(
            user_id=user_id, recognition__program__slug__in=slugs).values_list(
            "recognition_id", "course_key", "passed", "result", "taken_on"):
        read.conditions[(rec_pk, str(key) if key else "")] = RecordedCondition(passed, result, taken_on)


def _tree(read: _Read, program: Program) -> AllOf:
    """The programme's requirement tree, as :func:`..structure.tree_of` builds it, from what was read."""
    rows = list(program.courses.all())
    groups = sorted({row.group for row in rows if row.group is not None}, key=lambda g: (g.order, g.pk))

    def course(row: ProgramCourse) -> Course:
        return Course(key=str(row.course_key), hours=row.hours, planned=row.planned)

    return AllOf(id=program.slug, items=(
        *(course(row) for row in rows if row.group_id is None),
        *(AnyOf(id=g.slug, choose=g.choose, items=tuple(course(row) for row in rows if row.group_id == g.pk))
          for g in groups),
        *(Degree(program_id=slug) for slug in read.steps.get(program.slug, ())),
    ))


def _recognition(rec: Recognition) -> RecognitionInfo:
    return RecognitionInfo(id=rec.slug, title=rec.title or rec.issuer.name, issuer=issuer_info(rec.issuer),
                           whole_program=rec.whole_program, condition=rec.condition,
                           credit_amount=rec.credit_amount, credit_unit=rec.credit_unit)


def _condition(read: _Read, rec: Recognition, course_key: str) -> tuple[str, RecordedCondition | None]:
    if not rec.condition:
        return "", None
    recorded = read.conditions.get((rec.pk, course_key))
    if recorded is None:
        return NOT_RECORDED, None
    return (PASSED if recorded.passed else NOT_PASSED), recorded


def _course_standings(read: _Read, program: Program, row: ProgramCourse, course: CourseInfo,
                      percent: Decimal | None) -> tuple[RecognitionStanding, ...]:
    """The recognitions a course can bring, with the learner's standing against each."""
    standings = []
    for rec in program.recognitions.all():
        if rec.whole_program or not (rec.all_courses or row.pk in read.recognition_courses.get(rec.pk, ())):
            continue
        threshold = course.achievement_threshold if rec.threshold is None else rules.to_share(rec.threshold)
        grade_met = rules.meets(percent, threshold)
        condition_status, recorded = _condition(read, rec, course.course_key)
        award = read.awards.get((program.slug, course.course_key, RECOGNITION, rec.slug))
        if award is not None:
            status = EARNED
        elif course.planned:
            status = PLANNED
        else:
            status = MET if grade_met and condition_status in ("", PASSED) else MISSING
        standings.append(RecognitionStanding(
            recognition=_recognition(rec), status=status, threshold=threshold, percent=percent, grade_met=grade_met,
            condition_status=condition_status, condition=recorded, degree_met=None, award=award))
    return tuple(standings)


def _program_standings(read: _Read, program: Program, tree: AllOf, achieved: set[str]) -> tuple[RecognitionStanding,
                                                                                                 ...]:
    """The recognitions of the whole programme: the degree held, every counted course at that body's threshold."""
    standings = []
    degree_met = program.slug in read.degrees
    for rec in program.recognitions.all():
        if not rec.whole_program:
            continue
        threshold = None if rec.threshold is None else rules.to_share(rec.threshold)
        grade_met = threshold is None or holds(tree, {key for key in achieved if rules.meets(
            read.states.get(key, LearnerState()).best_percent, threshold)}, read.degrees)
        condition_status, recorded = _condition(read, rec, "")
        award = read.awards.get((program.slug, "", RECOGNITION, rec.slug))
        met = degree_met and grade_met and condition_status in ("", PASSED)
        standings.append(RecognitionStanding(
            recognition=_recognition(rec), status=EARNED if award else MET if met else MISSING, threshold=threshold,
            percent=None, grade_met=grade_met, condition_status=condition_status, condition=recorded,
            degree_met=degree_met, award=award))
    return tuple(standings)


def _credits(read: _Read, program: Program) -> tuple[CreditTotal, ...]:
    """The credits of the valid recognition awards held in the programme, summed per unit (in recognition order)."""
    totals: dict[str, Decimal] = {}
    for rec in program.recognitions.all():
        count = read.held.get((program.slug, rec.slug), 0)
        if count and rec.credit_amount is not None:
            totals[rec.credit_unit] = totals.get(rec.credit_unit, Decimal(0)) + rec.credit_amount * count
    return tuple(CreditTotal(unit=unit, amount=amount) for unit, amount in totals.items())


def _courses(read: _Read, program: Program, tree: AllOf, achieved: set[str]) -> list[CourseProgress]:
    info = read.infos[program.slug]
    capstone = next((row for row in program.courses.all() if row.capstone), None)
    waits = (capstone is not None and program.capstone_last and str(capstone.course_key) not in achieved
             and not capstone_ready(tree, str(capstone.course_key), achieved, read.degrees))
    courses = []
    for row, course in zip(program.courses.all(), info.courses, strict=True):
        state = read.states.get(course.course_key)
        percent = state.best_percent if state else None
        achievement = read.awards.get((program.slug, course.course_key, ACHIEVEMENT, ""))
        courses.append(CourseProgress(
            course=course,
            status=rules.course_status(course.rule, state, achieved=achievement is not None),
            percent=percent,
            completion=state.best_completion if state else None,
            participation=read.awards.get((program.slug, course.course_key, PARTICIPATION, "")),
            achievement=achievement,
            group=row.group.slug if row.group is not None else "",
            capstone=row.capstone,
            waiting=row.capstone and waits,
            recognitions=_course_standings(read, program, row, course, percent),
        ))
    return courses


def _nodes(read: _Read, program: Program, tree: AllOf, courses: list[CourseProgress],
           path: frozenset[str]) -> list[RequirementProgress]:
    """The requirement tree's nodes with the learner's standing; a capstone taken last comes last."""
    by_key = {c.course.course_key: c for c in courses}

    def course(node: Course) -> RequirementProgress:
        progress = by_key[node.key]
        return RequirementProgress(kind=COURSE_NODE, met=progress.status == EARNED, course_key=node.key,
                                   capstone=progress.capstone, waiting=progress.waiting)

    def node_of(node: Node) -> RequirementProgress:
        if isinstance(node, Course):
            return course(node)
        if isinstance(node, AnyOf):
            items = tuple(course(item) for item in node.items if isinstance(item, Course))
            group = next(c.group for c in program.courses.all() if c.group is not None and c.group.slug == node.id)
            held = sum(item.met for item in items)
            return RequirementProgress(kind=GROUP_NODE, met=held >= node.choose, id=node.id, title=group.title,
                                       choose=node.choose, chosen=held, items=items)
        assert isinstance(node, Degree)
        inner = (_progress(read, node.program_id, path) if node.program_id in read.programs
                 and node.program_id not in path else None)
        return RequirementProgress(kind=PROGRAM_NODE, met=node.program_id in read.degrees, id=node.program_id,
                                   title=inner.program.title if inner else node.program_id, program=inner)

    nodes = [node_of(node) for node in tree.items]
    if program.capstone_last:
        nodes.sort(key=lambda node: node.capstone)  # stable: the rest keeps its order
    return nodes


def _next_course(nodes: list[RequirementProgress], courses: list[CourseProgress]) -> CourseInfo | None:
    """The first course on the remaining path that is neither earned nor planned (a nested programme's own next)."""
    by_key = {c.course.course_key: c for c in courses}
    for node in nodes:
        if node.met:
            continue
        if node.kind == PROGRAM_NODE:
            if node.program is not None and node.program.next_course is not None:
                return node.program.next_course
            continue
        for item in node.items or (node,):
            progress = by_key[item.course_key]
            if progress.status not in (EARNED, PLANNED):
                return progress.course
    return None


def _progress(read: _Read, slug: str, path: frozenset[str] = frozenset()) -> ProgramProgress:
    """One programme's progress (each programme built once: a nested one is the same object wherever it shows)."""
    if slug in read.done:
        return read.done[slug]
    program, info = read.programs[slug], read.infos[slug]
    tree = _tree(read, program)
    achieved = {course.course_key for course in info.courses
                if (slug, course.course_key, ACHIEVEMENT, "") in read.awards}
    courses = _courses(read, program, tree, achieved)
    nodes = _nodes(read, program, tree, courses, path | {slug})
    earned = [c for c in courses if c.status == EARNED]
    progress = ProgramProgress(
        program=info,
        courses=tuple(courses),
        earned_count=sum(min(node.chosen, node.choose) if node.kind == GROUP_NODE else int(node.met)
                         for node in nodes),
        required_count=sum(node.choose if node.kind == GROUP_NODE else 1 for node in nodes),
        hours_earned=sum((c.course.hours for c in earned), Decimal(0)),
        hours_total=info.hours_total,
        degree=read.awards.get((slug, "", DEGREE, "")),
        next_course=_next_course(nodes, courses),
        requirements=tuple(nodes),
        requirements_met=holds(tree, achieved, read.degrees),
        recognitions=_program_standings(read, program, tree, achieved),
        credits=_credits(read, program),
    )
    read.done[slug] = progress
    return progress


def get_learner_progress(*, user_id: int | None, program_id: str | None = None) -> list[ProgramProgress]:
    """
    A learner's progress in every program (or in one), in a constant number of queries (nine; six anonymous).

    The programme steps; the programmes, their issuers, courses (with their groups), recognitions (with their
    bodies) and the courses those name; the learner's course states, valid awards and recorded conditions. A
    programme's nested programmes are read with it and shown inside its progress. Revoked awards do not count as
    earned. ``user_id`` None (an anonymous visitor) gives every program with no progress. This is the one
    implementation behind the REST progress API, the XBlock panel and the learner's achievements page.
    """
    read = _read_catalog(program_id)
    if read is None:
        return []
    if user_id is not None:
        _read_learner(read, user_id)
    if program_id is not None:
        found = [slug for slug in read.programs if slug.casefold() == program_id.casefold()]
        return [_progress(read, slug) for slug in found if slug == program_id or len(found) == 1]
    return [_progress(read, slug) for slug in read.programs]
