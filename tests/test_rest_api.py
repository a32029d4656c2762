"""
The REST API, through Django's test client on the real DRF views, the real database and real grade events.
"""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from microdegree_xblock import api
from microdegree_xblock.catalog import validate_catalog
from microdegree_xblock.data import DEGREE
from microdegree_xblock.models import Award

from .conftest import BASICS, CLINICS, ETHICS, VET, send_grade

pytestmark = pytest.mark.django_db

CATALOG_URL = "/microdegree/api/v1/programs/"
PROGRESS_URL = "/microdegree/api/v1/progress/"

PROGRAM_KEYS = {"id", "title", "issuers", "courses", "earned_count", "required_count", "hours_earned",
                "hours_total", "degree"}
COURSE_KEYS = {"course_key", "title", "hours", "planned", "status", "percent", "threshold", "participation",
               "achievement"}


def by_id(programs):
    return {program["id"]: program for program in programs}


def courses(program):
    return {course["course_key"]: course for course in program["courses"]}


def progress_of(client, user):
    client.force_login(user)
    response = client.get(PROGRESS_URL)
    assert response.status_code == 200, response.content
    return by_id(response.json()["programs"])


# ---------------------------------------------------------------------------------------------------------------
# Catalog


def test_catalog_is_public_and_lists_programs_issuers_and_courses_in_order(client, catalog):
    response = client.get(CATALOG_URL)
    assert response.status_code == 200
    programs = response.json()["programs"]
    assert [p["id"] for p in programs] == ["ai-vet", "dr-med-ki"]  # ordered by title
    vet, med = programs
    assert [(i["id"], i["name"]) for i in vet["issuers"]] == [("uni-mannheim", "Universität Mannheim")]
    # Co-issued: both issuers, in the program's order.
    assert [(i["id"], i["name"]) for i in med["issuers"]] == [("charite", "Charité Berlin"),
                                                              ("ki-campus", "KI-Campus")]
    assert [(c["course_key"], c["title"], c["hours"], c["planned"]) for c in vet["courses"]] == [
        (VET[0], "AI_VET I", 25, False), (VET[1], "AI_VET II", 50, False),
        (VET[2], "AI_VET III", 50, False), (VET[3], "AI_VET IV", 25, False),
    ]
    assert vet["hours_total"] == 150
    assert [(c["course_key"], c["planned"]) for c in med["courses"]] == [
        (BASICS, False), (CLINICS, False), (ETHICS, True),
    ]
    # Thresholds: the settings default (0.6) unless the course overrides it (Basics: 0.7).
    assert [c["threshold"] for c in vet["courses"]] == [0.6] * 4
    assert [c["threshold"] for c in med["courses"]] == [0.7, 0.6, 0.6]
    assert all(c["participation_threshold"] == 0.5 for p in programs for c in p["courses"])


def test_catalog_default_threshold_follows_the_setting(client, catalog, settings):
    settings.MICRODEGREE_ACHIEVEMENT_THRESHOLD = "0.65"
    med = by_id(client.get(CATALOG_URL).json()["programs"])["dr-med-ki"]
    assert [c["threshold"] for c in med["courses"]] == [0.7, 0.65, 0.65]


def test_catalog_order_is_the_stored_order_not_the_insertion_order(client, catalog):
    """Issuers and courses come in the order the program file gives, also after a reorder."""
    def spec(course_order):
        return validate_catalog({
            "programs": [{
                "id": "ordered", "title": "Ordered", "description": "",
                "issuers": ["ki-campus", "charite"],  # not the order the issuers were stored in
                "courses": [{"key": f"course-v1:Ord+{name}+1", "title": name, "hours": 30.5}
                            for name in course_order],
            }],
        }, known_issuer_ids=api.known_issuer_ids())

    api.load_catalog(spec(["A", "B", "C"]))
    api.load_catalog(spec(["C", "A", "B"]))  # reorder: rows keep their ids, the order changes
    ordered = by_id(client.get(CATALOG_URL).json()["programs"])["ordered"]
    assert [i["id"] for i in ordered["issuers"]] == ["ki-campus", "charite"]
    assert [c["title"] for c in ordered["courses"]] == ["C", "A", "B"]
    assert [c["hours"] for c in ordered["courses"]] == [30.5, 30.5, 30.5]


# ---------------------------------------------------------------------------------------------------------------
# Progress


def test_progress_refuses_anonymous_visitors(client, catalog):
    response = client.get(PROGRESS_URL)
    assert response.status_code in (401, 403)
    assert "programs" not in response.json()


