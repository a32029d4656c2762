"""
Hypothesis strategies: program files, grade and completion events, and request bodies, each with its meaning.

Every strategy draws what a platform could really be sent, from the well-formed to the hostile, together with what
the input means where a test needs an oracle, so that no test has to ask the code under test what it should have
done:

* **Program files.** :func:`program_files` draws a valid catalog using every field the format knows (README,
  "Fields and checks") as the :class:`~microdegree_xblock.catalog.CatalogSpec` it declares, then writes it as YAML
  or JSON in one of the many ways the format allows (numbers as integers, floats or strings, optional fields
  omitted, null or empty, text padded with spaces, one issuer as a plain id, outcomes as a list or as lines).
  :func:`broken_files` applies one mutation to such a file and says where the error must be (the place every
  message starts with), or that the text may even be valid (truncated or random text).
* **Events.** :func:`event_sequences` draws short sequences of grade, passing-status and completion events for
  named learners, in and out of time order, with duplicates, percents at and around the thresholds and outside
  0..1 (:func:`share_edges`), and malformed payloads the data classes let through (NaN, strings, no course, user
  ids that are no learner's); :func:`course_grades` one learner's grades in every course of a program.
* **Request bodies.** :func:`json_bodies` draws the bytes of a JSON endpoint's body: valid objects, wrong types,
  duplicate keys, deep nesting, sizes around the limit, invalid UTF-8 and text that is no JSON at all;
  :func:`declared_charset_bodies` JSON in the charset a request declares; :func:`form_bodies` the same for an HTML
  form.
"""
from __future__ import annotations

import json
import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

import yaml
from hypothesis import strategies as st

from microdegree_xblock.catalog import CatalogSpec, CourseSpec, IssuerSpec, ProgramSpec
from microdegree_xblock.catalog.checks import COUNTRIES
from microdegree_xblock.catalog.files import MAX_FILE_CHARACTERS, MAX_PROGRAM_COURSES
from microdegree_xblock.payloads import MAX_BODY_BYTES, MAX_BODY_DEPTH

__all__ = [
    "BIDI_CONTROLS", "BrokenFile", "Completion", "Grade", "Passing", "ProgramFile", "broken_files", "catalogs",
    "course_grades", "declared_charset_bodies", "event_sequences", "folded", "form_bodies", "json_bodies",
    "program_files", "respelt", "share_edges", "weighted",
]


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """
    One of the strategies, each drawn with its weight (``st.one_of`` draws its distinct branches alike).

    The strategies are given, not built here, so hypothesis validates each once.
    """
    return st.sampled_from([strategy for weight, strategy in choices for _ in range(weight)]).flatmap(
        lambda strategy: strategy)


# ---------------------------------------------------------------------------------------------------------------
# Text

# The Unicode Bidi_Control characters: they reorder text without showing, and no name or title may hold them.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# What a name or title may hold: any character but a control (Cc), half a surrogate pair (Cs) or a bidi control.
_NAME_CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters=BIDI_CONTROLS)
_TEXT_CHARS = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters=BIDI_CONTROLS,
                            include_characters="\n\t\r")
# Characters that make a name invalid: controls (line breaks and tabs included) and bidi controls.
_LINE_CONTROLS = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))
_TEXT_CONTROLS = "".join(char for char in _LINE_CONTROLS if char not in "\n\t\r")
MAX_TEXT = 255


