"""
The program catalog: public reads, and the admin's writes.

Reads: the programs with their issuers and courses. Writes: loading a validated catalog file, dumping the stored
one (the inverse).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from opaque_keys.edx.keys import CourseKey

from ..catalog import (
    CatalogError,
    CatalogSpec,
    CourseSpec,
    IssuerSpec,
    ProgramSpec,
    catalog_to_dict,
    compared_course_key,
    validate_catalog,
)
from ..data import ProgramInfo
from ..models import Issuer, Program, ProgramCourse, ProgramGroup, ProgramIssuer, ProgramStep, Recognition
from . import structure
from ._internal import catalog_changed, parse_course_key, program_course_rows, program_infos, programs_with_courses

__all__ = ["CatalogLoadReport", "catalog_changed", "catalog_problems", "connect_catalog_signals", "dump_catalog",
           "get_program", "get_programs", "is_program_course", "known_issuer_ids", "known_programs", "load_catalog",
           "program_edit_problems", "program_warnings"]


def get_programs() -> list[ProgramInfo]:
    """The public catalog: every program with its issuers and courses (constant number of queries)."""
    return program_infos()


def get_program(program_id: str) -> ProgramInfo | None:
    """One program of the catalog by its id, or None."""
    found = program_infos([program_id])
    return found[0] if found else None


def is_program_course(course_key: CourseKey | str) -> bool:
    """Whether a course belongs to any program (no query while this process knows the catalog)."""
    return bool(program_course_rows(str(parse_course_key(course_key))))


def _on_catalog_saved(sender: Any, **kwargs: Any) -> None:  # pylint: disable=unused-argument
    catalog_changed()
    # Again once committed: another worker that re-read the catalog before the commit reads it once more.
    transaction.on_commit(catalog_changed)


def connect_catalog_signals() -> None:
    """Forget the remembered program courses whenever a program, its issuers or its courses are saved or deleted."""
    for model in (Program, ProgramCourse, ProgramIssuer, ProgramGroup, ProgramStep, Recognition):
        for signal in (post_save, post_delete):
            signal.connect(_on_catalog_saved, sender=model, dispatch_uid=f"microdegree.catalog.{model.__name__}")
    m2m_changed.connect(_on_catalog_saved, sender=Recognition.courses.through,
                        dispatch_uid="microdegree.catalog.Recognition.courses")


def known_issuer_ids() -> set[str]:
    """The ids of the stored issuers."""
    return set(Issuer.objects.values_list("slug", flat=True))


@dataclass(frozen=True)
class CatalogLoadReport:
    """What loading a catalog changed."""

    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed_courses: tuple[str, ...]
    warnings: tuple[str, ...]
    # The programs created or changed: what a backfill should cover, so that no new program is silently empty.
    changed_program_ids: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything was stored."""
        return bool(self.created or self.updated or self.removed_courses)


def load_catalog(spec: CatalogSpec) -> CatalogLoadReport:
    """
    Store a validated catalog in one transaction: create or update its issuers, programs and courses.

    Idempotent: loading the same catalog twice changes nothing. A course no longer listed leaves its program;
    awards already issued for it stay. Programs and issuers not in the catalog are left alone.
    """
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    with transaction.atomic():
        issuers = {issuer.slug: issuer for issuer in Issuer.objects.select_for_update()}
        for ispec in spec.issuers:
            _store_issuer(ispec, issuers, created, updated, unchanged)
        for pspec in spec.programs:
            _store_program(pspec, issuers, created=created, updated=updated, unchanged=unchanged, removed=removed)
        # The nested programmes once all are stored: a programme may require one declared after it.
        for pspec in spec.programs:
            label = f"program {pspec.id}"
            if structure.store_steps(Program.objects.get(slug=pspec.id), pspec.requires) and label in unchanged:
                unchanged.remove(label)
                updated.append(label)
        catalog_changed()  # bulk_create sends no post_save
        transaction.on_commit(catalog_changed)
    changed = {*created, *updated}
    return CatalogLoadReport(tuple(created), tuple(updated), tuple(unchanged), tuple(removed), spec.warnings,
                             tuple(p.id for p in spec.programs if f"program {p.id}" in changed))


