"""
The catalog format's structure (docs/decisions/0040): electives, capstone, nested programmes, recognitions.

Each refusal names its place; the demo catalog loads and round-trips through the database.
"""
from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from microdegree_xblock import api
from microdegree_xblock.catalog import CatalogError, catalog_to_dict, parse_catalog, validate_catalog
from microdegree_xblock.models import ProgramCourse, ProgramGroup, ProgramStep, Recognition

DEMO = Path(__file__).resolve().parent.parent / "lms_host" / "demo_programs.yaml"


def demo() -> dict:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


def program(data: dict, program_id: str) -> dict:
    return next(p for p in data["programs"] if p["id"] == program_id)


def errors_of(data: dict) -> list[str]:
    with pytest.raises(CatalogError) as info:
        validate_catalog(data)
    return info.value.errors


def test_the_demo_catalog_declares_recognitions_electives_and_a_nested_programme():
    spec = validate_catalog(demo())
    by_id = {p.id: p for p in spec.programs}
    cme = by_id["dr-med-ki"].recognitions[0]
    assert (cme.by, cme.threshold, cme.credits.amount, cme.credits.unit) == ("lak-bw", Decimal("0.7"), 12, "CME")
    assert all(c.achievement_threshold is None for c in by_id["dr-med-ki"].courses)  # the platform's 60 % stays
    assert [r.condition for r in by_id["ai-vet"].recognitions] == [
        "On-site exam passed at Universität Mannheim", "On-site exam passed at Universität Stuttgart"]
    nested = by_id["ki-bildung"]
    assert nested.requires == ("ai-vet",) and nested.electives[0].choose == 1 and nested.capstone.last
    # A programme that stacks a micro-degree is a larger qualification: the micro-degree's hours window is not its.
    assert spec.warnings == ()


def test_the_hours_window_is_checked_on_the_smallest_and_largest_path():
    data = demo()
    vet = program(data, "ai-vet")
    vet["electives"] = [{"id": "extra", "title": "Extra", "choose": 1, "courses": [
        {"key": "course-v1:X+Short+1", "title": "Short", "hours": 1},
        {"key": "course-v1:X+Long+1", "title": "Long", "hours": 30}]}]
    spec = validate_catalog(data)
    assert spec.warnings == ("programs[ai-vet]: its valid paths take 151 hours (the smallest) to 180 hours (the "
                             "largest), outside the recommended 90 to 150 hours",)
    vet["courses"][1]["hours"] = 20  # 120 + 1 to 120 + 30: both within
    assert validate_catalog(data).warnings == ()


def test_a_group_that_can_never_be_met_is_refused_where_it_is():
    data = demo()
    program(data, "ki-bildung")["electives"][0]["choose"] = 3
    assert "programs[ki-bildung].electives[vertiefung]: can never be met: it asks for 3 of 2 courses" in errors_of(data)
    program(data, "ki-bildung")["electives"][0]["choose"] = 0
    assert any(e.startswith("programs[ki-bildung].electives[vertiefung]: must choose at least 1") for e in
               errors_of(data))


def test_cycles_are_refused_with_the_path_named():
    data = demo()
    program(data, "ai-vet")["requires"] = ["ki-bildung"]
    assert "programs[ai-vet].requires: programs require each other in a cycle: ai-vet -> ki-bildung -> ai-vet" in (
        errors_of(data))
    data = demo()
    program(data, "ai-vet")["requires"] = ["ai-vet"]
    assert "programs[ai-vet].requires[ai-vet]: a program cannot require itself" in errors_of(data)


def test_references_must_be_known():
    data = demo()
    program(data, "ki-bildung")["requires"] = ["no-such-program"]
    program(data, "dr-med-ki")["recognitions"][0]["by"] = "no-such-body"
    program(data, "dr-med-ki")["recognitions"][0]["courses"].append("course-v1:Other+Course+Run")
    program(data, "ki-bildung")["capstone"]["key"] = "course-v1:KI-Campus+KI_Ethik+2025"
    errors = errors_of(data)
    assert "programs[ki-bildung].requires[no-such-program]: unknown program (declare it in this file or load it " \
           "first)" in errors
    assert "programs[dr-med-ki].recognitions[lak-bw-cme].by: unknown issuer 'no-such-body' (declare it under " \
           "issuers)" in errors
    assert "programs[dr-med-ki].recognitions[lak-bw-cme].courses[course-v1:Other+Course+Run]: is not a course of " \
           "this program" in errors
    assert any(e.startswith("programs[ki-bildung].capstone.key:") and "required courses" in e for e in errors)