def _core(alphabet: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    """A text as stored: not blank, no leading or trailing whitespace."""
    return st.text(alphabet, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def _names() -> st.SearchStrategy[str]:
    """A one-line text as stored: a usual name, any short text, or exactly the 255 characters a column holds."""
    return weighted(
        (3, st.sampled_from(["Basics", "Ärztliche Ethik", "KI & Recht <II>", "数据科学", "Ünïcödé 😀 names",
                             "O'Brien \"Quotes\" 'n' \\ back", "yes", "null", "1.0", "- dash", "# hash"])),
        (2, _core(_NAME_CHARS, 10)),
        (1, st.sampled_from("aß漢😀").map(lambda char: char * MAX_TEXT)),
    )


def _texts() -> st.SearchStrategy[str]:
    """A multi-line text as stored (a description, a type of quality assurance): no length limit."""
    return weighted(
        (2, st.sampled_from(["One line.", "Two\nlines,\tone tab.", "Windows\r\nline ends", "Trailing \n  spaces  "
                             "\n\nand a blank line", "Old Mac\rline end"])),
        (1, _core(_TEXT_CHARS, 30)),
    )


# ---------------------------------------------------------------------------------------------------------------
# Catalog values

_ALNUM = string.ascii_lowercase + string.digits
# Slugs: lower-case letters and digits, '-' and '_' inside; up to the 64 characters an id may have.
_SLUGS = weighted(
    (9, st.builds("{}{}".format, st.sampled_from(_ALNUM), st.text(_ALNUM + "-_", max_size=6).map(
        lambda middle: middle.rstrip("-_")))),
    (1, st.just("a" * 32 + "-" + "b" * 31)),
)
_URLS = st.builds(
    "{}://{}{}".format,
    st.sampled_from(["http", "https"]),
    st.sampled_from(["uni.example", "www.charite.de", "ki-campus.org", "a.b.c.example.edu", "universität.example",
                     "127.0.0.1:8000", "localhost"]),
    st.sampled_from(["", "/", "/badge.png", "/img/badge-2.svg", "/b?v=2&size=large", "/%C3%A4.png"]),
)
_EMAILS = st.builds("{}@{}".format, st.sampled_from(["badges", "a.b+c", "x_y-z", "o'brien"]),
                    st.sampled_from(["example.org", "uni-mannheim.de", "sub.domain.example"]))
# Course key parts: what course-v1 keys allow (word characters of any script, '-', '~', '.').
_KEY_PART = weighted((3, st.sampled_from(["Org", "CS101", "2025_T1", "Ünï", "a.b-c~d", "漢字", "x", "ß"])),
                     (1, st.text(string.ascii_letters + string.digits + "_-~.éßÅ漢", min_size=1, max_size=6)))
_COURSE_KEYS = st.one_of(
    st.builds("course-v1:{}+{}+{}".format, _KEY_PART, _KEY_PART, _KEY_PART),
    # The deprecated form Org/Course/Run, which old platforms still hold.
    st.builds("{}/{}/{}".format, *[st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)] * 3),
)
_COUNTRIES = st.sampled_from(sorted(COUNTRIES))
_ACCENTED = dict(zip("aeioucAEIOUC", "áéîöüçÀÉÎÖÜÇ", strict=True))


def folded(key: str) -> str:
    """A course key as MySQL's utf8mb4 collations compare it, without case or accents: keys of a program differ so."""
    return "".join(char for char in unicodedata.normalize("NFKD", key.casefold()) if not unicodedata.combining(char))


def respelt(key: str, how: str) -> str | None:
    """The same course key in other case (``how`` "case") or with an accent ("accents"); None if it has no letter."""
    prefix = "course-v1:" if key.startswith("course-v1:") else ""
    rest = key[len(prefix):]
    if how == "case":
        other = "".join(char.swapcase() if char in string.ascii_letters else char for char in rest)
    else:
        at = next((i for i, char in enumerate(rest) if char in _ACCENTED), None)
        other = rest if at is None else rest[:at] + _ACCENTED[rest[at]] + rest[at + 1:]
    return prefix + other if other != rest else None


def _decimals(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    """Decimals from ``low`` to ``high`` in steps of 10^-places, the bounds and the smallest steps likelier."""
    steps = st.one_of(st.integers(low, high), st.sampled_from(sorted({low, low + 1, high - 1, high})))
    return steps.map(lambda n: Decimal(n).scaleb(-places))


# Strategies are built once: hypothesis validates each new strategy object, which costs more than drawing.
_NAMES = _names()
_TEXTS = _texts()
_HOURS = _decimals(1, 10_000, 1)           # more than 0, at most 1,000, one decimal
_ECTS = st.none() | _decimals(0, 600, 1)   # 0 to 60, one decimal
_THRESHOLDS = st.none() | _decimals(1, 10_000, 4)  # more than 0, at most 1, four decimals
_EQF_LEVELS = st.none() | st.integers(1, 8)
_OPTIONAL_URLS = st.just("") | _URLS
_OPTIONAL_EMAILS = st.just("") | _EMAILS
_INDICES = st.integers(0, 5)


def _some(draw: st.DrawFn, items: Sequence[str], low: int, high: int) -> tuple[str, ...]:
    """``low`` to ``high`` distinct items of ``items``, in a drawn order (``items`` must have at least ``low``)."""
    chosen: list[str] = []
    while len(chosen) < low or (len(chosen) < high and draw(st.booleans())):
        rest = [item for item in items if item not in chosen]
        if not rest:
            break
        chosen.append(rest[draw(_INDICES) % len(rest)])
    return tuple(chosen)


def _course(draw: st.DrawFn, key: str, names: st.SearchStrategy[str]) -> CourseSpec:
    return CourseSpec(
        key=key, title=draw(names), hours=draw(_HOURS), ects=draw(_ECTS), planned=draw(st.booleans()),
        achievement_threshold=draw(_THRESHOLDS), participation_threshold=draw(_THRESHOLDS),
        badge_image=draw(_OPTIONAL_URLS),
    )


def catalogs(*, slugs: st.SearchStrategy[str] = _SLUGS, names: st.SearchStrategy[str] = _NAMES,
             texts: st.SearchStrategy[str] = _TEXTS, max_issuers: int = 2,
             max_programs: int = 2) -> st.SearchStrategy[CatalogSpec]:
    """
    A valid catalog as the file declares it, and so as loading must store it: every field of the format.

    Issuers and programs with distinct ids (drawn from ``slugs``); a program names one or more of the issuers (the
    first leads) and has three or four courses, whose keys differ in more than case or accents; a course may be in
    several programs. Names, titles and learning outcomes are ``names``; descriptions and other long texts ``texts``.
    """
    outcomes = st.lists(names, max_size=2).map(tuple)
    optional_names = st.just("") | names
    optional_texts = st.just("") | texts
    issuer_ids = st.lists(slugs, min_size=1, max_size=max_issuers, unique=True)
    program_ids = st.lists(slugs, min_size=1, max_size=max_programs, unique=True)
    course_keys = st.lists(_COURSE_KEYS, min_size=3, max_size=4, unique_by=folded)

    @st.composite
    def build(draw: st.DrawFn) -> CatalogSpec:
        issuers = tuple(
            IssuerSpec(id=slug, name=draw(names), url=draw(_URLS), email=draw(_OPTIONAL_EMAILS),
                       country=draw(_COUNTRIES))
            for slug in draw(issuer_ids)
        )
        keys = draw(course_keys)
        programs = tuple(
            ProgramSpec(
                id=slug, title=draw(names), description=draw(optional_texts),
                issuers=_some(draw, [issuer.id for issuer in issuers], 1, 2),
                courses=tuple(_course(draw, key, names) for key in _some(draw, keys, 3, 4)),
                learning_outcomes=draw(outcomes), eqf_level=draw(_EQF_LEVELS),
                participation_form=draw(optional_names), assessment_type=draw(optional_names),
                quality_assurance=draw(optional_texts), badge_image=draw(_OPTIONAL_URLS),
            )
            for slug in draw(program_ids)
        )
        return CatalogSpec(issuers=issuers, programs=programs)

    return build()


# ---------------------------------------------------------------------------------------------------------------
# Writing a catalog as a file

_PADDINGS = st.sampled_from([("", ""), ("", ""), ("", ""), (" ", ""), ("", "  "), (" ", " "), ("\u3000", "")])
_NUMBER_FORMS = st.sampled_from(["float", "str", "scientific", "trailing zero", "int"])
_ABSENT = st.sampled_from(["omit", "null", "empty"])
_OUTCOME_SEPARATORS = st.sampled_from(["\n", "\n\n", "\n  \n"])


@dataclass(frozen=True)
class _Writer:
    """
    Writes a catalog as a file's plain data: each value in a drawn one of the ways the format allows.

    ``plain``: in the one canonical way, drawing nothing (what a broken file starts from: its mutation is the point).
    Plain functions of ``draw`` rather than composite strategies: hypothesis validates each new strategy object,
    which costs more than drawing from the ones built once here.
    """

    draw: st.DrawFn
    plain: bool = False

    def choose(self, strategy: st.SearchStrategy[Any], plain: Any) -> Any:
        return plain if self.plain else self.draw(strategy)

    def pad(self, value: str, *, limit: int = MAX_TEXT) -> str:
        """``value`` with spaces around it (stripped when stored), within ``limit`` characters; never a tab."""
        before, after = self.choose(_PADDINGS, ("", ""))
        written = f"{before}{value}{after}"
        return written if not limit or len(written) <= limit else value

    def number(self, value: Decimal) -> int | float | str:
        """An integer when whole, a float, or a string (plain, scientific, with a trailing zero and spaces)."""
        form = self.choose(_NUMBER_FORMS, "int")
        if form == "int" and value == value.to_integral_value():
            return int(value)
        if form == "str":
            return str(value)
        if form == "scientific":
            return f"{value:E}"
        if form == "trailing zero":
            return f" {value}0 " if "." in str(value) else f"{value}.0"
        return float(value)

    def optional(self, into: dict[Any, Any], name: str, value: Any, written: Callable[[], Any]) -> None:
        """An optional field: ``written()`` when it has a value; else nothing, null, or an empty value."""
        if value in (None, "", ()):
            absent = self.choose(_ABSENT, "omit")
            if absent != "omit":
                into[name] = None if absent == "null" else ([] if isinstance(value, tuple) else "")
        else:
            into[name] = written()

    def course(self, course: CourseSpec) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.pad(course.key, limit=0), "title": self.pad(course.title),
                                "hours": self.number(course.hours)}
        if course.planned or self.choose(st.booleans(), False):
            data["planned"] = course.planned
        for name in ("ects", "achievement_threshold", "participation_threshold"):
            value = getattr(course, name)
            if value is not None:
                data[name] = self.number(value)
            elif self.choose(st.booleans(), False):
                data[name] = None
        self.optional(data, "badge_image", course.badge_image, lambda: self.pad(course.badge_image))
        return data

    def outcomes(self, outcomes: tuple[str, ...]) -> list[str] | str:
        """A list, or one text of one outcome a line (blank lines between are ignored)."""
        if self.choose(st.booleans(), True):
            return [self.pad(outcome, limit=0) for outcome in outcomes]
        return self.draw(_OUTCOME_SEPARATORS).join(outcomes)

    def program(self, program: ProgramSpec) -> dict[str, Any]:
        issuers: list[str] | str = list(program.issuers)
        if len(issuers) == 1 and self.choose(st.booleans(), False):
            issuers = issuers[0]
        data: dict[str, Any] = {"id": program.id, "title": self.pad(program.title), "issuers": issuers,
                                "courses": [self.course(course) for course in program.courses]}
        for name, limit in (("description", 0), ("participation_form", MAX_TEXT), ("assessment_type", MAX_TEXT),
                            ("quality_assurance", 0), ("badge_image", MAX_TEXT)):
            value = getattr(program, name)
            self.optional(data, name, value, lambda value=value, limit=limit: self.pad(value, limit=limit))
        self.optional(data, "learning_outcomes", program.learning_outcomes,
                      lambda: self.outcomes(program.learning_outcomes))
        if program.eqf_level is not None or self.choose(st.booleans(), False):
            data["eqf_level"] = program.eqf_level
        return data

    def issuer(self, issuer: IssuerSpec) -> dict[str, Any]:
        data = {"id": issuer.id, "name": self.pad(issuer.name), "url": self.pad(issuer.url),
                "country": self.pad(issuer.country)}
        self.optional(data, "email", issuer.email, lambda: self.pad(issuer.email))
        return data

    def catalog(self, spec: CatalogSpec) -> dict[str, Any]:
        return {"issuers": [self.issuer(issuer) for issuer in spec.issuers],
                "programs": [self.program(program) for program in spec.programs]}


# libyaml's emitter where there is one (faster); the project reads with PyYAML's own loader either way.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_FORMATS = st.sampled_from(["yaml", "json"])
_FLOW_STYLES = st.sampled_from([False, None, True])
_WIDTHS = st.sampled_from([40, 80, 4096])
_INDENTS = st.sampled_from([None, 2])


def _text_of(draw: st.DrawFn, data: Any, fmt: str, *, sort_keys: bool = True) -> str:
    """
    The file's text: YAML in block or flow style, folded or not, keys sorted or not; JSON indented or not.

    ``sort_keys=False`` for data whose keys are not all strings (they cannot be sorted).
    """
    if fmt == "json":
        return json.dumps(data, ensure_ascii=draw(st.booleans()), indent=draw(_INDENTS))
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=draw(st.booleans()), sort_keys=sort_keys and draw(
        st.booleans()), default_flow_style=draw(_FLOW_STYLES), width=draw(_WIDTHS))


