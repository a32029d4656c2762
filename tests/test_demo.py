"""
The demo served by ``make demo``: its program file, its learners, and its grade form sending the real event.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from microdegree_xblock import api
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.models import Award

DEMO_PROGRAMS = Path(__file__).resolve().parent.parent / "lms_host" / "demo_programs.yaml"
AI_VET_I = "course-v1:UniMannheim+AI_VET_I+2024"


@pytest.fixture
def demo(db):  # pylint: disable=unused-argument
    call_command("microdegree_programs", "load", str(DEMO_PROGRAMS))
    call_command("demo_setup")
    call_command("demo_setup")  # idempotent


def test_demo_programs_are_the_concepts_programs():
    spec = parse_catalog(DEMO_PROGRAMS.read_text(encoding="utf-8"))
    assert spec.warnings == ()
    vet, med, nested = spec.programs
    assert nested.requires == ("ai-vet",) and nested.capstone is not None
    assert vet.title == "AI_VET – KI in der beruflichen Bildung"
    assert vet.issuers == ("uni-mannheim", "uni-stuttgart")
    assert [int(c.hours) for c in vet.courses] == [25, 50, 50, 25]
    assert med.title == "Dr. med. KI" and med.issuers == ("charite", "ki-campus")
    assert [(int(c.hours), c.planned) for c in med.courses] == [(21, False), (16, False), (25, True), (40, True)]


@pytest.mark.django_db(transaction=True)
def test_grade_form_sends_the_real_event_and_the_index_shows_the_award(demo, client):
    response = client.post("/demo/grade/", {"learner": "anna", "course": AI_VET_I, "percent": "65"})
    assert response.status_code == 302
    award = Award.objects.get(user__username="anna")
    assert str(award.course_key) == AI_VET_I
    page = client.get(response["Location"]).content.decode()
    assert "Sent PERSISTENT_GRADE_SUMMARY_CHANGED" in page and str(award.uuid) in page
    assert "AI_VET – KI in der beruflichen Bildung" in page and "Universität Stuttgart" in page


@pytest.mark.django_db
@pytest.mark.parametrize("form", [
    {"learner": "anna", "course": AI_VET_I, "percent": "150"},
    {"learner": "anna", "course": "not-a-key", "percent": "50"},
    {"learner": "anna", "course": AI_VET_I, "percent": "abc"},
    {"learner": "nobody", "course": AI_VET_I, "percent": "90"},
])
def test_grade_form_refuses_bad_input(demo, client, form):
    page = client.post("/demo/grade/", form, follow=True).content.decode()
    assert "Pick a" in page
    assert not Award.objects.exists()


@pytest.mark.django_db
def test_demo_learner_signs_in_and_reads_the_progress_api(demo, client):
    response = client.post("/login/", {"username": "ben", "password": "demo"})
    assert response.status_code == 302
    data = client.get("/microdegree/api/v1/progress/").json()
    assert [p["id"] for p in data["programs"]] == [p.id for p in api.get_programs()]
    assert client.get("/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_demo_history_spreads_a_years_awards_through_the_real_pipeline(demo, client):
    from django.db.models.functions import TruncMonth  # pylint: disable=import-outside-toplevel

    from microdegree_xblock.models import Award, SignedCredential  # pylint: disable=import-outside-toplevel

    call_command("demo_history", learners=40, seed=7)
    generated = Award.objects.filter(user__username__startswith="history-")
    months = set(generated.annotate(month=TruncMonth("issued_at")).values_list("month", flat=True))
    assert generated.filter(kind="achievement").exists() and generated.filter(kind="participation").exists()
    assert len(months) >= 6  # a year, not one afternoon
    # every award went the event path's whole way: signed, with the credential dated as the award
    award = generated.filter(kind="achievement").first()
    credential = SignedCredential.objects.get(award=award, format="ob3")
    assert award.issued_at.strftime("%Y-%m-%d") in credential.text
    count = generated.count()
    call_command("demo_history", learners=40, seed=7)  # idempotent
    assert Award.objects.filter(user__username__startswith="history-").count() == count
    # the demo's learner picker stays the three demo learners
    assert "history-000" not in client.get("/").content.decode()