def _store_issuer(spec: IssuerSpec, issuers: dict[str, Issuer], created: list[str], updated: list[str],
                  unchanged: list[str]) -> None:
    values = {"name": spec.name, "url": spec.url, "email": spec.email, "country": spec.country}
    label = f"issuer {spec.id}"
    issuer = issuers.get(spec.id)
    if issuer is None:
        issuers[spec.id] = Issuer.objects.create(slug=spec.id, **values)
        created.append(label)
    elif structure.sync_fields(issuer, values):
        issuer.full_clean()
        issuer.save()
        updated.append(label)
    else:
        unchanged.append(label)


def _course_values(spec: CourseSpec, order: int) -> dict[str, Any]:
    return {
        "title": spec.title, "hours": spec.hours, "ects": spec.ects, "planned": spec.planned, "order": order,
        "achievement_threshold": spec.achievement_threshold, "participation_threshold": spec.participation_threshold,
        "badge_image_url": spec.badge_image,
    }


def _program_values(spec: ProgramSpec) -> dict[str, Any]:
    return {
        "capstone_last": bool(spec.capstone and spec.capstone.last),
        "title": spec.title, "description": spec.description, "learning_outcomes": "\n".join(spec.learning_outcomes),
        "eqf_level": spec.eqf_level, "participation_form": spec.participation_form,
        "assessment_type": spec.assessment_type, "quality_assurance": spec.quality_assurance,
        "badge_image_url": spec.badge_image,
    }


def _store_program(spec: ProgramSpec, issuers: dict[str, Issuer], *, created: list[str], updated: list[str],
                   unchanged: list[str], removed: list[str]) -> None:
    label = f"program {spec.id}"
    program = Program.objects.select_for_update().filter(slug=spec.id).first()
    is_new = program is None
    if program is None:
        program = Program.objects.create(slug=spec.id, **_program_values(spec))
        dirty = False
    else:
        dirty = structure.sync_fields(program, _program_values(spec))
        if dirty:
            program.save()
    wanted_issuers = [issuers[slug].pk for slug in spec.issuers]
    current_issuers = list(program.program_issuers.order_by("order", "id").values_list("issuer_id", flat=True))
    if wanted_issuers != current_issuers:
        program.program_issuers.all().delete()
        ProgramIssuer.objects.bulk_create(
            ProgramIssuer(program=program, issuer_id=issuer_id, order=order)
            for order, issuer_id in enumerate(wanted_issuers)
        )
        dirty = True
    # Course keys compare without case or accents, as the column does (MySQL's collation; NOCASE on SQLite): a key
    # respelt in the file is the same course, updated to its new spelling, not a second row the constraint refuses.
    groups, groups_changed = structure.store_groups(program, spec.electives)
    dirty |= groups_changed
    placed = [(cspec, None) for cspec in spec.courses] + [
        (cspec, groups[group.id]) for group in spec.electives for cspec in group.courses]
    capstone = compared_course_key(spec.capstone.key) if spec.capstone else None
    existing = {compared_course_key(str(course.course_key)): course for course in program.courses.all()}
    for order, (cspec, group) in enumerate(placed):
        values = {**_course_values(cspec, order), "group": group,
                  "capstone": compared_course_key(cspec.key) == capstone}
        course = existing.pop(compared_course_key(cspec.key), None)
        if course is None:
            ProgramCourse.objects.create(program=program, course_key=CourseKey.from_string(cspec.key), **values)
            dirty = True
        elif structure.sync_fields(course, {**values, "course_key": CourseKey.from_string(cspec.key)}):
            course.save()
            dirty = True
    for course in existing.values():
        course.delete()
        removed.append(f"{label}: {course.course_key}")
        dirty = True
    dirty |= structure.store_recognitions(program, spec.recognitions, issuers)
    if is_new:
        created.append(label)
    elif dirty:
        updated.append(label)
    else:
        unchanged.append(label)