@dataclass(frozen=True)
class ProgramFile:
    """
    A valid program file.

    Attributes:
        text (str): the file's text.
        fmt (str): "yaml" or "json".
        spec (CatalogSpec): what the file declares, in its order: what loading it must store.
    """

    text: str
    fmt: str
    spec: CatalogSpec


_CATALOGS = catalogs()
# What a broken file starts from: one issuer and one program with plain names (each mutation breaks one place; the
# valid files' test has every kind of text).
_SMALL_CATALOGS = catalogs(names=st.sampled_from(["Basics", "Ärztliche Ethik", "数据科学", "x" * MAX_TEXT]),
                           texts=st.sampled_from(["One line.", "Two\nlines"]), max_issuers=1, max_programs=1)


@st.composite
def program_files(draw: st.DrawFn, catalog: st.SearchStrategy[CatalogSpec] | None = None) -> ProgramFile:
    """A valid program file (of ``catalog``, by default any catalog), written in one of the ways the format allows."""
    spec = draw(catalog if catalog is not None else _CATALOGS)
    fmt = draw(_FORMATS)
    return ProgramFile(text=_text_of(draw, _Writer(draw).catalog(spec), fmt), fmt=fmt, spec=spec)


# ---------------------------------------------------------------------------------------------------------------
# Broken program files: a valid file with one mutation

