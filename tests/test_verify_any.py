"""
The page that verifies any credential handed in (``/microdegree/verify/``, docs/decisions/0035).

Genuine credentials of every kind this platform issues are valid; tampered, foreign-signed, forged, revoked,
private and malformed ones are each told apart, in plain words, in English and German; nothing is fetched.
"""
from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from microdegree_xblock import api
from microdegree_xblock.credentials import keys, proofs

from .conftest import BASICS

pytestmark = pytest.mark.django_db

URL = "/microdegree/verify/"


def _hand_in(client, data: bytes | str, *, as_file: bool = True, **headers):
    if isinstance(data, str):
        data = data.encode()
    if as_file:
        from django.core.files.uploadedfile import SimpleUploadedFile  # pylint: disable=import-outside-toplevel

        return client.post(URL, {"credential": SimpleUploadedFile("credential", data)}, **headers)
    return client.post(URL, {"text": data.decode()}, **headers)


def _verify(data) -> api.Verification:
    return api.verify_credential(data if isinstance(data, bytes) else json.dumps(data).encode())


@pytest.fixture
def credentials(degree, learner, client):
    """The degree's OB 3.0 and CLR texts, a course record's OB 3.0, and the degree's baked badges."""
    course = next(a for a in api.get_learner_awards(user_id=learner.pk)
                  if a.kind == "achievement" and a.course_key == BASICS)
    get = lambda path: client.get(path).content  # noqa: E731
    return {
        "ob3": get(f"/microdegree/credentials/{course.id}/ob3/"),
        "degree": get(f"/microdegree/credentials/{degree.id}/ob3/"),
        "clr": get(f"/microdegree/credentials/{degree.id}/clr/"),
        "png": get(f"/microdegree/credentials/{degree.id}/badge.png"),
        "svg": get(f"/microdegree/credentials/{degree.id}/badge/"),
        "ob2": get(f"/microdegree/ob2/assertions/{degree.id}/"),
        "course": course, "degree_award": degree,
    }


@pytest.mark.parametrize("kind", ["ob3", "degree", "clr", "png", "svg", "ob2"])
def test_every_kind_of_genuine_credential_is_valid(credentials, kind):
    result = _verify(credentials[kind])
    assert (result.outcome, result.reason) == ("valid", "valid"), result
    assert "Charité Berlin" in result.signers
    assert result.verify_url.endswith(f"/microdegree/verify/{credentials['degree_award'].id}/") or kind == "ob3"
    assert result.kind == {"png": "ob2", "svg": "ob2", "degree": "ob3"}.get(kind, kind)
    if kind != "ob2" and kind not in ("png", "svg"):
        assert result.key_id.startswith("did:web:") and "#z" in result.key_id


@pytest.mark.parametrize("change", ["name", "subject", "date", "proof", "term", "member"])
def test_a_tampered_credential_is_not_valid(credentials, change):
    document = json.loads(credentials["clr" if change == "member" else "ob3"])
    if change == "name":
        document["name"] = "Doctor of Everything"
    elif change == "subject":
        document["credentialSubject"]["achievement"]["name"] = "Another course"
    elif change == "date":
        document["validFrom"] = "2019-01-01T00:00:00Z"
    elif change == "proof":
        value = document["proof"][0]["proofValue"]
        document["proof"][0]["proofValue"] = value[:-4] + ("A" if value[-4] != "A" else "B") + value[-3:]
    elif change == "term":
        document["credentialSubject"]["grade"] = "A+"
    else:
        member = document["credentialSubject"]["verifiableCredential"][1]
        member["name"] = "Changed inside the bundle"
    result = _verify(document)
    assert result.outcome == "tampered", result
    # A changed member breaks the bundle's own proof first, which covers its members.
    assert result.reason == {"term": "strict"}.get(change, "signature")
    assert not result.name and not result.verify_url  # nothing of a changed credential is vouched for


def test_a_credential_signed_elsewhere_is_foreign_and_not_checked(credentials):
    document = json.loads(credentials["ob3"])
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    foreign = keys.generate_private_key()
    signed = proofs.sign(unsigned, private_key=foreign, verification_method=(
        "did:web:other.example#" + keys.public_key_multibase(foreign)), created=datetime.now(tz=UTC))
    result = _verify(signed)
    assert (result.outcome, result.reason) == ("foreign", "foreign_signer")


def test_a_credential_forged_in_this_platforms_name_is_not_valid(credentials):
    document = json.loads(credentials["ob3"])
    did = document["proof"][0]["verificationMethod"].partition("#")[0]
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    forger = keys.generate_private_key()
    signed = proofs.sign(unsigned, private_key=forger, verification_method=(
        f"{did}#{keys.public_key_multibase(forger)}"), created=datetime.now(tz=UTC))
    assert (_verify(signed).outcome, _verify(signed).reason) == ("tampered", "unknown_key")


