"""
A programme's structure in a catalog file: elective groups, the capstone, nested programmes, recognitions.

Parsed field by field (each error naming its place, as the rest of the file's), then checked across the whole
catalog: nested programmes known and without cycles, groups that can be met, the hours window on the smallest
and largest valid path, recognitions naming known bodies and courses. No database access.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from ..rules.tree import AllOf, AnyOf, Course, Degree, find_cycle, hours_window, impossible, path_courses
from . import checks
from .specs import CapstoneSpec, CourseSpec, CreditsSpec, GroupSpec, ProgramSpec, RecognitionSpec

__all__ = ["GROUP_FIELDS", "MAX_GROUPS", "MAX_RECOGNITIONS", "RECOGNITION_FIELDS", "check_structure", "parse_capstone",
           "parse_electives", "parse_recognitions", "parse_requires", "spec_tree", "structure_to_dict"]

GROUP_FIELDS = {"id", "title", "choose", "courses"}
RECOGNITION_FIELDS = {"id", "by", "title", "courses", "program", "threshold", "condition", "credits"}
CAPSTONE_FIELDS = {"key", "last"}
CREDITS_FIELDS = {"amount", "unit"}
MAX_GROUPS = 20
MAX_RECOGNITIONS = 50
MAX_REQUIRES = 20
CREDIT_AMOUNT = (Decimal(0), Decimal(1000))
CREDIT_UNIT_LENGTH = 32


class Collector(Protocol):
    """What the file parser's error collector offers (files._Collector)."""

    def add(self, where: str, message: str) -> None: ...  # noqa: D102 - a protocol

    def unknown_fields(self, where: str, data: Mapping[Any, Any], allowed: set[str]) -> None: ...  # noqa: D102

    def text(self, where: str, data: Mapping[str, Any], name: str, *, required: bool = True,  # noqa: D102
             max_length: int = 255) -> str: ...


ParseCourse = Callable[[Any, str, Any], "CourseSpec | None"]


