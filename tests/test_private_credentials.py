"""
Private means private (docs/decisions/0034): nobody but its learner sees anything of a private credential.

Through every one of its public addresses it answers as not available; its learner still gets all of it.
"""
from __future__ import annotations

import hashlib
import json

import pytest

from microdegree_xblock import api
from microdegree_xblock.models import Award

pytestmark = pytest.mark.django_db

# Every public address of an award, with what its learner gets there.
ADDRESSES = ("/microdegree/verify/{id}/", "/microdegree/credentials/{id}/ob3/", "/microdegree/credentials/{id}/clr/",
             "/microdegree/credentials/{id}/certificate.pdf", "/microdegree/credentials/{id}/linkedin/",
             "/microdegree/credentials/{id}/badge/", "/microdegree/credentials/{id}/badge.png",
             "/microdegree/ob2/assertions/{id}/", "/microdegree/credentials/{id}/edc/")


def _what_identifies(award_id: str) -> list[str]:
    """Texts that tell who holds the award and how they did: name, grade, email hash, the salt."""
    award = Award.objects.select_related("user").get(uuid=award_id)
    email_hash = hashlib.sha256((award.user.email + award.recipient_salt).encode()).hexdigest()
    return ["Anna", "Schmidt", email_hash, award.recipient_salt, "95 %", "0.95"]


@pytest.fixture
def private_degree(degree, learner):
    api.set_award_private(user_id=learner.pk, award_id=degree.id, private=True)
    return degree


@pytest.mark.parametrize("address", ADDRESSES)
def test_nobody_else_sees_anything_of_a_private_credential(private_degree, client, other_learner, address):
    url = address.format(id=private_degree.id)
    identifying = _what_identifies(private_degree.id)
    for viewer in (None, other_learner):
        if viewer is not None:
            client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == 404, (url, viewer)
        body = response.content.decode("utf-8", errors="replace")
        for text in identifying:
            assert text not in body, (url, text)


@pytest.mark.parametrize("address", ADDRESSES)
def test_its_learner_still_gets_everything(private_degree, client, learner, address):
    client.force_login(learner)
    response = client.get(address.format(id=private_degree.id))
    assert response.status_code in (200, 302), address
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def test_the_hosted_assertion_of_a_public_credential_names_its_recipient_hash(degree, client):
    assertion = json.loads(client.get(f"/microdegree/ob2/assertions/{degree.id}/").content)
    assert assertion["recipient"]["identity"] == "sha256$" + _what_identifies(degree.id)[2]


def test_made_public_again_it_verifies_again(private_degree, client, learner):
    api.set_award_private(user_id=learner.pk, award_id=private_degree.id, private=False)
    for address in ADDRESSES:
        response = client.get(address.format(id=private_degree.id))
        assert response.status_code in (200, 302), address
        # No shared cache may keep a public copy that would outlive making it private.
        assert "no-store" in response["Cache-Control"], address
    assert "Anna Schmidt" in client.get(f"/microdegree/verify/{private_degree.id}/").content.decode()
