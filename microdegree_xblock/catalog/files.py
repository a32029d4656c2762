"""
Program catalog files (YAML or JSON): parsing and validation as a whole, and the file format ``dump`` writes.

No database access. Every error names the program, the course and the field it is about; the single-field checks
are shared with the Django admin (:mod:`.checks`).
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import yaml

from . import checks, structure
from .specs import CatalogError, CatalogSpec, CourseSpec, IssuerSpec, ProgramSpec

__all__ = [
    "MAX_FILE_CHARACTERS", "MAX_ISSUERS", "MAX_PROGRAMS", "MAX_PROGRAM_COURSES", "catalog_to_dict", "dump_text",
    "parse_catalog", "validate_catalog",
]

# The loader's bounds (docs/decisions/0024-catalog-value-limits.rst): a real platform's whole catalog is a few
# kilobytes, a few dozen programmes of three to a dozen courses each.
MAX_FILE_CHARACTERS = 1_000_000
MAX_ISSUERS = 500
MAX_PROGRAMS = 500
MAX_PROGRAM_COURSES = 60
MAX_MESSAGE = 300
MAX_FIELD_NAME = 60

ISSUER_FIELDS = {"id", "name", "url", "email", "country"}
PROGRAM_FIELDS = {
    "id", "title", "description", "issuers", "courses", "learning_outcomes", "eqf_level", "participation_form",
    "assessment_type", "quality_assurance", "badge_image", "electives", "capstone", "requires", "recognitions",
}
COURSE_FIELDS = {
    "key", "title", "hours", "ects", "planned", "achievement_threshold", "participation_threshold", "badge_image",
}



class _Collector:
    """Collects errors with their location."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def unknown_fields(self, where: str, data: Mapping[Any, Any], allowed: set[str]) -> None:
        # Keys of any type (YAML allows numbers, lists...), in a stable order; shown as they are when short,
        # printable text, else cut short and escaped (an error is one line of bounded length).
        for name in sorted(key if isinstance(key, str) and key.isprintable() and len(key) <= MAX_FIELD_NAME
                           else checks.show(key) for key in data if key not in allowed):
            self.add(f"{where}.{name}", f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def text(self, where: str, data: Mapping[str, Any], name: str, *, required: bool = True,
             max_length: int = 255) -> str:
        value = data.get(name)
        if value is None or value == "":
            if required:
                self.add(f"{where}.{name}", "is required")
            return ""
        if message := checks.check_text(value, max_length=max_length, multiline=not max_length):
            self.add(f"{where}.{name}", message)
            return ""
        return str(value).strip()

    def image_url(self, where: str, data: Mapping[str, Any]) -> str:
        """The optional ``badge_image`` (an http(s) URL of a PNG or SVG the admin provides)."""
        url = self.text(where, data, "badge_image", required=False)
        if url and (message := checks.check_http_url(url)):
            self.add(f"{where}.badge_image", message)
            return ""
        return url

    def slug(self, where: str, data: Mapping[str, Any]) -> str:
        value = data.get("id")
        if message := checks.check_slug(value):
            self.add(f"{where}.id", message)
            return ""
        return str(value)


def _issuer(col: _Collector, where: str, data: Any) -> IssuerSpec | None:
    if not isinstance(data, Mapping):
        col.add(where, "must be a mapping of id, name, url, email, country")
        return None
    col.unknown_fields(where, data, ISSUER_FIELDS)
    slug = col.slug(where, data)
    where = f"issuers[{slug}]" if slug else where
    name = col.text(where, data, "name")
    url = col.text(where, data, "url")
    if url and (message := checks.check_http_url(url)):
        col.add(f"{where}.url", message)
    email = col.text(where, data, "email", required=False)
    if email and (message := checks.check_email(email)):
        col.add(f"{where}.email", message)
    country = col.text(where, data, "country")
    if country and (message := checks.check_country(country)):
        col.add(f"{where}.country", message)
    return IssuerSpec(id=slug, name=name, url=url, email=email, country=country)


def _course(col: _Collector, where: str, data: Any) -> CourseSpec | None:
    if not isinstance(data, Mapping):
        col.add(where, "must be a mapping with at least key, title and hours")
        return None
    key = data.get("key")
    if message := checks.check_course_key(key):
        col.add(f"{where}.key", message)
        key = ""
    else:
        key = str(key).strip()
        where = f"{where.rsplit('[', 1)[0]}[{key}]"
    col.unknown_fields(where, data, COURSE_FIELDS)
    title = col.text(where, data, "title")
    hours = checks.as_number(data.get("hours")) or Decimal(0)
    if message := checks.check_hours(data.get("hours")):
        col.add(f"{where}.hours", message)
        hours = Decimal(0)
    ects = None
    if data.get("ects") is not None:
        if message := checks.check_ects(data["ects"]):
            col.add(f"{where}.ects", message)
        else:
            ects = checks.as_number(data["ects"])
    planned = data.get("planned", False)
    if not isinstance(planned, bool):
        col.add(f"{where}.planned", f"{checks.show(planned)} must be true or false")
        planned = False
    thresholds: dict[str, Decimal | None] = {}
    for name in ("achievement_threshold", "participation_threshold"):
        value = data.get(name)
        thresholds[name] = None
        if value is not None:
            if message := checks.check_share(value):
                col.add(f"{where}.{name}", message)
            else:
                thresholds[name] = checks.as_number(value)
    return CourseSpec(key=key, title=title, hours=hours, ects=ects, planned=planned,
                      badge_image=col.image_url(where, data), **thresholds)


def _program_issuers(col: _Collector, where: str, issuers: Any, issuer_ids: set[str]) -> list[str]:
    """A program's issuer ids: one or more, each known, none twice."""
    if isinstance(issuers, str):
        issuers = [issuers]
    if not isinstance(issuers, list) or not issuers or not all(isinstance(i, str) for i in issuers):
        col.add(f"{where}.issuers", f"must list one or more issuer ids, got {checks.show(issuers)}")
        return []
    for issuer in issuers:
        if issuer not in issuer_ids:
            col.add(f"{where}.issuers", f"unknown issuer {checks.show(issuer)} (declare it under issuers)")
    if len(set(issuers)) != len(issuers):
        col.add(f"{where}.issuers", "names an issuer twice")
    return issuers


def _program(col: _Collector, where: str, data: Any, issuer_ids: set[str]) -> ProgramSpec | None:
    if not isinstance(data, Mapping):
        col.add(where, "must be a mapping of id, title, description, issuers, courses")
        return None
    col.unknown_fields(where, data, PROGRAM_FIELDS)
    slug = col.slug(where, data)
    where = f"programs[{slug}]" if slug else where
    title = col.text(where, data, "title")
    description = col.text(where, data, "description", required=False, max_length=0)
    issuers = _program_issuers(col, where, data.get("issuers"), issuer_ids)
    raw_courses = data.get("courses")
    if not isinstance(raw_courses, list):
        col.add(f"{where}.courses", "must be a list of courses")
        raw_courses = []
    if len(raw_courses) > MAX_PROGRAM_COURSES:
        col.add(f"{where}.courses", f"a program may have at most {MAX_PROGRAM_COURSES} courses, this one has "
                                    f"{len(raw_courses)}")
        raw_courses = []
    courses = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_courses):
        course = _course(col, f"{where}.courses[{index}]", raw)
        if course is None:
            continue
        # The platform finds courses without regard to case or accents (MySQL's collation): so does this check.
        if course.key and checks.compared_course_key(course.key) in seen:
            col.add(f"{where}.courses[{course.key}]",
                    "is listed twice (course keys are compared without case or accents)")
        seen.add(checks.compared_course_key(course.key))
        courses.append(course)
    # The number of courses and the hours are checked on the programme's valid paths, across the catalog
    # (structure.check_structure), as electives and nested programmes count there.
    return ProgramSpec(
        id=slug, title=title, description=description, issuers=tuple(map(str, issuers)), courses=tuple(courses),
        **_eu_elements(col, where, data), badge_image=col.image_url(where, data),
        electives=structure.parse_electives(col, where, data.get("electives"), _course),
        capstone=structure.parse_capstone(col, where, data.get("capstone")),
        requires=structure.parse_requires(col, where, data.get("requires")),
        recognitions=structure.parse_recognitions(col, where, data.get("recognitions")),
    )