@dataclass(frozen=True)
class BrokenFile:
    """
    A program file with one mutation.

    Attributes:
        content (bytes): the file as stored on disk (UTF-8, except for random bytes).
        mutation (str): what was done to it.
        place (str | None): what one of the errors must start with (where the mutation is); None when the text
            may even be a valid catalog (truncated or random text).
    """

    content: bytes
    mutation: str
    place: str | None


# Values of the wrong type or out of range, per field; each must be refused whatever the rest of the file says.
_BAD_VALUES: dict[str, st.SearchStrategy[Any]] = {field: st.sampled_from(values) for field, values in {
    "hours": [0, -1, "-0", 1000.1, 1001, 10**6, "1e999999999", "many", True, None, [], {}, 12.25, "0.05"],
    "ects": [-0.1, 60.1, 61, "1e999999999", "some", True, False, [1], {}, 1.25, 0.1 + 0.2],
    "achievement_threshold": [0, -0.5, 1.0001, 60, "70 %", True, [], 0.12345, "0.00004", "0.99999", 0.1 + 0.2],
    "participation_threshold": [0, 2, "-0.1", False, {}, 0.00001, "1e-999999999"],
    "planned": ["yes", "true", 1, 0, None, [], "false"],
    "title": [123, True, [], {"a": 1}, " " * 255, "x" * 256, "\n"],
    "key": ["not-a-key", "course-v1:A", 5, None, [], "course-v1:" + "a" * 250 + "+b+c", " "],
    "badge_image": ["ftp://x.org/a.png", "not a url", 5, [], "https://"],
    "eqf_level": [0, 9, -1, "3", 3.5, 3.0, True, []],
    "description": [5, True, [], {"a": "b"}, " \n\t "],
    "quality_assurance": [5, [], " \t"],
    "participation_form": [5, [], "two\nlines", "x" * 256],
    "learning_outcomes": [5, [1], [""], [" "], [["nested"]], {"a": "b"}, True],
    "issuers": [[], 5, [["a"]], {"a": 1}, [None]],
    "courses": [{}, "x", 5, None],
    "name": [5, [], "", "x" * 256, True],
    "url": ["ftp://x.org", "not a url", 5, "", "https://a b.org"],
    "email": ["nope", "a@", 5, [], "@example.org"],
    "country": ["XX", "de", "DEU", False, 49, ""],
    "id": ["Not A Slug", "", 5, None, "a" * 65, "-a", "a_", ["x"], "über"],
}.items()}
# Raw literals that stand for numbers no column can hold, written into the text as they are.
_RAW_NUMBERS = {
    "yaml": st.sampled_from(["1e999999999", "1.0e+999999999", "-1.0e+999999999", ".inf", "-.inf", ".nan", ".NaN",
                             "1" * 5000]),
    "json": st.sampled_from(["1e999999999", "-1e999999999", "1E400", "NaN", "Infinity", "-Infinity", "1" * 5000]),
}
_PLACEHOLDER = "__RAW_LITERAL__"


@dataclass
class _Target:
    """A written catalog being mutated: its plain data, and the catalog it was written from (for the places)."""

    data: Any
    spec: CatalogSpec


@dataclass(frozen=True)
class _Picked:
    """
    One issuer, program or course of a written catalog.

    Attributes:
        mapping: its written mapping.
        place: where errors about its fields are (by id, or by course key).
        by_index: where errors about it are before its id or key is known (e.g. ``programs[1]``).
        items: the list that holds it.
    """

    mapping: dict[Any, Any]
    place: str
    by_index: str
    items: list[Any]


def _pick(draw: st.DrawFn, target: _Target, level: str) -> _Picked:
    """A random issuer, program or course of the file."""
    if level == "issuer":
        index = draw(st.integers(0, len(target.spec.issuers) - 1))
        return _Picked(target.data["issuers"][index], f"issuers[{target.spec.issuers[index].id}]",
                       f"issuers[{index}]", target.data["issuers"])
    number = draw(st.integers(0, len(target.spec.programs) - 1))
    program = target.spec.programs[number]
    written = target.data["programs"][number]
    if level == "program":
        return _Picked(written, f"programs[{program.id}]", f"programs[{number}]", target.data["programs"])
    index = draw(st.integers(0, len(program.courses) - 1))
    return _Picked(written["courses"][index], f"programs[{program.id}].courses[{program.courses[index].key}]",
                   f"programs[{program.id}].courses[{index}]", written["courses"])


_RESPELLINGS = st.sampled_from(["case", "accents"])
_LEVELS = st.sampled_from(["course", "issuer", "program"])
_FIELDS = {
    "issuer": st.sampled_from(["name", "url", "email", "country", "id"]),
    "program": st.sampled_from(["title", "description", "quality_assurance", "participation_form",
                                "learning_outcomes", "eqf_level", "badge_image", "issuers", "courses", "id"]),
    "course": st.sampled_from(["hours", "ects", "achievement_threshold", "participation_threshold", "planned",
                               "title", "key", "badge_image"]),
}
_REQUIRED = {"issuer": st.sampled_from(["name", "url", "country"]),
             "program": st.sampled_from(["title", "issuers", "courses"]),
             "course": st.sampled_from(["title", "hours"])}
