"""
Recording recognitions' conditions on the web: the staff REST endpoint, its OpenAPI description, the admin.

The tests mount the plugin's URLs and the admin (this module is their URLconf), with the endpoint added where the
plugin's URLconf does not route it yet.
"""
from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import include, path, reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from microdegree_xblock import api, compat
from microdegree_xblock import urls as plugin_urls
from microdegree_xblock.catalog import parse_catalog
from microdegree_xblock.models import Award, RecognitionCondition, RecognitionConditionEntry
from microdegree_xblock.openapi import SCHEMA_SETTINGS

from .conftest import send_grade
from .test_conditions import DEMO, EXAM_DAY, VET_I, VET_II, VET_III, make_recorder

ROUTE = "api/v1/recognitions/<slug:program_id>/<slug:recognition_id>/conditions/"
NAME = "api-recognition-conditions"
pytestmark = [pytest.mark.django_db]
NOT_SIGNED_IN = 401 if compat.jwt_authentication_classes() else 403


def url(program_id="ai-vet", recognition_id="uma-ects"):
    return reverse(f"microdegree:{NAME}", kwargs={"program_id": program_id, "recognition_id": recognition_id})


@pytest.fixture
def demo(db):  # pylint: disable=unused-argument
    return api.load_catalog(parse_catalog(DEMO.read_text(encoding="utf-8")))


@pytest.fixture
def mannheim(demo):  # pylint: disable=unused-argument,redefined-outer-name
    return make_recorder("uma-staff", "uni-mannheim")


@pytest.fixture
def stuttgart(demo):  # pylint: disable=unused-argument,redefined-outer-name
    return make_recorder("ust-staff", "uni-stuttgart")


@pytest.fixture
def superuser(db):  # pylint: disable=unused-argument
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


def post(client, body, target=None):
    return client.post(target or url(), json.dumps(body), content_type="application/json")


EXAM = {"user": "anna", "course_key": VET_I, "passed": True, "taken_on": "2025-03-14", "result": "1.7"}


# ---------------------------------------------------------------------------------------------------------------
# The REST endpoint


def test_recording_through_the_endpoint_answers_201_then_200(client, mannheim, learner):
    send_grade(learner.pk, VET_I, 0.8)
    client.force_login(mannheim)
    created = post(client, EXAM)
    assert created.status_code == 201, created.content
    answer = created.json()
    award = Award.objects.get(user=learner, kind="recognition")
    assert answer == {"program_id": "ai-vet", "recognition_id": "uma-ects", "user": "anna", "course_key": VET_I,
                      "passed": True, "result": "1.7", "taken_on": "2025-03-14", "recorded_by": "uma-staff",
                      "recorded_at": answer["recorded_at"], "outcome": "created", "awarded": [str(award.uuid)]}
    again = post(client, EXAM)
    assert (again.status_code, again.json()["outcome"], again.json()["awarded"]) == (200, "unchanged", [])
    changed = post(client, {**EXAM, "result": "1.3"})
    assert (changed.status_code, changed.json()["outcome"]) == (200, "changed")
    assert list(RecognitionConditionEntry.objects.values_list("source", flat=True)) == ["api", "api"]