def test_progress_shape_and_statuses(client, catalog, learner):
    send_grade(learner.pk, VET[0], 0.9)     # earned
    send_grade(learner.pk, VET[1], 0.3)     # in progress
    send_grade(learner.pk, BASICS, 0.65)    # in progress: Basics needs 0.7
    send_grade(learner.pk, ETHICS, 1.0)     # planned: cannot be earned

    programs = progress_of(client, learner)
    assert list(programs) == ["ai-vet", "dr-med-ki"]
    for program in programs.values():
        assert PROGRAM_KEYS <= set(program), PROGRAM_KEYS - set(program)
        for issuer in program["issuers"]:
            assert {"id", "name"} <= set(issuer)
        for course in program["courses"]:
            assert COURSE_KEYS <= set(course), COURSE_KEYS - set(course)

    vet = programs["ai-vet"]
    assert [(c["course_key"], c["status"], c["percent"]) for c in vet["courses"]] == [
        (VET[0], "earned", 0.9), (VET[1], "in_progress", 0.3),
        (VET[2], "not_started", None), (VET[3], "not_started", None),
    ]
    earned = vet["courses"][0]
    award = Award.objects.get(user=learner, course_key=VET[0])
    assert earned["achievement"]["id"] == str(award.uuid)
    assert datetime.fromisoformat(earned["achievement"]["issued_on"]) == award.issued_at
    assert earned["participation"] is None
    assert all(c["achievement"] is None for c in vet["courses"][1:])
    assert (vet["earned_count"], vet["required_count"], vet["hours_earned"], vet["hours_total"]) == (1, 4, 25, 150)
    assert vet["degree"] is None

    med = courses(programs["dr-med-ki"])
    assert (med[BASICS]["status"], med[BASICS]["threshold"], med[BASICS]["percent"]) == ("in_progress", 0.7, 0.65)
    assert (med[CLINICS]["status"], med[CLINICS]["threshold"]) == ("not_started", 0.6)
    assert (med[ETHICS]["status"], med[ETHICS]["planned"], med[ETHICS]["achievement"]) == ("planned", True, None)
    assert programs["dr-med-ki"]["issuers"] == [
        {"id": "charite", "name": "Charité Berlin", "url": "https://www.charite.de", "country": "DE"},
        {"id": "ki-campus", "name": "KI-Campus", "url": "https://ki-campus.org", "country": "DE"},
    ]
    assert programs["dr-med-ki"]["earned_count"] == 0


def test_degree_is_null_until_every_course_is_achieved(client, catalog, learner,
                                                       django_capture_on_commit_callbacks):
    for key in VET[:3]:
        with django_capture_on_commit_callbacks(execute=True):
            send_grade(learner.pk, key, 0.8)
    vet = progress_of(client, learner)["ai-vet"]
    assert vet["degree"] is None and vet["earned_count"] == 3

    with django_capture_on_commit_callbacks(execute=True):
        send_grade(learner.pk, VET[3], 0.61)
    vet = progress_of(client, learner)["ai-vet"]
    degree = Award.objects.get(user=learner, kind=DEGREE)
    assert vet["degree"]["id"] == str(degree.uuid)
    assert datetime.fromisoformat(vet["degree"]["issued_on"]) == degree.issued_at
    assert (vet["earned_count"], vet["hours_earned"]) == (4, 150)
    assert [c["status"] for c in vet["courses"]] == ["earned"] * 4
    assert progress_of(client, learner)["dr-med-ki"]["degree"] is None