_TEXT_FIELDS = {"issuer": st.just("name"), "course": st.just("title"),
                "program": st.sampled_from(["title", "participation_form", "description", "quality_assurance",
                                            "learning_outcomes"])}
# One outcome a line: no line break of any kind inside one (U+2028 and U+2029 included).
_OUTCOME_BREAKERS = st.sampled_from(BIDI_CONTROLS + _LINE_CONTROLS + "\u2028\u2029")
_LINE_BREAKERS = st.sampled_from(BIDI_CONTROLS + _LINE_CONTROLS)
_TEXT_BREAKERS = st.sampled_from(BIDI_CONTROLS + _TEXT_CONTROLS)
_DUPLICABLE = st.sampled_from(["issuer", "program"])
_CONTAINERS = st.sampled_from(["file", "issuers", "programs", "course", "issuer", "program"])
_MAPPINGS = st.sampled_from(["file", "course", "issuer", "program"])
_UNKNOWN_KEYS = st.sampled_from(["achievment_threshold", "Title", 1, None, True, 2.5, "k" * 10_000, "a: b\nc"])
_HUGE = st.sampled_from(["long title", "deep description", "too many courses", "too few courses"])
_TITLED = st.sampled_from(["program", "course"])
_LONG = st.sampled_from([256, 10_000])
_DEPTH = st.integers(2, 60)
_NUMBER_FIELDS = st.sampled_from(["hours", "ects", "achievement_threshold"])
_BOMBED_FIELDS = st.sampled_from(["hours", "title", "planned", "key"])


def _bad_value(draw: st.DrawFn, target: _Target) -> str:
    """A field of the wrong type or out of range; an id or a course key that fails is named by its index."""
    level = draw(_LEVELS)
    field = draw(_FIELDS[level])
    picked = _pick(draw, target, level)
    picked.mapping[field] = draw(_BAD_VALUES[field])
    return f"{picked.by_index if field in ('id', 'key') else picked.place}.{field}"


def _missing_field(draw: st.DrawFn, target: _Target) -> str:
    """A required field left out."""
    level = draw(_LEVELS)
    field = draw(_REQUIRED[level])
    picked = _pick(draw, target, level)
    del picked.mapping[field]
    return f"{picked.place}.{field}"


def _control_character(draw: st.DrawFn, target: _Target) -> str:
    """A control or bidirectional control character in a name, a title, a text, or a learning outcome."""
    level = draw(_LEVELS)
    field = draw(_TEXT_FIELDS[level])
    picked = _pick(draw, target, level)
    if field == "learning_outcomes":
        picked.mapping[field] = [f"Outcome{draw(_OUTCOME_BREAKERS)}text"]
    else:
        char = draw(_TEXT_BREAKERS if field in ("description", "quality_assurance") else _LINE_BREAKERS)
        value = picked.mapping.get(field) or "Text"
        at = draw(st.integers(0, len(value)))
        picked.mapping[field] = value[:at] + char + value[at:]
    return f"{picked.place}.{field}"


def _same_key_in_other_spelling(draw: st.DrawFn, target: _Target) -> str:
    """A course listed again under a key that differs only in case or accents (or not at all, if it has no letter)."""
    picked = _pick(draw, target, "course")
    key = picked.place.rsplit(".courses[", 1)[1][:-1]
    other = respelt(key, draw(_RESPELLINGS)) or key
    picked.items.append({"key": other, "title": "Again", "hours": 10})
    return f"{picked.place.rsplit('.courses[', 1)[0]}.courses[{other}]"


def _duplicate_id(draw: st.DrawFn, target: _Target) -> str:
    """An issuer or a program declared twice."""
    picked = _pick(draw, target, draw(_DUPLICABLE))
    picked.items.append(dict(picked.mapping))
    return picked.place


def _unknown_issuer(draw: st.DrawFn, target: _Target) -> str:
    """A program naming an issuer the file does not declare (and the database does not hold)."""
    picked = _pick(draw, target, "program")
    issuers = picked.mapping["issuers"]
    picked.mapping["issuers"] = [*(issuers if isinstance(issuers, list) else [issuers]),
                                 draw(_SLUGS.map("nobody-{}".format))]
    return f"{picked.place}.issuers"


def _list_for_mapping(draw: st.DrawFn, target: _Target) -> str:
    """A list where an issuer, a program, a course or the whole file must be a mapping (or a mapping for a list)."""
    level = draw(_CONTAINERS)
    if level == "file":
        target.data = [target.data]
        return "file"
    if level in ("issuers", "programs"):
        target.data[level] = {"items": target.data[level]}
        return level
    picked = _pick(draw, target, level)
    picked.items[picked.items.index(picked.mapping)] = list(picked.mapping.values())
    return picked.by_index


def _unknown_key(draw: st.DrawFn, target: _Target) -> str:
    """A field the format does not know, its key of any type: a typo, a number, null, true, a huge string."""
    level = draw(_MAPPINGS)
    key = draw(_UNKNOWN_KEYS)
    if level == "file":
        target.data[key] = "x"
        return "file."
    picked = _pick(draw, target, level)
    picked.mapping[key] = "x"
    # Unknown fields of issuers and programs are named before their id is read: by their index.
    return f"{picked.place if level == 'course' else picked.by_index}."


def _huge_or_deep(draw: st.DrawFn, target: _Target) -> str:
    """Values far larger or deeper than any catalog's: long text, deep lists, too many or too few courses."""
    kind = draw(_HUGE)
    if kind == "long title":
        picked = _pick(draw, target, draw(_TITLED))
        picked.mapping["title"] = "x" * draw(_LONG)
        return f"{picked.place}.title"
    picked = _pick(draw, target, "program")
    if kind == "deep description":
        deep: Any = "bottom"
        for _ in range(draw(_DEPTH)):
            deep = [deep]
        picked.mapping["description"] = deep
        return f"{picked.place}.description"
    course = picked.mapping["courses"][0]
    picked.mapping["courses"] = [course] * (MAX_PROGRAM_COURSES + 1 if kind == "too many courses" else 2)
    return f"{picked.place}.courses"


