"""
What an award's credentials say, gathered from the database as plain data (``credentials.facts``).

The credential builders take these facts and never see a model. Used by the signing (after commit), the public
documents and pages, and the certificate. A recognition is described as its recognising body's credential
(docs/decisions/0040): that body issues it, under its own rule, threshold and condition, with its credits; a
degree's criteria say its whole requirement (the required courses, the elective groups, the nested micro-degrees,
the capstone).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal

from .. import compat, conf, rules
from ..credentials import links, ob3
from ..credentials.criteria import (
    CourseOutline,
    GroupOutline,
    ProgramOutline,
    criteria_text,
    recognition_texts,
    requirement_text,
    summary_text,
)
from ..credentials.facts import (
    AchievementFacts,
    AwardFacts,
    ConditionFacts,
    CreditFacts,
    EuElements,
    IssuerFacts,
    RecognitionFacts,
    StatusRef,
)
from ..data import ACHIEVEMENT, DEGREE, PARTICIPATION, RECOGNITION
from ..exceptions import UnknownBadge
from ..labels import kind_name
from ..models import (
    Award,
    Issuer,
    Program,
    ProgramCourse,
    ProgramGroup,
    ProgramStep,
    Recognition,
    RecognitionCondition,
    RecognitionConditionEntry,
)
from ..rules.tree import AllOf, AnyOf, Course, Degree, Node, hours_window
from ._internal import NO_COURSE, course_info, programs_with_courses, template_uuid
from .structure import programs_with_structure

__all__ = ["achievement_facts", "award_facts", "awarding_issuer", "badge_facts", "issuer_facts", "program_by_pk",
           "recognition_facts", "recognition_template_uuid"]

# Deeper than any catalog nests (the catalog refuses cycles): the criteria stop naming nested programmes there.
MAX_NESTING = 8


def issuer_facts(issuer: Issuer) -> IssuerFacts:
    """An issuer as credentials name it: with its did:web and its OB 2.0 profile URL."""
    root = conf.lms_root_url()
    return IssuerFacts(id=issuer.slug, name=issuer.name, url=issuer.url, email=issuer.email,
                       country=issuer.country, did=ob3.did_web(root, "microdegree", "issuers", issuer.slug),
                       ob2_url=links.ob2_issuer_url(root, issuer.slug))


def recognition_template_uuid(program_id: str, rule: str, course_key: str | None) -> str:
    """The badge template UUID of a recognition of a program course (or of the whole program): stable forever."""
    return template_uuid(program_id=program_id, kind=RECOGNITION, course_key=course_key, rule=rule)


def _eu(program: Program, kind: str) -> EuElements:
    defaults = {
        PARTICIPATION: "Completion of the course content online (no graded assessment)",
        ACHIEVEMENT: conf.assessment_type() or "Graded online assessments",
        DEGREE: "Graded online assessments in every course of the program",
    }
    return EuElements(
        learning_outcomes=tuple(line.strip() for line in program.learning_outcomes.splitlines() if line.strip()),
        eqf_level=program.eqf_level,
        participation_form=program.participation_form or conf.participation_form() or "online",
        assessment=(program.assessment_type if program.assessment_type and kind != PARTICIPATION
                    else defaults[kind]),
        quality_assurance=program.quality_assurance or conf.quality_assurance(),
    )


# ---------------------------------------------------------------------------------------------------------------
# A degree's requirement: the programme with its groups and the programmes it nests, read once


def _course(course: ProgramCourse) -> CourseOutline:
    return CourseOutline(title=course.title, hours=course.hours, ects=course.ects, planned=course.planned)


def _outline(program: Program, groups: Iterable[ProgramGroup], step_pks: list[int],
             seen: frozenset[int]) -> ProgramOutline:
    """A programme's requirement (its courses prefetched); the programmes it nests read four queries a level."""
    courses = list(program.courses.all())
    capstone = next((course for course in courses if course.capstone), None)
    wanted = [pk for pk in step_pks if pk not in seen] if len(seen) <= MAX_NESTING else []
    found = {p.pk: p for p in programs_with_structure().filter(pk__in=wanted)} if wanted else {}
    return ProgramOutline(
        id=program.slug, title=program.title,
        required=tuple(_course(c) for c in courses if c.group_id is None and c is not capstone),
        groups=tuple(GroupOutline(id=g.slug, title=g.title, choose=g.choose,
                                  courses=tuple(_course(c) for c in courses if c.group_id == g.pk))
                     for g in sorted(groups, key=lambda g: (g.order, g.pk))),
        nested=tuple(_outline(inner, inner.groups.all(), [step.required_id for step in inner.steps.all()],
                              seen | {inner.pk}) for inner in (found.get(pk) for pk in wanted) if inner is not None),
        capstone=_course(capstone) if capstone is not None else None, capstone_last=program.capstone_last,
    )