def test_a_learner_never_sees_another_learners_awards(client, catalog, learner, other_learner,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for key in VET:
            send_grade(other_learner.pk, key, 0.95)
        send_grade(other_learner.pk, BASICS, 0.95)
    send_grade(learner.pk, VET[1], 0.3)

    client.force_login(learner)
    body = client.get(PROGRESS_URL).content.decode()
    for award in Award.objects.filter(user=other_learner):
        assert str(award.uuid) not in body
    mine = progress_of(client, learner)
    assert [c["status"] for c in mine["ai-vet"]["courses"]] == ["not_started", "in_progress", "not_started",
                                                                "not_started"]
    assert [c["percent"] for c in mine["ai-vet"]["courses"]] == [None, 0.3, None, None]
    assert mine["ai-vet"]["degree"] is None and mine["ai-vet"]["earned_count"] == 0
    assert courses(mine["dr-med-ki"])[BASICS]["status"] == "not_started"

    theirs = progress_of(client, other_learner)  # the other learner does see their own
    assert theirs["ai-vet"]["earned_count"] == 4 and theirs["ai-vet"]["degree"] is not None
    assert courses(theirs["ai-vet"])[VET[1]]["percent"] == 0.95


def test_revoked_awards_are_not_counted_as_earned(client, catalog, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for key in VET:
            send_grade(learner.pk, key, 0.9)
    degree = Award.objects.get(user=learner, kind=DEGREE)
    record = Award.objects.get(user=learner, course_key=VET[0])
    assert progress_of(client, learner)["ai-vet"]["earned_count"] == 4

    with django_capture_on_commit_callbacks(execute=True):
        api.revoke_award(award_id=record.uuid, reason="Grade annulled after an appeal.")
        api.revoke_award(award_id=degree.uuid, reason="A course record was annulled.")
    vet = progress_of(client, learner)["ai-vet"]
    first = vet["courses"][0]
    assert first["status"] != "earned" and first["achievement"] is None
    assert (vet["earned_count"], vet["hours_earned"]) == (3, 125)
    assert vet["degree"] is None
    # A later grade event does not silently re-issue a revoked record.
    send_grade(learner.pk, VET[0], 1.0)
    assert progress_of(client, learner)["ai-vet"]["courses"][0]["achievement"] is None


# ---------------------------------------------------------------------------------------------------------------
# Constant number of queries


def _program(index: int) -> dict:
    return {
        "id": f"p{index:02d}", "title": f"Program {index:02d}", "description": "",
        "issuers": ["acme", "beta"],
        "courses": [{"key": f"course-v1:Acme+P{index:02d}C{n}+2024", "title": f"Course {n}", "hours": 30,
                     **({"achievement_threshold": 0.7} if n == 0 else {})} for n in range(4)],
    }


def _load_programs(indexes) -> None:
    api.load_catalog(validate_catalog({
        "issuers": [
            {"id": "acme", "name": "Acme University", "url": "https://acme.example", "country": "DE"},
            {"id": "beta", "name": "Beta College", "url": "https://beta.example", "country": "AT"},
        ],
        "programs": [_program(i) for i in indexes],
    }))


def _give_progress(user, indexes) -> None:
    for i in indexes:
        send_grade(user.pk, f"course-v1:Acme+P{i:02d}C0+2024", 0.9)   # achievement
        send_grade(user.pk, f"course-v1:Acme+P{i:02d}C1+2024", 0.4)   # state only
        api.record_completion(user_id=user.pk, course_key=f"course-v1:Acme+P{i:02d}C2+2024", completion=0.8,
                              event_type="test")                        # participation


def _count_progress_queries(client) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROGRESS_URL)
    assert response.status_code == 200
    return len(queries), response.json()


def test_progress_runs_the_same_number_of_queries_for_1_and_20_programs(client, learner, other_learner,
                                                                      django_assert_max_num_queries):
    _load_programs([0])
    _give_progress(learner, [0])
    _give_progress(other_learner, [0])
    client.force_login(learner)
    one, body = _count_progress_queries(client)
    assert len(body["programs"]) == 1 and body["programs"][0]["earned_count"] == 1

    _load_programs(range(20))
    _give_progress(learner, range(1, 20))
    _give_progress(other_learner, range(20))
    twenty, body = _count_progress_queries(client)
    programs = body["programs"]
    assert len(programs) == 20 and sum(len(p["courses"]) for p in programs) == 80
    assert all(p["earned_count"] == 1 and len(p["issuers"]) == 2 for p in programs)
    assert all(p["courses"][2]["participation"] is not None for p in programs)
    assert all(p["courses"][1]["status"] == "in_progress" for p in programs)

    print(f"\nprogress API queries: 1 program={one}, 20 programs={twenty}")
    assert one == twenty
    with django_assert_max_num_queries(11):  # session + user + the api's nine
        client.get(PROGRESS_URL)


def test_catalog_runs_the_same_number_of_queries_for_1_and_20_programs(client, db):
    _load_programs([0])
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(CATALOG_URL).json()["programs"]) == 1
    _load_programs(range(20))
    with CaptureQueriesContext(connection) as twenty:
        assert len(client.get(CATALOG_URL).json()["programs"]) == 20
    print(f"\ncatalog API queries: 1 program={len(one)}, 20 programs={len(twenty)}")
    assert len(one) == len(twenty) <= 3


# ---------------------------------------------------------------------------------------------------------------
# JWT (what Open edX MFEs send), when edx-drf-extensions is installed

JWT_ISSUER = {"ISSUER": "http://127.0.0.1:8000/oauth2", "AUDIENCE": "lms-audience",
              "SECRET_KEY": "a-symmetric-jwt-secret-of-at-least-32-bytes"}


