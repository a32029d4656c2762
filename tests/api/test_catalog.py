"""
``api.catalog``: the public catalog reads (constant queries) and loading / dumping a catalog (idempotent, round trip).
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from microdegree_xblock import api
from microdegree_xblock.catalog import dump_text, parse_catalog, validate_catalog
from tests.conftest import BASICS, CATALOG, VET, load_many_programs

pytestmark = pytest.mark.django_db


def test_programs_come_with_issuers_lead_first_and_courses_in_order(catalog):
    programs = api.get_programs()
    assert [p.id for p in programs] == ["ai-vet", "dr-med-ki"]  # by title
    med = programs[1]
    assert [i.id for i in med.issuers] == ["charite", "ki-campus"]
    assert [c.title for c in med.courses] == ["Basics", "Clinics", "Ethics"]
    assert [c.planned for c in med.courses] == [False, False, True]
    assert med.hours_total == Decimal(62)


def test_thresholds_resolve_against_the_platform_defaults(catalog, settings):
    basics, clinics, _ethics = api.get_program("dr-med-ki").courses
    assert (basics.achievement_threshold, clinics.achievement_threshold) == (Decimal("0.7"), Decimal("0.6"))
    assert clinics.participation_threshold == Decimal("0.5")
    settings.MICRODEGREE_ACHIEVEMENT_THRESHOLD = "0.55"
    basics, clinics, _ethics = api.get_program("dr-med-ki").courses
    assert (basics.achievement_threshold, clinics.achievement_threshold) == (Decimal("0.7"), Decimal("0.55"))


def test_lookups(catalog):
    assert api.get_program("nobody") is None
    assert api.is_program_course(BASICS) and not api.is_program_course("course-v1:X+Elsewhere+1")
    with pytest.raises(ValueError, match="not a valid course key"):
        api.is_program_course("garbage")
    assert api.known_issuer_ids() == {"charite", "ki-campus", "uni-mannheim"}


def test_the_catalog_costs_three_queries_whatever_its_size(db, django_assert_num_queries):
    load_many_programs(2)
    with django_assert_num_queries(3):
        assert len(api.get_programs()) == 2
    load_many_programs(20)
    with django_assert_num_queries(3):
        assert len(api.get_programs()) == 20


def test_loading_twice_changes_nothing_and_reports_so(catalog):
    again = api.load_catalog(parse_catalog(CATALOG))
    assert not again.changed and again.created == () and again.updated == ()
    assert set(again.unchanged) == {"issuer charite", "issuer ki-campus", "issuer uni-mannheim", "program ai-vet",
                                    "program dr-med-ki"}


def test_a_changed_value_updates_only_its_program(catalog):
    data = yaml.safe_load(CATALOG)
    data["programs"][0]["courses"][1]["hours"] = 40
    report = api.load_catalog(validate_catalog(data))
    assert report.updated == ("program ai-vet",) and "program dr-med-ki" in report.unchanged
    assert api.get_program("ai-vet").courses[1].hours == Decimal(40)


def test_dump_is_what_load_reads(catalog):
    text = dump_text(api.dump_catalog())
    assert not api.load_catalog(parse_catalog(text)).changed
    assert parse_catalog(text) == api.dump_catalog()
    assert yaml.safe_load(text)["programs"][1]["courses"][0] == {
        "key": BASICS, "title": "Basics", "hours": 21, "ects": 1, "planned": False, "achievement_threshold": 0.7,
    }


def test_a_course_that_leaves_a_program_is_reported(catalog):
    data = yaml.safe_load(CATALOG)
    data["programs"][0]["courses"].pop()
    data["programs"][0]["courses"].append({"key": "course-v1:Uni+AI_VET_V+2025", "title": "AI_VET V", "hours": 25})
    report = api.load_catalog(validate_catalog(data))
    assert report.removed_courses == (f"program ai-vet: {VET[3]}",)
    assert [c.course_key for c in api.get_program("ai-vet").courses][-1] == "course-v1:Uni+AI_VET_V+2025"


@pytest.mark.parametrize("respelt", ["course-v1:a+c0+1", "course-v1:Á+C0+1"])
def test_a_reload_may_respell_a_course_key_without_case_or_accents(respelt):
    """The same course for MySQL's collation: updated to the new spelling, never a second row (ADR 24)."""
    def catalog(key):
        courses = [{"key": key, "title": "C0", "hours": 30}] + [
            {"key": f"course-v1:A+C{n}+1", "title": f"C{n}", "hours": 30} for n in (1, 2)]
        return {"issuers": [{"id": "a", "name": "A", "url": "https://a.example", "country": "DE"}],
                "programs": [{"id": "p", "title": "P", "issuers": ["a"], "courses": courses}]}
    api.load_catalog(validate_catalog(catalog("course-v1:A+C0+1")))
    report = api.load_catalog(validate_catalog(catalog(respelt)))
    assert report.updated == ("program p",) and report.removed_courses == ()
    assert [c.course_key for c in api.get_program("p").courses][0] == respelt