def _read_outline(program: Program) -> ProgramOutline:
    """A programme's requirement (its courses prefetched): one query more for a flat one, its steps."""
    groups = program.groups.all() if any(course.group_id for course in program.courses.all()) else ()
    steps = list(ProgramStep.objects.filter(program=program).order_by("order", "id")
                 .values_list("required_id", flat=True))
    return _outline(program, groups, steps, frozenset({program.pk}))


def _tree(outline: ProgramOutline, weight: Callable[[CourseOutline], Decimal]) -> tuple[AllOf, dict[str, AllOf]]:
    """The requirement tree weighted by ``weight`` (hours, ECTS), and the trees of the programmes it nests."""
    def course(c: CourseOutline) -> Course:
        return Course(key=c.title, hours=weight(c), planned=c.planned)

    items: list[Node] = [course(c) for c in (*outline.required, *([outline.capstone] if outline.capstone else []))]
    items += [AnyOf(id=g.id, choose=g.choose, items=tuple(course(c) for c in g.courses)) for g in outline.groups]
    items += [Degree(program_id=inner.id) for inner in outline.nested]
    trees: dict[str, AllOf] = {}
    for inner in outline.nested:
        trees[inner.id], deeper = _tree(inner, weight)
        trees.update(deeper)
    return AllOf(id=outline.id, items=tuple(items)), trees


def _workload(outline: ProgramOutline) -> tuple[Decimal, Decimal | None]:
    """A degree's hours and ECTS on its smallest valid path (every course, for a flat programme; ECTS if all have)."""
    every = outline.every_course()
    ects = (hours_window(*_tree(outline, lambda c: c.ects or Decimal(0)))[0]
            if every and all(course.ects is not None for course in every) else None)
    return hours_window(*_tree(outline, lambda c: c.hours))[0], ects


def _degree_facts(program: Program, issuers: tuple[IssuerFacts, ...], badge_url: str) -> AchievementFacts:
    outline = _read_outline(program)
    hours, ects = _workload(outline)
    description = program.description or f"{kind_name(DEGREE)} {program.title}."
    if summary := summary_text(outline):
        description = f"{description} {summary}"
    return AchievementFacts(
        template_id=template_uuid(program_id=program.slug, kind=DEGREE), kind=DEGREE, name=program.title,
        description=description, criteria=criteria_text(outline), program_title=program.title, course_key=None,
        hours=hours, ects=ects, threshold=None, issuers=issuers, eu=_eu(program, DEGREE), badgeclass_url=badge_url,
        image_url=program.badge_image_url or badge_url + "image/", requirement=requirement_text(outline),
    )


# ---------------------------------------------------------------------------------------------------------------
# A recognition: the recognising body's credential


def _program_issuers(program: Program) -> tuple[IssuerFacts, ...]:
    return tuple(issuer_facts(link.issuer) for link in program.program_issuers.all())


def awarding_issuer(award: Award, program: Program, recognition: Recognition | None = None) -> Issuer:
    """
    The body that issues an award's credentials (and whose status list holds it).

    A recognition's is its recognising body (once signed, the body of its status list, even if the recognition
    has left the catalog); every other award's is the program's lead issuer, or its status list's body.
    """
    if award.status_list_id is not None:
        return award.status_list.issuer  # type: ignore[union-attr]
    if award.kind == RECOGNITION:
        recognition = recognition or _recognition_row(program.pk, award.rule)
        if recognition is not None:
            return recognition.issuer
    return program.program_issuers.all()[0].issuer


def _recognition_row(program_pk: int, rule: str) -> Recognition | None:
    return Recognition.objects.select_related("issuer").filter(program_id=program_pk, slug=rule).first()


def _threshold(recognition: Recognition | None, course: ProgramCourse | None,
               applied: Decimal | None) -> Decimal | None:
    if recognition is None:
        return applied
    if recognition.threshold is not None:
        return rules.to_share(recognition.threshold)
    if course is not None:
        return course_info(course, conf.default_thresholds()).achievement_threshold
    return None


