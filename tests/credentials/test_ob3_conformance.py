"""
What the 1EdTech Open Badges 3.0 issuer conformance checks of an ``OpenBadgeCredential``, for every kind issued.

From the OB 3.0 specification (3.0.3) and its conformance guide: the credential is valid against the published
JSON schema; its ``@context`` starts with VC 2.0 and the OB 3.0 context; its ``type`` holds
``VerifiableCredential`` and ``OpenBadgeCredential``; it has an ``id`` (a URI), ``validFrom``, a ``name``; its
issuer is a ``Profile`` with an ``id`` that resolves to a key controller, a ``name`` and a ``url``; its subject is
an ``AchievementSubject`` with an ``Achievement`` of ``id``, ``type``, ``name``, ``description`` and
``criteria``; it names the schema it follows (``credentialSchema``, ``1EdTechJsonSchemaValidator2019``) and a status
a verifier can resolve (``credentialStatus``: a Bitstring status list credential, itself signed); its proof is a
Data Integrity proof (``eddsa-rdfc-2022``, ``assertionMethod``) by a key the issuer's DID document lists. The
proofs are checked by the specification verifier of tests/credentials_helpers.py (not the signing code).
"""
from __future__ import annotations

import json

import jsonschema
import pytest
from completion.models import BlockCompletion
from django.contrib.auth import get_user_model
from opaque_keys.edx.keys import CourseKey
from waffle.testutils import override_switch

from microdegree_xblock import api
from microdegree_xblock.credentials import statuslist
from tests.conftest import BASICS, VET
from tests.credentials import demo
from tests.credentials.demo import earn, load_demo, nested_degrees, record_condition
from tests.credentials_helpers import SpecVerifier, schema

pytestmark = pytest.mark.django_db

OB3_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"


@pytest.fixture
def issued(degree, learner, client, settings, django_capture_on_commit_callbacks):
    """The OB 3.0 credential of each kind: a participation confirmation, an achievement record, a micro-degree."""
    settings.MICRODEGREE_COMPLETABLE_BLOCKS = {VET[1]: 4}
    course = CourseKey.from_string(VET[1])  # half of its content completed: a participation confirmation
    with override_switch("completion.enable_completion_tracking", active=True):
        for block in ("a", "b"):
            with django_capture_on_commit_callbacks(execute=True):
                BlockCompletion.objects.submit_completion(user=learner, block_key=course.make_usage_key("html", block),
                                                          completion=1.0)
    awards = api.get_learner_awards(user_id=learner.pk)
    chosen = {
        "participation": next(a for a in awards if a.kind == "participation"),
        "achievement": next(a for a in awards if a.kind == "achievement" and a.course_key == BASICS),
        "degree": degree,
    }
    return {kind: json.loads(client.get(f"/microdegree/credentials/{award.id}/ob3/").content)
            for kind, award in chosen.items()}


def _get(client, url: str) -> dict:
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200, url
    return json.loads(response.content)


def test_every_kind_carries_what_issuer_conformance_checks(issued, client):
    assert set(issued) == {"participation", "achievement", "degree"}
    _conforms(issued, client)


@pytest.fixture
def recognitions(db, client):  # pylint: disable=unused-argument
    """The chamber's CME certification, a university's ECTS after a recorded exam, the degree nesting AI_VET (demo)."""
    load_demo()
    carla = get_user_model().objects.create_user("carla", "carla@example.org", "pw", first_name="Carla")
    earn(carla, demo.BASICS, 0.8)
    record_condition(carla, "ai-vet", "uma-ects", demo.VET[0])
    nested_degrees(carla)
    awards = api.get_learner_awards(user_id=carla.pk)
    chosen = {
        "recognition": next(a for a in awards if a.rule == "lak-bw-cme"),
        "recognition-condition": next(a for a in awards if a.rule == "uma-ects"),
        "nesting-degree": next(a for a in awards if a.kind == "degree" and a.program_id == "ki-bildung"),
    }
    return {kind: json.loads(client.get(f"/microdegree/credentials/{award.id}/ob3/").content)
            for kind, award in chosen.items()}


def test_recognitions_and_a_nesting_degree_carry_what_issuer_conformance_checks(recognitions, client):
    _conforms(recognitions, client)
    # Each recognition is its body's: issuer, key and status list (docs/decisions/0040).
    for kind, body in (("recognition", "lak-bw"), ("recognition-condition", "uni-mannheim")):
        credential = recognitions[kind]
        assert credential["issuer"]["id"].endswith(f":issuers:{body}"), kind
        assert f"/status/{body}/" in credential["credentialStatus"]["statusListCredential"], kind


def _conforms(issued: dict[str, dict], client) -> None:
    validator = jsonschema.Draft201909Validator(schema("ob_v3p0_achievementcredential.json"))
    verifier = SpecVerifier(client)
    for kind, credential in issued.items():
        validator.validate(credential)
        assert credential["@context"][:2] == ["https://www.w3.org/ns/credentials/v2",
                                              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"], kind
        assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(credential["type"])
        assert credential["id"].startswith("urn:uuid:") and credential["name"] and credential["validFrom"]
        issuer = credential["issuer"]
        assert "Profile" in issuer["type"] and issuer["id"].startswith("did:web:") and issuer["name"]
        assert issuer["url"].startswith("http")
        subject = credential["credentialSubject"]
        assert "AchievementSubject" in subject["type"]
        achievement = subject["achievement"]
        assert "Achievement" in achievement["type"]
        assert achievement["id"] and achievement["name"] and achievement["description"]
        assert achievement["criteria"].get("narrative") or achievement["criteria"].get("id")
        assert {"id": OB3_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"} in credential["credentialSchema"]
        # The status resolves to a signed status list credential, and the entry's bit is not set.
        status = credential["credentialStatus"]
        assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
        status_list = _get(client, status["statusListCredential"])
        assert verifier.verify(status_list), verifier.refusal
        assert status_list["issuer"] == issuer["id"] or status_list["issuer"].get("id") == issuer["id"]
        assert not statuslist.is_set(status_list["credentialSubject"]["encodedList"], int(status["statusListIndex"]))
        # The proof: eddsa-rdfc-2022 for assertions, by a key the issuer's DID document lists.
        (proof,) = credential["proof"]
        assert (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) == (
            "DataIntegrityProof", "eddsa-rdfc-2022", "assertionMethod")
        did, _hash, _key = proof["verificationMethod"].partition("#")
        assert did == issuer["id"]
        controller = _get(client, "https://x/" + did.split(":", 3)[3].replace(":", "/") + "/did.json")
        assert proof["verificationMethod"] in {m["id"] for m in controller["verificationMethod"]}
        assert proof["verificationMethod"] in controller["assertionMethod"]
        assert verifier.verify(credential), (kind, verifier.refusal)
