"""
Program catalog files (YAML or JSON): parsing and validation, with no database access.

The management command and the Django admin use the same checks, so a program is valid or invalid the same way
wherever it is edited. Every error names the program, the course and the field it is about.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

__all__ = [
    "CatalogError",
    "CatalogSpec",
    "CourseSpec",
    "IssuerSpec",
    "ProgramSpec",
    "MIN_COURSES",
    "HOURS_RANGE",
    "parse_catalog",
    "validate_catalog",
    "check_course_key",
    "check_email",
    "check_eqf_level",
    "check_hours",
    "check_http_url",
    "check_slug",
    "check_country",
    "check_course_count",
    "check_share",
    "hours_warning",
    "catalog_to_dict",
    "dump_text",
]

MIN_COURSES = 3
EQF_LEVELS = (1, 8)
HOURS_RANGE = (Decimal(90), Decimal(150))
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?$")
# ISO 3166-1 alpha-2 (all 249 officially assigned codes).
COUNTRIES = frozenset(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY "
    "BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM "
    "FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT "
    "JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN "
    "MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT "
    "PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL "
    "TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW".split()
)

ISSUER_FIELDS = {"id", "name", "url", "email", "country"}
PROGRAM_FIELDS = {
    "id", "title", "description", "issuers", "courses", "learning_outcomes", "eqf_level", "participation_form",
    "assessment_type", "quality_assurance", "badge_image",
}
COURSE_FIELDS = {
    "key", "title", "hours", "ects", "planned", "achievement_threshold", "participation_threshold", "badge_image",
}


class CatalogError(ValueError):
    """A catalog file is invalid; ``errors`` lists every problem found, each naming where it is."""

    def __init__(self, errors: Iterable[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class IssuerSpec:
    """An issuer as a catalog file declares it."""

    id: str
    name: str
    url: str
    email: str = ""
    country: str = ""


@dataclass(frozen=True)
class CourseSpec:
    """A program course as a catalog file declares it (thresholds None: the platform default)."""

    key: str
    title: str
    hours: Decimal
    ects: Decimal | None = None
    planned: bool = False
    achievement_threshold: Decimal | None = None
    participation_threshold: Decimal | None = None
    badge_image: str = ""


@dataclass(frozen=True)
class ProgramSpec:
    """
    A program as a catalog file declares it.

    The EU micro-credential elements (learning outcomes, EQF level, form of participation, type of assessment, type
    of quality assurance) are optional; empty ones fall back to the platform's settings in the credentials.
    """

    id: str
    title: str
    description: str
    issuers: tuple[str, ...]
    courses: tuple[CourseSpec, ...]
    learning_outcomes: tuple[str, ...] = ()
    eqf_level: int | None = None
    participation_form: str = ""
    assessment_type: str = ""
    quality_assurance: str = ""
    badge_image: str = ""


@dataclass(frozen=True)
class CatalogSpec:
    """A whole validated catalog file, and the warnings it gave."""

    issuers: tuple[IssuerSpec, ...] = ()
    programs: tuple[ProgramSpec, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)


# Single-field checks, shared with the admin forms. Each returns an error message or None.

def check_slug(value: object) -> str | None:
    """Error message if ``value`` is not an id slug (lower-case letters, digits, '-' or '_')."""
    if not isinstance(value, str) or not SLUG_RE.match(value):
        return f"{value!r} must be a slug: lower-case letters, digits, '-' or '_' (max 64)"
    return None


def check_http_url(value: object) -> str | None:
    """Error message if ``value`` is not an http(s) URL."""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return f"{value!r} is not an http(s) URL"
    return None


def check_email(value: object) -> str | None:
    """Error message if ``value`` is not an email address."""
    if not isinstance(value, str):
        return f"{value!r} is not an email address"
    try:
        EmailValidator()(value)
    except ValidationError:
        return f"{value!r} is not an email address"
    return None


def check_hours(value: object) -> str | None:
    """Error message if ``value`` is not a positive number of hours."""
    number = _number(value)
    if number is None or number <= 0:
        return f"{value!r} must be a positive number of hours"
    return None


def check_eqf_level(value: object) -> str | None:
    """Error message if ``value`` is not a European Qualifications Framework level (1 to 8)."""
    low, high = EQF_LEVELS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{value!r} must be an EQF level, a whole number from {low} to {high}"
    return None


def check_course_key(value: object) -> str | None:
    """Error message if ``value`` is not a valid course key."""
    if not isinstance(value, str) or not value.strip():
        return "must be a course key such as course-v1:Org+Course+Run"
    try:
        CourseKey.from_string(value.strip())
    except InvalidKeyError:
        return f"{value!r} is not a valid course key (expected e.g. course-v1:Org+Course+Run)"
    return None


def check_country(value: object) -> str | None:
    """Error message if ``value`` is not an ISO 3166-1 alpha-2 country code."""
    if not isinstance(value, str) or value not in COUNTRIES:
        return f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. DE)"
    return None


def check_share(value: object) -> str | None:
    """Error message if ``value`` is not a threshold in (0, 1]."""
    number = _number(value)
    if number is None or not Decimal(0) < number <= Decimal(1):
        return f"{value!r} must be a number greater than 0 and at most 1 (e.g. 0.6 for 60 %)"
    return None


def check_course_count(count: int) -> str | None:
    """Error message if a program has too few courses to be a micro-degree."""
    if count < MIN_COURSES:
        return f"a micro-degree needs at least {MIN_COURSES} courses, this program has {count}"
    return None


def hours_warning(total: Decimal) -> str | None:
    """Warning if a program's total hours are outside the recommended 90 to 150."""
    low, high = HOURS_RANGE
    if not low <= total <= high:
        return f"total workload is {total} hours, outside the recommended {low} to {high} hours"
    return None


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


