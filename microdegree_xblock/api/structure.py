"""
A programme's structure in the database, stored from a validated catalog and dumped back as one (ADR 40).

Its elective groups, its capstone, the programmes it requires, the recognitions of outside bodies, its tree.

Changing any of it keeps what was issued (ADR 2): awards name their programme, course, kind and rule, never these
rows.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from ..catalog import CapstoneSpec, CreditsSpec, GroupSpec, RecognitionSpec, compared_course_key
from ..models import Issuer, Program, ProgramCourse, ProgramGroup, ProgramStep, Recognition
from ..rules.tree import AllOf, AnyOf, Course, Degree

__all__ = ["dump_structure", "programs_with_structure", "required_courses", "store_groups", "store_recognitions",
           "store_steps", "structure_prefetches", "sync_fields", "tree_of"]


def sync_fields(instance: Any, values: dict[str, Any]) -> bool:
    """Set the changed values on a model instance; whether any changed."""
    dirty = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            dirty = True
    return dirty


def store_groups(program: Program, groups: Iterable[GroupSpec]) -> tuple[dict[str, ProgramGroup], bool]:
    """A programme's elective groups by id, created, updated or deleted to match; and whether any changed."""
    existing = {group.slug: group for group in program.groups.all()}
    found: dict[str, ProgramGroup] = {}
    dirty = False
    for order, spec in enumerate(groups):
        values = {"title": spec.title, "choose": spec.choose, "order": order}
        group = existing.pop(spec.id, None)
        if group is None:
            group = ProgramGroup.objects.create(program=program, slug=spec.id, **values)
            dirty = True
        elif sync_fields(group, values):
            group.save()
            dirty = True
        found[spec.id] = group
    for group in existing.values():
        # Its courses leave the programme with it (the caller deletes the courses no longer listed).
        group.delete()
        dirty = True
    return found, dirty


def store_steps(program: Program, requires: Iterable[str]) -> bool:
    """The programmes a programme requires, in order; whether they changed."""
    wanted = list(requires)
    current = list(program.steps.order_by("order", "id").values_list("required__slug", flat=True))
    if wanted == current:
        return False
    program.steps.all().delete()
    pks = dict(Program.objects.filter(slug__in=wanted).values_list("slug", "pk"))
    ProgramStep.objects.bulk_create(ProgramStep(program=program, required_id=pks[slug], order=order)
                                    for order, slug in enumerate(wanted))
    return True


def store_recognitions(program: Program, recognitions: Iterable[RecognitionSpec], issuers: dict[str, Issuer]) -> bool:
    """A programme's recognitions, created, updated or deleted to match (their awards stay); whether any changed."""
    existing = {rec.slug: rec for rec in program.recognitions.all()}
    courses = {compared_course_key(str(course.course_key)): course for course in program.courses.all()}
    dirty = False
    for order, spec in enumerate(recognitions):
        values = {
            "title": spec.title, "issuer_id": issuers[spec.by].pk, "all_courses": spec.all_courses,
            "whole_program": spec.program, "threshold": spec.threshold, "condition": spec.condition,
            "credit_amount": spec.credits.amount if spec.credits else None,
            "credit_unit": spec.credits.unit if spec.credits else "", "order": order,
        }
        rec = existing.pop(spec.id, None)
        if rec is None:
            rec = Recognition.objects.create(program=program, slug=spec.id, **values)
            dirty = True
        elif sync_fields(rec, values):
            rec.save()
            dirty = True
        wanted = {courses[compared_course_key(key)].pk for key in spec.courses}
        if set(rec.courses.values_list("pk", flat=True)) != wanted:
            rec.courses.set(wanted)
            dirty = True
    for rec in existing.values():
        rec.delete()
        dirty = True
    return dirty


def structure_prefetches() -> list[Any]:
    """What :func:`dump_structure` reads, to prefetch with the programmes."""
    return [
        "groups",
        Prefetch("steps", queryset=ProgramStep.objects.select_related("required").order_by("order", "id")),
        Prefetch("recognitions", queryset=Recognition.objects.select_related("issuer").prefetch_related("courses")),
    ]


def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def dump_structure(program: Program, course_spec: Any) -> dict[str, Any]:
    """
    The ProgramSpec fields of a stored programme's structure (with :func:`structure_prefetches`).

    ``course_spec`` makes a CourseSpec of a stored course; the required courses are the caller's.
    """
    courses = list(program.courses.all())
    groups = sorted(program.groups.all(), key=lambda g: (g.order, g.pk))
    capstone = next((course for course in courses if course.capstone), None)
    recognitions = sorted(program.recognitions.all(), key=lambda r: (r.order, r.pk))
    return {
        "electives": tuple(
            GroupSpec(id=g.slug, title=g.title, choose=g.choose,
                      courses=tuple(course_spec(c) for c in courses if c.group_id == g.pk))
            for g in groups),
        "capstone": (CapstoneSpec(key=str(capstone.course_key), last=program.capstone_last)
                     if capstone is not None else None),
        "requires": tuple(step.required.slug for step in program.steps.all()),
        "recognitions": tuple(
            RecognitionSpec(
                id=r.slug, by=r.issuer.slug, title=r.title,
                courses=() if r.all_courses or r.whole_program else tuple(
                    str(c.course_key) for c in sorted(r.courses.all(), key=lambda c: (c.order, c.pk))),
                all_courses=r.all_courses, program=r.whole_program, threshold=_number(r.threshold),
                condition=r.condition,
                credits=CreditsSpec(amount=r.credit_amount.normalize(), unit=r.credit_unit)
                if r.credit_amount is not None else None)
            for r in recognitions),
    }


def required_courses(program: Program) -> list[ProgramCourse]:
    """The programme's required courses (in no elective group), in order."""
    return [course for course in program.courses.all() if course.group_id is None]


def programs_with_structure():  # type: ignore[no-untyped-def]
    """Programmes with what their trees need prefetched: courses (in order), groups, steps."""
    return Program.objects.prefetch_related(
        Prefetch("courses", queryset=ProgramCourse.objects.order_by("order", "id")),
        "groups", Prefetch("steps", queryset=ProgramStep.objects.select_related("required").order_by("order", "id")),
    )


def tree_of(program: Program) -> AllOf:
    """A stored programme's requirement tree (its courses, groups and steps prefetched or read)."""
    courses = list(program.courses.all())
    groups = sorted(program.groups.all(), key=lambda g: (g.order, g.pk))

    def course(c: ProgramCourse) -> Course:
        return Course(key=str(c.course_key), hours=c.hours, planned=c.planned)

    return AllOf(id=program.slug, items=(
        *(course(c) for c in courses if c.group_id is None),
        *(AnyOf(id=g.slug, choose=g.choose, items=tuple(course(c) for c in courses if c.group_id == g.pk))
          for g in groups),
        *(Degree(program_id=step.required.slug) for step in program.steps.all()),
    ))
