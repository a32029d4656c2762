"""
Program catalog files: validation (catalog.py) and the ``microdegree_programs`` management command.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
import yaml
from django.core.management import CommandError, call_command

from microdegree_xblock import api
from microdegree_xblock.catalog import CatalogError, catalog_to_dict, parse_catalog
from microdegree_xblock.models import Award, Issuer, Program, ProgramCourse

from .conftest import CATALOG, VET, send_grade


def load_text(tmp_path, text, *args, name="programs.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out, err = [], []

    class Sink:
        def __init__(self, into):
            self.into = into

        def write(self, text):
            self.into.append(text)

        def flush(self):
            pass

    call_command("microdegree_programs", "load", str(path), *args, stdout=Sink(out), stderr=Sink(err))
    return "".join(out), "".join(err)


def errors_of(data):
    with pytest.raises(CatalogError) as info:
        parse_catalog(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return info.value.errors


def good():
    return yaml.safe_load(CATALOG)


def test_the_test_catalog_is_valid():
    spec = parse_catalog(CATALOG)
    assert [p.id for p in spec.programs] == ["ai-vet", "dr-med-ki"]
    assert spec.programs[1].issuers == ("charite", "ki-campus")
    assert spec.programs[1].courses[0].achievement_threshold == Decimal("0.7")


def test_errors_name_program_course_and_field():
    data = good()
    course = data["programs"][1]["courses"][0]
    course["hours"] = -3
    course["achievement_threshold"] = 1.5
    course["achievment_threshold"] = 0.5  # typo
    data["programs"][0]["courses"][1]["key"] = "not-a-key"
    errors = errors_of(data)
    key = "course-v1:Charite+DrMedKI_Basics+2020"
    assert (f"programs[dr-med-ki].courses[{key}].hours: -3 must be a positive number of hours: "
            "a number greater than 0 and at most 1000") in errors
    assert any(e.startswith(f"programs[dr-med-ki].courses[{key}].achievement_threshold:") for e in errors)
    assert any(e.startswith(f"programs[dr-med-ki].courses[{key}].achievment_threshold: unknown field")
               for e in errors)
    assert any(e.startswith("programs[ai-vet].courses[1].key: 'not-a-key' is not a valid course key")
               for e in errors)


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d["programs"][0].update(courses=d["programs"][0]["courses"][:2]),
     "programs[ai-vet].courses: a micro-degree needs at least 3 courses, this program has 2"),
    (lambda d: d["programs"][0].update(issuers=["nobody"]), "programs[ai-vet].issuers: unknown issuer 'nobody'"),
    (lambda d: d["programs"][0].update(issuers=[]), "programs[ai-vet].issuers: must list one or more"),
    (lambda d: d["programs"][0].update(id="Not A Slug"), "programs[0].id: 'Not A Slug' must be a slug"),
    (lambda d: d["programs"].append(d["programs"][0]), "programs[ai-vet]: is declared twice"),
    (lambda d: d["programs"][0]["courses"].append(dict(d["programs"][0]["courses"][0])),
     f"programs[ai-vet].courses[{VET[0]}]: is listed twice"),
    (lambda d: d["issuers"][0].update(country="XX"), "issuers[charite].country: 'XX' is not an ISO 3166-1"),
    (lambda d: d["issuers"][0].update(url="ftp://x"), "issuers[charite].url: 'ftp://x' is not an http(s) URL"),
    (lambda d: d["issuers"][0].update(email="nope"), "issuers[charite].email: 'nope' is not an email"),
    (lambda d: d["programs"][0]["courses"][0].update(planned="yes"), "planned: 'yes' must be true or false"),
    (lambda d: d["programs"][0].pop("title"), "programs[ai-vet].title: is required"),
])
def test_invalid_catalogs_are_refused(mutate, expected):
    data = good()
    mutate(data)
    assert any(expected in error for error in errors_of(data)), errors_of(data)


@pytest.mark.parametrize("text", ["programs: [", "just a string", "[1, 2]", "programs: 3"])
def test_unparseable_or_misshapen_files_are_refused(text):
    assert errors_of(text)


def test_hours_outside_90_to_150_only_warn():
    data = good()
    for course in data["programs"][0]["courses"]:
        course["hours"] = 10
    spec = parse_catalog(yaml.safe_dump(data))
    assert "programs[ai-vet]: total workload is 40 hours, outside the recommended 90 to 150 hours" in spec.warnings
    assert not any("ai-vet" in w for w in parse_catalog(CATALOG).warnings)  # 150 hours: in range


def test_json_files_load_like_yaml():
    assert parse_catalog(json.dumps(good())) == parse_catalog(CATALOG)


@pytest.mark.django_db
def test_load_is_idempotent_and_dump_round_trips(tmp_path):
    out, _ = load_text(tmp_path, CATALOG)
    assert "created: program ai-vet" in out and "created: issuer charite" in out
    out, _ = load_text(tmp_path, CATALOG)
    assert out.strip() == "nothing changed."
    dumped = api.dump_catalog()
    assert catalog_to_dict(dumped) == catalog_to_dict(parse_catalog(CATALOG))
    # Dump, load the dump: still nothing changes.
    out, _ = load_text(tmp_path, yaml.safe_dump(catalog_to_dict(dumped)), name="dump.yaml")
    assert out.strip() == "nothing changed."


@pytest.mark.django_db
def test_an_invalid_file_stores_nothing(tmp_path):
    data = good()
    data["programs"][1]["courses"][0]["hours"] = "many"
    with pytest.raises(CommandError) as info:
        load_text(tmp_path, yaml.safe_dump(data))
    assert "nothing was stored" in str(info.value) and "programs[dr-med-ki].courses[" in str(info.value)
    assert not Program.objects.exists() and not Issuer.objects.exists()


@pytest.mark.django_db
def test_changed_values_update_and_a_dropped_course_keeps_its_awards(tmp_path, learner):
    load_text(tmp_path, CATALOG)
    send_grade(learner.pk, VET[3], 0.9)
    award = Award.objects.get(user=learner)
    data = good()
    data["programs"][0]["title"] = "AI_VET (new)"
    data["programs"][0]["courses"][0]["hours"] = 30
    dropped = data["programs"][0]["courses"].pop()
    out, _ = load_text(tmp_path, yaml.safe_dump(data))
    assert "updated: program ai-vet" in out and f"removed from program: program ai-vet: {dropped['key']}" in out
    assert Program.objects.get(slug="ai-vet").title == "AI_VET (new)"
    assert ProgramCourse.objects.get(course_key=VET[0]).hours == 30
    assert not ProgramCourse.objects.filter(course_key=VET[3]).exists()
    assert Award.objects.get(pk=award.pk).uuid == award.uuid  # the award stays


@pytest.mark.django_db
def test_issuer_order_and_co_issuers_follow_the_file(tmp_path):
    load_text(tmp_path, CATALOG)
    data = good()
    data["programs"][1]["issuers"] = ["ki-campus", "charite"]
    load_text(tmp_path, yaml.safe_dump(data))
    assert [i.id for i in api.get_program("dr-med-ki").issuers] == ["ki-campus", "charite"]


@pytest.mark.django_db
def test_programs_may_name_issuers_already_stored(tmp_path):
    load_text(tmp_path, CATALOG)
    data = good()
    data["issuers"] = []
    load_text(tmp_path, yaml.safe_dump(data))  # no error: the issuers are in the database


@pytest.mark.django_db
def test_dry_run_stores_nothing_and_warnings_go_to_stderr(tmp_path):
    data = good()
    for course in data["programs"][0]["courses"]:
        course["hours"] = 10
    out, err = load_text(tmp_path, yaml.safe_dump(data), "--dry-run")
    assert "is valid" in out and "outside the recommended 90 to 150 hours" in err
    assert not Program.objects.exists()


@pytest.mark.django_db
def test_dump_as_json(capsys, catalog):
    call_command("microdegree_programs", "dump", "--format", "json")
    assert json.loads(capsys.readouterr().out) == catalog_to_dict(parse_catalog(CATALOG))


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("microdegree_programs", "load", str(tmp_path / "missing.yaml"))