def _eu_elements(col: _Collector, where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The optional EU micro-credential elements of a program."""
    outcomes = data.get("learning_outcomes") or []
    if isinstance(outcomes, str):
        outcomes = [line for line in outcomes.splitlines() if line.strip()]
    if not isinstance(outcomes, list) or not all(isinstance(o, str) and o.strip() for o in outcomes):
        col.add(f"{where}.learning_outcomes", "must be a list of learning outcomes (text)")
        outcomes = []
    # Each outcome is one line of text fit to show: they are stored one a line, and read back line by line.
    problems = [(index, message) for index, outcome in enumerate(outcomes)
                if (message := checks.check_text(outcome, max_length=0) or _line_break(outcome))]
    for index, message in problems:
        col.add(f"{where}.learning_outcomes[{index}]", message)
    if problems:
        outcomes = []
    level = data.get("eqf_level")
    if level is not None and (message := checks.check_eqf_level(level)):
        col.add(f"{where}.eqf_level", message)
        level = None
    return {
        "learning_outcomes": tuple(o.strip() for o in outcomes),
        "eqf_level": level,
        "participation_form": col.text(where, data, "participation_form", required=False),
        "assessment_type": col.text(where, data, "assessment_type", required=False),
        "quality_assurance": col.text(where, data, "quality_assurance", required=False, max_length=0),
    }


def _line_break(text: str) -> str | None:
    """Error message if ``text`` holds a line or paragraph separator (U+2028, U+2029), which break lines too."""
    for char in text:
        if char in "\u2028\u2029":
            return f"contains U+{ord(char):04X} ({unicodedata.name(char)}): write one learning outcome a line"
    return None


def validate_catalog(data: Any, *, known_issuer_ids: Iterable[str] = (),
                     known_programs: Mapping[str, ProgramSpec] | None = None) -> CatalogSpec:
    """
    Validate a parsed catalog (a mapping with ``issuers`` and ``programs``) as a whole.

    ``known_issuer_ids`` are issuers already stored, which programs may name without declaring them;
    ``known_programs`` the stored programmes, which a programme may require as a step.

    Raises:
        CatalogError: listing every problem, each prefixed with where it is.
    """
    col = _Collector()
    warnings: list[str] = []
    if not isinstance(data, Mapping):
        raise CatalogError(["file: must be a mapping with 'issuers' and 'programs'"])
    col.unknown_fields("file", data, {"issuers", "programs"})
    raw_issuers = data.get("issuers") or []
    raw_programs = data.get("programs") or []
    if not isinstance(raw_issuers, list):
        col.add("issuers", "must be a list")
        raw_issuers = []
    if not isinstance(raw_programs, list):
        col.add("programs", "must be a list")
        raw_programs = []
    for name, items, limit in (("issuers", raw_issuers, MAX_ISSUERS), ("programs", raw_programs, MAX_PROGRAMS)):
        if len(items) > limit:
            raise CatalogError([f"{name}: a file may declare at most {limit} {name}, this one has {len(items)}"])
    issuers = [spec for i, raw in enumerate(raw_issuers) if (spec := _issuer(col, f"issuers[{i}]", raw))]
    _duplicates(col, "issuers", [issuer.id for issuer in issuers])
    issuer_ids = {issuer.id for issuer in issuers} | set(known_issuer_ids)
    programs = [
        program for i, raw in enumerate(raw_programs)
        if (program := _program(col, f"programs[{i}]", raw, issuer_ids))
    ]
    _duplicates(col, "programs", [program.id for program in programs])
    structure.check_structure(col, programs, known_programs or {}, issuer_ids, warnings)
    if col.errors:
        raise CatalogError(col.errors)
    return CatalogSpec(issuers=tuple(issuers), programs=tuple(programs), warnings=tuple(warnings))


def _duplicates(col: _Collector, where: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for slug in ids:
        if slug and slug in seen:
            col.add(f"{where}[{slug}]", "is declared twice")
        seen.add(slug)


def _parse(text: str) -> Any:
    """
    The data of a file's text: JSON read as JSON, anything else as YAML.

    PyYAML reads YAML 1.1, which is not quite a superset of JSON: it reads the JSON escapes of a character beyond
    U+FFFF (a surrogate pair, as for an emoji) as two lone surrogates, refuses characters JSON allows (U+FFFE, C1
    controls) and reads U+0085 as a line break. So a file that is JSON means what JSON says.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return yaml.safe_load(text)


def parse_catalog(text: str, *, known_issuer_ids: Iterable[str] = (),
                  known_programs: Mapping[str, ProgramSpec] | None = None) -> CatalogSpec:
    """
    Parse and validate a catalog file's text (YAML or JSON).

    Raises:
        CatalogError: if the text is not YAML/JSON or the catalog is invalid.
    """
    if len(text) > MAX_FILE_CHARACTERS:
        raise CatalogError([f"file: larger than {MAX_FILE_CHARACTERS:,} characters ({len(text):,})"])
    try:
        data = _parse(text)
    except RecursionError as exc:
        raise CatalogError(["file: nested deeper than a catalog can be"]) from exc
    except Exception as exc:  # pylint: disable=broad-except
        # Not only YAMLError: PyYAML's constructors raise what they meet, e.g. ValueError for the date 2001-13-45
        # or an integer of 5,000 digits, AttributeError for "!!timestamp x".
        raise CatalogError([f"file: not valid YAML or JSON: {str(exc)[:MAX_MESSAGE]}"]) from exc
    try:
        return validate_catalog(data, known_issuer_ids=known_issuer_ids, known_programs=known_programs)
    except RecursionError as exc:  # pragma: no cover - the parser refuses such depth first
        raise CatalogError(["file: nested deeper than a catalog can be"]) from exc


def _plain(number: Decimal | None) -> int | float | None:
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _course_dict(c: CourseSpec) -> dict[str, Any]:
    return {
        key: value for key, value in (
            ("key", c.key),
            ("title", c.title),
            ("hours", _plain(c.hours)),
            ("ects", _plain(c.ects)),
            ("planned", c.planned),
            ("achievement_threshold", _plain(c.achievement_threshold)),
            ("participation_threshold", _plain(c.participation_threshold)),
            ("badge_image", c.badge_image or None),
        ) if value is not None
    }


def catalog_to_dict(spec: CatalogSpec) -> dict[str, Any]:
    """The catalog as plain data in the file format (what ``dump`` writes and ``load`` reads)."""
    return {
        "issuers": [
            {"id": i.id, "name": i.name, "url": i.url, "email": i.email, "country": i.country}
            for i in spec.issuers
        ],
        "programs": [
            {
                "id": p.id,
                "title": p.title,
                "description": p.description,
                "issuers": list(p.issuers),
                "courses": [_course_dict(c) for c in p.courses],
                **{
                    key: value for key, value in (
                        ("learning_outcomes", list(p.learning_outcomes) or None),
                        ("eqf_level", p.eqf_level),
                        ("participation_form", p.participation_form or None),
                        ("assessment_type", p.assessment_type or None),
                        ("quality_assurance", p.quality_assurance or None),
                        ("badge_image", p.badge_image or None),
                    ) if value is not None
                },
                **structure.structure_to_dict(p, _plain, _course_dict),
            }
            for p in spec.programs
        ],
    }


def dump_text(spec: CatalogSpec, *, fmt: str = "yaml") -> str:
    """The catalog as YAML or JSON text."""
    data = catalog_to_dict(spec)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
