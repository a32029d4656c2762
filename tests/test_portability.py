"""
The learner's whole data, to take along (data portability): one JSON download from the achievements page.
"""
from __future__ import annotations

import json

import pytest

from microdegree_xblock import api

from .conftest import BASICS, CLINICS, VET, send_grade

pytestmark = pytest.mark.django_db

URL = "/microdegree/achievements/export.json"


def test_the_export_holds_every_state_award_and_credential(degree, learner, other_learner, client, earn):
    earn(other_learner, BASICS, 0.99)  # someone else's: never in Anna's export
    award = next(a for a in api.get_learner_awards(user_id=learner.pk) if a.kind == "achievement")
    api.set_award_private(user_id=learner.pk, award_id=award.id, private=True)
    client.force_login(learner)
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "microdegree-learner-data/1" and data["user_id"] == learner.pk
    held = api.get_learner_awards(user_id=learner.pk)
    assert sorted(a["id"] for a in data["awards"]) == sorted(a.id for a in held)
    assert {s["course_key"] for s in data["course_states"]} == {BASICS, CLINICS, "course-v1:X+Third+1"}
    mine = next(a for a in data["awards"] if a["id"] == award.id)
    assert mine["private"] is True and mine["evidence"]["threshold"]
    degree_entry = next(a for a in data["awards"] if a["kind"] == "degree")
    assert set(degree_entry["credentials"]) == {"ob3", "clr", "clr-member"}
    assert degree_entry["credentials"]["ob3"]["proof"]
    assert all(a["id"] not in {x.id for x in api.get_learner_awards(user_id=other_learner.pk)}
               for a in data["awards"])


def test_the_export_reads_a_constant_number_of_queries(catalog, learner, django_assert_num_queries):
    for key in VET:
        send_grade(learner.pk, key, 0.9)
    with django_assert_num_queries(3):
        small = api.export_learner_data(user_id=learner.pk)
    for key in (BASICS, CLINICS):
        send_grade(learner.pk, key, 0.9)
    with django_assert_num_queries(3):
        large = api.export_learner_data(user_id=learner.pk)
    assert len(large["awards"]) > len(small["awards"])


def test_only_a_signed_in_learner_gets_their_own(client, catalog):
    assert client.get(URL).status_code == 302  # to sign in
