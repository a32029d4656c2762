"""
Program catalog files: the plain data they declare, the checks every value passes, parsing and dumping.

No database access: the api stores a validated catalog (``api.load_catalog``). The Django admin uses the same
single-field checks, so a program is valid or invalid the same way wherever it is edited.

* :mod:`.specs`: the validated file as frozen data, and ``CatalogError``;
* :mod:`.checks`: the single-field checks (each returns an error message or None);
* :mod:`.files`: parsing and validating a whole file, and the file format ``dump`` writes;
* :mod:`.structure`: elective groups, the capstone, nested programmes and recognitions, checked across the file.
"""
from __future__ import annotations

from .checks import (
    EQF_LEVELS,
    HOURS_RANGE,
    MIN_COURSES,
    check_country,
    check_course_count,
    check_course_key,
    check_ects,
    check_email,
    check_eqf_level,
    check_hours,
    check_http_url,
    check_share,
    check_slug,
    check_text,
    compared_course_key,
    hours_warning,
    show,
)
from .files import catalog_to_dict, dump_text, parse_catalog, validate_catalog
from .specs import (
    CapstoneSpec,
    CatalogError,
    CatalogSpec,
    CourseSpec,
    CreditsSpec,
    GroupSpec,
    IssuerSpec,
    ProgramSpec,
    RecognitionSpec,
)
from .structure import spec_tree

__all__ = [
    "CatalogError",
    "CatalogSpec",
    "CourseSpec",
    "IssuerSpec",
    "ProgramSpec",
    "CapstoneSpec",
    "CreditsSpec",
    "GroupSpec",
    "RecognitionSpec",
    "spec_tree",
    "MIN_COURSES",
    "EQF_LEVELS",
    "HOURS_RANGE",
    "parse_catalog",
    "validate_catalog",
    "check_course_key",
    "check_ects",
    "check_email",
    "check_eqf_level",
    "check_hours",
    "check_http_url",
    "check_slug",
    "check_country",
    "check_course_count",
    "check_share",
    "hours_warning",
    "check_text",
    "compared_course_key",
    "show",
    "catalog_to_dict",
    "dump_text",
]