@pytest.mark.parametrize(("body", "fields"), [
    ({**EXAM, "taken_on": "2999-01-01", "user": "nobody"}, {"taken_on", "user"}),
    ({**EXAM, "course_key": VET_III}, {"course_key"}),
    ({**EXAM, "passed": "yes"}, {"passed"}),
    ({**EXAM, "user": 7}, {"user"}),
    ({**EXAM, "grade": "A"}, {"grade"}),
    ({key: value for key, value in EXAM.items() if key != "passed"}, {"passed"}),
])
def test_refused_fields_are_named(client, mannheim, learner, body, fields):  # pylint: disable=unused-argument
    client.force_login(mannheim)
    response = post(client, body)
    assert response.status_code == 400
    assert set(response.json()) == fields and all(isinstance(m, list) for m in response.json().values())
    assert not RecognitionCondition.objects.exists()


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json", b'"text"'])
def test_a_body_that_is_no_json_object_is_refused(client, mannheim, body):
    client.force_login(mannheim)
    response = client.post(url(), body, content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_another_bodys_staff_get_403_and_an_unknown_recognition_404(client, stuttgart, learner):
    client.force_login(stuttgart)
    assert post(client, EXAM).status_code == 403
    assert client.get(url()).status_code == 403
    assert post(client, EXAM, url(recognition_id="nope")).status_code == 404
    assert client.get(url(program_id="nope")).status_code == 404
    assert post(client, {**EXAM, "course_key": VET_III}, url(recognition_id="ust-ects")).status_code == 201
    client.force_login(learner)
    assert post(client, EXAM).status_code == 403
    assert not RecognitionCondition.objects.filter(recognition__slug="uma-ects").exists()


def test_anonymous_requests_are_refused(client, demo):  # pylint: disable=unused-argument,redefined-outer-name
    assert post(client, EXAM).status_code == NOT_SIGNED_IN
    assert client.get(url()).status_code == NOT_SIGNED_IN


def test_the_recorded_conditions_are_listed_a_page_at_a_time(client, mannheim, learner, other_learner):
    client.force_login(mannheim)
    post(client, EXAM)
    post(client, {**EXAM, "course_key": VET_II, "passed": False, "result": ""})
    post(client, {**EXAM, "user": other_learner.username})
    listed = client.get(url()).json()
    assert (listed["count"], listed["offset"], listed["limit"]) == (3, 0, 100)
    assert [(c["user"], c["course_key"], c["passed"]) for c in listed["conditions"]] == [
        ("ben", VET_I, True), ("anna", VET_II, False), ("anna", VET_I, True)]  # latest first
    page = client.get(url(), {"offset": 1, "limit": 1}).json()
    assert (page["count"], [c["course_key"] for c in page["conditions"]]) == (3, [VET_II])
    for query in ({"limit": 0}, {"limit": api.MAX_LISTED_CONDITIONS + 1}, {"offset": -1}, {"offset": "x"}):
        assert client.get(url(), query).status_code == 400


def test_the_endpoint_is_described_in_the_openapi_schema():
    GENERATOR_STATS.reset()
    patterns = [path("microdegree/", include(plugin_urls.api_urlpatterns))]
    generator = SchemaGenerator(patterns=patterns)
    from drf_spectacular.settings import patched_settings
    with patched_settings(SCHEMA_SETTINGS):
        document = generator.get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular warned while generating the schema"
    validate_schema(document)
    operations = document["paths"]["/microdegree/api/v1/recognitions/{program_id}/{recognition_id}/conditions/"]
    assert {method: op["operationId"] for method, op in operations.items()} == {
        "get": "list_recognition_conditions", "post": "record_recognition_condition"}
    assert set(operations["post"]["responses"]) == {"200", "201", "400", "401", "403", "404", "415"}


# ---------------------------------------------------------------------------------------------------------------
# The admin


ADD = "admin:microdegree_recognitioncondition_add"


def form(recognition_pk, **changes):
    return {"recognition": recognition_pk, "learner": "anna", "course_key": VET_I, "passed": "on",
            "taken_on": "2025-03-14", "result": "1.7", **changes}


def uma_pk():
    return api.recordable_recognitions(get_user_model().objects.get(username="root")).get(slug="uma-ects").pk


def test_a_superuser_records_in_the_admin_with_its_audit_entry(client, superuser, demo, learner):
    send_grade(learner.pk, VET_I, 0.8)
    client.force_login(superuser)
    assert client.get(reverse(ADD)).status_code == 200
    response = client.post(reverse(ADD), form(uma_pk()))
    assert response.status_code == 302, response.content.decode()[:3000]
    condition = RecognitionCondition.objects.get()
    entry = RecognitionConditionEntry.objects.get()
    assert (entry.source, entry.recorded_by, entry.user, entry.result) == ("admin", superuser, learner, "1.7")
    assert Award.objects.filter(user=learner, kind="recognition", rule="uma-ects").exists()
    change = reverse("admin:microdegree_recognitioncondition_change", args=[condition.pk])
    assert client.get(change).status_code == 200
    response = client.post(change, {"passed": "on", "taken_on": "2025-03-14", "result": "1.3"})
    assert response.status_code == 302
    assert RecognitionConditionEntry.objects.count() == 2 and RecognitionCondition.objects.get().result == "1.3"
    assert client.post(reverse("admin:microdegree_recognitioncondition_delete", args=[condition.pk]),
                       {"post": "yes"}).status_code == 403


def test_the_admin_names_refused_values_on_their_fields(client, superuser, demo):
    client.force_login(superuser)
    response = client.post(reverse(ADD), form(uma_pk(), learner="nobody", course_key=VET_III))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"learner", "course_key"}
    assert not RecognitionCondition.objects.exists()


def test_a_bodys_staff_record_only_for_their_body_in_the_admin(client, superuser, mannheim, stuttgart, learner):
    uma = uma_pk()
    client.force_login(stuttgart)
    page = client.get(reverse(ADD))
    assert page.status_code == 200
    choices = {str(choice[0]) for choice in page.context["adminform"].form.fields["recognition"].choices}
    assert str(uma) not in choices
    assert client.post(reverse(ADD), form(uma)).status_code == 200  # not a valid choice
    assert not RecognitionCondition.objects.exists()
    client.force_login(mannheim)
    assert client.post(reverse(ADD), form(uma)).status_code == 302
    condition = RecognitionCondition.objects.get()
    assert RecognitionConditionEntry.objects.get().recorded_by == mannheim
    client.force_login(stuttgart)
    listed = client.get(reverse("admin:microdegree_recognitioncondition_changelist"))
    assert listed.status_code == 200 and list(listed.context["cl"].queryset) == []
    change = reverse("admin:microdegree_recognitioncondition_change", args=[condition.pk])
    assert client.post(change, {"passed": "", "taken_on": "2025-03-14", "result": "5.0"}).status_code == 302
    assert RecognitionCondition.objects.get().result == "1.7"
    client.force_login(learner)  # no staff member: no admin at all
    assert client.get(reverse(ADD)).status_code == 302


def test_the_audit_trail_is_read_only_and_recorders_are_for_superusers(client, superuser, mannheim):
    client.force_login(mannheim)
    api.record_condition(program_id="ai-vet", recognition_id="uma-ects", learner=mannheim.username,
                         course_key=VET_I, passed=True, taken_on=EXAM_DAY, result="1.7", recorded_by=mannheim,
                         source="api")
    entry = RecognitionConditionEntry.objects.get()
    assert client.get(reverse("admin:microdegree_recognitionconditionentry_changelist")).status_code == 200
    assert client.get(reverse("admin:microdegree_recognitionconditionentry_add")).status_code == 403
    assert client.post(reverse("admin:microdegree_recognitionconditionentry_delete", args=[entry.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:microdegree_conditionrecorder_changelist")).status_code == 403
    client.force_login(superuser)
    for name in ("recognitionconditionentry", "conditionrecorder", "recognitioncondition"):
        assert client.get(reverse(f"admin:microdegree_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:microdegree_recognitionconditionentry_change", args=[entry.pk])).status_code == 200
    assert client.post(reverse("admin:microdegree_recognitionconditionentry_change", args=[entry.pk]),
                       {"result": "forged"}).status_code == 403
    assert RecognitionConditionEntry.objects.get().result == "1.7"
