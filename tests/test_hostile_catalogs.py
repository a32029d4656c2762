"""
Hostile and careless program files: each gets a named error with its place, stores nothing, and costs little.

The values the columns cannot hold or that change meaning in storage, YAML alias bombs in a failing field, keys of
any type, lists where ids belong, nesting deeper than the parser, keys that differ only in case, blank names,
right-to-left overrides (docs/decisions/0024-catalog-value-limits.rst).
"""
from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from microdegree_xblock import api
from microdegree_xblock.catalog import CatalogError, parse_catalog, validate_catalog
from microdegree_xblock.models import Program

pytestmark = pytest.mark.django_db

WHERE = "programs[p].courses[course-v1:A+C0+1]"
BOMB = "".join(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['x'] * 9)}]\n"
               for prev, name in zip([None, *"abcdefg"], "abcdefgh", strict=True))


def _file(**course0) -> dict:
    courses = [{"key": f"course-v1:A+C{n}+1", "title": f"C{n}", "hours": 30} for n in range(3)]
    courses[0].update(course0)
    return {"issuers": [{"id": "a", "name": "A", "url": "https://a.example", "country": "DE"}],
            "programs": [{"id": "p", "title": "P", "issuers": ["a"], "courses": courses}]}


def _errors(data) -> list[str]:
    with pytest.raises(CatalogError) as raised:
        validate_catalog(data) if not isinstance(data, str) else parse_catalog(data)
    assert not Program.objects.exists()
    return raised.value.errors


