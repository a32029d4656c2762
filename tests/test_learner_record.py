"""
The learner's whole record (docs/decisions/0039): every valid award in one CLR 2.0 credential signed by the platform.

Checked by referees the signing code is not: the 1EdTech CLR 2.0 JSON schema, and the specification verifier of
tests/credentials_helpers.py, which resolves the platform's own did:web document and each awarding body's.
"""
from __future__ import annotations

import json

import jsonschema
import pytest

from microdegree_xblock import api
from tests.credentials_helpers import SpecVerifier, schema

from .conftest import VET

pytestmark = pytest.mark.django_db

URL = "/microdegree/achievements/record.json"


@pytest.fixture
def record(degree, learner, earn, client):
    """Anna's record: the 'mini' degree and its three courses, one AI_VET course (private), one revoked award."""
    vet = next(a for a in earn(learner, VET[0], 0.9) if a.kind == "achievement")
    api.set_award_private(user_id=learner.pk, award_id=vet.id, private=True)
    revoked = next(a for a in earn(learner, VET[1], 0.9) if a.kind == "achievement")
    api.revoke_award(award_id=revoked.id, reason="Exam result annulled")
    client.force_login(learner)
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    client.logout()
    return json.loads(response.content), {"private": vet, "revoked": revoked, "degree": degree}


def test_the_record_is_a_valid_clr_of_every_valid_award(record, learner, client):
    clr, awards = record
    jsonschema.Draft4Validator(schema("clr_v2p0_clrcredential_schema_draft4.json")).validate(clr)
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["issuer"]["id"] == "did:web:127.0.0.1%3A8000:microdegree" and clr["issuer"]["type"] == ["Profile"]
    members = clr["credentialSubject"]["verifiableCredential"]
    held = [a for a in api.get_learner_awards(user_id=learner.pk) if not a.is_revoked]
    # the degree, its three courses, the two shared courses' records in Dr. med. KI and the private AI_VET course
    assert len(members) == len(held) == 7
    names = [m["credentialSubject"]["achievement"]["name"] for m in members]
    # the private one is in, the revoked one out
    assert "Achievement record: AI_VET I" in names and "Achievement record: AI_VET II" not in names
    assert awards["revoked"].id not in json.dumps(members)
    verifier = SpecVerifier(client)
    assert verifier.verify(clr), verifier.refusal
    assert all(verifier.verify(member) for member in members)
    degree_achievement = next(m for m in members if m["credentialSubject"]["achievement"]["achievementType"]
                              == "MicroCredential")["credentialSubject"]["achievement"]["id"]
    children = {a["sourceId"] for a in clr["credentialSubject"]["association"]}
    assert {(a["associationType"], a["targetId"]) for a in clr["credentialSubject"]["association"]} == {
        ("isChildOf", degree_achievement)}
    assert len(children) == 3  # the degree's courses; the AI_VET course belongs to no degree Anna holds


def test_a_changed_record_is_refused(record, client):
    clr, _awards = record
    text = json.dumps(clr)
    verifier = SpecVerifier(client)
    for old, new in (("Mini <Degree>", "Maxi <Degree>"), ("Anna Schmidt", "Anna Schmidu")):
        assert old in text, old
        assert not verifier.verify(json.loads(text.replace(old, new, 1))), old


def test_the_verification_page_tells_a_record_from_a_changed_one(record):
    clr, _awards = record
    result = api.verify_credential(json.dumps(clr).encode())
    assert (result.outcome, result.reason, result.kind) == ("valid", "record", "clr")
    changed = api.verify_credential(json.dumps(clr).replace("Mini <Degree>", "Maxi <Degree>", 1).encode())
    assert changed.outcome == "tampered"


def test_the_platforms_did_document_lists_every_key(record, client):
    document = json.loads(client.get("/microdegree/did.json").content)
    assert document["id"] == "did:web:127.0.0.1%3A8000:microdegree"
    signed_with = record[0]["proof"][0]["verificationMethod"]
    assert signed_with in document["assertionMethod"]


def test_only_the_learner_gets_their_record(client, catalog):
    assert client.get(URL).status_code == 302


def test_a_records_reads_do_not_grow_with_its_stored_credentials(record, learner, earn,
                                                                  django_assert_max_num_queries):
    """Once its members are stored, a record reads them in one query: more awards cost no more queries."""
    from django.db import connection  # pylint: disable=import-outside-toplevel
    from django.test.utils import CaptureQueriesContext  # pylint: disable=import-outside-toplevel

    with CaptureQueriesContext(connection) as before:
        api.get_learner_record(user_id=learner.pk)
    earn(learner, VET[2], 0.9)  # one more record, in a programme of the record already
    api.get_learner_record(user_id=learner.pk)  # signs and stores its member credential
    with django_assert_max_num_queries(len(before)):
        api.get_learner_record(user_id=learner.pk)