def test_a_revoked_credential_says_so(credentials):
    api.revoke_award(award_id=credentials["course"].id, reason="Exam result annulled")
    result = _verify(credentials["ob3"])
    assert (result.outcome, result.reason) == ("revoked", "revoked")
    assert result.revoked_reason == "Exam result annulled" and result.revoked_on is not None


def test_a_private_credential_shows_nothing_but_its_signature(credentials, learner):
    api.set_award_private(user_id=learner.pk, award_id=credentials["degree_award"].id, private=True)
    held = _verify(credentials["degree"])  # the holder's own copy: its signature is still valid
    assert (held.outcome, held.reason) == ("valid", "private") and not held.name and not held.verify_url
    baked = _verify(credentials["png"])  # hosted verification of a baked badge: not available
    assert (baked.outcome, baked.reason) == ("not_available", "private") and not baked.name


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"), (b"   \n", "empty"), (b"hello", "not_json"), (b"[1, 2]", "not_json"),
    (b"\xff\xfe\x00garbage", "not_json"), (b'{"@context": "https://example.org/x"}', "not_credential"),
    (b"[" * 100_000 + b"]" * 100_000, "not_json"), (json.dumps({"a": [[[[[[[[[[{}]]]]]]]]]]} | {
        "b": json.loads("[" * 70 + "]" * 70)}).encode(), "not_json"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not_baked"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "not_json"),
])
def test_malformed_input_is_named_not_an_error(catalog, data, reason):
    result = api.verify_credential(data)
    assert (result.outcome, result.reason) == ("malformed", reason)


def test_a_foreign_hosted_badge_is_not_fetched(catalog):
    result = _verify({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                      "id": "https://badges.other.example/assertions/1"})
    assert (result.outcome, result.reason) == ("foreign", "foreign_host")


def test_a_changed_ob2_assertion_is_not_valid(credentials):
    assertion = json.loads(credentials["ob2"])
    changed = copy.deepcopy(assertion) | {"issuedOn": "2019-01-01T00:00:00Z"}
    assert _verify(changed).outcome == "tampered"
    assert _verify(assertion).outcome == "valid"


def test_the_page_verifies_an_upload_and_a_paste_in_plain_words(credentials, client):
    page = _hand_in(client, credentials["clr"]).content.decode()
    assert "Valid" in page and "issued by this platform, and it is not revoked" in page
    assert "Comprehensive Learner Record 2.0" in page and "Charité Berlin" in page
    pasted = _hand_in(client, credentials["ob3"].decode().replace("Basics", "Basix"), as_file=False)
    assert pasted.status_code == 200 and "Not valid" in pasted.content.decode()
    german = _hand_in(client, credentials["png"], HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Gültig" in german


def test_the_page_refuses_an_oversized_hand_in_unread(catalog, client):
    response = _hand_in(client, b"{" + b" " * (api.MAX_CREDENTIAL_BYTES + 70_000) + b"}")
    assert response.status_code == 413
    assert "larger than this page checks" in response.content.decode()


def test_the_form_escapes_nothing_it_was_given(catalog, client):
    page = _hand_in(client, '<script>alert(1)</script>', as_file=False).content.decode()
    assert "<script>alert(1)</script>" not in page and "Not readable" in page


def test_the_empty_form_is_served(client, catalog):
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200 and 'name="credential"' in page.content.decode()


def test_a_credential_of_the_earlier_form_is_valid_with_a_note(catalog, client):
    """A credential signed before strict JSON-LD (tests/credentials/legacy/): valid, and the page says what counts."""
    from microdegree_xblock.models import SigningKey  # pylint: disable=import-outside-toplevel
    from tests.credentials.test_legacy import CONTROLLER, _load  # pylint: disable=import-outside-toplevel

    SigningKey.objects.create(public_key_multibase=CONTROLLER["assertionMethod"][0].partition("#")[2],
                              private_key_pem="", source="settings")
    old = _load("ob3")
    result = _verify(old)
    assert (result.outcome, result.legacy) == ("valid", True)
    added = copy.deepcopy(old) | {"unsigned": "a claim its context does not define"}
    assert _verify(added).outcome == "valid"  # dropped from the canonical form, as it was then
    assert "not covered by its signature" in _hand_in(client, json.dumps(added)).content.decode()
    assert _verify(copy.deepcopy(old) | {"name": "Changed"}).outcome == "tampered"  # what it signed, it covers