class _Collector:
    """Collects errors with their location."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def unknown_fields(self, where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
        for name in sorted(set(data) - allowed):
            self.add(f"{where}.{name}", f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def text(self, where: str, data: Mapping[str, Any], name: str, *, required: bool = True,
             max_length: int = 255) -> str:
        value = data.get(name)
        if value is None or value == "":
            if required:
                self.add(f"{where}.{name}", "is required")
            return ""
        if not isinstance(value, str):
            self.add(f"{where}.{name}", f"must be text, got {value!r}")
            return ""
        if max_length and len(value) > max_length:
            self.add(f"{where}.{name}", f"is longer than {max_length} characters")
        return value.strip()

    def image_url(self, where: str, data: Mapping[str, Any]) -> str:
        """The optional ``badge_image`` (an http(s) URL of a PNG or SVG the admin provides)."""
        url = self.text(where, data, "badge_image", required=False)
        if url and (message := check_http_url(url)):
            self.add(f"{where}.badge_image", message)
            return ""
        return url

    def slug(self, where: str, data: Mapping[str, Any]) -> str:
        value = data.get("id")
        if message := check_slug(value):
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
    if url and (message := check_http_url(url)):
        col.add(f"{where}.url", message)
    email = col.text(where, data, "email", required=False)
    if email and (message := check_email(email)):
        col.add(f"{where}.email", message)
    country = col.text(where, data, "country")
    if country and (message := check_country(country)):
        col.add(f"{where}.country", message)
    return IssuerSpec(id=slug, name=name, url=url, email=email, country=country)


def _course(col: _Collector, where: str, data: Any) -> CourseSpec | None:
    if not isinstance(data, Mapping):
        col.add(where, "must be a mapping with at least key, title and hours")
        return None
    key = data.get("key")
    if message := check_course_key(key):
        col.add(f"{where}.key", message)
        key = ""
    else:
        key = str(key).strip()
        where = f"{where.rsplit('[', 1)[0]}[{key}]"
    col.unknown_fields(where, data, COURSE_FIELDS)
    title = col.text(where, data, "title")
    hours = _number(data.get("hours")) or Decimal(0)
    if message := check_hours(data.get("hours")):
        col.add(f"{where}.hours", message)
        hours = Decimal(0)
    ects = None
    if data.get("ects") is not None:
        ects = _number(data["ects"])
        if ects is None or ects < 0:
            col.add(f"{where}.ects", f"{data['ects']!r} must be a non-negative number")
            ects = None
    planned = data.get("planned", False)
    if not isinstance(planned, bool):
        col.add(f"{where}.planned", f"{planned!r} must be true or false")
        planned = False
    thresholds: dict[str, Decimal | None] = {}
    for name in ("achievement_threshold", "participation_threshold"):
        value = data.get(name)
        thresholds[name] = None
        if value is not None:
            if message := check_share(value):
                col.add(f"{where}.{name}", message)
            else:
                thresholds[name] = _number(value)
    return CourseSpec(key=key, title=title, hours=hours, ects=ects, planned=planned,
                      badge_image=col.image_url(where, data), **thresholds)


def _program(col: _Collector, where: str, data: Any, issuer_ids: set[str], warnings: list[str]) -> ProgramSpec | None:
    if not isinstance(data, Mapping):
        col.add(where, "must be a mapping of id, title, description, issuers, courses")
        return None
    col.unknown_fields(where, data, PROGRAM_FIELDS)
    slug = col.slug(where, data)
    where = f"programs[{slug}]" if slug else where
    title = col.text(where, data, "title")
    description = col.text(where, data, "description", required=False, max_length=0)
    issuers = data.get("issuers")
    if isinstance(issuers, str):
        issuers = [issuers]
    if not isinstance(issuers, list) or not issuers:
        col.add(f"{where}.issuers", "must list one or more issuer ids")
        issuers = []
    for issuer in issuers:
        if issuer not in issuer_ids:
            col.add(f"{where}.issuers", f"unknown issuer {issuer!r} (declare it under issuers)")
    if len(set(map(str, issuers))) != len(issuers):
        col.add(f"{where}.issuers", "names an issuer twice")
    raw_courses = data.get("courses")
    if not isinstance(raw_courses, list):
        col.add(f"{where}.courses", "must be a list of courses")
        raw_courses = []
    courses = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_courses):
        course = _course(col, f"{where}.courses[{index}]", raw)
        if course is None:
            continue
        if course.key and course.key in seen:
            col.add(f"{where}.courses[{course.key}]", "is listed twice")
        seen.add(course.key)
        courses.append(course)
    if message := check_course_count(len(raw_courses)):
        col.add(f"{where}.courses", message)
    total = sum((course.hours for course in courses), Decimal(0))
    if courses and (warning := hours_warning(total)):
        warnings.append(f"{where}: {warning}")
    return ProgramSpec(
        id=slug, title=title, description=description, issuers=tuple(map(str, issuers)), courses=tuple(courses),
        **_eu_elements(col, where, data), badge_image=col.image_url(where, data),
    )


def _eu_elements(col: _Collector, where: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The optional EU micro-credential elements of a program."""
    outcomes = data.get("learning_outcomes") or []
    if isinstance(outcomes, str):
        outcomes = [line for line in outcomes.splitlines() if line.strip()]
    if not isinstance(outcomes, list) or not all(isinstance(o, str) and o.strip() for o in outcomes):
        col.add(f"{where}.learning_outcomes", "must be a list of learning outcomes (text)")
        outcomes = []
    level = data.get("eqf_level")
    if level is not None and (message := check_eqf_level(level)):
        col.add(f"{where}.eqf_level", message)
        level = None
    return {
        "learning_outcomes": tuple(o.strip() for o in outcomes),
        "eqf_level": level,
        "participation_form": col.text(where, data, "participation_form", required=False),
        "assessment_type": col.text(where, data, "assessment_type", required=False),
        "quality_assurance": col.text(where, data, "quality_assurance", required=False, max_length=0),
    }


