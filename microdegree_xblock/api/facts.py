"""
What an award's credentials say, gathered from the database as plain data (``credentials.facts``).

The credential builders take these facts and never see a model. Used by the signing (after commit), the public
documents and pages, and the certificate.
"""
from __future__ import annotations

from decimal import Decimal

from .. import compat, conf
from ..credentials import links, ob3
from ..credentials.facts import AchievementFacts, AwardFacts, EuElements, IssuerFacts, StatusRef
from ..data import ACHIEVEMENT, DEGREE, PARTICIPATION
from ..exceptions import UnknownBadge
from ..labels import kind_name
from ..models import Award, Issuer, Program, ProgramCourse
from ._internal import course_info, programs_with_courses, template_uuid

__all__ = ["achievement_facts", "award_facts", "badge_facts", "issuer_facts", "program_by_pk"]


def issuer_facts(issuer: Issuer) -> IssuerFacts:
    """An issuer as credentials name it: with its did:web and its OB 2.0 profile URL."""
    root = conf.lms_root_url()
    return IssuerFacts(id=issuer.slug, name=issuer.name, url=issuer.url, email=issuer.email,
                       country=issuer.country, did=ob3.did_web(root, "microdegree", "issuers", issuer.slug),
                       ob2_url=links.ob2_issuer_url(root, issuer.slug))


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


def _degree_facts(program: Program, issuers: tuple[IssuerFacts, ...], badge_url: str) -> AchievementFacts:
    courses = list(program.courses.all())
    ects = [c.ects for c in courses if c.ects is not None]
    return AchievementFacts(
        template_id=template_uuid(program_id=program.slug, kind=DEGREE), kind=DEGREE, name=program.title,
        description=program.description or f"{kind_name(DEGREE)} {program.title}.",
        criteria=("Earn the achievement record of every course of the program: "
                  + "; ".join(c.title for c in courses) + "."),
        program_title=program.title, course_key=None, hours=sum((c.hours for c in courses), Decimal(0)),
        ects=sum(ects, Decimal(0)) if courses and len(ects) == len(courses) else None,
        threshold=None, issuers=issuers, eu=_eu(program, DEGREE), badgeclass_url=badge_url,
        image_url=program.badge_image_url or badge_url + "image/",
    )


def achievement_facts(program: Program, kind: str, course: ProgramCourse | None,
                       fallback_issuer: Issuer | None = None) -> AchievementFacts:
    """
    What an award kind certifies (the BadgeClass); ``course`` None for a degree.

    A program stored without issuers (which no check lets through, but a script or an older release might) is
    described by ``fallback_issuer``, the body whose status list holds the award; with none, it is no badge.

    Raises:
        UnknownBadge: the program has no issuer and there is no fallback.
    """
    issuers = tuple(issuer_facts(link.issuer) for link in program.program_issuers.all())
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


def award_facts(award: Award, program: Program | None = None) -> AwardFacts:
    """Everything an award's credentials say (``award.user`` and ``award.status_list__issuer`` selected)."""
    program = program or program_by_pk(award.program_id)
    course = None
    if award.kind != DEGREE:
        course = next((c for c in program.courses.all() if str(c.course_key) == str(award.course_key)), None)
    if award.kind != DEGREE and course is None:
        # The course left the program after the award: describe it from the award alone.
        course = ProgramCourse(program=program, course_key=award.course_key, title=str(award.course_key),
                               hours=Decimal(0), achievement_threshold=award.evidence_threshold,
                               participation_threshold=award.evidence_threshold)
    user = award.user
    root = conf.lms_root_url()
    status = None
    status_list = award.status_list
    if status_list is not None and award.status_index is not None:
        status = StatusRef(list_url=links.status_list_url(root, status_list.issuer.slug, status_list.number),
                           index=award.status_index)
    achievement = achievement_facts(program, award.kind, course, status_list.issuer if status_list else None)
    return AwardFacts(
        uuid=str(award.uuid), achievement=achievement, issued_on=award.issued_at,
        learner_name=compat.get_user_full_name(user) or user.get_username(), email=user.email,
        salt=award.recipient_salt, value=award.evidence_value, event_type=award.evidence_event_type,
        event_time=award.evidence_event_time, verify_url=links.verify_url(root, str(award.uuid)), status=status,
        revoked_on=award.revoked_at, revoked_reason=award.revoked_reason,
    )


def badge_facts(program_id: str, kind: str, course_key: str | None) -> AchievementFacts:
    """
    What a BadgeClass certifies: a program course's award kind, or a program's degree.

    Raises:
        UnknownBadge: no such program, course or kind.
    """
    program = programs_with_courses().filter(slug=program_id).first()
    if program is None:
        raise UnknownBadge(f"no program {program_id!r}")
    if kind == DEGREE:
        return achievement_facts(program, DEGREE, None)
    course = next((c for c in program.courses.all() if str(c.course_key) == course_key), None)
    if course is None or kind not in (ACHIEVEMENT, PARTICIPATION):
        raise UnknownBadge(f"no {kind} badge for {course_key!r} in {program_id!r}")
    return achievement_facts(program, kind, course)