def recognition_facts(program: Program, rule: str, course: ProgramCourse | None, recognition: Recognition | None, *,
                      body: Issuer | None = None, applied: Decimal | None = None) -> AchievementFacts:
    """
    What a recognition of a program course (``course`` None: of the whole program) certifies: its body's BadgeClass.

    Issued by the recognising body alone. ``recognition`` None (it left the catalog after the award) describes it
    from the award: its ``body`` and the threshold ``applied``.

    Raises:
        UnknownBadge: no body to name (neither the recognition's nor ``body``, and no program issuer).
    """
    program_issuers = _program_issuers(program)
    found = recognition.issuer if recognition is not None else body
    issuer = issuer_facts(found) if found is not None else (program_issuers[0] if program_issuers else None)
    if issuer is None:
        raise UnknownBadge(f"recognition {rule!r} of {program.slug!r} has no body")
    course_key = str(course.course_key) if course is not None else None
    threshold = _threshold(recognition, course, applied)
    credits = (CreditFacts(recognition.credit_amount, recognition.credit_unit)
               if recognition is not None and recognition.credit_amount is not None else None)
    condition = recognition.condition if recognition is not None else ""
    title = recognition.title if recognition is not None else ""
    texts = recognition_texts(
        body=issuer.name, title=title, rule=rule, program=program.title,
        program_issuers=tuple(i.name for i in program_issuers),
        course=(course.title, course_key) if course is not None and course_key else None,
        threshold=ob3.percent_text(threshold) if threshold is not None else None, condition=condition,
        credits=credits)
    eu = _eu(program, ACHIEVEMENT if course is not None else DEGREE)
    if condition:
        eu = replace(eu, assessment=f"{eu.assessment}; {condition}")
    badge_url = links.badge_class_url(conf.lms_root_url(), program_id=program.slug, kind=RECOGNITION,
                                      course_key=course_key, rule=rule)
    hours = course.hours if course is not None else _workload(_read_outline(program))[0]
    return AchievementFacts(
        template_id=recognition_template_uuid(program.slug, rule, course_key), kind=RECOGNITION,
        name=texts.name, description=texts.description, criteria=texts.criteria, program_title=program.title,
        course_key=course_key, hours=hours, ects=None,
        threshold=threshold, issuers=(issuer,), eu=eu, badgeclass_url=badge_url, image_url=badge_url + "image/",
        recognition=RecognitionFacts(rule=rule, title=title, course_title=course.title if course else None,
                                     threshold=threshold, condition=condition, credits=credits,
                                     program_issuers=program_issuers),
    )


def _condition(award: Award, recognition: Recognition | None) -> ConditionFacts | None:
    """
    The recorded condition that let a recognition be issued: the learner's passed recording (never who recorded it).

    The latest recording when it says passed, else the last one before the award that did (a later recording
    changes nothing issued).
    """
    if recognition is None or not recognition.condition:
        return None
    where = {"recognition": recognition, "user_id": award.user_id, "course_key": award.course_key or NO_COURSE}
    row: RecognitionCondition | RecognitionConditionEntry | None = RecognitionCondition.objects.filter(**where).first()
    if row is None or not row.passed:
        entry = (RecognitionConditionEntry.objects.filter(**where, passed=True, recorded_at__lte=award.issued_at)
                 .order_by("-recorded_at", "-id").first())
        row = entry or row
    return ConditionFacts(passed=row.passed, taken_on=row.taken_on, result=row.result) if row is not None else None


# ---------------------------------------------------------------------------------------------------------------
# Every award kind


def achievement_facts(program: Program, kind: str, course: ProgramCourse | None,
                      fallback_issuer: Issuer | None = None) -> AchievementFacts:
    """
    What a platform award kind certifies (the BadgeClass); ``course`` None for a degree.

    A recognition's is :func:`recognition_facts`.

    A program stored without issuers (which no check lets through, but a script or an older release might) is
    described by ``fallback_issuer``, the body whose status list holds the award; with none, it is no badge.

    Raises:
        UnknownBadge: the program has no issuer and there is no fallback.
    """
    issuers = _program_issuers(program)
    if not issuers and fallback_issuer is not None:
        issuers = (issuer_facts(fallback_issuer),)
    if not issuers:
        raise UnknownBadge(f"program {program.slug} has no issuer")
    course_key = str(course.course_key) if course is not None else None
    badge_url = links.badge_class_url(conf.lms_root_url(), program_id=program.slug, kind=kind, course_key=course_key)
    if kind == DEGREE or course is None:
        return _degree_facts(program, issuers, badge_url)
    info = course_info(course, conf.default_thresholds())
    if kind == ACHIEVEMENT:
        threshold = info.achievement_threshold
        description = f"Records the successful completion of the course {course.title} in the micro-degree " \
                      f"program {program.title}."
        criteria = f"Reach a course grade of at least {ob3.percent_text(threshold)} % in {course.title} " \
                   f"({course_key})."
    else:
        threshold = info.participation_threshold
        description = f"Confirms participation in the course {course.title} in the micro-degree program " \
                      f"{program.title}."
        criteria = f"Work through at least {ob3.percent_text(threshold)} % of the course content of " \
                   f"{course.title} ({course_key})."
    return AchievementFacts(
        template_id=template_uuid(program_id=program.slug, kind=kind, course_key=course_key), kind=kind,
        name=f"{kind_name(kind)}: {course.title}", description=description, criteria=criteria,
        program_title=program.title, course_key=course_key, hours=course.hours, ects=course.ects,
        threshold=threshold, issuers=issuers, eu=_eu(program, kind), badgeclass_url=badge_url,
        image_url=course.badge_image_url or badge_url + "image/",
    )