@pytest.mark.parametrize(("field", "value", "says"), [
    ("ects", 10000, "ects: 10000 must be ECTS credits: a number at least 0 and at most 60"),
    ("hours", 100000, "hours: 100000 must be a positive number of hours: a number greater than 0 and at most 1000"),
    ("hours", "1e999999999", "hours: '1e999999999' must be a positive number of hours"),
    ("hours", 12.25, "hours: 12.25 has more than 1 decimal place; it would be stored as 12.2"),
    ("achievement_threshold", "0.00004", "has more than 4 decimal places; it would be stored as 0.0000"),
    ("achievement_threshold", "0.99999", "has more than 4 decimal places; it would be stored as 1.0000"),
    ("title", " " * 255, "title: is required (it is blank)"),
    ("title", "Basics\u202eevil", "title: contains U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("title", "Basics\x00", "title: contains U+0000"),
    ("title", "Basics \ud83d", "title: contains U+D83D, half of a surrogate pair"),
    ("achievement_threshold", "1e-999999999", "has more than 4 decimal places; it would be stored as 0.0000"),
    ("participation_threshold", "0.6000000000000000000000000000001", "it would be stored as 0.6000"),
])
def test_a_value_that_cannot_be_stored_as_written_is_refused(field, value, says):
    errors = _errors(_file(**{field: value}))
    assert any(error.startswith(f"{WHERE}.") and says in error for error in errors), errors


def test_what_can_be_stored_still_loads():
    data = _file(ects=60, hours=1000, achievement_threshold="0.6666", participation_threshold=1)
    data["programs"][0]["description"] = "Line one\nline two\twith a tab"
    report = api.load_catalog(validate_catalog(data))
    assert report.created == ("issuer a", "program p")
    course = api.get_program("p").courses[0]
    assert (course.ects, course.hours, course.achievement_threshold) == (Decimal(60), Decimal(1000), Decimal("0.6666"))


@pytest.mark.parametrize("key", ["course-v1:a+c0+1", "course-v1:Ä+C0+1", "course-v1:A+Ç0+1"])
def test_course_keys_that_differ_only_in_case_or_accents_are_one_course(key):
    """MySQL's utf8mb4 collations compare keys so: two such keys in one program would break its constraint there."""
    data = _file()
    data["programs"][0]["courses"][1]["key"] = key
    assert (f"programs[p].courses[{key}]: is listed twice (course keys are compared without case or accents)"
            in _errors(data))


def test_keys_of_any_type_and_lists_where_ids_belong():
    data = _file()
    data["programs"][0][1] = "x"
    data["programs"][0][(2, 3)] = "y"
    data["programs"][0]["issuers"] = [["a"]]
    errors = _errors(data)
    # Unknown fields are named before the program's id is read: by its place in the file.
    assert {e.split(": ")[0] for e in errors if "unknown field" in e} == {"programs[0].1", "programs[0].(2, 3)"}
    assert "programs[p].issuers: must list one or more issuer ids, got [['a']]" in errors


def test_an_alias_bomb_in_a_failing_field_costs_nothing():
    text = BOMB + yaml.safe_dump(_file(hours="HOURS")).replace("hours: HOURS", "hours: *h")
    started = time.perf_counter()
    errors = _errors(text)
    assert time.perf_counter() - started < 5
    (message,) = [e for e in errors if e.startswith(f"{WHERE}.hours")]
    assert len(message) < 400 and "must be a positive number of hours" in message


@pytest.mark.parametrize(("text", "says"), [
    ("x: " + "[" * 3000 + "]" * 3000, "file: nested deeper than a catalog can be"),
    ("issuers: []\nprograms: []\n" + "#" * 1_000_001, "file: larger than 1,000,000 characters"),
    (yaml.safe_dump({"programs": [{"id": f"p{n}"} for n in range(501)]}), "programs: a file may declare at most 500"),
])
def test_the_loader_is_bounded(text, says):
    assert any(says in error for error in _errors(text))


def test_a_program_has_at_most_sixty_courses():
    data = _file()
    data["programs"][0]["courses"] = [{"key": f"course-v1:A+C{n}+1", "title": "C", "hours": 1} for n in range(61)]
    assert "programs[p].courses: a program may have at most 60 courses, this one has 61" in _errors(data)


def test_the_command_refuses_a_huge_file_without_reading_it_whole(tmp_path):
    big = tmp_path / "programs.yaml"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("issuers: []\n")
        for _ in range(200):
            handle.write("#" * 99_999 + "\n")  # 20 MB of comments
    with pytest.raises(CommandError, match="file: larger than 1,000,000 characters"):
        call_command("microdegree_programs", "load", str(big))
    assert not Program.objects.exists()


@pytest.mark.parametrize("text", [
    "issuers: []\nprograms: []\nx: " + "1" * 5_000,  # more digits than Python converts to an int
    '{"issuers": [], "programs": [], "x": ' + "1" * 5_000 + "}",
    "issuers: []\nx: 2001-13-45",
    "issuers: []\nx: !!timestamp x",
    "issuers: []\nx: !!int abc",
])
def test_whatever_the_parser_raises_is_a_named_error(text):
    """PyYAML's constructors raise ValueError or AttributeError, not YAMLError, for such values."""
    (error,) = _errors(text)
    assert error.startswith("file: not valid YAML or JSON: ")


def test_a_json_file_means_what_json_says():
    """YAML 1.1 would read the escape of an emoji as two lone surrogates, refuse U+FFFE, fold U+0085 to a space."""
    data = _file(title="Basics 😀")
    data["programs"][0]["title"] = "Program \ufffe"
    spec = parse_catalog(json.dumps(data))  # the escapes "\ud83d\ude00" and "\ufffe"
    assert (spec.programs[0].courses[0].title, spec.programs[0].title) == ("Basics 😀", "Program \ufffe")
    assert parse_catalog(json.dumps(data, ensure_ascii=False)) == spec
    assert any("title: contains U+0085" in error for error in _errors(json.dumps(_file(title="a\x85b"),
                                                                                ensure_ascii=False)))


@pytest.mark.parametrize("outcome", ["One\x00two", "Read \u202eevil", "One\u2028two", "Tab\tted"])
def test_a_learning_outcome_is_one_line_of_text(outcome):
    """Outcomes are stored one a line and read back line by line: a line break inside one would split it."""
    data = _file()
    data["programs"][0]["learning_outcomes"] = ["Fine", outcome]
    assert any(error.startswith("programs[p].learning_outcomes[1]: contains U+") for error in _errors(data))


def test_an_unknown_field_is_named_in_one_short_line():
    data = _file()
    data["programs"][0]["k" * 10_000] = 1
    data["programs"][0]["a: b\n  - programs[p]: forged"] = 2
    errors = [error for error in _errors(data) if "unknown field" in error]
    assert len(errors) == 2 and all(len(error) < 400 and "\n" not in error for error in errors)