_MUTATIONS: dict[str, Callable[[st.DrawFn, _Target], str]] = {
    "bad value": _bad_value,
    "missing field": _missing_field,
    "control character": _control_character,
    "course key in other spelling": _same_key_in_other_spelling,
    "duplicate id": _duplicate_id,
    "unknown issuer": _unknown_issuer,
    "list for mapping": _list_for_mapping,
    "unknown key": _unknown_key,
    "huge or deep": _huge_or_deep,
}

_MUTATION_NAMES = st.sampled_from([*_MUTATIONS, "raw literal", "alias bomb", "deep nesting", "too large",
                                   "truncated", "random text", "random bytes"])
_DEEP = st.sampled_from([2_000, 100_000])

# An alias bomb: eight anchors of nine aliases each, 9**8 leaves if anything expanded it.
_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['x'] * 9)}]\n"
    for previous, name in zip([None, *"abcdefg"], "abcdefgh", strict=True)
)


def _raw_literal(draw: st.DrawFn, target: _Target, fmt: str) -> tuple[str, str]:
    """(text, place): a number field holding a literal no column can hold (1e999999999, NaN, infinities...)."""
    picked = _pick(draw, target, "course")
    field = draw(_NUMBER_FIELDS)
    picked.mapping[field] = _PLACEHOLDER
    text = _text_of(draw, target.data, fmt)
    literal = draw(_RAW_NUMBERS[fmt])
    text = text.replace(f'"{_PLACEHOLDER}"' if fmt == "json" else _PLACEHOLDER, literal)
    # A number of 5,000 digits is refused by the parser, before any field is read.
    return text, "file" if len(literal) > 100 else f"{picked.place}.{field}"


def _alias_bomb(draw: st.DrawFn, target: _Target) -> tuple[str, str]:
    """(text, place): YAML whose failing field is an alias of 9**8 leaves (its error must not expand it)."""
    picked = _pick(draw, target, "course")
    field = draw(_BOMBED_FIELDS)
    picked.mapping[field] = _PLACEHOLDER
    text = _BOMB + yaml.safe_dump(target.data, default_flow_style=False).replace(_PLACEHOLDER, "*h")
    return text, f"{picked.by_index if field == 'key' else picked.place}.{field}"


@st.composite
def broken_files(draw: st.DrawFn) -> BrokenFile:
    """
    A valid file with one mutation, in YAML or JSON, and where its error must be.

    The mutations: a value out of range or of the wrong type (too many decimals included), a required field left
    out, a control or bidi character in a text, a course key that differs only in case or accents, an id declared
    twice, an unknown issuer, a list where a mapping belongs, a key of any type the format does not know, huge or deep
    values, literals such as ``1e999999999``, NaN and infinities, a YAML alias bomb, nesting deeper than the
    parser, a file larger than the loader reads, the text cut short, random text and random bytes.
    """
    spec = draw(_SMALL_CATALOGS)
    target = _Target(_Writer(draw, plain=True).catalog(spec), spec)
    fmt = draw(_FORMATS)
    mutation = draw(_MUTATION_NAMES)
    place: str | None
    if mutation in _MUTATIONS:
        place = _MUTATIONS[mutation](draw, target)
        text = _text_of(draw, target.data, fmt, sort_keys=False)
    elif mutation == "raw literal":
        text, place = _raw_literal(draw, target, fmt)
    elif mutation == "alias bomb":
        text, place = _alias_bomb(draw, target)
    elif mutation == "deep nesting":
        # As JSON, which its parser refuses at once (YAML that deep is in tests/test_hostile_catalogs.py: slow).
        depth = draw(_DEEP)
        text, place, fmt = f'{{"issuers": {"[" * depth}{"]" * depth}, "programs": []}}', "file", "json"
    elif mutation == "too large":
        whole = _text_of(draw, target.data, fmt)
        text, place = whole + " " * (MAX_FILE_CHARACTERS + 1 - len(whole)), "file"
    elif mutation == "truncated":
        whole = _text_of(draw, target.data, fmt)
        text, place = whole[:draw(st.integers(0, len(whole) - 1))], None
    elif mutation == "random text":
        text, place = draw(st.text(max_size=200)), None
    else:
        return BrokenFile(content=draw(st.binary(min_size=1, max_size=200)), mutation=mutation, place=None)
    return BrokenFile(content=text.encode("utf-8"), mutation=f"{mutation} ({fmt})", place=place)


# ---------------------------------------------------------------------------------------------------------------
# Grade, passing-status and completion events

GRADE_EVENT = "org.openedx.learning.course.persistent_grade_summary.changed.v1"
_EPOCH = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Grade:
    """
    ``PERSISTENT_GRADE_SUMMARY_CHANGED`` for ``learner`` in ``course_key`` with ``percent``, sent at ``time``.

    ``learner`` is a learner's name (the test resolves it to an id; "nobody" to an id no account has) or a malformed
    user id. ``course_key`` is a key's text (or, malformed, a text that is none, or None for a grade without its
    course).
    """

    learner: object
    course_key: object
    percent: object
    time: datetime


@dataclass(frozen=True)
class Passing:
    """``COURSE_PASSING_STATUS_UPDATED`` (or its CCX variant, for a CCX key) for a learner's account."""

    learner: str
    course_key: str
    is_passing: bool
    time: datetime


@dataclass(frozen=True)
class Completion:
    """edx-completion saves ``completion`` (0..1) of block ``block`` of a course for a learner's account."""

    learner: str
    course_key: str
    block: str
    completion: float


