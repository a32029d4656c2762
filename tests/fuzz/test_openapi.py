"""
The REST API against its OpenAPI schema: the schema itself, then schemathesis's generated requests, in-process.

Schemathesis reads the schema the plugin serves (``/microdegree/api/schema/``) from Django's WSGI application and
sends the requests it generates from it to the same application, as an anonymous visitor and as a signed-in learner
who holds awards (with and without the CSRF token a session POST needs). The visibility endpoint gets the learner's
own award ids, another learner's and random ones, with valid and invalid bodies, so its 200, 400, 401, 403 and 404
answers are all reached. Every answer must be no server error, have a documented status code and content type, and
match the documented schema; after each request the stored awards and learner states must still be consistent.
Each example runs in a savepoint that is rolled back, so every example starts from the same database.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import pytest
import schemathesis
import yaml
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.db.models import Q
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.validation import validate_schema
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from microdegree_xblock import api, compat
from microdegree_xblock.data import COURSE_AWARD_KINDS
from microdegree_xblock.models import Award, LearnerCourseState

from ..conftest import BASICS, CLINICS, VET
from .cases import budget, count
from .isolation import rolled_back

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/microdegree/api/schema/"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# An anonymous call: 401 where JWT authentication is installed (as in the LMS and here), else 403.
NOT_SIGNED_IN = 401 if compat.jwt_authentication_classes() else 403
OPERATIONS = {
    ("GET", "microdegree:api-programs"): "list_programs",
    ("GET", "microdegree:api-progress"): "get_learner_progress",
    ("POST", "microdegree:api-visibility"): "set_award_visibility",
    ("GET", "microdegree:api-recognition-conditions"): "list_recognition_conditions",
    ("POST", "microdegree:api-recognition-conditions"): "record_recognition_condition",
}
# The documented path of each named route: its parameters as the schema names them.
PATH_PARAMETERS = {
    "microdegree:api-visibility": {"award_id": "00000000-0000-0000-0000-000000000000"},
    "microdegree:api-recognition-conditions": {"program_id": "program-id", "recognition_id": "recognition-id"},
}


class InProcessApp(WSGIHandler):
    """
    Django's WSGI application inside the test's transaction, raising what a view raised.

    As Django's test client does, and for the same reasons: the database connection is not closed after each
    request (that would end the test's transaction), and an exception a view lets out fails the test with its
    traceback instead of becoming a bare 500.
    """

    def __call__(self, environ, start_response):
        raised = []

        def keep(**kwargs):  # pylint: disable=unused-argument
            raised.append(sys.exc_info()[1])

        got_request_exception.connect(keep, dispatch_uid="test-openapi-raised")
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            got_request_exception.disconnect(dispatch_uid="test-openapi-raised")
        if raised:
            raise raised[0]
        return [body]


@pytest.fixture(scope="module")
def app():
    return InProcessApp()


@pytest.fixture
def schema(app, db):  # pylint: disable=unused-argument
    return schemathesis.openapi.from_wsgi(SCHEMA_URL, app)


@pytest.fixture
def awards(degree, learner, other_learner, earn):
    """Anna's awards (a degree, achievement records, a participation confirmation, a revoked one) and Ben's."""
    api.record_completion(user_id=learner.pk, course_key=CLINICS, completion=0.8, event_type="test")
    basics = next(a for a in api.get_learner_awards(user_id=learner.pk)
                  if a.program_id == "dr-med-ki" and a.course_key == BASICS)
    api.revoke_award(award_id=basics.id, reason="Annulled after an appeal.")
    earn(other_learner, VET[0], 0.9)
    mine = [a.id for a in api.get_learner_awards(user_id=learner.pk)]
    theirs = [a.id for a in api.get_learner_awards(user_id=other_learner.pk)]
    assert degree.id in mine and len(mine) >= 5 and theirs
    return {"mine": mine, "theirs": theirs}


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _csrf() -> tuple[str, str]:
    """A CSRF cookie value and the token that matches it, as a page the LMS served would give them."""
    request = HttpRequest()
    token = get_token(request)
    return request.META["CSRF_COOKIE"], token


def assert_consistent():
    """Every course award has its evidence with a threshold in (0, 1]; no learner state holds a share above 1."""
    course_awards = Award.objects.filter(kind__in=COURSE_AWARD_KINDS)
    assert not course_awards.filter(Q(evidence_value__isnull=True) | Q(evidence_threshold__isnull=True)).exists()
    assert not course_awards.filter(Q(evidence_threshold__lte=0) | Q(evidence_threshold__gt=1)).exists()
    assert not LearnerCourseState.objects.filter(Q(best_percent__gt=1) | Q(best_completion__gt=1)).exists()


@dataclass
class ApiUnderTest:
    """The schema as schemathesis read it from the application, and the clients that call the application."""

    schema: schemathesis.BaseSchema
    app: InProcessApp
    # Who calls: the keyword arguments of ``Case.call`` that make the request theirs.
    identities: dict[str, dict]

    def send(self, case: schemathesis.Case, who: str) -> int:
        """Send one generated case as ``who`` in a savepoint that is rolled back; check the answer and the database."""
        count(f"openapi: {case.method} {case.operation.path}")
        with rolled_back():
            response = case.call(app=self.app, **self.identities[who])
            case.validate_response(response, checks=CHECKS)
            assert_consistent()
        return response.status_code


@pytest.fixture
def api_under_test(app, awards, learner):  # pylint: disable=unused-argument
    """The application with Anna's and Ben's awards; Anna calls with her session, with or without the CSRF token."""
    session = _session(learner)
    cookie, token = _csrf()
    return ApiUnderTest(schema=schemathesis.openapi.from_wsgi(SCHEMA_URL, app), app=app, identities={
        "anonymous": {},
        "learner": {"cookies": {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: cookie},
                    "headers": {"X-CSRFToken": token}},
        "learner without the CSRF token": {"cookies": {settings.SESSION_COOKIE_NAME: session}},
    })


# ---------------------------------------------------------------------------------------------------------------
# The schema


@pytest.mark.parametrize(("query", "accept", "content_type"), [
    ("", "*/*", "application/vnd.oai.openapi+json"),
    ("", "application/json", "application/json"),
    ("?format=yaml", "*/*", "application/vnd.oai.openapi; charset=utf-8"),
    ("", "application/yaml", "application/yaml; charset=utf-8"),
])
def test_the_schema_is_public_json_or_yaml(client, query, accept, content_type):
    document = json.loads(client.get(SCHEMA_URL).content)
    response = client.get(SCHEMA_URL + query, HTTP_ACCEPT=accept)
    assert (response.status_code, response["Content-Type"]) == (200, content_type)
    assert yaml.safe_load(response.content) == document  # YAML reads JSON too


def test_the_schema_is_valid_openapi_3_and_names_exactly_its_operations(schema, client):
    GENERATOR_STATS.reset()
    document = json.loads(client.get(SCHEMA_URL).content)
    assert not GENERATOR_STATS, "drf-spectacular warned while generating the schema"
    validate_schema(document)  # the OpenAPI 3.0 JSON schema drf-spectacular bundles
    schema.validate()  # and schemathesis's own reading of the specification
    assert document["openapi"].startswith("3.")
    operations = {(op.method.upper(), op.path): op.definition.raw["operationId"]
                  for op in (result.ok() for result in schema.get_all_operations())}
    def documented(name):
        parameters = PATH_PARAMETERS.get(name, {})
        found = reverse(name, kwargs=parameters or None)
        for parameter, value in parameters.items():
            found = found.replace(value, "{" + parameter + "}")
        return found
    expected = {(method, documented(name)): operation_id for (method, name), operation_id in OPERATIONS.items()}
    assert operations == expected


def test_the_schema_is_the_same_whatever_the_hosts_drf_spectacular_settings(client, monkeypatch):
    """The LMS has SPECTACULAR_SETTINGS of its own: none of them reaches the plugin's document."""
    before = client.get(SCHEMA_URL).content
    for name, value in {"TITLE": "Open edX", "SCHEMA_PATH_PREFIX_INSERT": "/lms", "CAMELIZE_NAMES": True,
                        "SECURITY": [{"oauth2": []}], "APPEND_PATHS": {"/other/": {}}}.items():
        monkeypatch.setattr(spectacular_settings, name, value)
    assert client.get(SCHEMA_URL).content == before


def test_format_yaml_works_also_where_drf_turns_the_format_parameter_off(client, settings):
    settings.REST_FRAMEWORK = {"URL_FORMAT_OVERRIDE": None}  # as the LMS sets it
    response = client.get(SCHEMA_URL + "?format=yaml")
    assert (response.status_code, response["Content-Type"]) == (200, "application/vnd.oai.openapi; charset=utf-8")
    assert yaml.safe_load(response.content)["paths"]


def _resolve(node: dict, components: dict) -> tuple[str | None, dict]:
    """The component a schema node names (through ``$ref`` and a nullable ``allOf``) and its definition."""
    name = None
    while "$ref" in node or "allOf" in node:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = components[name]
        else:
            node = node["allOf"][0]
    return name, node


def _keys_seen(value, node: dict, components: dict, seen: dict[str, set]) -> None:
    """Collect, per documented object, the keys the answer has."""
    name, node = _resolve(node, components)
    if value is None:
        return
    if node.get("type") == "array":
        for item in value:
            _keys_seen(item, node["items"], components, seen)
    elif "properties" in node:
        seen.setdefault(name, set()).update(value)
        for key in value.keys() & node["properties"].keys():
            _keys_seen(value[key], node["properties"][key], components, seen)


@pytest.mark.usefixtures("awards")
def test_every_documented_object_has_exactly_the_keys_of_the_answers(client, learner):
    """Together, the catalog and a progress with every kind of award use every documented field, and no other."""
    document = json.loads(client.get(SCHEMA_URL).content)
    components = document["components"]["schemas"]
    seen: dict[str, set] = {}
    client.force_login(learner)
    for url in (reverse("microdegree:api-programs"), reverse("microdegree:api-progress")):
        answer = document["paths"][url]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        _keys_seen(client.get(url).json(), answer, components, seen)
    assert seen.keys() == {"ProgramCatalog", "Program", "Issuer", "Course", "LearnerProgress", "ProgramProgress",
                           "CourseProgress", "Award", "Requirement"}
    for name, keys in seen.items():
        assert keys == set(components[name]["properties"]), name


# ---------------------------------------------------------------------------------------------------------------
# Generated requests


@pytest.mark.parametrize(("operation_id", "who", "status"), [
    ("list_programs", "anonymous", 200),
    ("list_programs", "learner", 200),
    ("get_learner_progress", "anonymous", NOT_SIGNED_IN),
    ("get_learner_progress", "learner", 200),
])
def test_generated_reads(api_under_test, operation_id, who, status):
    """The catalog and the progress take no parameters: a few cases each (what varies is the security scheme's)."""
    @hypothesis_settings(max_examples=budget(25))
    @given(case=api_under_test.schema.find_operation_by_id(operation_id).as_strategy())
    def read(case):
        assert api_under_test.send(case, who) == status

    read()
    assert_consistent()


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
@pytest.mark.parametrize("who", ["anonymous", "learner", "learner without the CSRF token"])
def test_generated_visibility_changes(api_under_test, awards, who, mode):
    """Own, other and random award ids, with generated bodies, valid (positive) or not (negative)."""
    operation = api_under_test.schema.find_operation_by_id("set_award_visibility")
    award_ids = st.sampled_from(awards["mine"] + awards["theirs"]) | st.uuids().map(str)
    statuses = set()

    @hypothesis_settings(max_examples=budget(400))
    @given(case=operation.as_strategy(mode), award_id=award_ids)
    def change(case, award_id):
        # The generated id is mostly unknown (or, when negative, no UUID at all: the LMS's HTML 404, not the API's).
        case.path_parameters = {"award_id": award_id}
        statuses.add(api_under_test.send(case, who))

    change()
    assert_consistent()
    if who == "learner" and mode == schemathesis.GenerationMode.NEGATIVE:
        # Mostly invalid bodies; a case whose invalid part was its award id is valid once the id is replaced.
        assert 400 in statuses and statuses <= {200, 400, 404}, statuses
    else:
        expected = {"anonymous": {NOT_SIGNED_IN}, "learner without the CSRF token": {403}, "learner": {200, 404}}
        assert statuses == expected[who]