def _rsa_jwks() -> tuple[str, str]:
    """A private signing JWK and the public JWK set, as the LMS's JWT_AUTH holds them."""
    import jwt  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import rsa  # pylint: disable=import-outside-toplevel

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return json.dumps({**private, "kid": "test-key"}), json.dumps({"keys": [{**public, "kid": "test-key"}]})


@pytest.fixture
def lms_jwt_auth(settings):
    """
    JWT_AUTH as the LMS configures it (asymmetric signing keys, the "JWT" header prefix).

    drf-jwt reads JWT_AUTH once, at import time; point its settings at the test's JWT_AUTH, and back after.
    """
    pytest.importorskip("edx_rest_framework_extensions")
    from rest_framework_jwt.settings import api_settings  # pylint: disable=import-outside-toplevel

    private_jwk, public_jwks = _rsa_jwks()
    settings.JWT_AUTH = {
        "JWT_AUTH_HEADER_PREFIX": "JWT",
        "JWT_ISSUER": JWT_ISSUER["ISSUER"],
        "JWT_AUDIENCE": JWT_ISSUER["AUDIENCE"],
        "JWT_SECRET_KEY": JWT_ISSUER["SECRET_KEY"],
        "JWT_ISSUERS": [JWT_ISSUER],
        "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
        "JWT_VERIFY_AUDIENCE": True,
        "JWT_SIGNING_ALGORITHM": "RS512",
        "JWT_PRIVATE_SIGNING_JWK": private_jwk,
        "JWT_PUBLIC_SIGNING_JWK_SET": public_jwks,
    }
    saved = vars(api_settings).get("_user_settings")
    api_settings.reload()
    api_settings._user_settings = settings.JWT_AUTH  # pylint: disable=protected-access
    yield settings.JWT_AUTH
    api_settings.reload()
    if saved is not None:
        api_settings._user_settings = saved  # pylint: disable=protected-access


def _payload(user) -> dict:
    from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
        generate_unversioned_payload,
    )

    return generate_unversioned_payload(user)


def _asymmetric_jwt(payload) -> str:
    from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
        generate_asymmetric_jwt_token,
    )

    return generate_asymmetric_jwt_token(payload)


def _symmetric_jwt(payload, signing_key=None) -> str:
    from edx_rest_framework_extensions.auth.jwt.tests.utils import (  # pylint: disable=import-outside-toplevel
        generate_jwt_token,
    )

    return generate_jwt_token(payload, signing_key=signing_key)


def test_jwt_authenticates_the_learner(client, catalog, learner, other_learner, lms_jwt_auth):
    send_grade(learner.pk, VET[0], 0.9)
    response = client.get(PROGRESS_URL, HTTP_AUTHORIZATION=f"JWT {_asymmetric_jwt(_payload(learner))}")
    assert response.status_code == 200, response.content
    assert by_id(response.json()["programs"])["ai-vet"]["courses"][0]["status"] == "earned"

    response = client.get(PROGRESS_URL, HTTP_AUTHORIZATION=f"JWT {_asymmetric_jwt(_payload(other_learner))}")
    assert response.status_code == 200, response.content
    assert by_id(response.json()["programs"])["ai-vet"]["courses"][0]["status"] == "not_started"

    # The deprecated symmetric JWTs, signed with the issuer's secret, still work.
    response = client.get(PROGRESS_URL, HTTP_AUTHORIZATION=f"JWT {_symmetric_jwt(_payload(learner))}")
    assert response.status_code == 200, response.content


def test_jwt_with_a_bad_signature_issuer_or_expiry_is_refused(client, catalog, learner, lms_jwt_auth):
    forged = _symmetric_jwt(_payload(learner), signing_key="not-the-secret-but-just-as-long-as-it")
    assert client.get(PROGRESS_URL, HTTP_AUTHORIZATION=f"JWT {forged}").status_code == 401

    other_issuer = {**_payload(learner), "iss": "https://evil.example"}
    assert client.get(PROGRESS_URL, HTTP_AUTHORIZATION=f"JWT {_asymmetric_jwt(other_issuer)}").status_code == 401

    expired = {**_payload(learner), "iat": 1_000_000, "exp": 1_000_600}
    assert client.get(PROGRESS_URL, HTTP_AUTHORIZATION=f"JWT {_asymmetric_jwt(expired)}").status_code == 401

    response = client.get(PROGRESS_URL)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("JWT")


def test_urls_are_mounted_under_microdegree():
    assert reverse("microdegree:api-programs") == CATALOG_URL
    assert reverse("microdegree:api-progress") == PROGRESS_URL