def share_edges(thresholds: Sequence[Decimal]) -> st.SearchStrategy[object]:
    """
    Percents around the thresholds and the ends of 0..1, as floats the LMS computes, and impossible ones.

    Half of them at or around a threshold: exactly, a millionth below and above, half a millionth below (which six
    places round up to the threshold), float noise below it. Then 0, 1, just above 1, negative zero, negatives, NaN
    and the infinities; any float in 0..1; and values of other types (a numeric string, a word, None, True, a list).
    """
    near: set[float] = set()
    for threshold in thresholds:
        value = float(threshold)
        near |= {value, value - 1e-6, value + 1e-6, value - 5e-7, value - 4e-7, value * (1 - 1e-16)}
    ends = [0.0, -0.0, 1.0, 1.0000001, 1.5, -1e-9, -0.1, float("inf"), float("-inf"), float("nan")]
    return weighted(
        (5, st.sampled_from(sorted(near))), (2, st.sampled_from(ends)), (2, st.floats(0, 1, allow_nan=False)),
        (1, st.sampled_from([0, 1, "0.7", "sixty", None, True, [0.9]])),
    )


_MALFORMED_USERS = ["nobody", "abc", None, -1]
_MALFORMED_KEYS = ["not a key", None]
_EIGHTHS = st.integers(0, 8).map(lambda eighths: eighths / 8)
_STEPS = st.sampled_from([0, 1, 5, -3, -60])  # minutes between two events: forward, none, backward
_REPEAT = st.integers(0, 5)


def event_sequences(*, learners: Sequence[str], program_courses: Sequence[str], other_courses: Sequence[str],
                    percents: st.SearchStrategy[object], completion_blocks: int = 4,
                    max_size: int = 6) -> st.SearchStrategy[list[Grade | Passing | Completion]]:
    """
    One to ``max_size`` events for ``learners`` (and an id with no account), mostly in ``program_courses``.

    Grades carry ``percents`` (e.g. :func:`share_edges`); one in eight is for an id no account has or a malformed
    one, a few for a malformed course key or none. Event times go forward, backward or stay; an event may be repeated
    as it was (a duplicate delivery). Completion values are multiples of 1/8, so that their sums are exact in any
    order.
    """
    keys = st.sampled_from([*program_courses] * 4 + [*other_courses])
    named = st.sampled_from(learners)
    grade = st.builds(Grade, learner=st.sampled_from([*learners] * 14 + _MALFORMED_USERS),
                      course_key=st.sampled_from([*program_courses] * 8 + [*other_courses] * 2 + _MALFORMED_KEYS),
                      percent=percents, time=st.just(_EPOCH))
    passing = st.builds(Passing, learner=named, course_key=keys, is_passing=st.booleans(), time=st.just(_EPOCH))
    completion = st.builds(Completion, learner=named, course_key=keys, completion=_EIGHTHS,
                           block=st.sampled_from([f"block{n}" for n in range(completion_blocks)]))
    kinds = weighted((3, grade), (1, passing), (1, completion))
    sizes = st.integers(1, max_size)

    @st.composite
    def sequences(draw: st.DrawFn) -> list[Grade | Passing | Completion]:
        events: list[Grade | Passing | Completion] = []
        clock = _EPOCH
        for _ in range(draw(sizes)):
            if events and draw(_REPEAT) == 0:
                events.append(events[-1])  # delivered twice
                continue
            clock += timedelta(minutes=draw(_STEPS))
            event = draw(kinds)
            events.append(event if isinstance(event, Completion) else replace(event, time=clock))
        return events

    return sequences()


def course_grades(*, learner: str, courses: Sequence[str], percents: st.SearchStrategy[object],
                  max_per_course: int = 2) -> st.SearchStrategy[list[Grade | Passing]]:
    """
    One learner's grades in every one of ``courses`` (one to ``max_per_course`` each), in any order.

    So that a short sequence often completes a program (and passing statuses between them change nothing).
    """
    grades = st.lists(percents, min_size=1, max_size=max_per_course)
    passing = st.lists(st.builds(Passing, learner=st.just(learner), course_key=st.sampled_from(courses),
                                 is_passing=st.booleans(), time=st.just(_EPOCH)), max_size=2)

    @st.composite
    def sequences(draw: st.DrawFn) -> list[Grade | Passing]:
        events: list[Grade | Passing] = [Grade(learner=learner, course_key=key, percent=percent, time=_EPOCH)
                                         for key in courses for percent in draw(grades)]
        events = draw(st.permutations([*events, *draw(passing)]))
        clock = _EPOCH
        timed: list[Grade | Passing] = []
        for event in events:
            clock += timedelta(minutes=draw(_STEPS))
            timed.append(replace(event, time=clock))
        return timed

    return sequences()


# ---------------------------------------------------------------------------------------------------------------
# Request bodies

_JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20), st.floats(allow_nan=False),
                          st.text(max_size=20))
