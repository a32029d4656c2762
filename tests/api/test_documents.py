"""
``api.documents``: what the public endpoints serve, and a named error for every unknown id.

For each state the api can produce: signed, not yet signed, private, revoked, a course that left its program.
"""
from __future__ import annotations

import json
import uuid

import pytest

from microdegree_xblock import api
from tests.conftest import VET
from tests.credentials_helpers import SpecVerifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(catalog, learner, earn):
    return next(a for a in earn(learner, VET[0], 0.82) if a.kind == "achievement")


def test_the_page_of_a_signed_award(signed, learner, other_learner):
    page = api.get_credential_page(award_id=signed.id)
    assert page.signed and not page.private and not page.is_revoked
    assert page.figures == {"hours": "25", "ects": None, "value": "82", "threshold": "60"}
    assert not page.hidden_from(None) and not page.hidden_from(other_learner.pk)
    assert page.qr_svg().startswith("<svg") and page.links["verify_url"].endswith(f"/verify/{signed.id}/")
    text = api.get_signed_credential(award_id=signed.id, fmt="ob3")
    assert json.loads(text)["id"] == f"urn:uuid:{signed.id}"


def test_an_unsigned_award_has_a_page_but_no_credential_until_reconcile(unsigned_award, client,
                                                                         django_capture_on_commit_callbacks):
    page = api.get_credential_page(award_id=unsigned_award.id)
    assert not page.signed
    with pytest.raises(api.CredentialNotReady):
        api.get_signed_credential(award_id=unsigned_award.id, fmt="ob3")
    with django_capture_on_commit_callbacks(execute=True):
        api.reconcile()
    assert SpecVerifier(client).verify(json.loads(api.get_signed_credential(award_id=unsigned_award.id, fmt="ob3")))


def test_a_private_credential_is_only_its_learners(signed, learner, other_learner):
    api.set_award_private(user_id=learner.pk, award_id=signed.id, private=True)
    page = api.get_credential_page(award_id=signed.id)
    assert page.hidden_from(other_learner.pk) and page.hidden_from(None) and not page.hidden_from(learner.pk)
    with pytest.raises(api.PrivateCredential):
        api.get_signed_credential(award_id=signed.id, fmt="ob3", viewer_id=other_learner.pk)
    assert api.get_signed_credential(award_id=signed.id, fmt="ob3", viewer_id=learner.pk)
    with pytest.raises(api.UnknownAward):  # only the learner may change it
        api.set_award_private(user_id=other_learner.pk, award_id=signed.id, private=False)


def test_a_course_that_left_its_program_is_still_described(dropped_course_award):
    page = api.get_credential_page(award_id=dropped_course_award.id)
    assert page.facts.achievement.course_key == VET[3] and page.figures["threshold"] == "60"
    assert api.get_ob2_assertion(award_id=dropped_course_award.id)["badge"].endswith(f"/achievement/{VET[3]}/")
    with pytest.raises(api.UnknownBadge):  # its BadgeClass is no longer offered
        api.get_ob2_badge_class(program_id="ai-vet", kind="achievement", course_key=VET[3])


def test_a_revoked_award_answers_revoked(signed):
    api.revoke_award(award_id=signed.id, reason="Identity fraud")
    assertion = api.get_ob2_assertion(award_id=signed.id)
    assert assertion["revoked"] is True and assertion["revocationReason"] == "Identity fraud"
    assert api.get_credential_page(award_id=signed.id).is_revoked


def test_the_issuers_documents(signed):
    did = api.get_controller_document(issuer_id="uni-mannheim")
    assert did["id"].startswith("did:web:") and did["verificationMethod"]
    assert api.get_ob2_issuer(issuer_id="uni-mannheim")["name"] == "Universität Mannheim"
    assert api.get_revocation_list(issuer_id="uni-mannheim")["issuer"] == did["id"]
    status = json.loads(api.get_status_list_credential(issuer_id="uni-mannheim", number=0))
    assert "BitstringStatusListCredential" in status["type"]


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: api.get_controller_document(issuer_id="nobody"), api.UnknownIssuer, "No such issuer."),
    (lambda: api.get_ob2_issuer(issuer_id="nobody"), api.UnknownIssuer, "No such issuer."),
    (lambda: api.get_revocation_list(issuer_id="nobody"), api.UnknownIssuer, "No such issuer."),
    (lambda: api.get_status_list_credential(issuer_id="charite", number=7), api.UnknownStatusList,
     "No such status list."),
    (lambda: api.get_ob2_badge_class(program_id="nobody", kind="degree"), api.UnknownBadge, "No such badge."),
    (lambda: api.get_badge_image(program_id="ai-vet", kind="laurels", course_key=VET[0]), api.UnknownBadge,
     "No such badge."),
    (lambda: api.get_ob2_assertion(award_id=uuid.uuid4()), api.UnknownAward, "No such credential."),
    (lambda: api.get_baked_badge(award_id="not-a-uuid"), api.UnknownAward, "No such credential."),
])
def test_every_unknown_id_is_a_named_error_with_a_public_message(catalog, call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert isinstance(raised.value, api.NotFound) and raised.value.status_code == 404
    assert str(raised.value.public_message) == message
    assert "nobody" not in str(raised.value.public_message)
