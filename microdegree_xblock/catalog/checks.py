"""
The single-field checks of the program catalog, one place for program files and the Django admin alike.

Each check returns an error message (naming the value and what is expected) or None.
"""
from __future__ import annotations

import re
import reprlib
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from ..limits import COURSE_HOURS, ECTS, EQF_LEVELS, NUMBER_PLACES, SHARE_PLACES

__all__ = [
    "COUNTRIES", "COURSE_HOURS", "ECTS", "EQF_LEVELS", "HOURS_RANGE", "MIN_COURSES", "SHARE_PLACES", "as_number",
    "check_country", "check_course_count", "check_course_key", "check_ects", "check_email", "check_eqf_level",
    "check_hours", "check_http_url", "check_share", "check_slug", "check_text", "compared_course_key", "hours_warning",
    "rounding_problem",
    "show",
]

MIN_COURSES = 3
HOURS_RANGE = (Decimal(90), Decimal(150))
# What the columns can hold and what makes sense (limits.py; docs/decisions/0024-catalog-value-limits.rst).
COURSE_KEY_LENGTH = 255
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


# Error messages show a value cut short: never a whole file, never an expanded YAML alias.
_SHOW = reprlib.Repr()
_SHOW.maxlevel, _SHOW.maxlist, _SHOW.maxdict, _SHOW.maxtuple, _SHOW.maxset = 2, 4, 4, 4, 4
_SHOW.maxstring, _SHOW.maxother, _SHOW.maxlong = 60, 60, 40
# Characters that reorder or hide text (bidirectional controls), never wanted in a name or title.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def show(value: object) -> str:
    """A value for an error message: its repr, cut to a fixed length whatever its size or depth."""
    return _SHOW.repr(value)


def as_number(value: object) -> Decimal | None:
    """A finite Decimal from an int, float, str or Decimal (never a bool), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _places(number: Decimal) -> int:
    """
    How many decimal places a number has (``0.60`` has one: trailing zeros say nothing).

    Counted on its digits, exactly: ``normalize()`` would round to the context's precision first, and so count
    none in ``1e-999999999`` (which underflows to 0) and one in ``0.6000000000000000000000000000001``.
    """
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int):
        return 0
    significant = "".join(map(str, digits)).rstrip("0")
    return max(0, -(exponent + len(digits) - len(significant))) if significant else 0


def _number_problem(value: object, *, low: Decimal, high: Decimal, places: int, low_open: bool,
                    what: str) -> str | None:
    number = as_number(value)
    if number is None or number > high or number < low or (low_open and number == low):
        bound = "greater than" if low_open else "at least"
        return f"{show(value)} must be {what}: a number {bound} {low} and at most {high}"
    return rounding_problem(value, number, places)


def rounding_problem(value: object, number: Decimal, places: int) -> str | None:
    """Error message if storing ``number`` with ``places`` decimals would change it (it is refused, not rounded)."""
    if _places(number) > places:
        stored = number.quantize(Decimal(1).scaleb(-places))
        unit = "decimal place" if places == 1 else "decimal places"
        return f"{show(value)} has more than {places} {unit}; it would be stored as {stored}"
    return None


def check_text(value: object, *, max_length: int = 255, multiline: bool = False) -> str | None:
    """
    Error message if ``value`` is not a text fit to show (a name, a title, a description).

    At most ``max_length`` characters (0: no limit), not blank, no control characters (line breaks and tabs only
    where ``multiline``) and no bidirectional controls, which could make a certificate read otherwise than stored;
    no lone surrogates, which are no characters.
    """
    if not isinstance(value, str):
        return f"must be text, got {show(value)}"
    if not value.strip():
        return "is required (it is blank)"
    if max_length and len(value) > max_length:
        return f"is longer than {max_length} characters"
    allowed = "\n\t\r" if multiline else ""
    for char in value:
        if unicodedata.category(char) == "Cs":
            # Half of a UTF-16 surrogate pair (YAML reads the JSON-style escape "\ud83d" as one): no character,
            # and no database can store it.
            return f"contains U+{ord(char):04X}, half of a surrogate pair, which is no character"
        if char in _BIDI_CONTROLS or (unicodedata.category(char) == "Cc" and char not in allowed):
            return (f"contains U+{ord(char):04X} ({unicodedata.name(char, 'a control character')}), which may not "
                    f"appear in a name or title")
    return None


def check_slug(value: object) -> str | None:
    """Error message if ``value`` is not an id slug (lower-case letters, digits, '-' or '_')."""
    if not isinstance(value, str) or not SLUG_RE.match(value):
        return f"{show(value)} must be a slug: lower-case letters, digits, '-' or '_' (max 64)"
    return None


def check_http_url(value: object) -> str | None:
    """Error message if ``value`` is not an http(s) URL."""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return f"{show(value)} is not an http(s) URL"
    return None


def check_email(value: object) -> str | None:
    """Error message if ``value`` is not an email address."""
    if not isinstance(value, str):
        return f"{show(value)} is not an email address"
    try:
        EmailValidator()(value)
    except ValidationError:
        return f"{show(value)} is not an email address"
    return None


def check_hours(value: object) -> str | None:
    """Error message if ``value`` is not a course's number of hours: more than 0, at most 1,000, one decimal."""
    low, high = COURSE_HOURS
    return _number_problem(value, low=low, high=high, places=NUMBER_PLACES, low_open=True,
                           what="a positive number of hours")


def check_ects(value: object) -> str | None:
    """Error message if ``value`` is not a course's ECTS credits: 0 to 60, one decimal."""
    low, high = ECTS
    return _number_problem(value, low=low, high=high, places=NUMBER_PLACES, low_open=False, what="ECTS credits")


def check_eqf_level(value: object) -> str | None:
    """Error message if ``value`` is not a European Qualifications Framework level (1 to 8)."""
    low, high = EQF_LEVELS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{show(value)} must be an EQF level, a whole number from {low} to {high}"
    return None


def check_course_key(value: object) -> str | None:
    """Error message if ``value`` is not a valid course key."""
    if not isinstance(value, str) or not value.strip():
        return "must be a course key such as course-v1:Org+Course+Run"
    if len(value.strip()) > COURSE_KEY_LENGTH:
        return f"is longer than {COURSE_KEY_LENGTH} characters"
    try:
        CourseKey.from_string(value.strip())
    except InvalidKeyError:
        return f"{show(value)} is not a valid course key (expected e.g. course-v1:Org+Course+Run)"
    return None


def compared_course_key(key: str) -> str:
    """
    A course key as MySQL's utf8mb4 collations compare it: without case or accents (``Café`` is ``cafe``).

    Two keys of one program that are equal so would break the program-course constraint there; the api finds a
    stored course by it too.
    """
    decomposed = unicodedata.normalize("NFKD", key.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def check_country(value: object) -> str | None:
    """Error message if ``value`` is not an ISO 3166-1 alpha-2 country code."""
    if not isinstance(value, str) or value not in COUNTRIES:
        return f"{show(value)} is not an ISO 3166-1 alpha-2 country code (e.g. DE)"
    return None


def check_share(value: object) -> str | None:
    """
    Error message if ``value`` is not a threshold: more than 0, at most 1, at most four decimals (as stored).

    Checked on the value as it will be stored, so nothing is rounded silently (0.00004 would become 0.0000 and
    let a grade of 0 % earn; 0.99999 would become 1.0000).
    """
    number = as_number(value)
    if number is None or not Decimal(0) < number <= Decimal(1):
        return f"{show(value)} must be a number greater than 0 and at most 1 (e.g. 0.6 for 60 %)"
    return rounding_problem(value, number, SHARE_PLACES)


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