def validate_catalog(data: Any, *, known_issuer_ids: Iterable[str] = ()) -> CatalogSpec:
    """
    Validate a parsed catalog (a mapping with ``issuers`` and ``programs``) as a whole.

    ``known_issuer_ids`` are issuers already stored, which programs may name without declaring them.

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
    issuers = [spec for i, raw in enumerate(raw_issuers) if (spec := _issuer(col, f"issuers[{i}]", raw))]
    _duplicates(col, "issuers", [issuer.id for issuer in issuers])
    issuer_ids = {issuer.id for issuer in issuers} | set(known_issuer_ids)
    programs = [
        program for i, raw in enumerate(raw_programs)
        if (program := _program(col, f"programs[{i}]", raw, issuer_ids, warnings))
    ]
    _duplicates(col, "programs", [program.id for program in programs])
    if col.errors:
        raise CatalogError(col.errors)
    return CatalogSpec(issuers=tuple(issuers), programs=tuple(programs), warnings=tuple(warnings))


def _duplicates(col: _Collector, where: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for slug in ids:
        if slug and slug in seen:
            col.add(f"{where}[{slug}]", "is declared twice")
        seen.add(slug)


def parse_catalog(text: str, *, known_issuer_ids: Iterable[str] = ()) -> CatalogSpec:
    """
    Parse and validate a catalog file's text (YAML, of which JSON is a subset).

    Raises:
        CatalogError: if the text is not YAML/JSON or the catalog is invalid.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError([f"file: not valid YAML or JSON: {exc}"]) from exc
    return validate_catalog(data, known_issuer_ids=known_issuer_ids)


def _plain(number: Decimal | None) -> int | float | None:
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


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
                "courses": [
                    {
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
                    for c in p.courses
                ],
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
