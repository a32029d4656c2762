"""
The single-field checks of the program catalog, one place for program files and the Django admin alike.

Each check returns an error message (naming the value and what is expected) or None.
"""
from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

__all__ = [
    "COUNTRIES", "EQF_LEVELS", "HOURS_RANGE", "MIN_COURSES", "as_number", "check_country", "check_course_count",
    "check_course_key", "check_email", "check_eqf_level", "check_hours", "check_http_url", "check_share",
    "check_slug", "hours_warning",
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


def as_number(value: object) -> Decimal | None:
    """A finite Decimal from an int, float, str or Decimal (never a bool), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None



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
    number = as_number(value)
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
    number = as_number(value)
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
