"""
A learner's progress with recognitions, electives and nested programmes costs the same queries at 1 and 20 programmes.

Through the REST progress API, the panel (the block's ``student_view`` through the XBlock runtime, and its refresh
handler) and the achievements page; and the progress payload has exactly the keys its OpenAPI schema documents.
"""
from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from opaque_keys.edx.django.models import CourseKeyField

from microdegree_xblock import api
from microdegree_xblock.catalog import parse_catalog, validate_catalog
from microdegree_xblock.models import Recognition, RecognitionCondition

from .fuzz.test_openapi import _keys_seen
from .test_panel import call_refresh, make_block
from .test_progress_recognitions import BASICS, DEMO, ETHIK, VET

pytestmark = pytest.mark.django_db

# The api's reads: the programme steps; the programmes, their issuers, courses (with groups), recognitions (with
# their bodies) and the courses those name; the learner's states, valid awards and recorded conditions.
PROGRESS_QUERIES = 9
ANONYMOUS_QUERIES = 6


def key(i: int, n: int) -> str:
    return f"course-v1:Acme+P{i:02d}C{n}+2024"


def _program(i: int) -> dict:
    """Two required courses (the second a capstone taken last), a group of three (choose two), two recognitions."""
    return {
        "id": f"p{i:02d}", "title": f"Programme {i:02d}", "issuers": ["acme"],
        "requires": ["p00"] if i else [],
        "courses": [{"key": key(i, 0), "title": "Required", "hours": 30},
                    {"key": key(i, 1), "title": "Capstone", "hours": 30}],
        "electives": [{"id": "choice", "title": "Choice", "choose": 2, "courses": [
            {"key": key(i, n), "title": f"Elective {n}", "hours": 20} for n in (2, 3, 4)]}],
        "capstone": {"key": key(i, 1), "last": True},
        "recognitions": [
            {"id": "cme", "by": "chamber", "courses": "all", "threshold": 0.7, "credits": {"amount": 8, "unit": "CME"}},
            {"id": "ects", "by": "uni", "courses": [key(i, 0), key(i, 2)], "condition": "On-site exam",
             "credits": {"amount": 2, "unit": "ECTS"}},
            {"id": "whole", "by": "chamber", "program": True, "condition": "Interview"},
        ],
    }


def _load(count: int) -> None:
    api.load_catalog(validate_catalog({
        "issuers": [{"id": "acme", "name": "Acme University", "url": "https://acme.example", "country": "DE"},
                    {"id": "chamber", "name": "Chamber", "url": "https://chamber.example", "country": "DE"},
                    {"id": "uni", "name": "University", "url": "https://uni.example", "country": "DE"}],
        "programs": [_program(i) for i in range(count)],
    }))


def _progress_in(user, count: int) -> None:
    """Records, recognitions and recorded exams in every programme."""
    for i in range(count):
        for n, percent in ((0, 0.9), (2, 0.75), (3, 0.65)):
            api.record_grade(user_id=user.pk, course_key=key(i, n), percent=percent, event_type="test")
        for rec in Recognition.objects.filter(program__slug=f"p{i:02d}", slug__in=("ects", "whole")):
            RecognitionCondition.objects.update_or_create(
                recognition=rec, user=user, course_key=key(i, 0) if rec.slug == "ects" else CourseKeyField.Empty,
                defaults={"passed": True, "result": "1.0", "taken_on": date(2025, 1, 1), "recorded_at": timezone.now()})


def _count(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return len(queries), result


@pytest.mark.parametrize("count", [1, 20])
def test_the_api_reads_a_fixed_number_of_queries(learner, count, django_assert_num_queries):
    _load(count)
    _progress_in(learner, count)
    with django_assert_num_queries(PROGRESS_QUERIES):
        found = api.get_learner_progress(user_id=learner.pk)
    assert len(found) == count
    last = found[-1]
    assert [node.kind for node in last.requirements] == (["course", "group", "course"] if count == 1
                                                         else ["course", "group", "program", "course"])
    assert last.requirements[1].chosen == 2 and last.courses[0].recognitions[1].condition_status == "passed"
    assert {(t.unit, t.amount) for t in last.credits} == {("CME", 16)}  # the required course's and an elective's
    with django_assert_num_queries(PROGRESS_QUERIES):  # one programme, with the programme it requires
        (one,) = api.get_learner_progress(user_id=learner.pk, program_id=last.program.id)
    assert one.requirements == last.requirements
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        assert len(api.get_learner_progress(user_id=None)) == count


def test_the_rest_api_the_panel_and_the_achievements_page_at_1_and_20_programmes(client, learner):
    counts = {}
    for count in (1, 20):
        _load(count)
        _progress_in(learner, count)
        client.force_login(learner)
        rest, response = _count(lambda: client.get(reverse("microdegree:api-progress")))
        assert response.status_code == 200 and len(response.json()["programs"]) == count
        block = make_block(f'<microdegree program="p{count - 1:02d}"/>', learner.pk)
        view, fragment = _count(lambda b=block: b.runtime.render(b, "student_view"))
        assert "microdegree-recognition" in fragment.body_html()
        refresh, answer = _count(lambda b=block: call_refresh(b))
        assert answer.status_code == 200
        page, response = _count(lambda: client.get(reverse("microdegree:achievements")))
        assert response.status_code == 200
        assert response.content.decode().count('<section class="microdegree-panel') == count
        counts[count] = (rest, view, refresh, page)
    print(f"\nqueries (REST API, student_view, refresh, achievements page): {counts}")
    assert counts[1] == counts[20]
    # the session and its user, then the api's reads (and the page's list of awards)
    assert counts[1] == (2 + PROGRESS_QUERIES, PROGRESS_QUERIES, PROGRESS_QUERIES, 2 + PROGRESS_QUERIES + 1)


def test_the_payload_has_exactly_the_documented_keys(client, learner, django_capture_on_commit_callbacks):
    """Every documented object of a progress with recognitions (earned and not), groups and nesting, and no other."""
    api.load_catalog(parse_catalog(DEMO.replace("""        credits: {amount: 12, unit: CME}
""", """        credits: {amount: 12, unit: CME}
      - {id: whole, by: lak-bw, program: true, condition: Interview}
""")))
    with django_capture_on_commit_callbacks(execute=True):
        for course_key, percent in ((BASICS, 0.8), (VET[0], 0.9), (ETHIK, 0.9)):
            api.record_grade(user_id=learner.pk, course_key=course_key, percent=percent, event_type="test")
    RecognitionCondition.objects.create(recognition=Recognition.objects.get(slug="uma-ects"), user=learner,
                                        course_key=VET[0], passed=False, result="4.0", taken_on=date(2025, 1, 1),
                                        recorded_at=timezone.now())
    document = json.loads(client.get("/microdegree/api/schema/").content)
    components = document["components"]["schemas"]
    url = reverse("microdegree:api-progress")
    answer = document["paths"][url]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    client.force_login(learner)
    seen: dict[str, set] = {}
    _keys_seen(client.get(url).json(), answer, components, seen)
    assert {"Requirement", "RecognitionStanding", "Credits", "Award", "Issuer"} <= seen.keys()
    for name, keys in seen.items():
        documented = set(components[name]["properties"])
        assert keys == documented - ({"clr_url"} if name == "Award" else set()), name  # no degree: no CLR
