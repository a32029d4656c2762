"""
The EU micro-credential elements and the admin-set badge images: in program files, the admin and the credentials.
"""
from __future__ import annotations

import json

import pytest
import yaml
from django.urls import reverse

from microdegree_xblock import api
from microdegree_xblock.catalog import CatalogError, catalog_to_dict, parse_catalog
from microdegree_xblock.models import Program

from .conftest import CATALOG, VET, send_grade

IMAGE = "https://static.example.org/badges/ai-vet-1.png"
DEGREE_IMAGE = "https://static.example.org/badges/ai-vet.svg"


def catalog_with_eu_elements() -> dict:
    data = yaml.safe_load(CATALOG)
    program = data["programs"][0]
    program.update(
        learning_outcomes=["Explain what machine learning can do in teaching", "Plan an AI-supported lesson"],
        eqf_level=6, participation_form="online, self-paced", assessment_type="graded online quizzes",
        quality_assurance="Reviewed by the universities' quality boards", badge_image=DEGREE_IMAGE,
    )
    program["courses"][0]["badge_image"] = IMAGE
    return data


def test_eu_elements_and_badge_images_are_read_from_program_files():
    spec = parse_catalog(yaml.safe_dump(catalog_with_eu_elements()))
    program = spec.programs[0]
    assert program.eqf_level == 6 and program.learning_outcomes[1] == "Plan an AI-supported lesson"
    assert program.badge_image == DEGREE_IMAGE and program.courses[0].badge_image == IMAGE
    # Learning outcomes may also be one text, a line each.
    data = catalog_with_eu_elements()
    data["programs"][0]["learning_outcomes"] = "First outcome\nSecond outcome\n"
    assert parse_catalog(yaml.safe_dump(data)).programs[0].learning_outcomes == ("First outcome", "Second outcome")


@pytest.mark.parametrize("field,value,message", [
    ("eqf_level", 9, "programs[ai-vet].eqf_level: 9 must be an EQF level, a whole number from 1 to 8"),
    ("eqf_level", "six", "programs[ai-vet].eqf_level: 'six' must be an EQF level"),
    ("learning_outcomes", [1, 2], "programs[ai-vet].learning_outcomes: must be a list of learning outcomes"),
    ("badge_image", "javascript:alert(1)", "programs[ai-vet].badge_image: 'javascript:alert(1)' is not an http(s)"),
])
def test_invalid_eu_elements_and_images_are_refused(field, value, message):
    data = catalog_with_eu_elements()
    data["programs"][0][field] = value
    with pytest.raises(CatalogError) as info:
        parse_catalog(yaml.safe_dump(data))
    assert any(error.startswith(message) for error in info.value.errors), info.value.errors


@pytest.mark.django_db
def test_load_and_dump_keep_them():
    spec = parse_catalog(yaml.safe_dump(catalog_with_eu_elements()))
    api.load_catalog(spec)
    assert catalog_to_dict(api.dump_catalog()) == catalog_to_dict(spec)
    assert not api.load_catalog(spec).changed
    program = Program.objects.get(slug="ai-vet")
    assert program.eqf_level == 6 and program.learning_outcomes.splitlines()[0].startswith("Explain")


@pytest.mark.django_db
def test_the_credentials_carry_the_admins_images_and_the_eu_elements(client, learner,
                                                                     django_capture_on_commit_callbacks):
    api.load_catalog(parse_catalog(yaml.safe_dump(catalog_with_eu_elements())))
    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, VET[0], 0.9)
    award = api.get_learner_awards(user_id=learner.pk)[0]
    badge_class = client.get(
        reverse("microdegree:ob2-badge", kwargs={"program_id": "ai-vet", "kind": "achievement",
                                                  "course_key": VET[0]})
    ).json()
    assert badge_class["image"] == IMAGE
    degree_class = client.get(reverse("microdegree:ob2-badge-degree", kwargs={"program_id": "ai-vet"})).json()
    assert degree_class["image"] == DEGREE_IMAGE
    credential = json.loads(client.get(reverse("microdegree:credential-ob3", kwargs={"award_id": award.id})).content)
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["image"]["id"] == IMAGE
    text = json.dumps(credential)
    assert "Plan an AI-supported lesson" in text and "graded online quizzes" in text


@pytest.mark.django_db
def test_the_admin_edits_the_eu_elements(admin_client, catalog):
    program = Program.objects.get(slug="ai-vet")
    response = admin_client.get(reverse("admin:microdegree_program_change", args=[program.pk]))
    html = response.content.decode()
    for name in ("learning_outcomes", "eqf_level", "participation_form", "assessment_type", "quality_assurance",
                 "badge_image_url"):
        assert f'name="{name}"' in html