def _list(col: Collector, where: str, value: Any, limit: int, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        col.add(where, f"must be a list of {what}")
        return []
    if len(value) > limit:
        col.add(where, f"a program may have at most {limit} {what}, this one has {len(value)}")
        return []
    return value


def _slug(col: Collector, where: str, data: Mapping[str, Any]) -> str:
    if message := checks.check_slug(data.get("id")):
        col.add(f"{where}.id", message)
        return ""
    return str(data["id"])


def parse_electives(col: Collector, where: str, value: Any, parse_course: ParseCourse) -> tuple[GroupSpec, ...]:
    """A programme's elective groups: each an id, a title, ``choose`` (k) and its courses."""
    groups = []
    for index, raw in enumerate(_list(col, f"{where}.electives", value, MAX_GROUPS, "elective groups")):
        place = f"{where}.electives[{index}]"
        if not isinstance(raw, Mapping):
            col.add(place, "must be a mapping of id, title, choose, courses")
            continue
        slug = _slug(col, place, raw)
        place = f"{where}.electives[{slug}]" if slug else place
        col.unknown_fields(place, raw, GROUP_FIELDS)
        title = col.text(place, raw, "title")
        choose = raw.get("choose")
        if isinstance(choose, bool) or not isinstance(choose, int):
            col.add(f"{place}.choose", f"{checks.show(choose)} must be a whole number of courses to choose")
            choose = 0
        raw_courses = raw.get("courses")
        if not isinstance(raw_courses, list) or not raw_courses:
            col.add(f"{place}.courses", "must be a list of one or more courses")
            raw_courses = []
        courses = tuple(course for i, item in enumerate(raw_courses)
                        if (course := parse_course(col, f"{place}.courses[{i}]", item)) is not None)
        groups.append(GroupSpec(id=slug, title=title, choose=choose, courses=courses))
    return tuple(groups)


def parse_capstone(col: Collector, where: str, value: Any) -> CapstoneSpec | None:
    """The capstone: ``{key, last}`` (``last`` true by default), or a course key alone."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"key": value}
    if not isinstance(value, Mapping):
        col.add(f"{where}.capstone", "must be a mapping of key and last")
        return None
    col.unknown_fields(f"{where}.capstone", value, CAPSTONE_FIELDS)
    key = value.get("key")
    if message := checks.check_course_key(key):
        col.add(f"{where}.capstone.key", message)
        return None
    last = value.get("last", True)
    if not isinstance(last, bool):
        col.add(f"{where}.capstone.last", f"{checks.show(last)} must be true or false")
        last = True
    return CapstoneSpec(key=str(key).strip(), last=last)


def parse_requires(col: Collector, where: str, value: Any) -> tuple[str, ...]:
    """The programmes whose micro-degree this one requires, by id."""
    if isinstance(value, str):
        value = [value]
    required = []
    for index, item in enumerate(_list(col, f"{where}.requires", value, MAX_REQUIRES, "required programs")):
        if message := checks.check_slug(item):
            col.add(f"{where}.requires[{index}]", message)
        elif item in required:
            col.add(f"{where}.requires[{item}]", "is listed twice")
        else:
            required.append(item)
    return tuple(required)


def _credits(col: Collector, where: str, value: Any) -> CreditsSpec | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        col.add(where, "must be a mapping of amount and unit (e.g. {amount: 12, unit: CME})")
        return None
    col.unknown_fields(where, value, CREDITS_FIELDS)
    amount = checks.as_number(value.get("amount"))
    low, high = CREDIT_AMOUNT
    if amount is None or not low < amount <= high:
        col.add(f"{where}.amount", f"{checks.show(value.get('amount'))} must be a number greater than {low} and at "
                                   f"most {high}")
        return None
    if message := checks.rounding_problem(value.get("amount"), amount, 1):
        col.add(f"{where}.amount", message)
        return None
    unit = col.text(where, value, "unit", max_length=CREDIT_UNIT_LENGTH)
    return CreditsSpec(amount=amount, unit=unit) if unit else None


def parse_recognitions(col: Collector, where: str, value: Any) -> tuple[RecognitionSpec, ...]:
    """The programme's recognitions by outside bodies, each checked field by field (references later)."""
    found = []
    for index, raw in enumerate(_list(col, f"{where}.recognitions", value, MAX_RECOGNITIONS, "recognitions")):
        place = f"{where}.recognitions[{index}]"
        if not isinstance(raw, Mapping):
            col.add(place, "must be a mapping of id, by, courses or program, threshold, condition, credits")
            continue
        slug = _slug(col, place, raw)
        place = f"{where}.recognitions[{slug}]" if slug else place
        col.unknown_fields(place, raw, RECOGNITION_FIELDS)
        by = raw.get("by")
        if message := checks.check_slug(by):
            col.add(f"{place}.by", f"{message} (an issuer id)")
            by = ""
        whole = raw.get("program", False)
        if not isinstance(whole, bool):
            col.add(f"{place}.program", f"{checks.show(whole)} must be true or false")
            whole = False
        courses: Any = raw.get("courses")
        all_courses = courses == "all"
        if whole and courses is not None:
            col.add(f"{place}.courses", "a recognition of the whole program (program: true) names no courses")
        elif not whole and not all_courses and (not isinstance(courses, list) or not courses):
            col.add(f"{place}.courses", "must be 'all' or a list of the program's course keys "
                                        "(or say program: true)")
        keys = tuple(str(key).strip() for key in courses) if isinstance(courses, list) and not whole else ()
        for key in keys:
            if message := checks.check_course_key(key):
                col.add(f"{place}.courses[{checks.show(key)}]", message)
        threshold = None
        if raw.get("threshold") is not None:
            if message := checks.check_share(raw["threshold"]):
                col.add(f"{place}.threshold", message)
            else:
                threshold = checks.as_number(raw["threshold"])
        found.append(RecognitionSpec(
            id=slug, by=str(by or ""), title=col.text(place, raw, "title", required=False), courses=keys,
            all_courses=all_courses, program=whole, threshold=threshold,
            condition=col.text(place, raw, "condition", required=False),
            credits=_credits(col, f"{place}.credits", raw.get("credits")),
        ))
    return tuple(found)


def spec_tree(spec: ProgramSpec) -> AllOf:
    """A programme's requirement tree, from its spec."""
    def course(c: CourseSpec) -> Course:
        return Course(key=c.key, hours=c.hours, planned=c.planned)
    return AllOf(id=spec.id, items=(
        *(course(c) for c in spec.courses),
        *(AnyOf(id=g.id, choose=g.choose, items=tuple(course(c) for c in g.courses)) for g in spec.electives),
        *(Degree(program_id=program_id) for program_id in spec.requires),
    ))


def check_structure(col: Collector, programs: list[ProgramSpec], known: Mapping[str, ProgramSpec],
                    issuer_ids: set[str], warnings: list[str]) -> None:
    """
    The checks across the catalog, each error or warning naming its place.

    References, cycles, groups that can never be met, the hours window, the number of courses on the smallest
    path, the capstone and each recognition's body and courses.

    ``known`` are the stored programmes, which a file may require without declaring them.
    """
    every = {**known, **{program.id: program for program in programs if program.id}}
    trees = {program_id: spec_tree(spec) for program_id, spec in every.items()}
    for program in programs:
        where = f"programs[{program.id}]" if program.id else "programs"
        for required in program.requires:
            if required == program.id:
                col.add(f"{where}.requires[{required}]", "a program cannot require itself")
            elif required not in every:
                col.add(f"{where}.requires[{required}]", "unknown program (declare it in this file or load it first)")
        _check_keys(col, where, program)
        tree = trees[program.id] if program.id else spec_tree(program)
        for problem in impossible(tree):
            place, message = problem.split(": ", 1)
            col.add(f"{where}.{place}", message)
        low_count, _high = path_courses(tree, trees)
        if count_problem := checks.check_course_count(low_count):
            col.add(f"{where}.courses", count_problem + (" on its smallest valid path" if program.electives
                                                         or program.requires else ""))
        low, high = hours_window(tree, trees)
        if program.requires:
            pass  # a programme that stacks micro-degrees is a larger qualification: the window is a micro-degree's
        elif low == high:
            if warning := checks.hours_warning(low):
                warnings.append(f"{where}: {warning}")
        elif checks.hours_warning(low) or checks.hours_warning(high):
            least, most = checks.HOURS_RANGE
            warnings.append(f"{where}: its valid paths take {low} hours (the smallest) to {high} hours (the largest), "
                            f"outside the recommended {least} to {most} hours")
        _check_recognitions(col, where, program, issuer_ids)
    cycle = find_cycle({program_id: spec.requires for program_id, spec in every.items()})
    if cycle:
        col.add(f"programs[{cycle[0]}].requires", "programs require each other in a cycle: " + " -> ".join(cycle))


def _check_keys(col: Collector, where: str, program: ProgramSpec) -> None:
    """Every course once in the programme (required or in one group), the capstone one of the required."""
    seen: dict[str, str] = {}
    for group in program.electives:
        for course in group.courses:
            compared = checks.compared_course_key(course.key)
            if course.key and compared in seen:
                col.add(f"{where}.electives[{group.id}].courses[{course.key}]",
                        f"is listed already in {seen[compared]}")
            seen.setdefault(compared, f"electives[{group.id}]")
    required = {checks.compared_course_key(course.key) for course in program.courses}
    for group in program.electives:
        for course in group.courses:
            if course.key and checks.compared_course_key(course.key) in required:
                col.add(f"{where}.electives[{group.id}].courses[{course.key}]",
                        "is a required course of the program too")
    ids = [group.id for group in program.electives if group.id]
    for group_id in {g for g in ids if ids.count(g) > 1}:
        col.add(f"{where}.electives[{group_id}]", "is declared twice")
    if program.capstone is not None and checks.compared_course_key(program.capstone.key) not in required:
        col.add(f"{where}.capstone.key", f"{checks.show(program.capstone.key)} must be one of the program's "
                                         "required courses")


def _check_recognitions(col: Collector, where: str, program: ProgramSpec, issuer_ids: set[str]) -> None:
    keys = {checks.compared_course_key(course.key) for course in program.all_courses}
    ids = [rec.id for rec in program.recognitions if rec.id]
    for rec_id in sorted({r for r in ids if ids.count(r) > 1}):
        col.add(f"{where}.recognitions[{rec_id}]", "is declared twice")
    for rec in program.recognitions:
        place = f"{where}.recognitions[{rec.id}]"
        if rec.by and rec.by not in issuer_ids:
            col.add(f"{place}.by", f"unknown issuer {checks.show(rec.by)} (declare it under issuers)")
        for key in rec.courses:
            if not checks.check_course_key(key) and checks.compared_course_key(key) not in keys:
                col.add(f"{place}.courses[{key}]", "is not a course of this program")


def structure_to_dict(spec: ProgramSpec, plain: Callable[[Decimal | None], Any],
                      course_dict: Callable[[CourseSpec], dict[str, Any]]) -> dict[str, Any]:
    """A programme's structure in the file format (only what it has)."""
    found: dict[str, Any] = {}
    if spec.electives:
        found["electives"] = [{"id": g.id, "title": g.title, "choose": g.choose,
                               "courses": [course_dict(c) for c in g.courses]} for g in spec.electives]
    if spec.capstone is not None:
        found["capstone"] = {"key": spec.capstone.key, "last": spec.capstone.last}
    if spec.requires:
        found["requires"] = list(spec.requires)
    if spec.recognitions:
        found["recognitions"] = [
            {key: value for key, value in (
                ("id", rec.id), ("by", rec.by), ("title", rec.title or None),
                ("courses", "all" if rec.all_courses else list(rec.courses) or None),
                ("program", True if rec.program else None), ("threshold", plain(rec.threshold)),
                ("condition", rec.condition or None),
                ("credits", {"amount": plain(rec.credits.amount), "unit": rec.credits.unit} if rec.credits else None),
            ) if value is not None}
            for rec in spec.recognitions
        ]
    return found