def program_by_pk(program_pk: int) -> Program:
    """A program with its issuers and courses prefetched, by primary key."""
    return programs_with_courses().get(pk=program_pk)


def _award_course(award: Award, program: Program) -> ProgramCourse | None:
    """The program course of a course award (None for a degree or a whole program's recognition)."""
    if award.kind == DEGREE or not award.course_key:
        return None
    course = next((c for c in program.courses.all() if str(c.course_key) == str(award.course_key)), None)
    if course is None:
        # The course left the program after the award: describe it from the award alone.
        course = ProgramCourse(program=program, course_key=award.course_key, title=str(award.course_key),
                               hours=Decimal(0), achievement_threshold=award.evidence_threshold,
                               participation_threshold=award.evidence_threshold)
    return course


def award_facts(award: Award, program: Program | None = None) -> AwardFacts:
    """Everything an award's credentials say (``award.user`` and ``award.status_list__issuer`` selected)."""
    program = program or program_by_pk(award.program_id)
    course = _award_course(award, program)
    user = award.user
    root = conf.lms_root_url()
    status = None
    status_list = award.status_list
    if status_list is not None and award.status_index is not None:
        status = StatusRef(list_url=links.status_list_url(root, status_list.issuer.slug, status_list.number),
                           index=award.status_index)
    condition = None
    if award.kind == RECOGNITION:
        recognition = _recognition_row(program.pk, award.rule)
        achievement = recognition_facts(program, award.rule, course, recognition,
                                        body=awarding_issuer(award, program, recognition),
                                        applied=award.evidence_threshold)
        condition = _condition(award, recognition)
    else:
        achievement = achievement_facts(program, award.kind, course, status_list.issuer if status_list else None)
    return AwardFacts(
        uuid=str(award.uuid), achievement=achievement, issued_on=award.issued_at,
        learner_name=compat.get_user_full_name(user) or user.get_username(), email=user.email,
        salt=award.recipient_salt, value=award.evidence_value, event_type=award.evidence_event_type,
        event_time=award.evidence_event_time, verify_url=links.verify_url(root, str(award.uuid)), status=status,
        revoked_on=award.revoked_at, revoked_reason=award.revoked_reason, condition=condition,
    )


def _recognition_badge(program: Program, path: str | None) -> AchievementFacts:
    """A recognition's BadgeClass from its path: ``<rule>/<course key>``, or ``<rule>`` for a whole program's."""
    rule, _sep, course_key = (path or "").partition("/")
    recognition = (Recognition.objects.select_related("issuer").prefetch_related("courses")
                   .filter(program=program, slug=rule).first()) if rule else None
    if recognition is None:
        raise UnknownBadge(f"no recognition {rule!r} in {program.slug!r}")
    if recognition.whole_program:
        if course_key:
            raise UnknownBadge(f"recognition {rule!r} of {program.slug!r} is of the whole program")
        return recognition_facts(program, rule, None, recognition)
    course = next((c for c in program.courses.all() if str(c.course_key) == course_key), None)
    if course is None or not (recognition.all_courses or course.pk in {c.pk for c in recognition.courses.all()}):
        raise UnknownBadge(f"recognition {rule!r} of {program.slug!r} does not recognise {course_key!r}")
    return recognition_facts(program, rule, course, recognition)


def badge_facts(program_id: str, kind: str, course_key: str | None) -> AchievementFacts:
    """
    What a BadgeClass certifies: a program course's award kind, a program's degree, or a recognition.

    A recognition's ``course_key`` is its path: the rule, then the course key (``lak-bw-cme/course-v1:...``).

    Raises:
        UnknownBadge: no such program, course, kind or recognition.
    """
    program = programs_with_courses().filter(slug=program_id).first()
    if program is None:
        raise UnknownBadge(f"no program {program_id!r}")
    if kind == DEGREE:
        return achievement_facts(program, DEGREE, None)
    if kind == RECOGNITION:
        return _recognition_badge(program, course_key)
    course = next((c for c in program.courses.all() if str(c.course_key) == course_key), None)
    if course is None or kind not in (ACHIEVEMENT, PARTICIPATION):
        raise UnknownBadge(f"no {kind} badge for {course_key!r} in {program_id!r}")
    return achievement_facts(program, kind, course)
