"""
The api's shared private helpers: model rows to plain data, id parsing, the catalog's one prefetch.

Every api module builds on these; nothing outside the api package imports them. Naming: ``*_id`` is a public id
(a program's or an issuer's slug, an award's UUID, a course key), ``*_pk`` a database primary key.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from .. import conf, rules
from ..data import DEGREE, AwardInfo, CourseInfo, IssuerInfo, ProgramInfo
from ..exceptions import UnknownAward
from ..models import Award, Issuer, Program, ProgramCourse, ProgramIssuer

BADGE_ORIGIN = "microdegree"
# Namespace of the badge template UUIDs: uuid5 of this and a program course's identity is stable forever.
TEMPLATE_NAMESPACE = uuid.UUID("6f1f2a0e-3b8e-5d7c-9a4e-6d6963726f64")
# Attempts at a write that lost a lock race (a MySQL deadlock, a busy SQLite), when we own the transaction.
WRITE_ATTEMPTS = 4


def template_uuid(*, program_id: str, kind: str, course_key: str | None = None) -> str:
    """The badge template UUID of a program course's award kind, or of a program's degree: stable forever."""
    name = f"{program_id}/degree" if kind == DEGREE else f"{program_id}/{course_key}/{kind}"
    return str(uuid.uuid5(TEMPLATE_NAMESPACE, name))


def parse_course_key(value: CourseKey | str) -> CourseKey:
    """A course key from its text; ValueError (naming the value) when it is not one."""
    if isinstance(value, CourseKey):
        return value
    try:
        return CourseKey.from_string(str(value))
    except InvalidKeyError as exc:
        raise ValueError(f"{value!r} is not a valid course key") from exc


def course_info(course: ProgramCourse, defaults: tuple[Decimal, Decimal]) -> CourseInfo:
    """A program course, its thresholds resolved against the platform's (achievement, participation) defaults."""
    return CourseInfo(
        course_key=str(course.course_key),
        title=course.title,
        hours=course.hours,
        ects=course.ects,
        planned=course.planned,
        achievement_threshold=(
            defaults[0] if course.achievement_threshold is None else rules.to_share(course.achievement_threshold)
        ),
        participation_threshold=(
            defaults[1] if course.participation_threshold is None else rules.to_share(course.participation_threshold)
        ),
    )


def issuer_info(issuer: Issuer) -> IssuerInfo:
    """An issuer as the catalog shows it."""
    return IssuerInfo(id=issuer.slug, name=issuer.name, url=issuer.url, email=issuer.email, country=issuer.country)


def award_info(award: Award) -> AwardInfo:
    """An award as learners and the API see it (``award.program`` should be selected with it)."""
    return AwardInfo(
        id=str(award.uuid),
        kind=award.kind,
        program_id=award.program.slug,
        course_key=str(award.course_key) if award.course_key else None,
        issued_on=award.issued_at,
        value=award.evidence_value,
        threshold=award.evidence_threshold,
        event_type=award.evidence_event_type,
        event_time=award.evidence_event_time,
        revoked_on=award.revoked_at,
        revoked_reason=award.revoked_reason,
        private=award.private,
    )


def programs_with_courses() -> QuerySet[Program]:
    """Programs with their issuers (lead first) and courses (in order) prefetched: three queries in all."""
    return Program.objects.prefetch_related(
        Prefetch("program_issuers", queryset=ProgramIssuer.objects.select_related("issuer")),
        Prefetch("courses", queryset=ProgramCourse.objects.order_by("order", "id")),
    )


def program_infos(program_ids: Iterable[str] | None = None) -> list[ProgramInfo]:
    """Programs (all, or those with the given ids) with issuers and courses, in three queries whatever their number."""
    queryset = programs_with_courses().order_by("title", "slug")
    if program_ids is not None:
        queryset = queryset.filter(slug__in=list(program_ids))
    defaults = conf.default_thresholds()
    return [
        ProgramInfo(
            id=program.slug,
            title=program.title,
            description=program.description,
            issuers=tuple(issuer_info(link.issuer) for link in program.program_issuers.all()),
            courses=tuple(course_info(course, defaults) for course in program.courses.all()),
        )
        for program in queryset
    ]


def award_row(award_id: str | uuid.UUID, *related: str) -> Award:
    """
    The award with a public id, its program (and ``related``) selected.

    Raises:
        UnknownAward: if the id is malformed or no award has it.
    """
    try:
        key = award_id if isinstance(award_id, uuid.UUID) else uuid.UUID(str(award_id))
        return Award.objects.select_related("program", *related).get(uuid=key)
    except (ValueError, Award.DoesNotExist) as exc:
        raise UnknownAward(f"no award with id {award_id!r}") from exc


def insert_award(award: Award) -> bool:
    """Insert an award unless the database already holds it; True if this call created it."""
    try:
        with transaction.atomic():
            award.save(force_insert=True)
    except IntegrityError:
        return False
    return True