def _decimal_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def dump_catalog() -> CatalogSpec:
    """Every stored issuer and program, as a catalog (the inverse of :func:`load_catalog`)."""
    programs = programs_with_courses().prefetch_related(*structure.structure_prefetches()).order_by("slug")

    def course_spec(c: ProgramCourse) -> CourseSpec:
        return CourseSpec(
            key=str(c.course_key), title=c.title, hours=c.hours.normalize(), ects=_decimal_or_none(c.ects),
            planned=c.planned, achievement_threshold=_decimal_or_none(c.achievement_threshold),
            participation_threshold=_decimal_or_none(c.participation_threshold), badge_image=c.badge_image_url,
        )
    return CatalogSpec(
        issuers=tuple(
            IssuerSpec(id=i.slug, name=i.name, url=i.url, email=i.email, country=i.country)
            for i in Issuer.objects.order_by("slug")
        ),
        programs=tuple(
            ProgramSpec(
                id=p.slug, title=p.title, description=p.description,
                issuers=tuple(link.issuer.slug for link in p.program_issuers.all()),
                courses=tuple(course_spec(c) for c in structure.required_courses(p)),
                **structure.dump_structure(p, course_spec),
                learning_outcomes=tuple(line for line in p.learning_outcomes.splitlines() if line.strip()),
                eqf_level=p.eqf_level, participation_form=p.participation_form, assessment_type=p.assessment_type,
                quality_assurance=p.quality_assurance, badge_image=p.badge_image_url,
            )
            for p in programs
        ),
    )


def catalog_problems() -> list[str]:
    """
    What the catalog's own checks find wrong with the stored catalog, each problem naming its place.

    The places are those of a program file (``programs[p].courses[k].title: ...``, ``issuers[i].url: ...``):
    the stored catalog is dumped and checked as the file it would be. Nothing loaded from a file or saved in the
    admin has a problem; a catalog written by a script, by raw SQL or by a release before these checks may. Reads
    still work on such a catalog (the database's constraints keep every number in range); this is what the system
    check ``microdegree.W002`` and the admin's warnings report, so that an admin fixes it.
    """
    try:
        validate_catalog(catalog_to_dict(dump_catalog()), known_issuer_ids=known_issuer_ids())
    except CatalogError as exc:
        return list(exc.errors)
    return []


def known_programs() -> dict[str, ProgramSpec]:
    """The stored programmes as catalog specs, by id: what a file may require without declaring it."""
    return {program.id: program for program in dump_catalog().programs}


def program_edit_problems(data: dict[str, Any]) -> list[str]:
    """
    What the program file's validation finds wrong with one programme as the admin would store it.

    ``data`` is the programme in the file format; it is checked with the stored issuers and the other stored
    programmes (which it may require), so that the admin refuses exactly what a file would.
    """
    others = {program_id: spec for program_id, spec in known_programs().items() if program_id != data.get("id")}
    try:
        validate_catalog({"programs": [data]}, known_issuer_ids=known_issuer_ids(), known_programs=others)
    except CatalogError as exc:
        return list(exc.errors)
    return []


def program_warnings(program_id: str) -> list[str]:
    """The warnings of a stored programme (its hours window), as loading it from a file would print them."""
    programs = known_programs()
    if program_id not in programs:
        return []
    others = {key: spec for key, spec in programs.items() if key != program_id}
    try:
        spec = validate_catalog({"programs": [catalog_to_dict(CatalogSpec(programs=(programs[program_id],)))[
            "programs"][0]]}, known_issuer_ids=known_issuer_ids(), known_programs=others)
    except CatalogError:
        return []
    return list(spec.warnings)