_JSON_VALUES = st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                            | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
_DEPTHS = st.sampled_from([1, MAX_BODY_DEPTH - 1, MAX_BODY_DEPTH, MAX_BODY_DEPTH + 1, 100, 5_000])
_NESTINGS = st.sampled_from(["lists", "objects", "in a string"])
_SIZES = st.sampled_from([MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, 4 * MAX_BODY_BYTES])
_NOT_UTF8 = st.sampled_from([b"\xff", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"])
_POSITIONS = st.integers(0, 10_000)
_NOT_JSON = st.sampled_from([
    b"", b" ", b"private=true", b"{'private': true}", b'{"private": true', b'{"private": true}}', b'{"private": tru}',
    b'{"private": true} trailing', b'{"private": NaN}', b'{"private": true, "x": NaN}', b"\xef\xbb\xbf{}",
    b'{"private": true /* comment */}', b'"private"', b"null", b"[]", b"[true]", b"true", b"0", b'{"\\ud800": 1}',
    b'{"private": "\\ud800"}', b"\x00", b'{"private": 1e999}', b"]]]]" + b"[" * 20,
])


def _dumps(draw: st.DrawFn, value: Any) -> bytes:
    """``value`` as JSON, escaped or not, compact or not (lone surrogates escaped, or as CESU-8 bytes)."""
    separators = (",", ":") if draw(st.booleans()) else (", ", ": ")
    return json.dumps(value, ensure_ascii=draw(st.booleans()), separators=separators).encode("utf-8",
                                                                                           "surrogatepass")


def _nested(draw: st.DrawFn, _valid: dict[str, Any]) -> bytes:
    """JSON nested around the depth limit and far beyond: lists, objects, or brackets inside a string (flat)."""
    depth, kind = draw(_DEPTHS), draw(_NESTINGS)
    if kind == "lists":
        return b"[" * depth + b"]" * depth
    if kind == "objects":
        return b'{"a":' * depth + b"1" + b"}" * depth
    return json.dumps({"private": True, "text": "[{" * depth}).encode()


def _duplicate_keys(draw: st.DrawFn, value: dict[str, Any]) -> bytes:
    """An object naming one of its keys twice (JSON leaves its meaning to the parser: Python's keeps the last)."""
    key = sorted(value)[draw(_POSITIONS) % len(value)]
    first, second = draw(st.permutations([value[key], draw(_JSON_VALUES)]))
    rest = "".join(f"{json.dumps(k)}: {json.dumps(v)}, " for k, v in value.items() if k != key)
    return f"{{{json.dumps(key)}: {json.dumps(first)}, {rest}{json.dumps(key)}: {json.dumps(second)}}}".encode()


def _sized(draw: st.DrawFn, value: dict[str, Any]) -> bytes:
    """A valid object padded to a size around the size limit, or far above it."""
    size, base = draw(_SIZES), len(json.dumps({**value, "pad": ""}).encode())
    return json.dumps({**value, "pad": "x" * max(0, size - base)}).encode()


def _not_utf8(draw: st.DrawFn, value: dict[str, Any]) -> bytes:
    """A valid object's JSON with a byte sequence that is no UTF-8 somewhere in it."""
    body = _dumps(draw, value)
    at = draw(_POSITIONS) % (len(body) + 1)
    return body[:at] + draw(_NOT_UTF8) + body[at:]


_BODIES: dict[str, tuple[int, Callable[[st.DrawFn, dict[str, Any]], bytes]]] = {
    "valid": (4, _dumps),
    "wrong types": (2, lambda draw, value: _dumps(draw, {key: draw(_JSON_VALUES) for key in value})),
    "not an object": (1, lambda draw, _value: _dumps(draw, draw(_JSON_VALUES))),
    "duplicate keys": (1, _duplicate_keys),
    "nested": (1, _nested),
    "sized": (1, _sized),
    "invalid UTF-8": (1, _not_utf8),
    "not JSON": (2, lambda draw, _value: draw(_NOT_JSON)),
    "bytes": (1, lambda draw, _value: draw(st.binary(max_size=64))),
    "text": (1, lambda draw, _value: draw(st.text(max_size=64)).encode("utf-8")),
}
_BODY_KINDS = st.sampled_from([kind for kind, (weight, _make) in _BODIES.items() for _ in range(weight)])


def json_bodies(valid: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[bytes]:
    """
    Bodies for a JSON endpoint whose valid bodies are ``valid``: those, and every kind of wrong or hostile one.

    Wrong types (the valid keys with any JSON values), JSON values that are no objects, duplicate keys, nesting
    around the depth limit (and brackets in strings, which do not nest), sizes around the size limit, invalid
    UTF-8, and text or bytes that are no JSON.
    """
    @st.composite
    def bodies(draw: st.DrawFn) -> bytes:
        return _BODIES[draw(_BODY_KINDS)][1](draw, draw(valid))

    return bodies()


_CHARSETS = st.sampled_from(["utf-16", "utf-32", "latin-1", "cp500", "cp037", "cp1026"])


def declared_charset_bodies(valid: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[tuple[str, bytes]]:
    """
    (charset, body): a JSON text (valid, or nested far too deep) encoded in a charset a request may declare.

    Among them EBCDIC code pages, in which "[" and "]" are the bytes of "J" and "Z" in UTF-8: a check made on the
    body's UTF-8 text sees no nesting where the declared charset makes thousands of levels.
    """
    texts = weighted((1, valid.map(json.dumps)),
                     (2, st.sampled_from([5_000, 50_000]).map(lambda depth: "[" * depth + "]" * depth)),
                     (1, st.sampled_from([5_000]).map(lambda depth: '{"a":' * depth + "1" + "}" * depth)))
    return st.tuples(_CHARSETS, texts).map(lambda pair: (pair[0], pair[1].encode(pair[0])))


def form_bodies(field: str, values: Sequence[str]) -> st.SearchStrategy[bytes]:
    """
    ``application/x-www-form-urlencoded`` bodies of an HTML form with ``field``: its ``values``, anything else.

    The field alone, twice with different values, beside other fields, misspelt, empty; invalid UTF-8 and percent
    escapes of it; more fields than Django parses; random bytes.
    """
    value = weighted((3, st.sampled_from(values)), (1, st.text(max_size=10)))
    name = weighted((3, st.just(field)), (1, st.sampled_from([f"{field}x", "csrf", "", field.upper()])),
                    (1, st.text(max_size=5)))
    pairs = st.lists(st.tuples(name, value), max_size=4)
    encoded = pairs.map(lambda items: "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in items).encode())
    return weighted(
        (6, encoded),
        (2, st.sampled_from(values).map(lambda v: f"{field}={v}".encode())),
        (1, st.sampled_from([b"private=%ff", b"private=tr%75e", b"private=\xff", b"%", b"&&&=", b"private",
                             b"private=true;private=false"])),
        (1, st.just(b"&".join(b"f%d=1" % n for n in range(1_001)) + b"&" + field.encode() + b"=true")),
        (1, st.binary(max_size=32)),
    )