def test_a_course_is_listed_once_per_programme():
    data = demo()
    nested = program(data, "ki-bildung")
    nested["electives"].append({"id": "second", "title": "Second", "choose": 1,
                                "courses": [copy.deepcopy(nested["electives"][0]["courses"][0])]})
    nested["electives"][0]["courses"].append(copy.deepcopy(nested["courses"][0]))
    errors = errors_of(data)
    assert "programs[ki-bildung].electives[second].courses[course-v1:KI-Campus+KI_Ethik+2025]: is listed already " \
           "in electives[vertiefung]" in errors
    assert ("programs[ki-bildung].electives[vertiefung].courses[course-v1:KI-Campus+KI_Bildung_Capstone+2025]: is "
            "a required course of the program too") in errors


def test_recognition_fields_are_checked_one_by_one():
    data = demo()
    rec = program(data, "dr-med-ki")["recognitions"][0]
    rec.update(threshold=1.5, credits={"amount": -3, "unit": "CME"}, colour="red", program=True)
    errors = errors_of(data)
    place = "programs[dr-med-ki].recognitions[lak-bw-cme]"
    assert any(e.startswith(f"{place}.threshold: 1.5 must be a number greater than 0") for e in errors)
    assert any(e.startswith(f"{place}.credits.amount: -3 must be a number greater than 0") for e in errors)
    assert any(e.startswith(f"{place}.colour: unknown field") for e in errors)
    assert f"{place}.courses: a recognition of the whole program (program: true) names no courses" in errors


def test_the_smallest_path_needs_three_courses():
    data = demo()
    nested = program(data, "ki-bildung")
    nested.pop("requires")
    errors = errors_of(data)
    assert "programs[ki-bildung].courses: a micro-degree needs at least 3 courses, this program has 2 on its " \
           "smallest valid path" in errors


@pytest.mark.django_db
def test_the_structure_is_stored_and_dumped_back_unchanged():
    spec = parse_catalog(DEMO.read_text(encoding="utf-8"))
    report = api.load_catalog(spec)
    assert "program ki-bildung" in report.created
    assert ProgramGroup.objects.get(slug="vertiefung").courses.count() == 2
    assert ProgramStep.objects.get().required.slug == "ai-vet"
    capstone = ProgramCourse.objects.get(capstone=True)
    assert capstone.program.capstone_last and capstone.group is None
    assert Recognition.objects.get(slug="lak-bw-cme").courses.count() == 2
    def by_id(catalog):
        data = catalog_to_dict(catalog)
        return {part: sorted(data[part], key=lambda item: item["id"]) for part in data}
    assert by_id(api.dump_catalog()) == by_id(spec)
    again = api.load_catalog(parse_catalog(DEMO.read_text(encoding="utf-8"), known_programs=api.known_programs()))
    assert not again.changed and api.catalog_problems() == []


@pytest.mark.django_db
def test_changing_the_structure_updates_it_in_place():
    data = demo()
    api.load_catalog(validate_catalog(data))
    nested = program(data, "ki-bildung")
    nested["electives"][0]["choose"] = 2
    program(data, "dr-med-ki")["recognitions"][0]["threshold"] = 0.75
    program(data, "ai-vet")["recognitions"].pop()
    report = api.load_catalog(validate_catalog(data))
    assert set(report.updated) == {"program ki-bildung", "program dr-med-ki", "program ai-vet"}
    assert ProgramGroup.objects.get(slug="vertiefung").choose == 2
    assert Recognition.objects.get(slug="lak-bw-cme").threshold == Decimal("0.75")
    assert not Recognition.objects.filter(slug="ust-ects").exists()


@pytest.mark.django_db
def test_a_file_may_require_a_stored_programme():
    data = demo()
    api.load_catalog(validate_catalog(data))
    only_nested = {"programs": [program(data, "ki-bildung")]}
    with pytest.raises(CatalogError):
        validate_catalog(only_nested, known_issuer_ids=api.known_issuer_ids())
    spec = validate_catalog(only_nested, known_issuer_ids=api.known_issuer_ids(), known_programs=api.known_programs())
    assert spec.programs[0].requires == ("ai-vet",)
